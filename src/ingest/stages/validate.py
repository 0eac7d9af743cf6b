"""Validation before publishing: a pandera schema per table.

Types, non-null keys, allowed statuses and sections, code formats per code system, cost and
duration minimum <= maximum, no duplicate keys. Rows that fail are taken out of their table
and kept in ``rejected_rows`` (table, key, reason, the row as JSON); a document with a failing
row becomes ``quarantined`` with reason ``validation``, and its rows leave every other table,
so nothing half-valid is published.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pandas as pd
import pandera.pandas as pa_
import pyarrow as pa
import pyarrow.compute as pc

from ingest import schema

from .sections import CANONICAL_SECTIONS

CPT = r"^(\d{5}|\d{4}[FT])$"
HCPCS = r"^[A-V]\d{4}$"
STATUSES = ["curated", "duplicate", "no_code", "quarantined"]

REJECTED_ROWS = schema.REJECTED_ROWS


def _code_matches_system(df: pd.DataFrame) -> pd.Series:
    code, system = df["code"].astype("string"), df["code_system"].astype("string")
    cpt = code.str.match(CPT).fillna(False) & (system == "CPT").fillna(False)
    hcpcs = code.str.match(HCPCS).fillna(False) & (system == "HCPCS").fillna(False)
    return cpt | hcpcs | code.isna()


def _range_ok(lo: str, hi: str):
    return lambda df: df[lo].isna() | df[hi].isna() | (df[lo] <= df[hi])


SCHEMAS: dict[str, pa_.DataFrameSchema] = {
    "documents": pa_.DataFrameSchema(
        {
            "document_id": pa_.Column(str, nullable=False, unique=True),
            "raw_path": pa_.Column(str, nullable=False),
            "site": pa_.Column(str, nullable=False),
            "status": pa_.Column(str, pa_.Check.isin(STATUSES), nullable=False),
            "code": pa_.Column(str, pa_.Check.str_matches(f"{CPT}|{HCPCS}"), nullable=True),
        },
        checks=[
            pa_.Check(_code_matches_system, element_wise=False, error="code does not match its code_system"),
            pa_.Check(
                lambda df: df["status"].ne("duplicate") | df["duplicate_of"].notna(),
                error="duplicate without duplicate_of",
            ),
        ],
    ),
    "codes": pa_.DataFrameSchema(
        {
            "code": pa_.Column(str, nullable=False, unique=True),
            "code_system": pa_.Column(str, pa_.Check.isin(["CPT", "HCPCS"]), nullable=False),
            "title": pa_.Column(str, pa_.Check.str_length(min_value=1), nullable=False),
            "is_add_on": pa_.Column(bool, nullable=False),
        },
        checks=[
            pa_.Check(_code_matches_system, error="code does not match its code_system"),
            pa_.Check(_range_ok("cost_min_usd", "cost_max_usd"), error="cost_min_usd > cost_max_usd"),
            pa_.Check(_range_ok("duration_min_minutes", "duration_max_minutes"), error="duration min > max"),
            pa_.Check(lambda df: df["cost_min_usd"].isna() | (df["cost_min_usd"] >= 0), error="negative cost"),
        ],
    ),
    "sections": pa_.DataFrameSchema(
        {
            "section": pa_.Column(str, pa_.Check.isin(list(CANONICAL_SECTIONS)), nullable=False),
            "document_id": pa_.Column(str, nullable=False),
            "position": pa_.Column("int32", pa_.Check.ge(1), nullable=False),
            "code": pa_.Column(str, pa_.Check.str_matches(f"{CPT}|{HCPCS}"), nullable=True),
        },
        unique=["document_id", "position"],
    ),
    "faq": pa_.DataFrameSchema(
        {
            "question": pa_.Column(str, pa_.Check.str_length(min_value=1), nullable=False),
            "answer": pa_.Column(str, pa_.Check.str_length(min_value=1), nullable=False),
            "document_id": pa_.Column(str, nullable=False),
        },
        unique=["document_id", "question"],
    ),
    "section_items": pa_.DataFrameSchema(
        {
            "code": pa_.Column(str, nullable=False),
            "section": pa_.Column(str, pa_.Check.isin(list(CANONICAL_SECTIONS)), nullable=False),
            "n_sources": pa_.Column("int32", pa_.Check.ge(1), nullable=False),
        },
        unique=["code", "section", "item_key"],
    ),
    "facts": pa_.DataFrameSchema(
        {"key": pa_.Column(str, nullable=False), "document_id": pa_.Column(str, nullable=False)}
    ),
    "removed_lines": pa_.DataFrameSchema(
        {"document_id": pa_.Column(str, nullable=False), "rule": pa_.Column(str, nullable=False)}
    ),
}


def _failures(name: str, df: pd.DataFrame) -> dict[int, str]:
    """Row index -> reason, for every row of ``df`` that fails its table's schema."""
    try:
        SCHEMAS[name].validate(df, lazy=True)
    except pa_.errors.SchemaErrors as exc:
        out: dict[int, str] = {}
        cases = exc.failure_cases
        for _, case in cases.iterrows():
            index = case.get("index")
            reason = f"{case.get('column') or 'row'}: {case.get('check')}"
            if index is None or pd.isna(index):  # a check on the whole table: blame every row
                for i in df.index:
                    out.setdefault(int(i), reason)
            else:
                out.setdefault(int(index), reason)
        return out
    return {}


# The columns each table's checks read (and document_id, which carries a failure to its page).
# Only these are converted to pandas: the text, item and list columns are not, and a table
# whose rows all pass is returned as it came, untouched.
CHECKED: dict[str, list[str]] = {
    "documents": ["document_id", "raw_path", "site", "status", "code", "code_system", "duplicate_of"],
    "codes": ["code", "code_system", "title", "is_add_on", "cost_min_usd", "cost_max_usd", "duration_min_minutes",
              "duration_max_minutes"],
    "sections": ["section", "document_id", "position", "code"],
    "faq": ["question", "answer", "document_id"],
    "section_items": ["code", "section", "n_sources", "item_key"],
    "facts": ["key", "document_id"],
    "removed_lines": ["document_id", "rule"],
}


def validate_tables(tables: dict[str, pa.Table]) -> tuple[dict[str, pa.Table], pa.Table]:
    """Tables with failing rows removed (and their documents quarantined), and the rejects."""
    rejected: list[dict] = []
    bad_docs: dict[str, str] = {}
    drop: dict[str, list[int]] = defaultdict(list)
    for name, table in tables.items():
        if name not in SCHEMAS:
            continue
        df = table.select(CHECKED[name]).to_pandas()
        for index, reason in _failures(name, df).items():
            row = table.slice(index, 1).to_pylist()[0]
            doc_id = row.get("document_id")
            drop[name].append(index)
            rejected.append({"table": name, "document_id": doc_id, "reason": reason,
                             "row": json.dumps({k: _jsonable(v) for k, v in row.items()}, default=str)})
            if doc_id is not None:
                bad_docs.setdefault(
                    doc_id, f"validation: {reason}" if name == "documents" else f"validation: {name} {reason}"
                )
    if not rejected:
        return tables, REJECTED_ROWS.empty_table()
    out = dict(tables)
    bad = pa.array(sorted(bad_docs), pa.string())
    for name, table in tables.items():
        if name not in SCHEMAS:
            continue
        if name == "documents":  # every page keeps its one documents row
            ids = table.column("document_id")
            hit = pc.is_in(ids, bad)
            status = pc.if_else(hit, pa.scalar("quarantined"), table.column("status"))
            reasons = [
                bad_docs.get(i, r) for i, r in zip(ids.to_pylist(), table.column("reason").to_pylist(), strict=True)
            ]
            table = table.set_column(table.schema.get_field_index("status"), "status", status)
            out[name] = table.set_column(
                table.schema.get_field_index("reason"), "reason", pa.array(reasons, pa.string())
            )
            continue
        keep = np.ones(table.num_rows, dtype=bool)
        keep[drop[name]] = False
        mask = pa.array(keep)
        if "document_id" in table.column_names:
            mask = pc.and_(mask, pc.invert(pc.fill_null(pc.is_in(table.column("document_id"), bad), False)))
        out[name] = table.filter(mask)
    return out, pa.Table.from_pylist(rejected, schema=REJECTED_ROWS)


def _jsonable(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    return value
