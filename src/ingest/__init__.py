"""Scraped billing-code pages into curated Parquet tables.

For readers of the curated tables, wherever they are published::

    import pandas as pd
    import ingest

    sections = pd.read_parquet(ingest.current_path("s3://bucket/curated", "sections"))
"""

from __future__ import annotations

__all__ = ["current_path"]


def current_path(curated, table: str) -> str:
    """Where ``table`` of the published snapshot is: a local path, or a URL on object storage
    (``s3://bucket/curated/_snapshots/<id>/<table>``) read from the pointer ``_current``."""
    from .write import current_path as _current_path

    return _current_path(curated, table)
