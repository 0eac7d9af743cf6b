"""Stage 5b, write: publish all tables as one snapshot, atomically, under a lock.

Layout of the curated directory::

    curated/
      _snapshots/<utc-time>-<digest>/<table>/...   complete snapshots, newest last
      _snapshots/<id>/_checksums.json              each file of the snapshot: size and SHA-256
      _current -> _snapshots/<id>                  the published snapshot (a symlink)
      documents -> _current/documents              one stable path per table
      sections  -> _current/sections               (hive partitions section=<name>/, each with a seal-<digest>)
      ...
      .lock                                        held by the one writing run

A run writes a new snapshot into a hidden staging directory, renames it into place and then
swaps ``_current`` with one ``rename(2)``: readers of ``curated/<table>`` see the old snapshot
or the new one, never a mix or a half-written file. A killed run leaves at most a staging
directory, removed by the next run, which also puts back any table path it left missing.
Identical content is not published twice.

Every file of a snapshot has its size and SHA-256 in the snapshot's ``_checksums.json``.
Snapshots share unchanged files through hard links, so a damaged file would be damaged in
every snapshot holding it: a run checks each file before linking it and writes anew the
rows of one that fails its check; :func:`verify` (``ingest verify``) says which table of which
snapshot is damaged.

Every table path goes through ``_current``, so that all tables move to the next snapshot
with one ``rename(2)``. A reader that resolves a path once (:func:`current_path`, or
``os.path.realpath``) reads one snapshot to the end: a snapshot that stops being current is
kept for the retention period (:func:`retention_seconds`) before it may be pruned. A path
given as is to a Parquet reader is resolved again for each directory it lists and each file
it opens, whatever the links: files named by their content and the partitions' seals
(:func:`_seal_partitions`) make a read that spans a publish fail rather than mix snapshots
(docs/robustness.md says what is left).

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
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ingest import schema
from ingest.errors import LockError, OutputError
from ingest.tabular import Spooled

from . import segments, storage

Table: TypeAlias = pa.Table | Spooled  # a table to publish: in memory, or in a run's spool files

SNAPSHOTS = "_snapshots"
CURRENT = "_current"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"
# A row-less file in each partition of a partitioned table, named by the partition's files
# (_seal_partitions): a bare-path read whose listing spans a publish fails instead of mixing.
SEAL_PREFIX = "seal-"
# Object storage: the marker written last into a complete snapshot.
COMPLETE = "_complete"
# Local: each file of a snapshot with its size and SHA-256, written before the snapshot is.
CHECKSUMS = "_checksums.json"
# A snapshot that stopped being current less than this long ago is never pruned: a reader
# that resolved a table path into it (or a pinned current_path) reads its files to the end.
# Snapshots share files, so keeping one costs only the files that changed after it.
DEFAULT_RETENTION_SECONDS = 24 * 3600.0
# Object storage: a lock whose holder has not renewed it for this long was left by a killed run
# and is broken by the next one. The holder renews it every tenth of this.
LOCK_STALE_SECONDS = float(os.environ.get("INGEST_LOCK_STALE_SECONDS", "300"))
_SNAPSHOT_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")
# Object locks held by this process, by curated URL, so publish() can check it still holds one.
_held: dict[str, storage.ObjectLock] = {}
_log = logging.getLogger(__name__)


def retention_seconds() -> float:
    """How long a snapshot is kept after it stopped being current (``INGEST_SNAPSHOT_RETENTION_SECONDS``)."""
    try:
        return max(0.0, float(os.environ.get("INGEST_SNAPSHOT_RETENTION_SECONDS", DEFAULT_RETENTION_SECONDS)))
    except ValueError:
        return DEFAULT_RETENTION_SECONDS


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
    with open(curated / LOCK, "a+") as fh:
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
    return _remote_current(curated) if storage.is_remote(curated) else _local_current(curated)


def _remote_current(curated: str) -> PurePosixPath | None:
    snap_id = _read_pointer(curated)
    if snap_id is None or not storage.exists(storage.join(curated, SNAPSHOTS, snap_id, COMPLETE)):
        return None
    return PurePosixPath(storage.filesystem(storage.join(curated, SNAPSHOTS, snap_id))[1])


def _local_current(curated: Path) -> Path | None:
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
    if storage.is_remote(curated):
        return storage.join(curated, SNAPSHOTS, snap.name, table)
    return str(snap / table)


def _read_pointer(curated: str) -> str | None:
    data = storage.read_optional(storage.join(curated, CURRENT), 1024)
    if data is None:
        return None
    snap_id = data.decode("utf-8", "replace").strip()
    return snap_id if _SNAPSHOT_ID.match(snap_id) else None


def list_snapshots(curated: Path | str) -> list[Path] | list[PurePosixPath]:
    """The complete snapshots, oldest first: local directories, or on object storage their
    paths within the filesystem (as :func:`current_snapshot`'s)."""
    curated = storage.location(curated)
    return _remote_snapshots(curated) if storage.is_remote(curated) else _local_snapshots(curated)


def _remote_snapshots(curated: str) -> list[PurePosixPath]:
    root = storage.join(curated, SNAPSHOTS)
    base = PurePosixPath(storage.filesystem(root)[1])
    return [base / name for name in storage.list_dirs(root)
            if _SNAPSHOT_ID.match(name) and storage.exists(storage.join(root, name, COMPLETE))]


def _local_snapshots(curated: Path) -> list[Path]:
    root = curated / SNAPSHOTS
    if not root.is_dir():
        return []
    root = root.resolve()  # absolute, as current_snapshot's: the two are compared
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


# The state table that says which raw files need no reading: a run does not trust it when any
# file of the snapshot is damaged, so that every page is read again and the damaged rows rebuilt.
STATE_PAGES = "_state/pages"


def read_previous(curated: Path | str, table: str, columns: list[str] | None = None) -> pa.Table | None:
    """``table`` of the current snapshot, or None if there is none. A damaged file of it (missing,
    of the wrong size, not in the snapshot's checksums) is left out, with a warning; the state
    table is not read at all from a damaged snapshot (None: the run reads every page again)."""
    curated = storage.location(curated)
    partitioning = "hive" if table in schema.PARTITIONS else None
    if storage.is_remote(curated):
        remote = _remote_current(curated)
        if remote is None:
            return None
        url = storage.join(curated, SNAPSHOTS, remote.name, table)
        if not storage.is_dir(url):
            return None
        fs, path = storage.filesystem(url)
        return pq.read_table(path, columns=columns, partitioning=partitioning, filesystem=fs)
    snap = _local_current(curated)
    if snap is None or not (snap / table).exists():
        return None
    damage = check_snapshot(snap, full=False, tables=None if table == STATE_PAGES else {table})
    if damage and table == STATE_PAGES:
        _log.warning("snapshot %s is damaged (%s): every raw page is read again", snap.name, _describe_damage(damage))
        return None
    bad = {d.file for d in damage if d.table == table}
    if not bad:
        return pq.read_table(snap / table, columns=columns, partitioning=partitioning)
    _log.warning("table %s of snapshot %s is damaged (%s): read without those files", table, snap.name,
                 _describe_damage(damage))
    files = [str(f) for f in sorted((snap / table).rglob("*.parquet")) if f.relative_to(snap).as_posix() not in bad]
    if not files:
        return None
    return ds.dataset(files, format="parquet", partitioning=partitioning,
                      partition_base_dir=str(snap / table)).to_table(columns=columns)


# --- checksums: a damaged file is found, never linked into a new snapshot ---------------------


@dataclass(frozen=True, slots=True)
class Damage:
    """A file of a snapshot that fails its check."""

    table: str  # "documents", "sections", "_state/pages"... ("" for the snapshot's own files)
    file: str  # path within the snapshot
    problem: str  # "missing", "size 0, expected 1234", "checksum differs", ...

    def __str__(self) -> str:
        return f"{self.table or '(snapshot)'}: {self.file} {self.problem}"



def _without_damaged(snapshot: str, previous: segments.Previous, damage: list[Damage]) -> segments.Previous:
    """The previous snapshot's segments less its damaged files, which the run writes anew."""
    if not damage:
        return previous
    _log.warning("snapshot %s is damaged (%s): those files are written anew", snapshot, _describe_damage(damage))
    bad = {d.file for d in damage}
    return {(name, part): [seg for seg in segs if f"{name}/{part + '/' if part else ''}{seg.file}" not in bad]
            for (name, part), segs in previous.items()}

def _describe_damage(damage: list[Damage], most: int = 5) -> str:
    shown = "; ".join(str(d) for d in damage[:most])
    return shown + (f"; and {len(damage) - most} more" if len(damage) > most else "")


def _table_of(rel: str) -> str:
    parts = rel.split("/")
    if len(parts) < 2:
        return ""
    return "/".join(parts[:2]) if parts[0] == "_state" and len(parts) > 2 else parts[0]


# SHA-256 of files already hashed by this process, by (device, inode, size, mtime): snapshots
# share files through hard links, so a file is read once however many snapshots hold it.
_hashed: dict[tuple[int, int, int, int], str] = {}
_HASHED_MAX = 200_000


def _sha256(path: Path, st: os.stat_result) -> str:
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    digest = _hashed.get(key)
    if digest is None:
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if len(_hashed) >= _HASHED_MAX:  # a long-lived process (ingest serve): files come and go
            _hashed.clear()
        _hashed[key] = digest
    return digest


def _write_checksums(snap: Path) -> None:
    """Record each file of the snapshot directory ``snap`` with its size and SHA-256."""
    files: dict[str, list] = {}
    for f in sorted(snap.rglob("*")):
        if f.is_file() and f.name != CHECKSUMS:
            st = f.stat()
            files[f.relative_to(snap).as_posix()] = [st.st_size, _sha256(f, st)]
    (snap / CHECKSUMS).write_text(json.dumps({"algorithm": "sha256", "files": files}, indent=0, sort_keys=True))


def _read_checksums(snap: Path) -> dict[str, tuple[int, str]] | None:
    """The snapshot's checksums; None if it has none (written before they were) or they are unreadable."""
    try:
        data = json.loads((snap / CHECKSUMS).read_bytes())
        return {str(rel): (int(size), str(digest)) for rel, (size, digest) in data["files"].items()}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def check_snapshot(snap: Path, *, full: bool = True, tables: set[str] | None = None) -> list[Damage]:
    """The damaged files of a local snapshot (of ``tables`` only, if given): missing, not a
    regular file, of another size than recorded, with another SHA-256 (``full``; otherwise the
    sizes only, a few system calls a file), or a data file the snapshot does not record (readers
    would read it). A snapshot without checksums (published before they were) has each Parquet
    file's footer read instead, in the full check only."""
    recorded = _read_checksums(snap)
    if recorded is None:
        return _check_unrecorded(snap, tables) if full else []
    damage: list[Damage] = []
    for rel, (size, digest) in recorded.items():
        table = _table_of(rel)
        if tables is not None and table not in tables:
            continue
        path = snap / rel
        try:
            st = path.lstat()
        except FileNotFoundError:
            damage.append(Damage(table, rel, "missing"))
            continue
        except OSError as exc:
            damage.append(Damage(table, rel, f"unreadable ({exc.strerror or exc})"))
            continue
        if not stat.S_ISREG(st.st_mode):
            damage.append(Damage(table, rel, "not a regular file"))
        elif st.st_size != size:
            damage.append(Damage(table, rel, f"size {st.st_size}, expected {size}"))
        elif full:
            try:
                if _sha256(path, st) != digest:
                    damage.append(Damage(table, rel, "checksum differs"))
            except OSError as exc:
                damage.append(Damage(table, rel, f"unreadable ({exc.strerror or exc})"))
    for f in _data_files(snap, tables):
        rel = f.relative_to(snap).as_posix()
        if rel not in recorded:
            damage.append(Damage(_table_of(rel), rel, "not in the snapshot's checksums"))
    return sorted(damage, key=lambda d: d.file)


def _data_files(snap: Path, tables: set[str] | None) -> list[Path]:
    """Every file below the snapshot's table directories that readers of a table would read
    (Parquet readers skip names starting with ``.`` or ``_``, as a restore's temporary link)."""
    found = []
    for f in snap.rglob("*"):
        rel = f.relative_to(snap).as_posix()
        if ("/" in rel and not f.name.startswith((".", "_")) and (tables is None or _table_of(rel) in tables)
                and (f.is_file() or f.is_symlink())):
            found.append(f)
    return sorted(found)


def _check_unrecorded(snap: Path, tables: set[str] | None) -> list[Damage]:
    damage = []
    for f in _data_files(snap, tables):
        if f.suffix != ".parquet":
            continue
        rel = f.relative_to(snap).as_posix()
        try:
            pq.read_metadata(f)
        except (OSError, pa.ArrowException):
            damage.append(Damage(_table_of(rel), rel, "not a readable Parquet file"))
    return damage


def verify(curated: Path | str) -> dict[str, list[Damage]]:
    """Check every file of every snapshot (sizes and SHA-256): snapshot id -> its damaged files,
    the current snapshot first. Files shared by several snapshots are read once."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        return _verify_remote(curated)
    current = _local_current(curated)
    snaps = _local_snapshots(curated)
    if current is not None:
        snaps = [current, *(s for s in snaps if s.name != current.name)]
    return {snap.name: check_snapshot(snap) for snap in snaps}


def _verify_remote(curated: str) -> dict[str, list[Damage]]:
    """Object storage: each file against the sizes (and SHA-256, where recorded) of the
    snapshot's ``_complete`` manifest."""
    out: dict[str, list[Damage]] = {}
    current = _remote_current(curated)
    snaps = _remote_snapshots(curated)
    if current is not None:
        snaps = [current, *(s for s in snaps if s.name != current.name)]
    for snap in snaps:
        base = storage.join(curated, SNAPSHOTS, snap.name)
        manifest = json.loads(storage.read_optional(storage.join(base, COMPLETE), 64 << 20) or b"{}")
        recorded, digests = manifest.get("files", {}), manifest.get("sha256", {})
        fs, root = storage.filesystem(base)
        listed = _listing(base)
        listed.pop(COMPLETE, None)
        damage = _remote_damage(recorded, listed, functools.partial(_checksum_differs, fs, root, digests))
        damage += [
            Damage(_table_of(rel), rel, "not in the snapshot's manifest") for rel in sorted(set(listed) - set(recorded))
        ]
        out[snap.name] = damage
    return out


def _restore(curated: Path, snap: Path, damage: list[Damage]) -> list[Damage]:
    """Put back each damaged file of ``snap`` that another snapshot holds intact (the same
    recorded SHA-256, checked): a hard link to that copy, swapped in atomically. A file
    deleted from one snapshot is then whole again; one changed in place is changed in every
    snapshot sharing it, and comes back once a run has written the same bytes anew. Returns
    the damage left."""
    recorded = _read_checksums(snap)
    if not damage or recorded is None:
        return damage
    wanted = {recorded[d.file][1] for d in damage if d.file in recorded}
    copies: dict[str, Path] = {}
    for other in _local_snapshots(curated):
        if other.name == snap.name:
            continue
        for rel, (size, digest) in (_read_checksums(other) or {}).items():
            if digest in wanted and digest not in copies:
                path = other / rel
                try:
                    st = path.lstat()
                    if stat.S_ISREG(st.st_mode) and st.st_size == size and _sha256(path, st) == digest:
                        copies[digest] = path
                except OSError:
                    continue
    left = []
    for d in damage:
        source = copies.get(recorded[d.file][1]) if d.file in recorded else None
        if source is None:
            left.append(d)
            continue
        dest = snap / d.file
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, tmp)
            os.replace(tmp, dest)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            left.append(d)
            continue
        _log.warning(
            "%s of snapshot %s restored from snapshot %s", d.file, snap.name, source.relative_to(snap.parent).parts[0]
        )
    return left


def _repair_others(curated: Path, snap: Path) -> None:
    """After a run wrote damaged files anew into ``snap``: restore the other snapshots'
    damaged files that it (or another snapshot) now holds intact."""
    for other in _local_snapshots(curated):
        if other.name != snap.name:
            _restore(curated, other, check_snapshot(other))


def _usable_segments(curated: Path, current: Path | None) -> tuple[segments.Previous, list[Damage]]:
    """The current snapshot's segments that pass their check (full: SHA-256), and the damaged
    files: a run restores those another snapshot holds intact, links only files that pass,
    and writes the rows of the others anew."""
    previous = _previous_segments(curated)
    if current is None or not previous:
        return previous, []
    damage = check_snapshot(current)
    if damage:
        damage = _restore(curated, current, damage)
    return _without_damaged(current.name, previous, damage), damage


def publish(curated: Path | str, tables: dict[str, Table], keep: int, *, full: bool = False,
            after_table: Callable[[], None] = lambda: None) -> tuple[str, bool]:
    """Write ``tables`` as a new snapshot and make it current. Returns (snapshot id, published);
    ``published`` is False when the content equals the current snapshot's and none of its
    files is damaged. Unchanged segments are linked from the current snapshot once their
    checksum is verified; with ``full``, every file is written anew (and published).
    ``after_table`` is called once each table is written: the run gives memory back there
    (the store knows nothing of how a run manages the process's memory)."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        return _publish_remote(curated, tables, keep, full=full, after_table=after_table)
    curated.mkdir(parents=True, exist_ok=True)
    root = curated / SNAPSHOTS
    root.mkdir(exist_ok=True)
    _remove_staging(root)
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    try:
        staging.mkdir()
        current = _local_current(curated)
        previous, damage = ({}, []) if full else _usable_segments(curated, current)

        def reuse(name: str, old: str, new: str) -> None:  # the same bytes, verified: a hard link
            assert current is not None
            _link_or_copy(current / name / old, staging / name / new)

        digest = _write_tables(staging, tables, previous, reuse, after_table)
        if current is not None and current.name.endswith(digest) and not damage and not full:
            shutil.rmtree(staging)
            _ensure_table_links(curated, current)
            return current.name, False
        snap_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{digest}"
        final = root / snap_id
        _seal_partitions(staging)
        _write_checksums(staging)
        _fsync_tree(staging)
        os.rename(staging, final)
        _fsync_dir(root)
        # The table paths first (each a link through _current): once _current exists, every
        # table path does, even if the run is killed between the two.
        _ensure_table_links(curated, final)
        _point(curated / CURRENT, Path(SNAPSHOTS) / snap_id)
        _prune(curated, keep)
        if damage:
            _repair_others(curated, final)
        return snap_id, True
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"could not publish the curated tables: {exc}") from exc


def _publish_remote(curated: str, tables: dict[str, Table], keep: int, *, full: bool = False,
                    after_table: Callable[[], None] = lambda: None) -> tuple[str, bool]:
    """Object storage: every file of the snapshot first, its ``_complete`` marker, then the
    pointer (one PUT). The files are written locally first, so the id carries the same
    content digest as a local snapshot's."""
    try:
        with tempfile.TemporaryDirectory(prefix="ingest-snapshot-") as tmp:
            staging = Path(tmp)
            current = _remote_current(curated)
            kept: list[tuple[str, str]] = []  # unchanged segments: copied on the store
            known = _remote_digests(curated, current)  # their recorded SHA-256, by URL

            def reuse(name: str, old: str, new: str) -> None:
                assert current is not None
                kept.append((storage.join(curated, SNAPSHOTS, current.name, name, old), f"{name}/{new}"))

            previous, damage = ({}, []) if full else _usable_remote_segments(curated, current)
            digest = _write_tables(staging, tables, previous, reuse, after_table)
            if current is not None and current.name.endswith(digest) and not damage and not full:
                return current.name, False
            snap_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{digest}"
            dest = storage.join(curated, SNAPSHOTS, snap_id)
            files = sorted(p for p in staging.rglob("*") if p.is_file())
            try:
                storage.copy([(src, storage.join(dest, rel)) for src, rel in kept])
                storage.upload([(f, storage.join(dest, f.relative_to(staging).as_posix())) for f in files])
                sizes = {f.relative_to(staging).as_posix(): f.stat().st_size for f in files}
                sizes.update(storage.sizes([storage.join(dest, rel) for _, rel in kept], dest))
                digests = {f.relative_to(staging).as_posix(): _sha256(f, f.stat()) for f in files}
                digests.update({rel: known[src] for src, rel in kept if src in known})
                manifest = {"snapshot": snap_id, "files": sizes, "sha256": dict(sorted(digests.items()))}
                if etags := _etags(dest):  # what the store says of each object's bytes: checked before a copy
                    manifest["etag"] = etags
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


def _remote_digests(curated: str, current: PurePosixPath | None) -> dict[str, str]:
    """The SHA-256 the current remote snapshot's manifest records, by file URL."""
    if current is None:
        return {}
    base = storage.join(curated, SNAPSHOTS, current.name)
    try:
        manifest = json.loads(storage.read_optional(storage.join(base, COMPLETE), 64 << 20) or b"{}")
        return {storage.join(base, rel): str(d) for rel, d in manifest.get("sha256", {}).items()}
    except (ValueError, AttributeError):
        return {}


def _listing(base: str) -> dict[str, dict]:
    """Every object below ``base``: relative path -> what the store says of it."""
    fs, root = storage.filesystem(base)
    return {p[len(root):].lstrip("/"): info for p, info in fs.find(root, detail=True).items()}


def _etags(base: str) -> dict[str, str]:
    """Each object's ETag below ``base`` (none on a store that gives none)."""
    tokens = {rel: storage.version(info) for rel, info in sorted(_listing(base).items())}
    return {rel: token for rel, token in tokens.items() if token.startswith("etag:")}


def _usable_remote_segments(curated: str, current: PurePosixPath | None) -> tuple[segments.Previous, list[Damage]]:
    """As _usable_segments, on object storage: a segment is copied only if its object has the
    size and the ETag the manifest records (a server-side copy never reads the bytes; the
    ETag changes with them; ``ingest verify`` checks the SHA-256)."""
    previous = _previous_segments(curated)
    if current is None or not previous:
        return previous, []
    base = storage.join(curated, SNAPSHOTS, current.name)
    manifest = json.loads(storage.read_optional(storage.join(base, COMPLETE), 64 << 20) or b"{}")
    recorded, etags = manifest.get("files", {}), manifest.get("etag", {})
    damage = _remote_damage(
        recorded,
        _listing(base),
        lambda rel, info: "changed since it was published (ETag)"
        if rel in etags and storage.version(info) != etags[rel] else None,
    )
    return _without_damaged(current.name, previous, damage), damage


def _checksum_differs(fs: Any, root: str, digests: dict[str, str], rel: str, info: dict) -> str | None:
    """Whether an object's content has another SHA-256 than recorded (read in 1-MB pieces)."""
    if rel not in digests:
        return None
    h = hashlib.sha256()
    with fs.open(f"{root}/{rel}", "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return "checksum differs" if h.hexdigest() != digests[rel] else None


def _remote_damage(
    recorded: dict[str, int], listed: dict[str, dict], check: Callable[[str, dict], str | None]
) -> list[Damage]:
    """The recorded files of a snapshot on object storage that are missing, of another size, or
    fail ``check`` (a checksum, an ETag): what ``listed`` says of each object against the record."""
    damage = []
    for rel, size in sorted(recorded.items()):
        info = listed.get(rel)
        reason = (
            "missing" if info is None
            else f"size {info.get('size')}, expected {size}" if int(info.get("size") or 0) != int(size)
            else check(rel, info)
        )
        if reason:
            damage.append(Damage(_table_of(rel), rel, reason))
    return damage


def _check_lock(curated: str) -> None:
    lock = _held.get(curated)
    if lock is not None and not lock.check():
        raise LockError(f"the writer lock on {curated} was broken by another run (this run stalled "
                        f"longer than {lock.stale_after:g} s); nothing published")


def rollback(curated: Path | str) -> str:
    """Make the snapshot before the current one current again. Returns its id."""
    curated = storage.location(curated)
    names = [p.name for p in list_snapshots(curated)]
    current = current_snapshot(curated)
    if current is None or current.name not in names or names.index(current.name) == 0:
        raise OutputError("no earlier snapshot to roll back to")
    previous = names[names.index(current.name) - 1]
    if storage.is_remote(curated):
        _check_lock(curated)
        storage.put_bytes(storage.join(curated, CURRENT), f"{previous}\n".encode())
    else:
        _point(curated / CURRENT, Path(SNAPSHOTS) / previous)
    return previous


def _previous_segments(curated: Path | str) -> segments.Previous:
    """The current snapshot's segment manifest (empty without one: everything is written)."""
    try:
        return segments.read_manifest(read_previous(curated, segments.MANIFEST))
    except (OSError, pa.ArrowException):  # an unreadable manifest: write everything anew
        return {}


def _write_tables(staging: Path, tables: dict[str, Table], previous: segments.Previous,
                  reuse: Callable[[str, str, str], None], after_table: Callable[[], None]) -> str:
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
            segments.write_table(staging / name, name, table, previous, functools.partial(reuse, name),
                                 groups, scratch, sink=spool_manifest)
            after_table()
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


def _seal_partitions(snap: Path) -> None:
    """Put into each partition directory of a partitioned table (``sections/section=x/``) a
    Parquet file of no rows named by the partition's data files (``seal-<digest>``).

    A reader given a bare table path (``pd.read_parquet("curated/sections")``) lists each
    partition directory by that path and then opens each file by it, and the kernel resolves
    the path again at every step: a publish between two listings gives partitions of two
    snapshots. Data files are named by their content, so a listed file opened after the
    publish holds the same rows or is missing; a partition that only gained files would be
    read silently short. Its seal, named by every file the partition holds, is then missing
    too: the read fails instead of mixing snapshots. No suffix: readers that glob
    ``*.parquet`` (DuckDB) skip it, and it holds no rows for those that read it.
    """
    for table in schema.PARTITIONS:
        if not (snap / table).is_dir():
            continue
        for part in sorted(p for p in (snap / table).iterdir() if p.is_dir()):
            files = sorted(f.name for f in part.iterdir() if f.suffix == ".parquet")
            if files:
                name = SEAL_PREFIX + hashlib.sha256("\0".join(files).encode()).hexdigest()[:16]
                empty = pq.read_schema(part / files[0]).empty_table()
                pq.write_table(empty, part / name, **segments.PARQUET_OPTIONS)


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


def _ensure_table_links(curated: Path, snap: Path) -> None:
    """Make each table path ``curated/<table>`` the symlink ``_current/<table>``, for every
    table directory the snapshot ``snap`` holds."""
    for entry in sorted(snap.iterdir()):
        name = entry.name
        if name.startswith(("_", ".")) or not entry.is_dir():  # internal state, not a table for readers
            continue
        link = curated / name
        want = Path(CURRENT) / name
        if link.is_symlink() and Path(os.readlink(link)) == want:
            continue
        if os.path.lexists(link) and not link.is_symlink():
            raise OutputError(f"{link} exists and is not managed by ingest; move it away")
        _point(link, want)


def _snapshot_time(snap_id: str) -> float:
    """When the snapshot was published, from its id (0 if the id has no time)."""
    try:
        return datetime.strptime(snap_id.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


def _prune(curated: Path | str, keep: int) -> None:
    """Delete snapshots beyond the newest ``keep``, but never the current one nor one that
    stopped being current (its successor was published) less than the retention period ago."""
    current = current_snapshot(curated)
    snaps = list_snapshots(curated)
    horizon = time.time() - retention_seconds()
    for i, old in enumerate(snaps[: max(0, len(snaps) - keep)]):
        if current is not None and old.name == current.name:
            continue
        if i + 1 < len(snaps) and _snapshot_time(snaps[i + 1].name) > horizon:
            continue  # a reader may still be reading it
        if isinstance(curated, str):  # the marker first: from then on it is not a snapshot
            storage.remove_tree(storage.join(curated, SNAPSHOTS, old.name, COMPLETE))
            storage.remove_tree(storage.join(curated, SNAPSHOTS, old.name))
        else:
            shutil.rmtree(old, ignore_errors=True)


def remove_staging(curated: Path | str) -> None:
    """Delete what a killed run left half-written, and put back the table paths it may have
    left missing (killed between ``_current`` and the table links): every run, even one that
    publishes nothing, ends with them in place. A file of the current snapshot that is missing
    or of the wrong size is restored from another snapshot holding it intact. Call with the
    writer lock held."""
    curated = storage.location(curated)
    if storage.is_remote(curated):
        snapshots = storage.join(curated, SNAPSHOTS)
        for name in storage.list_dirs(snapshots):
            if not storage.exists(storage.join(snapshots, name, COMPLETE)):
                storage.remove_tree(storage.join(snapshots, name))
        return
    root = curated / SNAPSHOTS
    if root.is_dir():
        _remove_staging(root)
    current = _local_current(curated)
    if current is not None:
        try:
            _restore(curated, current, check_snapshot(current, full=False))
            _ensure_table_links(curated, current)
        except OSError as exc:
            raise OutputError(f"could not restore the table paths in {curated}: {exc}") from exc


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
