"""Allocator settings for processes that run replications (Linux glibc only; elsewhere nothing).

A replication allocates and frees many arrays of 10^4 - 10^6 entries. With glibc's defaults the
large ones are mapped and unmapped, or the heap's top is trimmed and regrown, for every
replication, and each fresh page costs a page fault (dear in a virtual machine): measured on
the 2-core benchmark machine, a quarter of the serial run time. Raising the thresholds keeps
the freed memory for the next replication instead.
"""

from __future__ import annotations

import ctypes
import functools
import sys

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
"""``mallopt`` parameters (``malloc.h``)."""
SETTINGS = (
    (M_MMAP_THRESHOLD, 64 * 2**20),
    (M_TRIM_THRESHOLD, 256 * 2**20),
    (M_TOP_PAD, 64 * 2**20),
)
"""Bytes: blocks below 64 MiB come from the heap; up to 256 MiB of free heap is kept; the heap
grows 64 MiB at a time."""


@functools.cache
def tune_allocator() -> bool:
    """Apply ``SETTINGS`` to this process once; whether the allocator accepted them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return all(mallopt(param, value) == 1 for param, value in SETTINGS)
