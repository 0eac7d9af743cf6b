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

import pandas as pd
import pandera.pandas as pa_
import pyarrow as pa

from . import schema
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
            pa_.Check(lambda df: df["status"].ne("duplicate") | df["duplicate_of"].notna(), error="duplicate without duplicate_of"),
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
    "facts": pa_.DataFrameSchema({"key": pa_.Column(str, nullable=False), "document_id": pa_.Column(str, nullable=False)}),
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


def validate_tables(tables: dict[str, pa.Table]) -> tuple[dict[str, pa.Table], pa.Table]:
    """Tables with failing rows removed (and their documents quarantined), and the rejects."""
    frames = {name: t.to_pandas() for name, t in tables.items() if name in SCHEMAS}
    rejected: list[dict] = []
    bad_docs: dict[str, str] = {}
    drop: dict[str, set[int]] = defaultdict(set)
    for name, df in frames.items():
        for index, reason in _failures(name, df).items():
            row = df.loc[index]
            doc_id = row.get("document_id") if "document_id" in df else None
            drop[name].add(index)
            rejected.append({"table": name, "document_id": doc_id, "reason": reason,
                             "row": json.dumps({k: _jsonable(v) for k, v in row.items()}, default=str)})
            if doc_id is not None and name != "documents":
                bad_docs.setdefault(doc_id, f"validation: {name} {reason}")
            elif name == "documents":
                bad_docs.setdefault(row["document_id"], f"validation: {reason}")
    if not rejected:
        return tables, REJECTED_ROWS.empty_table()
    out = dict(tables)
    for name, df in frames.items():
        keep = ~df.index.isin(list(drop[name]))
        if "document_id" in df and name != "documents":
            keep &= ~df["document_id"].isin(list(bad_docs))
        if name == "documents":
            df = df.copy()
            hit = df["document_id"].isin(list(bad_docs))
            df.loc[hit, "status"] = "quarantined"
            df.loc[hit, "reason"] = df.loc[hit, "document_id"].map(bad_docs)
            keep = pd.Series(True, index=df.index)  # every page keeps its one documents row
        out[name] = pa.Table.from_pandas(df[keep], schema=schema.TABLES[name], preserve_index=False)
    return out, pa.Table.from_pylist(rejected, schema=REJECTED_ROWS)


def _jsonable(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    return value
