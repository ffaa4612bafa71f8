"""Freed memory goes back to the OS between stages (signalboost.memory)."""

from __future__ import annotations

import ctypes
import sys

import psutil
import pytest

from signalboost.memory import _malloc_trim, release_unused_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's, on Linux")
def test_heap_memory_freed_by_a_stage_is_returned():
    if _malloc_trim() is None:
        pytest.skip("this Linux C library has no malloc_trim (not glibc)")
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    process = psutil.Process()
    # Many small blocks live in the heap (not in mmaps of their own), as a stage's temporaries do; keep the last
    # one so that the heap's top cannot shrink by itself when the rest are freed.
    blocks = [libc.malloc(4096) for _ in range(100_000)]
    for block in blocks:
        ctypes.memset(block, 1, 4096)
    before = process.memory_info().rss
    for block in blocks[:-1]:
        libc.free(block)
    held = process.memory_info().rss
    release_unused_memory()
    after = process.memory_info().rss
    libc.free(blocks[-1])
    assert held > before - 100 * 2**20  # free() alone kept (most of) the 400 MB
    assert after < held - 300 * 2**20  # the trim gave it back
