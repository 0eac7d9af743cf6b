"""A table's rows as the layers hand them on: in memory (a pa.Table), or in Parquet files
(Spooled), and the DuckDB connection that reads either within a fixed memory budget.

Data and how to read it, nothing more: the stages build tables of either kind, the store
(segments.py, write.py) writes them, and the runtime's Spool (spool.py) makes the files.
Kept below all three so that none of them imports another layer's module for a type.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# DuckDB's budget for one table's digests and sorts (and for grouping section_items);
# beyond it, temporary files. A run's peak is its held memory plus this budget, which a
# large corpus fills and a small one does not. Not lower: grouping section_items
# (tables.ITEM_CHUNK_ROWS item rows a query) runs out of a budget half this size
# (benchmarks/results.md, "Measurements behind the code").
MEMORY_LIMIT = "64MB"

SEQ = "__seq"  # each spooled row's position in the order it was added (a stable sort's tiebreak)


@dataclass(slots=True)
class Spooled:
    """A table's rows in spool files, in the order they were added (SEQ numbers them).
    ``order`` names the columns the table is published sorted by (ties: the order added)."""

    schema: pa.Schema  # without SEQ
    order: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    num_rows: int = 0
    # Rows already in their published order, each key's rows together: written as they come,
    # without a sort (segments._write_presorted).
    presorted: bool = False

    def select(self, columns: list[str]) -> pa.Table:
        """Some of its columns, whole (for a summary or a test; a writer streams them)."""
        if not self.files:
            return self.schema.empty_table().select(columns)
        return pq.read_table(self.files, columns=columns)

    def read(self) -> pa.Table:
        return self.select(self.schema.names)

    def scan(self) -> str:
        """DuckDB's table function reading its files (with SEQ); it has at least one."""
        return "read_parquet([" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in self.files) + "])"

    def column(self, name: str) -> pa.ChunkedArray:
        return self.select([name]).column(name)


def connect(scratch: Path | None = None):
    """A DuckDB connection for one table: a bounded memory budget (beyond it DuckDB sorts and
    groups out of core, in ``scratch``), and times in UTC. Inside reused_connections, one
    given back earlier (release) when there is one. Give it back with release."""
    reused = _idle.take(scratch)
    if reused is not None:
        return reused
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {
        "threads": 1, "memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False}
    if scratch is not None:
        config["temp_directory"] = str(scratch)
    con = duckdb.connect(config=config)
    con.execute("set TimeZone = 'UTC'")
    return con


def release(con) -> None:
    """Done with a connection from connect: kept for the next connect inside
    reused_connections (its views dropped, its registered tables let go), closed otherwise."""
    if not _idle.keep(con):
        con.close()


@contextmanager
def reused_connections() -> Iterator[None]:
    """Within the block, connect hands out again the connections given back (release) instead
    of starting a DuckDB database for each table, which costs milliseconds of CPU (a publish
    starts one a table). Each stays one database with its own budget, used by one caller at a
    time; all are closed when the outermost block ends."""
    _idle.enter()
    try:
        yield
    finally:
        _idle.leave()


class _Idle:
    """The connections given back inside reused_connections, waiting to be handed out again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.cons: list = []

    def enter(self) -> None:
        with self.lock:
            self.depth += 1

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            closing, self.cons = (self.cons, []) if self.depth == 0 else ([], self.cons)
        for con in closing:
            con.close()

    def take(self, scratch: Path | None):
        """An idle connection made to spill into ``scratch``; None when there is none."""
        import duckdb

        while True:
            with self.lock:
                if not self.cons:
                    return None
                con = self.cons.pop()
            try:
                if scratch is not None:
                    con.execute("set temp_directory = " + _literal(str(scratch)))
                return con
            except duckdb.Error:
                con.close()

    def keep(self, con) -> bool:
        import duckdb

        with self.lock:
            if self.depth == 0:
                return False
        try:
            views = con.sql("select view_name, temporary from duckdb_views() where not internal").fetchall()
            for name, temporary in views:
                if temporary:
                    con.unregister(name)
                else:
                    con.execute(f"drop view {_identifier(name)}")
            # Back to DuckDB's own default, as connect(None) has it; DuckDB refuses once the
            # connection has spilled (it keeps its temporary directory): closed, not kept.
            con.execute("reset temp_directory")
        except duckdb.Error:
            return False
        with self.lock:
            if self.depth == 0:
                return False
            self.cons.append(con)
        return True


_idle = _Idle()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_values(table, column: str) -> dict:
    """{value: rows} of a column of a pa.Table or a Spooled table."""
    counts = pc.value_counts(table.column(column))
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))
