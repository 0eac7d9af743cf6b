"""Stage 2, clean: remove boilerplate lines, keep every line of content, say why for each removal.

Three kinds of evidence, applied in this order:

1. the rule catalogue in :mod:`ingest.rules` (copyright, signup, calls to action, ...), line by
   line, after splitting promos glued onto content (``Learn morePost-Procedure Follow-Up``);
2. page structure: a repeated line, a run of short menu-like lines before the content starts,
   the short lines trailing after the content ends (``nav_menu``, ``page_tail``), a button's
   label and a category badge beside the title (``button_label``, ``category_badge``);
3. the corpus: a line that recurs on a large share of one site's pages is that site's template
   (``template:<site>``), see :func:`learn_templates`; with it, the learned line model
   (``learned:<signal>``, ``chrome_run``) and the site's own pitch (``brand_pitch``), see
   :func:`apply_templates`.

Every function is pure: lines in, (kept lines, removed lines) out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ingest import rules
from ingest.models import Kind, Line, Removed

from . import boilerplate
from .sections import map_heading

# Word count above which a line is never menu-like; a nav entry is a few words.
NAV_MAX_WORDS = 6
# A line of menu entries run together has at most this many words, all capitalised.
NAV_ROW_MAX_WORDS = 14
_GRAMMAR = frozenset({"the", "a", "an", "of", "to", "in", "for", "on", "and", "or", "with", "is", "are", "your", "our"})
# A button's label: at most this many words, the first an imperative verb ("Use Code", "Get Started").
BUTTON_MAX_WORDS = 3
BUTTON_ROW_CELLS = 3
_WORDS = re.compile(r"[^\W_]+")
# The site addressing its reader or speaking as itself.
_SELF_WORDS = frozenset({"you", "your", "we", "our", "us"})
# A category badge (see _flag_badges): at most this many words, beside a title of at most
# BADGE_TITLE_MAX_WORDS words among the page's first BADGE_TOP_LINES lines left.
BADGE_MAX_WORDS = 3
BADGE_TITLE_MAX_WORDS = 16
BADGE_TOP_LINES = 8
BADGE_LEADS_WORDS = 6
# A menu is at least this many short lines in a row (two short lines are often a title and a label).
NAV_MIN_RUN = 3
# A "sentence" that proves content has started: this many words and final punctuation.
SENTENCE_MIN_WORDS = 8
# Lines that are not sentences after the content ends are footer when shorter than this.
TAIL_MAX_WORDS = 15
# Template learning (see learn_templates): a line is template when it appears on at least
# TEMPLATE_MIN_SHARE of a site's pages, and the site has at least TEMPLATE_MIN_PAGES pages.
# Calibrated on tests/labelled (7 sites, 5-7 pages each), on the lines left after the rules:
# boilerplate lines recur on 100% of their site's pages (30 of 36; the other 6 name the page's
# own code and are page-specific), while content lines that no protection covers (not headings,
# items or facts) recur on at most 17% (202 lines). 0.6 sits between with room on both sides;
# 5 pages keep a site of two near-identical pages from calling all its content template.
TEMPLATE_MIN_SHARE = 0.6
TEMPLATE_MIN_PAGES = 5
# A line ending in a colon of at most this many words is a label (its value follows).
LABEL_MAX_WORDS = 6
# Repeated non-item lines shorter than this are kept (answers like "Yes." legitimately repeat).
DUPLICATE_MIN_WORDS = 4
# A line the model scores at least this high goes when it belongs to a run of such lines that
# holds a line scoring at the model's threshold (see _chrome_runs).
RUN_MIN_SCORE = 0.5
# Words only a sale or a sign-up uses ("plan", "services", "minutes" are words of content too).
_SELLING = frozenset(
    {"free", "demo", "trial", "account", "signup", "subscribe", "subscription", "download", "premium", "discount",
     "upgrade", "unlimited", "toolkit", "software", "platform", "app"}
)
# A recurring line goes as template unless the line model scores it below this (reads it as content).
TEMPLATE_MIN_SCORE = 0.35
# The per-line tests below are pure functions of a line's text (and kind), and a site's
# template lines recur on most of its pages: each test keeps its answers for this many
# distinct lines (per process; least recently used go first), so a recurring line costs one
# dictionary lookup. Bounded: a few MB per test however large the corpus.
LINE_MEMO = 1 << 14

def _scoped(rule: rules.LineRule) -> str:
    return f"(?-i:{rule.pattern})" if rule.case_sensitive else rule.pattern


_COMPILED = [(rule, re.compile(_scoped(rule), re.IGNORECASE)) for rule in rules.LINE_RULES]
_GLUED_BADGE = re.compile(r"^(?P<promo>" + "|".join(b.capitalize() for b in rules.GLUED_BADGES) + r")(?=[A-Z][a-z])")
# The same badges glued after a short heading: "Billing rulesUpdated".
_GLUED_BADGE_AFTER = re.compile(r"(?<=[a-z)])(?P<promo>" + "|".join(b.capitalize() for b in rules.GLUED_BADGES) + r")$")
GLUED_BADGE_MAX_WORDS = 8
_BADGE_ENDINGS = tuple(b.capitalize() for b in rules.GLUED_BADGES)

_GLUED_START = re.compile(
    r"^(?P<promo>" + "|".join(re.escape(p) for p in rules.GLUED_PHRASES) + r")(?=[A-Z0-9])", re.IGNORECASE
)
_GLUED_END = re.compile(
    r"(?<=[.!?])\s?(?P<promo>" + "|".join(re.escape(p) for p in rules.GLUED_PHRASES) + r")[.!>»→]*$", re.IGNORECASE
)
# A call to action glued to the end of a sentence with no space: "...for 2 weeks.Download the X app".
_GLUED_CTA_END = re.compile(
    r"(?<=[a-z0-9)][.!?])(?P<promo>(?:download|sign up|subscribe|learn more|read more|get|try|book|join|start|click"
    r"|see)\b[^.!?]{0,60}[.!]?)$",
    re.IGNORECASE,
)
# A badge-led promo glued after a sentence: "...same day.NEW! 2025 Coding Seminars - Register Today".
_GLUED_BADGE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s?(?P<promo>(?:NEW|HOT|FREE|SALE)!\s.{0,80})$")
# A call to action glued before an ALL-CAPS heading: "Chat with a coderMEDICARE PAYMENT".
_GLUED_BEFORE_CAPS = re.compile(r"^(?P<promo>[A-Z][^A-Z]*?[a-z])(?=[A-Z]{2,}[A-Z0-9 &/,'’()-]*:?$)")
# A lone count ("14", "1,204,773") is chrome when it stands next to a counter's label.
_LONE_NUMBER = re.compile(r"^[+-]?\d[\d,]{0,9}$")
_COUNTER_RULES = frozenset({"vote_count", "visitor_counter"})
_DIGIT = re.compile(r"\d")
_QUOTED = re.compile(r"[\"“][^\"”]{0,200}[\"”]")
_EXAMPLE_BEFORE = re.compile(r"(e\.g\.|for example|example|such as|like)\W{0,3}$", re.IGNORECASE)
# A number labelled as another kind of identifier is not a code: "SKU 48213", "Item #50322",
# "Model 51870", "ZIP 30309", "Order no. 44120", "Claim ID 99213", "Ref: 12345".
_IDENTIFIER_BEFORE = re.compile(
    r"\b(sku|item|model|part|order|invoice|ref|reference|zip(?: code)?|postal code|id|no|number|account|member|npi|tin"
    r"|ext)"
    r"\.?\s*(#|no\.?|number)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
# Removed lines that occur inside a document's body (a printed page's "Page 2 of 5", a rule
# line): they do not mark where the page's footer starts.
_BLOCK_HEADERS = (rules.LINK_LIST_HEADER, rules.TOC_HEADER, rules.AUTHOR_BOX_HEADER)
_NOT_A_BOUNDARY = frozenset({"page_number", "symbol_only", "duplicate_line"})
# Pictographs and marks before a line's words (emoji, check marks, arrows), not letters or digits.
_LEADING_ICONS = re.compile(r"^[^\w\s(\[\"'“‘$€£#@]+\s*")
# A keyword-stuffing line repeats the same code this many times in a few words ("CPT 27447, cpt
# code 27447, 27447 cpt code"), with no other words than code-set names.
STUFFING_MIN_REPEATS = 3
_CODE_SET_WORDS = frozenset({"cpt", "hcpcs", "code", "codes", "icd", "icd-10", "billing", "procedure"})
# After a feedback widget's question, its replies ("Thanks!", "Sorry to hear that.") are part of
# it: up to this many lines, each at most FEEDBACK_REPLY_MAX_WORDS words.
FEEDBACK_REPLY_LINES = 4
# A line whose letters come from this many writing systems is a language menu, not prose.
LANGUAGE_MENU_SCRIPTS = 3
FEEDBACK_REPLY_MAX_WORDS = 16
_TERMINAL = re.compile(r"[.!?;,:][\"'”’)]*$")


@lru_cache(maxsize=LINE_MEMO)
def normalize_key(text: str) -> str:
    """Comparison key for a line: case and whitespace folded, punctuation at the ends dropped.
    Digits are kept as they are: `21183` and `21184` must stay different lines."""
    return " ".join(text.casefold().split()).strip(" .:;,!?-–—•*")


# (max_words, skip_items, requires, search, id) per rule: plain tuples keep the per-line loop cheap.
_TABLE = [(rule.max_words, rule.skip_items, rule.requires, rx.search, rule.id) for rule, rx in _COMPILED]


def match_rule(text: str, kind: Kind) -> str | None:
    """The id of the first catalogue rule that removes this line, or None."""
    return _match_rule(text, kind is Kind.ITEM)


@lru_cache(maxsize=LINE_MEMO)
def _match_rule(text: str, is_item: bool) -> str | None:
    found = _match_rule_text(text, is_item)
    if found is None:  # "📖 3 min read", "📅 Updated May 2, 2025": the rule's line behind an icon
        bare = _LEADING_ICONS.sub("", text)
        if bare != text and bare:
            found = _match_rule_text(bare, is_item)
    return found


@lru_cache(maxsize=256)
def _rules_for(n_words: int, is_item: bool) -> tuple[tuple[tuple[str, ...], Callable[[str], object], str], ...]:
    """The catalogue's rules that can apply to a line of ``n_words`` words (of an item or not),
    in catalogue order: the word limits and item exemptions are decided once per length, not per line."""
    return tuple(
        (requires, search, rule_id)
        for max_words, skip_items, requires, search, rule_id in _TABLE
        if n_words <= max_words and not (skip_items and is_item)
    )


# casefold() keeps the dotless i apart from i, and writes the dotted capital I as i with a
# combining dot, where the rules' case-blind patterns take both for i: the gates (``requires``)
# see them as i too, so that a gate never skips a line its pattern matches.
_GATE_FOLD = str.maketrans({"ı": "i", "\u0307": None})


def _match_rule_text(text: str, is_item: bool) -> str | None:
    n_words = len(text.split())
    low = text.casefold().translate(_GATE_FOLD)
    for requires, search, rule_id in _rules_for(n_words, is_item):
        if requires:
            for needle in requires:
                if needle in low:
                    break
            else:
                continue
        if search(text):
            return rule_id
    return None


def split_glued(lines: list[Line]) -> tuple[list[Line], list[Removed]]:
    """Cut promos glued to content: `Learn morePost-Procedure Follow-Up` keeps the heading."""
    out: list[Line] = []
    removed: list[Removed] = []
    for line in lines:
        promos, text = _split_glued_text(line.text, line.kind is Kind.ITEM)
        if promos:
            removed += [Removed(line.line_no, promo, "glued_promo") for promo in promos]
            line = Line(text, line.kind, line.line_no, line.level, line.blank_before)
        if text:
            out.append(line)
    return out, removed


@lru_cache(maxsize=LINE_MEMO)
def _split_glued_text(text: str, is_item: bool) -> tuple[tuple[str, ...], str]:
    """(the promos cut from the line, what is left of it)."""
    original, promos = text, []
    m = _GLUED_START.match(text) or _GLUED_BADGE.match(text)
    if m:
        promos.append(m.group("promo"))
        text = text[m.end() :].strip()
    m = (
        _GLUED_END.search(text)
        or _GLUED_CTA_END.search(text)
        or (_GLUED_BADGE_END.search(text) if "!" in text else None)
    )
    if not m and text.endswith(_BADGE_ENDINGS) and len(text.split()) <= GLUED_BADGE_MAX_WORDS:
        m = _GLUED_BADGE_AFTER.search(text)
    if m and m.start() > 0:
        promos.append(m.group("promo"))
        text = text[: m.start()].strip()
    m = _GLUED_BEFORE_CAPS.match(text) if text[-1:].isupper() or text.endswith(":") else None
    if m and _match_rule(m.group("promo"), is_item) in _GLUED_CTA_RULES:
        promos.append(m.group("promo"))
        text = text[m.end() :].strip()
    return (tuple(promos), text) if text != original else ((), text)


# Rules whose match, glued before an ALL-CAPS heading, is a promo to cut off.
_GLUED_CTA_RULES = frozenset(
    {"call_to_action", "login_signup", "paywall", "newsletter", "app_download", "promo_question"}
)

def remove_brand_lines(lines: list[Line], brands: Iterable[str]) -> tuple[list[Line], list[Removed]]:
    """A line that is only the site's own name (its logo text) is chrome: rule ``site_name``.
    Brands come from the URL host ("billingbeacon" of billingbeacon.com), a contact e-mail's
    domain or the copyright holder; a name of fewer than 4 letters is too ambiguous to use."""
    names = {boilerplate.compact(b) for b in brands if len(boilerplate.compact(b)) >= 4}
    if not names:
        return lines, []
    kept, removed = [], []
    for line in lines:
        if line.kind is not Kind.ITEM and boilerplate.compact(line.text) in names:
            removed.append(Removed(line.line_no, line.text, "site_name"))
        else:
            kept.append(line)
    return kept, removed


def _labels_own_line(lines: list[Line], template: list[bool], i: int) -> bool:
    """A short label ending in a colon whose next line is the page's own text (not template)."""
    text = lines[i].text
    return (
        text.endswith(":")
        and len(text.split()) <= LABEL_MAX_WORDS
        and i + 1 < len(lines)
        and lines[i + 1].kind is Kind.TEXT
        and not template[i + 1]
    )


def _chrome_runs(lines: list[Line], scores: np.ndarray, threshold: float) -> np.ndarray:
    """Lines in a run at the page's start or end where every line scores at least RUN_MIN_SCORE
    and one scores at the threshold: chrome comes in runs (a pitch beside its button, a strip of
    selling points under its call to action at the foot of the page), and a doubtful line in
    the page's chrome is chrome. Inside the page, content has the benefit of the doubt, and so
    has a sentence in such a run unless it sells (a word only a sale or a sign-up uses: an
    FAQ's last answer over an author box stays)."""
    out = np.zeros(len(scores), dtype=bool)
    if not len(scores) or (scores[0] < RUN_MIN_SCORE and scores[-1] < RUN_MIN_SCORE):
        return out  # no run touches an edge
    doubtful = scores >= RUN_MIN_SCORE
    edges = np.flatnonzero(np.diff(np.concatenate([[0], doubtful.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if (a == 0 or b == len(scores)) and (scores[a:b] >= threshold).any():
            for i in range(a, b):
                out[i] = not _is_sentence(lines[i]) or _sells(lines[i].text)
    return out


def _sells(text: str) -> bool:
    return any(w.casefold() in _SELLING for w in _WORDS.findall(text))


def _brand_pitch(line: Line, brand: str | None) -> bool:
    """A line opening with the site's own name that sells ("Acme's claims software tracks ...",
    "Acme Billing provides end-to-end billing services. Book a call today."): the site speaking
    of its products, rule ``brand_pitch``. The site's name opening a statement with no word of
    selling ("Acme Health considers X medically necessary when ...": an insurer's policy) stays."""
    text = line.text
    if brand is None or line.kind is Kind.HEADING or text[:1].casefold() != brand[0]:
        return False
    # the name's letters lie within its first 2n+8 characters (spaces, an apostrophe, a capital)
    if not boilerplate.compact(text[: 2 * len(brand) + 8]).startswith(brand):
        return False
    words = [w.casefold() for w in _WORDS.findall(text)]
    return any(w in boilerplate.COMMERCE_WORDS or w in _SELF_WORDS for w in words) or any(
        w in boilerplate.IMPERATIVE_OPENINGS for w in words[:1]
    )


@lru_cache(maxsize=LINE_MEMO)
def phrased_codes(text: str) -> tuple[tuple[str, int], ...]:
    """(code, offset) of every code the line names as a code: ``rules.CODE_PHRASE`` and the
    gated ``rules.CODE_PHRASE_EXTRA`` forms."""
    if not rules.FOUR_DIGITS.search(text):
        return ()
    found = {m.start("code"): m.group("code") for m in rules.CODE_PHRASE.finditer(text)}
    low = text.casefold()
    for rx, needles in rules.CODE_PHRASE_EXTRA:
        if any(n in low for n in needles):
            for m in rx.finditer(text):
                found.setdefault(m.start("code"), m.group("code"))
    return tuple((code, start) for start, code in sorted(found.items()))


@lru_cache(maxsize=LINE_MEMO)
def code_hits(text: str) -> tuple[tuple[str, bool], ...]:
    """Codes in a line, each with whether it is named as a code ("CPT Code 21183")
    rather than a bare number. Codes inside quotes or after "e.g." are examples: skipped.
    Memoised: the answer depends on the text alone, and the parser asks it of every line."""
    found = list(rules.CODE_PATTERN.finditer(text)) if rules.FOUR_DIGITS.search(text) else None
    if not found:
        return ()
    examples = [m.span() for m in _QUOTED.finditer(text)]
    phrased = {start for _, start in phrased_codes(text)}
    hits = []
    for m in found:
        before = text[max(0, m.start() - 24) : m.start()]
        if (
            any(a <= m.start() < b for a, b in examples)
            or _EXAMPLE_BEFORE.search(before)
            or _IDENTIFIER_BEFORE.search(before)
        ):
            continue
        hits.append((m.group(1).upper(), m.start() in phrased))
    return tuple(hits)


def likely_code(lines: Iterable[Line]) -> str | None:
    """The code the page names most often as a code ("CPT Code 21183"); a hint for cleaning,
    which must not remove the page's own lines. The parser decides the page's code."""
    named = Counter(code.upper() for ln in lines for code, _ in phrased_codes(ln.text))
    return named.most_common(1)[0][0] if named else None


def clean_lines(lines: list[Line]) -> tuple[list[Line], list[Removed]]:
    """Apply the rule catalogue and the page-structure rules to one page."""
    lines, removed = split_glued(lines)
    flags: list[str | None] = [_match_rule(ln.text, ln.kind is Kind.ITEM) for ln in lines]  # match_rule, per line
    _flag_counts(lines, flags)
    _flag_stuffing(lines, flags)
    _flag_language_menus(lines, flags)
    _flag_feedback_replies(lines, flags)
    _flag_buttons(lines, flags)
    _flag_link_lists(lines, flags, rules.LINK_LIST_HEADER, "link_list")
    _flag_link_lists(lines, flags, rules.TOC_HEADER, "toc")
    _flag_author_box(lines, flags)
    _flag_duplicates(lines, flags)
    anchors = _content_anchors(lines, flags)
    _flag_nav_runs(lines, flags, anchors)
    own_code = likely_code(lines)
    _flag_badges(lines, flags, own_code)
    _flag_tail(lines, flags, _content_anchors(lines, flags, strict=True), own_code)
    kept: list[Line] = []
    for line, flag in zip(lines, flags, strict=True):
        if flag is None:
            kept.append(line)
        else:
            removed.append(Removed(line.line_no, line.text, flag))
    removed.sort(key=lambda r: r.line_no)
    return kept, removed


def _is_sentence(line: Line) -> bool:
    """Prose: enough words, and a final stop or the length of a paragraph."""
    return is_sentence_text(line.text)


@lru_cache(maxsize=LINE_MEMO)
def is_sentence_text(text: str) -> bool:
    n = len(text.split())
    return n >= SENTENCE_MIN_WORDS and (n >= 2 * SENTENCE_MIN_WORDS or bool(boilerplate.SENTENCE_END.search(text)))


def _is_menu_like(line: Line) -> bool:
    """A navigation entry: a few words, no punctuation a sentence or a fact would have."""
    return line.kind is not Kind.HEADING and _menu_like_text(line.text)


@lru_cache(maxsize=LINE_MEMO)
def _menu_like_text(text: str) -> bool:
    words = text.split()
    return (
        (len(words) <= NAV_MAX_WORDS or _link_row_words(words))
        and not _TERMINAL.search(text)
        and not any(ch in text for ch in ",;:")
        and not rules.CODE_PATTERN.search(text)
    )


def _link_row_words(words: list[str]) -> bool:
    """A row of menu entries printed as one line ("Students Residents Attendings Resources Blog
    Support"): every word capitalised, none of them a word of grammar."""
    return len(words) <= NAV_ROW_MAX_WORDS and all(w[:1].isupper() and w.casefold() not in _GRAMMAR for w in words)


def _content_anchors(lines: list[Line], flags: list[str | None], strict: bool = False) -> list[int]:
    """Indices of lines that prove content: a sentence, a list item, or a heading that names a
    section and has content under it (``strict``: a sentence or an item; else anything that
    is not another menu entry)."""
    live = [i for i, f in enumerate(flags) if f is None]
    anchors = []
    for pos, i in enumerate(live):
        line = lines[i]
        if line.kind is Kind.ITEM or is_sentence_text(line.text):
            anchors.append(i)
        elif (line.kind is Kind.HEADING or map_heading(line.text)[1] >= 1.0) and pos + 1 < len(live):
            nxt = lines[live[pos + 1]]
            in_menu = pos > 0 and _is_menu_like(lines[live[pos - 1]])  # "Home / Codes / Tools"
            if (
                nxt.kind is Kind.ITEM
                or is_sentence_text(nxt.text)
                or (not strict and not in_menu and not _is_menu_like(nxt))
            ):
                anchors.append(i)
    return anchors


def _flag_counts(lines: list[Line], flags: list[str | None]) -> None:
    """A lone number right before or after a counter's label ("14" over "votes", "Visitors
    since 1998:" over "1,204,773") is that counter's value: same rule as the label."""
    for i, flag in enumerate(flags):
        if flag not in _COUNTER_RULES:
            continue
        for j in (i - 1, i + 1):
            if (
                0 <= j < len(lines)
                and flags[j] is None
                and lines[j].kind is not Kind.ITEM
                and _LONE_NUMBER.match(lines[j].text)
            ):
                flags[j] = flag


def _flag_stuffing(lines: list[Line], flags: list[str | None]) -> None:
    """A line that only repeats one code with code-set words is keyword stuffing for search
    engines, not content: rule ``keyword_stuffing``."""
    for i, line in enumerate(lines):
        if flags[i] is None and _stuffing_text(line.text):
            flags[i] = "keyword_stuffing"


@lru_cache(maxsize=LINE_MEMO)
def _stuffing_text(text: str) -> bool:
    """The line's text is one code repeated among code-set words (memoised: depends on the text alone)."""
    if not _DIGIT.search(text):
        return False
    codes = [m.group(1).upper() for m in rules.CODE_PATTERN.finditer(text)]
    if len(codes) < STUFFING_MIN_REPEATS or len(set(codes)) != 1:
        return False
    words = [w for w in re.split(r"[\s,;|/·•]+", text.casefold()) if w]
    return all(w in _CODE_SET_WORDS or w.upper() == codes[0] for w in words)


def _flag_buttons(lines: list[Line], flags: list[str | None]) -> None:
    """A button's label left as a line of text, or a promo row that opens with one ("Try X |
    Chat-based help, use it for free!"): rule ``button_label``."""
    for i, line in enumerate(lines):
        if flags[i] is None and line.kind is Kind.TEXT and (_button_text(line.text) or _button_row(line.text)):
            flags[i] = "button_label"


@lru_cache(maxsize=LINE_MEMO)
def _button_row(text: str) -> bool:
    """Up to three segments split by " | ", the first a button's label and another selling
    ("free", "trial", ...) or exclaiming: a promo strip, not a table row of content."""
    if " | " not in text:
        return False
    cells = [c.strip() for c in text.split(" | ")]
    return (
        len(cells) <= BUTTON_ROW_CELLS
        and _button_text(cells[0])
        and any(_sells(c) or c.endswith("!") for c in cells[1:])
    )


@lru_cache(maxsize=LINE_MEMO)
def _button_text(text: str) -> bool:
    """A few capitalised words opening with an imperative verb, none of them a word of grammar,
    no digit, no stop or colon: a control's label ("Use Code", "Get Started", "Book Demo"), not a
    heading of content, which names its subject ("Follow-Up Visits", "Use of Modifier 59")."""
    words = text.split()
    return (
        1 <= len(words) <= BUTTON_MAX_WORDS
        and words[0].casefold() in boilerplate.IMPERATIVE_OPENINGS
        and all(w[:1].isupper() and w.casefold() not in boilerplate.FUNCTION_WORDS for w in words)
        and not _DIGIT.search(text)
        and not text.endswith((".", ":", "?", "!"))
    )


def _flag_badges(lines: list[Line], flags: list[str | None], own_code: str | None) -> None:
    """A category badge beside the page's title ("Surgery", "J Codes (Drugs)", "Billing Codes"
    just over or under "CPT 27447 Total knee arthroplasty"): a few capitalised words with no
    figure, a line of text (not a heading's markup or a list item), not over content of its own
    (a sentence or a list), and under the title not a section's name ("Overview"): rule
    ``category_badge``."""
    if own_code is None:
        return
    open_ = [i for i, f in enumerate(flags) if f is None][:BADGE_TOP_LINES]
    titles = [k for k, i in enumerate(open_) if _is_code_title_line(lines[i], own_code)]
    if not titles:
        return
    title = next((k for k in titles if lines[open_[k]].kind is Kind.HEADING), titles[0])  # an h1 first
    for k in (title - 1, title + 1):
        if not 0 <= k < len(open_):
            continue
        i = open_[k]
        nxt = lines[open_[k + 1]] if k + 1 < len(open_) and k + 1 != title else None
        if (
            _badge_text(lines[i].text)
            and lines[i].kind is Kind.TEXT
            and not (nxt is not None and _leads(nxt))
            and (k < title or map_heading(lines[i].text)[1] < 1.0)  # under the title, "Overview" is a heading
        ):
            flags[i] = "category_badge"


def _leads(line: Line) -> bool:
    """Content a short line would head: a list, a sentence, or a key point written without a
    stop (a long line that is not a "Key: value" fact)."""
    return (
        line.kind is Kind.ITEM
        or _is_sentence(line)
        or (len(line.text.split()) >= BADGE_LEADS_WORDS and ":" not in line.text)
    )


def _is_code_title_line(line: Line, own_code: str) -> bool:
    return (
        any(m.group(1).upper() == own_code for m in rules.CODE_PATTERN.finditer(line.text))
        and (line.kind is Kind.HEADING or not _TERMINAL.search(line.text))
        and len(line.text.split()) <= BADGE_TITLE_MAX_WORDS
    )


@lru_cache(maxsize=LINE_MEMO)
def _badge_text(text: str) -> bool:
    words = text.split()
    return (
        1 <= len(words) <= BADGE_MAX_WORDS
        and not text.isupper()  # "OFFICIAL DESCRIPTOR" under the title is a heading by its look
        and all(w[:1].isupper() or w[:1] == "(" for w in words)
        and not _DIGIT.search(text)
        and not _TERMINAL.search(text)
    )


def _flag_language_menus(lines: list[Line], flags: list[str | None]) -> None:
    """A line written in LANGUAGE_MENU_SCRIPTS or more scripts ("English Español 中文 Русский
    العربية") is a site's language switcher: rule ``language_menu``."""
    for i, line in enumerate(lines):
        if flags[i] is None and not line.text.isascii() and len(_scripts(line.text)) >= LANGUAGE_MENU_SCRIPTS:
            flags[i] = "language_menu"


def _scripts(text: str) -> set[str]:
    """The writing systems of a text's letters (LATIN, CYRILLIC, CJK, ARABIC, HANGUL, ...)."""
    out = set()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            out.add(name.split(" ", 1)[0] if name else "?")
    return out


def _flag_feedback_replies(lines: list[Line], flags: list[str | None]) -> None:
    """The replies a feedback widget shows under its question ("Thanks!", "Sorry to hear that.",
    "Tell us what's missing") belong to it: short lines up to the next heading or list."""
    for i, flag in enumerate(flags):
        if flag != "feedback_widget":
            continue
        for j in range(i + 1, min(len(lines), i + 1 + FEEDBACK_REPLY_LINES)):
            line = lines[j]
            text = line.text
            if line.kind is not Kind.TEXT or line.level or len(text.split()) > FEEDBACK_REPLY_MAX_WORDS \
                    or _DIGIT.search(text) or ":" in text:
                break  # a fact or an answer with figures is content, not a widget's reply
            if flags[j] is None:
                flags[j] = "feedback_widget"


def _flag_link_lists(lines: list[Line], flags: list[str | None], header: re.Pattern[str], rule: str) -> None:
    """A header such as "Related questions" or "Hot this week" and the short lines listed under
    it (titles of other questions or pages, which name other codes) are chrome: rule
    ``link_list``; a table of contents likewise (``toc``). The list ends at a sentence, a long
    line, a heading, a fact or another widget."""
    i = 0
    while i < len(lines):
        if flags[i] is not None or not header.match(lines[i].text):
            i += 1
            continue
        flags[i] = rule
        j = i + 1
        entries: set[str] = set()
        items = False
        while j < len(lines) and j - i <= rules.LINK_LIST_MAX_LINES:
            line = lines[j]
            if flags[j] is not None:
                break  # another widget: the list has ended
            key = normalize_key(line.text)
            if key in entries or (items and line.kind is not Kind.ITEM):
                break  # the body starts: a contents entry repeated as its heading, or the bullets ended
            entries.add(key)
            items = items or line.kind is Kind.ITEM
            if header.match(line.text):
                flags[j] = rule
            elif any(other.match(line.text) for other in _BLOCK_HEADERS):
                break  # another block (an author box, a table of contents) starts
            elif (
                line.kind is Kind.HEADING
                or line.level  # a bold line: a heading of the page
                or len(line.text.split()) > rules.LINK_LIST_MAX_WORDS
                or (_is_sentence(line) and not line.text.endswith("?"))
                or (": " in line.text and not line.text.endswith("?"))  # a fact, not a title
            ):
                break
            else:
                flags[j] = rule
            j += 1
        i = j


def _flag_author_box(lines: list[Line], flags: list[str | None]) -> None:
    """"About the author" and the biography under it, up to a heading or another widget."""
    for i, line in enumerate(lines):
        if flags[i] is not None or not rules.AUTHOR_BOX_HEADER.match(line.text):
            continue
        flags[i] = "author_box"
        for j in range(i + 1, min(len(lines), i + 1 + rules.AUTHOR_BOX_MAX_LINES)):
            nxt = lines[j]
            if flags[j] is not None or nxt.kind is not Kind.TEXT or nxt.level or not _is_sentence(nxt):
                break
            flags[j] = "author_box"


def _flag_duplicates(lines: list[Line], flags: list[str | None]) -> None:
    """A line repeated on the page is kept once. Short lines and list items only collapse
    when they repeat back to back (a title printed twice); elsewhere they may be content. A
    repeat right under a label ("Name of the Procedure:" over the title again) is the label's
    value and stays."""
    seen: set[str] = set()
    prev_key = None
    prev_label = False
    for i, line in enumerate(lines):
        if flags[i] is not None:
            continue
        key = normalize_key(line.text)
        long_text = line.kind is not Kind.ITEM and len(line.text.split()) >= DUPLICATE_MIN_WORDS
        if key == prev_key or (long_text and key in seen and not prev_label):
            flags[i] = "duplicate_line"
        seen.add(key)
        prev_key = key
        prev_label = line.text.endswith(":") and len(line.text.split()) <= LABEL_MAX_WORDS


def _flag_nav_runs(lines: list[Line], flags: list[str | None], anchors: list[int]) -> None:
    """Runs of short, unpunctuated lines before the content starts are a menu."""
    start = anchors[0] if anchors else len(lines)
    run: list[int] = []
    for i in range(start):
        if flags[i] is not None:
            continue
        if _is_menu_like(lines[i]):
            run.append(i)
            continue
        _close_run(run, flags)
        run = []
    _close_run(run, flags)


def _close_run(run: list[int], flags: list[str | None]) -> None:
    if len(run) >= NAV_MIN_RUN:
        for i in run:
            flags[i] = "nav_menu"


def _flag_tail(lines: list[Line], flags: list[str | None], anchors: list[int], own_code: str | None) -> None:
    """After the last line of content and a boilerplate line, what remains is page chrome:
    short lines with no sentence among them (footer menus, taglines, widgets, links to other
    codes' pages). A line naming the page's own code is never tail."""
    last = anchors[-1] if anchors else -1
    boundary = next(
        (i for i in range(last + 1, len(lines)) if flags[i] is not None and flags[i] not in _NOT_A_BOUNDARY), None
    )
    if boundary is None:
        return
    tail = [i for i in range(boundary + 1, len(lines)) if flags[i] is None]
    if all(len(lines[i].text.split()) <= TAIL_MAX_WORDS and not (own_code and own_code in lines[i].text) for i in tail):
        for i in tail:
            flags[i] = "page_tail"


# --- Corpus-level template learning -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateModel:
    """Per site, the line keys that are template, learned from the corpus itself, as 64-bit
    hashes (:func:`key_hash`): a run keeps each page's line keys until sites are known, and
    50,000 pages' keys as strings would be a copy of the corpus."""

    lines: dict[str, frozenset[int]]


@lru_cache(maxsize=LINE_MEMO)
def key_hash(key: str) -> int:
    """A line key's 64-bit hash (BLAKE2b): the same in every process, unlike hash()."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def template_keys(lines: Iterable[Line]) -> np.ndarray:
    """A page's distinct line keys, hashed and sorted: what template learning counts."""
    return np.unique(np.fromiter((key_hash(normalize_key(ln.text)) for ln in lines), dtype=np.uint64))


def learn_templates(pages: Iterable[tuple[str, np.ndarray]]) -> TemplateModel:
    """Learn each site's template lines from (site, template_keys of one page) pairs.

    A line key counts once per page. Canonical section headings are never template: every
    page of a site has "Possible Complications", and that heading is structure, not chrome
    (apply_templates checks the key itself, which the hashes do not carry).
    """
    by_site: dict[str, list[np.ndarray]] = defaultdict(list)
    for site, keys in pages:
        by_site[site].append(keys)
    learned: dict[str, frozenset[int]] = {}
    for site, arrays in by_site.items():
        n = len(arrays)
        if n < TEMPLATE_MIN_PAGES:
            continue
        keys, counts = np.unique(np.concatenate(arrays), return_counts=True)
        learned[site] = frozenset(keys[counts >= TEMPLATE_MIN_SHARE * n].tolist())
    return TemplateModel(learned)


def _names_a_section(key: str) -> bool:
    """A heading of the canonical taxonomy (short, and mapping to a section)."""
    return len(key.split()) <= 12 and map_heading(key)[1] >= 1.0


def _heading_shaped(line: Line) -> bool:
    return (
        line.kind is not Kind.ITEM
        and len(line.text.split()) <= 10
        and not boilerplate.SENTENCE_END.search(line.text.rstrip("?"))
    )


def template_mask(lines: list[Line], site: str, model: TemplateModel, own_code: str | None) -> list[bool]:
    """Which lines recur across the site's pages as its template. A line carrying the page's own
    code is not, nor is a list item or `Key: value` fact: recurring facts ("Category: Surgery") are data."""
    learned = model.lines.get(site)
    template = [False] * len(lines)
    if not learned:
        return template
    for i, line in enumerate(lines):
        if line.kind is Kind.ITEM or line.kind is Kind.HEADING or (own_code is not None and own_code in line.text):
            continue
        codes, short_label, recurring_key = _template_text(line.text)
        if short_label and not any(code != own_code for code in codes):
            continue
        template[i] = recurring_key is not None and recurring_key in learned
    # In the body of the page (after its first sentence or item), a recurring heading or label
    # belongs to the template only when what it introduces does too: "Why Is It Done?" on every
    # page introduces each page's own answer and stays; a promo's title over a promo goes.
    body = next((i for i, ln in enumerate(lines) if ln.kind is Kind.ITEM or _is_sentence(ln)), len(lines))
    for i, line in enumerate(lines):
        if i > body and template[i] and _heading_shaped(line) and i + 1 < len(lines) and not template[i + 1]:
            template[i] = False
    return template


@lru_cache(maxsize=LINE_MEMO)
def _template_text(text: str) -> tuple[tuple[str, ...], bool, int | None]:
    """What template_mask needs of a line's text alone: its codes as written, whether it opens with
    a short `Key: ` label, and its key's hash unless the key names a canonical section."""
    codes = tuple(m.group(1) for m in rules.CODE_PATTERN.finditer(text))
    short_label = ": " in text and len(text.split(":", 1)[0].split()) <= 4
    key = normalize_key(text)
    return codes, short_label, None if _names_a_section(key) else key_hash(key)


def apply_templates(
    lines: list[Line], site: str, model: TemplateModel, own_code: str | None
) -> tuple[list[Line], list[Removed]]:
    """Remove a page's boilerplate that needs the corpus to see: the site's template lines and
    what the learned line model (:mod:`ingest.stages.boilerplate`) scores as boilerplate.

    Recurring is not enough: a template line the model reads as content stays, and a recurring
    sentence (a standard coverage note the site prints on every code page) goes only where the
    model alone would remove it. A doubtful line in a run of chrome at the page's start or end
    goes with the run (:func:`_chrome_runs`), and a line opening with the site's own name that
    sells goes too. Each removal says why: ``template:<site>``, ``learned:<the signal that
    weighed most>``, ``chrome_run`` or ``brand_pitch``."""
    template = template_mask(lines, site, model, own_code)
    line_model = boilerplate.active_model()
    scores, reasons = line_model.scores(lines, own_code, site, template) if line_model and lines else (None, [])
    brand = boilerplate.brand_of(site)
    in_run = _chrome_runs(lines, scores, line_model.threshold) if line_model is not None and scores is not None \
        else None
    kept: list[Line] = []
    removed: list[Removed] = []
    score_of: list[float] | list[None] = scores.tolist() if scores is not None else [None] * len(lines)
    run_of = in_run.tolist() if in_run is not None else [False] * len(lines)
    for i, line in enumerate(lines):
        score = score_of[i]
        if template[i]:
            # A recurring sentence (a standard coverage note) needs the model's own confidence to go,
            # and so does a recurring label over the page's own line ("Name of the Procedure:" over
            # each page's procedure name).
            doubtful = _is_sentence(line) or _labels_own_line(lines, template, i)
            needed = line_model.threshold if line_model is not None and doubtful else TEMPLATE_MIN_SCORE
            if score is None or score >= needed:
                removed.append(Removed(line.line_no, line.text, f"template:{site}", _rounded(score)))
                continue
        if line_model is not None and score is not None and score >= line_model.threshold:
            removed.append(Removed(line.line_no, line.text, f"learned:{reasons[i]}", _rounded(score)))
        elif run_of[i]:
            removed.append(Removed(line.line_no, line.text, "chrome_run", _rounded(score)))
        elif _brand_pitch(line, brand):  # decided after the model, so its neighbours' context holds
            removed.append(Removed(line.line_no, line.text, "brand_pitch", _rounded(score)))
        else:
            kept.append(line)
    return kept, removed


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 4)


def clear_memos() -> None:
    """Forget the per-line answers this module keeps (LINE_MEMO each)."""
    for fn in (
        normalize_key, _match_rule, _split_glued_text, phrased_codes, is_sentence_text, _menu_like_text, key_hash,
        _button_text, _button_row, _badge_text, _stuffing_text, _template_text,
        code_hits, _rules_for,
    ):
        fn.cache_clear()
