"""The ingest flow: the library's run (pipeline.execute) with each stage call a Prefect task of
the same name (plan_run, load_pages, survey, parse_items, deduplicate_records, table_items,
publish_output). The flow decides only where the calls run:

- single calls (plan, survey, deduplicate, publish) run as task runs in the flow's process;
- per-batch calls (load_pages, parse_items, table_items) are submitted to the flow's task
  runner, at most a window of batches at a time, their results taken in order; a stage of a
  single batch runs in the flow's process, so a small run starts no worker;
- with ``workers`` > 1 (default: every core) and the local task runner, each submitted task
  run is recorded by Prefect in a thread of the flow's process while its stage call runs in
  one of ``workers`` plain worker processes (executors.Processes): the workers import no
  Prefect and report nothing, so the cores go to the stages. On a Dask cluster (``--dask``)
  the cluster's workers run the task runs themselves;
- plan_run, load_pages and publish_output touch storage and are retried; load_pages results
  are cached by the content of their files (pipeline.batch_key), across runs and targets.

Runs with no Prefect server configured (Prefect's local mode) or against a server when
PREFECT_API_URL is set. What crosses to a worker is paths, Arrow tables and plain tuples,
boxed (:class:`Opaque`) so that Prefect and Dask do not walk or hash them.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import json
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
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task, exponential_backoff

from flows import tuning
from ingest.config import Settings, default_workers
from ingest.runtime import executors, pipeline
from ingest.runtime.memory import bulk_work
from ingest.runtime.summary import RunSummary

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


# The worker processes a task run submitted by PrefectTasks.map hands its stage call to: set
# only around the submission, so that the thread running the task run sees it (Prefect's thread
# pool runs each task run in a copy of the submitter's context) and nothing else does.
OFFLOAD: contextvars.ContextVar[executors.Processes | None] = contextvars.ContextVar("ingest_offload", default=None)


def _offload() -> executors.Processes | None:
    """OFFLOAD's value here. A task's function reaches OFFLOAD through this module-level
    function only: Dask pickles a task's function by value, with the globals it names, and a
    ContextVar does not pickle."""
    return OFFLOAD.get()


def _stage_task(name: str, **options: Any) -> Task:
    """The Prefect task of the pipeline stage ``name``: unboxes its arguments and calls
    ``pipeline.<name>`` in the process's bulk-work setting (memory.bulk_work), wherever the
    task runner runs it, or in a worker process when submitted with one (OFFLOAD). The stage
    is looked up when called, so that tests may replace it."""
    stage = getattr(pipeline, name)

    def call(*args: Any, **kwargs: Any) -> Any:
        plain_args, plain_kwargs = tuple(map(_plain, args)), {k: _plain(v) for k, v in kwargs.items()}
        workers = _offload()
        if workers is not None:
            return workers.run(getattr(pipeline, name), *plain_args, **plain_kwargs)
        with bulk_work():
            return getattr(pipeline, name)(*plain_args, **plain_kwargs)

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
    """An executors.Executor whose calls are Prefect task runs: ``call`` in the flow's process,
    ``map`` submitted to the flow's task runner with at most ``window`` calls in flight (each
    holds a batch's pages until its result is taken); with ``processes``, each submitted task
    run hands its stage call to one of those worker processes. A stage of a single batch runs
    in the flow's process, so that a small run starts no worker process."""

    def __init__(self, window: int, processes: executors.Processes | None = None, workers: int = 1) -> None:
        self.window = max(1, window)
        self.processes = processes
        self.workers = processes.workers if processes is not None else max(1, workers)

    def call(self, stage: Callable[..., T], *args: Any) -> T:
        return cast(T, TASKS[stage.__name__](*map(Opaque, args)))

    def _submit(self, the_task: Task, args: tuple) -> Any:
        token = OFFLOAD.set(self.processes)
        try:
            return the_task.submit(*map(Opaque, args))
        finally:
            OFFLOAD.reset(token)

    def map(self, stage: Callable[..., T], calls: Iterable[tuple]) -> Iterator[T]:
        several, calls = executors.more_than_one(calls)
        if not several:  # one batch: a task run in the flow's process, no worker started for it
            yield from (self.call(stage, *args) for args in calls)
            return
        if self.processes is not None:
            self.processes.start()
        the_task = TASKS[stage.__name__]
        pending: deque = deque()
        for args in calls:
            pending.append(self._submit(the_task, args))
            if len(pending) >= self.window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


LOCAL_THREADS = 1  # task runs at a time in local mode without worker processes, unless Prefect's setting says


def _configured_threads() -> int | None:
    return get_current_settings().tasks.runner.thread_pool_max_workers


@contextlib.contextmanager
def flow_executor(workers: int | None = None) -> Iterator[PrefectTasks]:
    """The executor of the running flow's stage calls, for its task runner:

    - Prefect's thread pool (local mode) and ``workers`` > 1 (None: every core): task runs in
      threads, their stage calls in that many worker processes (started on the first stage of
      several batches, or before the flow with the batches they read ahead: the CLI's, taken
      from executors.prepared; stopped when the block ends), two calls per worker in flight;
    - the thread pool and one worker: one task run at a time in the flow's process, or as many
      as Prefect's thread-pool setting says (with raw files on object storage, a read waiting
      on the network then overlaps another batch's work, docs/production.md);
    - any other runner (Dask): two calls in flight per thread of the cluster."""
    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    workers = default_workers() if workers is None else max(1, workers)
    if runner is None or isinstance(runner, ThreadPoolTaskRunner):
        if workers == 1:
            yield PrefectTasks(_configured_threads() or LOCAL_THREADS)
            return
        with executors.prepared(workers) as processes:
            yield PrefectTasks(2 * workers, processes)
        return
    try:
        threads = sum(runner.client.nthreads().values())  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        threads = default_workers()
    yield PrefectTasks(2 * max(1, threads), workers=default_workers())


def local_task_runner(workers: int | None = None) -> TaskRunner[Any]:
    """The flow's task runner without Dask: threads of the flow's process, enough for the
    flow's window (flow_executor): two per worker process when the stage calls go to ``workers``
    (None: every core) processes, the stages hold the GIL, so only processes add cores. How
    many task runs are in flight at a time is the flow's decision, not the pool's size."""
    workers = default_workers() if workers is None else max(1, workers)
    return ThreadPoolTaskRunner(max_workers=max(2 * workers, _configured_threads() or LOCAL_THREADS))


@flow(name="ingest", description="Raw billing-code pages into curated Parquet tables.", task_runner=local_task_runner())
def ingest_flow(raw: str = "raw", curated: str = "curated", full: bool = False, batch_size: int = 200,
                workers: int | None = None) -> dict:
    """``workers``: processes the per-batch stages run in without Dask (None: every core)."""
    settings = Settings(raw=raw, curated=curated, full=full, batch_size=batch_size)  # paths or fsspec URLs
    with tuning.tuned(), flow_executor(workers) as executor:
        summary = pipeline.execute(settings, executor, progress=progress_hook)
    create_table_artifact(key="ingest-run-summary", table=summary.table_rows(), description="What this ingest run did")
    create_markdown_artifact(key="ingest-run-report", markdown=summary.markdown(), description="Ingest run report")
    return summary.to_dict()


def record_unchanged_run(parameters: dict[str, Any], summary: RunSummary) -> str:
    """Record in Prefect a run whose plan found nothing new (pipeline.nothing_new), without the
    flow's machinery (its engine, its heartbeat, a task run per stage: most of such a run's
    time): a flow run of this flow with the parameters it was given, created Completed, with
    the summary artifacts a flow run leaves. Returns the flow run's name."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactCreate
    from prefect.states import Completed

    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(ingest_flow, parameters=parameters,
                                          state=Completed(message="nothing new or changed: the flow was not run"))
        for key, kind, data, description in (
            ("ingest-run-summary", "table", json.dumps(summary.table_rows()), "What this ingest run did"),
            ("ingest-run-report", "markdown", summary.markdown(), "Ingest run report"),
        ):
            client.create_artifact(ArtifactCreate(key=key, type=kind, data=data, description=description,
                                                  flow_run_id=flow_run.id))
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=10)  # the artifacts' events, sent while the server (maybe the run's own) is up
    return flow_run.name


def task_runner_for(address: str):
    """A Dask task runner on an existing cluster (``tcp://host:8786``); flows/tuning.py says
    which."""
    return tuning.cluster_task_runner(address)
