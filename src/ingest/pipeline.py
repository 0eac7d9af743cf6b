"""The stages composed: read → clean → parse → deduplicate → write.

Each function is one step over plain data; :func:`run` chains them in-process, and the
Prefect flow in ``flows/ingest.py`` chains the very same functions as tasks. No Prefect here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import read
from .clean import TemplateModel, apply_templates, clean_lines, remove_brand_lines, learn_templates, likely_code, normalize_key
from .config import Limits, Settings
from .dedup import content_hash, document_id, mark_exact_duplicates, mark_near_duplicates, resolve_chains
from .errors import InputError, Reason
from .extract import extract_page
from .models import Document, Quarantine, RawPage, Removed, Status
from .parse import PageContext, parse_page
from .report import RunSummary, summarize
from .site import assign_sites, brand_names, fingerprint_keys, host_of, weak_evidence
from .tables import build_tables
from .write import publish, read_previous, writer_lock

Progress = Callable[[int], None]


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


def _quarantine(page: RawPage, reason: str, detail: str) -> Quarantine:
    return Quarantine(page.raw_path, page.line_no, reason, detail, page.url, page.fetched_at)


def prepare_page(page: RawPage, limits: Limits) -> Document:
    extracted = extract_page(page, limits)
    kept, removed = clean_lines(extracted.lines)
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
        warnings=list(page.warnings),
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


def parse_documents(docs: Sequence[Document], model: TemplateModel) -> list[Quarantine]:
    """Remove learned template lines, then parse. A page that fails is quarantined, not fatal."""
    failed: list[Quarantine] = []
    for doc in docs:
        try:
            lines, template_removed = apply_templates(doc.lines, doc.site, model, likely_code(doc.lines))
            page, dropped = parse_page(lines, doc.removed, PageContext(doc.title, doc.url, tuple(doc.jsonld)))
        except Exception as exc:
            failed.append(Quarantine(doc.raw_path, doc.line_no, Reason.PARSE_ERROR, f"{type(exc).__name__}: {exc}", doc.url, doc.fetched_at))
            doc.status = Status.QUARANTINED
            continue
        doc.lines = lines
        doc.removed = sorted([*doc.removed, *template_removed, *dropped], key=lambda r: r.line_no)
        doc.parsed = page
        if page.code is None:
            doc.status, doc.reason = Status.NO_CODE, page.code_reason
    return failed


def deduplicate(docs: Sequence[Document]) -> dict[str, int]:
    stats = {"exact_duplicates": mark_exact_duplicates(docs), "near_duplicates": mark_near_duplicates(docs)}
    resolve_chains(docs)
    return stats


def first_seen(curated: Path) -> dict[str, datetime]:
    """ingested_at of documents published by earlier runs."""
    previous = read_previous(curated, "documents", ["document_id", "ingested_at"])
    if previous is None:
        return {}
    return dict(zip(previous.column("document_id").to_pylist(), previous.column("ingested_at").to_pylist(), strict=True))


def process(settings: Settings, progress: Progress | None = None) -> tuple[list[Document], list[Quarantine], int]:
    """Read, clean, parse and deduplicate everything under ``settings.raw``, in memory.
    Returns (documents, quarantined pages, number of raw files)."""
    paths = read.discover(settings.raw)
    docs: list[Document] = []
    quarantined: list[Quarantine] = []
    for chunk in batches(paths, settings.batch_size):
        d, q = load_batch(settings.raw, chunk, settings.limits)
        docs += d
        quarantined += q
        if progress:
            progress(len(chunk))
    assign_document_sites(docs)
    model = learn_site_templates(docs)
    quarantined += parse_documents(docs, model)
    docs = [d for d in docs if d.status is not Status.QUARANTINED]
    deduplicate(docs)
    return docs, quarantined, len(paths)


def run(settings: Settings, progress: Progress | None = None, now: datetime | None = None) -> RunSummary:
    """One whole run in this process, no Prefect: what tests and benchmarks call."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    with writer_lock(settings.curated):
        docs, quarantined, files = process(settings, progress)
        tables = build_tables(docs, quarantined, first_seen(settings.curated), now)
        snapshot, published = publish(settings.curated, tables, settings.keep_snapshots)
    return summarize(tables, snapshot=snapshot, published=published, seconds=time.perf_counter() - started, files=files)
