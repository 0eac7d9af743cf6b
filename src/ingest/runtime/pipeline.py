"""The stages of a run, and the one sequence that chains them: read → clean → parse →
deduplicate → tables → publish.

Each stage function is one step over plain data (paths, Arrow tables, tuples). :func:`execute`
is the run: it plans, calls the stages in order over batches of pages, and publishes. Where a
stage's calls run is an :class:`Executor`'s decision: :class:`InProcess` runs them here, one at
a time (``ingest run --no-prefect``, :func:`run`); the Prefect flow in ``flows/ingest.py``
passes one that makes each call a Prefect task of the same name. No Prefect here.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest import schema
from ingest.config import Limits, Settings
from ingest.errors import InputError, Reason
from ingest.models import Document, PageRecord, Quarantine, RawPage, Removed, Status
from ingest.stages import read
from ingest.stages.clean import (
    TemplateModel,
    apply_templates,
    clean_lines,
    learn_templates,
    likely_code,
    remove_brand_lines,
    template_keys,
)
from ingest.stages.dedup import (
    content_hash,
    document_id,
    mark_exact_duplicates,
    mark_near_duplicates,
    page_signature,
    resolve_chains,
)
from ingest.stages.extract import extract_page
from ingest.stages.parse import PageContext, parse_page
from ingest.stages.site import (
    assign_sites,
    assign_sites_and_labels,
    brand_names,
    fingerprint_keys,
    host_of,
    weak_evidence,
)
from ingest.stages.tables import (
    ITEMS,
    ORDER,
    PAGE_TABLES,
    CodeSource,
    code_sources,
    codes_table,
    page_tables,
    quarantine_table,
    rank_sources,
    section_item_pieces,
)
from ingest.stages.validate import validate_tables
from ingest.store.write import Table, publish, read_previous, remove_staging, writer_lock

from . import executors
from .executors import Executor, InProcess, Processes
from .memory import bulk_work, few_collections, release_memory
from .spool import SEQ, Piece, Spool, Spooled
from .state import (
    PARSE_FINGERPRINT,
    PARSED_SCHEMA,
    PARSED_TABLE,
    PIPELINE_FINGERPRINT,
    STATE_SCHEMA,
    STATE_TABLE,
    BadPayload,
    FileState,
    ParsedCache,
    ParsedStore,
    doc_from_payload,
    doc_to_payload,
    file_content_id,
    file_signature,
    files_to_reread,
    load_state,
    pack_parse,
    page_rows,
    parsed_table,
    quarantine_from_payload,
    state_rows,
    unpack_parse,
)
from .summary import Laps, RunSummary, report, summarize

Progress = Callable[[int], None]


def announce(progress: Progress | None, name: str) -> None:
    """Tell a progress display which stage the run is in, when it can show one (``stage``)."""
    stage = getattr(progress, "stage", None)
    if stage is not None:
        stage(name)
T = TypeVar("T")


def clear_memos() -> None:
    """Forget every per-line answer kept by the stages (clean.LINE_MEMO and the like): what a
    benchmark calls between timed runs, so that no run is measured on lines a previous one saw."""
    from ingest.stages import boilerplate, clean, dedup, extract, sections

    for module in (clean, extract, sections, dedup, boilerplate):
        module.clear_memos()


def forget_memos() -> None:
    """Drop the per-line memos once the pages are parsed (and again once their rows are
    built), and give the memory back: the memos are bounded, but the entries left pin memory
    pages all across the heap, which a run's peak would otherwise carry to its end."""
    clear_memos()
    release_memory()


def batches(items: Sequence[str], size: int, sizes: dict[str, tuple[int, int]] | None = None,
            max_bytes: int | None = None) -> Iterator[list[str]]:
    """Consecutive batches of at most ``size`` items; with ``sizes`` (path -> (bytes, _), the
    plan's signatures), also of at most ``max_bytes`` of raw files (a batch has at least one
    file): a batch of scraper files holding thousands of pages each would otherwise be read
    into memory at once."""
    if sizes is None or max_bytes is None:
        it = iter(items)
        while chunk := list(itertools.islice(it, size)):
            yield chunk
        return
    chunk, held = [], 0
    for item in items:
        n = max(sizes.get(item, (0, 0))[0], 0)
        if chunk and (len(chunk) >= size or held + n > max_bytes):
            yield chunk
            chunk, held = [], 0
        chunk.append(item)
        held += n
    if chunk:
        yield chunk


# Raw bytes a load batch reads at most (unless one file is larger): with the batch size in
# files, what bounds a run's memory while reading (a 10-MB scraper file holds ~100 pages).
LOAD_BATCH_BYTES = 16 * 1024 * 1024


def load_batch(root: Path | str, paths: Iterable[str], limits: Limits) -> tuple[list[Document], list[Quarantine]]:
    """Read, decode, extract and rule-clean a batch of raw files."""
    docs: list[Document] = []
    quarantined: list[Quarantine] = []
    for rel in paths:
        for item in read.read_file(root, rel, limits):
            if isinstance(item, Quarantine):
                quarantined.append(item)
                continue
            try:
                docs.append(prepare_page(item, limits))
            except InputError as exc:
                quarantined.append(_quarantine(item, str(exc.reason), exc.message))
            except Exception as exc:  # noqa: BLE001 -- a bug or an input we did not foresee: the run goes on
                quarantined.append(_quarantine(item, Reason.PARSE_ERROR, f"{type(exc).__name__}: {exc}"))
    return docs, quarantined


def load_pages(root: Path | str, paths: Iterable[str], limits: Limits) -> pa.Table:
    """load_batch, as state rows (state.page_rows): each page's payload (the document as JSON,
    compressed) and its site and template features, in Arrow. What crosses from a worker to the
    flow is then a few buffers, not thousands of objects, and a run holds its pages in them."""
    return page_rows(*load_batch(root, paths, limits))


def load_key(raw: Path | str, paths: Iterable[str], limits: Limits) -> tuple:
    """Which load_pages call a call started ahead stands for (executors.Processes.ahead): the
    same files, each of the same size and mtime as when it was started, and the same limits."""
    paths = tuple(paths)
    return str(raw), paths, repr(limits), tuple(_signature(raw, rel) for rel in paths)


def _signature(raw: Path | str, rel: str) -> tuple[int, int]:
    try:
        return file_signature(raw, rel)
    except OSError:
        return (-1, -1)


def read_ahead(plan: Plan, settings: Settings, executor: Processes, batches: int) -> None:
    """Start reading the first ``batches`` load batches of ``plan`` in ``executor``'s workers,
    for the run over ``settings`` that will plan the same batches: what a run does while a
    Prefect server starts, its workers otherwise idle. A plan of a single batch starts no
    worker (a run reads it in its own process)."""
    chunks = plan.batches(settings.batch_size)
    if len(chunks) > 1:
        executor.ahead(load_pages, ((settings.raw, chunk, settings.limits) for chunk in chunks[:batches]), load_key)


# Load batches a run over several workers reads per worker before it starts (reading_ahead):
# more than the workers read in the few seconds a Prefect server takes to start, so that they
# are still busy when it answers; each result is a few MB, held until the flow takes it.
AHEAD_PER_WORKER = 8


def reading_ahead(settings: Settings, workers: int) -> Callable[[Plan], None]:
    """What to do with a run's plan made before the run starts (nothing_new's ``ahead``), for a
    run over ``settings`` with ``workers`` worker processes: with more than one, start them
    (executors.prepare, which the run takes: executors.prepared) and read the first
    AHEAD_PER_WORKER load batches per worker in them (read_ahead). A batch whose result the
    run finds elsewhere (Prefect's cache) was read for nothing. Raw files on object storage
    are not read ahead: telling a started batch's files unchanged would ask the store again."""

    def ahead(plan: Plan) -> None:
        if workers > 1 and not isinstance(settings.raw, str):  # a local Path (config.location)
            read_ahead(plan, settings, executors.prepare(workers), AHEAD_PER_WORKER * workers)

    return ahead


def batch_key(raw: Path | str, paths: Iterable[str], limits: Limits) -> str:
    """What a batch of raw files will give when loaded: a hash of each file's path, signature
    (size and mtime, which the documents record) and content (SHA-256 of the bytes; on object
    storage the ETag the store computed), of the limits and of the code that reads and cleans
    (the state's fingerprint). Equal keys give equal documents."""
    h = hashlib.sha256(f"{PIPELINE_FINGERPRINT}\0{limits!r}\0".encode())
    for rel in paths:
        h.update(f"{rel}\0{file_signature(raw, rel)}\0{file_content_id(raw, rel)}\0".encode())
    return f"load-batch-{h.hexdigest()}"


def _quarantine(page: RawPage, reason: str, detail: str) -> Quarantine:
    return Quarantine(page.raw_path, page.line_no, reason, detail, page.url, page.fetched_at)


def _check_time(started: float, limits: Limits, stage: str) -> None:
    """The per-page time limit, checked between stages (a stage in progress is not interrupted:
    the input limits keep each stage bounded)."""
    elapsed = time.perf_counter() - started
    if elapsed > limits.max_seconds_per_page:
        raise InputError(f"{stage} took {elapsed:.1f} s > limit {limits.max_seconds_per_page:g} s",
                         reason=Reason.PARSE_TIMEOUT)


def prepare_page(page: RawPage, limits: Limits) -> Document:
    started = time.perf_counter()
    extracted = extract_page(page, limits)
    _check_time(started, limits, "extraction")
    kept, removed = clean_lines(extracted.lines)
    _check_time(started, limits, "cleaning")
    removed = [Removed(0, text, rule) for text, rule in extracted.pruned] + removed
    url = page.url or extracted.url
    kept, brand_removed = remove_brand_lines(kept, brand_names(url, page.site_hint, removed))
    removed = sorted(removed + brand_removed, key=lambda r: r.line_no)
    if not kept and not removed:
        raise InputError("no text lines in the page", reason=Reason.NO_CONTENT)
    chash = content_hash(page.content)
    return Document(
        document_id=document_id(page.raw_path, page.line_no, chash),
        content_hash=chash,
        raw_path=page.raw_path,
        line_no=page.line_no,
        fmt=page.fmt,
        url=url,
        fetched_at=page.fetched_at,
        mtime=page.mtime,
        site="",
        site_evidence=page.site_hint or host_of(url),
        title=extracted.title,
        lines=kept,
        removed=removed,
        jsonld=extracted.jsonld,
        encoding=page.encoding,
        warnings=[*page.warnings, *extracted.warnings],
    )


def assign_document_sites(docs: Sequence[Document]) -> None:
    sites = assign_sites(
        [d.site_evidence for d in docs],
        [weak_evidence(d.removed) for d in docs],
        [fingerprint_keys(d.removed) for d in docs],
    )
    for doc, site in zip(docs, sites, strict=True):
        doc.site = site


def learn_site_templates(docs: Sequence[Document]) -> TemplateModel:
    return learn_templates((d.site, template_keys(d.lines)) for d in docs)


def parse_key(doc: Document, template_digest: str, payload: bytes | None = None) -> str:
    """Everything a page's parse depends on: the page as extracted (its state payload, passed
    when the caller has it), its site and that site's template, and the parsing code
    (PARSE_FINGERPRINT)."""
    h = hashlib.sha256(f"{PARSE_FINGERPRINT}\0{doc.site}\0{template_digest}\0".encode())
    h.update(payload if payload is not None else doc_to_payload(doc))
    return h.hexdigest()


def template_digests(model: TemplateModel) -> dict[str, str]:
    return {site: hashlib.sha256("\n".join(map(str, sorted(keys))).encode()).hexdigest()
            for site, keys in model.lines.items()}


def parse_documents(
    docs: Sequence[Document],
    model: TemplateModel,
    limits: Limits | None = None,
    cache: ParsedCache | None = None,
    fresh: ParsedCache | None = None,
    payloads: Sequence[bytes] | None = None,
) -> list[Quarantine]:
    """Remove learned template lines, then parse. A page that fails is quarantined, not fatal.

    ``cache`` holds earlier runs' parses (document id -> (key, result)); a page whose key is
    unchanged takes its result from there instead of being parsed. Every page's (key,
    result) goes to ``fresh``, for the next run. ``payloads``, when given, are the documents'
    state payloads (doc_to_payload), in the same order: the key hashes them as they are."""
    limits = limits or Limits()
    cache = cache if cache is not None else {}
    digests = template_digests(model)
    failed: list[Quarantine] = []
    for i, doc in enumerate(docs):
        started = time.perf_counter()
        key = parse_key(doc, digests.get(doc.site, ""), payloads[i] if payloads is not None else None)
        hit = cache.get(doc.document_id)
        if hit is not None and hit[0] == key:
            try:
                doc.lines, doc.removed, doc.parsed, doc.status, doc.reason, doc.signature = unpack_parse(hit[1])
            except BadPayload:  # bad data in the last snapshot's parses: parse the page again
                pass
            else:
                if fresh is not None:
                    fresh[doc.document_id] = hit
                continue
        try:
            lines, template_removed = apply_templates(doc.lines, doc.site, model, likely_code(doc.lines))
            page, dropped = parse_page(lines, doc.removed, PageContext(doc.title, doc.url, tuple(doc.jsonld)))
            _check_time(started, limits, "parsing")
        except Exception as exc:  # noqa: BLE001 -- a page that fails to parse is quarantined, the run goes on
            reason = exc.reason if isinstance(exc, InputError) and exc.reason else Reason.PARSE_ERROR
            detail = exc.message if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            failed.append(Quarantine(doc.raw_path, doc.line_no, str(reason), detail, doc.url, doc.fetched_at))
            doc.status = Status.QUARANTINED
            continue
        doc.lines = lines
        doc.removed = sorted([*doc.removed, *template_removed, *dropped], key=lambda r: r.line_no)
        doc.parsed = page
        if page.code is None:
            doc.status, doc.reason = Status.NO_CODE, page.code_reason
        doc.signature = page_signature([ln.text for ln in doc.lines])
        if fresh is not None:
            fresh[doc.document_id] = (key, pack_parse(doc))
    return failed


def deduplicate(docs: Sequence[Document] | Sequence[PageRecord], first_seen: dict[str, datetime] | None = None) -> None:
    """Mark exact, then near duplicates; every duplicate points at the page finally kept.
    (The run summary counts them from the tables.)"""
    mark_exact_duplicates(docs, first_seen or {})
    mark_near_duplicates(docs)
    resolve_chains(docs)


def first_seen(curated: Path | str) -> dict[str, datetime]:
    """ingested_at of documents published by earlier runs."""
    previous = read_previous(curated, "documents", ["document_id", "ingested_at"])
    if previous is None:
        return {}
    ids, times = previous.column("document_id").to_pylist(), previous.column("ingested_at").to_pylist()
    return dict(zip(ids, times, strict=True))


@dataclass(slots=True)
class Plan:
    """What a run has to do: the raw files to read, and what it knows from earlier runs."""

    paths: list[str]  # every raw file in the landing zone now
    todo: list[str]  # new or changed files, to read
    signatures: dict[str, tuple[int, int]]
    unchanged: bool  # nothing new, changed or gone since the last published run
    spool: Spool  # the state rows: kept from the last run, then per batch read (STATE_TABLE)

    def batches(self, size: int) -> list[list[str]]:
        """The files to read, in load batches of at most ``size`` files and LOAD_BATCH_BYTES."""
        return list(batches(self.todo, size, self.signatures, LOAD_BATCH_BYTES))


def plan_run(settings: Settings, spool: Spool | None = None) -> Plan:
    """Compare the landing zone with the state of the last published run (ignored with --full).
    The state rows of files unchanged (or gone) go to ``spool`` (a new one if None)."""
    paths = read.discover(settings.raw)
    previous, rows = ({}, None) if settings.full else load_state(settings.curated)
    files: dict[str, FileState] = {}
    todo: list[str] = []
    signatures: dict[str, tuple[int, int]] = {}
    for rel in paths:
        signatures[rel] = _signature(settings.raw, rel)
        prev = previous.get(rel)
        if prev is not None and (prev.size, prev.mtime_ns) == signatures[rel]:
            files[rel] = prev
        else:
            todo.append(rel)
    present = set(paths)
    files.update({rel: fs for rel, fs in previous.items() if rel not in present})  # history is kept
    if rows is not None:  # the rows of unchanged files and of files gone from the landing zone
        rows = rows.filter(pc.is_in(rows.column("raw_path"), pa.array(sorted(files), pa.string())))
        # Files quarantined for a reason of the moment are read again, and so are files whose
        # state holds bad data; documents are decoded only when the run will parse (a run with
        # nothing to do never decodes a page). Bad rows of files gone from the landing zone go.
        again = files_to_reread(rows, documents=bool(todo))
        if again and not todo:
            again = files_to_reread(rows, documents=True)
        if again:
            for rel in again:
                files.pop(rel)
            rows = rows.filter(pc.invert(pc.is_in(rows.column("raw_path"), pa.array(sorted(again), pa.string()))))
            wanted = set(todo) | (again & present)
            todo = [rel for rel in paths if rel in wanted]
    plan = Plan(paths, todo, signatures, unchanged=bool(previous) and not todo, spool=spool or Spool())
    plan.spool.table(STATE_TABLE, STATE_SCHEMA)
    if rows is not None:
        for start in range(0, rows.num_rows, STATE_PIECE_ROWS):  # files of a few MB: survey reads them whole
            plan.spool.add(STATE_TABLE, rows.slice(start, STATE_PIECE_ROWS))
    return plan


STATE_PIECE_ROWS = 1000  # the last run's state rows go to the spool this many at a time


def absorb(plan: Plan, pages: pa.Table) -> None:
    """Record a batch of freshly read pages (load_pages) in the plan's state, before any
    corpus stage changes them."""
    plan.spool.add(STATE_TABLE, state_rows(pages, plan.signatures))


# A page as parse and table tasks get it: its state payload, the site its template is learned
# under, and (optionally, else that site) the site it is published under.
Item = tuple[bytes, str] | tuple[bytes, str, str]


@dataclass(slots=True)
class Corpus:
    """A run's pages between the stages, held out of memory: every file's state rows, sorted,
    in one spool file (a row group per batch of documents), and in memory only each page's
    site and the learned templates. The stages read a batch's rows when they need them, build
    its documents, and drop them.

    Per page, what stays in memory across stages is its site and its PageRecord; its state
    row, its parse and its rows of the curated tables are in spool files until published."""

    state: Spooled  # _state/pages, sorted (one file)
    groups: dict[int, int]  # first document of each batch -> its row group in the file
    bounds: list[tuple[int, int]]  # each batch's documents, (start, stop)
    sites: list[str]  # per document: the site its template is learned under
    model: TemplateModel
    quarantined: list[Quarantine]  # pages quarantined when read
    labels: dict[int, str] = field(default_factory=dict)  # documents published under another site than ``sites``

    def __len__(self) -> int:
        return len(self.sites)

    def ranges(self) -> list[tuple[int, int]]:
        """The batches, (start, stop) over the documents: the file's row groups, of the batch
        size the corpus was surveyed with."""
        return list(self.bounds)

    def _rows(self, start: int, stop: int, columns: list[str]) -> pa.Table:
        if (start, stop) not in self.bounds:
            raise ValueError(f"({start}, {stop}) is not one of the corpus's batches")
        group = pq.ParquetFile(self.state.files[0]).read_row_group(self.groups[start], columns=["kind", *columns])
        return group.filter(pc.equal(group.column("kind"), "document"))

    def ids(self, start: int, stop: int) -> list[str]:
        return self._rows(start, stop, ["document_id"]).column("document_id").to_pylist()

    def items(self, start: int, stop: int) -> list[Item]:
        """The (payload, site, published site) of a batch's pages: what a parse or table task is sent."""
        payloads = self._rows(start, stop, ["payload"]).column("payload").to_pylist()
        return [(payload, site, self.labels.get(i, site))
                for i, payload, site in zip(range(start, stop), payloads, self.sites[start:stop], strict=True)]

    def templates_for(self, start: int, stop: int) -> TemplateModel:
        """The template model of the sites of pages start..stop only (what their parse needs)."""
        sites = set(self.sites[start:stop])
        return TemplateModel({s: k for s, k in self.model.lines.items() if s in sites})


def _sorted_state(spooled: Spooled, rows: int = 2048) -> Iterator[pa.Table]:
    """The spooled state rows sorted by raw file, kind, then the order added, ``rows`` at a
    time. Only the sort keys are read whole (a few columns: small); the rows are gathered
    from their files, a few files held at a time (the spool's files are mostly in order
    already: the last run's rows and each batch read, each sorted by path)."""
    if not spooled.files:
        return
    keys = pa.concat_tables([
        pq.read_table(f, columns=["raw_path", "kind", SEQ]).append_column("__file", pa.array(np.full(n, i, np.int32)))
        .append_column("__row", pa.array(np.arange(n, dtype=np.int64)))
        for i, f in enumerate(spooled.files) if (n := pq.read_metadata(f).num_rows)])
    order = pc.sort_indices(keys, [("raw_path", "ascending"), ("kind", "ascending"), (SEQ, "ascending")])
    where = keys.select(["__file", "__row"]).take(order).combine_chunks()
    del keys, order
    file_of, row_of = where.column("__file").to_numpy(), where.column("__row").to_numpy()
    cache: dict[int, pa.Table] = {}  # the last files read, least recent first
    for lo in range(0, len(file_of), rows):
        files, at = file_of[lo : lo + rows], row_of[lo : lo + rows]
        needed = list(dict.fromkeys(files.tolist()))
        for i in needed:
            table = cache.pop(i, None)
            cache[i] = table if table is not None else pq.read_table(spooled.files[i], columns=STATE_SCHEMA.names)
        while len(cache) > max(4, len(needed)):
            cache.pop(next(iter(cache)))
        start = {}
        offset = 0
        for i in needed:
            start[i] = offset
            offset += cache[i].num_rows
        index = np.array([start[f] for f in files.tolist()], np.int64) + at
        yield pa.concat_tables([cache[i] for i in needed]).take(pa.array(index))


def survey(plan: Plan, batch_size: int) -> Corpus:
    """Sites and templates, the corpus-wide stages before parsing, from the state rows'
    features alone: no page is rebuilt. The state rows are sorted (by raw file; a file's
    documents, then its quarantined pages, each in the order read) into one spool file of a
    row group per ``batch_size`` documents (_sorted_state: never all in memory)."""
    spool = plan.spool
    spooled = spool.table(STATE_TABLE, STATE_SCHEMA)
    path = spool.root / "state-sorted.parquet"
    features: dict[str, list] = {"site_hint": [], "url_host": [], "weak_evidence": [], "fingerprint": []}
    shared: dict[str, str] = {}  # one copy of each feature string: a site's pages repeat them
    keys: list[np.ndarray] = []
    offsets = [0]
    quarantined: list[Quarantine] = []
    groups: dict[int, int] = {}
    bounds: list[tuple[int, int]] = []
    held: list[pa.Table] = []
    docs = in_group = written = n_groups = 0  # documents in closed groups, in the held rows; rows, groups written

    def flush(writer: pq.ParquetWriter) -> None:  # the held rows as the file's next row group
        nonlocal docs, in_group, written, n_groups
        if in_group:
            groups[docs] = n_groups
            bounds.append((docs, docs + in_group))
        group = pa.concat_tables(held)
        writer.write_table(group.append_column(SEQ, pa.array(range(written, written + group.num_rows), pa.int64())),
                           row_group_size=group.num_rows)
        docs, in_group, written, n_groups = docs + in_group, 0, written + group.num_rows, n_groups + 1
        held.clear()

    with pq.ParquetWriter(path, STATE_SCHEMA.append(pa.field(SEQ, pa.int64())), compression="lz4") as writer:
        for batch in _sorted_state(spooled):
            is_doc = pc.equal(batch.column("kind"), "document").to_numpy(zero_copy_only=False)
            quarantine = batch.filter(pa.array(~is_doc)).column("payload").to_pylist()
            quarantined += [quarantine_from_payload(q) for q in quarantine]
            positions = pa.array(np.flatnonzero(is_doc))
            for name in ("site_hint", "url_host", "weak_evidence"):
                values = batch.column(name).take(positions).to_pylist()
                features[name] += [shared.setdefault(v, v) if v else v for v in values]
            features["fingerprint"] += [[shared.setdefault(k, k) for k in fp] if fp else fp
                                        for fp in batch.column("fingerprint").take(positions).to_pylist()]
            tk = batch.column("template_keys").take(positions).combine_chunks()
            keys.append(tk.flatten().to_numpy(zero_copy_only=False))
            offsets += (tk.offsets.to_numpy()[1:] + offsets[-1]).tolist()
            lo = 0  # cut the sorted rows into row groups of batch_size documents each
            while lo < batch.num_rows:
                doc_pos = np.flatnonzero(is_doc[lo:])
                room = batch_size - in_group
                if len(doc_pos) < room:
                    held.append(batch.slice(lo))
                    in_group += len(doc_pos)
                    break
                hi = lo + int(doc_pos[room - 1]) + 1
                held.append(batch.slice(lo, hi - lo))
                in_group += room
                flush(writer)
                lo = hi
        if held:  # the last documents; or quarantined pages after them (a group no batch reads)
            flush(writer)
    sites, labels = assign_sites_and_labels(features["site_hint"], features["url_host"], features["weak_evidence"],
                                            features["fingerprint"])
    del features, shared
    flat = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    model = learn_templates((site, flat[offsets[i] : offsets[i + 1]]) for i, site in enumerate(sites))
    state = Spooled(STATE_SCHEMA, [], [path] if written else [], written, presorted=True)
    return Corpus(state, groups, bounds, [sys.intern(s) for s in sites], model, quarantined,
                  {i: label for i, (label, site) in enumerate(zip(labels, sites, strict=True)) if label != site})


def parse_items(
    items: Sequence[Item], model: TemplateModel, limits: Limits, cache: ParsedCache
) -> tuple[pa.Table, list[PageRecord], list[Quarantine]]:
    """Parse a batch of (payload, site[, published site]) (Corpus.items); pages whose parse key is in
    ``cache`` unchanged are not parsed again. Returns the parses as ``_state/parsed`` rows,
    each parsed page's PageRecord (what deduplication needs), and the pages that failed."""
    docs = []
    for item in items:  # parsed under the site of its template
        doc = doc_from_payload(item[0])
        doc.site = item[1]
        docs.append(doc)
    fresh: ParsedCache = {}
    failed = parse_documents(docs, model, limits, cache, fresh, [item[0] for item in items])
    return parsed_table(fresh), [PageRecord.of(d) for d in docs if d.status is not Status.QUARANTINED], failed


Decisions = dict[str, tuple[Status, str | None, str | None]]  # document id -> (status, duplicate_of, reason)


def decisions(records: Iterable[PageRecord]) -> Decisions:
    return {r.document_id: (r.status, r.duplicate_of, r.reason) for r in records}


def deduplicate_records(records: list[PageRecord], first_seen: dict[str, datetime]) -> Decisions:
    """Deduplicate the parsed pages (deduplicate); each page's verdict."""
    deduplicate(records, first_seen)
    return decisions(records)


def batch_documents(items: Sequence[Item], parsed: pa.Table, decided: Decisions) -> list[Document]:
    """A batch's documents as parsed and deduplicated: each page's payload (Corpus.items) with
    its parse (``parsed``: parse_items' rows) and its verdict (``decided``). A page without a
    parse failed it (it is quarantined) and is left out."""
    packed = dict(zip(parsed.column("document_id").to_pylist(), parsed.column("payload").to_pylist(), strict=True))
    docs = []
    for item in items:
        doc = doc_from_payload(item[0], lines=False)
        entry = packed.get(doc.document_id)
        if entry is None:
            continue
        doc.site = item[-1]  # published under its own evidence's site
        doc.lines, doc.removed, doc.parsed, doc.status, doc.reason, doc.signature = unpack_parse(entry)
        if doc.document_id in decided:
            doc.status, doc.duplicate_of, doc.reason = decided[doc.document_id]
        docs.append(doc)
    return docs


# Parse batches a table_items call takes at a time: building a page's rows costs a fraction of
# parsing it, so per call the fixed costs (a Prefect task run, handing the batch to a worker and
# its rows back, spooling each table's piece) would otherwise weigh as much as the work.
TABLE_GROUP = 4
TableGroup = list[tuple[tuple[int, int], Piece]]  # consecutive parse batches: each range with its parses


def table_groups(ranges: Sequence[tuple[int, int]], parsed: Sequence[Piece]) -> list[TableGroup]:
    """The parse batches (each range with its parses) in runs of TABLE_GROUP consecutive ones."""
    pairs = list(zip(ranges, parsed, strict=True))
    return [pairs[i:i + TABLE_GROUP] for i in range(0, len(pairs), TABLE_GROUP)]


def table_batch(corpus: Corpus, group: TableGroup) -> tuple[list[Item], pa.Table]:
    """A table_items call's pages and their parses: a run of consecutive parse batches, in order."""
    items = [item for (a, b), _ in group for item in corpus.items(a, b)]
    return items, pa.concat_tables([piece.read() for _, piece in group])


def group_ids(corpus: Corpus, group: TableGroup) -> list[str]:
    """The document ids of a table_items call's pages, in order."""
    return [doc_id for (a, b), _ in group for doc_id in corpus.ids(a, b)]


def table_items(
    items: Sequence[Item],
    parsed: pa.Table,
    decided: Decisions,
    first_seen: dict[str, datetime],
    now: datetime,
) -> tuple[dict[str, pa.Table], pa.Table, tuple[list[CodeSource], pa.Table]]:
    """A batch's rows of the page tables, validated, with their rejected rows, and its curated
    pages' CodeSources and items (tables.code_sources); the batch as batch_documents sees it."""
    docs = batch_documents(items, parsed, decided)
    tables, rejected = validate_tables(page_tables(docs, first_seen, now))
    return tables, rejected, code_sources(docs)


@dataclass(slots=True)
class Output:
    """The curated tables of a run, gathered batch by batch (each piece already validated) in
    spool files; in memory only each curated page's CodeSource and the rejected rows."""

    spool: Spool
    rejected: list[pa.Table] = field(default_factory=list)
    sources: list[CodeSource] = field(default_factory=list)
    quarantine_rejected: pa.Table | None = None  # the quarantined pages' documents rows rejected (page_tables)

    def add(self, tables: dict[str, pa.Table], rejected: pa.Table, sources: tuple[list[CodeSource], pa.Table]) -> None:
        for name, table in tables.items():
            self.spool.add(name, table, ORDER[name])
        self.rejected.append(rejected)
        self.sources += sources[0]
        self.spool.add(ITEMS_TABLE, sources[1])

    def tables(self, quarantined: Sequence[Quarantine], first_seen: dict[str, datetime],
               now: datetime) -> dict[str, Table]:
        """Every curated table: the pages' rows (spooled), the quarantined pages' documents
        rows and the code tables (validated here), and every rejected row."""
        out = {**self.page_tables(quarantined, first_seen, now), **self.code_tables()}
        return {name: out[name] for name in schema.TABLES}

    def page_tables(self, quarantined: Sequence[Quarantine], first_seen: dict[str, datetime],
                    now: datetime) -> dict[str, Table]:
        """The page tables (spooled), the quarantined pages' documents rows among them."""
        quarantine, self.quarantine_rejected = validate_tables(
            {"documents": quarantine_table(quarantined, first_seen, now)})
        self.spool.add("documents", quarantine["documents"], ORDER["documents"])
        return {name: self.spool.table(name, schema.TABLES[name], ORDER[name]) for name in PAGE_TABLES}

    def code_tables(self) -> dict[str, Table]:
        """The code tables (codes, section_items: grouped and validated here) and every rejected
        row (rejected_rows), once the page tables are (page_tables)."""
        out: dict[str, Table] = {}
        ranked = rank_sources(self.sources)
        self.sources = []
        codes, c_rejected = validate_tables({"codes": codes_table(ranked)})
        out.update(codes)
        order = pa.array([s.document_id for s in ranked], pa.string())
        del ranked  # a CodeSource per curated page: not held while section_items are grouped
        self.spool.table("section_items", schema.TABLES["section_items"])
        for piece in section_item_pieces(order, self.spool.table(ITEMS_TABLE, ITEMS)):  # a range of codes at a time
            valid, piece_rejected = validate_tables({"section_items": piece})
            self.spool.add("section_items", valid["section_items"])
            self.rejected.append(piece_rejected)
        out["section_items"] = self.spool.table("section_items", schema.TABLES["section_items"])
        rejected = pa.concat_tables([*self.rejected, self.quarantine_rejected, c_rejected])
        self.rejected = []
        keys = ["table", "document_id", "reason", "row"]
        out["rejected_rows"] = rejected.take(pc.sort_indices(
            pa.table({k: pc.fill_null(rejected.column(k), "") for k in keys}), [(k, "ascending") for k in keys]))
        return out


ITEMS_TABLE = "__items"  # the curated pages' section items (tables.ITEMS), spooled for code_tables


def publish_output(settings: Settings, output: Output, quarantined: Sequence[Quarantine], state: dict[str, Table],
                   first_seen: dict[str, datetime], now: datetime,
                   threads: int = 1) -> tuple[dict[str, Table], str, bool]:
    """The code tables grouped, every table written from the spool as a new snapshot with the
    run's state (write.publish, ``threads`` tables at a time, the code tables grouped while
    the page tables are written; with ``settings.full`` every file is written anew, which
    repairs any damaged one). Returns the tables, the snapshot id and whether it is new."""
    pages = output.page_tables(quarantined, first_seen, now)
    codes: dict[str, Table] = {}

    def code_tables() -> dict[str, Table]:
        codes.update(output.code_tables())
        return codes

    with few_collections():
        snapshot, published = publish(settings.curated, {**pages, **state}, settings.keep_snapshots,
                                      full=settings.full, after_table=release_memory, threads=threads,
                                      later=code_tables)
    tables = {**pages, **codes}
    return {name: tables[name] for name in schema.TABLES}, snapshot, published


# The stage functions a run calls, in order: what an Executor is asked to run.
STAGES: tuple[Callable[..., Any], ...] = (plan_run, load_pages, survey, parse_items, deduplicate_records, table_items,
                                          publish_output)


# --- the run ---------------------------------------------------------------------------


@dataclass(slots=True)
class Collected:
    """What a run ends with, as objects, for callers that look at pages (``process``)."""

    documents: list[Document] = field(default_factory=list)
    quarantined: list[Quarantine] = field(default_factory=list)
    files: int = 0


def _subset(mapping: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {k: mapping[k] for k in keys if k in mapping}


def execute(settings: Settings, executor: Executor, progress: Progress | None = None, now: datetime | None = None,
            collect: Collected | None = None) -> RunSummary:
    """One run: plan, read the new or changed files, survey sites and templates, parse,
    deduplicate, build the page tables, publish. With nothing new it publishes nothing and
    parses nothing. Pages go batch by batch (a Corpus); ``executor`` runs the stage calls.
    ``collect``, when given, receives every final document and quarantined page (``process``).

    Memory: the run holds the process's allocator and collector settings for bulk work
    (memory.bulk_work) and gives memory back after each batch."""
    started = time.perf_counter()
    lap = Laps()
    now = now or datetime.now(UTC)
    advance = progress or (lambda n: None)
    with bulk_work(), writer_lock(settings.curated), Spool() as spool:
        remove_staging(settings.curated)
        plan = executor.call(plan_run, settings, spool)
        lap("plan")
        if plan.unchanged:
            advance(len(plan.paths))
            return _unchanged_summary(settings, plan, started, lap)
        advance(len(plan.paths) - len(plan.todo))
        chunks = plan.batches(settings.batch_size)
        loaded = executor.map(load_pages, ((settings.raw, chunk, settings.limits) for chunk in chunks))
        for chunk, pages in zip(chunks, loaded, strict=True):
            absorb(plan, pages)
            del pages
            release_memory()
            advance(len(chunk))
        lap("read")
        announce(progress, "surveying sites and templates")
        corpus = executor.call(survey, plan, settings.batch_size)
        release_memory()
        lap("survey")
        store = ParsedStore() if settings.full else ParsedStore.load(settings.curated)
        ranges = corpus.ranges()
        spool.table(PARSED_TABLE, PARSED_SCHEMA, presorted=True)  # in the corpus's order, a row per page
        parsed: list[Piece] = []  # per batch: its parses, in the spool
        records: list[PageRecord] = []
        failed: list[Quarantine] = []
        calls = ((corpus.items(a, b), corpus.templates_for(a, b), settings.limits, store.lookup(corpus.ids(a, b)))
                 for a, b in ranges)
        announce(progress, "parsing")
        for table, recs, fails in executor.map(parse_items, calls):
            parsed.append(spool.add(PARSED_TABLE, table))
            records += recs
            failed += fails
            del table, recs
            release_memory()
        del store
        forget_memos()
        lap("parse")
        seen = first_seen(settings.curated)
        announce(progress, "deduplicating")
        decided = executor.call(deduplicate_records, records, seen)
        del records
        lap("deduplicate")
        output = Output(spool)
        batches_out = ((*table_batch(corpus, group), _subset(decided, ids := group_ids(corpus, group)),
                        _subset(seen, ids), now) for group in table_groups(ranges, parsed))
        announce(progress, "building tables")
        for result in executor.map(table_items, batches_out):
            output.add(*result)
            del result
            release_memory()
        if collect is not None:
            for (a, b), piece in zip(ranges, parsed, strict=True):
                collect.documents += batch_documents(corpus.items(a, b), piece.read(), decided)
        del decided  # a verdict per page: not needed from here on
        forget_memos()
        lap("tables")  # the page tables, batch by batch; the code tables are built with the publishing
        state = {STATE_TABLE: corpus.state, PARSED_TABLE: spool.table(PARSED_TABLE, PARSED_SCHEMA)}
        quarantined = corpus.quarantined + failed
        if collect is not None:
            collect.quarantined += quarantined
            collect.files = len(plan.paths)
        del corpus, parsed
        release_memory()
        announce(progress, "publishing")
        tables, snapshot, published = executor.call(publish_output, settings, output, quarantined, state, seen, now,
                                                    executor.workers)
        lap("publish")
        summary = summarize(tables, snapshot=snapshot, published=published, seconds=time.perf_counter() - started,
                            files=len(plan.paths))
    summary.read_files = len(plan.todo)
    summary.stages = lap.seconds
    return summary


def _unchanged_summary(settings: Settings, plan: Plan, started: float, lap: Laps) -> RunSummary:
    """What a run whose plan found nothing new reports: the published tables, nothing published."""
    summary = report(settings.curated)
    summary.published, summary.seconds, summary.files = False, time.perf_counter() - started, len(plan.paths)
    summary.stages = lap.seconds
    return summary


def nothing_new(settings: Settings, ahead: Callable[[Plan], None] | None = None) -> RunSummary | None:
    """The summary of a run over ``settings`` if its plan finds nothing new or changed since
    the last published run (what :func:`execute` would return, having done nothing else); None
    when there is work to do, after handing the plan to ``ahead`` (which may start on it:
    read_ahead). What a caller checks before it starts a run's machinery (the CLI: Prefect's
    flow engine) for a run that would find nothing to do. Takes the writer lock while it
    plans, as a run does."""
    if settings.full and ahead is None:
        return None
    started = time.perf_counter()
    lap = Laps()
    with writer_lock(settings.curated), Spool() as spool:
        plan = plan_run(settings, spool)
        lap("plan")
        if plan.unchanged:
            return _unchanged_summary(settings, plan, started, lap)
    if ahead is not None:
        ahead(plan)
    return None


def run(settings: Settings, progress: Progress | None = None, now: datetime | None = None,
        workers: int = 1) -> RunSummary:
    """One whole run, no Prefect (``ingest run --no-prefect``, tests, benchmarks): every stage
    call made in this process, or with ``workers`` > 1 the per-batch calls in that many worker
    processes (Processes). The tables are the same whatever the number of workers."""
    if workers <= 1:
        return execute(settings, InProcess(), progress, now)
    with Processes(workers) as executor:
        return execute(settings, executor, progress, now)


def process(settings: Settings, progress: Progress | None = None) -> tuple[list[Document], list[Quarantine], int]:
    """The documents a full run over ``settings.raw`` ends with (parsed and deduplicated), from
    the very run :func:`run` makes, published to a temporary folder and ignoring earlier runs.
    Returns (documents, quarantined pages, number of raw files)."""
    collected = Collected()
    with tempfile.TemporaryDirectory(prefix="ingest-process-") as tmp:
        scratch = Settings(raw=settings.raw, curated=Path(tmp) / "curated", full=True, limits=settings.limits,
                           batch_size=settings.batch_size)
        execute(scratch, InProcess(), progress, collect=collected)
    return collected.documents, collected.quarantined, collected.files
