"""Giving memory back to the system in a long-running process (the app).

Building the outline and the state index of a large log allocates a few hundred megabytes for a
few seconds, then keeps a fraction. With glibc's defaults the rest stays with the process: after
the first large block is freed, its dynamic threshold serves later large arrays from the heap
instead of their own mappings, and worker threads get heaps of their own, so every rebuild (after
an append, say) raised the app's footprint by ~100 MB at a million events. Both calls are no-ops
where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

_M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
_LARGE = 1 << 20  # blocks from 1 MB up get mappings of their own, returned when freed


@cache
def _glibc() -> Any | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def map_large_blocks() -> None:
    """Give large blocks their own mappings for good (no dynamic threshold)."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, _LARGE)


def return_freed_memory() -> None:
    """Hand the free memory of every heap back to the system (after a large build)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
