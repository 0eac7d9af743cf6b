"""What a run asks of the process's memory management, in one place.

A run (pipeline.execute, and the flow's tasks wherever they run) enters :func:`bulk_work` and
calls :func:`release_memory` between batches; nothing here happens on import. Figures behind
each setting are in benchmarks/results.md.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import threading
from collections.abc import Iterator

import pyarrow as pa

# Allocations (less deallocations) of container objects between two collections of Python's
# youngest generation during bulk work; Python's default is 700.
YOUNG_THRESHOLD = 10_000

_gc_lock = threading.Lock()
_gc_depth = 0  # blocks inside few_collections now, in any thread
_gc_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """The process set for a run's bulk work while the block runs: Arrow allocating from the C
    library's malloc (use_system_allocator) and Python's collector started less often
    (few_collections). What a run enters; the allocator stays the system's afterwards."""
    use_system_allocator()
    with few_collections():
        yield


@contextlib.contextmanager
def few_collections(threshold: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector started less often: its youngest
    generation collected after ``threshold`` new objects instead of 700 (never lower than
    the threshold already set). The stages make millions of short-lived objects beside a
    large long-lived heap, and at 700 the collector keeps traversing that heap; reference
    counting still frees every object outside a cycle at once.

    Safe from several threads and nested: the threshold is the process's, set when the first
    block starts and restored when the last one ends."""
    global _gc_depth, _gc_saved
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(threshold, _gc_saved[0]), *_gc_saved[1:])
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)


def use_system_allocator() -> None:
    """Have Arrow allocate from the C library's malloc, not its default pool (mimalloc), which
    keeps the pages of the batches a run reads from its spool and lets the run's peak grow
    with the corpus. Process-wide, through Arrow's public API."""
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def release_memory() -> None:
    """Give memory that is free back to the OS: Arrow's pool and glibc's heap (malloc_trim),
    which otherwise keep what a finished batch used. A no-op where there is no malloc_trim."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return None
