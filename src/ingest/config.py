"""One frozen settings object, built once by the caller and passed explicitly.

Nothing here reads the environment at import time: the CLI and the flow build a
:class:`Settings` from their arguments, tests build their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

Location: TypeAlias = Path | str

_LOCAL_PROTOCOLS = frozenset({"file", "local"})


def location(value: str | os.PathLike) -> Location:
    """A local path as a Path; a non-local fsspec URL as a normalised string (no trailing /).
    What a location setting means (storage.py reads and writes there, and exports it too)."""
    if isinstance(value, Path):
        return value
    text = os.fspath(value)
    if "://" not in text and "::" not in text:
        return Path(text)
    scheme, _, rest = text.partition("://")
    if "::" not in text and scheme.lower() in _LOCAL_PROTOCOLS:
        return Path(rest)
    return text.rstrip("/")


@dataclass(frozen=True, slots=True)
class Limits:
    """Safety limits for hostile input. Exceeding one quarantines the page, never the run."""

    # 50 MiB: the largest real code-lookup page seen is ~1 MB; a scraper dump this
    # large is almost certainly a mistake (a video, an archive) rather than a page.
    max_file_bytes: int = 50 * 1024 * 1024
    # 200 MiB after gunzip: far above any page, low enough that a gzip bomb is stopped early.
    max_decompressed_bytes: int = 200 * 1024 * 1024
    # Lines longer than this are cut (the rest is noted); minified HTML is parsed, not split on lines.
    max_line_chars: int = 100_000
    # HTML elements per page: real pages have a few thousand.
    max_html_elements: int = 200_000
    # Below this depth a subtree is flattened to one line of text (real pages nest < 40 deep;
    # libxml2 itself stops building the tree at 256).
    max_html_depth: int = 150
    # One HTML tag (between < and >) longer than this is cut before parsing: libxml2 is
    # quadratic in a tag's attributes (100,000 attributes take ~45 s). Only data-URI images come
    # close on real pages, and images are dropped anyway.
    max_tag_chars: int = 65_536
    # Wall time per page in the clean+parse stages.
    max_seconds_per_page: float = 10.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Where to read, where to write, and how.

    ``raw`` and ``curated`` take local paths or fsspec URLs (``s3://bucket/prefix``): a local
    one becomes a Path, a URL stays a string (see :mod:`ingest.store.storage`)."""

    raw: Path | str = Path("raw")
    curated: Path | str = Path("curated")
    full: bool = False
    limits: Limits = field(default_factory=Limits)
    # Snapshots kept under curated/_snapshots for `ingest rollback`.
    keep_snapshots: int = 5
    # Pages per batch: one Prefect task handles one batch (Prefect costs ~5 ms per task run).
    batch_size: int = 200

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw", location(self.raw))
        object.__setattr__(self, "curated", location(self.curated))


def default_workers() -> int:
    """Worker processes a run uses unless told: every core this process may run on (its CPU
    affinity, so a container or a `taskset` limit is respected), at least one."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return max(1, counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
