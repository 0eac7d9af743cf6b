"""The curated tables open as they are with pandas, pyarrow.dataset, DuckDB and Polars, with
the same rows everywhere; a filter on one code reads a small share of the data."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from ingest.config import Settings
from ingest.runtime.pipeline import run
from ingest.schema import PARTITIONS, TABLES

from .conftest import PAGES, RAW, copy_raw


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readers")
    raw = copy_raw(tmp / "raw", RAW, PAGES)
    run(Settings(raw=raw, curated=tmp / "curated"))
    return tmp / "curated"


def _canon(df: pd.DataFrame) -> list[tuple]:
    """Rows as comparable tuples (lists and structs as strings), sorted."""
    def cell(v):
        if hasattr(v, "tolist"):
            v = v.tolist()
        if v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, float) and v.is_integer():  # pandas widens nullable int32 to float
            v = int(v)
        if isinstance(v, datetime):  # engines differ in the zone they show; compare instants
            ts = pd.Timestamp(v)
            return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).isoformat()
        return repr(v) if isinstance(v, list | dict) else (None if v is None or v is pd.NA else str(v))

    cols = sorted(df.columns)
    return sorted((tuple(cell(v) for v in row) for row in df[cols].itertuples(index=False)), key=repr)


@pytest.mark.parametrize("table", [t for t in TABLES if not t.startswith("_")])
def test_same_rows_in_every_engine(curated, table):
    path = curated / table
    hive = table in PARTITIONS
    glob = str(path / ("**/*.parquet" if hive else "*.parquet"))
    frames = {
        "pandas": pd.read_parquet(path),
        "pyarrow": ds.dataset(path, format="parquet", partitioning="hive" if hive else None).to_table().to_pandas(),
        "duckdb": duckdb.sql(f"select * from read_parquet('{glob}', hive_partitioning={str(hive).lower()})").df(),
        "polars": pl.read_parquet(glob, hive_partitioning=hive).to_pandas(),
    }
    reference = _canon(frames["pandas"])
    assert reference or table == "rejected_rows", f"{table} is empty"
    for engine, frame in frames.items():
        assert set(frame.columns) == set(frames["pandas"].columns), engine
        assert _canon(frame) == reference, engine


def test_files_are_sorted_by_code_with_statistics(curated):
    for part in (curated / "sections").iterdir():
        meta = pq.ParquetFile(next(part.glob("*.parquet"))).metadata
        col = meta.schema.to_arrow_schema().get_field_index("code")
        stats = meta.row_group(0).column(col).statistics
        assert stats is not None and stats.has_min_max or stats.null_count == meta.num_rows
        codes = pq.read_table(next(part.glob("*.parquet")), columns=["code"]).column("code").to_pylist()
        present = [c for c in codes if c is not None]
        assert present == sorted(present)
