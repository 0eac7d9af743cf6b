"""The analysts' ways into the curated tables: one per tool, each reading one published
snapshot with the tables' own types.

- ``ingest.connect()``: a DuckDB connection with a view per table (``FROM sections``), on
  the snapshot that was current when it connected; ``ingest sql "…"`` on the command line.
- ``ingest.read_table(name)``: a table as pandas (integers stay integers, nulls as ``<NA>``)
  or, with ``arrow=True``, as an Arrow table, the partition column ``section`` included.

Reading the Parquet directories directly is what these spare a reader: DuckDB needs a glob and
``hive_partitioning`` for ``sections``, ``pyarrow.dataset`` drops ``section`` without
``partitioning="hive"``, and pandas turns a nullable integer column into floats.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from ingest.store import storage
from ingest.store.write import current_path, read_previous

from . import schema

TABLES = tuple(schema.TABLES)

_PANDAS_INTEGERS = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


def _check(name: str) -> None:
    if name not in schema.TABLES:
        raise KeyError(f"no curated table {name!r}; the tables are {', '.join(TABLES)}")


def read_table(name: str, curated: str | Path = "curated", *, arrow: bool = False) -> pd.DataFrame | pa.Table:
    """Table ``name`` of the published snapshot in ``curated`` (a directory or a URL), with the
    columns and types of its schema: a pandas DataFrame, or an Arrow table with ``arrow=True``."""
    _check(name)
    current_path(curated, name)  # a clear error when nothing is published there
    empty = schema.TABLES[name].empty_table()
    table = read_previous(curated, name)
    table = empty if table is None else table.select(empty.schema.names).cast(empty.schema)
    return table if arrow else table.to_pandas(types_mapper=_PANDAS_INTEGERS.get)


def connect(curated: str | Path = "curated", database: str = ":memory:"):
    """A DuckDB connection with a view per curated table, named as the table (``documents``,
    ``codes``, ``sections``, ...), on the snapshot published when it was made: every query on
    it sees one consistent state, whatever runs publish meanwhile. Local directories only;
    on object storage use ``read_table`` (or DuckDB's httpfs on ``ingest.current_path``)."""
    import duckdb

    if storage.is_remote(storage.location(curated)):
        raise ValueError("ingest.connect() reads a local curated directory; for object storage use ingest.read_table")
    paths = {name: Path(current_path(curated, name)) for name in TABLES}
    con = duckdb.connect(database)
    for name, path in paths.items():
        if any(path.rglob("*.parquet")):
            hive = "true" if name in schema.PARTITIONS else "false"
            source = f"read_parquet({_quote(str(path / '**' / '*.parquet'))}, hive_partitioning={hive})"
            columns = ", ".join(f'"{c}"' for c in schema.TABLES[name].empty_table().schema.names)
            con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} FROM {source}')
        else:  # a table with no rows in this snapshot: an empty view of its columns
            con.register(name, schema.TABLES[name].empty_table())
    return con


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
