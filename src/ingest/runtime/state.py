"""What earlier runs read, kept inside each snapshot so that a run only reads what changed.

``curated/_current/_state/pages`` has one row per raw page (or quarantined file) with the raw
file's size and mtime, the page as extracted and rule-cleaned (``payload``: doc_to_payload)
and what site inference and template learning need of it (computed where it was read, so a
run learns them without rebuilding any page). A later run reuses a file's pages when its
size and mtime are unchanged (on object storage: its size and a hash of its ETag, or of its
modification time where the store gives no ETag, in ``mtime_ns``), and keeps the pages of
files that left the landing zone (the curated tables are the history; the landing zone may
be emptied).

The state is valid only for the code that wrote it: ``PIPELINE_FINGERPRINT`` hashes the source
of every stage before parsing, and a run with other code reprocesses everything.

A snapshot holds data only: payloads are JSON (compressed), never pickles, since whoever can
write the curated folder must not be able to run code in the next ingest. A payload that does
not decode to what this module wrote is bad data: its file is read again (plan_run) and its
parse made again (pipeline.parse_documents).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ingest import rules
from ingest.errors import Reason
from ingest.models import CodeEvidence, Document, Kind, Line, ParsedPage, Quarantine, Removed, Section, Status
from ingest.stages import clean, extract, read, site
from ingest.store import storage
from ingest.store.write import read_previous

STATE_TABLE = "_state/pages"

STATE_SCHEMA = pa.schema(
    [
        pa.field("raw_path", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # document | quarantine
        pa.field("payload", pa.binary(), nullable=False),  # compressed: doc_to_payload, quarantine_to_json
        pa.field("pipeline", pa.string(), nullable=False),
        # What the corpus-wide stages need of a document before it is parsed, computed where
        # the page was read, so that sites and templates are learned without rebuilding pages
        # (null for a quarantined page).
        pa.field("document_id", pa.string()),
        pa.field("site_hint", pa.string()),  # the sidecar's or JSONL line's site, where it names another than the URL
        pa.field("url_host", pa.string()),  # site.host_of(url)
        pa.field("weak_evidence", pa.string()),  # site.weak_evidence
        pa.field("fingerprint", pa.list_(pa.string())),  # site.fingerprint_keys
        pa.field("template_keys", pa.list_(pa.uint64())),  # clean.template_keys
    ]
)
# A batch of pages as read, before the run adds the file signatures (state_rows).
PAGE_FIELDS = ("raw_path", "kind", "payload", "document_id", "site_hint", "url_host", "weak_evidence",
               "fingerprint", "template_keys")


def _fingerprint() -> str:
    h = hashlib.sha256()
    for module in (read, extract, clean, rules, site, sys.modules[__name__]):  # this module writes the rows
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()[:16]


PIPELINE_FINGERPRINT = _fingerprint()

# --- parsed pages, reused while their inputs are unchanged -----------------------------------
#
# ``_state/parsed`` keeps each page as parsed (its lines after template removal, what was
# removed, the parsed fields, its status), keyed by everything parsing depends on: the page as
# extracted (a hash of its state payload), its site, its site's learned template, and the code
# of the parsing stages. A run parses only pages whose key changed: new pages, and pages of a
# site whose template changed. Payloads are JSON (pack_parse).
PARSED_TABLE = "_state/parsed"
PARSED_SCHEMA = pa.schema(
    [
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("payload", pa.binary(), nullable=False),
    ]
)


def _parse_fingerprint() -> str:
    from ingest import models
    from ingest.stages import boilerplate, parse, sections

    h = hashlib.sha256(PIPELINE_FINGERPRINT.encode())
    for module in (parse, sections, models, boilerplate, sys.modules[__name__]):  # this module packs the results
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(boilerplate.model_digest().encode())  # the line model decides at parse time, with the templates
    return h.hexdigest()[:16]


PARSE_FINGERPRINT = _parse_fingerprint()
ParsedCache = dict[str, tuple[str, bytes]]  # document_id -> (key, packed parse: pack_parse)


class ParsedStore:
    """The last published run's parses (``_state/parsed``), kept as Arrow and looked up by
    document id batch by batch: a run never holds them all as Python objects."""

    def __init__(self, table: pa.Table | None = None) -> None:
        self.table = table.combine_chunks() if table is not None else None
        ids = table.column("document_id").to_pylist() if table is not None else []
        self.index = {doc_id: i for i, doc_id in enumerate(ids)}

    @classmethod
    def load(cls, curated: Path | str) -> ParsedStore:
        try:
            return cls(read_previous(curated, PARSED_TABLE))
        except (OSError, pa.ArrowException):  # unreadable: parse everything
            return cls()

    def __len__(self) -> int:
        return len(self.index)

    def lookup(self, ids: Sequence[str]) -> ParsedCache:
        rows = sorted(i for doc_id in ids if (i := self.index.get(doc_id)) is not None)
        if not rows or self.table is None:
            return {}
        hit = self.table.take(pa.array(rows, pa.int64())).to_pydict()
        return dict(zip(hit["document_id"], zip(hit["key"], hit["payload"], strict=True), strict=True))


# Payloads are held and sent compressed (zstd, level 1): a run holds every page's payload
# and parse until it publishes, and a Dask worker is sent and returns them.
_CODEC = pa.Codec("zstd", compression_level=1)


class BadPayload(ValueError):
    """A payload that is not what this module writes: bad data, never trusted."""


def compress(raw: bytes) -> bytes:
    return len(raw).to_bytes(4, "little") + _CODEC.compress(raw, asbytes=True)


# A payload larger than this is bad data: no page comes near it (read.Limits bounds a file),
# and a planted size must not make a run allocate gigabytes.
MAX_PAYLOAD_BYTES = 1 << 28


def decompress(data: bytes) -> bytes:
    if len(data) < 4:
        raise BadPayload("payload too short")
    size = int.from_bytes(data[:4], "little")
    if size > MAX_PAYLOAD_BYTES:
        raise BadPayload(f"payload of {size} bytes")
    try:
        return _CODEC.decompress(data[4:], decompressed_size=size, asbytes=True)
    except (pa.ArrowException, OSError, ValueError, OverflowError, MemoryError) as exc:
        raise BadPayload(f"payload does not decompress: {exc}") from exc


def _dumps(value: object) -> bytes:
    """JSON; the standard library's where orjson refuses (lone surrogates, integers beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=True).encode("ascii")


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise BadPayload(f"payload is not JSON: {exc}") from exc


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


_PAGE_FIELDS = [f.name for f in dataclasses.fields(ParsedPage)]
_PAIRS = ("facts", "faq", "modifiers")  # lists of (str, str) pairs
_RANGES = ("cost", "duration")  # (low, high) or None
_KINDS = {str(k): k for k in Kind}  # a dictionary lookup: Kind(k) costs ~1.5 µs a line


def _plain_lines(doc: Document) -> tuple[list, list]:
    return ([(ln.text, str(ln.kind), ln.line_no, ln.level, ln.blank_before) for ln in doc.lines],
            [(r.line_no, r.text, r.rule, r.score) for r in doc.removed])


def _lines_of(lines: list, removed: list) -> tuple[list[Line], list[Removed]]:
    return [Line(t, _KINDS[k], n, lv, b) for t, k, n, lv, b in lines], [Removed(n, t, r, s) for n, t, r, s in removed]


def pack_parse(doc: Document) -> bytes:
    """A parsed page (its lines, removed lines, parse, status, reason and MinHash signature)
    as compressed JSON of plain lists."""
    page = doc.parsed
    packed_page = None
    if page is not None:
        values = {n: getattr(page, n) for n in _PAGE_FIELDS}
        values["sections"] = [(s.section, s.heading, s.position, s.text_lines, s.items, s.merged_headings)
                              for s in page.sections]
        values["evidence"] = [(e.code, e.score, e.source) for e in page.evidence]
        packed_page = [values[n] for n in _PAGE_FIELDS]
    lines, removed = _plain_lines(doc)
    signature = base64.b64encode(doc.signature).decode("ascii") if doc.signature is not None else None
    return compress(_dumps([lines, removed, packed_page, str(doc.status), doc.reason, signature]))


def unpack_parse(data: bytes) -> tuple[list[Line], list[Removed], ParsedPage | None, Status, str | None, bytes | None]:
    """What pack_parse packed; BadPayload if ``data`` is anything else."""
    try:
        lines, removed, packed_page, status, reason, signature = _loads(decompress(data))
        page = None
        if packed_page is not None:
            values = dict(zip(_PAGE_FIELDS, packed_page, strict=True))
            values["sections"] = [Section(*s) for s in values["sections"]]
            values["evidence"] = [CodeEvidence(*e) for e in values["evidence"]]
            for name in _PAIRS:
                values[name] = [(a, b) for a, b in values[name]]
            for name in _RANGES:
                values[name] = tuple(values[name]) if values[name] is not None else None
            values["warnings"] = tuple(values["warnings"])
            page = ParsedPage(**values)
        kept, gone = _lines_of(lines, removed)
        return (kept, gone, page, Status(status), reason,
                base64.b64decode(signature, validate=True) if signature is not None else None)
    except BadPayload:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise BadPayload(f"not a packed parse: {exc}") from exc


def parsed_table(cache: ParsedCache) -> pa.Table:
    ids = sorted(cache)
    return pa.table({"document_id": ids, "key": [cache[i][0] for i in ids], "payload": [cache[i][1] for i in ids]},
                    schema=PARSED_SCHEMA)


@dataclass(slots=True)
class FileState:
    """A raw file as last read: its signature (its pages are rows of the state table)."""

    size: int
    mtime_ns: int


def file_signature(root: Path | str, rel: str) -> tuple[int, int]:
    """(size, change token): the mtime in ns locally; on object storage a hash of the ETag
    (of the modification time where there is no ETag), from the listing ``discover`` made.

    The page's sidecar (``<file>.meta.json``: its URL and fetch time) is part of the page:
    when there is one, the token also covers the sidecar's signature, so a sidecar that
    arrives or changes after its page makes the page be read again."""
    source = storage.source(storage.location(root))
    size, token = source.signature(rel)
    side_sig = source.signature_if_any(rel + read.SIDECAR_SUFFIX)
    if side_sig is None:
        return size, token
    mixed = hashlib.sha256(f"{token}\0{side_sig[0]}\0{side_sig[1]}".encode()).digest()
    return size, int.from_bytes(mixed[:8], "big") >> 1


def file_content_id(root: Path | str, rel: str) -> str:
    """What a raw file holds, cheaply: the SHA-256 of a local regular file's bytes; on object
    storage the ETag (or modification time) the store gives. Never follows a symlink nor reads
    a device or pipe (those are identified by their mode; ``read_file`` refuses them)."""
    try:
        return storage.source(storage.location(root)).content_id(rel)
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}"


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def doc_to_payload(doc: Document) -> bytes:
    """A document as its state payload: its fields as compressed JSON of plain lists (its
    JSON-LD as the standard library writes it, so that any value JSON-LD holds comes back)."""
    lines, removed = _plain_lines(doc)
    plain = [
        doc.document_id, doc.content_hash, doc.raw_path, doc.line_no, doc.fmt, doc.url, _ts(doc.fetched_at), doc.mtime,
        doc.site_evidence, doc.title, json.dumps(doc.jsonld, ensure_ascii=False), doc.encoding, doc.warnings,
        lines, removed,
    ]
    return compress(_dumps(plain))


def doc_from_payload(payload: bytes, lines: bool = True) -> Document:
    """The document a state payload holds; with ``lines=False`` without its lines and removed
    lines (a caller about to set them from the page's parse). BadPayload if it holds anything
    else than doc_to_payload wrote."""
    try:
        (document_id, content_hash, raw_path, line_no, fmt, url, fetched_at, mtime, site_evidence, title, jsonld,
         encoding, warnings, kept, removed) = _loads(decompress(payload))
        if not all(isinstance(v, str) for v in (document_id, content_hash, raw_path, fmt, jsonld, encoding)):
            raise BadPayload("a document's identity fields are not strings")
        kept_lines, removed_lines = _lines_of(kept, removed) if lines else ([], [])
        return Document(
            document_id=document_id, content_hash=content_hash, raw_path=raw_path, line_no=line_no, fmt=fmt, url=url,
            fetched_at=_time(fetched_at), mtime=mtime, site="", site_evidence=site_evidence, title=title,
            jsonld=json.loads(jsonld), encoding=encoding, warnings=list(warnings), lines=kept_lines,
            removed=removed_lines,
        )
    except BadPayload:
        raise
    except (TypeError, ValueError, KeyError, RecursionError) as exc:
        raise BadPayload(f"not a document payload: {exc}") from exc


def quarantine_to_json(q: Quarantine) -> str:
    return json.dumps({"raw_path": q.raw_path, "line_no": q.line_no, "reason": q.reason, "detail": q.detail,
                       "url": q.url, "fetched_at": _ts(q.fetched_at)}, ensure_ascii=False)


def quarantine_from_payload(payload: bytes) -> Quarantine:
    """The quarantined page a state payload holds; BadPayload if it holds anything else."""
    try:
        return quarantine_from_json(decompress(payload).decode("utf-8"))
    except BadPayload:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise BadPayload(f"not a quarantine payload: {exc}") from exc


def quarantine_from_json(payload: str) -> Quarantine:
    d = json.loads(payload)
    return Quarantine(d["raw_path"], d["line_no"], d["reason"], d["detail"], d["url"],
                      read.parse_timestamp(d["fetched_at"]))


def page_rows(docs: Sequence[Document], quarantined: Sequence[Quarantine]) -> pa.Table:
    """A batch of freshly read pages as state rows without the file signatures: each document's
    payload and its site and template features, then each quarantined page."""
    cols: dict[str, list] = {name: [] for name in PAGE_FIELDS}
    for d in docs:
        hint, host = site_names(d)
        for name, value in zip(PAGE_FIELDS, (d.raw_path, "document", doc_to_payload(d), d.document_id, hint, host,
                                             site.weak_evidence(d.removed), site.fingerprint_keys(d.removed),
                                             clean.template_keys(d.lines)), strict=True):
            cols[name].append(value)
    for q in quarantined:
        payload = compress(quarantine_to_json(q).encode("utf-8"))
        for name, given in zip(PAGE_FIELDS, (q.raw_path, "quarantine", payload), strict=False):
            cols[name].append(given)
        for name in PAGE_FIELDS[3:]:
            cols[name].append(None)
    return pa.table(cols, schema=pa.schema([STATE_SCHEMA.field(n) for n in PAGE_FIELDS]))


def site_names(doc: Document) -> tuple[str | None, str | None]:
    """A document's sidecar or JSONL ``site`` (where it differs from its URL's host) and its
    URL's host, apart: a document keeps one ``site_evidence``, the first of the two."""
    host = site.host_of(doc.url)
    return (doc.site_evidence if doc.site_evidence != host else None), host


def _with_site_names(table: pa.Table) -> pa.Table:
    """State rows of the earlier layout (one ``site_evidence`` column, hint or host) in this
    one: each document's hint and host again from its payload (site_names); a payload that is
    bad data gives neither (its file is read again: files_to_reread)."""
    hints: list[str | None] = []
    hosts: list[str | None] = []
    for kind, payload in zip(table.column("kind").to_pylist(), table.column("payload"), strict=True):
        hint = host = None
        if kind == "document":
            try:
                hint, host = site_names(doc_from_payload(payload.as_py(), lines=False))
            except BadPayload:
                pass
        hints.append(hint)
        hosts.append(host)
    at = table.schema.get_field_index("site_evidence")
    table = table.remove_column(at)
    table = table.add_column(at, "url_host", pa.array(hosts, pa.string()))
    return table.add_column(at, "site_hint", pa.array(hints, pa.string()))


def state_rows(pages: pa.Table, signatures: dict[str, tuple[int, int]]) -> pa.Table:
    """``pages`` (page_rows) with each file's signature and the code's fingerprint."""
    paths = pages.column("raw_path").to_pylist()
    sizes = [signatures.get(rel, (-1, -1)) for rel in paths]
    cols = {
        "size": pa.array([s for s, _ in sizes], pa.int64()),
        "mtime_ns": pa.array([m for _, m in sizes], pa.int64()),
        "pipeline": pa.array([PIPELINE_FINGERPRINT] * len(paths), pa.string()),
    }
    return pa.table([cols[f.name] if f.name in cols else pages.column(f.name) for f in STATE_SCHEMA],
                    schema=STATE_SCHEMA)


def load_state(curated: Path | str) -> tuple[dict[str, FileState], pa.Table | None]:
    """Per raw file, its signature when the last published run read it, and that run's state
    rows (as Arrow: strings in buffers, not Python objects); empty if none, missing, unreadable
    or written by other code: the run then reads every file again. Rows with one site column
    for hint and host (the earlier layout) get the two again (_with_site_names)."""
    try:
        table = read_previous(curated, STATE_TABLE)
        if table is None or table.num_rows == 0 or not pc.all(pc.equal(table.column("pipeline"),
                                                                        PIPELINE_FINGERPRINT)).as_py():
            return {}, None
        if "site_evidence" in table.schema.names and "url_host" not in table.schema.names:
            table = _with_site_names(table)
        if table.schema.names != STATE_SCHEMA.names:
            return {}, None
        table = table.cast(STATE_SCHEMA)
    except (OSError, KeyError, pa.ArrowException):  # KeyError: a column of neither layout is missing
        return {}, None
    files: dict[str, FileState] = {}
    cols = [table.column(c).to_pylist() for c in ("raw_path", "size", "mtime_ns")]
    for rel, size, mtime_ns in zip(*cols, strict=True):
        files.setdefault(rel, FileState(size, mtime_ns))
    return files, table


# Quarantine reasons that say more about the moment than about the file (its permissions, the
# machine's load): a file quarantined for one of them is read again by the next run, even when
# its size and mtime are unchanged.
RETRIED_REASONS = frozenset({Reason.UNREADABLE, Reason.PARSE_TIMEOUT})


def files_to_reread(table: pa.Table, documents: bool = True) -> set[str]:
    """The raw files of state rows ``table`` that a run must read again although unchanged:
    those quarantined for a reason in RETRIED_REASONS, and those with a row whose payload is
    bad data (BadPayload). Documents' payloads are decoded only with ``documents`` (what a run
    that parses pages needs; a run with nothing to do never decodes them)."""
    kinds = table.column("kind").to_pylist()
    paths = table.column("raw_path").to_pylist()
    payloads = table.column("payload")
    out: set[str] = set()
    for i, (kind, rel) in enumerate(zip(kinds, paths, strict=True)):
        if rel in out or (kind == "document" and not documents):
            continue
        try:
            if kind == "document":
                doc_from_payload(payloads[i].as_py())
            elif quarantine_from_payload(payloads[i].as_py()).reason in RETRIED_REASONS:
                out.add(rel)
        except BadPayload:
            out.add(rel)
    return out
