"""DuckDB connections handed out again inside a publish (tabular.reused_connections)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from ingest import tabular


def _views(con) -> list[str]:
    return [name for (name,) in con.sql("select view_name from duckdb_views() where not internal").fetchall()]


def _temp_directory(con) -> str:
    return con.sql("select current_setting('temp_directory')").fetchall()[0][0]


def test_a_connection_given_back_is_handed_out_again_clean_and_closed_at_the_end(tmp_path):
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir()
    second_dir.mkdir()
    with tabular.reused_connections():
        con = tabular.connect(first_dir)
        con.register("src_rows", pa.table({"x": [1, 2, 3]}))
        con.execute("create view src as select * from src_rows")
        assert con.sql("select sum(x) from src").fetchall()[0][0] == 6
        tabular.release(con)
        again = tabular.connect(second_dir)
        assert again is con
        assert _views(again) == []  # the view dropped, the registered table let go
        assert _temp_directory(again) == str(second_dir)
        assert again.sql("select current_setting('TimeZone')").fetchall()[0][0] == "UTC"
        assert again.sql("select current_setting('threads')").fetchall()[0][0] == 1
        tabular.release(again)
        plain = tabular.connect()
        assert plain is con and _temp_directory(plain) == _temp_directory(duckdb.connect())
        tabular.release(plain)
    with pytest.raises(duckdb.Error):  # closed when the block ended
        con.sql("select 1")


def test_outside_the_block_a_connection_given_back_is_closed():
    con = tabular.connect()
    tabular.release(con)
    with pytest.raises(duckdb.Error):
        con.sql("select 1")
    assert tabular.connect() is not con


def test_a_connection_that_spilled_is_closed_not_kept(tmp_path, monkeypatch):
    """DuckDB cannot move a connection's temporary files: one that has spilled is not reused."""
    monkeypatch.setattr(tabular, "MEMORY_LIMIT", "32MB")
    with tabular.reused_connections():
        con = tabular.connect(tmp_path)
        rows = con.sql("select count(*) from (select i, repeat('x', 40) || i as s from range(1000000) t(i) order by s desc)")
        assert rows.fetchall()[0][0] == 1_000_000
        assert list(tmp_path.iterdir())  # it did spill
        tabular.release(con)
        other = tabular.connect()
        assert other is not con
        tabular.release(other)
    with pytest.raises(duckdb.Error):
        con.sql("select 1")
