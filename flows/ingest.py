"""The ingest flow: the library's stages as Prefect tasks, in order.

1. plan: what is new or changed since the last published run   (I/O: retried)
2. load batches of new or changed files: read, decode, clean    (I/O: retried; one task per batch
                                           of files (at most 16 MB of them); returns the pages as
                                           state rows, in Arrow, which go to the run's spool)
3. infer sites and learn their templates   (corpus-wide, from the rows' features; the rows are
                                           sorted into one spool file, a row group per batch)
4. parse batches                           (one task per batch, sent (payload, site) pairs; returns
                                           the packed parses in Arrow (spooled) and each page's
                                           PageRecord; pages whose parse inputs are unchanged
                                           come from the last _state/parsed)
5. deduplicate                             (over the PageRecords)
6. build the page tables' rows             (one task per batch: rows, validated, in Arrow; spooled)
7. group the code tables and publish a snapshot, every table written from the spool
                                           (out of core, DuckDB) (I/O: retried)
8. report: a table and a markdown artifact

Runs with no Prefect server configured (Prefect's local mode), against a server when
PREFECT_API_URL is set, and on a Dask cluster with ``task_runner_for(address)``. What crosses
between the flow and the workers is strings and plain tuples, never documents: pickling
thousands of small objects each way cost more than the work they carried. Between the stages
the flow keeps the pages and the tables' rows in spool files on local disk (spool.py), never
as documents, and removes them when the run ends.
"""

from __future__ import annotations

import ssl
import threading
import types
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyarrow as pa
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.settings import get_current_settings
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from ingest import pipeline
from ingest.clean import TemplateModel
from ingest.config import Limits, Settings
from ingest.memory import few_collections
from ingest.models import PageRecord, Quarantine
from ingest.report import Laps, report, summarize
from ingest.spool import Spool
from ingest.state import PARSED_SCHEMA, PARSED_TABLE, STATE_TABLE, ParsedStore
from ingest.write import publish, remove_staging, writer_lock


class SharedTLSContexts:
    """The ``ssl`` module as Prefect's API client sees it (share_tls_contexts), but for verified
    contexts: one per CA file, made once and shared by every client; ``SSLContext`` is meant
    to be shared by connections. Any other call is the ``ssl`` module's own, so an unverified
    context (PREFECT_API_TLS_INSECURE_SKIP_VERIFY), which Prefect changes after making it, is
    never shared. A CA file rewritten in place is read again only by a new process."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.contexts: dict[tuple, ssl.SSLContext] = {}
        self.lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.module, name)

    def create_default_context(self, purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None):
        if cafile is None:
            return self.module.create_default_context(purpose, capath=capath, cadata=cadata)
        key = (purpose, cafile, capath, cadata)
        with self.lock:
            if key not in self.contexts:
                self.contexts[key] = self.module.create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)
            return self.contexts[key]


def share_tls_contexts() -> None:
    """Have Prefect's API clients share their TLS context. Prefect 3.8 makes a client for each
    task run, twice on a Dask worker, and each builds an ``SSLContext`` from certifi's bundle
    (27 ms here): on 10,000 pages, 7 s of each worker's 57 s of CPU went to that (py-spy),
    whether the API was reached over TLS or not. Called when this module is imported, in the
    flow's process and in every Dask worker that runs its tasks; a no-op on a Prefect whose
    client module has no ``ssl`` of its own."""
    from prefect.client import orchestration

    if isinstance(getattr(orchestration, "ssl", None), types.ModuleType):
        orchestration.ssl = SharedTLSContexts(orchestration.ssl)


share_tls_contexts()


class ProgressHook:
    """Called with the number of files done, to drive the CLI's progress bar. The flow's
    code travels to Dask workers pickled with the globals it uses; this holder pickles as an
    empty hook, so a progress bar (locks, a terminal) never has to cross the wire."""

    def __init__(self) -> None:
        self.fn: Callable[[int], None] | None = None

    def __call__(self, done: int) -> None:
        if self.fn is not None:
            self.fn(done)

    def __reduce__(self):
        return (ProgressHook, ())


progress_hook = ProgressHook()  # the CLI sets progress_hook.fn

IO_RETRIES = dict(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=1), retry_jitter_factor=0.5)


@task(name="plan", **IO_RETRIES, cache_policy=NO_CACHE)
def plan(settings: Settings, spool: Spool) -> pipeline.Plan:
    return pipeline.plan_run(settings, _plain(spool))


def batch_cache_key(context, parameters: dict) -> str:
    """A load-batch task's cache key: what its files hold (content hashes, see
    pipeline.batch_key), the limits and the version of the code that reads and cleans them;
    never the flow run. A run that died before publishing, a --full rebuild, or a second
    curated target over the same raw files reuses the batches already read."""
    return pipeline.batch_key(parameters["raw"], parameters["paths"], parameters["limits"])


@task(name="load-batch", **IO_RETRIES, cache_key_fn=batch_cache_key, persist_result=True,
      cache_expiration=timedelta(days=7))
def load_batch(raw: str, paths: list[str], limits: Limits) -> pa.Table:
    return pipeline.load_pages(raw, paths, limits)  # a local path or an fsspec URL


class Opaque:
    """A box Prefect does not look into. Prefect walks lists, tuples, dicts and dataclasses
    given to a task to track its inputs; on thousands of pages that cost more than the work
    (+284% on 2,000 pages). prefect's own quote() does the same in-process but reaches Dask
    workers as a bare tuple, so the flow uses this box."""

    __slots__ = ("value", "token")

    def __init__(self, value) -> None:
        self.value = value
        self.token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> str:
        """Dask names a submitted task by hashing its arguments, pickling any object it does
        not know (3 s of 8 on 2,000 pages); a box is one argument, used once."""
        return self.token


def _plain(value):
    return value.value if isinstance(value, Opaque) else value


@task(name="learn-sites", cache_policy=NO_CACHE)
def learn_sites(the_plan: pipeline.Plan, batch_size: int) -> pipeline.Corpus:
    return pipeline.survey(_plain(the_plan), batch_size)


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch(items: list[tuple[bytes, str]], model: TemplateModel, limits: Limits, cache: dict) -> tuple:
    """Parse a batch of (state payload, site) pairs; pages whose parse key is unchanged come
    from ``cache`` (earlier runs). Returns Arrow rows and PageRecords, not documents."""
    return pipeline.parse_items(_plain(items), _plain(model), limits, _plain(cache))


@task(name="deduplicate", cache_policy=NO_CACHE)
def deduplicate(records: list[PageRecord], first_seen: dict) -> pipeline.Decisions:
    records = _plain(records)
    pipeline.deduplicate(records, _plain(first_seen))
    return pipeline.decisions(records)


@task(name="build-batch", cache_policy=NO_CACHE)
def build_batch(items: list[tuple[bytes, str]], parsed, decided: dict, first_seen: dict, now: datetime) -> tuple:
    """A batch's rows of the page tables, validated (pipeline.table_items)."""
    return pipeline.table_items(_plain(items), _plain(parsed), _plain(decided), _plain(first_seen), now)


@task(name="publish", **IO_RETRIES, cache_policy=NO_CACHE)
def publish_tables(settings: Settings, output: pipeline.Output, quarantined: list[Quarantine], state: dict,
                   first_seen: dict, now: datetime) -> tuple:
    tables = _plain(output).tables(_plain(quarantined), _plain(first_seen), now)
    snapshot, published = publish(settings.curated, {**tables, **_plain(state)}, settings.keep_snapshots)
    return tables, snapshot, published


LOCAL_THREADS = 1  # task runs at a time in local mode, unless PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS says


def local_task_runner() -> ThreadPoolTaskRunner:
    """The flow's task runner without Dask: a thread of the flow's process, LOCAL_THREADS task
    runs at a time (or Prefect's own setting, when set). Prefect's default is no limit: every
    batch submitted at once runs at once, and each holds its pages: on 10,000 pages (44 load
    batches) `ingest run` took 117.8 s with a peak RSS of 1,210 MB, against 98.1 s and 874 MB
    with 2 threads. The stages are Python and hold the GIL, so a second thread adds no
    compute, and it costs: while one thread computes, the other's every system call (a stat,
    an open, a read) waits for the GIL to come back. Flow runs on the benchmark's 10,000
    pages, 1 and 2 threads alternately (2026-12-03), beyond start-up and the library's time:
    +0, +7, -1% with 1 against +33, +10, +16% with 2; 76.1, 78.2 s against 78.7, 84.7 s in
    two more pairs. With raw files on object storage, where a read waits on the network,
    PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS=2 lets one batch's reads overlap another's
    work (docs/production.md)."""
    configured = get_current_settings().tasks.runner.thread_pool_max_workers
    return ThreadPoolTaskRunner(max_workers=configured or LOCAL_THREADS)


@flow(name="ingest", description="Raw billing-code pages into curated Parquet tables.", task_runner=local_task_runner())
def ingest_flow(raw: str = "raw", curated: str = "curated", full: bool = False, batch_size: int = 200) -> dict:
    settings = Settings(raw=raw, curated=curated, full=full, batch_size=batch_size)  # paths or fsspec URLs
    started = datetime.now(UTC)
    lap = Laps()
    pipeline.use_system_allocator()
    with few_collections(), writer_lock(settings.curated), Spool() as spool:  # the collector as in pipeline.run
        remove_staging(settings.curated)
        the_plan = plan(settings, Opaque(spool))
        lap("plan")
        if the_plan.unchanged:
            summary = report(settings.curated)
            summary.published, summary.files = False, len(the_plan.paths)
        else:
            chunks = the_plan.batches(settings.batch_size)
            futures = [load_batch.submit(raw, chunk, settings.limits) for chunk in chunks]
            for chunk, future in zip(chunks, futures, strict=True):
                pipeline.absorb(the_plan, future.result())
                pipeline.release_memory()
                progress_hook(len(chunk))
            lap("read")
            corpus = learn_sites(Opaque(the_plan), settings.batch_size)
            pipeline.release_memory()
            lap("survey")
            store = ParsedStore() if settings.full else ParsedStore.load(settings.curated)
            ranges = corpus.ranges()
            spool.table(PARSED_TABLE, PARSED_SCHEMA, presorted=True)  # in the corpus's order, a row per page
            parse_futures = [
                parse_batch.submit(Opaque(corpus.items(start, stop)), Opaque(corpus.templates_for(start, stop)),
                                   settings.limits, Opaque(store.lookup(corpus.ids(start, stop))))
                for start, stop in ranges
            ]
            del store
            parsed, records, failed = [], [], []
            for future in parse_futures:
                table, recs, fails = future.result()
                parsed.append(spool.add(PARSED_TABLE, table))
                records += recs
                failed += fails
            pipeline.forget_memos()  # (the memos of tasks run in this process: local mode)
            lap("parse")
            seen = pipeline.first_seen(settings.curated)
            decided = deduplicate(Opaque(records), Opaque(seen))
            del records
            lap("deduplicate")
            output = pipeline.Output(spool)
            build_futures = []
            for (start, stop), piece in zip(ranges, parsed, strict=True):
                ids = corpus.ids(start, stop)
                build_futures.append(build_batch.submit(
                    Opaque(corpus.items(start, stop)), Opaque(piece.read()), Opaque({i: decided[i] for i in ids if i in decided}),
                    Opaque({i: seen[i] for i in ids if i in seen}), started))
            for future in build_futures:
                output.add(*future.result())
            del decided, build_futures  # a verdict per page; each batch's arguments, held by its future
            pipeline.forget_memos()
            state = {STATE_TABLE: corpus.state, PARSED_TABLE: spool.table(PARSED_TABLE, PARSED_SCHEMA)}
            quarantined = corpus.quarantined + failed
            del corpus, parsed
            lap("tables")
            tables, snapshot, published = publish_tables(settings, Opaque(output), Opaque(quarantined), Opaque(state),
                                                         Opaque(seen), started)
            lap("publish")
            summary = summarize(tables, snapshot=snapshot, published=published, files=len(the_plan.paths))
            summary.read_files = len(the_plan.todo)
    summary.stages = lap.seconds
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    create_table_artifact(key="ingest-run-summary", table=summary.table_rows(), description="What this ingest run did")
    create_markdown_artifact(key="ingest-run-report", markdown=summary.markdown(), description="Ingest run report")
    return summary.to_dict()


def task_runner_for(address: str):
    """A Dask task runner on an existing cluster (``tcp://host:8786``): prefect-dask's, with
    what it costs the flow's process per task taken out (flows/cluster.py)."""
    from flows.cluster import ClusterTaskRunner

    return ClusterTaskRunner(address=address)
