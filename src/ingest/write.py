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

On object storage (``curated`` an fsspec URL such as ``s3://bucket/curated``) there are no
symlinks and no rename: a run writes the snapshot in a local temporary directory, uploads it
whole to ``_snapshots/<id>/``, writes ``_snapshots/<id>/_complete`` last (a manifest: every
file with its size), and only then overwrites the small object ``_current`` (its text is the
snapshot id; one PUT, which S3 makes atomic). Readers read ``_current`` first
(:func:`current_path`). A killed upload leaves a snapshot without ``_complete``, never pointed
at and removed by the next run. The writer lock is the object ``.lock``, created with a
conditional PUT (:class:`storage.ObjectLock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from . import memory, schema, segments, storage
from .errors import LockError, OutputError
from .spool import Spooled

Table = pa.Table | Spooled  # a table to publish: in memory, or in a run's spool files

SNAPSHOTS = "_snapshots"
CURRENT = "_current"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"
# Object storage: the marker written last into a complete snapshot.
COMPLETE = "_complete"
# Object storage: a lock whose holder has not renewed it for this long was left by a killed run
# and is broken by the next one. The holder renews it every tenth of this.
LOCK_STALE_SECONDS = float(os.environ.get("INGEST_LOCK_STALE_SECONDS", "300"))
_SNAPSHOT_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")
# Object locks held by this process, by curated URL, so publish() can check it still holds one.
_held: dict[str, storage.ObjectLock] = {}


@contextlib.contextmanager
def writer_lock(curated: Path | str, *, wait: bool = False) -> Iterator[None]:
    """Hold the curated directory's writer lock. A second run fails fast with LockError
    (or waits, with ``wait``); the OS releases the lock if the holder dies. On object storage
    the lock is an object (see :class:`storage.ObjectLock`): a killed holder's lock is broken
    ``LOCK_STALE_SECONDS`` after its last heartbeat."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        with _object_lock(curated, wait=wait):
            yield
        return
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


@contextlib.contextmanager
def _object_lock(curated: str, *, wait: bool) -> Iterator[None]:
    import time

    lock = storage.ObjectLock(storage.join(curated, LOCK), LOCK_STALE_SECONDS)
    try:
        while (holder := lock.acquire()) is not None:
            if not wait:
                raise LockError(f"another ingest run ({holder}) is writing to {curated}; try again when it ends")
            time.sleep(1.0)
    except OSError as exc:
        raise OutputError(f"could not take the writer lock {lock.url}: {exc}") from exc
    _held[curated] = lock
    try:
        yield
    finally:
        _held.pop(curated, None)
        try:
            lock.release()
        except OSError:
            pass  # the lock goes stale and the next run breaks it


def current_snapshot(curated: Path | str) -> Path | PurePosixPath | None:
    """The published snapshot: a local directory, or on object storage its path within the
    filesystem (``bucket/prefix/_snapshots/<id>``); None if nothing is published."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        snap_id = _read_pointer(curated)
        if snap_id is None or not storage.exists(storage.join(curated, SNAPSHOTS, snap_id, COMPLETE)):
            return None
        return PurePosixPath(storage.filesystem(storage.join(curated, SNAPSHOTS, snap_id))[1])
    link = curated / CURRENT
    if not link.is_symlink():
        return None
    target = (curated / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def current_path(curated: Path | str, table: str) -> str:
    """Where a reader finds ``table`` of the published snapshot, pinned to that snapshot:
    a local path, or a URL such as ``s3://bucket/curated/_snapshots/<id>/sections``.

    On object storage this is how readers open a table (``pd.read_parquet(current_path(...),
    storage_options=...)``): there is no symlink, the pointer ``_current`` names the snapshot.
    Read every table of one analysis from the same call's snapshot to see one consistent state.
    """
    curated = storage.location(curated)
    snap = current_snapshot(curated)
    if snap is None:
        raise OutputError(f"no published snapshot in {storage.url_of(curated)}")
    if isinstance(snap, Path):
        return str(snap / table)
    return storage.join(curated, SNAPSHOTS, snap.name, table)


def _read_pointer(curated: str) -> str | None:
    data = storage.read_optional(storage.join(curated, CURRENT), 1024)
    if data is None:
        return None
    snap_id = data.decode("utf-8", "replace").strip()
    return snap_id if _SNAPSHOT_ID.match(snap_id) else None


def list_snapshots(curated: Path | str) -> list[Path] | list[PurePosixPath]:
    curated = storage.location(curated)
    if storage.is_remote(curated):
        root = storage.join(curated, SNAPSHOTS)
        base = PurePosixPath(storage.filesystem(root)[1])
        return [base / name for name in storage.list_dirs(root)
                if _SNAPSHOT_ID.match(name) and storage.exists(storage.join(root, name, COMPLETE))]
    root = curated / SNAPSHOTS
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_previous(curated: Path | str, table: str, columns: list[str] | None = None) -> pa.Table | None:
    curated = storage.location(curated)
    snap = current_snapshot(curated)
    partitioning = "hive" if table in schema.PARTITIONS else None
    if snap is not None and storage.is_remote(curated):
        url = storage.join(curated, SNAPSHOTS, snap.name, table)
        if not storage.is_dir(url):
            return None
        fs, path = storage.filesystem(url)
        return pq.read_table(path, columns=columns, partitioning=partitioning, filesystem=fs)
    if snap is None or not (snap / table).exists():
        return None
    return pq.read_table(snap / table, columns=columns, partitioning=partitioning)


@memory.few_collections()
def publish(curated: Path | str, tables: dict[str, Table], keep: int) -> tuple[str, bool]:
    """Write ``tables`` as a new snapshot and make it current. Returns (snapshot id, published);
    ``published`` is False when the content equals the current snapshot's."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        return _publish_remote(curated, tables, keep)
    curated.mkdir(parents=True, exist_ok=True)
    root = curated / SNAPSHOTS
    root.mkdir(exist_ok=True)
    _remove_staging(root)
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        staging.mkdir()
        current = current_snapshot(curated)

        def reuse(name: str, old: str, new: str) -> None:  # the same bytes: a hard link
            assert current is not None
            _link_or_copy(current / name / old, staging / name / new)

        digest = _write_tables(staging, tables, _previous_segments(curated), reuse)
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


def _publish_remote(curated: str, tables: dict[str, Table], keep: int) -> tuple[str, bool]:
    """Object storage: every file of the snapshot first, its ``_complete`` marker, then the
    pointer (one PUT). The files are written locally first, so the id carries the same
    content digest as a local snapshot's."""
    try:
        with tempfile.TemporaryDirectory(prefix="ingest-snapshot-") as tmp:
            staging = Path(tmp)
            current = current_snapshot(curated)
            kept: list[tuple[str, str]] = []  # unchanged segments: copied on the store

            def reuse(name: str, old: str, new: str) -> None:
                assert current is not None
                kept.append((storage.join(curated, SNAPSHOTS, current.name, name, old), f"{name}/{new}"))

            digest = _write_tables(staging, tables, _previous_segments(curated), reuse)
            if current is not None and current.name.endswith(digest):
                return current.name, False
            snap_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{digest}"
            dest = storage.join(curated, SNAPSHOTS, snap_id)
            files = sorted(p for p in staging.rglob("*") if p.is_file())
            try:
                storage.copy([(src, storage.join(dest, rel)) for src, rel in kept])
                storage.upload([(f, storage.join(dest, f.relative_to(staging).as_posix())) for f in files])
                sizes = {f.relative_to(staging).as_posix(): f.stat().st_size for f in files}
                sizes.update(storage.sizes([storage.join(dest, rel) for _, rel in kept], dest))
                manifest = {"snapshot": snap_id, "files": sizes}
                storage.put_bytes(storage.join(dest, COMPLETE), json.dumps(manifest, indent=1).encode())
            except BaseException:
                with contextlib.suppress(Exception):  # best effort; else the next run removes it
                    storage.remove_tree(dest)
                raise
        _check_lock(curated)
        storage.put_bytes(storage.join(curated, CURRENT), f"{snap_id}\n".encode())
        _prune(curated, keep)
        return snap_id, True
    except OSError as exc:
        raise OutputError(f"could not publish the curated tables to {curated}: {exc}") from exc


def _check_lock(curated: str) -> None:
    lock = _held.get(curated)
    if lock is not None and not lock.check():
        raise LockError(f"the writer lock on {curated} was broken by another run (this run stalled "
                        f"longer than {lock.stale_after:g} s); nothing published")


def rollback(curated: Path | str) -> str:
    """Make the snapshot before the current one current again. Returns its id."""
    curated = storage.location(curated)
    snaps = list_snapshots(curated)
    current = current_snapshot(curated)
    if current is None or current not in snaps or snaps.index(current) == 0:
        raise OutputError("no earlier snapshot to roll back to")
    previous = snaps[snaps.index(current) - 1]
    if storage.is_remote(curated):
        _check_lock(curated)
        storage.put_bytes(storage.join(curated, CURRENT), f"{previous.name}\n".encode())
    else:
        _point(curated / CURRENT, Path(SNAPSHOTS) / previous.name)
    return previous.name


def _previous_segments(curated: Path | str) -> segments.Previous:
    """The current snapshot's segment manifest (empty without one: everything is written)."""
    try:
        return segments.read_manifest(read_previous(curated, segments.MANIFEST))
    except (OSError, pa.ArrowException):  # an unreadable manifest: write everything anew
        return {}


def _write_tables(staging: Path, tables: dict[str, Table], previous: segments.Previous, reuse) -> str:
    """Write every table as segments (see segments.py), keeping unchanged segments of the
    previous snapshot through ``reuse(table, old file, new file)``, then the manifest.
    Returns the snapshot's content digest: of the manifest, which names every key's rows'
    digest and the file holding them (identical content, identical digest)."""
    groups: dict[str, str] = {}  # document id and raw file -> site: what changes together
    if "documents" in tables:
        docs = tables["documents"].select(["document_id", "raw_path", "site"]).to_pydict()
        for doc_id, raw_path, site in zip(docs["document_id"], docs["raw_path"], docs["site"], strict=True):
            groups[doc_id] = site or ""
            groups.setdefault(raw_path, site or "")
        del docs
    scratch = staging.parent / f"{staging.name}.tmp"
    scratch.mkdir()
    pieces: dict[tuple[str, str], Path] = {}  # the manifest's rows, per table partition (a row per key: spooled)

    def spool_manifest(rows: pa.Table) -> None:  # a partition's manifest rows, to a file as soon as they are known
        if rows.num_rows:
            key = (rows.column("table")[0].as_py(), rows.column("partition")[0].as_py())
            pieces[key] = scratch / f"manifest-{len(pieces):04d}.parquet"
            pq.write_table(segments.manifest_table([rows]), pieces[key])

    try:
        for name, table in tables.items():
            segments.write_table(staging / name, name, table, previous, lambda old, new, name=name: reuse(name, old, new),
                                 groups, scratch, sink=spool_manifest)
            memory.release_memory()
        (staging / segments.MANIFEST).mkdir(parents=True)
        return _write_manifest([pieces[k] for k in sorted(pieces)], staging / segments.MANIFEST / "part-0.parquet")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_manifest(pieces: list[Path], dest: Path) -> str:
    """The manifest from its pieces, each sorted and holding one table partition, in order of
    (table, partition): so sorted by (table, partition, file, key), a piece at a time; and the
    digest of its rows in that order."""
    h = hashlib.sha256()
    with pq.ParquetWriter(dest, segments.MANIFEST_SCHEMA, **segments.PARQUET_OPTIONS) as writer:
        if not pieces:
            writer.write_table(segments.MANIFEST_SCHEMA.empty_table())
        for piece in pieces:
            table = pq.read_table(piece).cast(segments.MANIFEST_SCHEMA)
            writer.write_table(table)
            for batch in table.to_batches(max_chunksize=8192):  # as Python objects: a few MB at a time
                for row in zip(*(batch.column(c).to_pylist() for c in batch.schema.names), strict=True):
                    h.update("\0".join(str(v) for v in row).encode() + b"\n")
    return h.hexdigest()[:12]


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:  # a filesystem without hard links
        shutil.copy2(src, dest)


def _point(link: Path, target: Path) -> None:
    """Atomically make ``link`` a symlink to ``target`` (rename over the old link)."""
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync_dir(link.parent)


def _ensure_table_links(curated: Path, tables: dict[str, Table]) -> None:
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


def _prune(curated: Path | str, keep: int) -> None:
    current = current_snapshot(curated)
    snaps = list_snapshots(curated)
    for old in snaps[: max(0, len(snaps) - keep)]:
        if old != current:
            if isinstance(curated, str):  # the marker first: from then on it is not a snapshot
                storage.remove_tree(storage.join(curated, SNAPSHOTS, old.name, COMPLETE))
                storage.remove_tree(storage.join(curated, SNAPSHOTS, old.name))
            else:
                shutil.rmtree(old, ignore_errors=True)


def remove_staging(curated: Path | str) -> None:
    """Delete what a killed run left half-written. Call with the writer lock held."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        root = storage.join(curated, SNAPSHOTS)
        for name in storage.list_dirs(root):
            if not storage.exists(storage.join(root, name, COMPLETE)):
                storage.remove_tree(storage.join(root, name))
        return
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
