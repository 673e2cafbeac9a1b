"""Bulk work on many small immutable objects, without the cyclic garbage collector in the way.

Events, steps and item states are immutable and hold no reference cycles, so the collector can
never free any of them; yet creating millions of them makes it scan them again and again (a
replay of 100k events spent more than half its time there). Bulk loops pause it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause automatic garbage collection for the duration (nested uses are fine).

    On the way out, what the bulk work left alive is moved to the collector's permanent
    generation (``gc.freeze``): otherwise the first collection after the pause scans every one
    of those objects at once (1-2 s after folding 100k events, most of the fold's own time).
    They are still freed as usual when nothing refers to them; only a reference cycle among them
    would outlive its last reference, and events, steps and states have none.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
