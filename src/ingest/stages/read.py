"""Stage 1, read: find raw files, open them safely, decode them, split JSONL into pages.

The only stage besides ``write`` that touches storage: a local directory directly, a URL
(``s3://bucket/raw``) through :mod:`ingest.store.storage`. Every problem becomes a
:class:`~ingest.models.Quarantine` with a stable reason; nothing here raises for bad input.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bs4.dammit import UnicodeDammit

from ingest.config import Limits
from ingest.errors import DecodeError, InputError, LimitError, Reason
from ingest.models import Quarantine, RawPage
from ingest.store import storage

SIDECAR_SUFFIX = ".meta.json"
TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})

# Magic numbers of files that are never pages, whatever they are named.
_BINARY_MAGIC = (
    b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x7fELF", b"Rar!", b"7z\xbc\xaf",
    b"\x00\x00\x01\x00",
)
# Share of control characters (other than tab/newline/CR/FF) above which decoded "text" is binary.
# Real pages have none; random bytes decoded as cp1252 have ~10%.
_MAX_CONTROL_SHARE = 0.02
_WESTERN = frozenset({"utf-8", "ascii", "windows-1252", "cp1252", "iso-8859-1", "latin-1"})
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")


def discover(root: Path | str) -> list[str]:
    """Every candidate page file below ``root``, relative POSIX paths, sorted.

    Hidden files and directories (a name starting with one dot: ``.git``, ``.DS_Store``) and
    sidecars are skipped; every symlink is listed, to a directory too (never followed; refused
    later), so that no file disappears without a ``documents`` row.
    """
    return storage.source(storage.location(root)).files(_hidden, SIDECAR_SUFFIX)


def _hidden(name: str) -> bool:
    """A dotfile by convention (``.git``, ``.DS_Store``); ``..dots.txt`` is an ordinary name."""
    return name.startswith(".") and not name.startswith("..")


def read_file(root: Path | str, rel: str, limits: Limits) -> list[RawPage | Quarantine]:
    """Read one raw file into pages (one, or one per JSONL line) or quarantine records.

    Never raises for what is in the landing zone: whatever goes wrong while reading this file
    or its sidecar (a symlink loop, a JSON nested past the interpreter's recursion limit, a
    date out of range, an allocation that fails) quarantines this file, naming it."""
    try:
        return _read_file(root, rel, limits)
    except InputError as exc:
        return [Quarantine(rel, None, str(exc.reason), exc.message)]
    except OSError as exc:
        return [Quarantine(rel, None, Reason.UNREADABLE, f"{rel}: {type(exc).__name__}: {exc.strerror or exc}")]
    except Exception as exc:  # noqa: BLE001 - the per-file boundary: one file never stops a run
        return [Quarantine(rel, None, Reason.UNREADABLE, f"{rel}: {type(exc).__name__}: {_short(str(exc))}")]


def _read_file(root: Path | str, rel: str, limits: Limits) -> list[RawPage | Quarantine]:
    source = storage.source(storage.location(root))
    mtime, data = source.read(rel, limits.max_file_bytes)
    meta, meta_problem = _read_sidecar(source, rel + SIDECAR_SUFFIX)
    name = rel[:-3] if rel.lower().endswith(".gz") else rel
    suffix = PurePosixPath(name.lower()).suffix
    if rel.lower().endswith(".gz"):
        # One page is held to what a plain page may be; a JSONL file holds many.
        page_cap = limits.max_decompressed_bytes if suffix in JSONL_SUFFIXES else limits.max_file_bytes
        data = _gunzip(data, limits, min(page_cap, limits.max_decompressed_bytes))
    warnings = [meta_problem] if meta_problem else []
    file_meta = _metadata(meta, "sidecar", warnings)
    if suffix in JSONL_SUFFIXES:
        return list(_read_jsonl(rel, data, file_meta, tuple(warnings), mtime, limits))
    if suffix in HTML_SUFFIXES:
        fmt = "html"
    elif suffix in TEXT_SUFFIXES:
        fmt = "text"
    else:
        raise InputError(f"unsupported file type {suffix or '(none)'!r}", reason=Reason.UNSUPPORTED_FORMAT)
    text, encoding, notes = decode_bytes(data, is_html=fmt == "html")
    del data
    if fmt == "text" and _looks_like_html(text):
        fmt = "html"
    url, fetched_at, site = file_meta
    return [
        RawPage(
            raw_path=rel,
            line_no=None,
            fmt=fmt,
            content=text,
            url=url,
            fetched_at=fetched_at,
            site_hint=site,
            encoding=encoding,
            warnings=tuple(warnings) + notes,
            mtime=mtime,
        )
    ]


def _gunzip(data: bytes, limits: Limits, cap: int | None = None) -> bytes:
    """Decompress (multi-member aware) with a hard cap on output (``cap``, by default
    ``max_decompressed_bytes``), so a gzip bomb costs at most the cap."""
    cap = limits.max_decompressed_bytes if cap is None else cap
    out = bytearray()
    pending = data
    try:
        while pending:
            decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
            buf = pending
            while True:
                out += decomp.decompress(buf, cap + 1 - len(out))
                if len(out) > cap:
                    raise LimitError(f"decompresses to more than {cap} bytes", reason=Reason.DECOMPRESSION_LIMIT)
                buf = decomp.unconsumed_tail
                if decomp.eof or not buf:
                    break
            if not decomp.eof:
                raise InputError("gzip stream is truncated", reason=Reason.CORRUPT_GZIP)
            pending = decomp.unused_data
    except zlib.error as exc:
        raise InputError(f"not a valid gzip stream: {exc}", reason=Reason.CORRUPT_GZIP) from exc
    return bytes(out)


# A sidecar holds a few fields; anything larger is not one.
SIDECAR_MAX_BYTES = 1_000_000


def _read_sidecar(source: storage.Source, rel: str) -> tuple[dict, str | None]:
    """A page's sidecar as a dict, and why it was refused or ignored (None if it was used or
    there is none). The same rules as pages: a regular file inside the raw root, its size
    checked before reading."""
    name = rel.rsplit("/", 1)[-1]
    try:
        raw = source.read_if_any(rel, SIDECAR_MAX_BYTES)
        if raw is None:
            return {}, None
        meta = json.loads(raw.decode("utf-8-sig"))
    except InputError as exc:
        return {}, f"sidecar {name} refused: {exc.message}"
    except Exception as exc:  # noqa: BLE001 - malformed JSON, nesting past the recursion limit, an OS error
        return {}, f"sidecar {name} ignored: {type(exc).__name__}"
    if not isinstance(meta, dict):
        return {}, f"sidecar {name} ignored: not a JSON object"
    return meta, None


Meta = tuple[str | None, datetime | None, str | None]  # (url, fetched_at, site)


def _metadata(obj: dict, where: str, warnings: list[str]) -> Meta:
    """The url, fetched_at and site an object (a sidecar, a JSONL line) states, each checked:
    an unusable value is dropped with a warning naming it, never stored as it is."""
    url = _str_or_none(obj.get("url"))
    if url is not None and not _HTTP_URL.match(url):
        warnings.append(f"{where} url {_short(url, 80)!r} ignored: not an http(s) URL")
        url = None
    fetched_at = parse_timestamp(obj.get("fetched_at"))
    if fetched_at is None and obj.get("fetched_at") not in (None, ""):
        warnings.append(f"{where} fetched_at {_short(str(obj.get('fetched_at')), 80)!r} ignored: not a usable time")
    site = _str_or_none(obj.get("site"))
    if site is not None and not _SITE_NAME.match(site):
        warnings.append(f"{where} site {_short(site, 80)!r} ignored: a site is a name, not a path")
        site = None
    return url, fetched_at, site


_HTTP_URL = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
# A site name: a host name or a label (letters, digits, dots, dashes, underscores); no path.
_SITE_NAME = re.compile(r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")


def _short(text: str, n: int = 300) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _lines(text: str) -> Iterator[str]:
    """The lines of a JSONL text one at a time (a JSONL file may be large: no list of them)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end].rstrip("\r")
        start = end + 1


def _read_jsonl(
    rel: str, data: bytes, file_meta: Meta, warnings: tuple[str, ...], mtime: float, limits: Limits
) -> Iterator[RawPage | Quarantine]:
    text, _, notes = decode_bytes(data, is_html=False)
    del data
    any_line = False
    for no, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        any_line = True
        try:
            yield _jsonl_page(rel, no, line, file_meta, warnings + notes, mtime, limits)
        except InputError as exc:
            yield Quarantine(rel, no, str(exc.reason), exc.message)
        except Exception as exc:  # noqa: BLE001 - one line never stops the file (RecursionError...)
            yield Quarantine(
                rel, no, Reason.MALFORMED_JSONL_LINE, f"line {no}: {type(exc).__name__}: {_short(str(exc))}"
            )
    if not any_line:
        raise InputError("file has no JSONL lines", reason=Reason.EMPTY)


def _jsonl_page(
    rel: str, no: int, line: str, file_meta: Meta, warnings: tuple[str, ...], mtime: float, limits: Limits
) -> RawPage | Quarantine:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return Quarantine(rel, no, Reason.MALFORMED_JSONL_LINE, f"line {no}: {exc}")
    if not isinstance(obj, dict):
        return Quarantine(rel, no, Reason.MALFORMED_JSONL_LINE, f"line {no}: not a JSON object")
    line_warnings: list[str] = []
    url, fetched, site = _metadata(obj, f"line {no}", line_warnings)
    url, fetched, site = url or file_meta[0], fetched or file_meta[1], site or file_meta[2]
    body, fmt = None, "text"
    if isinstance(obj.get("html"), str) and obj["html"].strip():
        body, fmt = obj["html"], "html"
    elif isinstance(obj.get("text"), str) and obj["text"].strip():
        body = obj["text"]
    if body is None:
        return Quarantine(rel, no, Reason.MISSING_CONTENT, f"line {no}: no non-empty 'html' or 'text'", url, fetched)
    if len(body) > limits.max_file_bytes:
        return Quarantine(rel, no, Reason.TOO_LARGE,
                          f"line {no}: {len(body)} characters > limit {limits.max_file_bytes}", url, fetched)
    try:
        body = _check_text(body.replace("\x00", ""))
    except InputError as exc:
        return Quarantine(rel, no, str(exc.reason), exc.message, url, fetched)
    return RawPage(
        raw_path=rel,
        line_no=no,
        fmt=fmt,
        content=body,
        url=url,
        fetched_at=fetched,
        site_hint=site,
        warnings=warnings + tuple(line_warnings),
        mtime=mtime,
    )


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
        raise InputError(
            f"binary content ({control} control characters in the first {len(sample)})", reason=Reason.BINARY
        )
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
        ts = datetime.fromisoformat(value.strip())
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    except (ValueError, OverflowError):  # a time whose UTC is outside years 1-9999
        return None

