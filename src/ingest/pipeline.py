"""The stages composed: read → clean → parse → deduplicate → write.

Each function is one step over plain data; :func:`run` chains them in-process, and the
Prefect flow in ``flows/ingest.py`` chains the very same functions as tasks. No Prefect here.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import read, schema
from .clean import (
    TemplateModel,
    apply_templates,
    clean_lines,
    learn_templates,
    likely_code,
    remove_brand_lines,
    template_keys,
)
from .config import Limits, Settings
from .dedup import (
    content_hash,
    document_id,
    mark_exact_duplicates,
    mark_near_duplicates,
    page_signature,
    resolve_chains,
)
from .errors import InputError, Reason
from .extract import extract_page
from .models import Document, PageRecord, Quarantine, RawPage, Removed, Status
from .parse import PageContext, parse_page
from .report import RunSummary, report, summarize
from .site import assign_sites, brand_names, fingerprint_keys, host_of, weak_evidence
from .state import (
    PARSE_FINGERPRINT,
    PARSED_TABLE,
    PIPELINE_FINGERPRINT,
    STATE_TABLE,
    FileState,
    ParsedCache,
    ParsedStore,
    doc_from_payload,
    doc_to_payload,
    file_content_id,
    file_signature,
    load_state,
    merge_parsed,
    pack_parse,
    page_rows,
    parsed_table,
    quarantine_from_payload,
    state_rows,
    state_table,
    unpack_parse,
)
from .tables import ITEMS, PAGE_TABLES, CodeSource, code_sources, code_tables, page_tables, quarantine_table, sort_table
from .validate import validate_tables
from .write import publish, read_previous, remove_staging, writer_lock

Progress = Callable[[int], None]


def _memoised() -> tuple:
    from . import clean, dedup, extract, sections

    return (clean.normalize_key, clean._match_rule, clean._split_glued_text, clean.phrased_codes,
            clean.is_sentence_text, clean._menu_like_text, clean.key_hash, extract._text_line, extract._chrome_marked,
            dedup._word_hashes, sections.map_heading)


def clear_memos() -> None:
    """Forget every per-line answer kept by the stages (clean.LINE_MEMO and the like): what a
    benchmark calls between timed runs, so that no run is measured on lines a previous one saw."""
    for fn in _memoised():
        fn.cache_clear()


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


def batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def load_batch(root: Path, paths: Iterable[str], limits: Limits) -> tuple[list[Document], list[Quarantine]]:
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
            except Exception as exc:  # a bug or an input we did not foresee: the run goes on
                quarantined.append(_quarantine(item, Reason.PARSE_ERROR, f"{type(exc).__name__}: {exc}"))
    return docs, quarantined


def load_pages(root: Path | str, paths: Iterable[str], limits: Limits) -> pa.Table:
    """load_batch, as state rows (state.page_rows): each page's payload (the document as JSON,
    compressed) and its site and template features, in Arrow. What crosses from a Dask worker to the flow
    is then a few buffers, not thousands of objects, and a run holds its pages in them."""
    return page_rows(*load_batch(root, paths, limits))


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
        raise InputError(f"{stage} took {elapsed:.1f} s > limit {limits.max_seconds_per_page:g} s", reason=Reason.PARSE_TIMEOUT)


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
    return {site: hashlib.sha256("\n".join(map(str, sorted(keys))).encode()).hexdigest() for site, keys in model.lines.items()}


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
            doc.lines, doc.removed, doc.parsed, doc.status, doc.reason, doc.signature = unpack_parse(hit[1])
            if fresh is not None:
                fresh[doc.document_id] = hit
            continue
        try:
            lines, template_removed = apply_templates(doc.lines, doc.site, model, likely_code(doc.lines))
            page, dropped = parse_page(lines, doc.removed, PageContext(doc.title, doc.url, tuple(doc.jsonld)))
            _check_time(started, limits, "parsing")
        except Exception as exc:
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


def deduplicate(docs: Sequence[Document], first_seen: dict[str, datetime] | None = None) -> None:
    """Mark exact, then near duplicates; every duplicate points at the page finally kept.
    (The run summary counts them from the tables.)"""
    mark_exact_duplicates(docs, first_seen or {})
    mark_near_duplicates(docs)
    resolve_chains(docs)


def first_seen(curated: Path) -> dict[str, datetime]:
    """ingested_at of documents published by earlier runs."""
    previous = read_previous(curated, "documents", ["document_id", "ingested_at"])
    if previous is None:
        return {}
    return dict(zip(previous.column("document_id").to_pylist(), previous.column("ingested_at").to_pylist(), strict=True))


@dataclass(slots=True)
class Plan:
    """What a run has to do: the raw files to read, and what it knows from earlier runs."""

    paths: list[str]  # every raw file in the landing zone now
    todo: list[str]  # new or changed files, to read
    signatures: dict[str, tuple[int, int]]
    unchanged: bool  # nothing new, changed or gone since the last published run
    pieces: list[pa.Table] = field(default_factory=list)  # the state rows: kept from the last run, then per batch read


def plan_run(settings: Settings) -> Plan:
    """Compare the landing zone with the state of the last published run (ignored with --full)."""
    paths = read.discover(settings.raw)
    previous, rows = ({}, None) if settings.full else load_state(settings.curated)
    files: dict[str, FileState] = {}
    todo: list[str] = []
    signatures: dict[str, tuple[int, int]] = {}
    for rel in paths:
        try:
            signatures[rel] = file_signature(settings.raw, rel)
        except OSError:
            signatures[rel] = (-1, -1)
        prev = previous.get(rel)
        if prev is not None and (prev.size, prev.mtime_ns) == signatures[rel]:
            files[rel] = prev
        else:
            todo.append(rel)
    present = set(paths)
    files.update({rel: fs for rel, fs in previous.items() if rel not in present})  # history is kept
    plan = Plan(paths, todo, signatures, unchanged=bool(previous) and not todo)
    if rows is not None:  # the rows of unchanged files and of files gone from the landing zone
        plan.pieces.append(rows.filter(pc.is_in(rows.column("raw_path"), pa.array(sorted(files), pa.string()))))
    return plan


def absorb(plan: Plan, pages: pa.Table) -> None:
    """Record a batch of freshly read pages (load_pages) in the plan's state, before any
    corpus stage changes them."""
    plan.pieces.append(state_rows(pages, plan.signatures))


def materialize(plan: Plan) -> tuple[list[Document], list[Quarantine]]:
    """Every document and quarantined page of the plan, as objects (for small corpora: a run
    keeps them in Arrow and builds a batch's documents when it needs them, see Corpus)."""
    corpus = survey(plan)
    docs = [doc_from_payload(p) for p in corpus.column("payload", 0, len(corpus))]
    return docs, corpus.quarantined


@dataclass(slots=True)
class Corpus:
    """A run's pages between the stages, held compactly: every file's state rows (Arrow: the
    pages' text lives in a few buffers, not in objects), each page's site and the learned
    templates. The stages build a batch's documents from it when they need them, and drop them.

    Per page, what stays in memory across stages is its state row (the page as extracted, as
    compressed JSON), its parse (packed and compressed, in Arrow) and its PageRecord; the rows
    of the curated tables are Arrow too."""

    state: pa.Table  # _state/pages, sorted
    rows: pa.Array  # the positions of its document rows, in order (the pages, without a copy of them)
    sites: list[str]  # per document row
    model: TemplateModel
    quarantined: list[Quarantine]  # pages quarantined when read

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str, start: int, stop: int) -> list:
        """A state column's values for pages start..stop."""
        return self.state.column(name).take(self.rows.slice(start, stop - start)).to_pylist()

    def ranges(self, size: int) -> list[tuple[int, int]]:
        return [(start, min(start + size, len(self))) for start in range(0, len(self), size)]

    def ids(self, start: int, stop: int) -> list[str]:
        return self.column("document_id", start, stop)

    def items(self, start: int, stop: int) -> list[tuple[bytes, str]]:
        """The (payload, site) pairs of pages start..stop: what a parse or table task is sent."""
        return list(zip(self.column("payload", start, stop), self.sites[start:stop], strict=True))

    def templates_for(self, start: int, stop: int) -> TemplateModel:
        """The template model of the sites of pages start..stop only (what their parse needs)."""
        sites = set(self.sites[start:stop])
        return TemplateModel({s: k for s, k in self.model.lines.items() if s in sites})


def survey(plan: Plan) -> Corpus:
    """Sites and templates, the corpus-wide stages before parsing, from the state rows'
    features alone: no page is rebuilt."""
    state = state_table(plan.pieces)
    is_doc = pc.equal(state.column("kind"), "document")
    rows = pa.array(np.flatnonzero(is_doc.to_numpy(zero_copy_only=False)), pa.int64())
    pages = state.select(["site_evidence", "weak_evidence", "fingerprint", "template_keys"]).take(rows)
    quarantined = [quarantine_from_payload(p) for p in state.filter(pc.invert(is_doc)).column("payload").to_pylist()]
    sites = assign_sites(pages.column("site_evidence").to_pylist(), pages.column("weak_evidence").to_pylist(),
                         pages.column("fingerprint").to_pylist())
    keys = pages.column("template_keys").combine_chunks()
    flat = keys.flatten().to_numpy(zero_copy_only=False)
    offsets = keys.offsets.to_numpy()
    model = learn_templates((site, flat[offsets[i] : offsets[i + 1]]) for i, site in enumerate(sites))
    return Corpus(state, rows, [sys.intern(s) for s in sites], model, quarantined)


def parse_items(
    items: Sequence[tuple[bytes, str]], model: TemplateModel, limits: Limits, cache: ParsedCache
) -> tuple[pa.Table, list[PageRecord], list[Quarantine]]:
    """Parse a batch of (payload, site) pairs (Corpus.items); pages whose parse key is in
    ``cache`` unchanged are not parsed again. Returns the parses as ``_state/parsed`` rows,
    each parsed page's PageRecord (what deduplication needs), and the pages that failed."""
    docs = []
    for payload, site in items:
        doc = doc_from_payload(payload)
        doc.site = site
        docs.append(doc)
    fresh: ParsedCache = {}
    failed = parse_documents(docs, model, limits, cache, fresh, [payload for payload, _ in items])
    return parsed_table(fresh), [PageRecord.of(d) for d in docs if d.status is not Status.QUARANTINED], failed


Decisions = dict[str, tuple[Status, str | None, str | None]]  # document id -> (status, duplicate_of, reason)


def decisions(records: Iterable[PageRecord]) -> Decisions:
    return {r.document_id: (r.status, r.duplicate_of, r.reason) for r in records}


def table_items(
    items: Sequence[tuple[bytes, str]],
    parsed: pa.Table,
    decided: Decisions,
    first_seen: dict[str, datetime],
    now: datetime,
) -> tuple[dict[str, pa.Table], pa.Table, tuple[list[CodeSource], pa.Table]]:
    """A batch's rows of the page tables, validated, with their rejected rows, and its curated
    pages' CodeSources and items (tables.code_sources). ``parsed`` holds the batch's parses (parse_items); ``decided`` the
    deduplication's verdicts. A page without a parse failed it (it is quarantined)."""
    packed = dict(zip(parsed.column("document_id").to_pylist(), parsed.column("payload").to_pylist(), strict=True))
    docs = []
    for payload, site in items:
        doc = doc_from_payload(payload, lines=False)
        entry = packed.get(doc.document_id)
        if entry is None:
            continue
        doc.site = site
        doc.lines, doc.removed, doc.parsed, doc.status, doc.reason, doc.signature = unpack_parse(entry)
        if doc.document_id in decided:
            doc.status, doc.duplicate_of, doc.reason = decided[doc.document_id]
        docs.append(doc)
    tables, rejected = validate_tables(page_tables(docs, first_seen, now))
    return tables, rejected, code_sources(docs)


@dataclass(slots=True)
class Output:
    """The curated tables of a run, gathered batch by batch (each piece already validated)."""

    pieces: dict[str, list[pa.Table]] = field(default_factory=lambda: {name: [] for name in PAGE_TABLES})
    rejected: list[pa.Table] = field(default_factory=list)
    sources: list[CodeSource] = field(default_factory=list)
    items: list[pa.Table] = field(default_factory=list)

    def add(self, tables: dict[str, pa.Table], rejected: pa.Table, sources: tuple[list[CodeSource], pa.Table]) -> None:
        for name, table in tables.items():
            self.pieces[name].append(table)
        self.rejected.append(rejected)
        self.sources += sources[0]
        self.items.append(sources[1])

    def tables(self, quarantined: Sequence[Quarantine], first_seen: dict[str, datetime], now: datetime) -> dict[str, pa.Table]:
        """Every curated table: the pages' pieces in order, the quarantined pages' documents
        rows and the code tables (validated here), and every rejected row."""
        quarantine, q_rejected = validate_tables({"documents": quarantine_table(quarantined, first_seen, now)})
        self.pieces["documents"].append(quarantine["documents"])
        out: dict[str, pa.Table] = {}
        for name in PAGE_TABLES:  # one table at a time, its pieces dropped once it is sorted
            out[name] = sort_table(name, pa.concat_tables([schema.TABLES[name].empty_table(), *self.pieces.pop(name)]))
            release_memory()
        codes, c_rejected = validate_tables(code_tables(self.sources, pa.concat_tables([ITEMS.empty_table(), *self.items])))
        self.sources, self.items = [], []
        out.update(codes)
        rejected = pa.concat_tables([*self.rejected, q_rejected, c_rejected])
        self.rejected = []
        keys = ["table", "document_id", "reason", "row"]
        out["rejected_rows"] = rejected.take(pc.sort_indices(
            pa.table({k: pc.fill_null(rejected.column(k), "") for k in keys}), [(k, "ascending") for k in keys]))
        return {name: out[name] for name in schema.TABLES}


def corpus_stages(
    docs: list[Document],
    first_seen: dict[str, datetime],
    limits: Limits,
    cache: ParsedCache | None = None,
    fresh: ParsedCache | None = None,
    payloads: Sequence[bytes] | None = None,
) -> tuple[list[Document], list[Quarantine]]:
    """Sites, templates, parsing and deduplication over documents in memory (a small corpus:
    what `ingest evaluate` runs); run() does the same in batches over a Corpus."""
    assign_document_sites(docs)
    model = learn_site_templates(docs)
    failed = parse_documents(docs, model, limits, cache, fresh, payloads)
    docs = [d for d in docs if d.status is not Status.QUARANTINED]
    deduplicate(docs, first_seen)
    return docs, failed


def process(settings: Settings, progress: Progress | None = None) -> tuple[list[Document], list[Quarantine], int]:
    """Read, clean, parse and deduplicate everything under ``settings.raw``, in memory, ignoring
    earlier runs. Returns (documents, quarantined pages, number of raw files)."""
    paths = read.discover(settings.raw)
    docs: list[Document] = []
    quarantined: list[Quarantine] = []
    for chunk in batches(paths, settings.batch_size):
        d, q = load_batch(settings.raw, chunk, settings.limits)
        docs += d
        quarantined += q
        if progress:
            progress(len(chunk))
    docs, failed = corpus_stages(docs, {}, settings.limits)
    return docs, quarantined + failed, len(paths)


def run(settings: Settings, progress: Progress | None = None, now: datetime | None = None) -> RunSummary:
    """One whole run in this process, no Prefect: what tests and benchmarks call. Reads only
    new or changed raw files; with nothing new, publishes nothing and parses nothing.

    The stages go batch by batch over a Corpus (see there); the flow in flows/ingest.py runs
    the same functions as tasks."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    with writer_lock(settings.curated):
        remove_staging(settings.curated)
        plan = plan_run(settings)
        if plan.unchanged:
            if progress:
                progress(len(plan.paths))
            summary = report(settings.curated)
            summary.published, summary.seconds, summary.files = False, time.perf_counter() - started, len(plan.paths)
            return summary
        if progress:
            progress(len(plan.paths) - len(plan.todo))
        for chunk in batches(plan.todo, settings.batch_size):
            absorb(plan, load_pages(settings.raw, chunk, settings.limits))
            release_memory()
            if progress:
                progress(len(chunk))
        corpus = survey(plan)
        plan.pieces = []
        release_memory()
        store = ParsedStore() if settings.full else ParsedStore.load(settings.curated)
        ranges = corpus.ranges(settings.batch_size)
        parsed: list[pa.Table] = []
        records: list[PageRecord] = []
        failed: list[Quarantine] = []
        for start, stop in ranges:
            table, recs, fails = parse_items(corpus.items(start, stop), corpus.templates_for(start, stop),
                                             settings.limits, store.lookup(corpus.ids(start, stop)))
            parsed.append(table)
            records += recs
            failed += fails
            release_memory()
        del store
        seen = first_seen(settings.curated)
        deduplicate(records, seen)
        decided = decisions(records)
        del records
        output = Output()
        for (start, stop), table in zip(ranges, parsed, strict=True):
            output.add(*table_items(corpus.items(start, stop), table, decided, seen, now))
            release_memory()
        tables = output.tables(corpus.quarantined + failed, seen, now)
        release_memory()
        state = {STATE_TABLE: corpus.state, PARSED_TABLE: merge_parsed(parsed)}
        del corpus, parsed
        release_memory()
        snapshot, published = publish(settings.curated, {**tables, **state}, settings.keep_snapshots)
    summary = summarize(tables, snapshot=snapshot, published=published, seconds=time.perf_counter() - started, files=len(plan.paths))
    summary.read_files = len(plan.todo)
    return summary
