"""Stage 1, read: find raw files, open them safely, decode them, split JSONL into pages.

The only stage besides ``write`` that touches storage: a local directory directly, a URL
(``s3://bucket/raw``) through :mod:`ingest.storage`. Every problem becomes a
:class:`~ingest.models.Quarantine` with a stable reason; nothing here raises for bad input.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bs4.dammit import UnicodeDammit

from . import storage
from .config import Limits
from .errors import DecodeError, InputError, LimitError, Reason
from .models import Quarantine, RawPage

SIDECAR_SUFFIX = ".meta.json"
TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})

# Magic numbers of files that are never pages, whatever they are named.
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x7fELF", b"Rar!", b"7z\xbc\xaf", b"\x00\x00\x01\x00")
# Share of control characters (other than tab/newline/CR/FF) above which decoded "text" is binary.
# Real pages have none; random bytes decoded as cp1252 have ~10%.
_MAX_CONTROL_SHARE = 0.02
_WESTERN = frozenset({"utf-8", "ascii", "windows-1252", "cp1252", "iso-8859-1", "latin-1"})
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")


def discover(root: Path | str) -> list[str]:
    """Every candidate page file below ``root``, relative POSIX paths, sorted.

    Hidden files and directories and sidecars are skipped; symlinks are listed (and refused
    later if they leave the root) so that no file disappears without a ``documents`` row.
    """
    root = storage.location(root)
    if storage.is_remote(root):
        return storage.list_files(root, skip=_skipped)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root)
        for name in filenames:
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            found.append(PurePosixPath(*rel_dir.parts, name).as_posix())
    return sorted(found)


def _skipped(rel: str) -> bool:
    parts = rel.split("/")
    return any(p.startswith(".") for p in parts) or rel.endswith(SIDECAR_SUFFIX)


def read_file(root: Path | str, rel: str, limits: Limits) -> list[RawPage | Quarantine]:
    """Read one raw file into pages (one, or one per JSONL line) or quarantine records."""
    root = storage.location(root)
    path = storage.join(root, rel)
    try:
        if storage.is_remote(root):
            mtime, data = _read_remote_bytes(path, limits)
        else:
            mtime, data = _read_bytes(root, path, limits)
        meta, meta_problem = _read_sidecar(storage.join(root, rel + SIDECAR_SUFFIX))
        name = rel[:-3] if rel.lower().endswith(".gz") else rel
        if rel.lower().endswith(".gz"):
            data = _gunzip(data, limits)
        suffix = PurePosixPath(name.lower()).suffix
        warnings = (meta_problem,) if meta_problem else ()
        if suffix in JSONL_SUFFIXES:
            return list(_read_jsonl(rel, data, meta, warnings, mtime, limits))
        if suffix in HTML_SUFFIXES:
            fmt = "html"
        elif suffix in TEXT_SUFFIXES:
            fmt = "text"
        else:
            raise InputError(f"unsupported file type {suffix or '(none)'!r}", reason=Reason.UNSUPPORTED_FORMAT)
        text, encoding, notes = decode_bytes(data, is_html=fmt == "html")
        if fmt == "text" and _looks_like_html(text):
            fmt = "html"
        return [
            RawPage(
                raw_path=rel,
                line_no=None,
                fmt=fmt,
                content=text,
                url=_str_or_none(meta.get("url")),
                fetched_at=parse_timestamp(meta.get("fetched_at")),
                site_hint=_str_or_none(meta.get("site")),
                encoding=encoding,
                warnings=warnings + notes,
                mtime=mtime,
            )
        ]
    except InputError as exc:
        return [Quarantine(rel, None, str(exc.reason), exc.message)]
    except OSError as exc:
        return [Quarantine(rel, None, Reason.UNREADABLE, f"{type(exc).__name__}: {exc.strerror or exc}")]


def _read_bytes(root: Path, path: Path, limits: Limits) -> tuple[float, bytes]:
    real_root = root.resolve()
    real = path.resolve()
    if real != real_root and real_root not in real.parents:
        raise InputError("symlink points outside the raw root; not read", reason=Reason.OUTSIDE_ROOT)
    if not real.is_file():
        raise InputError("not a regular file", reason=Reason.UNSUPPORTED_FORMAT)
    stat = real.stat()
    if stat.st_size > limits.max_file_bytes:
        raise LimitError(f"{stat.st_size} bytes > limit {limits.max_file_bytes}", reason=Reason.TOO_LARGE)
    with open(real, "rb") as fh:
        # read(n) allocates n bytes first: a buffer of the file's size, not of the limit (a
        # 50-MB buffer cost ~150 µs a file inside a run); more if the file grew since stat.
        want = min(stat.st_size, limits.max_file_bytes) + 1
        data = fh.read(want)
        if len(data) == want:
            data += fh.read(limits.max_file_bytes + 1 - len(data))
    if len(data) > limits.max_file_bytes:
        raise LimitError(f"more than {limits.max_file_bytes} bytes", reason=Reason.TOO_LARGE)
    return stat.st_mtime, data


def _read_remote_bytes(url: str, limits: Limits) -> tuple[float, bytes]:
    """The same checks as for a local file, on what the store says (no symlinks there)."""
    meta = storage.info(url)
    if meta.get("type", "file") != "file":
        raise InputError("not a regular file", reason=Reason.UNSUPPORTED_FORMAT)
    size = int(meta.get("size") or 0)
    if size > limits.max_file_bytes:
        raise LimitError(f"{size} bytes > limit {limits.max_file_bytes}", reason=Reason.TOO_LARGE)
    data = storage.read_bytes(url, limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise LimitError(f"more than {limits.max_file_bytes} bytes", reason=Reason.TOO_LARGE)
    return storage.mtime(meta), data


def _gunzip(data: bytes, limits: Limits) -> bytes:
    """Decompress (multi-member aware) with a hard cap on output, so a gzip bomb costs at most the cap."""
    out = bytearray()
    pending = data
    try:
        while pending:
            decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
            buf = pending
            while True:
                out += decomp.decompress(buf, limits.max_decompressed_bytes + 1 - len(out))
                if len(out) > limits.max_decompressed_bytes:
                    raise LimitError(
                        f"decompresses to more than {limits.max_decompressed_bytes} bytes",
                        reason=Reason.DECOMPRESSION_LIMIT,
                    )
                buf = decomp.unconsumed_tail
                if decomp.eof or not buf:
                    break
            if not decomp.eof:
                raise InputError("gzip stream is truncated", reason=Reason.CORRUPT_GZIP)
            pending = decomp.unused_data
    except zlib.error as exc:
        raise InputError(f"not a valid gzip stream: {exc}", reason=Reason.CORRUPT_GZIP) from exc
    return bytes(out)


def _read_sidecar(side: Path | str) -> tuple[dict, str | None]:
    name = side.name if isinstance(side, Path) else side.rsplit("/", 1)[-1]
    try:
        if isinstance(side, Path):
            if not side.exists():
                return {}, None
            raw = side.read_bytes()[:1_000_000]
        else:
            raw = storage.read_optional(side, 1_000_000)
            if raw is None:
                return {}, None
        meta = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, OSError) as exc:
        return {}, f"sidecar {name} ignored: {type(exc).__name__}"
    if not isinstance(meta, dict):
        return {}, f"sidecar {name} ignored: not a JSON object"
    return meta, None


def _read_jsonl(
    rel: str, data: bytes, meta: dict, warnings: tuple[str, ...], mtime: float, limits: Limits
) -> Iterator[RawPage | Quarantine]:
    text, _, notes = decode_bytes(data, is_html=False)
    any_line = False
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        any_line = True
        try:
            obj = json.loads(line)
        except ValueError as exc:
            yield Quarantine(rel, no, Reason.MALFORMED_JSONL_LINE, f"line {no}: {exc}")
            continue
        if not isinstance(obj, dict):
            yield Quarantine(rel, no, Reason.MALFORMED_JSONL_LINE, f"line {no}: not a JSON object")
            continue
        url = _str_or_none(obj.get("url")) or _str_or_none(meta.get("url"))
        fetched = parse_timestamp(obj.get("fetched_at")) or parse_timestamp(meta.get("fetched_at"))
        body, fmt = None, "text"
        if isinstance(obj.get("html"), str) and obj["html"].strip():
            body, fmt = obj["html"], "html"
        elif isinstance(obj.get("text"), str) and obj["text"].strip():
            body = obj["text"]
        if body is None:
            yield Quarantine(rel, no, Reason.MISSING_CONTENT, f"line {no}: no non-empty 'html' or 'text'", url, fetched)
            continue
        try:
            body = _check_text(body.replace("\x00", ""))
        except InputError as exc:
            yield Quarantine(rel, no, str(exc.reason), exc.message, url, fetched)
            continue
        yield RawPage(
            raw_path=rel,
            line_no=no,
            fmt=fmt,
            content=body,
            url=url,
            fetched_at=fetched,
            site_hint=_str_or_none(obj.get("site")) or _str_or_none(meta.get("site")),
            warnings=warnings + notes,
            mtime=mtime,
        )
    if not any_line:
        raise InputError("file has no JSONL lines", reason=Reason.EMPTY)


def decode_bytes(data: bytes, *, is_html: bool) -> tuple[str, str, tuple[str, ...]]:
    """Decode page bytes, detecting the encoding: BOM, then UTF-8, then the page's own
    declaration (HTML), then a statistical guess, then Windows-1252.

    Returns (text, encoding, notes). Raises InputError for empty or binary input.
    """
    if not data.strip():
        raise InputError("file is empty or whitespace only", reason=Reason.EMPTY)
    if data.startswith(_BINARY_MAGIC):
        raise InputError("binary file (recognised by its signature)", reason=Reason.BINARY)
    notes: list[str] = []
    text: str | None = None
    encoding = "utf-8"
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text, encoding = data.decode(enc, errors="replace"), enc
            break
    if text is None and b"\x00" in data[:4096] and _looks_utf16(data):
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        text, encoding = data.decode(enc, errors="replace"), enc
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            dammit = UnicodeDammit(data, is_html=is_html, user_encodings=[])
            if dammit.unicode_markup is None:
                raise DecodeError("no encoding decodes these bytes", reason=Reason.UNDECODABLE) from None
            text, encoding = dammit.unicode_markup, (dammit.original_encoding or "unknown")
            declared = (dammit.declared_html_encoding or "").lower()
            if encoding.lower() not in _WESTERN and encoding.lower() != declared:
                # A statistical guess on a short page is unreliable; Windows-1252 is what
                # undeclared Western pages almost always are. A page's own declaration wins;
                # a guess is kept only when cp1252 cannot decode the bytes.
                try:
                    text, encoding = data.decode("cp1252"), "windows-1252"
                except UnicodeDecodeError:
                    pass
    if "\x00" in text:
        text = text.replace("\x00", "")
        notes.append("NUL characters removed")
    return _check_text(text), encoding, tuple(notes)


def _check_text(text: str) -> str:
    if not text.strip():
        raise InputError("no text after decoding", reason=Reason.EMPTY)
    sample = text[:65536]
    control = len(_CONTROL.findall(sample))
    if control > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(f"binary content ({control} control characters in the first {len(sample)})", reason=Reason.BINARY)
    return text


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > 0.3 * (len(head) / 2) and min(even, odd) < 0.05 * (len(head) / 2)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) and "<body" in text[:200_000].lower()


def _str_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601 (with or without zone; naive means UTC) or epoch seconds; None if unusable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        ts = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)

