"""The ingest flow: the library's run (pipeline.execute) with each stage call a Prefect task of
the same name (plan_run, load_pages, survey, parse_items, deduplicate_records, table_items,
publish_output). The flow decides only where the calls run:

- single calls (plan, survey, deduplicate, publish) run as task runs in the flow's process;
- per-batch calls (load_pages, parse_items, table_items) are submitted to the flow's task
  runner (one thread, Prefect's process pool with ``local_task_runner(workers)``, or a Dask
  cluster), at most ``in_flight()`` batches at a time, their results taken in order; a stage
  of a single batch runs in the flow's process;
- plan_run, load_pages and publish_output touch storage and are retried; load_pages results
  are cached by the content of their files (pipeline.batch_key), across runs and targets.

Runs with no Prefect server configured (Prefect's local mode) or against a server when
PREFECT_API_URL is set. What crosses to
the task runner is paths, Arrow tables and plain tuples, boxed (:class:`Opaque`) so that
Prefect and Dask do not walk or hash them.
"""

from __future__ import annotations

import inspect
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any, TypeVar, cast

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.settings import get_current_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task, exponential_backoff

from flows import tuning
from ingest.config import Settings
from ingest.runtime import pipeline
from ingest.runtime.memory import bulk_work

T = TypeVar("T")


class ProgressHook:
    """Called with the number of files done, to drive the CLI's progress bar. It pickles as an
    empty hook, so that a progress bar (locks, a terminal) never travels with the flow's code."""

    def __init__(self) -> None:
        self.fn: Callable[[int], None] | None = None

    def __call__(self, done: int) -> None:
        if self.fn is not None:
            self.fn(done)

    def stage(self, name: str) -> None:
        """The stage the run is in, for a display that shows it."""
        stage = getattr(self.fn, "stage", None)
        if stage is not None:
            stage(name)

    def __reduce__(self):
        return (ProgressHook, ())


progress_hook = ProgressHook()  # the CLI sets progress_hook.fn


class Opaque:
    """A box Prefect does not look into: Prefect walks the lists, tuples, dicts and dataclasses
    given to a task to track its inputs, which on thousands of pages costs more than the work.
    Dask names a task by hashing its arguments; a box hashes as its random token."""

    __slots__ = ("token", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> str:
        return self.token


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Opaque) else value


def _stage_task(name: str, **options: Any) -> Task:
    """The Prefect task of the pipeline stage ``name``: unboxes its arguments and calls
    ``pipeline.<name>`` in the process's bulk-work setting (memory.bulk_work), wherever the
    task runner runs it. The stage is looked up when called, so that tests may replace it."""
    stage = getattr(pipeline, name)

    def call(*args: Any, **kwargs: Any) -> Any:
        with bulk_work():
            return getattr(pipeline, name)(*map(_plain, args), **{k: _plain(v) for k, v in kwargs.items()})

    call.__name__ = call.__qualname__ = name
    call.__doc__ = stage.__doc__
    call.__signature__ = inspect.signature(stage)  # type: ignore[attr-defined]
    return task(name=name, **options)(call)


def batch_cache_key(context: Any, parameters: dict) -> str:
    """A load_pages task's cache key: what its files hold (pipeline.batch_key), the limits and
    the version of the code that reads and cleans them; never the flow run. A run that died
    before publishing, a --full rebuild, or a second curated target over the same raw files
    reuses the batches already read."""
    return pipeline.batch_key(*(_plain(parameters[k]) for k in ("root", "paths", "limits")))


IO_RETRIES: dict[str, Any] = {"retries": 3, "retry_delay_seconds": exponential_backoff(backoff_factor=1),
                              "retry_jitter_factor": 0.5}

OPTIONS: dict[str, dict[str, Any]] = {  # stages that touch storage; any other: dict(cache_policy=NO_CACHE)
    "plan_run": {**IO_RETRIES, "cache_policy": NO_CACHE},
    "load_pages": {**IO_RETRIES, "cache_key_fn": batch_cache_key, "persist_result": True,
                   "cache_expiration": timedelta(days=7)},
    "publish_output": {**IO_RETRIES, "cache_policy": NO_CACHE},
}
TASKS: dict[str, Task] = {
    stage.__name__: _stage_task(stage.__name__, **OPTIONS.get(stage.__name__, {"cache_policy": NO_CACHE}))
    for stage in pipeline.STAGES
}


class PrefectTasks:
    """A pipeline.Executor whose calls are Prefect task runs: ``call`` in the flow's process,
    ``map`` submitted to the flow's task runner with at most ``window`` calls in flight (each
    holds a batch's pages until its result is taken); a stage of a single batch runs in the
    flow's process, so that a small run starts no worker process."""

    def __init__(self, window: int) -> None:
        self.window = max(1, window)

    def call(self, stage: Callable[..., T], *args: Any) -> T:
        return cast(T, TASKS[stage.__name__](*map(Opaque, args)))

    def map(self, stage: Callable[..., T], calls: Iterable[tuple]) -> Iterator[T]:
        several, calls = pipeline.more_than_one(calls)
        if not several:  # one batch: a task run in the flow's process, no worker started for it
            yield from (self.call(stage, *args) for args in calls)
            return
        the_task = TASKS[stage.__name__]
        pending: deque = deque()
        for args in calls:
            pending.append(the_task.submit(*map(Opaque, args)))
            if len(pending) >= self.window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def in_flight() -> int:
    """Per-batch calls the flow keeps submitted at a time: two per worker of its task runner
    (a Dask cluster's threads; a thread pool's size as Prefect's setting gives it; else this
    machine's cores), so that no worker waits for the flow."""
    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    if runner is None or isinstance(runner, ThreadPoolTaskRunner):
        workers = get_current_settings().tasks.runner.thread_pool_max_workers or LOCAL_THREADS
    else:
        try:
            workers = sum(runner.client.nthreads().values())  # type: ignore[attr-defined]
        except (AttributeError, RuntimeError):
            workers = os.cpu_count() or 1
    return 2 * max(1, workers)


LOCAL_THREADS = 1  # task runs at a time in local mode, unless PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS says


def local_task_runner(workers: int | None = None) -> TaskRunner[Any]:
    """The flow's task runner without Dask. With ``workers`` > 1, Prefect's process pool of
    that many processes: the stages hold the GIL, so only processes add cores. Otherwise
    threads of the flow's process, LOCAL_THREADS task runs at a time unless Prefect's own
    setting says otherwise (a second thread adds no compute; with raw files on object storage,
    where a read waits on the network, PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS=2 lets one
    batch's reads overlap another's work, docs/production.md)."""
    if workers is not None and workers > 1:
        return ProcessPoolTaskRunner(max_workers=workers)
    configured = get_current_settings().tasks.runner.thread_pool_max_workers
    return ThreadPoolTaskRunner(max_workers=1 if workers == 1 else configured or LOCAL_THREADS)


def default_workers() -> int:
    """Worker processes a run uses unless told: every core of this machine."""
    return os.cpu_count() or 1


@flow(name="ingest", description="Raw billing-code pages into curated Parquet tables.", task_runner=local_task_runner())
def ingest_flow(raw: str = "raw", curated: str = "curated", full: bool = False, batch_size: int = 200) -> dict:
    settings = Settings(raw=raw, curated=curated, full=full, batch_size=batch_size)  # paths or fsspec URLs
    with tuning.tuned():
        summary = pipeline.execute(settings, PrefectTasks(in_flight()), progress=progress_hook)
    create_table_artifact(key="ingest-run-summary", table=summary.table_rows(), description="What this ingest run did")
    create_markdown_artifact(key="ingest-run-report", markdown=summary.markdown(), description="Ingest run report")
    return summary.to_dict()


def task_runner_for(address: str):
    """A Dask task runner on an existing cluster (``tcp://host:8786``); flows/tuning.py says
    which."""
    return tuning.cluster_task_runner(address)

