"""Stage 5a: build the curated tables from processed documents, as pyarrow tables.

Rows are sorted on stable keys, so the same input gives byte-identical files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import pyarrow as pa

from . import schema
from .clean import normalize_key
from .dedup import document_id, keep_rank
from .models import Document, Quarantine, Status
from .site import host_of


def build_tables(
    docs: Sequence[Document],
    quarantined: Sequence[Quarantine],
    first_seen: dict[str, datetime],
    now: datetime,
) -> dict[str, pa.Table]:
    """All curated tables. ``first_seen`` maps document ids of earlier runs to their
    ``ingested_at``, so that re-running over the same pages changes nothing."""
    kept = [d for d in docs if d.status in (Status.CURATED, Status.NO_CODE)]
    curated = sorted((d for d in docs if d.status is Status.CURATED), key=keep_rank)
    rows = {
        "documents": _documents(docs, quarantined, first_seen, now),
        "codes": _codes(curated),
        "sections": _sections(kept),
        "faq": _faq(kept),
        "section_items": _section_items(curated),
        "facts": _facts(kept),
        "removed_lines": _removed(kept),
        "rejected_rows": [],  # filled by validation (validate.py)
    }
    return {name: pa.Table.from_pylist(rows[name], schema=schema.TABLES[name]) for name in schema.TABLES}


def quarantine_id(q: Quarantine) -> str:
    return document_id(q.raw_path, q.line_no, f"quarantined:{q.reason}")


def _documents(
    docs: Sequence[Document], quarantined: Sequence[Quarantine], first_seen: dict[str, datetime], now: datetime
) -> list[dict]:
    rows = []
    for d in docs:
        page = d.parsed
        rows.append(
            {
                "document_id": d.document_id,
                "raw_path": d.raw_path,
                "line_no": d.line_no,
                "url": d.url,
                "site": d.site,
                "fetched_at": d.fetched_at,
                "code": page.code if page else None,
                "code_system": page.code_system if page else None,
                "status": str(d.status),
                "duplicate_of": d.duplicate_of,
                "reason": d.reason,
                "content_hash": d.content_hash,
                "encoding": d.encoding,
                "title": page.title if page else d.title,
                "n_lines": len(d.lines) + len(d.removed),
                "n_removed": len(d.removed),
                "warnings": "; ".join(d.warnings) or None,
                "ingested_at": first_seen.get(d.document_id, now),
            }
        )
    for q in quarantined:
        qid = quarantine_id(q)
        rows.append(
            {
                "document_id": qid,
                "raw_path": q.raw_path,
                "line_no": q.line_no,
                "url": q.url,
                "site": host_of(q.url) or "unknown",
                "fetched_at": q.fetched_at,
                "code": None,
                "code_system": None,
                "status": str(Status.QUARANTINED),
                "duplicate_of": None,
                "reason": f"{q.reason}: {q.detail}" if q.detail else q.reason,
                "content_hash": None,
                "encoding": None,
                "title": None,
                "n_lines": None,
                "n_removed": None,
                "warnings": None,
                "ingested_at": first_seen.get(qid, now),
            }
        )
    rows.sort(key=lambda r: (r["raw_path"], r["line_no"] or 0, r["document_id"]))
    return rows


def _first(values: Iterable[object]) -> object:
    return next((v for v in values if v not in (None, "")), None)


def _codes(curated: Sequence[Document]) -> list[dict]:
    by_code: dict[str, list[Document]] = defaultdict(list)
    for d in curated:
        assert d.parsed is not None and d.parsed.code is not None
        by_code[d.parsed.code].append(d)
    rows = []
    for code in sorted(by_code):
        group = by_code[code]  # already best-first
        pages = [d.parsed for d in group if d.parsed is not None]
        modifiers: dict[str, str] = {}
        for p in pages:
            for mod, desc in p.modifiers:
                modifiers.setdefault(mod, desc)
        costs = [p.cost for p in pages if p.cost]
        durations = [p.duration for p in pages if p.duration]
        rows.append(
            {
                "code": code,
                "code_system": pages[0].code_system,
                "title": _first(p.title for p in pages) or code,
                "official_description": _first(p.official_description for p in pages),
                "lay_description": _first(p.lay_description for p in pages),
                "is_add_on": any(p.is_add_on for p in pages),
                "category": _first(p.category for p in pages),
                "modifiers": [{"modifier": m, "description": modifiers[m]} for m in sorted(modifiers)],
                "cost_min_usd": min(c[0] for c in costs) if costs else None,
                "cost_max_usd": max(c[1] for c in costs) if costs else None,
                "duration_min_minutes": min(d[0] for d in durations) if durations else None,
                "duration_max_minutes": max(d[1] for d in durations) if durations else None,
                "sources": sorted({d.site for d in group}),
                "document_ids": sorted(d.document_id for d in group),
            }
        )
    return rows


def _sections(docs: Sequence[Document]) -> list[dict]:
    rows = []
    for d in docs:
        assert d.parsed is not None
        for sec in d.parsed.sections:
            rows.append(
                {
                    "code": d.parsed.code,
                    "section": sec.section,
                    "heading": sec.heading,
                    "position": sec.position,
                    "text": sec.text,
                    "items": list(sec.items),
                    "document_id": d.document_id,
                    "site": d.site,
                }
            )
    rows.sort(key=lambda r: (r["section"], r["code"] or "", r["document_id"], r["position"]))
    return rows


def _faq(docs: Sequence[Document]) -> list[dict]:
    rows = []
    for d in sorted(docs, key=lambda d: (d.parsed.code or "" if d.parsed else "", d.document_id)):
        assert d.parsed is not None
        for question, answer in d.parsed.faq:
            rows.append({"code": d.parsed.code, "question": question, "answer": answer, "document_id": d.document_id, "site": d.site})
    return rows


def _facts(docs: Sequence[Document]) -> list[dict]:
    rows = []
    for d in sorted(docs, key=lambda d: d.document_id):
        assert d.parsed is not None
        for key, value in d.parsed.facts:
            rows.append({"code": d.parsed.code, "key": key, "value": value, "document_id": d.document_id, "site": d.site})
    return rows


def _section_items(curated: Sequence[Document]) -> list[dict]:
    groups: dict[tuple[str, str, str], dict] = {}
    for d in curated:  # best document first: its wording represents the item
        assert d.parsed is not None and d.parsed.code is not None
        for sec in d.parsed.sections:
            for item in sec.items:
                key = (d.parsed.code, sec.section, normalize_key(item))
                entry = groups.setdefault(key, {"item": item, "sites": set(), "document_ids": set()})
                entry["sites"].add(d.site)
                entry["document_ids"].add(d.document_id)
    rows = []
    for (code, section, item_key), entry in sorted(groups.items()):
        rows.append(
            {
                "code": code,
                "section": section,
                "item": entry["item"],
                "item_key": item_key,
                "sites": sorted(entry["sites"]),
                "document_ids": sorted(entry["document_ids"]),
                "n_sources": len(entry["sites"]),
            }
        )
    return rows


def _removed(docs: Sequence[Document]) -> list[dict]:
    rows = [
        {"document_id": d.document_id, "line_no": r.line_no, "text": r.text, "rule": r.rule}
        for d in docs
        for r in d.removed
    ]
    rows.sort(key=lambda r: (r["document_id"], r["line_no"], r["rule"], r["text"]))
    return rows
