"""Where raw pages and curated tables live: a local directory or any fsspec URL.

A location is either a :class:`pathlib.Path` (local: the code keeps using the OS directly,
with symlinks, ``rename(2)`` and ``flock``) or a URL string such as ``s3://bucket/prefix``
(object storage, or any other non-local fsspec filesystem). This module is the only one that
talks to fsspec: listing, reading, writing, deleting, and the writer lock object.

The curated tables' snapshots are kept by a :class:`Store`, chosen once from the location
(:func:`store`): :class:`LocalStore` (symlinks, ``rename(2)``, hard links, fsync, ``flock``,
checksums per snapshot) or :class:`ObjectStore` (a ``_current`` pointer object, a manifest
written last, server-side copies, a lock object taken with conditional PUTs). write.py says
what a snapshot is and when each step happens; a Store does each step where it lives.

Credentials and endpoints come from the usual places (for S3: ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``, ``~/.aws``; fsspec's ``FSSPEC_S3_*``
variables also apply).
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
import socket
import stat
import tempfile
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, overload

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ingest import config
from ingest.config import Location
from ingest.errors import InputError, LimitError, LockError, OutputError, Reason

if TYPE_CHECKING:
    from typing_extensions import TypeIs

# A location setting read as a Path (local) or a URL string: config.location, here too for
# storage's users.
location = config.location


def is_remote(loc: Location) -> TypeIs[str]:
    """True for a URL string (object storage); narrows ``loc`` to ``str``, or else to ``Path``."""
    return isinstance(loc, str)


@overload
def join(loc: Path, *parts: str) -> Path: ...
@overload
def join(loc: str, *parts: str) -> str: ...
def join(loc: Location, *parts: str) -> Location:
    """``loc`` with ``parts`` appended: a Path stays a Path, a URL stays a URL."""
    if isinstance(loc, Path):
        return loc.joinpath(*parts)
    return "/".join([loc, *(p.strip("/") for p in parts)])


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path within it). Listings are never cached: other processes write too."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(url, use_listings_cache=False)
    except TypeError:  # a filesystem that takes no listings-cache option
        return fsspec.core.url_to_fs(url)


# --- reading --------------------------------------------------------------------------------

# The latest listing of each raw root: discover() lists once, and file signatures come from
# that listing instead of one HEAD request per file.
_listings: dict[str, dict[str, dict]] = {}


def list_files(url: str, skip: Callable[[str], bool]) -> list[str]:
    """Files below ``url`` as sorted relative POSIX paths, skipping those ``skip`` rejects."""
    fs, root = filesystem(url)
    listed: dict[str, dict] = {}  # everything, sidecars included: their signatures count too
    for path, info in fs.find(root, withdirs=False, detail=True).items():
        rel = path[len(root):].lstrip("/") if path.startswith(root) else path
        if rel and info.get("type", "file") == "file":
            listed[rel] = info
    _listings[url] = listed
    return sorted(rel for rel in listed if not skip(rel))


def listed_info(root: str, rel: str) -> dict | None:
    """What the latest listing of ``root`` says of ``rel`` (None: not listed, or no listing)."""
    return _listings.get(root, {}).get(rel)


def info(url: str) -> dict:
    fs, path = filesystem(url)
    return fs.info(path)


def is_dir(url: str) -> bool:
    fs, path = filesystem(url)
    return fs.isdir(path)


def exists(url: str) -> bool:
    fs, path = filesystem(url)
    return fs.exists(path)


def file_info(root: str, rel: str) -> dict:
    """What the store says about a raw file: from the latest listing of ``root`` if it has it."""
    cached = _listings.get(root, {}).get(rel)
    return cached if cached is not None else info(join(root, rel))


def mtime(info: dict) -> float:
    """Last modification as epoch seconds (0.0 if the store gives none)."""
    for key in ("LastModified", "last_modified", "mtime", "updated", "modified", "created"):
        value = info.get(key)
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value).timestamp()  # Python 3.11+ reads a "Z" suffix
            except ValueError:
                continue
    return 0.0


def version(info: dict) -> str:
    """What identifies a file's content on the store: its ETag (S3, GCS, Azure) where there is
    one, else its modification time."""
    for key in ("ETag", "etag", "md5Hash", "generation"):
        if info.get(key):
            return f"etag:{str(info[key]).strip(chr(34))}"
    return f"mtime:{mtime(info)!r}"


def signature(info: dict) -> tuple[int, int]:
    """(size, change token) for the state table: the token is a 63-bit hash of :func:`version`."""
    token = int.from_bytes(hashlib.sha256(version(info).encode()).digest()[:8], "big") >> 1
    return int(info.get("size") or 0), token


def read_bytes(url: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a file."""
    fs, path = filesystem(url)
    with fs.open(path, "rb") as fh:
        return fh.read(limit)


def read_optional(url: str, limit: int) -> bytes | None:
    """A small file's bytes (at most ``limit``), or None when it does not exist."""
    fs, path = filesystem(url)
    try:
        return fs.cat_file(path, start=0, end=limit)
    except FileNotFoundError:
        return None


# --- writing --------------------------------------------------------------------------------


def put_bytes(url: str, data: bytes) -> None:
    """One object, written whole (on S3 a single PUT: readers see the old or the new one)."""
    fs, path = filesystem(url)
    fs.pipe_file(path, data)


def upload(pairs: list[tuple[Path, str]]) -> None:
    """Local files to remote URLs (concurrently where the filesystem can)."""
    if not pairs:
        return
    fs, _ = filesystem(pairs[0][1])
    fs.put([str(src) for src, _ in pairs], [filesystem(dest)[1] for _, dest in pairs])


def copy(pairs: list[tuple[str, str]]) -> None:
    """Objects to other keys of the same store, server-side (S3 CopyObject): no bytes pass
    through this process."""
    if not pairs:
        return
    fs, _ = filesystem(pairs[0][0])
    fs.copy([filesystem(src)[1] for src, _ in pairs], [filesystem(dest)[1] for _, dest in pairs])


def sizes(urls: list[str], root: str) -> dict[str, int]:
    """Sizes of the given objects below ``root``, relative path -> bytes, from one listing."""
    if not urls:
        return {}
    fs, base = filesystem(root)
    listed = fs.find(base, withdirs=False, detail=True)
    want = {filesystem(u)[1] for u in urls}
    return {path[len(base):].lstrip("/"): int(info.get("size") or 0) for path, info in listed.items() if path in want}


def remove_tree(url: str) -> None:
    fs, path = filesystem(url)
    try:
        fs.rm(path, recursive=True)
    except FileNotFoundError:
        pass


def list_dirs(url: str) -> list[str]:
    """Names of the directories (common prefixes) right below ``url``."""
    fs, path = filesystem(url)
    try:
        entries = fs.ls(path, detail=True)
    except FileNotFoundError:
        return []
    return sorted(e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") == "directory")


def url_of(loc: Location) -> str:
    return str(loc) if isinstance(loc, Path) else loc


# --- conditional writes (the lock) -----------------------------------------------------------


def _s3(fs: Any) -> bool:
    protocols = fs.protocol if isinstance(fs.protocol, tuple | list) else (fs.protocol,)
    return "s3" in protocols and hasattr(fs, "_call_s3")


def _call_s3(fs: Any, method: str, path: str, **kwargs) -> dict:
    from fsspec.asyn import sync

    bucket, key, _ = fs.split_path(path)
    return sync(fs.loop, fs._call_s3, method, Bucket=bucket, Key=key, **kwargs)


def put_if_absent(url: str, data: bytes) -> str:
    """Create the object only if none exists (S3: ``If-None-Match: *``). Returns its version
    token; raises FileExistsError if it exists. On filesystems without conditional writes this
    falls back to fsspec's ``mode="create"`` (on most, a check then a write: not atomic)."""
    fs, path = filesystem(url)
    if _s3(fs):
        return _call_s3(fs, "put_object", path, Body=data, IfNoneMatch="*")["ETag"]
    try:
        fs.pipe_file(path, data, mode="create")
    except TypeError:
        if fs.exists(path):
            raise FileExistsError(path) from None
        fs.pipe_file(path, data)
    return version(fs.info(path))


def read_versioned(url: str) -> tuple[bytes, str] | None:
    """(content, version token) of an object, or None if it does not exist."""
    fs, path = filesystem(url)
    try:
        if _s3(fs):
            resp = _call_s3(fs, "get_object", path)
            from fsspec.asyn import sync

            body = sync(fs.loop, resp["Body"].read)
            return body, resp["ETag"]
        return fs.cat_file(path), version(fs.info(path))
    except FileNotFoundError:
        return None


def replace_if_unchanged(url: str, data: bytes, token: str) -> str:
    """Overwrite the object only if its version is still ``token`` (S3: ``If-Match``). Returns
    the new token; raises OSError if it changed or is gone."""
    fs, path = filesystem(url)
    if _s3(fs):
        return _call_s3(fs, "put_object", path, Body=data, IfMatch=token)["ETag"]
    if version(fs.info(path)) != token:
        raise OSError(f"{url} changed")
    fs.pipe_file(path, data)
    return version(fs.info(path))


def delete_if_unchanged(url: str, token: str) -> bool:
    """Delete the object only if its version is still ``token`` (S3: ``If-Match`` on DELETE).
    Returns False if it changed or was gone."""
    fs, path = filesystem(url)
    try:
        if _s3(fs):
            _call_s3(fs, "delete_object", path, IfMatch=token)
            return True
        if version(fs.info(path)) != token:
            return False
        fs.rm_file(path)
        return True
    except OSError:
        return False


class ObjectLock:
    """A writer lock on object storage: an object created with a conditional PUT.

    The object holds the holder (host, pid), a random token and the time of its last
    heartbeat; a thread rewrites it (conditionally on its ETag) every ``stale_after / 10``
    seconds. A lock whose heartbeat is older than ``stale_after`` seconds was left by a killed
    run and is broken by the next one: deleted conditionally on the ETag seen, then created
    again conditionally, so two runs breaking the same stale lock cannot both win. Clocks of
    the machines involved must agree to well within ``stale_after``.
    """

    def __init__(self, url: str, stale_after: float) -> None:
        self.url = url
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.holder = f"pid {os.getpid()} on {socket.gethostname()}"
        self.etag: str | None = None
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    def _body(self) -> bytes:
        return json.dumps({"holder": self.holder, "token": self.token,
                           "heartbeat": datetime.now(UTC).isoformat(), "stale_after": self.stale_after}).encode()

    def acquire(self) -> str | None:
        """Take the lock; returns None, or the holder's description when another run holds it."""
        for _ in range(3):
            try:
                self.etag = put_if_absent(self.url, self._body())
            except FileExistsError:
                seen = read_versioned(self.url)
                if seen is None:
                    continue  # released meanwhile
                body, token = seen
                holder, age = _describe(body)
                if age is not None and age <= self.stale_after:
                    return holder
                delete_if_unchanged(self.url, token)  # stale (or unreadable): break it, once
                continue
            self._thread = threading.Thread(target=self._beat, name="ingest-lock-heartbeat", daemon=True)
            self._thread.start()
            return None
        return "another process"

    def _beat(self) -> None:
        while not self._stop.wait(max(self.stale_after / 10, 0.5)):
            with self._mutex:
                try:
                    self.etag = replace_if_unchanged(self.url, self._body(), self.etag or "")
                except OSError:
                    self.lost = True
                    return

    def check(self) -> bool:
        """True if this run still holds the lock (nobody broke it)."""
        with self._mutex:
            if self.lost:
                return False
            seen = read_versioned(self.url)
            return seen is not None and seen[1] == self.etag

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if not self.lost and self.etag:
            delete_if_unchanged(self.url, self.etag)


def _describe(body: bytes) -> tuple[str, float | None]:
    """(holder, seconds since its heartbeat) of a lock object; age None if unreadable."""
    try:
        data = json.loads(body)
        beat = datetime.fromisoformat(data["heartbeat"])
        return str(data.get("holder") or "another process"), (datetime.now(UTC) - beat).total_seconds()
    except (ValueError, KeyError, TypeError):
        return "another process", None


# --- a curated location's snapshots: one interface, the local filesystem or object storage ----
#
# write.py says what a snapshot is and how a run publishes one; a Store says how each step
# is done where the tables live. LocalStore: a directory, with symlinks, rename(2), hard
# links, fsync, flock and a ``_checksums.json`` per snapshot. ObjectStore: any fsspec URL,
# with the pointer object ``_current``, a ``_complete`` manifest per snapshot written last,
# server-side copies and a lock object taken with conditional PUTs. store() picks one from
# the location, once.

SNAPSHOTS = "_snapshots"
CURRENT = "_current"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"
# Object storage: the manifest written last into a complete snapshot.
COMPLETE = "_complete"
# Local: each file of a snapshot with its size and SHA-256, written before the snapshot is.
CHECKSUMS = "_checksums.json"
# Object storage: a lock whose holder has not renewed it for this long was left by a killed run
# and is broken by the next one. The holder renews it every tenth of this.
LOCK_STALE_SECONDS = float(os.environ.get("INGEST_LOCK_STALE_SECONDS", "300"))
_SNAPSHOT_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")
_log = logging.getLogger("ingest.store.write")  # a store's warnings are those of the publish it serves

Reuse = Callable[[str, str, str], None]  # (table, file in the current snapshot, file in the new one)


@dataclass(frozen=True, slots=True)
class Damage:
    """A file of a snapshot that fails its check."""

    table: str  # "documents", "sections", "_state/pages"... ("" for the snapshot's own files)
    file: str  # path within the snapshot
    problem: str  # "missing", "size 0, expected 1234", "checksum differs", ...

    def __str__(self) -> str:
        return f"{self.table or '(snapshot)'}: {self.file} {self.problem}"


def describe_damage(damage: list[Damage], most: int = 5) -> str:
    shown = "; ".join(str(d) for d in damage[:most])
    return shown + (f"; and {len(damage) - most} more" if len(damage) > most else "")


def table_of(rel: str) -> str:
    """The table a file of a snapshot belongs to ("" for the snapshot's own files)."""
    parts = rel.split("/")
    if len(parts) < 2:
        return ""
    return "/".join(parts[:2]) if parts[0] == "_state" and len(parts) > 2 else parts[0]


@dataclass(slots=True)
class Staging:
    """A snapshot being written: the local directory its new files go to, and the files of
    the current snapshot it keeps (object storage copies those on the store when committing)."""

    dir: Path
    current: PurePath | None
    kept: list[tuple[str, str]] = field(default_factory=list)  # (file URL in the current snapshot, path in the new)


class Store(ABC):
    """A curated location's snapshots, the pointer to the current one and the writer lock."""

    location: Location

    @abstractmethod
    def lock(self, *, wait: bool) -> AbstractContextManager[None]:
        """The writer lock: LockError (or waiting, with ``wait``) while another run holds it."""

    @abstractmethod
    def current(self) -> PurePath | None:
        """The current snapshot (a local directory, or its path within the object store)."""

    @abstractmethod
    def snapshots(self) -> Sequence[PurePath]:
        """The complete snapshots, oldest first, as current() gives them."""

    @abstractmethod
    def table_url(self, snap: PurePath, table: str) -> str:
        """Where a reader opens ``table`` of ``snap``."""

    @abstractmethod
    def has_table(self, snap: PurePath, table: str) -> bool: ...

    @abstractmethod
    def read_table(self, snap: PurePath, table: str, columns: list[str] | None, partitioning: str | None,
                   without: set[str]) -> pa.Table | None:
        """``table`` of ``snap`` without the files ``without`` (paths within the snapshot); None if none is left."""

    @abstractmethod
    def check(self, snap: PurePath) -> list[Damage]:
        """Every file of ``snap`` against its record (size and SHA-256): what ``ingest verify`` reports."""

    @abstractmethod
    def check_for_read(self, snap: PurePath, tables: set[str] | None) -> list[Damage]:
        """The cheap check before the files of ``tables`` (None: all) are read."""

    @abstractmethod
    def check_for_reuse(self, snap: PurePath) -> list[Damage]:
        """The files of ``snap`` a new snapshot must not take over (what is left after repair)."""

    @abstractmethod
    def stage(self, current: PurePath | None) -> AbstractContextManager[Staging]:
        """A staging area for a new snapshot; what is left of it is removed on leaving."""

    @abstractmethod
    def reuse(self, staging: Staging, table: str, old: str, new: str) -> None:
        """Take the current snapshot's file ``table/old`` into the new snapshot as ``table/new``."""

    @abstractmethod
    def commit(self, staging: Staging, snap_id: str, seal: Callable[[Path], None]) -> None:
        """Make the staged files the complete snapshot ``snap_id`` (not yet current). ``seal``
        adds files a store whose table paths readers resolve again at each step needs."""

    @abstractmethod
    def settle(self, snap_id: str) -> None:
        """Put each table path of ``snap_id`` in place before it becomes current."""

    @abstractmethod
    def point(self, snap_id: str) -> None:
        """Make ``snap_id`` the current snapshot, in one atomic step."""

    @abstractmethod
    def remove(self, snap: PurePath) -> None:
        """Delete a snapshot that is not current."""

    @abstractmethod
    def tidy(self) -> None:
        """Remove what a killed run left half-written and put back what it left missing."""

    @abstractmethod
    def repair(self, snap_id: str) -> None:
        """After ``snap_id`` was written with damaged files written anew: repair the other snapshots."""


def store(loc: Location) -> Store:
    """The store of a curated location (config.location's Path or URL)."""
    return ObjectStore(loc) if is_remote(loc) else LocalStore(loc)


# --- the local filesystem ---------------------------------------------------------------------

# SHA-256 of files already hashed by this process, by (device, inode, size, mtime): snapshots
# share files through hard links, so a file is read once however many snapshots hold it.
_hashed: dict[tuple[int, int, int, int], str] = {}
_HASHED_MAX = 200_000


def sha256_file(path: Path, st: os.stat_result) -> str:
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    digest = _hashed.get(key)
    if digest is None:
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if len(_hashed) >= _HASHED_MAX:  # a long-lived process (ingest serve): files come and go
            _hashed.clear()
        _hashed[key] = digest
    return digest


class LocalStore(Store):
    """A curated directory: ``_current`` a symlink into ``_snapshots``, each table path a symlink
    through it, snapshots sharing unchanged files through hard links, each with its checksums."""

    location: Path

    def __init__(self, loc: Path) -> None:
        self.location = loc
        self.root = loc / SNAPSHOTS

    @contextlib.contextmanager
    def lock(self, *, wait: bool) -> Iterator[None]:
        self.location.mkdir(parents=True, exist_ok=True)
        with open(self.location / LOCK, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                raise LockError(f"another ingest run ({holder}) is writing to {self.location}; "
                                "try again when it ends") from None
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
            yield

    def current(self) -> Path | None:
        link = self.location / CURRENT
        if not link.is_symlink():
            return None
        target = (self.location / os.readlink(link)).resolve()
        return target if target.is_dir() else None

    def snapshots(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        root = self.root.resolve()  # absolute, as current()'s: the two are compared
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def table_url(self, snap: PurePath, table: str) -> str:
        return str(Path(snap) / table)

    def has_table(self, snap: PurePath, table: str) -> bool:
        return (Path(snap) / table).exists()

    def read_table(self, snap: PurePath, table: str, columns: list[str] | None, partitioning: str | None,
                   without: set[str]) -> pa.Table | None:
        snap = Path(snap)
        if not without:
            return pq.read_table(snap / table, columns=columns, partitioning=partitioning)
        files = [str(f) for f in sorted((snap / table).rglob("*.parquet"))
                 if f.relative_to(snap).as_posix() not in without]
        if not files:
            return None
        return ds.dataset(files, format="parquet", partitioning=partitioning,
                          partition_base_dir=str(snap / table)).to_table(columns=columns)

    def check(self, snap: PurePath) -> list[Damage]:
        return check_snapshot(Path(snap))

    def check_for_read(self, snap: PurePath, tables: set[str] | None) -> list[Damage]:
        return check_snapshot(Path(snap), full=False, tables=tables)

    def check_for_reuse(self, snap: PurePath) -> list[Damage]:
        """Full check (SHA-256); the damaged files another snapshot holds intact are restored."""
        damage = check_snapshot(Path(snap))
        return self._restore(Path(snap), damage) if damage else damage

    @contextlib.contextmanager
    def stage(self, current: PurePath | None) -> Iterator[Staging]:
        self.location.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(exist_ok=True)
        self._remove_staging()
        staging = Staging(self.root / f"{STAGING_PREFIX}{uuid.uuid4().hex}", current)
        try:
            staging.dir.mkdir()
            yield staging
        finally:
            shutil.rmtree(staging.dir, ignore_errors=True)  # gone already once committed

    def reuse(self, staging: Staging, table: str, old: str, new: str) -> None:
        """The same bytes, verified (check_for_reuse): a hard link."""
        assert staging.current is not None
        _link_or_copy(Path(staging.current) / table / old, staging.dir / table / new)

    def commit(self, staging: Staging, snap_id: str, seal: Callable[[Path], None]) -> None:
        seal(staging.dir)
        _write_checksums(staging.dir)
        _fsync_tree(staging.dir)
        os.rename(staging.dir, self.root / snap_id)
        _fsync_dir(self.root)

    def settle(self, snap_id: str) -> None:
        """Each table path a link through ``_current``: once ``_current`` exists, every table
        path does, even if the run is killed between the two."""
        _ensure_table_links(self.location, self.root / snap_id)

    def point(self, snap_id: str) -> None:
        _point(self.location / CURRENT, Path(SNAPSHOTS) / snap_id)

    def remove(self, snap: PurePath) -> None:
        shutil.rmtree(Path(snap), ignore_errors=True)

    def tidy(self) -> None:
        """Staging directories; then the current snapshot's files missing or of the wrong size
        restored from another snapshot holding them intact, and its table paths."""
        if self.root.is_dir():
            self._remove_staging()
        current = self.current()
        if current is not None:
            try:
                self._restore(current, check_snapshot(current, full=False))
                _ensure_table_links(self.location, current)
            except OSError as exc:
                raise OutputError(f"could not restore the table paths in {self.location}: {exc}") from exc

    def repair(self, snap_id: str) -> None:
        """Restore the other snapshots' damaged files that ``snap_id`` (or another) holds intact."""
        for other in self.snapshots():
            if other.name != snap_id:
                self._restore(other, check_snapshot(other))

    def _remove_staging(self) -> None:
        for p in self.root.iterdir():
            if p.name.startswith(STAGING_PREFIX):
                shutil.rmtree(p, ignore_errors=True)

    def _restore(self, snap: Path, damage: list[Damage]) -> list[Damage]:
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
        for other in self.snapshots():
            if other.name == snap.name:
                continue
            for rel, (size, digest) in (_read_checksums(other) or {}).items():
                if digest in wanted and digest not in copies:
                    path = other / rel
                    try:
                        st = path.lstat()
                        if stat.S_ISREG(st.st_mode) and st.st_size == size and sha256_file(path, st) == digest:
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
            _log.warning("%s of snapshot %s restored from snapshot %s", d.file, snap.name,
                         source.relative_to(snap.parent).parts[0])
        return left


def _write_checksums(snap: Path) -> None:
    """Record each file of the snapshot directory ``snap`` with its size and SHA-256."""
    files: dict[str, list] = {}
    for f in sorted(snap.rglob("*")):
        if f.is_file() and f.name != CHECKSUMS:
            st = f.stat()
            files[f.relative_to(snap).as_posix()] = [st.st_size, sha256_file(f, st)]
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
        table = table_of(rel)
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
                if sha256_file(path, st) != digest:
                    damage.append(Damage(table, rel, "checksum differs"))
            except OSError as exc:
                damage.append(Damage(table, rel, f"unreadable ({exc.strerror or exc})"))
    for f in _data_files(snap, tables):
        rel = f.relative_to(snap).as_posix()
        if rel not in recorded:
            damage.append(Damage(table_of(rel), rel, "not in the snapshot's checksums"))
    return sorted(damage, key=lambda d: d.file)


def _data_files(snap: Path, tables: set[str] | None) -> list[Path]:
    """Every file below the snapshot's table directories that readers of a table would read
    (Parquet readers skip names starting with ``.`` or ``_``, as a restore's temporary link)."""
    found = []
    for f in snap.rglob("*"):
        rel = f.relative_to(snap).as_posix()
        if ("/" in rel and not f.name.startswith((".", "_")) and (tables is None or table_of(rel) in tables)
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
            damage.append(Damage(table_of(rel), rel, "not a readable Parquet file"))
    return damage


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


# --- object storage ---------------------------------------------------------------------------


class ObjectStore(Store):
    """A curated prefix on object storage (any fsspec URL): no symlinks and no rename. A
    snapshot is uploaded whole to ``_snapshots/<id>/`` with its ``_complete`` manifest written
    last (every file with its size, SHA-256 and ETag); the small object ``_current`` names the
    current one (one PUT, which S3 makes atomic). A snapshot without ``_complete`` was never
    pointed at. The writer lock is the object ``.lock`` (ObjectLock)."""

    # Object locks held by this process, by curated URL, so that a run checks it still holds one.
    _held: ClassVar[dict[str, ObjectLock]] = {}

    location: str

    def __init__(self, loc: str) -> None:
        self.location = loc

    def _url(self, *parts: str) -> str:
        return join(self.location, *parts)

    @contextlib.contextmanager
    def lock(self, *, wait: bool) -> Iterator[None]:
        lock = ObjectLock(self._url(LOCK), LOCK_STALE_SECONDS)
        try:
            while (holder := lock.acquire()) is not None:
                if not wait:
                    raise LockError(f"another ingest run ({holder}) is writing to {self.location}; "
                                    "try again when it ends")
                time.sleep(1.0)
        except OSError as exc:
            raise OutputError(f"could not take the writer lock {lock.url}: {exc}") from exc
        self._held[self.location] = lock
        try:
            yield
        finally:
            self._held.pop(self.location, None)
            try:
                lock.release()
            except OSError:
                pass  # the lock goes stale and the next run breaks it

    def _check_lock(self) -> None:
        lock = self._held.get(self.location)
        if lock is not None and not lock.check():
            raise LockError(f"the writer lock on {self.location} was broken by another run (this run stalled "
                            f"longer than {lock.stale_after:g} s); nothing published")

    def current(self) -> PurePosixPath | None:
        data = read_optional(self._url(CURRENT), 1024)
        snap_id = data.decode("utf-8", "replace").strip() if data is not None else ""
        if not _SNAPSHOT_ID.match(snap_id) or not exists(self._url(SNAPSHOTS, snap_id, COMPLETE)):
            return None
        return PurePosixPath(filesystem(self._url(SNAPSHOTS, snap_id))[1])

    def snapshots(self) -> list[PurePosixPath]:
        root = self._url(SNAPSHOTS)
        base = PurePosixPath(filesystem(root)[1])
        return [base / name for name in list_dirs(root)
                if _SNAPSHOT_ID.match(name) and exists(join(root, name, COMPLETE))]

    def table_url(self, snap: PurePath, table: str) -> str:
        return self._url(SNAPSHOTS, snap.name, table)

    def has_table(self, snap: PurePath, table: str) -> bool:
        return is_dir(self.table_url(snap, table))

    def read_table(self, snap: PurePath, table: str, columns: list[str] | None, partitioning: str | None,
                   without: set[str]) -> pa.Table | None:
        fs, path = filesystem(self.table_url(snap, table))
        return pq.read_table(path, columns=columns, partitioning=partitioning, filesystem=fs)

    def _manifest(self, snap_id: str) -> dict:
        return json.loads(read_optional(self._url(SNAPSHOTS, snap_id, COMPLETE), 64 << 20) or b"{}")

    def check(self, snap: PurePath) -> list[Damage]:
        """Each file against the sizes (and SHA-256, where recorded) of the snapshot's manifest."""
        base = self._url(SNAPSHOTS, snap.name)
        manifest = self._manifest(snap.name)
        recorded, digests = manifest.get("files", {}), manifest.get("sha256", {})
        fs, root = filesystem(base)
        listed = _listing(base)
        listed.pop(COMPLETE, None)
        damage = _object_damage(recorded, listed, functools.partial(_checksum_differs, fs, root, digests))
        return damage + [Damage(table_of(rel), rel, "not in the snapshot's manifest")
                         for rel in sorted(set(listed) - set(recorded))]

    def check_for_read(self, snap: PurePath, tables: set[str] | None) -> list[Damage]:
        return []  # each read lists the store anew; a file's damage shows when it is read

    def check_for_reuse(self, snap: PurePath) -> list[Damage]:
        """A file is copied only if its object has the size and the ETag the manifest records (a
        server-side copy never reads the bytes; the ETag changes with them; check() reads them)."""
        manifest = self._manifest(snap.name)
        recorded, etags = manifest.get("files", {}), manifest.get("etag", {})
        return _object_damage(
            recorded,
            _listing(self._url(SNAPSHOTS, snap.name)),
            lambda rel, info: "changed since it was published (ETag)"
            if rel in etags and version(info) != etags[rel] else None,
        )

    @contextlib.contextmanager
    def stage(self, current: PurePath | None) -> Iterator[Staging]:
        """A local temporary directory: the files are written locally first, so the id carries
        the same content digest as a local snapshot's."""
        with tempfile.TemporaryDirectory(prefix="ingest-snapshot-") as tmp:
            yield Staging(Path(tmp), current)

    def reuse(self, staging: Staging, table: str, old: str, new: str) -> None:
        """Copied on the store when committing (server-side)."""
        assert staging.current is not None
        staging.kept.append((self._url(SNAPSHOTS, staging.current.name, table, old), f"{table}/{new}"))

    def commit(self, staging: Staging, snap_id: str, seal: Callable[[Path], None]) -> None:
        """Every file uploaded (or copied on the store), then the ``_complete`` manifest; a
        failed upload removes what it wrote (else the next run does). Readers never resolve a
        table path again mid-read here (current_path pins the snapshot): ``seal`` is not needed."""
        known = self._digests(staging.current)
        staging.kept.sort()  # in the order of their names, however many threads took them
        dest = self._url(SNAPSHOTS, snap_id)
        files = sorted(p for p in staging.dir.rglob("*") if p.is_file())
        try:
            copy([(src, join(dest, rel)) for src, rel in staging.kept])
            upload([(f, join(dest, f.relative_to(staging.dir).as_posix())) for f in files])
            sizes_ = {f.relative_to(staging.dir).as_posix(): f.stat().st_size for f in files}
            sizes_.update(sizes([join(dest, rel) for _, rel in staging.kept], dest))
            digests = {f.relative_to(staging.dir).as_posix(): sha256_file(f, f.stat()) for f in files}
            digests.update({rel: known[src] for src, rel in staging.kept if src in known})
            manifest: dict[str, Any] = {"snapshot": snap_id, "files": sizes_, "sha256": dict(sorted(digests.items()))}
            if etags := _etags(dest):  # what the store says of each object's bytes: checked before a copy
                manifest["etag"] = etags
            put_bytes(join(dest, COMPLETE), json.dumps(manifest, indent=1).encode())
        except BaseException:
            with contextlib.suppress(Exception):  # best effort; else the next run removes it
                remove_tree(dest)
            raise

    def _digests(self, current: PurePath | None) -> dict[str, str]:
        """The SHA-256 the current snapshot's manifest records, by file URL."""
        if current is None:
            return {}
        base = self._url(SNAPSHOTS, current.name)
        try:
            return {join(base, rel): str(d) for rel, d in self._manifest(current.name).get("sha256", {}).items()}
        except (ValueError, AttributeError):
            return {}

    def settle(self, snap_id: str) -> None:
        pass  # no table paths: readers read ``_current`` (current_path)

    def point(self, snap_id: str) -> None:
        self._check_lock()
        put_bytes(self._url(CURRENT), f"{snap_id}\n".encode())

    def remove(self, snap: PurePath) -> None:
        """The marker first: from then on it is not a snapshot."""
        remove_tree(self._url(SNAPSHOTS, snap.name, COMPLETE))
        remove_tree(self._url(SNAPSHOTS, snap.name))

    def tidy(self) -> None:
        """Snapshots without ``_complete``: a killed upload's."""
        snapshots = self._url(SNAPSHOTS)
        for name in list_dirs(snapshots):
            if not exists(join(snapshots, name, COMPLETE)):
                remove_tree(join(snapshots, name))

    def repair(self, snap_id: str) -> None:
        pass  # snapshots share no objects: a damaged one harms no other


def _listing(base: str) -> dict[str, dict]:
    """Every object below ``base``: relative path -> what the store says of it."""
    fs, root = filesystem(base)
    return {p[len(root):].lstrip("/"): info for p, info in fs.find(root, detail=True).items()}


def _etags(base: str) -> dict[str, str]:
    """Each object's ETag below ``base`` (none on a store that gives none)."""
    tokens = {rel: version(info) for rel, info in sorted(_listing(base).items())}
    return {rel: token for rel, token in tokens.items() if token.startswith("etag:")}


def _checksum_differs(fs: Any, root: str, digests: dict[str, str], rel: str, info: dict) -> str | None:
    """Whether an object's content has another SHA-256 than recorded (read in 1-MB pieces)."""
    if rel not in digests:
        return None
    h = hashlib.sha256()
    with fs.open(f"{root}/{rel}", "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return "checksum differs" if h.hexdigest() != digests[rel] else None


def _object_damage(
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
            damage.append(Damage(table_of(rel), rel, reason))
    return damage


# --- a raw landing zone: one interface, a local directory or object storage --------------------


class Source(ABC):
    """A landing zone of raw files: which files it holds, what identifies each one's content,
    and its bytes, read with the same rules on both kinds of location (a regular file inside
    the root only, its size checked against a cap before any byte is read)."""

    location: Location

    @abstractmethod
    def files(self, hidden: Callable[[str], bool], skipped_suffix: str) -> list[str]:
        """Every file below the root as sorted relative POSIX paths, but those with a ``hidden``
        part or whose name ends with ``skipped_suffix``; locally every symlink is listed (never
        followed), to a directory too."""

    @abstractmethod
    def signature(self, rel: str) -> tuple[int, int]:
        """(size, change token): the mtime in ns locally, a hash of the ETag on object storage."""

    @abstractmethod
    def signature_if_any(self, rel: str) -> tuple[int, int] | None:
        """signature(), or None where there is no such file."""

    @abstractmethod
    def content_id(self, rel: str) -> str:
        """What a file holds, cheaply: the SHA-256 of a local regular file's bytes (a symlink,
        device or pipe is named by its mode, never followed); the store's ETag remotely."""

    @abstractmethod
    def read(self, rel: str, cap: int) -> tuple[float, bytes]:
        """(mtime, bytes) of a regular file inside the root of at most ``cap`` bytes; InputError
        (a LimitError past ``cap``) otherwise."""

    @abstractmethod
    def read_if_any(self, rel: str, cap: int) -> bytes | None:
        """read()'s bytes, or None where there is no such file (a sidecar)."""


def source(loc: Location) -> Source:
    """The landing zone of a raw location (config.location's Path or URL)."""
    return ObjectSource(loc) if is_remote(loc) else LocalSource(loc)


class LocalSource(Source):
    """A local directory, read through the OS without following a link out of the root."""

    location: Path

    def __init__(self, loc: Path) -> None:
        self.location = loc

    def files(self, hidden: Callable[[str], bool], skipped_suffix: str) -> list[str]:
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.location, followlinks=False):
            rel_dir = Path(dirpath).relative_to(self.location)
            # os.walk lists a symlink to a directory among the directories and does not follow it.
            links = [d for d in dirnames if not hidden(d) and os.path.islink(os.path.join(dirpath, d))]
            dirnames[:] = sorted(d for d in dirnames if not hidden(d) and d not in links)
            for name in [*filenames, *links]:
                if hidden(name) or name.endswith(skipped_suffix):
                    continue
                found.append(PurePosixPath(*rel_dir.parts, name).as_posix())
        return sorted(found)

    def signature(self, rel: str) -> tuple[int, int]:
        st = (self.location / rel).lstat()
        return st.st_size, st.st_mtime_ns

    def signature_if_any(self, rel: str) -> tuple[int, int] | None:
        try:
            return self.signature(rel)
        except OSError:
            return None

    def content_id(self, rel: str) -> str:
        path = self.location / rel
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            return f"mode:{st.st_mode:o}"
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        return f"sha256:{h.hexdigest()}"

    def read(self, rel: str, cap: int) -> tuple[float, bytes]:
        real = self._inside(self.location / rel)
        if not real.is_file():
            raise InputError(
                "not a regular file (a directory, device or FIFO; not followed)", reason=Reason.UNSUPPORTED_FORMAT
            )
        return _read_regular(real, cap)

    def read_if_any(self, rel: str, cap: int) -> bytes | None:
        path = self.location / rel
        if not os.path.lexists(path):
            return None
        real = self._inside(path)
        if not real.is_file():
            raise InputError("not a regular file", reason=Reason.UNSUPPORTED_FORMAT)
        return _read_regular(real, cap)[1]

    def _inside(self, path: Path) -> Path:
        """``path`` with symlinks resolved, if it stays below the root; InputError otherwise."""
        real_root = self.location.resolve()
        try:
            real = path.resolve()
        except RuntimeError as exc:  # Python < 3.13 raises this for a symlink loop
            raise InputError(f"{path.name}: symlink loop, not read", reason=Reason.UNREADABLE) from exc
        if real != real_root and real_root not in real.parents:
            raise InputError("symlink points outside the raw root, not read", reason=Reason.OUTSIDE_ROOT)
        return real


def _read_regular(real: Path, cap: int) -> tuple[float, bytes]:
    """At most ``cap`` bytes of a regular file, checked on the open descriptor: opened without
    blocking (a FIFO put in the file's place cannot hang the run), its size checked before
    any byte is read, and never more than ``cap + 1`` bytes read."""
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb", closefd=True) as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a regular file", reason=Reason.UNSUPPORTED_FORMAT)
        if st.st_size > cap:
            raise LimitError(f"{st.st_size} bytes > limit {cap}", reason=Reason.TOO_LARGE)
        # read(n) allocates n bytes first: a buffer of the file's size, not of the limit (a
        # 50-MB buffer cost ~150 µs a file inside a run); more if the file grew since stat.
        want = st.st_size + 1
        data = fh.read(want)
        if len(data) == want:
            data += fh.read(cap + 1 - len(data))
    if len(data) > cap:
        raise LimitError(f"more than {cap} bytes", reason=Reason.TOO_LARGE)
    return st.st_mtime, data


class ObjectSource(Source):
    """A prefix on object storage: no symlinks; what the store says of each object (its type,
    size, ETag), from the listing files() made where it has it."""

    location: str

    def __init__(self, loc: str) -> None:
        self.location = loc

    def files(self, hidden: Callable[[str], bool], skipped_suffix: str) -> list[str]:
        return list_files(self.location, skip=lambda rel: any(hidden(p) for p in rel.split("/"))
                          or rel.endswith(skipped_suffix))

    def signature(self, rel: str) -> tuple[int, int]:
        return signature(file_info(self.location, rel))

    def signature_if_any(self, rel: str) -> tuple[int, int] | None:
        listed = listed_info(self.location, rel)
        return signature(listed) if listed is not None else None

    def content_id(self, rel: str) -> str:
        return version(file_info(self.location, rel))

    def read(self, rel: str, cap: int) -> tuple[float, bytes]:
        url = join(self.location, rel)
        meta = info(url)
        if meta.get("type", "file") != "file":
            raise InputError("not a regular file", reason=Reason.UNSUPPORTED_FORMAT)
        size = int(meta.get("size") or 0)
        if size > cap:
            raise LimitError(f"{size} bytes > limit {cap}", reason=Reason.TOO_LARGE)
        data = read_bytes(url, cap + 1)
        if len(data) > cap:
            raise LimitError(f"more than {cap} bytes", reason=Reason.TOO_LARGE)
        return mtime(meta), data

    def read_if_any(self, rel: str, cap: int) -> bytes | None:
        raw = read_optional(join(self.location, rel), cap + 1)
        if raw is not None and len(raw) > cap:
            raise LimitError(f"more than {cap} bytes", reason=Reason.TOO_LARGE)
        return raw
