"""A table's rows as the layers hand them on: in memory (a pa.Table), or in Parquet files
(Spooled), and the DuckDB connection that reads either within a fixed memory budget.

Data and how to read it, nothing more: the stages build tables of either kind, the store
(segments.py, write.py) writes them, and the runtime's Spool (spool.py) makes the files.
Kept below all three so that none of them imports another layer's module for a type.
"""

from __future__ import annotations

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
    groups out of core, in ``scratch``), and times in UTC."""
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {
        "threads": 1, "memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False}
    if scratch is not None:
        config["temp_directory"] = str(scratch)
    con = duckdb.connect(config=config)
    con.execute("set TimeZone = 'UTC'")
    return con


def count_values(table, column: str) -> dict:
    """{value: rows} of a column of a pa.Table or a Spooled table."""
    counts = pc.value_counts(table.column(column))
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))
