"""A run's working files: table rows written batch by batch, so that no table is held whole.

A run gathers each curated table a batch at a time. Held in memory until published, the
tables and the pages' state would grow with the corpus. Spooled, each batch's rows go to a
Parquet file in a temporary directory as soon as they are built, and the writer
(segments.py) reads them back with DuckDB, which digests, sorts and splits them within a
fixed memory budget.

The spool lives on local disk (``TMPDIR``) whatever the curated target, and is removed when
the run ends, published or not. A run killed outright (SIGKILL, the OOM killer, a lost
machine) cannot remove it; the next spool made in the same directory does (Spool.sweep):
each spool holds a lock on a file inside it for as long as its process lives.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.errors import OutputError
from ingest.tabular import SEQ, Spooled

# Spool files are read once or twice and then deleted: fast compression, not small files.
_OPTIONS = {"compression": "lz4", "write_statistics": False}


@dataclass(slots=True)
class Piece:
    """Rows added to a spool in one call (Spool.add)."""

    path: Path | None
    schema: pa.Schema

    def read(self) -> pa.Table:
        return self.schema.empty_table() if self.path is None else pq.read_table(self.path).drop_columns([SEQ])


PREFIX = "ingest-spool-"
LOCK = ".lock"
# A spool directory without its lock file is one being made at this instant, or one left by a
# version before the lock: swept only when older than this.
UNLOCKED_AGE = 3600.0


class Spool:
    """A temporary directory of Spooled tables. Use as a context manager, or close()."""

    def __init__(self, directory: Path | str | None = None) -> None:
        try:
            self.root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=directory))
        except OSError as exc:
            raise _spool_error(directory or tempfile.gettempdir(), exc) from exc
        self.tables: dict[str, Spooled] = {}
        self._lock = _hold(self.root / LOCK)
        self._cleanup = weakref.finalize(self, _remove, self.root, self._lock)  # however the run ends
        self.swept = sweep(self.root.parent, self.root)

    def table(self, name: str, schema: pa.Schema, order: list[str] | None = None, presorted: bool = False) -> Spooled:
        """The Spooled table ``name`` (created empty on first use)."""
        spooled = self.tables.get(name)
        if spooled is None:
            spooled = self.tables[name] = Spooled(schema, list(order or []), presorted=presorted)
        return spooled

    def add(self, name: str, rows: pa.Table, order: list[str] | None = None) -> Piece:
        """Append ``rows`` to table ``name`` (one file; nothing for no rows). Returns them as a
        Piece, to read them back."""
        spooled = self.table(name, rows.schema, order)
        if not rows.num_rows:
            return Piece(None, spooled.schema)
        seq = pa.array(range(spooled.num_rows, spooled.num_rows + rows.num_rows), pa.int64())
        path = self.root / f"{re.sub(r'[^A-Za-z0-9_]+', '_', name)}-{len(spooled.files):06d}.parquet"
        try:
            pq.write_table(rows.cast(spooled.schema).append_column(SEQ, seq), path, **_OPTIONS)
        except OSError as exc:  # a full or failing TMPDIR: the run's message, not a traceback
            with contextlib.suppress(OSError):
                path.unlink()
            raise _spool_error(self.root.parent, exc) from exc
        spooled.files.append(path)
        spooled.num_rows += rows.num_rows
        return Piece(path, spooled.schema)

    def scratch(self) -> Path:
        """A directory for DuckDB's temporary files, inside the spool."""
        path = self.root / "duckdb"
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            raise _spool_error(self.root.parent, exc) from exc
        return path

    def close(self) -> None:
        self._cleanup()
        self.tables = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _spool_error(directory: Path | str, exc: OSError) -> OutputError:
    detail = os.strerror(exc.errno) if exc.errno else str(exc)
    return OutputError(f"could not write the run's working files in {directory} ({detail}); free space there or "
                       f"set TMPDIR to another directory. Nothing was published.")


def _hold(path: Path) -> int:
    """Open ``path`` and lock it for this process's life."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    with contextlib.suppress(OSError):  # a filesystem without flock: no sweep can take it either
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else holds it
    return fd


def _remove(root: Path, lock: int) -> None:
    shutil.rmtree(root, True)
    os.close(lock)


def sweep(directory: Path, keep: Path | None = None) -> list[Path]:
    """Remove the spools in ``directory`` whose process has died: a spool's lock is free only
    then (the kernel drops a process's flocks when it ends, however it ends). Spools of live
    runs, this process's and other processes', hold their locks and stay. Returns what it
    removed."""
    removed = []
    for root in directory.glob(PREFIX + "*"):
        if root == keep or not root.is_dir():
            continue
        try:
            fd = os.open(root / LOCK, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            with contextlib.suppress(OSError):
                if time.time() - root.stat().st_mtime > UNLOCKED_AGE:
                    shutil.rmtree(root, True)
                    removed.append(root)
            continue
        except OSError:  # another user's spool, or gone already
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: a live run's
            os.close(fd)
            continue
        shutil.rmtree(root, True)  # while holding its lock: no one can be using it
        os.close(fd)
        removed.append(root)
    return removed
