"""Turn a decoded page into lines: text dumps line by line, HTML through one lxml parse.

HTML is parsed once; chrome (scripts, navigation, headers and footers outside the main
content, menus, cookie banners, modals, hidden elements) is pruned on that tree, schema.org
JSON-LD is read from it, and the remaining blocks become lines that keep heading levels
and list items.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import lxml.etree
import lxml.html
import trafilatura

from ingest import rules
from ingest.config import Limits
from ingest.errors import InputError, Reason
from ingest.models import Kind, Line, RawPage

from .sections import map_heading

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Bullet and numbered-list markers at the start of a text line.
_BULLET = re.compile(r"^(?:[•·▪◦●○■□►▸‣⁃∙✓✔➤→*\-–—+>]|o(?=\s+[A-Z0-9(\"“])|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+(?=\S)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.IGNORECASE)
# A TEXT line whose whole text is bold (`<b>Description</b><br>`, `<p><strong>Fees</strong></p>`)
# carries this level: a visual heading the parser may take as one, never a semantic h1-h6.
EMPHASIS_LEVEL = 7
# Runs of at least this many consecutive lines made only of link text, each this short, are
# link lists (footer columns, "trending" widgets), not prose: rule `html_link_list`.
LINK_RUN_MIN = 3
LINK_LINE_MAX_WORDS = 5
# A tab panel is headed by its tab's label at this level.
TAB_HEADING_LEVEL = 2


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
    """NFC, invisible characters dropped, every run of whitespace (``str.isspace``: no-break
    and other Unicode spaces included) one space, none at either end. Digits untouched.

    ASCII text (most text nodes of real HTML pages) is already NFC and has
    no invisible characters; splitting on whitespace and joining with one space is what a
    ``\\s+`` substitution and a strip do, in a third of the time."""
    if text.isascii():
        return " ".join(text.split())
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())


_parsers = threading.local()


def html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, with every element an ``HtmlElement`` chosen without calling back into
    Python: lxml.html's own lookup runs a Python method for each element touched, to give form
    fields their extras, which extraction never uses. One parser per thread."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser()
        parser.set_element_class_lookup(
            lxml.etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        _parsers.parser = parser
    return parser


def extract_page(page: RawPage, limits: Limits) -> Extracted:
    if page.fmt == "html":
        return extract_html(page.content, limits)
    return Extracted(lines=extract_text(page.content, limits))


def extract_text(content: str, limits: Limits) -> list[Line]:
    """A text dump: one line per source line, bullets recognised, blank lines remembered."""
    lines: list[Line] = []
    blank = False
    for no, raw in enumerate(content.splitlines(), start=1):
        text, kind, level, underline = _text_line(raw[: limits.max_line_chars])
        if not text:
            blank = True
            continue
        if (
            underline
            and lines
            and not blank
            and lines[-1].kind is Kind.TEXT
            and len(lines[-1].text.split()) <= SETEXT_MAX_WORDS
        ):
            # "Indications" over "===========": the line above is a heading; the rule itself
            # is left for the cleaner (rule `symbol_only`).
            prev = lines[-1]
            lines[-1] = Line(prev.text, Kind.HEADING, prev.line_no, 1 if underline == "=" else 2, prev.blank_before)
        lines.append(Line(text=text, kind=kind, line_no=no, level=level, blank_before=blank))
        blank = False
    return lines


@lru_cache(maxsize=1 << 16)
def _text_line(raw: str) -> tuple[str, Kind, int, str]:
    """One source line of a dump on its own: (text, kind, level, the setext underline's
    character if the line is one). A pure function of the line, kept for recurring lines."""
    text = normalize_space(raw)
    if not text:
        return "", Kind.TEXT, 0, ""
    kind, level = Kind.TEXT, 0
    if text[0] == "#" and _is_flattened_block(text):
        return text, kind, level, ""  # "## **Title** A paragraph. - **Item**: ..." kept as written
    text, strong = _markdown_inline(text)
    if strong:
        level = EMPHASIS_LEVEL  # "**Indications**": a whole line in bold
    heading = _MD_HEADING.match(text) if text[0] == "#" else None
    if (
        heading
        and len(heading.group(1)) == 1
        and not heading.group(2)[:1].isupper()
        and not heading.group(2)[:1].isdigit()
    ):
        heading = None  # "# of units billed" is a sentence
    if heading:  # "## Indications" in a dump saved from markdown
        title = _MD_STRONG.sub(lambda m: m.group(1) or m.group(2), heading.group(2))
        return title.strip(" #"), Kind.HEADING, len(heading.group(1)), ""
    underline = _SETEXT.match(text)
    if underline:
        return text, kind, level, underline.group(0)[0]
    marker = _BULLET.match(text)
    if marker and len(text) > marker.end():
        text, kind, level = text[marker.end() :].strip(), Kind.ITEM, 0
    return text, kind, level, ""


def extract_html(content: str, limits: Limits) -> Extracted:
    warnings = []
    huge = re.compile(rf"<[^<>]{{{limits.max_tag_chars},}}>")
    content, n_huge = huge.subn("", content)
    if n_huge:
        warnings.append(f"{n_huge} HTML tag(s) longer than {limits.max_tag_chars} characters dropped")
    try:
        root = lxml.html.document_fromstring(content, parser=html_parser())
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError(f"HTML could not be parsed: {exc}", reason=Reason.PARSE_ERROR) from exc
    for n_elements, _ in enumerate(root.iter(), start=1):
        if n_elements > limits.max_html_elements:
            raise InputError(f"more than {limits.max_html_elements} HTML elements", reason=Reason.TOO_LARGE)
    jsonld = _read_jsonld(root)
    title = _first_text(root, "//title") or None
    url = _canonical_url(root)
    tab_labels = _tab_labels(root)
    pruned = _prune(root)
    body = root.find("body")
    walker = _Walker(limits, tab_labels)
    walker.walk(body if body is not None else root, 0)
    walker.flush()
    lines, link_lists = drop_link_runs(walker.lines, walker.link_only)
    pruned += link_lists
    if not any(ln.kind is Kind.ITEM or len(ln.text.split()) >= 8 for ln in lines):
        # Our pruning left no prose: hand the page to trafilatura's main-content extraction
        # (a second parse, paid only by such pages) and read its markdown back as lines.
        # Its parse is of the page as served: what our pruning removed (hidden, chrome) stays out.
        gone = {normalize_space(part) for text, _ in pruned for part in text.splitlines() if part.strip()}
        fallback = [ln for ln in _trafilatura_lines(content, limits) if ln.text not in gone]
        if fallback:
            lines = fallback
            warnings.append("main content taken from trafilatura")
    if not title:
        title = next((ln.text for ln in lines if ln.kind is Kind.HEADING and ln.level == 1), None)
    return Extracted(lines=lines, title=title, url=url, jsonld=jsonld, pruned=pruned, warnings=warnings)


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# Bold markup in Markdown text dumps (reader-mode and scraper output). Where it carries
# structure its markers go: a line wholly in bold is marked like a <b> line (EMPHASIS_LEVEL),
# and a bold label leading a line ("**Code:** 99213", "- **Diagnosis**: ...") is a fact or an
# item's label. Bold inside a sentence is emphasis and stays as written, as links, code spans
# and table rows do (a content line keeps its words as the page wrote them); an image alone on
# a line is left to the cleaner (rule `markdown_image`).
_MD_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
# What may come before a leading bold label: a heading or list marker.
_MD_LEAD = re.compile(r"^(?:#{1,6}\s+|[-*+•]\s+|\(?\d{1,3}[.)]\s+)?")
# A Markdown heading line holding more than a heading: a scraper flattened a block (heading,
# paragraph, list) into one line. It is not a heading; it is kept as one line of text.
FLATTENED_MIN_WORDS = 25
_SENTENCE_INSIDE = re.compile(r"[a-z)\]][.!?]\s+[A-Z]")


def _is_flattened_block(text: str) -> bool:
    return len(text.split()) >= FLATTENED_MIN_WORDS and bool(_SENTENCE_INSIDE.search(text))


def _markdown_inline(text: str) -> tuple[str, bool]:
    """(text without the bold markers that carry structure, whether the whole line was bold)."""
    if "**" not in text and "__" not in text:
        return text, False
    marker = text[:2]
    if marker in ("**", "__") and text.endswith(marker) and len(text) > 4 and marker not in text[2:-2]:
        return text[2:-2], True
    m = _MD_STRONG.search(text)
    lead = _MD_LEAD.match(text)
    if m is None or lead is None or m.start() != lead.end():
        return text, False
    return text[: m.start()] + (m.group(1) or m.group(2)) + text[m.end() :], False
# A text line made only of = or - (3 or more) underlines the line above as a heading.
_SETEXT = re.compile(r"^(={3,}|-{3,})$")
SETEXT_MAX_WORDS = 12


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
    class name alone: wrappers are often called `has-sidebar`.

    Disclosure widgets are content: an accordion's toggle button (``aria-expanded`` or
    ``aria-controls``, with a label of a few words: the FAQ question) is kept as text, and a
    hidden panel that such a control opens (its ``id`` named by an ``aria-controls``) is a
    collapsed answer, not hidden chrome."""
    controlled = {
        c
        for el in root.xpath("//*[@aria-controls]")
        if _is_disclosure(el)  # a "Menu" toggle's hidden panel stays hidden
        for c in (el.get("aria-controls") or "").split()
    }
    doomed: list[tuple[lxml.html.HtmlElement, str | None]] = []
    voted = False
    stack = [root]
    while stack:  # document order, as root.iter(), but not into a subtree already doomed
        el = stack.pop()
        tag = el.tag
        tag = tag.lower() if isinstance(tag, str) else None
        rule: str | None | bool = False  # False: kept
        if tag is None:  # comments, processing instructions
            rule = None
        elif tag == "button" and _is_disclosure(el):
            pass
        elif tag in rules.HTML_DROP_TAGS:
            rule = f"html_{tag}" if tag in rules.HTML_AUDITED_TAGS else None
            if tag == "button" and _VOTE.search(
                f"{el.get('aria-label') or ''} {el.get('title') or ''} {el.get('class') or ''}"
            ):
                doomed.append((el, rule))
                votes = _vote_counts(el)
                doomed += [(sib, "vote_count") for sib in votes]
                voted = voted or bool(votes)
                continue
        elif tag in rules.HTML_DROP_OUTSIDE_MAIN:
            if not any(a.tag in ("main", "article") for a in el.iterancestors()) and el.find(".//h1") is None:
                rule = f"html_{tag}"
        elif (
            _is_hidden(el)
            and not (el.get("id") and el.get("id") in controlled)
            and (el.get("role") or "").lower() != "tabpanel"
        ):
            rule = "html_hidden"
        elif _is_chrome(el):
            rule = "html_chrome"
        if rule is False:
            stack.extend(reversed(el))
        elif rule is not True:
            doomed.append((el, rule))
    dropped: list[tuple[str, str]] = []
    gone: set[lxml.html.HtmlElement] = set()
    for el, rule in doomed:
        if el.getparent() is None or (voted and any(a in gone for a in el.iterancestors())):
            continue  # already dropped, or inside a dropped subtree (a vote count's)
        if rule is not None:
            text = normalize_space(" ".join(el.itertext()))
            if text:
                dropped.append((text[:1000], rule))
        gone.add(el)
        el.drop_tree()
    return dropped


_VOTE = re.compile(r"vote|like", re.IGNORECASE)
_COUNT = re.compile(r"^[+-]?\d[\d,.]*[kK]?$")


def _vote_counts(button: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The lone numbers standing beside a vote button (its siblings): the vote count."""
    parent = button.getparent()
    if parent is None:
        return []
    return [
        sib for sib in parent
        if sib is not button
        and isinstance(sib.tag, str)
        and sib.tag != "button"
        and _COUNT.match(normalize_space(sib.text_content()))
    ]


def _tab_labels(root: lxml.html.HtmlElement) -> dict[str, str]:
    """id -> label of every tab (`role="tab"`), read before the tab list is pruned as chrome."""
    return {
        el.get("id"): label
        for el in root.xpath('//*[@role="tab"][@id]')
        if (label := normalize_space(el.text_content()))
    }


def _is_disclosure(el: lxml.html.HtmlElement) -> bool:
    """An accordion toggle whose label is content (a question), not a one-word control."""
    if el.get("aria-expanded") is None and el.get("aria-controls") is None:
        return False
    return len(normalize_space(el.text_content()).split()) >= rules.DISCLOSURE_MIN_WORDS


def _is_hidden(el: lxml.html.HtmlElement) -> bool:
    return (
        el.get("hidden") is not None
        or (el.get("aria-hidden") or "").lower() == "true"
        or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
    )


def _is_chrome(el: lxml.html.HtmlElement) -> bool:
    tag = el.tag
    if tag in ("html", "body", "main", "article"):
        return False
    classes = el.get("class")
    ident = el.get("id")
    role = el.get("role")
    roledescription = el.get("aria-roledescription")
    if classes is None and ident is None and role is None and roledescription is None:
        return False
    if not _chrome_marked(classes, ident, role, roledescription, tag in _NEVER_OVERLAY):
        return False
    return el.find(".//h1") is None and el.find(".//main") is None and el.find(".//article") is None


@lru_cache(maxsize=1 << 14)
def _chrome_marked(
    classes: str | None, ident: str | None, role: str | None, roledescription: str | None, never_overlay: bool
) -> bool:
    """Whether an element's attributes name it chrome (a site's class names recur on all its pages)."""
    return bool(
        (
            classes
            and (
                rules.HTML_BOILERPLATE_ATTR.search(classes)
                or (not never_overlay and rules.HTML_OVERLAY_CLASS.search(classes))
            )
        )
        or (ident and rules.HTML_BOILERPLATE_ATTR.search(ident))
        or _consent_marked(classes, ident)
        or (role and role.lower() in rules.HTML_BOILERPLATE_ROLES)
        or (roledescription or "").lower() in rules.HTML_BOILERPLATE_ROLEDESCRIPTIONS
    )


# Inline-text flags: bold (a `<b>`/`<strong>` or a bold font-weight style) and link (`<a href>`).
_BOLD, _LINK = 1, 2


class _Walker:
    """Emit block-level text as lines; inline markup joins into its block's line.
    Text inside an <li> (or a `role="listitem"`), however deeply wrapped, is an item.
    A `role="heading"` element is a heading of its `aria-level`. A line made only of bold
    text is marked with EMPHASIS_LEVEL; which lines are made only of link text is remembered
    (``link_only``) for :func:`drop_link_runs`."""

    def __init__(self, limits: Limits, tab_labels: dict[str, str] | None = None) -> None:
        self.tab_labels = tab_labels or {}
        self.lines: list[Line] = []
        self.link_only: list[bool] = []
        self.buffer: list[tuple[str, int]] = []
        self.limits = limits
        self.in_item = 0
        self.flags = 0

    def emit(self, text: str, kind: Kind, level: int = 0, link_only: bool = False) -> None:
        text = normalize_space(text[: self.limits.max_line_chars])
        if not text:
            return
        if kind is Kind.TEXT:
            marker = _BULLET.match(text)
            if marker and len(text) > marker.end():
                text, kind, level = text[marker.end() :].strip(), Kind.ITEM, 0
        self.lines.append(Line(text=text, kind=kind, line_no=len(self.lines) + 1, level=level, blank_before=True))
        self.link_only.append(link_only)

    def flush(self) -> None:
        if not self.buffer:
            return
        segments = self.buffer
        self.buffer = []
        if self.in_item:
            self.emit("".join(t for t, _ in segments).replace("\n", " "), Kind.ITEM)
            return
        part: list[tuple[str, int]] = []
        for text, flags in segments:
            pieces = text.split("\n")
            for n, piece in enumerate(pieces):
                if n:
                    self._emit_part(part)
                    part = []
                if piece:
                    part.append((piece, flags))
        self._emit_part(part)

    def _emit_part(self, part: list[tuple[str, int]]) -> None:
        inked = [f for t, f in part if t.strip()]
        if not inked:
            return
        bold = all(f & _BOLD for f in inked)
        link_only = all(f & _LINK for f in inked)
        self.emit("".join(t for t, _ in part), Kind.TEXT, EMPHASIS_LEVEL if bold else 0, link_only)

    def walk(self, el: lxml.html.HtmlElement, depth: int) -> None:
        """Emit ``el``'s text: a heading, a table row, a definition list and a line break are
        lines of their own; any other element adds its text to the current block's line."""
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if depth > self.limits.max_html_depth:
            self.flush()
            self.emit(el.text_content(), Kind.ITEM if self.in_item else Kind.TEXT)
            return
        role = el.get("role") if tag else None
        role = role.lower() if role else ""
        classes = el.get("class") if tag else None
        if role == "tabpanel" and el.get("aria-labelledby") in self.tab_labels:
            # A tab's panel: its tab's label (dropped with the tab list) is its heading.
            self.flush()
            self.emit(self.tab_labels[el.get("aria-labelledby")], Kind.HEADING, level=TAB_HEADING_LEVEL)
        if tag in rules.HTML_HEADINGS or role == "heading":
            self.flush()
            self.emit(
                el.text_content(), Kind.HEADING, level=int(tag[1]) if tag in rules.HTML_HEADINGS else _aria_level(el)
            )
        elif tag == "tr" or role == "row" or (classes and _is_class_row(el, classes)):
            self.flush()
            self._row(el, depth)
        elif tag == "dl":
            self.flush()
            self._definition_list(el, depth)
        elif tag == "br":
            self.buffer.append(("\n", self.flags))
        else:
            self._block_or_inline(el, tag, role, classes, depth)

    def _row(self, el: lxml.html.HtmlElement, depth: int) -> None:
        """A table row: two short cells are the fact "label: value", more are one line of
        cells joined by " | "; a layout table's cells (holding blocks) are walked as regions."""
        cell_els = [
            c for c in el
            if isinstance(c.tag, str)
            and (c.tag in ("td", "th") or (c.get("role") or "") in _CELL_ROLES
                 or _CELL_CLASS.search(c.get("class") or ""))
        ]
        if any(_has_blocks(c) for c in cell_els):
            for c in cell_els:
                self.walk(c, depth + 1)
                self.flush()
            return
        cells = [normalize_space(c.text_content()) for c in cell_els]
        cells = [c for c in cells if c]
        if len(cells) == 2 and len(cells[0]) <= 40 and not cells[0].endswith((":", ".")):
            self.emit(f"{cells[0]}: {cells[1]}", Kind.TEXT)
        elif cells:
            self.emit(" | ".join(cells), Kind.TEXT)

    def _block_or_inline(
        self, el: lxml.html.HtmlElement, tag: str, role: str, classes: str | None, depth: int
    ) -> None:
        """Any other element: a block starts and ends a line, a list item makes its text an
        item, bold and link markup flag the text inside; the children are walked in order."""
        block = tag in rules.HTML_BLOCKS
        if block:
            self.flush()
        item = tag == "li" or role == "listitem"
        if item:
            self.in_item += 1
        saved = self.flags
        if tag in ("b", "strong") or (classes and rules.HTML_BOLD_CLASS.search(classes)) or (tag and _bold_style(el)):
            self.flags |= _BOLD
        elif tag == "a" and el.get("href") is not None:
            self.flags |= _LINK
        if el.text:
            self.buffer.append((el.text, self.flags))
        for child in el:
            self.walk(child, depth + 1)
            if child.tail:
                self.buffer.append((child.tail, self.flags))
        self.flags = saved
        if block:
            self.flush()
        if item:
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


_CELL_ROLES = frozenset({"cell", "gridcell", "columnheader", "rowheader"})
_LAYOUT_TAGS = frozenset(
    {"p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr"}
)
# A data cell may hold a line break or two; a layout cell holds lines of a page region.
LAYOUT_MIN_BREAKS = 3
# Sticky table headers and sticky section headings are content, whatever their class says.
_NEVER_OVERLAY = frozenset({"table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6"})


_ROW_CLASS = re.compile(r"(?:^|[\s_-])(?:row|tr)(?:$|\s)", re.IGNORECASE)
_CELL_CLASS = re.compile(r"(?:^|[\s_-])(?:cell|td|th)(?:$|\s)", re.IGNORECASE)


def _is_class_row(el: lxml.html.HtmlElement, classes: str) -> bool:
    """A div table's row: class `row`/`x-row` over two or more children of class `cell`/`x-cell`
    (a grid's `row` over `col-md-8` columns is a layout, not a table row)."""
    if not _ROW_CLASS.search(classes):
        return False
    children = [c for c in el if isinstance(c.tag, str)]
    return len(children) >= 2 and all(_CELL_CLASS.search(c.get("class") or "") for c in children)


_CHROME_SUBSTRING = re.compile("|".join(re.escape(s) for s in rules.HTML_CHROME_SUBSTRINGS), re.IGNORECASE)


def _consent_marked(classes: str | None, ident: str | None) -> bool:
    return bool((classes and _CHROME_SUBSTRING.search(classes)) or (ident and _CHROME_SUBSTRING.search(ident)))


def _has_blocks(cell: lxml.html.HtmlElement) -> bool:
    if next(cell.iterdescendants(*_LAYOUT_TAGS), None) is not None:
        return True
    return sum(1 for _ in itertools.islice(cell.iterdescendants("br"), LAYOUT_MIN_BREAKS)) >= LAYOUT_MIN_BREAKS


def _bold_style(el: lxml.html.HtmlElement) -> bool:
    style = el.get("style")
    return bool(style) and bool(_BOLD_STYLE.search(style))


def _aria_level(el: lxml.html.HtmlElement) -> int:
    level = (el.get("aria-level") or "").strip()
    return int(level) if level.isdigit() and 1 <= int(level) <= 6 else 2


def _is_column_title(line: Line) -> bool:
    """A short label over a link list (a footer column's "Company", a nav box's "CODE LOOKUP"),
    unless it names a section of the page ("Related codes" over links to codes)."""
    return (
        line.kind is Kind.TEXT
        and len(line.text.split()) <= 4
        and not line.text.endswith((".", "!", "?", ":"))
        and map_heading(line.text)[1] < 1.0
    )


def drop_link_runs(lines: list[Line], link_only: list[bool]) -> tuple[list[Line], list[tuple[str, str]]]:
    """Runs of LINK_RUN_MIN or more consecutive short lines made only of link text are link
    lists (footer columns, trending widgets, related-page cards): rule ``html_link_list``, and so
    is the column title over one. List items are left alone (a references list is links in <li>s),
    and so is a run right under a heading naming related codes (links to the codes it lists)."""
    short = [
        flag and ln.kind is Kind.TEXT and len(ln.text.split()) <= LINK_LINE_MAX_WORDS
        for ln, flag in zip(lines, link_only, strict=True)
    ]
    doomed = [False] * len(lines)
    i = 0
    while i < len(lines):
        if not short[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and short[j]:
            j += 1
        # A link list under a heading naming the related codes is the page's own list.
        related = i > 0 and lines[i - 1].kind is Kind.HEADING and map_heading(lines[i - 1].text)[0] == "related_codes"
        if j - i >= LINK_RUN_MIN and not related:
            doomed[i:j] = [True] * (j - i)
            if i > 0 and _is_column_title(lines[i - 1]):  # "Company" over its links
                doomed[i - 1] = True
        i = j
    kept = [ln for ln, d in zip(lines, doomed, strict=True) if not d]
    dropped = [(ln.text, "html_link_list") for ln, d in zip(lines, doomed, strict=True) if d]
    return kept, dropped


def clear_memos() -> None:
    """Forget the per-line and per-class answers this module keeps."""
    _text_line.cache_clear()
    _chrome_marked.cache_clear()
