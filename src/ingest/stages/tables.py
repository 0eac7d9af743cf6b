"""Stage 5a: build the curated tables from processed documents, as pyarrow tables.

Rows are sorted on stable keys, so the same input gives byte-identical files.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from ingest import schema
from ingest.models import Document, ParsedPage, Quarantine, Status
from ingest.tabular import Spooled, connect, release

from .clean import normalize_key
from .dedup import document_id, keep_rank
from .site import host_of

# Tables with one key per page: a run builds them batch by batch. The code tables (codes,
# section_items) aggregate each code's pages and are built last, from each curated page's
# CodeSource and items.
PAGE_TABLES = ("documents", "sections", "faq", "facts", "removed_lines")
# Each page table's row order (None: a null sorts as the empty string); the sort is stable, so
# rows of one page with equal keys keep the page's own order.
ORDER: dict[str, list[str]] = {
    "documents": ["raw_path", "line_no", "document_id"],
    "sections": ["section", "code", "document_id", "position"],
    "faq": ["code", "document_id"],
    "facts": ["document_id"],
    "removed_lines": ["document_id", "line_no", "rule", "text"],
}


class CodeSource(NamedTuple):
    """What a curated page gives to its code's rows in ``codes`` and ``section_items``."""

    rank: tuple  # dedup.keep_rank: the best page's wording represents the code
    document_id: str
    site: str
    page: ParsedPage  # without facts, FAQ, sections and evidence: its items are rows of ITEMS


def build_tables(
    docs: Sequence[Document],
    quarantined: Sequence[Quarantine],
    first_seen: dict[str, datetime],
    now: datetime,
) -> dict[str, pa.Table]:
    """All curated tables. ``first_seen`` maps document ids of earlier runs to their
    ``ingested_at``, so that re-running over the same pages changes nothing."""
    pages = page_tables(docs, first_seen, now)
    pages["documents"] = pa.concat_tables([pages["documents"], quarantine_table(quarantined, first_seen, now)])
    tables = {name: sort_table(name, t) for name, t in pages.items()}
    tables.update(code_tables(*code_sources(docs)))
    tables["rejected_rows"] = schema.TABLES["rejected_rows"].empty_table()
    return {name: tables[name] for name in schema.TABLES}


def page_tables(docs: Sequence[Document], first_seen: dict[str, datetime], now: datetime) -> dict[str, pa.Table]:
    """The rows of ``docs`` in the page tables, in the pages' order (sort_table orders them)."""
    kept = [d for d in docs if d.status in (Status.CURATED, Status.NO_CODE)]
    rows = {
        "documents": _documents(docs, first_seen, now),
        "sections": _sections(kept),
        "faq": _faq(kept),
        "facts": _facts(kept),
        "removed_lines": _removed(kept),
    }
    return {name: pa.Table.from_pylist(rows[name], schema=schema.TABLES[name]) for name in PAGE_TABLES}


def sort_table(name: str, table: pa.Table) -> pa.Table:
    """A page table in its published order (ORDER)."""
    keys = ORDER[name]
    key_table = pa.table({k: _sort_key(table.column(k)) for k in keys})
    return table.take(pc.sort_indices(key_table, [(k, "ascending") for k in keys])).combine_chunks()


def _sort_key(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type):
        return pc.fill_null(column, "")
    if pa.types.is_integer(column.type):
        return pc.fill_null(column, 0)
    return column


ITEMS = pa.schema([pa.field("document_id", pa.string()), pa.field("seq", pa.int32()), pa.field("code", pa.string()),
                   pa.field("section", pa.string()), pa.field("item", pa.string()), pa.field("item_key", pa.string()),
                   pa.field("site", pa.string())])


def code_sources(docs: Iterable[Document]) -> tuple[list[CodeSource], pa.Table]:
    """The curated pages' CodeSources, and their section items, one row each (ITEMS), in Arrow."""
    out = []
    items: dict[str, list] = {name: [] for name in ITEMS.names}
    for d in docs:
        if d.status is not Status.CURATED:
            continue
        assert d.parsed is not None and d.parsed.code is not None
        out.append(CodeSource(keep_rank(d), d.document_id, d.site,
                              dataclasses.replace(d.parsed, facts=[], faq=[], evidence=[], sections=[])))
        seq = 0
        for sec in d.parsed.sections:
            for item in sec.items:
                for name, value in zip(ITEMS.names, (d.document_id, seq, d.parsed.code, sec.section, item,
                                                     normalize_key(item), d.site), strict=True):
                    items[name].append(value)
                seq += 1
    return out, pa.table(items, schema=ITEMS)


def code_tables(sources: Iterable[CodeSource], items: pa.Table) -> dict[str, pa.Table]:
    """``codes`` and ``section_items`` from the curated pages' CodeSources and items (code_sources;
    any order), in memory."""
    ranked = rank_sources(sources)
    pieces = list(section_item_pieces(pa.array([s.document_id for s in ranked], pa.string()), items))
    return {"codes": codes_table(ranked),
            "section_items": pa.concat_tables([schema.TABLES["section_items"].empty_table(), *pieces]).combine_chunks()}


def rank_sources(sources: Iterable[CodeSource]) -> list[CodeSource]:
    """CodeSources best first (dedup.keep_rank): what codes_table takes (and, their document
    ids, section_item_pieces)."""
    return sorted(sources, key=lambda s: s.rank)


def codes_table(ranked: Sequence[CodeSource]) -> pa.Table:
    return pa.Table.from_pylist(_codes(ranked), schema=schema.TABLES["codes"])


def quarantine_id(q: Quarantine) -> str:
    return document_id(q.raw_path, q.line_no, f"quarantined:{q.reason}")


def _documents(docs: Sequence[Document], first_seen: dict[str, datetime], now: datetime) -> list[dict]:
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
                "warnings": "; ".join([*d.warnings, *(page.warnings if page else ())]) or None,
                "ingested_at": first_seen.get(d.document_id, now),
            }
        )
    return rows


def quarantine_table(quarantined: Sequence[Quarantine], first_seen: dict[str, datetime], now: datetime) -> pa.Table:
    """The ``documents`` rows of quarantined pages."""
    rows = []
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
    return pa.Table.from_pylist(rows, schema=schema.TABLES["documents"])


def _first(values: Iterable[object]) -> object:
    return next((v for v in values if v not in (None, "")), None)


def _codes(curated: Sequence[CodeSource]) -> list[dict]:
    by_code: dict[str, list[CodeSource]] = defaultdict(list)
    for d in curated:
        assert d.page.code is not None
        by_code[d.page.code].append(d)
    rows = []
    for code in sorted(by_code):
        group = by_code[code]  # already best-first
        pages = [d.page for d in group]
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


# A row of a section the page gives under several headings names them all, in page order.
MERGED_HEADINGS = " / "


def _sections(docs: Sequence[Document]) -> list[dict]:
    rows = []
    for d in docs:
        assert d.parsed is not None
        for sec in d.parsed.sections:
            rows.append(
                {
                    "code": d.parsed.code,
                    "section": sec.section,
                    "heading": MERGED_HEADINGS.join(dict.fromkeys(h for h in (sec.heading, *sec.merged_headings) if h)),
                    "position": sec.position,
                    "text": sec.text,
                    "items": list(sec.items),
                    "document_id": d.document_id,
                    "site": d.site,
                }
            )
    return rows


def _faq(docs: Sequence[Document]) -> list[dict]:
    rows = []
    for d in docs:
        assert d.parsed is not None
        for question, answer in d.parsed.faq:
            rows.append({"code": d.parsed.code, "question": question, "answer": answer,
                         "document_id": d.document_id, "site": d.site})
    return rows


def _facts(docs: Sequence[Document]) -> list[dict]:
    rows = []
    for d in docs:
        assert d.parsed is not None
        for key, value in d.parsed.facts:
            rows.append({"code": d.parsed.code, "key": key, "value": value,
                         "document_id": d.document_id, "site": d.site})
    return rows


# section_items is grouped this many item rows at a time (whole codes, in code order): the
# grouping's memory is bounded by a chunk, not by the corpus.
ITEM_CHUNK_ROWS = 50_000


def section_item_pieces(ranked: pa.Array, items: pa.Table | Spooled) -> Iterator[pa.Table]:
    """``section_items``, a range of codes at a time, in order: one row per (code, section, item
    key), with the wording of the best page that states it (the first of the best page's, if
    it states it twice), every site and page stating it. Grouped in DuckDB over the items
    (code_sources; in memory, or spooled): a row per item of every curated page would be
    millions of Python objects on a large corpus. ``ranked``: the curated pages' document
    ids, best first (rank_sources)."""
    if isinstance(items, Spooled) and not items.files:
        return
    con = connect()
    try:
        rank = pa.table({"document_id": ranked, "doc_rank": pa.array(range(len(ranked)), pa.int64())})
        con.register("ranks", rank)
        if isinstance(items, Spooled):
            con.execute(f"create view items as select * from {items.scan()}")
        else:
            con.register("items", items)
        counts = con.sql("select code, count(*) from items group by code order by code").fetchall()
        con.execute("create view occurrences as select i.*, r.doc_rank from items i join ranks r using (document_id)")
        for lo, hi in _code_ranges(counts):
            yield con.sql(
                """select code, section, arg_min(item, doc_rank * 1048576 + seq) as item, item_key,
                          list_sort(list_distinct(list(site))) as sites,
                          list_sort(list_distinct(list(document_id))) as document_ids,
                          count(distinct site) as n_sources
                   from occurrences where code >= ? and code <= ?
                   group by code, section, item_key order by code, section, item_key""", params=[lo, hi]
            ).to_arrow_table().cast(schema.TABLES["section_items"])
    finally:
        release(con)


def _code_ranges(counts: Sequence[tuple[str, int]]) -> list[tuple[str, str]]:
    """Consecutive ranges of codes (first, last), each with about ITEM_CHUNK_ROWS rows, from
    (code, rows) in code order."""
    ranges: list[tuple[str, str]] = []
    first, rows = None, 0
    for code, n in counts:
        first = first or code
        rows += n
        if rows >= ITEM_CHUNK_ROWS:
            ranges.append((first, code))
            first, rows = None, 0
    if first is not None:
        ranges.append((first, counts[-1][0]))
    return ranges


def _removed(docs: Sequence[Document]) -> list[dict]:
    rows = [
        {"document_id": d.document_id, "line_no": r.line_no, "text": r.text, "rule": r.rule, "score": r.score}
        for d in docs
        for r in d.removed
    ]
    return rows
