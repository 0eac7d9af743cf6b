"""The analysts' reading paths (access.py): one per tool, each with the tables' own columns
and types, on the published snapshot."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

import ingest
from ingest.config import Settings
from ingest.errors import OutputError
from ingest.runtime.pipeline import run
from ingest.schema import PARTITIONS, TABLES

from .conftest import PAGES, RAW, copy_raw


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("access")
    raw = copy_raw(tmp / "raw", RAW, PAGES)  # the JSONL feed: documents with a line_no, others without
    run(Settings(raw=raw, curated=tmp / "curated"))
    return tmp / "curated"


def test_read_table_keeps_integers_and_the_partition_column(curated):
    documents = ingest.read_table("documents", curated)
    assert str(documents.line_no.dtype) == "Int32"  # not float64, nulls as <NA>
    assert documents.line_no.isna().any() and (documents.line_no.dropna() >= 1).all()
    assert documents.line_no.dropna().tolist() == [int(v) for v in documents.line_no.dropna()]
    sections = ingest.read_table("sections", curated)
    assert "section" in sections.columns and "complications" in set(sections.section)
    assert list(sections.columns) == TABLES["sections"].empty_table().schema.names
    arrow = ingest.read_table("sections", curated, arrow=True)
    assert isinstance(arrow, pa.Table) and arrow.schema.field("section").type == pa.string()
    assert arrow.num_rows == len(sections) == len(pd.read_parquet(curated / "sections"))


def test_plain_pandas_reads_line_no_as_integers(curated):
    """The plainest path, pd.read_parquet on the table's folder, keeps line_no integer too."""
    line_no = pd.read_parquet(curated / "documents").line_no
    assert str(line_no.dtype) == "Int32" and line_no.isna().any() and line_no.notna().any()


def test_connect_has_a_view_per_table(curated):
    con = ingest.connect(curated)
    views = {row[0] for row in con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    registered = {row[0] for row in con.sql("SHOW TABLES").fetchall()}
    assert set(TABLES) <= views | registered
    n = con.sql("SELECT count(*) FROM sections WHERE section = 'complications'").fetchall()[0][0]
    assert n == (pd.read_parquet(curated / "sections").section == "complications").sum() >= 5
    for name in TABLES:
        assert con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0] == len(ingest.read_table(name, curated))
    assert {r[0]: r[1] for r in con.sql("DESCRIBE documents").fetchall()}["line_no"] == "INTEGER"
    assert set(PARTITIONS) == {"sections"}  # the one partitioned table, read with its key above


def test_reading_paths_say_when_nothing_is_published(tmp_path):
    with pytest.raises(OutputError, match="no published snapshot"):
        ingest.read_table("codes", tmp_path)
    with pytest.raises(OutputError, match="no published snapshot"):
        ingest.connect(tmp_path)
    with pytest.raises(KeyError, match="no curated table"):
        ingest.read_table("nope", tmp_path)
