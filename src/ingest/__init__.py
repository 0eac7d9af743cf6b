"""Scraped billing-code pages into curated Parquet tables.

For readers of the curated tables (see access.py)::

    import ingest

    sections = ingest.read_table("sections")                # pandas; arrow=True for Arrow
    ingest.connect().sql("FROM sections LIMIT 5").show()   # DuckDB, a view per table
    sections = ingest.read_table("sections", "s3://bucket/curated")
"""

from __future__ import annotations

__all__ = ["connect", "current_path", "read_table"]


def connect(curated="curated", database: str = ":memory:"):
    """A DuckDB connection with a view per curated table (access.connect)."""
    from .access import connect as _connect

    return _connect(curated, database)


def read_table(name: str, curated="curated", *, arrow: bool = False):
    """A curated table as pandas, or Arrow with ``arrow=True`` (access.read_table)."""
    from .access import read_table as _read_table

    return _read_table(name, curated, arrow=arrow)


def current_path(curated, table: str) -> str:
    """Where ``table`` of the published snapshot is: a local path, or a URL on object storage
    (``s3://bucket/curated/_snapshots/<id>/<table>``) read from the pointer ``_current``."""
    from ingest.store.write import current_path as _current_path

    return _current_path(curated, table)
