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

This module says what a snapshot holds and the order of a publish's steps (stage, commit,
table paths, pointer, prune); each step is done by the location's :class:`storage.Store`
(``LocalStore`` or ``ObjectStore``), so every operation here is written once for both.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import itertools
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest import schema
from ingest.errors import OutputError
from ingest.tabular import Spooled, reused_connections

from . import segments, storage

Table: TypeAlias = pa.Table | Spooled  # a table to publish: in memory, or in a run's spool files

SNAPSHOTS, CURRENT, LOCK, STAGING_PREFIX = storage.SNAPSHOTS, storage.CURRENT, storage.LOCK, storage.STAGING_PREFIX
COMPLETE, CHECKSUMS = storage.COMPLETE, storage.CHECKSUMS  # object storage's manifest, local checksums
Damage = storage.Damage
# A row-less file in each partition of a partitioned table, named by the partition's files
# (_seal_partitions): a bare-path read whose listing spans a publish fails instead of mixing.
SEAL_PREFIX = "seal-"
# A snapshot that stopped being current less than this long ago is never pruned: a reader
# that resolved a table path into it (or a pinned current_path) reads its files to the end.
# Snapshots share files, so keeping one costs only the files that changed after it.
DEFAULT_RETENTION_SECONDS = 24 * 3600.0
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
    ``storage.LOCK_STALE_SECONDS`` after its last heartbeat."""
    with storage.store(storage.location(curated)).lock(wait=wait):
        yield


def current_snapshot(curated: Path | str) -> PurePath | None:
    """The published snapshot: a local directory, or on object storage its path within the
    filesystem (``bucket/prefix/_snapshots/<id>``); None if nothing is published."""
    return storage.store(storage.location(curated)).current()


def current_path(curated: Path | str, table: str) -> str:
    """Where a reader finds ``table`` of the published snapshot, pinned to that snapshot:
    a local path, or a URL such as ``s3://bucket/curated/_snapshots/<id>/sections``.

    On object storage this is how readers open a table (``pd.read_parquet(current_path(...),
    storage_options=...)``): there is no symlink, the pointer ``_current`` names the snapshot.
    Read every table of one analysis from the same call's snapshot to see one consistent state.
    """
    store = storage.store(storage.location(curated))
    snap = store.current()
    if snap is None:
        raise OutputError(f"no published snapshot in {storage.url_of(store.location)}")
    return store.table_url(snap, table)


def list_snapshots(curated: Path | str) -> list[PurePath]:
    """The complete snapshots, oldest first: local directories, or on object storage their
    paths within the filesystem (as :func:`current_snapshot`'s)."""
    return list(storage.store(storage.location(curated)).snapshots())


# The state table that says which raw files need no reading: a run does not trust it when any
# file of the snapshot is damaged, so that every page is read again and the damaged rows rebuilt.
STATE_PAGES = "_state/pages"


def read_previous(curated: Path | str, table: str, columns: list[str] | None = None) -> pa.Table | None:
    """``table`` of the current snapshot, or None if there is none. A damaged file of it (missing,
    of the wrong size, not in the snapshot's checksums) is left out, with a warning; the state
    table is not read at all from a damaged snapshot (None: the run reads every page again)."""
    store = storage.store(storage.location(curated))
    snap = store.current()
    if snap is None or not store.has_table(snap, table):
        return None
    damage = store.check_for_read(snap, None if table == STATE_PAGES else {table})
    if damage and table == STATE_PAGES:
        _log.warning("snapshot %s is damaged (%s): every raw page is read again", snap.name,
                     storage.describe_damage(damage))
        return None
    bad = {d.file for d in damage if d.table == table}
    if bad:
        _log.warning("table %s of snapshot %s is damaged (%s): read without those files", table, snap.name,
                     storage.describe_damage(damage))
    return store.read_table(snap, table, columns, "hive" if table in schema.PARTITIONS else None, bad)


# --- checksums: a damaged file is found, never linked into a new snapshot ---------------------


def _without_damaged(snapshot: str, previous: segments.Previous, damage: list[Damage]) -> segments.Previous:
    """The previous snapshot's segments less its damaged files, which the run writes anew."""
    if not damage:
        return previous
    _log.warning("snapshot %s is damaged (%s): those files are written anew", snapshot,
                 storage.describe_damage(damage))
    bad = {d.file for d in damage}
    return {(name, part): [seg for seg in segs if f"{name}/{part + '/' if part else ''}{seg.file}" not in bad]
            for (name, part), segs in previous.items()}


# SHA-256 of files already hashed by this process, by (device, inode, size, mtime): snapshots
# share files through hard links, so a file is read once however many snapshots hold it.


def verify(curated: Path | str) -> dict[str, list[Damage]]:
    """Check every file of every snapshot (sizes and SHA-256): snapshot id -> its damaged files,
    the current snapshot first. Files shared by several snapshots are read once."""
    store = storage.store(storage.location(curated))
    current = store.current()
    snaps = store.snapshots()
    if current is not None:
        snaps = [current, *(s for s in snaps if s.name != current.name)]
    return {snap.name: store.check(snap) for snap in snaps}


def _usable_segments(store: storage.Store, current: PurePath | None) -> tuple[segments.Previous, list[Damage]]:
    """The current snapshot's segments that pass their check before reuse (locally the
    SHA-256, with the damaged files another snapshot holds intact restored; on object storage
    the ETag), and the damaged files: a run takes over only files that pass, and writes the
    rows of the others anew."""
    previous = _previous_segments(store.location)
    if current is None or not previous:
        return previous, []
    damage = store.check_for_reuse(current)
    return _without_damaged(current.name, previous, damage), damage


def publish(curated: Path | str, tables: dict[str, Table], keep: int, *, full: bool = False,
            after_table: Callable[[], None] = lambda: None, threads: int = 1,
            later: Callable[[], dict[str, Table]] | None = None) -> tuple[str, bool]:
    """Write ``tables`` as a new snapshot and make it current. Returns (snapshot id, published);
    ``published`` is False when the content equals the current snapshot's and none of its
    files is damaged. Unchanged segments are taken over from the current snapshot once they
    pass their check; with ``full``, every file is written anew (and published).
    ``after_table`` is called once each table is written: the run gives memory back there
    (the store knows nothing of how a run manages the process's memory). ``threads`` tables
    are written at a time (DuckDB and Parquet's writer release the GIL; each table's DuckDB
    budget is held once per thread); the files are the same whatever the number. ``later``
    gives more tables to publish, made while the others are written when ``threads`` > 1
    (before any is written otherwise).

    The snapshot is staged, committed complete, its table paths put in place, and only then
    made current (one atomic step); then older snapshots are pruned."""
    store = storage.store(storage.location(curated))
    try:
        current = store.current()
        with store.stage(current) as staging:
            previous, damage = ({}, []) if full else _usable_segments(store, current)
            with reused_connections():  # a DuckDB database a thread, not one a table
                digest = _write_tables(staging.dir, tables, previous, functools.partial(store.reuse, staging),
                                       after_table, threads, later)
            if current is not None and current.name.endswith(digest) and not damage and not full:
                store.settle(current.name)
                return current.name, False
            snap_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{digest}"
            store.commit(staging, snap_id, _seal_partitions)
        store.settle(snap_id)
        store.point(snap_id)
        _prune(store, keep)
        if damage:
            store.repair(snap_id)
        return snap_id, True
    except OSError as exc:
        raise OutputError(f"could not publish the curated tables to {storage.url_of(store.location)}: {exc}") from exc


def rollback(curated: Path | str) -> str:
    """Make the snapshot before the current one current again. Returns its id."""
    store = storage.store(storage.location(curated))
    names = [p.name for p in store.snapshots()]
    current = store.current()
    if current is None or current.name not in names or names.index(current.name) == 0:
        raise OutputError("no earlier snapshot to roll back to")
    previous = names[names.index(current.name) - 1]
    store.point(previous)
    return previous


def _previous_segments(curated: Path | str) -> segments.Previous:
    """The current snapshot's segment manifest (empty without one: everything is written)."""
    try:
        return segments.read_manifest(read_previous(curated, segments.MANIFEST))
    except (OSError, pa.ArrowException):  # an unreadable manifest: write everything anew
        return {}


def _write_tables(staging: Path, tables: dict[str, Table], previous: segments.Previous,
                  reuse: Callable[[str, str, str], None], after_table: Callable[[], None], threads: int = 1,
                  later: Callable[[], dict[str, Table]] | None = None) -> str:
    """Write every table as segments (see segments.py), keeping unchanged segments of the
    previous snapshot through ``reuse(table, old file, new file)``, then the manifest;
    ``threads`` tables at a time, the largest first (a table's segments do not depend on
    another's), the tables ``later`` gives made in this thread meanwhile. Returns the
    snapshot's content digest: of the manifest, which names every key's rows' digest and the
    file holding them (identical content, identical digest)."""
    tables = dict(tables)
    if later is not None and threads <= 1:
        tables.update(later())
        later = None
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

    def write(index: int, name: str) -> None:
        written = itertools.count()

        def spool_manifest(rows: pa.Table) -> None:  # a partition's manifest rows, to a file as soon as they are known
            if rows.num_rows:
                key = (rows.column("table")[0].as_py(), rows.column("partition")[0].as_py())
                path = scratch / f"manifest-{index:02d}-{next(written):04d}.parquet"
                pq.write_table(segments.manifest_table([rows]), path)
                pieces[key] = path  # a table's own keys: no two threads add the same

        (scratch / f"table-{index:02d}").mkdir()  # DuckDB's temporary files, one directory per connection
        segments.write_table(staging / name, name, tables[name], previous, functools.partial(reuse, name),
                             groups, scratch / f"table-{index:02d}", sink=spool_manifest)
        after_table()

    def largest_first(names: list[str]) -> list[str]:
        return sorted(names, key=lambda name: -_size(tables[name]))

    try:
        names = list(tables)
        if threads <= 1:
            for name in largest_first(names):
                write(names.index(name), name)
        else:
            with concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="ingest-publish") as pool:
                writing = [pool.submit(write, names.index(name), name) for name in largest_first(names)]
                if later is not None:
                    more = later()
                    tables.update(more)
                    names += [name for name in more if name not in names]
                    writing += [pool.submit(write, names.index(name), name) for name in largest_first(list(more))]
                for done in writing:
                    done.result()
        (staging / segments.MANIFEST).mkdir(parents=True)
        return _write_manifest([pieces[k] for k in sorted(pieces)], staging / segments.MANIFEST / "part-0.parquet")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _size(table: Table) -> int:
    """About how much writing ``table`` costs: its bytes (of its spool files, when spooled)."""
    if isinstance(table, Spooled):
        return sum(os.path.getsize(f) for f in table.files)
    return table.nbytes


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
            for batch in table.to_batches(max_chunksize=8192):  # a few MB of text at a time
                h.update(_row_lines(batch))
    return h.hexdigest()[:12]


def _row_lines(batch: pa.RecordBatch) -> bytes:
    """A manifest batch's rows as the digest reads them: each row's values as text (integers in
    decimal), joined by NUL, a newline after each row, in UTF-8; made by Arrow, not row by row
    in Python. The manifest's columns hold no nulls."""
    columns = [c if pa.types.is_string(c.type) else pc.cast(c, pa.string()) for c in batch.columns]
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*columns, "\0"), "", "\n")
    offsets = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return bytes(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]) if len(lines) else b""


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


def _snapshot_time(snap_id: str) -> float:
    """When the snapshot was published, from its id (0 if the id has no time)."""
    try:
        return datetime.strptime(snap_id.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


def _prune(store: storage.Store, keep: int) -> None:
    """Delete snapshots beyond the newest ``keep``, but never the current one nor one that
    stopped being current (its successor was published) less than the retention period ago."""
    current = store.current()
    snaps = store.snapshots()
    horizon = time.time() - retention_seconds()
    for i, old in enumerate(snaps[: max(0, len(snaps) - keep)]):
        if current is not None and old.name == current.name:
            continue
        if i + 1 < len(snaps) and _snapshot_time(snaps[i + 1].name) > horizon:
            continue  # a reader may still be reading it
        store.remove(old)


def remove_staging(curated: Path | str) -> None:
    """Delete what a killed run left half-written, and put back the table paths it may have
    left missing (killed between ``_current`` and the table links): every run, even one that
    publishes nothing, ends with them in place. A file of the current snapshot that is missing
    or of the wrong size is restored from another snapshot holding it intact. Call with the
    writer lock held."""
    storage.store(storage.location(curated)).tidy()


