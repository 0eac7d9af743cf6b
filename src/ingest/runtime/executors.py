"""Where a run's stage calls run (pipeline.execute asks an Executor): InProcess, one call at a
time in the run's process; Processes, per-batch calls in worker processes of this machine. The
Prefect flow's executor (flows/ingest.py) and the Dask one build on the same protocol."""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import multiprocessing
import multiprocessing.context
import os
import select
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Protocol, Self, TypeVar

from .memory import bulk_work

T = TypeVar("T")


class Executor(Protocol):
    """Where a run's stage calls run. ``call`` runs one call and returns its result; ``map``
    runs one call per argument tuple and yields the results in the order of the calls,
    taking the tuples from ``calls`` only as it needs them (each may hold a batch's pages).
    Stage functions are passed as themselves (pipeline's module-level functions). ``workers``
    is how many cores the run may use at a time (a stage's own threads, such as publishing's)."""

    workers: int

    def call(self, stage: Callable[..., T], *args: Any) -> T: ...

    def map(self, stage: Callable[..., T], calls: Iterable[tuple]) -> Iterator[T]: ...


class InProcess:
    """Every stage call in this process, one at a time, when the run asks for its result."""

    workers = 1

    def call(self, stage: Callable[..., T], *args: Any) -> T:
        return stage(*args)

    def map(self, stage: Callable[..., T], calls: Iterable[tuple]) -> Iterator[T]:
        for args in calls:
            yield stage(*args)


def _in_bulk(stage: Callable[..., T], args: tuple, kwargs: dict[str, Any] | None = None) -> T:
    """A stage call in a worker process, in the run's memory setting (memory.bulk_work)."""
    with bulk_work():
        return stage(*args, **(kwargs or {}))


def _join_run(environ: dict[str, str], run: int) -> None:
    """A worker's first call: take the environment of the run (process ``run``) that started it
    (storage credentials, endpoints; a fork server's may be older), and end when that run
    ends, however it ends (SIGKILL included): a pool's worker waits on a queue it holds both
    ends of, so it would never see its run go."""
    os.environ.clear()
    os.environ.update(environ)
    threading.Thread(target=_exit_with, args=(run,), name="ingest-worker-watch", daemon=True).start()


def _exit_with(pid: int) -> None:
    """Wait for process ``pid`` to end, then end this one at once."""
    try:
        handle = os.pidfd_open(pid)  # Linux: readable once the process has ended
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
        os._exit(1)
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # alive
            pass
        time.sleep(1)


def _worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: forked from a fork server that has imported the stages once
    (each worker then starts in milliseconds, without importing them again), where the platform
    has one (POSIX); spawned elsewhere. Never forked from the run's process, whose threads
    (Prefect's) a fork would copy mid-flight."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.runtime.pipeline"])  # the stages, imported once
    return context


class Processes:
    """Single calls in this process; per-batch calls (``map``) in ``workers`` worker processes,
    at most two per worker in flight, results in the order of the calls. The processes are
    started on the first ``map`` (a run with nothing to do starts none) and stopped when the
    block ends. Workers come from a fork server or are spawned (_worker_context), never
    forked from this process: they start clean whatever threads this process runs. Stages
    and their arguments travel pickled between this process and its own workers, never to or
    from storage.

    Calls may be started ahead (:meth:`ahead`), before the run asks for them: a call the run
    makes later with the same key takes the started call's result instead of running again."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.started: dict[tuple[str, Hashable], concurrent.futures.Future[Any]] = {}  # calls started ahead
        self.keys: dict[str, Callable[..., Hashable]] = {}  # stage name -> the key of its calls

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.started.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def call(self, stage: Callable[..., T], *args: Any) -> T:
        return stage(*args)

    def start(self) -> concurrent.futures.ProcessPoolExecutor:
        """The pool, started if it was not (from one thread: the run's)."""
        if self.pool is None:
            self.pool = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=_worker_context(),
                                                               initializer=_join_run,
                                                               initargs=(dict(os.environ), os.getpid()))
        return self.pool

    def ahead(self, stage: Callable[..., Any], calls: Iterable[tuple], key: Callable[..., Hashable]) -> None:
        """Start ``stage`` on each argument tuple of ``calls`` now, in the workers (started if
        they were not), before the run asks for them: while the run waits for something else
        (a Prefect server starting). ``key(*args)`` says which later call a started one stands
        for; a later call with another key (the landing zone changed meanwhile) runs anew, and
        calls never asked for are dropped when the block ends."""
        pool = self.start()
        self.keys[stage.__name__] = key
        for args in calls:
            self.started[(stage.__name__, key(*args))] = pool.submit(_in_bulk, stage, args)

    def _started(self, stage: Callable[..., T], args: tuple) -> concurrent.futures.Future[T] | None:
        """The call of ``stage`` on ``args`` started ahead, taken (each is taken once), if any."""
        key = self.keys.get(stage.__name__)
        if key is None or not self.started:
            return None
        return self.started.pop((stage.__name__, key(*args)), None)

    def run(self, stage: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One call in a worker process, its result waited for: what a Prefect task run of the
        flow does in a thread of the flow's process (flows/ingest.py); a call started ahead
        gives its result. Safe from any thread once :meth:`start` was called."""
        started = None if kwargs else self._started(stage, args)
        if started is not None:
            return started.result()
        return self.start().submit(_in_bulk, stage, args, kwargs).result()

    def map(self, stage: Callable[..., T], calls: Iterable[tuple]) -> Iterator[T]:
        several, calls = more_than_one(calls)
        if not several:  # one batch: here, rather than start a process for it
            yield from (stage(*args) for args in calls)
            return
        pool = self.start()
        pending: collections.deque[concurrent.futures.Future[T]] = collections.deque()
        for args in calls:
            pending.append(self._started(stage, args) or pool.submit(_in_bulk, stage, args))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def more_than_one(calls: Iterable[tuple]) -> tuple[bool, Iterator[tuple]]:
    """Whether ``calls`` holds two or more, and an iterator over all of them (the first ones
    read to tell). What an executor asks before it hands a stage's batches to other processes:
    a stage of one batch runs where the run is, with no process started for it."""
    it = iter(calls)
    head = list(itertools.islice(it, 2))
    return len(head) > 1, itertools.chain(head, it)


# The worker processes a caller started before the run that will use them (prepare), until that
# run takes them (prepared) or the caller stops them (unprepare).
_prepared: Processes | None = None


def prepare(workers: int) -> Processes:
    """Worker processes for the next run of ``workers`` workers in this process, made now: a
    caller starts calls in them ahead (Processes.ahead) while it waits for something else
    before the run (the CLI: a Prefect server starting). The run takes them (:func:`prepared`);
    :func:`unprepare` stops them if no run does."""
    global _prepared
    if _prepared is None or _prepared.workers != workers:
        unprepare()
        _prepared = Processes(workers)
    return _prepared


def prepared(workers: int) -> Processes:
    """The worker processes :func:`prepare` made, if as many (taken: the caller stops them when
    its block ends); else new ones, started when needed."""
    global _prepared
    taken, _prepared = _prepared, None
    if taken is not None and taken.workers == workers:
        return taken
    if taken is not None:
        taken.__exit__(None, None, None)
    return Processes(workers)


def unprepare() -> None:
    """Stop the worker processes :func:`prepare` made, if no run took them."""
    global _prepared
    left, _prepared = _prepared, None
    if left is not None:
        left.__exit__(None, None, None)


def started_ahead() -> int:
    """How many calls were started ahead in the prepared workers and not yet taken."""
    return len(_prepared.started) if _prepared is not None else 0
