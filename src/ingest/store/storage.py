"""Where raw pages and curated tables live: a local directory or any fsspec URL.

A location is either a :class:`pathlib.Path` (local: the code keeps using the OS directly,
with symlinks, ``rename(2)`` and ``flock``) or a URL string such as ``s3://bucket/prefix``
(object storage, or any other non-local fsspec filesystem). This module is the only one that
talks to fsspec: listing, reading, writing, deleting, and the writer lock object.

Credentials and endpoints come from the usual places (for S3: ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``, ``~/.aws``; fsspec's ``FSSPEC_S3_*``
variables also apply).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ingest import config
from ingest.config import Location

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
