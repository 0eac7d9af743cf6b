"""Validation before publishing: bad rows never reach the published tables."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from ingest import schema
from ingest.config import Settings
from ingest.runtime.pipeline import process
from ingest.stages.tables import build_tables
from ingest.stages.validate import validate_tables

from .conftest import RAW, copy_raw


def _tables(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    docs, quarantined, _ = process(Settings(raw=raw, curated=tmp_path / "curated"))
    return build_tables(docs, quarantined, {}, pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime())


def _with(tables, name, mutate):
    df = tables[name].to_pandas()
    df = mutate(df)
    return {**tables, name: pa.Table.from_pandas(df, schema=schema.TABLES[name], preserve_index=False)}


def test_clean_tables_pass_untouched(tmp_path):
    tables = _tables(tmp_path)
    out, rejected = validate_tables(tables)
    assert rejected.num_rows == 0
    assert all(out[n].equals(tables[n]) for n in tables)


def test_bad_rows_are_rejected_and_their_documents_quarantined(tmp_path):
    tables = _tables(tmp_path)
    doc_21183 = tables["documents"].to_pandas().set_index("code").loc["21183", "document_id"]

    def bad_cost(df):
        df.loc[df.code == "21249", ["cost_min_usd", "cost_max_usd"]] = [9000.0, 100.0]
        return df

    def bad_section(df):
        df.loc[(df.document_id == doc_21183) & (df.section == "recovery"), "section"] = "gossip"
        return df

    tables = _with(_with(tables, "codes", bad_cost), "sections", bad_section)
    out, rejected = validate_tables(tables)
    reasons = rejected.to_pandas()
    assert set(reasons.table) == {"codes", "sections"}
    assert "21249" not in set(out["codes"].column("code").to_pylist())
    sections = out["sections"].to_pandas()
    assert doc_21183 not in set(sections.document_id)  # none of its rows is published
    docs = out["documents"].to_pandas().set_index("document_id")
    assert docs.loc[doc_21183, "status"] == "quarantined"
    assert docs.loc[doc_21183, "reason"].startswith("validation: sections")
    assert len(docs) == tables["documents"].num_rows  # every page keeps its one row
