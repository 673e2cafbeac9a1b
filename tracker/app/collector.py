"""Bulk work on many small immutable objects, without the cyclic garbage collector in the way.

Events, steps and item states are immutable and hold no reference cycles, so the collector can
never free any of them; yet creating millions of them makes it scan them again and again (a
replay of 100k events spent more than half its time there). Bulk loops pause it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class _Policy:
    long_running = False


def keep_collecting(on: bool) -> None:
    """While a long-running app runs (on), no garbage outlives a freeze for good.

    ``gc.freeze`` moves *every* tracked object of the process to the permanent generation, the
    objects of other threads included: a worker that still held the state index when it was
    frozen, once finished, is a reference cycle nothing collects, and the index (70 MB at a
    million events) with it. So in the app each bulk build starts by unfreezing and collecting
    (one full collection per build: what was frozen and has become garbage is freed before the
    build allocates) and still ends by freezing (so that the states it built are not scanned
    again and again while the user steps). A one-shot command exits long before any of this
    matters.
    """
    _Policy.long_running = on


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause automatic garbage collection for the duration (nested uses are fine).

    On the way out, what the bulk work left alive is moved to the collector's permanent
    generation (``gc.freeze``): otherwise the first collection after the pause scans every one
    of those objects at once (1-2 s after folding 100k events, most of the fold's own time).
    They are still freed as usual when nothing refers to them; only a reference cycle among them
    would outlive its last reference, and events, steps and states have none (see
    :func:`keep_collecting` for the app, whose other threads' objects are frozen too).
    """
    was_enabled = gc.isenabled()
    if was_enabled and _Policy.long_running:
        gc.unfreeze()
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
