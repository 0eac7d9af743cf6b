"""Plain values passed between stages. Frozen where they cross a stage boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    CURATED = "curated"
    DUPLICATE = "duplicate"
    NO_CODE = "no_code"
    QUARANTINED = "quarantined"


class Kind(StrEnum):
    """What a line is, as far as its source tells."""

    TEXT = "text"  # a line of a text dump, or a paragraph of HTML
    ITEM = "item"  # a bullet or numbered item
    HEADING = "heading"  # an HTML heading, or a text line the parser recognised as one


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page as read from the landing zone, decoded to text."""

    raw_path: str  # relative to the raw root; `file.jsonl#12` style is not used, see `line_no`
    line_no: int | None  # 1-based line in a .jsonl file, else None
    fmt: str  # "text" or "html"
    content: str
    url: str | None = None
    fetched_at: datetime | None = None
    site_hint: str | None = None  # from a sidecar's "site"
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()
    mtime: float = 0.0


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A page (or file) that could not be used, with a stable reason code."""

    raw_path: str
    line_no: int | None
    reason: str
    detail: str = ""
    url: str | None = None
    fetched_at: datetime | None = None


@dataclass(slots=True)
class Line:
    """A line of page text with where it came from."""

    text: str
    kind: Kind
    line_no: int  # 1-based: source line of a text dump, block index of an HTML page
    level: int = 0  # heading level from HTML (1-6); 0 when unknown
    blank_before: bool = False


@dataclass(frozen=True, slots=True)
class Removed:
    line_no: int
    text: str
    rule: str
    score: float | None = None  # the line model's score, where it took part in the decision


@dataclass(slots=True)
class Section:
    section: str
    heading: str
    position: int
    text_lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    # Further headings of the page that mapped to this same section and were merged into it.
    merged_headings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.text_lines)

    @property
    def empty(self) -> bool:
        return not self.text_lines and not self.items


@dataclass(frozen=True, slots=True)
class CodeEvidence:
    code: str
    score: float
    source: str  # jsonld | url | title | phrase | mention | promo


@dataclass(slots=True)
class ParsedPage:
    """Everything the parser found on one page."""

    title: str | None
    sections: list[Section]
    facts: list[tuple[str, str]]
    faq: list[tuple[str, str]]
    modifiers: list[tuple[str, str]]
    code: str | None
    code_system: str | None
    code_reason: str | None  # why no code, when code is None
    evidence: list[CodeEvidence]
    official_description: str | None = None
    lay_description: str | None = None
    category: str | None = None
    is_add_on: bool = False
    cost: tuple[float, float] | None = None
    duration: tuple[float, float] | None = None
    warnings: tuple[str, ...] = ()  # what the page says that disagrees with itself (a code's system)


@dataclass(slots=True)
class Document:
    """A page carried through the pipeline: its identity, its clean lines, what was removed."""

    document_id: str
    content_hash: str
    raw_path: str
    line_no: int | None
    fmt: str
    url: str | None
    fetched_at: datetime | None
    mtime: float
    site: str
    site_evidence: str | None  # where `site` came from before corpus clustering
    title: str | None
    lines: list[Line]
    removed: list[Removed]
    jsonld: list[dict]
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)
    parsed: ParsedPage | None = None
    status: Status = Status.CURATED
    duplicate_of: str | None = None
    reason: str | None = None
    signature: bytes | None = None  # MinHash of the parsed lines (dedup.page_signature), set by parsing

    @property
    def code(self) -> str | None:
        return self.parsed.code if self.parsed is not None else None


@dataclass(slots=True)
class PageRecord:
    """What deduplication needs of a parsed page, and nothing else: a run holds one per page
    (about 0.7 KB with the MinHash) instead of the page. Deduplication sets the last three
    fields, as it does on a Document."""

    document_id: str
    content_hash: str
    raw_path: str
    line_no: int | None
    fetched_at: datetime | None
    mtime: float
    code: str | None
    signature: bytes | None
    status: Status = Status.CURATED
    duplicate_of: str | None = None
    reason: str | None = None

    @classmethod
    def of(cls, doc: Document) -> PageRecord:
        return cls(doc.document_id, doc.content_hash, doc.raw_path, doc.line_no, doc.fetched_at, doc.mtime,
                   doc.code, doc.signature, doc.status, doc.duplicate_of, doc.reason)
