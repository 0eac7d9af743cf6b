"""The ingest flow: the library's stages as Prefect tasks, in order.

1. plan: what is new or changed since the last published run   (I/O: retried)
2. load batches of new or changed files: read, decode, clean    (I/O: retried; one task per batch;
                                           returns each page as its state payload, a string)
3. infer sites and learn their templates   (corpus-wide)
4. parse batches                           (one task per batch, sent (payload, site) pairs; returns
                                           plain tuples and each page's MinHash (a task in the flow's
                                           own process parses its documents in place); pages whose
                                           parse inputs are unchanged come from the last _state/parsed)
5. deduplicate
6. build the tables and publish a snapshot (I/O: retried)
7. report: a table and a markdown artifact

Runs with no Prefect server configured (Prefect's local mode), against a server when
PREFECT_API_URL is set, and on a Dask cluster with ``task_runner_for(address)``. What crosses
between the flow and the workers is strings and plain tuples, never documents: pickling
thousands of small objects each way cost more than the work they carried.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from ingest import pipeline
from ingest.clean import TemplateModel
from ingest.config import Limits, Settings
from ingest.models import Document, Quarantine, Status
from ingest.report import report, summarize
from ingest.state import PARSED_TABLE, STATE_TABLE, build_state, load_parsed, parsed_table
from ingest.tables import build_tables
from ingest.validate import validate_tables
from ingest.write import publish, remove_staging, writer_lock

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
def plan(settings: Settings) -> pipeline.Plan:
    return pipeline.plan_run(settings)


def batch_cache_key(context, parameters: dict) -> str:
    """A load-batch task's cache key: what its files hold (content hashes, see
    pipeline.batch_key), the limits and the version of the code that reads and cleans them;
    never the flow run. A run that died before publishing, a --full rebuild, or a second
    curated target over the same raw files reuses the batches already read."""
    return pipeline.batch_key(parameters["raw"], parameters["paths"], parameters["limits"])


@task(name="load-batch", **IO_RETRIES, cache_key_fn=batch_cache_key, persist_result=True,
      cache_expiration=timedelta(days=7))
def load_batch(raw: str, paths: list[str], limits: Limits) -> tuple[pipeline.Payloads, list[Quarantine]]:
    return pipeline.load_payloads(raw, paths, limits)  # a local path or an fsspec URL


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
def learn_sites(docs: list[Document]) -> tuple[list[Document], TemplateModel]:
    docs = _plain(docs)
    pipeline.assign_document_sites(docs)
    return docs, pipeline.learn_site_templates(docs)


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch(items: list[tuple[str, str]], docs: list[Document] | None, model: TemplateModel, limits: Limits,
                cache: dict) -> tuple:
    """Parse a batch of (state payload, site) pairs; pages whose parse key is unchanged come
    from ``cache`` (earlier runs). Returns the parse results as plain tuples, not documents.
    ``docs``: the flow's own documents for the pairs when this task runs in the flow's process
    (Prefect's default thread pool): parsed in place, nothing rebuilt or unpacked."""
    return pipeline.parse_payloads(_plain(items), _plain(model), limits, _plain(cache), _plain(docs))


@task(name="deduplicate", cache_policy=NO_CACHE)
def deduplicate(docs: list[Document], first_seen: dict) -> list[Document]:
    docs = _plain(docs)
    pipeline.deduplicate(docs, _plain(first_seen))
    return docs


@task(name="publish", **IO_RETRIES, cache_policy=NO_CACHE)
def publish_tables(settings: Settings, docs: list[Document], quarantined: list[Quarantine], the_plan: pipeline.Plan,
                   first_seen: dict, parsed: dict, now: datetime) -> tuple:
    docs, quarantined, the_plan = _plain(docs), _plain(quarantined), _plain(the_plan)
    first_seen, parsed = _plain(first_seen), _plain(parsed)
    tables, rejected = validate_tables(build_tables(docs, quarantined, first_seen, now))
    tables["rejected_rows"] = rejected
    state = {STATE_TABLE: build_state(the_plan.files), PARSED_TABLE: parsed_table(parsed)}
    snapshot, published = publish(settings.curated, {**tables, **state}, settings.keep_snapshots)
    return tables, snapshot, published


@flow(name="ingest", description="Raw billing-code pages into curated Parquet tables.")
def ingest_flow(raw: str = "raw", curated: str = "curated", full: bool = False, batch_size: int = 200) -> dict:
    settings = Settings(raw=raw, curated=curated, full=full, batch_size=batch_size)  # paths or fsspec URLs
    started = datetime.now(UTC)
    with writer_lock(settings.curated):
        remove_staging(settings.curated)
        the_plan = plan(settings)
        if the_plan.unchanged:
            summary = report(settings.curated)
            summary.published, summary.files = False, len(the_plan.paths)
        else:
            chunks = list(pipeline.batches(the_plan.todo, settings.batch_size))
            futures = [load_batch.submit(raw, chunk, settings.limits) for chunk in chunks]
            for chunk, future in zip(chunks, futures, strict=True):
                pipeline.absorb_payloads(the_plan, *future.result())
                progress_hook(len(chunk))
            seen = pipeline.first_seen(settings.curated)
            docs, payloads, quarantined = pipeline.materialize_payloads(the_plan)
            docs, model = learn_sites(Opaque(docs))
            cache = {} if settings.full else load_parsed(settings.curated)
            shared = _tasks_share_memory()
            parsed = []
            for start in range(0, len(docs), settings.batch_size):
                batch = docs[start : start + settings.batch_size]
                items = [(payload, d.site) for d, payload in zip(batch, payloads[start : start + settings.batch_size], strict=True)]
                sites = {d.site for d in batch}
                parsed.append(parse_batch.submit(
                    Opaque(items), Opaque(batch if shared else None),
                    Opaque(TemplateModel({s: k for s, k in model.lines.items() if s in sites})), settings.limits,
                    Opaque({d.document_id: cache[d.document_id] for d in batch if d.document_id in cache})))
            del cache, payloads
            fresh: dict = {}
            for future in parsed:
                f, q = future.result()
                fresh.update(f)
                quarantined += q
            if shared:
                docs = [d for d in docs if d.status is not Status.QUARANTINED]
            else:
                docs = pipeline.apply_parsed(docs, fresh)
            docs = deduplicate(Opaque(docs), Opaque(seen))
            tables, snapshot, published = publish_tables(settings, Opaque(docs), Opaque(quarantined), Opaque(the_plan),
                                                         Opaque(seen), Opaque(fresh), started)
            summary = summarize(tables, snapshot=snapshot, published=published, files=len(the_plan.paths))
            summary.read_files = len(the_plan.todo)
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    create_table_artifact(key="ingest-run-summary", table=summary.table_rows(), description="What this ingest run did")
    create_markdown_artifact(key="ingest-run-report", markdown=summary.markdown(), description="Ingest run report")
    return summary.to_dict()


def _tasks_share_memory() -> bool:
    """Whether this flow run's tasks run in its own process (Prefect's default thread pool),
    where a task can be handed the flow's documents as they are."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)


def task_runner_for(address: str):
    """A Dask task runner on an existing cluster (``tcp://host:8786``)."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)
