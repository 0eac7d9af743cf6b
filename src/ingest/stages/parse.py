"""Stage 3, parse: headings into canonical sections, facts, FAQ, modifiers, ranges, and the code.

Headings of text dumps are recognised by shape and context (a short line without a final
stop, followed by content), mapped to sections by meaning (:mod:`ingest.stages.sections`). The
code a page is about is chosen from scored evidence (:func:`find_code`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ingest import rules
from ingest.models import CodeEvidence, Kind, Line, ParsedPage, Removed, Section

from .clean import code_hits, normalize_key
from .extract import EMPHASIS_LEVEL
from .sections import map_heading

# A canonical heading may be long ("Medical Policies and Guidelines for <the code's title>").
CANONICAL_HEADING_MAX_WORDS = 40
# An unknown heading is short: longer unpunctuated lines are titles or content.
OTHER_HEADING_MAX_WORDS = 10
# A numbered line over a paragraph heads it up to this many words ("4. When to use HCPCS code E0113").
NUMBERED_HEADING_MAX_WORDS = 12
# A line this long with no final stop is content under a heading (a key point written without a stop).
LONG_LINE_WORDS = 12
# Over a long line that is not prose (a key point), a heading is this short: a longer line is the
# key point before it.
KEY_POINT_MAX_WORDS = 6
# A label ending in a colon heads the facts under it up to this many words ("Name of the Procedure:").
LABEL_HEADING_MAX_WORDS = 6
# A title over a one-line block (see _titles_a_block) has at most this many words.
BLOCK_TITLE_MAX_WORDS = 3
# A heading ending in ':' is a label ("Common Modifiers:") unless it names a section this strongly.
COLON_HEADING_MIN_SCORE = 2.0
FACT_KEY_MAX_WORDS = 6
# Headings by their look (a whole bold line, an ALL-CAPS line) are at most this long; an
# ALL-CAPS line needs this many letters ("PHQ" alone is an acronym, "RISKS:" a heading).
VISUAL_HEADING_MAX_WORDS = 16
ALL_CAPS_MIN_LETTERS = 4
# The first line of a page is its title when it is at most this long and prose follows.
TITLE_LINE_MAX_WORDS = 25
SENTENCE_MIN_WORDS = 6
# Sections whose content is a code's descriptor, a noun phrase that may look like a heading.
DESCRIPTOR_SECTIONS = frozenset({"official_description", "lay_description"})

_FACT = re.compile(r"^(?P<key>[A-Z0-9][^:]{0,60}?)\s*:\s*(?P<value>.*)$")
_MODIFIER_ITEM = re.compile(
    r"^(?:modifier\s+)?(?P<mod>[0-9]{2}|[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])\s*[-–—:=]\s*(?P<desc>.+)$"
)
_MODIFIER_INLINE = re.compile(
    r"\bmodifier\s+(?P<mod>[0-9]{2}|[A-Z]{2}|[A-Z][0-9])\b\s*[-–—:(]\s*(?P<desc>[^.;)\n]+)", re.IGNORECASE
)
_MONEY = r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?"
_COST_RANGE = re.compile(_MONEY + r"\s*(?:-|–|—|to|and)\s*" + _MONEY.replace(r"\$\s?", r"\$?\s?", 1))
_COST_SINGLE = re.compile(_MONEY)
_NUM = r"(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|half an?)"
_DURATION_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*(minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE
)
_DURATION_SINGLE = re.compile(_NUM + r"\s*(minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE)
_DURATION_CONTEXT = re.compile(
    r"\b(takes?|lasts?|duration|last(s|ing)? (about|around|approximately)|procedure time|completed in)\b",
    re.IGNORECASE,
)
# A descriptor that marks its code as an add-on (CPT's wording), or a line saying the code is one.
_ADD_ON_DESCRIPTOR = re.compile(r"list(?:ed)? separately in addition to|\beach additional\b", re.IGNORECASE)
_IS_ADD_ON = r"\b{code}\b[^.;]{{0,40}}\bis\s+an\s+add-on\b"
# A line that is only a code ("27447", "CPT 27447", "HCPCS Code J1100"): at the top of a page it
# stands over the code's descriptor, as the page's heading does.
_LONE_CODE = re.compile(
    r"^\W{0,3}(?:(?:cpt|hcpcs)(?:®)?\s*(?:code)?\s*[:#]?\s*)?(\d{5}|\d{4}[FT]|[A-V]\d{4})\W{0,3}$", re.IGNORECASE
)
# How far down a page a lone code line still heads it, in lines.
LONE_CODE_MAX_LINE = 3
# A line under a lone code with at least this many words is the code's official descriptor;
# a shorter one is a title ("Total Hip Arthroplasty").
DESCRIPTOR_MIN_WORDS = 6
# A comparison of two codes ("L3000 vs L3030") in this many first lines makes the page about neither.
COMPARISON_TOP_LINES = 5
_TITLE_PREFIX = re.compile(
    r"^\s*(?:overview of\s+)?(?:(?:cpt|hcpcs)(?:®|™)?\s*(?:code)?\s*)?(\d{5}|\d{4}[FT]|[A-V]\d{4})\s*[:\-–—|]\s*",
    re.IGNORECASE,
)
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
_WORDS_NUM = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "half a": 0.5, "half an": 0.5
}

# Removed-line rules whose text still counts (weakly) as evidence of the page's code:
# a promo about "CPT code X" on X's page. Examples, menus and footers never count.
_PROMO_RULES = frozenset({"promo_question", "call_to_action", "glued_promo", "paywall", "login_signup", "view_limit"})


@dataclass(slots=True)
class PageContext:
    """What the page says about itself outside its text lines."""

    title: str | None = None
    url: str | None = None
    jsonld: tuple[dict, ...] = ()


def parse_page(lines: list[Line], removed: list[Removed], ctx: PageContext) -> tuple[ParsedPage, list[Removed]]:
    """Parse clean lines. Returns the parsed page and lines removed while parsing (empty headings,
    repeated items), so that every removal stays explained."""
    roles = _heading_roles(lines)
    sections, dropped = _build_sections(lines, roles, ctx.title)
    faq = _faq_pairs(sections) + _jsonld_faq(ctx.jsonld)
    faq = _unique_pairs(faq)
    facts = _facts(lines, roles)
    modifiers = _modifiers(sections, lines)
    code, system, reason, evidence = find_code(lines, roles, removed, ctx, sections)
    by_name = {s.section: s for s in sections}
    category = next((v for k, v in facts if k.casefold() in rules.FACT_KEYS_CATEGORY and v), None)
    top = _top_descriptor(lines, roles)
    title = top[1] if top and top[0] == code else _title(ctx, lines, roles, sections, by_name)
    official = _section_body(by_name.get("official_description"))
    lay = _section_body(by_name.get("lay_description"))
    if top and top[0] == code and len(top[1].split()) >= DESCRIPTOR_MIN_WORDS:
        # The descriptor under the code is the official one; a "Description" section is then the page's own words.
        if official and official != top[1] and lay is None and not _names_official(by_name["official_description"]):
            lay = official
        official = top[1]
    elif official and lay is None and _is_prose(official) and not _names_official(by_name["official_description"]):
        official, lay = None, official  # a plain "Description" paragraph in the page's own words
    warnings: tuple[str, ...] = ()
    if code is not None and system != code_system_of(code):
        warnings = (f"the page labels {code} as {system}; by its shape it is {code_system_of(code)}",)
        system = code_system_of(code)
    page = ParsedPage(
        title=title,
        sections=sections,
        facts=facts,
        faq=faq,
        modifiers=modifiers,
        code=code,
        code_system=system,
        code_reason=reason,
        evidence=evidence,
        official_description=official,
        lay_description=lay,
        category=category,
        is_add_on=_is_add_on(code, lines, official, title),
        cost=_cost(sections),
        duration=_duration(sections),
        warnings=warnings,
    )
    return page, dropped


def _top_descriptor(lines: list[Line], roles: list[str | None]) -> tuple[str, str] | None:
    """(code, the line under it) when one of the page's first lines is a code standing alone."""
    for i, line in enumerate(lines[: LONE_CODE_MAX_LINE + 1]):
        m = _LONE_CODE.match(line.text)
        if m and i + 1 < len(lines) and lines[i + 1].kind is not Kind.ITEM and roles[i + 1] is None:
            nxt = lines[i + 1].text
            if not _is_sentence(nxt) or not nxt.rstrip().endswith("."):
                return m.group(1).upper(), _clean_title(nxt)
    return None


def _is_prose(text: str) -> bool:
    """Narrative sentences, not a descriptor: a descriptor is one clause list ("Arthroplasty,
    knee, ...; medial AND lateral compartments") with no final stop, or a single short line."""
    return ";" not in text and text.rstrip().endswith(".") and len(text.split()) >= 2 * DESCRIPTOR_MIN_WORDS


def _names_official(section: Section) -> bool:
    """The heading says the descriptor is the official one, not just "Description"."""
    words = set(re.findall(r"[a-z]+", (section.heading or "").casefold()))
    return bool(words & {"official", "descriptor", "long", "full", "cpt", "hcpcs", "ama"})


def _add_on_candidates(lines: list[Line]) -> list[str]:
    """The lines that can say "add-on": every match of _IS_ADD_ON and _ADD_ON_DESCRIPTOR holds
    "add" in some case, so the other lines are never searched."""
    return [ln.text for ln in lines if "add" in ln.text.lower()]


def _is_add_on(code: str | None, lines: list[Line], official: str | None, title: str | None) -> bool:
    """The page's own code is an add-on: its descriptor (or title) carries CPT's add-on wording,
    or a line says the code is an add-on. Another code's add-on status ("+63048, an add-on code")
    says nothing about this one."""
    if any(text and _ADD_ON_DESCRIPTOR.search(text) for text in (official, title)):
        return True
    texts = _add_on_candidates(lines)
    said = re.compile(_IS_ADD_ON.format(code=re.escape(code)), re.IGNORECASE) if code is not None else None
    if said is not None and any(said.search(text) for text in texts):
        return True
    return any(
        _ADD_ON_DESCRIPTOR.search(text) and all(m.group(1).upper() == code for m in rules.CODE_PATTERN.finditer(text))
        for text in texts
    )


# --- headings and sections ---------------------------------------------------------------


def _is_sentence(text: str) -> bool:
    return len(text.split()) >= SENTENCE_MIN_WORDS and text.rstrip("\"'”’)").endswith((".", "!", "?"))


def _heading_roles(lines: list[Line]) -> list[str | None]:
    """For each line: "heading", "keyed" (`Anesthesia: General` names a section inline),
    "question" (inside a FAQ), or None (content)."""
    roles: list[str | None] = [None] * len(lines)
    in_faq = False
    for i, line in enumerate(lines):
        text = line.text
        if line.kind is Kind.ITEM:
            if in_faq and text.endswith("?"):
                roles[i] = "question"
            elif _numbered_heading(lines, roles, i):
                roles[i] = "heading"
                section, score = map_heading(text)
                in_faq = section == "faq" and score >= 1.0
            continue
        section, score = map_heading(text)
        if in_faq and text.endswith("?"):
            roles[i] = "question"
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        role = None
        if line.kind is Kind.HEADING:
            role = "heading"
        elif i > 0 and _TABLE_ROW in text:
            role = None  # a table row (cells joined by " | "): its cells are content, whatever they say
        elif _visual_heading(line, nxt) or i == 0 and _is_title_line(line, nxt) or _is_code_title(line, nxt):
            role = "heading"
        elif i > 0 and _valued_fact(text) and (
            roles[i - 1] == "heading" or (roles[i - 1] is None and _FACT.match(lines[i - 1].text))
        ):
            role = None  # facts listed under a heading are its content, not sections of their own
        elif i > 0 and roles[i - 1] == "heading" and (len(text.split()) > OTHER_HEADING_MAX_WORDS or "," in text):
            role = None  # a long line, or a list of terms, right under a heading is what it introduces
        elif i > 0 and roles[i - 1] == "heading" and line.kind is Kind.TEXT and not line.level \
                and not is_all_caps(text) and map_heading(lines[i - 1].text)[0] in DESCRIPTOR_SECTIONS:
            role = None  # a descriptor is a noun phrase ("CPAP device"): under its heading it is content
        else:
            role = _text_heading_role(text, section, score, nxt, i > 0 and roles[i - 1] == "heading")
            if role is None and _titles_a_block(lines, i):
                role = "heading"
        roles[i] = role
        if role in ("heading", "keyed"):
            in_faq = section == "faq" and score >= 1.0
    return roles


# How extraction joins the cells of a table row (extract.py), and how Markdown tables and
# pipe-separated dumps write them: a line holding it is a row, never a heading.
_TABLE_ROW = " | "


_LEADING_SYMBOLS = re.compile(r"^[^\w(\[]+")
# A line ending in a measured value (a decimal number, a percentage) states it.
_ENDS_IN_VALUE = re.compile(r"\d(?:\.\d+|%)$")


def _numbered_heading(lines: list[Line], roles: list[str | None], i: int) -> bool:
    """A numbered heading read as a one-item list ("1. Overview", "2) Coding tips" in a text
    dump): a short item, not a sentence, that starts no list of short items: the line before
    it is not an item, and what follows is prose, or a list of longer items after prose (the
    first item of a list under a heading, "Risks" / "- Bleeding", stays an item)."""
    line = lines[i]
    text = line.text
    words = text.split()
    if (
        0 < i
        and i + 1 < len(lines)
        and 1 <= len(words) <= NUMBERED_HEADING_MAX_WORDS
        and not text.endswith((".", ",", ";", ":", "!"))
        and text[:1].isupper()
        and lines[i + 1].kind is Kind.TEXT
        and (_is_sentence(lines[i + 1].text) or len(lines[i + 1].text.split()) >= LONG_LINE_WORDS)
        and not (lines[i - 1].kind is Kind.ITEM and roles[i - 1] is None and lines[i - 1].text.endswith("?"))
        and (text.endswith("?") or bool(rules.CODE_PATTERN.search(text)))
    ):
        return True  # "1. What is HCPCS E0113?" over its paragraph, even after the items of another list
    if not 1 <= len(words) <= 5 or text.endswith((".", ",", ";", ":", "!", "?")) or not text[:1].isupper():
        return False
    if i == 0 or lines[i - 1].kind is Kind.ITEM or i + 1 >= len(lines):
        return False
    nxt = lines[i + 1]
    if nxt.kind is Kind.HEADING:
        return False
    if nxt.kind is Kind.ITEM:
        prev = lines[i - 1]
        after_prose = roles[i - 1] is None and prev.kind is Kind.TEXT and len(prev.text.split()) >= 6
        return after_prose and len(nxt.text.split()) >= 2 * len(words) + 2
    return len(nxt.text.split()) >= 6 or map_heading(text)[1] >= 1.0


def _titles_a_block(lines: list[Line], i: int) -> bool:
    """A short title over a one-line block that ends where the next section starts ("Specialties"
    over the specialties' names, then "Frequently Asked Questions"): the title heads that line."""
    if i + 2 >= len(lines):
        return False
    line, value, after = lines[i], lines[i + 1], lines[i + 2]
    words = line.text.split()
    if not (
        line.kind is Kind.TEXT
        and not line.level
        and 1 <= len(words) <= BLOCK_TITLE_MAX_WORDS
        and all(w[:1].isupper() for w in words)
        and line.text[-1:].isalpha()
        and value.kind is Kind.TEXT
        and not value.text.endswith((".", ":", "?", "!"))
        and not _is_sentence(value.text)
    ):
        return False
    after_words = after.text.split()
    return after.kind is Kind.HEADING or (
        after.kind is Kind.TEXT
        and len(after_words) <= OTHER_HEADING_MAX_WORDS
        and after.text[-1:].isalpha()
        and map_heading(after.text)[1] >= 1.0
    )


def _valued_fact(text: str) -> bool:
    m = _FACT.match(text)
    return bool(m and m.group("value").strip())


def is_all_caps(text: str) -> bool:
    """ALL-CAPS text: at least ALL_CAPS_MIN_LETTERS letters, none of them lowercase."""
    return text.isupper() and sum(map(str.isalpha, text)) >= ALL_CAPS_MIN_LETTERS


def _visual_heading(line: Line, nxt: Line | None) -> bool:
    """A heading by its look rather than its markup: a whole line in bold (EMPHASIS_LEVEL) or
    in ALL CAPS, short, not a sentence, with a line of content under it. A colon at the end is
    fine ("CLINICAL USES:"); `<b>Code:</b> 11721` is not a whole bold line and stays a fact."""
    text = line.text
    if (
        line.kind is not Kind.TEXT
        or text.endswith((".", ",", ";"))
        or not text[:1].isalnum()
        or not any(map(str.isalpha, text))
    ):
        return False
    if len(text.split()) > VISUAL_HEADING_MAX_WORDS or not (line.level == EMPHASIS_LEVEL or is_all_caps(text)):
        return False
    if nxt is None or nxt.kind is Kind.HEADING:
        return False
    # Two visual headings in a row: the first has nothing under it (a label over a label).
    if nxt.kind is not Kind.TEXT:
        return True
    return not (
        nxt.level == EMPHASIS_LEVEL or (is_all_caps(nxt.text) and len(nxt.text.split()) <= VISUAL_HEADING_MAX_WORDS)
    )


def _is_title_line(line: Line, nxt: Line | None) -> bool:
    """The page's first line, when it reads as a title (a question or a name, not a sentence)
    and prose or a list follows: a forum question's title, a dump's title line."""
    text = line.text
    return (
        line.kind is Kind.TEXT
        and (text[:1].isupper() or text[:1].isdigit())
        and any(map(str.isalpha, text))
        and len(text.split()) <= TITLE_LINE_MAX_WORDS
        and not text.endswith((".", ",", ";", ":", "!"))
        and nxt is not None
        and (nxt.kind is Kind.ITEM or _is_sentence(nxt.text))
    )


_CODE_TITLE = re.compile(
    r"^(?:cpt|hcpcs)(?:®|™)?(?:\s+code)?\s+(?:\d{5}|\d{4}[FT]|[A-V]\d{4})\s*[:\-–—|]\s*\S", re.IGNORECASE
)


def _is_code_title(line: Line, nxt: Line | None) -> bool:
    """A code page's title line: "CPT 27447: Total Knee Arthroplasty", "HCPCS A0429 - Ambulance
    service", short, not a sentence, with prose or a list under it (over another heading it
    stays the overview's first line)."""
    text = line.text
    return (
        line.kind is Kind.TEXT
        and len(text.split()) <= VISUAL_HEADING_MAX_WORDS
        and not text.endswith((".", ";", ","))
        and bool(_CODE_TITLE.match(text))
        and nxt is not None
        and (nxt.kind is Kind.ITEM or _is_sentence(nxt.text))
    )


def _leads_content(nxt: Line | None) -> bool:
    """What a heading stands over: prose, a list, a long line (key points are often written
    without a final stop), or a line that introduces a list ("CPT codes serve several purposes:")."""
    if nxt is None:
        return False
    words = len(nxt.text.split())
    return (
        nxt.kind is Kind.ITEM
        or _is_sentence(nxt.text)
        or (nxt.kind is Kind.TEXT and (_TABLE_ROW in nxt.text or nxt.text.startswith("|")))
        or (nxt.kind is Kind.TEXT and words >= LONG_LINE_WORDS and not is_all_caps(nxt.text))
        or (nxt.kind is Kind.TEXT and words >= SENTENCE_MIN_WORDS - 1 and nxt.text.endswith(":"))
    )


def _over_label(text: str, nxt: Line | None) -> bool:
    """A question or a title naming a code, of three words or more, over a label ("What Is CPT
    93000?" over "Official CPT definition:") heads the labelled block; a page's title over
    "Name of the Procedure:" leaves the label to head its value."""
    return (
        nxt is not None
        and nxt.kind is Kind.TEXT
        and nxt.text.endswith(":")
        and 2 <= len(nxt.text.split()) <= LABEL_HEADING_MAX_WORDS
        and len(text.split()) >= 3
        and (text.endswith("?") or bool(rules.CODE_PATTERN.search(text)))
    )


def _label_heads(words: list[str], nxt: Line | None, under_heading: bool) -> bool:
    """A short label ending in a colon heads a block of facts ("Name of the Procedure:" over
    "Common Name: ...", as lines or as list items) or a value that is not a sentence (the
    procedure's name). Right under a heading it introduces that heading's list instead ("CPT
    codes serve several purposes:"), except over facts written as lines."""
    if nxt is None or len(words) > LABEL_HEADING_MAX_WORDS:
        return False
    over_facts = (nxt.kind is Kind.TEXT or (nxt.kind is Kind.ITEM and not under_heading)) and _valued_fact(nxt.text)
    over_value = (
        nxt.kind is Kind.TEXT
        and not under_heading
        and not nxt.text.endswith((".", ":", "!", "?"))
        and any(map(str.isalpha, nxt.text))
    )
    return over_facts or over_value


def _text_heading_role(
    text: str, section: str, score: float, nxt: Line | None, under_heading: bool = False
) -> str | None:
    words = text.split()
    if _ENDS_IN_VALUE.search(text):
        return None  # "Work RVU19.11", "Denial rate 12%": a label with its value, not a heading
    head = _LEADING_SYMBOLS.sub("", text)  # "✅ When to Use Modifier 50"
    if not head[:1].isupper() and not head[:1].isdigit():
        return None
    # Semicolons belong to descriptors and sentences ("Laparoscopy, surgical; cholecystectomy").
    if text.endswith((".", ",", ";", "!")) or ";" in text or len(words) > CANONICAL_HEADING_MAX_WORDS:
        return None
    if len(words) > OTHER_HEADING_MAX_WORDS + 2:
        # A long heading names its section up front ("Medical Policies and Guidelines for ...");
        # a long descriptor that mentions "procedure" somewhere is content.
        _, score = map_heading(" ".join(words[:5]))
    followed_by_content = _leads_content(nxt) or _over_label(text, nxt)
    fact = _FACT.match(text)
    if fact and fact.group("value").strip():
        key_section, key_score = map_heading(fact.group("key"))
        if key_score < 1.0:
            return None
        if followed_by_content:  # "Overview of CPT Code 21183: Injection of ..." titles what follows
            return "heading"
        if len(fact.group("key").split()) <= FACT_KEY_MAX_WORDS and key_section not in (
            "billing", "overview", "related_codes"
        ):
            return "keyed"  # "Anesthesia: General anesthesia" is a section of one line
        return None
    if text.endswith(":"):
        return "heading" if score >= COLON_HEADING_MIN_SCORE or _label_heads(words, nxt, under_heading) else None
    if score >= 1.0:
        return "heading"
    # An unknown heading: short, unpunctuated (a question is fine outside a FAQ: "Why Is It
    # Done?"), and followed by prose or a list.
    over_prose = nxt is not None and (nxt.kind is Kind.ITEM or _is_sentence(nxt.text))
    short_enough = len(words) <= (OTHER_HEADING_MAX_WORDS if over_prose else KEY_POINT_MAX_WORDS)
    if short_enough and followed_by_content and any(map(str.isalpha, text)):
        return "heading"  # "1,234" (a score, a count) heads nothing
    return None


@dataclass(slots=True)
class _Outline:
    """Sections as the page's lines open them, before empty ones go and equal ones merge."""

    lead: Section  # what comes before the first heading
    ordered: list[Section] = field(default_factory=list)
    heading_lines: dict[int, Line] = field(default_factory=dict)  # id(section) -> its heading line
    keyed: list[Section] = field(default_factory=list)  # one-line "Key: value" sections


def _outline(lines: list[Line], roles: list[str | None]) -> _Outline:
    """Walk the lines once: a heading (or keyed line) opens a section, other lines fill the current one."""
    out = _Outline(lead=Section(section="overview", heading="", position=0))
    current = out.lead
    for i, line in enumerate(lines):
        role = roles[i]
        if role == "heading":
            section, score = map_heading(line.text)
            if score < 1.0:  # a code's title line ("CPT 27447: Total Knee Arthroplasty") heads its overview
                section = "overview" if _CODE_TITLE.match(line.text) else "other"
            if (section == "other" and line.text.endswith(":") and current.empty and id(current) in out.heading_lines
                    and current.section != "other"):
                # A sub-heading right under a section's heading ("Procedure Description" over
                # "Step-by-Step Explanation:") heads the same section's content.
                current.merged_headings.append(line.text.rstrip(":").strip())
                continue
            current = Section(section=section, heading=line.text.rstrip(":").strip(), position=i + 1)
            out.heading_lines[id(current)] = line
            out.ordered.append(current)
        elif role == "keyed":
            key, _, value = line.text.partition(":")
            section, _ = map_heading(key)
            current = Section(section=section, heading=key.strip(), position=i + 1, text_lines=[value.strip()])
            out.ordered.append(current)
            out.keyed.append(current)
        elif line.kind is Kind.ITEM and role != "question":
            current.items.append(line.text)
        else:
            current.text_lines.append(line.text)
    return out


def _drop_empty(out: _Outline, lines: list[Line]) -> tuple[list[Section], list[Removed]]:
    """Empty headings yield no row but stay explained (``title`` or ``empty_heading``)."""
    kept: list[Section] = []
    dropped: list[Removed] = []
    for n, sec in enumerate(out.ordered):
        if not sec.empty:
            kept.append(sec)
            continue
        src = out.heading_lines.get(id(sec))
        # The page's first heading with nothing under it is its title (an h1 over the
        # first section): it lives on as the document's title, not as a section.
        rule = (
            "title"
            if n == 0 and out.lead.empty and src is not None and (src.level == 1 or src is lines[0])
            else "empty_heading"
        )
        dropped.append(Removed(src.line_no if src else sec.position, sec.heading, rule))
    return kept, dropped


def _mark_overview(out: _Outline, kept: list[Section], lines: list[Line], title: str | None) -> None:
    """The page's title heading introduces the page: what it has under it is the overview."""
    # The title heading (an h1, or the first line) that names no section.
    if kept and out.lead.empty:
        src = out.heading_lines.get(id(kept[0]))
        first_line_title = src is lines[0] and (kept[0].section == "other" or rules.CODE_PATTERN.search(src.text))
        if src is not None and (src.level == 1 or first_line_title):
            kept[0].section = "overview"
    # So does the page's first heading when it repeats the document's title (<title>, the
    # sidecar's), whatever its words, and even after lines that came before it (a notice, a
    # byline): "MRI of the Knee Without Contrast" under <title>MRI of the Knee ... | Site</title>.
    first = next((sec for sec in out.ordered if id(sec) in out.heading_lines), None)
    if first is not None and first in kept and _repeats_title(first.heading, title):
        first.section = "overview"


def _merge_sections(out: _Outline, kept: list[Section]) -> list[Section]:
    """One section a canonical name: lead content is the overview, and a later heading of a
    section already seen joins it (its heading stays readable in the text)."""
    merged: dict[str, Section] = {}
    result: list[Section] = []
    if not out.lead.empty:
        out.lead.position = 1
        merged["overview"] = out.lead
        result.append(out.lead)
    for sec in kept:
        if sec.section != "other" and sec.section in merged:
            target = merged[sec.section]
            if sec.heading:
                target.merged_headings.append(sec.heading)
            if not target.heading:
                target.heading = sec.heading
            elif sec.heading:  # the second heading of a section stays readable in its text
                if sec in out.keyed and sec.text_lines:
                    sec.text_lines[0] = f"{sec.heading}: {sec.text_lines[0]}"
                else:
                    target.text_lines.append(sec.heading)
            target.text_lines.extend(sec.text_lines)
            target.items.extend(sec.items)
            continue
        if sec.section != "other":
            merged[sec.section] = sec
        result.append(sec)
    return result


def _dedupe_items(sections: list[Section]) -> list[Removed]:
    """A section's repeated item is kept once (``duplicate_item``)."""
    dropped: list[Removed] = []
    for sec in sections:
        seen: set[str] = set()
        items = []
        for item in sec.items:
            key = normalize_key(item)
            if key in seen:
                dropped.append(Removed(0, item, "duplicate_item"))
                continue
            seen.add(key)
            items.append(item)
        sec.items = items
    return dropped


def _build_sections(
    lines: list[Line], roles: list[str | None], title: str | None = None
) -> tuple[list[Section], list[Removed]]:
    """The page's sections from its lines and their roles, with the headings dropped and why."""
    out = _outline(lines, roles)
    kept, dropped = _drop_empty(out, lines)
    _mark_overview(out, kept, lines, title)
    result = _merge_sections(out, kept)
    dropped += _dedupe_items(result)
    for n, sec in enumerate(result, start=1):
        sec.position = n
    return result, dropped


def _section_body(section: Section | None) -> str | None:
    if section is None:
        return None
    body = "\n".join([*section.text_lines, *section.items]).strip()
    return body or None


# --- facts, FAQ, modifiers, ranges ------------------------------------------------------


def _facts(lines: list[Line], roles: list[str | None]) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        if roles[i] == "heading" or line.kind is Kind.HEADING:
            continue
        m = _FACT.match(line.text)
        if not m or len(m.group("key").split()) > FACT_KEY_MAX_WORDS or "http" in m.group("key").lower():
            continue
        key, value = m.group("key").strip(), m.group("value").strip()
        if not value:
            following = []
            for nxt in lines[i + 1 :]:
                if nxt.kind is Kind.ITEM:
                    following.append(nxt.text)
                    continue
                if not following and nxt.kind is Kind.TEXT and not _FACT.match(nxt.text):
                    following.append(nxt.text)
                break
            value = "; ".join(following)
        if value:
            facts.append((key, value))
    return facts


def _faq_pairs(sections: list[Section]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for sec in sections:
        if sec.section != "faq":
            continue
        question: str | None = None
        answer: list[str] = []
        for text in [*sec.text_lines, *sec.items]:
            if text.endswith("?"):
                if question and answer:
                    pairs.append((question, " ".join(answer)))
                question, answer = text, []
            elif question:
                answer.append(text)
        if question and answer:
            pairs.append((question, " ".join(answer)))
    return pairs


def _jsonld_faq(jsonld: tuple[dict, ...]) -> list[tuple[str, str]]:
    pairs = []
    for obj in jsonld:
        if "FAQPage" not in _types(obj):
            continue
        entities = obj.get("mainEntity") or []
        for ent in entities if isinstance(entities, list) else [entities]:
            if not isinstance(ent, dict):
                continue
            answer = ent.get("acceptedAnswer")
            answer = answer[0] if isinstance(answer, list) and answer else answer
            q = ent.get("name")
            a = answer.get("text") if isinstance(answer, dict) else None
            if isinstance(q, str) and isinstance(a, str) and q.strip() and a.strip():
                pairs.append((" ".join(q.split()), " ".join(re.sub(r"<[^>]+>", " ", a).split())))
    return pairs


def _unique_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for q, a in pairs:
        key = normalize_key(q)
        if key not in seen:
            seen.add(key)
            out.append((q, a))
    return out


def _modifiers(sections: list[Section], lines: list[Line]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if "modifier" in line.text.lower() and line.kind is not Kind.ITEM:
            for nxt in lines[i + 1 :]:
                if nxt.kind is not Kind.ITEM:
                    break
                m = _MODIFIER_ITEM.match(nxt.text)
                if m:
                    found.setdefault(m.group("mod").upper(), m.group("desc").strip().rstrip("."))
        for m in _MODIFIER_INLINE.finditer(line.text):
            found.setdefault(m.group("mod").upper(), m.group("desc").strip())
    for sec in sections:
        if sec.section == "billing" or "modifier" in sec.heading.lower():
            for item in sec.items:
                m = _MODIFIER_ITEM.match(item)
                if m and ("modifier" in sec.heading.lower() or "modifier" in " ".join(sec.text_lines).lower()):
                    found.setdefault(m.group("mod").upper(), m.group("desc").strip().rstrip("."))
    return sorted(found.items())


def _money(value: str, suffix: str | None) -> float:
    amount = float(value.replace(",", ""))
    if suffix and suffix.lower() == "k":
        amount *= 1_000
    elif suffix and suffix.lower() == "m":
        amount *= 1_000_000
    return amount


def _cost(sections: list[Section]) -> tuple[float, float] | None:
    ordered = sorted(sections, key=lambda s: s.section != "cost_coverage")
    for sec in ordered:
        for text in [*sec.text_lines, *sec.items]:
            m = _COST_RANGE.search(text)
            if m:
                lo, hi = _money(m.group(1), m.group(2)), _money(m.group(3), m.group(4))
                if m.group(2) and not m.group(4):  # "$5K-15" is not a thing; "$5-15K" is
                    hi = _money(m.group(3), m.group(2))
                if not m.group(2) and m.group(4) and lo < 1000:
                    lo = _money(m.group(1), m.group(4))
                return (min(lo, hi), max(lo, hi))
            if sec.section == "cost_coverage" and re.search(r"\b(cost|price|fee)\b", text, re.IGNORECASE):
                m1 = _COST_SINGLE.search(text)
                if m1:
                    amount = _money(m1.group(1), m1.group(2))
                    return (amount, amount)
    return None


def _minutes(value: str, unit: str) -> float:
    v = _WORDS_NUM.get(value.lower(), None)
    number = float(v) if v is not None else float(value)
    return number * 60 if unit.lower().startswith(("hour", "hr")) else number


def _duration(sections: list[Section]) -> tuple[float, float] | None:
    candidates = sorted(sections, key=lambda s: s.section != "duration")
    for sec in candidates:
        for text in [*sec.text_lines, *sec.items]:
            if sec.section != "duration" and not _DURATION_CONTEXT.search(text):
                continue
            m = _DURATION_RANGE.search(text)
            if m:
                lo, hi = _minutes(m.group(1), m.group(3)), _minutes(m.group(2), m.group(3))
                return (min(lo, hi), max(lo, hi))
            m1 = _DURATION_SINGLE.search(text)
            if m1:
                v = _minutes(m1.group(1), m1.group(2))
                return (v, v)
    return None


# --- the code the page is about ---------------------------------------------------------


def code_system_of(code: str) -> str:
    return "HCPCS" if code[0].isalpha() else "CPT"


_WORDS = re.compile(r"[^\W_]+")


def _repeats_title(heading: str, title: str | None) -> bool:
    """The heading is the page's title: its words (at least two) open the title, or all of
    them appear in it in the same order ("Billing X (0479T)" in "Billing X (0479T) | Site")."""
    if not title:
        return False
    words = _WORDS.findall(heading.casefold())
    if len(words) < 2:
        return False
    title_words = _WORDS.findall(title.casefold())
    if title_words[: len(words)] == words:
        return True
    it = iter(title_words)
    return all(w in it for w in words) and len(words) >= 0.6 * len(title_words)


def _jsonld_nodes(jsonld, depth: int = 0):
    """Every object of the JSON-LD, nested ones included: schema.org pages often give the code
    as a property of the thing they describe (MedicalProcedure.code -> MedicalCode)."""
    if depth > 8:
        return
    items = jsonld if isinstance(jsonld, list | tuple) else [jsonld]
    for item in items:
        if isinstance(item, dict):
            yield item
            for value in item.values():
                if isinstance(value, dict | list):
                    yield from _jsonld_nodes(value, depth + 1)
        elif isinstance(item, list):
            yield from _jsonld_nodes(item, depth + 1)


# A line that defines a code: the code first, then what it describes ("71271 | Computed
# tomography, thorax, ...", "CPT 11102 - Tangential biopsy of skin ..."), as in code tables,
# definition lists and "Code: description" lines. Stronger than a passing mention.
_DEFINITION = re.compile(
    r"^\W{0,3}(?:(?:cpt|hcpcs)(?:®)?\s*(?:code)?\s*[:#]?\s*)?(\d{5}|\d{4}[FT]|[A-V]\d{4})\s*(?:[|:–—-]\s*|\s+)"
    r"(?=(?:[^\W\d_][\w,()'/-]*\s+){2,}[^\W\d_])",
    re.IGNORECASE,
)
# What an add-on code's own descriptor says (CPT's wording for add-on codes), looked for in
# the defining line's first sentence only: "90471 pays for the first vaccine. Each additional
# vaccine is reported with 90472" defines 90471, and the add-on it mentions is another code.
_SENTENCE_END = re.compile(r"(?<=[a-z)\]])[.!?]\s+(?=[A-Z])")
_ADD_ON = re.compile(r"\beach additional\b|\blist separately in addition\b|\badd-on code\b", re.IGNORECASE)


def _defined_code(text: str) -> str | None:
    m = _DEFINITION.match(text)
    return m.group(1).upper() if m else None


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    return {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


_URL_TOKEN = re.compile(r"[-_.\s+,;]+")


def url_codes(url: str) -> list[str]:
    """Codes a URL path names, in order, once each (see ``rules.URL_CODE_CONTEXT``).
    Letter codes (J1100, 0263T) count anywhere; a five-digit number counts inside a slug of
    words, or where the segment or the one before it names a code set; a number that is a
    whole segment or leads a slug, with no such context, is a page id."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return []
    segments = [seg for seg in path.split("/") if seg]
    found: list[str] = []
    for k, seg in enumerate(segments):
        tokens = [t for t in _URL_TOKEN.split(seg.upper()) if t]
        context = bool(rules.URL_CODE_CONTEXT.search(seg) or (k > 0 and rules.URL_CODE_CONTEXT.search(segments[k - 1])))
        for n, token in enumerate(tokens):
            if not rules.CODE_PATTERN.fullmatch(token):
                continue
            if token.isdigit() and n == 0 and not context:
                continue  # /questions/18832/..., /article/48213-title: an id
            if token not in found:
                found.append(token)
    return found


@dataclass(slots=True)
class _Evidence:
    """Scores per code, gathered source by source; a code needs one source beyond a bare mention."""

    scores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    strong: set[str] = field(default_factory=set)
    systems: dict[str, str] = field(default_factory=dict)  # the system a site's own label gives
    found: list[CodeEvidence] = field(default_factory=list)
    add_ons: set[str] = field(default_factory=set)  # codes whose own definition line says they are add-ons

    def add(self, code: str, source: str, weight: float | None = None) -> None:
        weight = rules.CODE_WEIGHTS[source] if weight is None else weight
        self.scores[code] += weight
        if source != "mention":
            self.strong.add(code)
        self.found.append(CodeEvidence(code, weight, source))


def _page_evidence(ev: _Evidence, ctx: PageContext) -> set[str]:
    """Evidence outside the text: JSON-LD ``MedicalCode``, the URL path, the title. Returns the
    codes the title names."""
    for obj in _jsonld_nodes(ctx.jsonld):
        if "MedicalCode" in _types(obj) and isinstance(obj.get("codeValue"), str | int):
            value = str(obj["codeValue"]).strip().upper()
            if rules.CODE_PATTERN.fullmatch(value):
                ev.add(value, "jsonld")
                system = str(obj.get("codingSystem") or "").upper()
                if "HCPCS" in system or "CPT" in system:
                    ev.systems[value] = "HCPCS" if "HCPCS" in system else "CPT"
    if ctx.url:
        for code in url_codes(ctx.url):
            ev.add(code, "url")
    titled: set[str] = set()
    if ctx.title:
        for code, _ in code_hits(ctx.title):
            if code not in titled:
                titled.add(code)
                ev.add(code, "title")
    return titled


def _line_evidence(
    ev: _Evidence, lines: list[Line], roles: list[str | None], titled: set[str], sections: list[Section]
) -> None:
    """Evidence in the text: the top descriptor, headings, phrasing, definitions, mentions.
    A related-codes section's lines name other codes and are skipped."""
    related_lines: set[str] = set()
    for sec in sections:
        if sec.section == "related_codes":
            related_lines.update([*sec.text_lines, *sec.items])
    first_heading = next((i for i, r in enumerate(roles) if r == "heading"), None)
    top = _top_descriptor(lines, roles)
    if top is not None and top[0] not in titled:
        ev.add(top[0], "title")
    for i, line in enumerate(lines):
        if line.text in related_lines:
            continue
        hits = code_hits(line.text)
        if not hits:
            continue
        if roles[i] == "heading":
            source = "title" if i == first_heading and not titled else "heading"
            for code, _ in dict.fromkeys(hits):
                ev.add(code, source)
            continue
        defined = _defined_code(line.text)
        for code, phrased in hits:
            ev.add(code, "phrase" if phrased else "definition" if code == defined else "mention")
            if code == defined and _ADD_ON.search(_SENTENCE_END.split(line.text, 1)[0]):
                ev.add_ons.add(code)  # its own descriptor (first sentence) says it is an add-on


def _promo_evidence(ev: _Evidence, removed: list[Removed]) -> None:
    """A promo the cleaner removed still says which code the page is about when it names it as one."""
    for rem in removed:
        if rem.rule in _PROMO_RULES:
            for code, phrased in code_hits(rem.text):
                if phrased:
                    ev.add(code, "promo")


def _comparison(lines: list[Line], roles: list[str | None], ctx: PageContext) -> str | None:
    """"L3000 vs L3030" in the title, the first headings or the top lines: the page compares codes."""
    heads = [ctx.title or "", *(ln.text for ln, r in zip(lines, roles, strict=True) if r == "heading")][:3]
    heads += [ln.text for ln in lines[:COMPARISON_TOP_LINES]]
    return next((m.group(0) for h in heads if (m := rules.CODE_COMPARISON.search(h))), None)


def _pick_code(ev: _Evidence) -> tuple[str | None, str | None, str | None]:
    """(code, system, reason if none): the best strong candidate, if it dominates the runner-up."""
    candidates = sorted(((s, c) for c, s in ev.scores.items() if c in ev.strong), reverse=True)
    if any(c not in ev.add_ons for _, c in candidates):  # an add-on code is never the page's main code
        candidates = [(s, c) for s, c in candidates if c not in ev.add_ons]
    if not candidates:
        return None, None, "no_code_found: the page names no billing code"
    best_score, best = candidates[0]
    if len(candidates) > 1 and best_score < rules.CODE_DOMINANCE * candidates[1][0]:
        named = ", ".join(f"{c} ({s:g})" for s, c in candidates[:4])
        return None, None, f"several_codes: no clear main code among {named}"
    return best, ev.systems.get(best) or code_system_of(best), None


def find_code(
    lines: list[Line],
    roles: list[str | None],
    removed: list[Removed],
    ctx: PageContext,
    sections: list[Section] | None = None,
) -> tuple[str | None, str | None, str | None, list[CodeEvidence]]:
    """Score every code the page names and pick the one it is about.

    Returns (code, code_system, reason_if_none, evidence). A candidate needs evidence beyond
    bare numbers in text, and must score at least CODE_DOMINANCE times the runner-up.
    """
    ev = _Evidence()
    titled = _page_evidence(ev, ctx)
    _line_evidence(ev, lines, roles, titled, sections or [])
    _promo_evidence(ev, removed)
    compared = _comparison(lines, roles, ctx)
    if compared and not any(e.source in ("jsonld", "url") for e in ev.found):
        return None, None, f"several_codes: the page compares {compared}", ev.found
    code, system, reason = _pick_code(ev)
    return code, system, reason, ev.found


def _title(
    ctx: PageContext,
    lines: list[Line],
    roles: list[str | None],
    sections: list[Section],
    by_name: dict[str, Section],
) -> str | None:
    for obj in ctx.jsonld:
        if "MedicalCode" in _types(obj):
            for key in ("name", "description"):
                if isinstance(obj.get(key), str) and obj[key].strip():
                    return _clean_title(obj[key])
    candidates: list[str] = []
    if ctx.title:
        candidates.append(_TITLE_SUFFIX.sub("", ctx.title))
    first = next(
        (
            ln
            for ln, r in zip(lines, roles, strict=True)
            if (r == "heading" or ln.kind is Kind.HEADING) and not ln.text.endswith(":")  # a label names no page
        ),
        None,
    )
    if first is not None:
        candidates.append(first.text)
    if lines and roles and roles[0] is None and lines[0].kind is Kind.TEXT and not _is_sentence(lines[0].text):
        candidates.append(lines[0].text)
    for cand in candidates:
        cleaned = _clean_title(cand)
        # A section's heading ("Overview", "Billing tips") is not the page's title; a title
        # that names a code is, whatever words it uses ("How to Bill CPT 20610 for Knee ...").
        if cleaned and (map_heading(cleaned)[1] < 1.0 or rules.CODE_PATTERN.search(cand)):
            return cleaned
    official = _section_body(by_name.get("official_description"))
    if official:
        return official.split("\n")[0]
    for sec in sections:
        if sec.text_lines:
            return _first_sentence(sec.text_lines[0])
    return None


def _first_sentence(text: str, limit: int = 200) -> str:
    """A paragraph's first sentence, cut at a word boundary if it runs past ``limit``."""
    m = re.search(r"(?<=[a-z)][.!?])\s+(?=[A-Z])", text)
    first = text[: m.start()] if m else text
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + " …"
    return first


def _clean_title(text: str) -> str:
    text = " ".join(text.split())
    m = _TITLE_PREFIX.match(text)
    if m:
        text = text[m.end() :]
    text = re.sub(r"^overview( of)?\s*[:\-–—]?\s*", "", text, flags=re.IGNORECASE) if ":" in text[:60] else text
    return text.strip(" :-–—|")
