"""Turn a decoded page into lines: text dumps line by line, HTML through one lxml parse.

HTML is parsed once; chrome (scripts, navigation, headers and footers outside the main
content, menus, cookie banners, modals, hidden elements) is pruned on that tree, schema.org
JSON-LD is read from it, and the remaining blocks become lines that keep heading levels
and list items.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
import trafilatura

from . import rules
from .config import Limits
from .errors import InputError, Reason
from .models import Kind, Line, RawPage

_SPACE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Bullet and numbered-list markers at the start of a text line.
_BULLET = re.compile(r"^(?:[•·▪◦●○■□►▸‣⁃∙✓✔➤→*\-–—+]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+(?=\S)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(slots=True)
class Extracted:
    lines: list[Line]
    title: str | None = None
    url: str | None = None
    jsonld: list[dict] = field(default_factory=list)
    # (text, rule) of HTML chrome dropped before extraction, for removed_lines.
    pruned: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def normalize_space(text: str) -> str:
    """NFC, invisible characters dropped, every run of whitespace one space. Digits untouched."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))).strip()


def extract_page(page: RawPage, limits: Limits) -> Extracted:
    if page.fmt == "html":
        return extract_html(page.content, limits)
    return Extracted(lines=extract_text(page.content, limits))


def extract_text(content: str, limits: Limits) -> list[Line]:
    """A text dump: one line per source line, bullets recognised, blank lines remembered."""
    lines: list[Line] = []
    blank = False
    for no, raw in enumerate(content.splitlines(), start=1):
        text = normalize_space(raw[: limits.max_line_chars])
        if not text:
            blank = True
            continue
        kind = Kind.TEXT
        marker = _BULLET.match(text)
        if marker and len(text) > marker.end():
            text, kind = text[marker.end() :].strip(), Kind.ITEM
        lines.append(Line(text=text, kind=kind, line_no=no, blank_before=blank))
        blank = False
    return lines


def extract_html(content: str, limits: Limits) -> Extracted:
    warnings = []
    huge = re.compile(r"<[^<>]{%d,}>" % limits.max_tag_chars)
    content, n_huge = huge.subn("", content)
    if n_huge:
        warnings.append(f"{n_huge} HTML tag(s) longer than {limits.max_tag_chars} characters dropped")
    try:
        root = lxml.html.document_fromstring(content)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError(f"HTML could not be parsed: {exc}", reason=Reason.PARSE_ERROR) from exc
    n_elements = 0
    for _ in root.iter():
        n_elements += 1
        if n_elements > limits.max_html_elements:
            raise InputError(f"more than {limits.max_html_elements} HTML elements", reason=Reason.TOO_LARGE)
    jsonld = _read_jsonld(root)
    title = _first_text(root, "//title") or None
    url = _canonical_url(root)
    pruned = _prune(root)
    body = root.find("body")
    walker = _Walker(limits)
    walker.walk(body if body is not None else root, 0)
    walker.flush()
    lines = walker.lines
    if not any(ln.kind is Kind.ITEM or len(ln.text.split()) >= 8 for ln in lines):
        # Our pruning left no prose: hand the page to trafilatura's main-content extraction
        # (a second parse, paid only by such pages) and read its markdown back as lines.
        fallback = _trafilatura_lines(content, limits)
        if fallback:
            lines = fallback
            warnings.append("main content taken from trafilatura")
    if not title:
        title = next((ln.text for ln in lines if ln.kind is Kind.HEADING and ln.level == 1), None)
    return Extracted(lines=lines, title=title, url=url, jsonld=jsonld, pruned=pruned, warnings=warnings)


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _trafilatura_lines(content: str, limits: Limits) -> list[Line]:
    markdown = trafilatura.extract(content, output_format="markdown", include_comments=False, favor_recall=True)
    if not markdown:
        return []
    lines = []
    for line in extract_text(markdown, limits):
        m = _MD_HEADING.match(line.text)
        if m and line.kind is Kind.TEXT:
            line = Line(m.group(2).strip("# "), Kind.HEADING, line.line_no, level=len(m.group(1)), blank_before=True)
        lines.append(line)
    return lines


def _read_jsonld(root: lxml.html.HtmlElement) -> list[dict]:
    found: list[dict] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text[:1_000_000])
        except ValueError:
            continue
        stack = [data]
        while stack and len(found) < 100:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                found.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
    return found


def _canonical_url(root: lxml.html.HtmlElement) -> str | None:
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        values = root.xpath(xpath)
        if values and str(values[0]).startswith(("http://", "https://")):
            return str(values[0]).strip()
    return None


def _first_text(root: lxml.html.HtmlElement, xpath: str) -> str:
    nodes = root.xpath(xpath)
    return normalize_space(nodes[0].text_content()) if nodes else ""


def _prune(root: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """Drop chrome in place; return the visible text dropped, with the rule that dropped it.
    An element holding the main content (an h1, <main>, <article>) is never dropped for its
    class name alone: wrappers are often called `has-sidebar`."""
    doomed: list[tuple[lxml.html.HtmlElement, str | None]] = []
    for el in root.iter():
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None:  # comments, processing instructions
            doomed.append((el, None))
        elif tag in rules.HTML_DROP_TAGS:
            doomed.append((el, f"html_{tag}" if tag in rules.HTML_AUDITED_TAGS else None))
        elif tag in rules.HTML_DROP_OUTSIDE_MAIN:
            if not any(a.tag in ("main", "article") for a in el.iterancestors()) and el.find(".//h1") is None:
                doomed.append((el, f"html_{tag}"))
        elif _is_hidden(el):
            doomed.append((el, "html_hidden"))
        elif _is_chrome(el):
            doomed.append((el, "html_chrome"))
    dropped: list[tuple[str, str]] = []
    gone: set[lxml.html.HtmlElement] = set()
    for el, rule in doomed:
        if el.getparent() is None or any(a in gone for a in el.iterancestors()):
            continue  # already inside a dropped subtree
        if rule is not None:
            text = normalize_space(" ".join(el.itertext()))
            if text:
                dropped.append((text[:1000], rule))
        gone.add(el)
        el.drop_tree()
    return dropped


def _is_hidden(el: lxml.html.HtmlElement) -> bool:
    return (
        el.get("hidden") is not None
        or (el.get("aria-hidden") or "").lower() == "true"
        or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
    )


def _is_chrome(el: lxml.html.HtmlElement) -> bool:
    if el.tag in ("html", "body", "main", "article"):
        return False
    role = (el.get("role") or "").lower()
    marks = f"{el.get('class') or ''} {el.get('id') or ''}"
    if role not in rules.HTML_BOILERPLATE_ROLES and not rules.HTML_BOILERPLATE_ATTR.search(marks):
        return False
    return el.find(".//h1") is None and el.find(".//main") is None and el.find(".//article") is None


class _Walker:
    """Emit block-level text as lines; inline markup joins into its block's line.
    Text inside an <li>, however deeply wrapped, is an item."""

    def __init__(self, limits: Limits) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.limits = limits
        self.in_item = 0

    def emit(self, text: str, kind: Kind, level: int = 0) -> None:
        text = normalize_space(text[: self.limits.max_line_chars])
        if not text:
            return
        if kind is Kind.TEXT:
            marker = _BULLET.match(text)
            if marker and len(text) > marker.end():
                text, kind = text[marker.end() :].strip(), Kind.ITEM
        self.lines.append(Line(text=text, kind=kind, line_no=len(self.lines) + 1, level=level, blank_before=True))

    def flush(self) -> None:
        if not self.buffer:
            return
        text = "".join(self.buffer)
        self.buffer = []
        if self.in_item:
            self.emit(text.replace("\n", " "), Kind.ITEM)
            return
        for part in text.split("\n"):
            self.emit(part, Kind.TEXT)

    def walk(self, el: lxml.html.HtmlElement, depth: int) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if depth > self.limits.max_html_depth:
            self.flush()
            self.emit(el.text_content(), Kind.ITEM if self.in_item else Kind.TEXT)
            return
        if tag in rules.HTML_HEADINGS:
            self.flush()
            self.emit(el.text_content(), Kind.HEADING, level=int(tag[1]))
            return
        if tag == "tr":
            self.flush()
            cells = [normalize_space(c.text_content()) for c in el if isinstance(c.tag, str) and c.tag in ("td", "th")]
            cells = [c for c in cells if c]
            if len(cells) == 2 and len(cells[0]) <= 40 and not cells[0].endswith((":", ".")):
                self.emit(f"{cells[0]}: {cells[1]}", Kind.TEXT)
            elif cells:
                self.emit(" | ".join(cells), Kind.TEXT)
            return
        if tag == "dl":
            self.flush()
            self._definition_list(el, depth)
            return
        if tag == "br":
            self.buffer.append("\n")
            return
        block = tag in rules.HTML_BLOCKS
        if block:
            self.flush()
        if tag == "li":
            self.in_item += 1
        if el.text:
            self.buffer.append(el.text)
        for child in el:
            self.walk(child, depth + 1)
            if child.tail:
                self.buffer.append(child.tail)
        if block:
            self.flush()
        if tag == "li":
            self.in_item -= 1

    def _definition_list(self, el: lxml.html.HtmlElement, depth: int) -> None:
        """<dt>Global period</dt><dd>90 days</dd> is the fact "Global period: 90 days"."""
        term: str | None = None
        for child in el:
            ctag = child.tag.lower() if isinstance(child.tag, str) else ""
            if ctag == "dt":
                if term:
                    self.emit(term, Kind.TEXT)
                term = normalize_space(child.text_content())
            elif ctag == "dd":
                value = normalize_space(child.text_content())
                if term and len(term) <= 40 and value and len(value.split()) <= 30:
                    self.emit(f"{term}: {value}", Kind.TEXT)
                else:
                    if term:
                        self.emit(term, Kind.TEXT)
                    self.walk(child, depth + 1)
                    self.flush()
                term = None
            else:
                self.walk(child, depth + 1)
                self.flush()
        if term:
            self.emit(term, Kind.TEXT)
