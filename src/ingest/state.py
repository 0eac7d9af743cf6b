"""What earlier runs read, kept inside each snapshot so that a run only reads what changed.

``curated/_current/_state/pages`` has one row per raw page (or quarantined file) with the raw
file's size and mtime and the page as extracted and rule-cleaned (JSON). A later run reuses a
file's pages when its size and mtime are unchanged (on object storage: its size and a hash of
its ETag, or of its modification time where the store gives no ETag, in ``mtime_ns``), and
keeps the pages of files that left the landing zone (the curated tables are the history; the
landing zone may be emptied).

The state is valid only for the code that wrote it: ``PIPELINE_FINGERPRINT`` hashes the source
of every stage before parsing, and a run with other code reprocesses everything.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import stat
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from . import clean, extract, read, rules, site, storage
from .models import CodeEvidence, Document, Kind, Line, ParsedPage, Quarantine, Removed, Section, Status
from .write import read_previous

STATE_TABLE = "_state/pages"

STATE_SCHEMA = pa.schema(
    [
        pa.field("raw_path", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # document | quarantine
        pa.field("payload", pa.string(), nullable=False),  # JSON
        pa.field("pipeline", pa.string(), nullable=False),
    ]
)


def _fingerprint() -> str:
    h = hashlib.sha256()
    for module in (read, extract, clean, rules, site):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:16]


PIPELINE_FINGERPRINT = _fingerprint()

# --- parsed pages, reused while their inputs are unchanged -----------------------------------
#
# ``_state/parsed`` keeps each page as parsed (its lines after template removal, what was
# removed, the parsed fields, its status), keyed by everything parsing depends on: the page as
# extracted (a hash of its state payload), its site, its site's learned template, and the code
# of the parsing stages. A run parses only pages whose key changed: new pages, and pages of a
# site whose template changed. Pickled: it is written and read only by this code (the key
# includes the code's fingerprint), like Prefect's own results; as plain tuples (pack_parse).
PARSED_TABLE = "_state/parsed"
PARSED_SCHEMA = pa.schema(
    [
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("payload", pa.binary(), nullable=False),
    ]
)


def _parse_fingerprint() -> str:
    from . import models, parse, sections

    h = hashlib.sha256(PIPELINE_FINGERPRINT.encode())
    for module in (parse, sections, models, sys.modules[__name__]):  # this module packs the results
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:16]


PARSE_FINGERPRINT = _parse_fingerprint()
ParsedCache = dict[str, tuple[str, bytes]]  # document_id -> (key, pickled parse result)


def load_parsed(curated: Path | str) -> ParsedCache:
    try:
        table = read_previous(curated, PARSED_TABLE)
    except (OSError, pa.ArrowException):  # unreadable: parse everything
        return {}
    if table is None:
        return {}
    return dict(zip(table.column("document_id").to_pylist(),
                    zip(table.column("key").to_pylist(), table.column("payload").to_pylist(), strict=True), strict=True))


_PAGE_FIELDS = [f.name for f in dataclasses.fields(ParsedPage)]


def pack_parse(doc: Document) -> bytes:
    """A parsed page as plain tuples, pickled (plain tuples pickle in C; dataclasses with
    slots go through Python-level reduce, ~1 ms a page)."""
    page = doc.parsed
    packed_page = None
    if page is not None:
        values = {n: getattr(page, n) for n in _PAGE_FIELDS}
        values["sections"] = [(s.section, s.heading, s.position, s.text_lines, s.items, s.merged_headings) for s in page.sections]
        values["evidence"] = [(e.code, e.score, e.source) for e in page.evidence]
        packed_page = tuple(values[n] for n in _PAGE_FIELDS)
    plain = (
        [(ln.text, str(ln.kind), ln.line_no, ln.level, ln.blank_before) for ln in doc.lines],
        [(r.line_no, r.text, r.rule) for r in doc.removed],
        packed_page,
        str(doc.status),
        doc.reason,
        doc.signature,
    )
    return pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_parse(data: bytes) -> tuple[list[Line], list[Removed], ParsedPage | None, Status, str | None, bytes | None]:
    lines, removed, packed_page, status, reason, signature = pickle.loads(data)
    page = None
    if packed_page is not None:
        values = dict(zip(_PAGE_FIELDS, packed_page, strict=True))
        values["sections"] = [Section(*s) for s in values["sections"]]
        values["evidence"] = [CodeEvidence(*e) for e in values["evidence"]]
        page = ParsedPage(**values)
    return ([Line(t, Kind(k), n, lv, b) for t, k, n, lv, b in lines], [Removed(*r) for r in removed], page,
            Status(status), reason, signature)


def parsed_table(cache: ParsedCache) -> pa.Table:
    ids = sorted(cache)
    return pa.table({"document_id": ids, "key": [cache[i][0] for i in ids], "payload": [cache[i][1] for i in ids]},
                    schema=PARSED_SCHEMA)


@dataclass(slots=True)
class FileState:
    """A raw file as last read: its signature and its pages, serialised before any corpus-wide
    stage touched them (documents are rebuilt from these each run)."""

    size: int
    mtime_ns: int
    doc_payloads: list[str] = field(default_factory=list)
    quarantine_payloads: list[str] = field(default_factory=list)

    def documents(self) -> list[Document]:
        return [doc_from_json(p) for p in self.doc_payloads]

    def quarantined(self) -> list[Quarantine]:
        return [quarantine_from_json(p) for p in self.quarantine_payloads]


def file_signature(root: Path | str, rel: str) -> tuple[int, int]:
    """(size, change token): the mtime in ns locally; on object storage a hash of the ETag
    (of the modification time where there is no ETag), from the listing ``discover`` made.

    The page's sidecar (``<file>.meta.json``: its URL and fetch time) is part of the page:
    when there is one, the token also covers the sidecar's signature, so a sidecar that
    arrives or changes after its page makes the page be read again."""
    root = storage.location(root)
    if storage.is_remote(root):
        size, token = storage.signature(storage.file_info(root, rel))
        side = storage.listed_info(root, rel + read.SIDECAR_SUFFIX)
        side_sig = storage.signature(side) if side is not None else None
    else:
        st = (root / rel).lstat()
        size, token = st.st_size, st.st_mtime_ns
        try:
            side_st = (root / (rel + read.SIDECAR_SUFFIX)).lstat()
            side_sig = (side_st.st_size, side_st.st_mtime_ns)
        except OSError:
            side_sig = None
    if side_sig is None:
        return size, token
    mixed = hashlib.sha256(f"{token}\0{side_sig[0]}\0{side_sig[1]}".encode()).digest()
    return size, int.from_bytes(mixed[:8], "big") >> 1


def file_content_id(root: Path | str, rel: str) -> str:
    """What a raw file holds, cheaply: the SHA-256 of a local regular file's bytes; on object
    storage the ETag (or modification time) the store gives. Never follows a symlink nor reads
    a device or pipe (those are identified by their mode; ``read_file`` refuses them)."""
    root = storage.location(root)
    try:
        if storage.is_remote(root):
            return storage.version(storage.file_info(root, rel))
        path = root / rel
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            return f"mode:{st.st_mode:o}"
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        return f"sha256:{h.hexdigest()}"
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}"


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def doc_to_json(doc: Document) -> str:
    return json.dumps(
        {
            "document_id": doc.document_id, "content_hash": doc.content_hash, "raw_path": doc.raw_path,
            "line_no": doc.line_no, "fmt": doc.fmt, "url": doc.url, "fetched_at": _ts(doc.fetched_at),
            "mtime": doc.mtime, "site_evidence": doc.site_evidence, "title": doc.title, "jsonld": doc.jsonld,
            "encoding": doc.encoding, "warnings": doc.warnings,
            "lines": [[ln.text, str(ln.kind), ln.line_no, ln.level, ln.blank_before] for ln in doc.lines],
            "removed": [[r.line_no, r.text, r.rule] for r in doc.removed],
        },
        ensure_ascii=False,
    )


def doc_from_json(payload: str) -> Document:
    d = json.loads(payload)
    return Document(
        document_id=d["document_id"], content_hash=d["content_hash"], raw_path=d["raw_path"], line_no=d["line_no"],
        fmt=d["fmt"], url=d["url"], fetched_at=read.parse_timestamp(d["fetched_at"]), mtime=d["mtime"], site="",
        site_evidence=d["site_evidence"], title=d["title"], jsonld=d["jsonld"], encoding=d["encoding"],
        warnings=d["warnings"],
        lines=[Line(t, Kind(k), n, lv, b) for t, k, n, lv, b in d["lines"]],
        removed=[Removed(n, t, r) for n, t, r in d["removed"]],
    )


def quarantine_to_json(q: Quarantine) -> str:
    return json.dumps({"raw_path": q.raw_path, "line_no": q.line_no, "reason": q.reason, "detail": q.detail,
                       "url": q.url, "fetched_at": _ts(q.fetched_at)}, ensure_ascii=False)


def quarantine_from_json(payload: str) -> Quarantine:
    d = json.loads(payload)
    return Quarantine(d["raw_path"], d["line_no"], d["reason"], d["detail"], d["url"], read.parse_timestamp(d["fetched_at"]))


def load_state(curated: Path) -> dict[str, FileState]:
    """Per raw file, what the last published run read from it; empty if none or stale."""
    table = read_previous(curated, STATE_TABLE)
    if table is None or table.num_rows == 0:
        return {}
    rows = table.to_pylist()
    if any(r["pipeline"] != PIPELINE_FINGERPRINT for r in rows):
        return {}
    out: dict[str, FileState] = {}
    for r in rows:
        fs = out.setdefault(r["raw_path"], FileState(r["size"], r["mtime_ns"]))
        (fs.doc_payloads if r["kind"] == "document" else fs.quarantine_payloads).append(r["payload"])
    return out


def build_state(files: dict[str, FileState]) -> pa.Table:
    rows = []
    for rel in sorted(files):
        fs = files[rel]
        for kind, payloads in (("document", fs.doc_payloads), ("quarantine", fs.quarantine_payloads)):
            for payload in payloads:
                rows.append({"raw_path": rel, "size": fs.size, "mtime_ns": fs.mtime_ns, "kind": kind,
                             "payload": payload, "pipeline": PIPELINE_FINGERPRINT})
    return pa.Table.from_pylist(rows, schema=STATE_SCHEMA)
