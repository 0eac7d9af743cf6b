"""Stage 5b, write: publish all tables as one snapshot, atomically, under a lock.

Layout of the curated directory::

    curated/
      _snapshots/<utc-time>-<digest>/<table>/...   complete snapshots, newest last
      _current -> _snapshots/<id>                  the published snapshot (a symlink)
      documents -> _current/documents              one stable path per table
      sections  -> _current/sections               (hive partitions section=<name>/)
      ...
      .lock                                        held by the one writing run

A run writes a new snapshot into a hidden staging directory, renames it into place and then
swaps ``_current`` with one ``rename(2)``: readers of ``curated/<table>`` see the old snapshot
or the new one, never a mix or a half-written file. A killed run leaves at most a staging
directory, removed by the next run. Identical content is not published twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import schema
from .errors import LockError, OutputError

SNAPSHOTS = "_snapshots"
CURRENT = "_current"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"
# Row groups sized for analysts' filters: small enough to skip by code statistics, large
# enough to compress well.
ROW_GROUP_SIZE = 50_000


@contextlib.contextmanager
def writer_lock(curated: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the curated directory's writer lock. A second run fails fast with LockError
    (or waits, with ``wait``); the OS releases the lock if the holder dies."""
    curated.mkdir(parents=True, exist_ok=True)
    fh = open(curated / LOCK, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise LockError(f"another ingest run ({holder}) is writing to {curated}; try again when it ends") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fh.close()


def current_snapshot(curated: Path) -> Path | None:
    link = curated / CURRENT
    if not link.is_symlink():
        return None
    target = (curated / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def list_snapshots(curated: Path) -> list[Path]:
    root = curated / SNAPSHOTS
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_previous(curated: Path, table: str, columns: list[str] | None = None) -> pa.Table | None:
    snap = current_snapshot(curated)
    if snap is None or not (snap / table).exists():
        return None
    return pq.read_table(snap / table, columns=columns, partitioning="hive" if table in schema.PARTITIONS else None)


def publish(curated: Path, tables: dict[str, pa.Table], keep: int) -> tuple[str, bool]:
    """Write ``tables`` as a new snapshot and make it current. Returns (snapshot id, published);
    ``published`` is False when the content equals the current snapshot's."""
    curated.mkdir(parents=True, exist_ok=True)
    root = curated / SNAPSHOTS
    root.mkdir(exist_ok=True)
    _remove_staging(root)
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        staging.mkdir()
        for name, table in tables.items():
            _write_table(staging / name, name, table)
        digest = _digest(staging)
        current = current_snapshot(curated)
        if current is not None and current.name.endswith(digest):
            shutil.rmtree(staging)
            _ensure_table_links(curated, tables)
            return current.name, False
        snap_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{digest}"
        final = root / snap_id
        _fsync_tree(staging)
        os.rename(staging, final)
        _fsync_dir(root)
        _point(curated / CURRENT, Path(SNAPSHOTS) / snap_id)
        _ensure_table_links(curated, tables)
        _prune(curated, keep)
        return snap_id, True
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"could not publish the curated tables: {exc}") from exc


def rollback(curated: Path) -> str:
    """Make the snapshot before the current one current again. Returns its id."""
    snaps = list_snapshots(curated)
    current = current_snapshot(curated)
    if current is None or current not in snaps or snaps.index(current) == 0:
        raise OutputError("no earlier snapshot to roll back to")
    previous = snaps[snaps.index(current) - 1]
    _point(curated / CURRENT, Path(SNAPSHOTS) / previous.name)
    return previous.name


def _write_table(path: Path, name: str, table: pa.Table) -> None:
    path.mkdir(parents=True)
    part_col = schema.PARTITIONS.get(name)
    opts = {"compression": "zstd", "row_group_size": ROW_GROUP_SIZE, "write_statistics": True}
    if part_col is None:
        pq.write_table(table, path / "part-0.parquet", **opts)
        return
    values = sorted(set(table.column(part_col).to_pylist())) or ["other"]
    file_schema = table.schema.remove(table.schema.get_field_index(part_col))
    for value in values:
        part = table.filter(pc.equal(table.column(part_col), value)).drop_columns([part_col])
        part_dir = path / f"{part_col}={value}"
        part_dir.mkdir()
        pq.write_table(part.cast(file_schema), part_dir / "part-0.parquet", **opts)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(file.relative_to(path).as_posix().encode())
        h.update(file.read_bytes())
    return h.hexdigest()[:12]


def _point(link: Path, target: Path) -> None:
    """Atomically make ``link`` a symlink to ``target`` (rename over the old link)."""
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync_dir(link.parent)


def _ensure_table_links(curated: Path, tables: dict[str, pa.Table]) -> None:
    for name in tables:
        if name.startswith("_"):  # internal state, not a table for readers
            continue
        link = curated / name
        want = Path(CURRENT) / name
        if link.is_symlink() and Path(os.readlink(link)) == want:
            continue
        if link.exists() and not link.is_symlink():
            raise OutputError(f"{link} exists and is not managed by ingest; move it away")
        _point(link, want)


def _prune(curated: Path, keep: int) -> None:
    current = current_snapshot(curated)
    snaps = list_snapshots(curated)
    for old in snaps[: max(0, len(snaps) - keep)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def remove_staging(curated: Path) -> None:
    """Delete what a killed run left half-written. Call with the writer lock held."""
    root = curated / SNAPSHOTS
    if root.is_dir():
        _remove_staging(root)


def _remove_staging(root: Path) -> None:
    for p in root.iterdir():
        if p.name.startswith(STAGING_PREFIX):
            shutil.rmtree(p, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for d in [path, *(p for p in path.rglob("*") if p.is_dir())]:
        _fsync_dir(d)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
