"""The stages composed: read → clean → parse → deduplicate → write.

Each function is one step over plain data; :func:`run` chains them in-process, and the
Prefect flow in ``flows/ingest.py`` chains the very same functions as tasks. No Prefect here.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import read
from .clean import (
    TemplateModel,
    apply_templates,
    clean_lines,
    learn_templates,
    likely_code,
    normalize_key,
    remove_brand_lines,
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
from .models import Document, Quarantine, RawPage, Removed, Status
from .parse import PageContext, parse_page
from .report import RunSummary, report, summarize
from .state import (
    PARSE_FINGERPRINT,
    PARSED_TABLE,
    PIPELINE_FINGERPRINT,
    STATE_TABLE,
    FileState,
    ParsedCache,
    build_state,
    doc_from_json,
    doc_to_json,
    file_content_id,
    file_signature,
    load_parsed,
    load_state,
    pack_parse,
    parsed_table,
    quarantine_to_json,
    unpack_parse,
)
from .site import assign_sites, brand_names, fingerprint_keys, host_of, weak_evidence
from .tables import build_tables
from .validate import validate_tables
from .write import publish, read_previous, remove_staging, writer_lock

Progress = Callable[[int], None]


def _memoised() -> tuple:
    from . import clean, dedup, extract, sections

    return (clean.normalize_key, clean._match_rule, clean._split_glued_text, clean.phrased_codes,
            clean.is_sentence_text, clean._menu_like_text, extract._text_line, extract._chrome_marked,
            dedup._word_hashes, sections.map_heading)


def clear_memos() -> None:
    """Forget every per-line answer kept by the stages (clean.LINE_MEMO and the like): what a
    benchmark calls between timed runs, so that no run is measured on lines a previous one saw."""
    for fn in _memoised():
        fn.cache_clear()


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


Payloads = list[tuple[str, str]]  # (raw_path, the document as its state payload, doc_to_json)


def load_payloads(root: Path | str, paths: Iterable[str], limits: Limits) -> tuple[Payloads, list[Quarantine]]:
    """load_batch, with each document as its state payload: a string, which crosses between
    processes (a Dask worker and the flow) as one block of bytes instead of thousands of
    small objects, and is what the state records anyway."""
    docs, quarantined = load_batch(root, paths, limits)
    return [(d.raw_path, doc_to_json(d)) for d in docs], quarantined


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
    return learn_templates((d.site, [normalize_key(ln.text) for ln in d.lines]) for d in docs)


def parse_key(doc: Document, template_digest: str, payload: str | None = None) -> str:
    """Everything a page's parse depends on: the page as extracted (its state payload, passed
    when the caller has it), its site and that site's template, and the parsing code
    (PARSE_FINGERPRINT)."""
    h = hashlib.sha256(f"{PARSE_FINGERPRINT}\0{doc.site}\0{template_digest}\0".encode())
    h.update((payload if payload is not None else doc_to_json(doc)).encode("utf-8"))
    return h.hexdigest()


def template_digests(model: TemplateModel) -> dict[str, str]:
    return {site: hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest() for site, keys in model.lines.items()}


def parse_documents(
    docs: Sequence[Document],
    model: TemplateModel,
    limits: Limits | None = None,
    cache: ParsedCache | None = None,
    fresh: ParsedCache | None = None,
    payloads: Sequence[str] | None = None,
) -> list[Quarantine]:
    """Remove learned template lines, then parse. A page that fails is quarantined, not fatal.

    ``cache`` holds earlier runs' parses (document id -> (key, result)); a page whose key is
    unchanged takes its result from there instead of being parsed. Every page's (key,
    result) goes to ``fresh``, for the next run. ``payloads``, when given, are the documents'
    state payloads (doc_to_json), in the same order: the key hashes them as they are."""
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
    files: dict[str, FileState]  # unchanged files and files gone from the landing zone, from the state
    signatures: dict[str, tuple[int, int]]
    unchanged: bool  # nothing new, changed or gone since the last published run


def plan_run(settings: Settings) -> Plan:
    """Compare the landing zone with the state of the last published run (ignored with --full)."""
    paths = read.discover(settings.raw)
    previous = {} if settings.full else load_state(settings.curated)
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
    return Plan(paths, todo, files, signatures, unchanged=bool(previous) and not todo)


def absorb(plan: Plan, docs: Sequence[Document], quarantined: Sequence[Quarantine]) -> None:
    """Record freshly read pages in the plan's file state, before any corpus stage changes them."""
    absorb_payloads(plan, [(d.raw_path, doc_to_json(d)) for d in docs], quarantined)


def absorb_payloads(plan: Plan, payloads: Payloads, quarantined: Sequence[Quarantine]) -> None:
    for rel in {rel for rel, _ in payloads} | {q.raw_path for q in quarantined}:
        size, mtime_ns = plan.signatures.get(rel, (-1, -1))
        plan.files[rel] = FileState(size, mtime_ns)
    for rel, payload in payloads:
        plan.files[rel].doc_payloads.append(payload)
    for q in quarantined:
        plan.files[q.raw_path].quarantine_payloads.append(quarantine_to_json(q))


def materialize(plan: Plan) -> tuple[list[Document], list[Quarantine]]:
    """The plan's documents and quarantined pages (materialize_payloads without the payloads)."""
    docs, _, quarantined = materialize_payloads(plan)
    return docs, quarantined


def materialize_payloads(plan: Plan) -> tuple[list[Document], list[str], list[Quarantine]]:
    """Every file's documents, rebuilt from their state payloads, with the payloads beside them
    (what a parse task is sent), and its quarantined pages; files in path order."""
    docs: list[Document] = []
    payloads: list[str] = []
    quarantined: list[Quarantine] = []
    for rel in sorted(plan.files):
        fs = plan.files[rel]
        payloads += fs.doc_payloads
        docs += fs.documents()
        quarantined += fs.quarantined()
    return docs, payloads, quarantined


def parse_payloads(
    items: Sequence[tuple[str, str]],
    model: TemplateModel,
    limits: Limits,
    cache: ParsedCache,
    docs: list[Document] | None = None,
) -> tuple[ParsedCache, list[Quarantine]]:
    """parse_documents for a batch sent as (payload, site) pairs, returning only what the
    parse adds: the parse cache's entries (document id -> (key, packed result)) and the pages
    that failed. What a worker process sends back is plain tuples; apply_parsed puts them
    on the sender's documents. ``docs``: the sender's own documents for these pairs, when
    the caller shares their memory (a thread of the same process): they are parsed in place
    and nothing is rebuilt."""
    if docs is None:
        docs = []
        for payload, site in items:
            doc = doc_from_json(payload)
            doc.site = site
            docs.append(doc)
    fresh: ParsedCache = {}
    failed = parse_documents(docs, model, limits, cache, fresh, [payload for payload, _ in items])
    return fresh, failed


def apply_parsed(docs: Sequence[Document], parsed: ParsedCache) -> list[Document]:
    """The documents with their parse results (from parse_payloads) set; a document with none
    failed its parse (quarantined) and is left out."""
    out = []
    for doc in docs:
        entry = parsed.get(doc.document_id)
        if entry is not None:
            doc.lines, doc.removed, doc.parsed, doc.status, doc.reason, doc.signature = unpack_parse(entry[1])
            out.append(doc)
    return out


def corpus_stages(
    docs: list[Document],
    first_seen: dict[str, datetime],
    limits: Limits,
    cache: ParsedCache | None = None,
    fresh: ParsedCache | None = None,
    payloads: Sequence[str] | None = None,
) -> tuple[list[Document], list[Quarantine]]:
    """Sites, templates, parsing and deduplication: the stages that need the whole corpus."""
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
    new or changed raw files; with nothing new, publishes nothing and parses nothing."""
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
            absorb(plan, *load_batch(settings.raw, chunk, settings.limits))
            if progress:
                progress(len(chunk))
        seen = first_seen(settings.curated)
        docs, payloads, quarantined = materialize_payloads(plan)
        cache, fresh = ({} if settings.full else load_parsed(settings.curated)), {}
        docs, failed = corpus_stages(docs, seen, settings.limits, cache, fresh, payloads)
        del cache, payloads
        tables, rejected = validate_tables(build_tables(docs, quarantined + failed, seen, now))
        tables["rejected_rows"] = rejected
        state = {STATE_TABLE: build_state(plan.files), PARSED_TABLE: parsed_table(fresh)}
        snapshot, published = publish(settings.curated, {**tables, **state}, settings.keep_snapshots)
    summary = summarize(tables, snapshot=snapshot, published=published, seconds=time.perf_counter() - started, files=len(plan.paths))
    summary.read_files = len(plan.todo)
    return summary
