"""What a run asks of the process's memory management: Arrow's allocator, memory given back
to the OS between batches, and Python's garbage collector tuned for bulk work.

Process-wide settings, made by a run (pipeline.run, the flow's tasks) and not by importing
``ingest``."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

import pyarrow as pa

# Allocations (less deallocations) of container objects between two collections of Python's
# youngest generation while a stage runs; Python's default is 700. See few_collections.
YOUNG_THRESHOLD = 10_000

_gc_lock = threading.Lock()
_gc_depth = 0  # blocks inside few_collections now, in any thread
_gc_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def few_collections(threshold: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector started less often: its youngest
    generation collected after ``threshold`` new objects instead of 700 (never lower than
    the threshold already set). Reference counting still frees every object that is not in
    a cycle at once; what waits longer is only garbage in cycles (a run makes little: 150
    objects on 1,000 pages, see dedup._free).

    The stages make millions of small objects that live for a page or a batch (lines,
    tuples, rows) beside a heap of long-lived ones (memos, a batch's pages). At 700, the
    collector ran about 1,000 times on 1,000 text pages, and a run's heap grew enough
    between them to start 8 full collections, each traversing every object: 1.23 s of a
    9.17 s library run went to collecting (1.0 s to the full collections), 0.83 s of 11.3 s
    on 1,000 HTML pages. At 10,000: 0.30 and 0.24 s, no full collection on the text pages
    and one on the HTML pages. At 50,000 collecting took less still (0.17 and 0.08 s), but a
    run over 50,000 pages peaked 16-17 MB higher (618 and 629 MB against 602 and 612 MB at
    700, in two pairs of runs side by side); at 10,000, 612 MB against 617.

    Usable as a decorator, from several threads and nested: the threshold is the process's,
    set when the first block starts and restored when the last one ends."""
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
    """Have Arrow allocate from the C library's malloc, not its default pool (mimalloc). A run
    reads its spool files batch by batch; mimalloc kept what those batches had used (reading
    10,000 pages' state 256 rows at a time: +119 MB of RSS against +12 MB with the system
    allocator), so a run's peak grew with the corpus. Process-wide: a run sets it when it
    starts (pipeline.run, the flow), importing ingest does not."""
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def release_memory() -> None:
    """Give memory that is free back to the OS: Arrow's pool (mimalloc keeps freed pages) and
    glibc's heap (malloc_trim). A run frees a batch's pages, HTML trees and rows after each
    batch; without this, what the allocators keep of them makes a run's peak RSS grow with
    the corpus (on the benchmark's 10,000 pages, when this was added: 1,337 MB without,
    1,166 MB with). A no-op where there is no malloc_trim."""
    pa.default_memory_pool().release_unused()
    if _libc is not None:
        _libc.malloc_trim(0)


def _load_libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return None


_libc = _load_libc()
