"""Tests of ``ingest.stages.extract``: text dumps line by line, HTML through one lxml parse.

Every fixture here is written for the test: small pages about billing codes that exercise one
behaviour each (bullets, headings, facts, chrome pruning, JSON-LD, limits).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.config import Limits
from ingest.errors import InputError, Reason
from ingest.stages.extract import (
    EMPHASIS_LEVEL, LINK_RUN_MIN, Extracted, drop_link_runs, extract_html, extract_page, extract_text,
    normalize_space,
)
from ingest.models import Kind, Line, RawPage

LIMITS = Limits()
# A paragraph long enough to count as prose, so the trafilatura fallback never runs.
PROSE = "The injection is reported once per level treated, with imaging guidance included in the code."


def _html(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}<p>{PROSE}</p></body></html>"


def _texts(lines: list[Line]) -> list[str]:
    return [ln.text for ln in lines]


def _by_text(lines: list[Line], text: str) -> Line:
    found = [ln for ln in lines if ln.text == text]
    assert found, f"{text!r} not among {_texts(lines)}"
    return found[0]


# --- normalize_space ---------------------------------------------------------------------


def test_normalize_space_collapses_unicode_spaces_and_drops_invisibles():
    assert normalize_space("  CPT  64483\t\r\ninjection  ") == "CPT 64483 injection"
    assert normalize_space("  CPT\u00a0\u00a064483 \t\n  injection ") == "CPT 64483 injection"
    assert normalize_space("Epi\u200bdural\u00adblock\ufeff") == "Epiduralblock"
    assert normalize_space("\u2003\u3000") == ""


def test_normalize_space_composes_to_nfc_and_keeps_digits():
    decomposed = "Re\u0301sume\u0301 99213"
    assert normalize_space(decomposed) == "R\u00e9sum\u00e9 99213"
    # Full-width digits are not folded: codes are read as written.
    assert normalize_space("\uff16\uff14\uff14\uff18\uff13") == "\uff16\uff14\uff14\uff18\uff13"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_space_is_idempotent_and_trimmed(text):
    once = normalize_space(text)
    assert normalize_space(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(ch.isspace() and ch != " " for ch in once)


# --- extract_text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("• Fluoroscopic guidance", "Fluoroscopic guidance"),
        ("- Fluoroscopic guidance", "Fluoroscopic guidance"),
        ("* Fluoroscopic guidance", "Fluoroscopic guidance"),
        ("1. Fluoroscopic guidance", "Fluoroscopic guidance"),
        ("(1) Fluoroscopic guidance", "Fluoroscopic guidance"),
        ("b) Fluoroscopic guidance", "Fluoroscopic guidance"),
        ("> Fluoroscopic guidance", "Fluoroscopic guidance"),
    ],
)
def test_text_bullets_become_items(raw, text):
    [line] = extract_text(raw, LIMITS)
    assert line.kind is Kind.ITEM
    assert line.text == text
    assert line.level == 0


def test_text_lone_marker_and_plain_line_stay_text():
    lines = extract_text("-\nReport 64483 for a single level.", LIMITS)
    assert [(ln.text, ln.kind) for ln in lines] == [("-", Kind.TEXT), ("Report 64483 for a single level.", Kind.TEXT)]


def test_text_markdown_headings_keep_their_level():
    lines = extract_text("## Indications\n### 2024 update\nBody text.", LIMITS)
    assert [(ln.text, ln.kind, ln.level) for ln in lines[:2]] == [
        ("Indications", Kind.HEADING, 2),
        ("2024 update", Kind.HEADING, 3),
    ]
    assert lines[2].kind is Kind.TEXT


def test_text_hash_sentence_is_not_a_heading():
    [line] = extract_text("# of units billed per session", LIMITS)
    assert line.kind is Kind.TEXT
    assert line.text == "# of units billed per session"


def test_text_underlined_headings():
    lines = extract_text("Indications\n===========\nCoverage notes\n--------------\nText below.", LIMITS)
    assert (lines[0].text, lines[0].kind, lines[0].level) == ("Indications", Kind.HEADING, 1)
    assert (lines[2].text, lines[2].kind, lines[2].level) == ("Coverage notes", Kind.HEADING, 2)
    # The rule lines themselves are kept (the cleaner drops them as symbol_only).
    assert lines[1].text == "===========" and lines[1].kind is Kind.TEXT
    assert lines[4].kind is Kind.TEXT


def test_text_underline_after_blank_or_long_line_makes_no_heading():
    long_line = " ".join(["word"] * 13)
    lines = extract_text(f"Indications\n\n=====\n{long_line}\n-----", LIMITS)
    assert all(ln.kind is Kind.TEXT for ln in lines)


def test_text_markdown_bold_line_is_a_visual_heading_and_bold_fact_stays_fact():
    lines = extract_text("**Indications**\n**Code:** 64483\nUse __bold__ words inline.", LIMITS)
    assert (lines[0].text, lines[0].kind, lines[0].level) == ("Indications", Kind.TEXT, EMPHASIS_LEVEL)
    assert (lines[1].text, lines[1].kind, lines[1].level) == ("Code: 64483", Kind.TEXT, 0)
    assert lines[2].text == "Use __bold__ words inline."  # emphasis inside a sentence stays as written
    assert lines[2].level == 0


def test_text_table_rows_links_and_code_spans_kept_as_written():
    dump = "| Code | Descriptor |\n|---|---|\n| 64483 | Transforaminal injection |\nSee [the CMS page](https://example.org/x) and `64484`."
    lines = extract_text(dump, LIMITS)
    assert _texts(lines) == [
        "| Code | Descriptor |",
        "|---|---|",
        "| 64483 | Transforaminal injection |",
        "See [the CMS page](https://example.org/x) and `64484`.",
    ]
    assert all(ln.kind is Kind.TEXT for ln in lines)


def test_text_line_numbers_and_blank_lines():
    lines = extract_text("First line\n\n  \nSecond line\nThird line", LIMITS)
    assert [(ln.line_no, ln.blank_before) for ln in lines] == [(1, False), (4, True), (5, False)]


def test_text_lines_cut_at_max_line_chars():
    limits = Limits(max_line_chars=10)
    [line] = extract_text("abcdefghijKLMNOP", limits)
    assert line.text == "abcdefghij"


def test_extract_page_dispatches_on_format():
    got = extract_page(RawPage(raw_path="a.txt", line_no=None, fmt="text", content="- one item"), LIMITS)
    assert isinstance(got, Extracted)
    assert [(ln.text, ln.kind) for ln in got.lines] == [("one item", Kind.ITEM)]
    html = extract_page(RawPage(raw_path="a.html", line_no=None, fmt="html", content=_html("<li>one item</li>")), LIMITS)
    assert (html.lines[0].text, html.lines[0].kind) == ("one item", Kind.ITEM)


_TEXT_LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT_LINE, max_size=20))
def test_text_never_raises_and_line_numbers_increase(rows):
    content = "\n".join(rows)
    lines = extract_text(content, LIMITS)
    numbers = [ln.line_no for ln in lines]
    assert numbers == sorted(set(numbers))
    assert all(1 <= n <= max(1, len(content.splitlines())) for n in numbers)
    for ln in lines:
        assert ln.text and ln.text == normalize_space(ln.text)
        assert ln.kind in (Kind.TEXT, Kind.ITEM, Kind.HEADING)


# --- extract_html: structure ---------------------------------------------------------------


def test_html_headings_items_title_and_canonical():
    page = _html(
        "<main><h1>CPT 64483</h1><h3>Bundled services</h3><ul><li>Imaging <b>guidance</b></li>"
        "<li><div><span>Contrast</span> injection</div></li></ul></main>",
        head='<title> Code 64483 \u2013 Lookup </title><link rel="canonical" href="https://example.org/cpt/64483">',
    )
    got = extract_html(page, LIMITS)
    assert got.title == "Code 64483 \u2013 Lookup"
    assert got.url == "https://example.org/cpt/64483"
    assert (_by_text(got.lines, "CPT 64483").kind, _by_text(got.lines, "CPT 64483").level) == (Kind.HEADING, 1)
    assert _by_text(got.lines, "Bundled services").level == 3
    assert _by_text(got.lines, "Imaging guidance").kind is Kind.ITEM
    assert _by_text(got.lines, "Contrast injection").kind is Kind.ITEM
    assert [ln.line_no for ln in got.lines] == list(range(1, len(got.lines) + 1))
    assert not got.warnings


def test_html_title_falls_back_to_h1_and_url_to_og_url():
    page = _html(
        "<h1>HCPCS J1030</h1>",
        head='<link rel="canonical" href="/relative"><meta property="og:url" content="https://example.org/j1030">',
    )
    got = extract_html(page, LIMITS)
    assert got.title == "HCPCS J1030"
    assert got.url == "https://example.org/j1030"


def test_html_no_absolute_url_gives_none():
    got = extract_html(_html("<h2>Notes</h2>", head='<link rel="canonical" href="/cpt/1">'), LIMITS)
    assert got.url is None


def test_html_role_heading_uses_aria_level():
    page = _html(
        '<div role="heading" aria-level="4">Modifiers</div><div role="heading">Global period</div>'
        '<div role="heading" aria-level="9">Odd level</div>'
    )
    got = extract_html(page, LIMITS)
    assert (_by_text(got.lines, "Modifiers").kind, _by_text(got.lines, "Modifiers").level) == (Kind.HEADING, 4)
    assert _by_text(got.lines, "Global period").level == 2
    assert _by_text(got.lines, "Odd level").level == 2


def test_html_role_listitem_and_text_bullets_are_items():
    page = _html('<div role="list"><div role="listitem">Lumbar level</div></div><p>\u2022 Cervical level</p>')
    got = extract_html(page, LIMITS)
    assert _by_text(got.lines, "Lumbar level").kind is Kind.ITEM
    assert _by_text(got.lines, "Cervical level").kind is Kind.ITEM


def test_html_bold_line_is_visual_heading_but_bold_label_is_fact():
    page = _html(
        "<div><b>Description</b><br>Injection of anesthetic agent.<br><b>Code:</b> 11721</div>"
        '<p><span class="font-semibold">Fees</span></p><p style="font-weight:700">Payment</p>'
    )
    got = extract_html(page, LIMITS)
    assert _by_text(got.lines, "Description").level == EMPHASIS_LEVEL
    assert _by_text(got.lines, "Description").kind is Kind.TEXT
    assert _by_text(got.lines, "Injection of anesthetic agent.").level == 0
    assert _by_text(got.lines, "Code: 11721").level == 0
    assert _by_text(got.lines, "Fees").level == EMPHASIS_LEVEL
    assert _by_text(got.lines, "Payment").level == EMPHASIS_LEVEL


def test_html_definition_list_becomes_facts():
    long_value = " ".join(["word"] * 35)
    page = _html(
        f"<dl><dt>Global period</dt><dd>90 days</dd><dt>Orphan term</dt><dt>Details</dt><dd>{long_value}</dd></dl>"
    )
    got = extract_html(page, LIMITS)
    texts = _texts(got.lines)
    assert "Global period: 90 days" in texts
    assert "Orphan term" in texts
    # A long definition is not squeezed into a fact: term and value stay separate lines.
    assert "Details" in texts and long_value in texts


def test_html_two_cell_rows_are_facts_and_wider_rows_joined():
    page = _html(
        "<table><tr><th>Work RVU</th><td>1.90</td></tr>"
        "<tr><td>Note:</td><td>see below</td></tr>"
        "<tr><td>64483</td><td>Injection</td><td>$120</td></tr></table>"
        '<div class="row"><div class="cell">Facility</div><div class="cell">Yes</div></div>'
        '<div role="row"><span role="cell">Assistant</span><span role="cell">No</span></div>'
    )
    texts = _texts(extract_html(page, LIMITS).lines)
    assert "Work RVU: 1.90" in texts
    assert "Note: | see below" in texts
    assert "64483 | Injection | $120" in texts
    assert "Facility: Yes" in texts
    assert "Assistant: No" in texts


def test_html_grid_row_over_columns_is_not_a_table_row():
    page = _html('<div class="row"><div class="col-md-8">Main column</div><div class="col-md-4">Side column</div></div>')
    texts = _texts(extract_html(page, LIMITS).lines)
    assert "Main column" in texts and "Side column" in texts
    assert not any("|" in t or t.startswith("Main column:") for t in texts)


def test_html_layout_table_cells_are_walked_as_regions():
    page = _html(
        "<table><tr><td><h2>Coding notes</h2><p>Report per level.</p></td>"
        "<td><ul><li>First item</li><li>Second item</li></ul></td></tr></table>"
    )
    got = extract_html(page, LIMITS)
    assert _by_text(got.lines, "Coding notes").kind is Kind.HEADING
    assert _by_text(got.lines, "Report per level.").kind is Kind.TEXT
    assert _by_text(got.lines, "First item").kind is Kind.ITEM
    assert not any("|" in t for t in _texts(got.lines))


def test_html_without_prose_falls_back_to_trafilatura():
    page = "<html><body><article><h2>Billing</h2><p>Report 64483 once.</p><p>Add 64484 per level.</p></article></body></html>"
    got = extract_html(page, LIMITS)
    assert got.warnings == ["main content taken from trafilatura"]
    assert [(ln.text, ln.kind, ln.level) for ln in got.lines] == [
        ("Billing", Kind.HEADING, 2),
        ("Report 64483 once.", Kind.TEXT, 0),
        ("Add 64484 per level.", Kind.TEXT, 0),
    ]


# --- extract_html: pruning ------------------------------------------------------------------


def test_html_chrome_tags_pruned_and_recorded():
    page = _html(
        "<nav>Home Codes About</nav><aside>Popular lookups</aside>"
        "<form><label>Search codes</label><input name=q></form>"
        "<header>Site banner text</header><main><h1>CPT 20610</h1></main><footer>All rights reserved</footer>"
        "<script>var tracking = 1;</script>"
    )
    got = extract_html(page, LIMITS)
    texts = " ".join(_texts(got.lines))
    for chrome in ("Home Codes About", "Popular lookups", "Search codes", "Site banner", "All rights", "tracking"):
        assert chrome not in texts
    rules = dict(got.pruned)
    assert rules["Home Codes About"] == "html_nav"
    assert rules["Popular lookups"] == "html_aside"
    assert rules["Search codes"] == "html_form"
    assert rules["Site banner text"] == "html_header"
    assert rules["All rights reserved"] == "html_footer"
    # Scripts are dropped silently: their text is not page text.
    assert not any("tracking" in t for t, _ in got.pruned)


def test_html_header_inside_article_is_kept():
    page = _html("<article><header><h1>CPT 20610</h1><p>By the coding desk</p></header></article>")
    texts = _texts(extract_html(page, LIMITS).lines)
    assert "CPT 20610" in texts and "By the coding desk" in texts


def test_html_hidden_and_class_marked_chrome_pruned():
    page = _html(
        '<div hidden>Hidden promo</div><div style="display: none">Styled away</div>'
        '<div aria-hidden="true">Aria hidden</div>'
        '<div class="cookie-banner">We use cookies</div><div id="onetrustBox">Consent text</div>'
        '<div class="modal">Subscribe now</div><div class="site-footer">Footer links</div>'
        '<div class="sticky">Sticky bar</div><div aria-roledescription="carousel">Slide one</div>'
        '<div role="navigation">Role nav</div>'
        '<div class="has-sidebar"><h1>CPT 99213</h1></div>'
    )
    got = extract_html(page, LIMITS)
    texts = _texts(got.lines)
    rules = dict(got.pruned)
    for hidden in ("Hidden promo", "Styled away", "Aria hidden"):
        assert hidden not in texts and rules[hidden] == "html_hidden"
    for chrome in ("We use cookies", "Consent text", "Subscribe now", "Footer links", "Sticky bar", "Slide one",
                   "Role nav"):
        assert chrome not in texts and rules[chrome] == "html_chrome"
    # A wrapper holding the h1 is content whatever its class says.
    assert "CPT 99213" in texts


def test_html_sticky_table_header_is_not_chrome():
    page = _html('<table><thead class="sticky"><tr><th>Code</th><th>Status</th></tr></thead></table>')
    assert "Code: Status" in _texts(extract_html(page, LIMITS).lines)


def test_html_accordion_button_and_its_hidden_panel_are_content():
    page = _html(
        '<button aria-expanded="false" aria-controls="a1">Is 64483 billed per level?</button>'
        '<div id="a1" hidden><p>Yes, each additional level uses 64484.</p></div>'
        '<button aria-expanded="false" aria-controls="m1">Menu</button>'
        '<div id="m1" hidden><p>Menu entries</p></div>'
        "<button>Print page</button>"
    )
    got = extract_html(page, LIMITS)
    texts = _texts(got.lines)
    assert "Is 64483 billed per level?" in texts
    assert "Yes, each additional level uses 64484." in texts
    assert "Menu entries" not in texts and "Menu" not in texts
    assert "Print page" not in texts
    assert dict(got.pruned)["Menu entries"] == "html_hidden"


def test_html_tab_label_heads_its_panel():
    page = _html(
        '<div role="tablist"><button role="tab" id="t1">Coding tips</button></div>'
        '<div role="tabpanel" aria-labelledby="t1" hidden><p>Bill the primary level first.</p></div>'
    )
    got = extract_html(page, LIMITS)
    heading = _by_text(got.lines, "Coding tips")
    assert (heading.kind, heading.level) == (Kind.HEADING, 2)
    texts = _texts(got.lines)
    assert texts.index("Coding tips") < texts.index("Bill the primary level first.")


def test_html_vote_count_beside_vote_button_pruned():
    page = _html('<div><button aria-label="Upvote">+</button><span>42</span></div><p>Answer text here.</p>')
    got = extract_html(page, LIMITS)
    assert "42" not in _texts(got.lines)
    assert ("42", "vote_count") in got.pruned


# --- extract_html: JSON-LD ------------------------------------------------------------------


def test_html_jsonld_medical_code_and_faq_read_including_graph():
    code = {"@context": "https://schema.org", "@type": "MedicalCode", "codeValue": "64483", "codingSystem": "CPT"}
    faq = {
        "@type": "FAQPage",
        "mainEntity": [{"@type": "Question", "name": "Is it bilateral?", "acceptedAnswer": {"text": "No."}}],
    }
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "Lookup"}, faq]}
    head = (
        f'<script type="application/ld+json">{json.dumps(code)}</script>'
        f'<script type="application/LD+JSON">{json.dumps(graph)}</script>'
        '<script type="application/ld+json">{not json</script>'
        '<script type="text/javascript">{"@type": "MedicalCode"}</script>'
    )
    got = extract_html(_html("<h1>CPT 64483</h1>", head=head), LIMITS)
    types = [d.get("@type") for d in got.jsonld]
    assert types.count("MedicalCode") == 1
    assert "FAQPage" in types and "WebPage" in types
    medical = next(d for d in got.jsonld if d.get("@type") == "MedicalCode")
    assert (medical["codeValue"], medical["codingSystem"]) == ("64483", "CPT")
    faq_read = next(d for d in got.jsonld if d.get("@type") == "FAQPage")
    assert faq_read["mainEntity"][0]["name"] == "Is it bilateral?"
    # JSON-LD is metadata, never page text.
    assert not any("codeValue" in t for t in _texts(got.lines))


# --- drop_link_runs ---------------------------------------------------------------------------


def _lines(*spec: tuple[str, Kind]) -> list[Line]:
    return [Line(text, kind, n) for n, (text, kind) in enumerate(spec, start=1)]


def test_drop_link_runs_drops_run_and_column_title():
    lines = _lines(("Intro paragraph text.", Kind.TEXT), ("Company", Kind.TEXT), ("About", Kind.TEXT),
                   ("Careers", Kind.TEXT), ("Contact us", Kind.TEXT), ("Closing words.", Kind.TEXT))
    flags = [False, False, True, True, True, False]
    kept, dropped = drop_link_runs(lines, flags)
    assert _texts(kept) == ["Intro paragraph text.", "Closing words."]
    assert dropped == [(t, "html_link_list") for t in ("Company", "About", "Careers", "Contact us")]


def test_drop_link_runs_keeps_short_runs_items_long_lines_and_related_codes():
    short_run = _lines(("One", Kind.TEXT), ("Two", Kind.TEXT))
    assert drop_link_runs(short_run, [True] * (LINK_RUN_MIN - 1)) == (short_run, [])
    items = _lines(("Ref one", Kind.ITEM), ("Ref two", Kind.ITEM), ("Ref three", Kind.ITEM))
    assert drop_link_runs(items, [True] * 3) == (items, [])
    long_links = _lines(*[(" ".join(["word"] * 6), Kind.TEXT)] * 3)
    assert drop_link_runs(long_links, [True] * 3) == (long_links, [])
    related = _lines(("Related codes", Kind.HEADING), ("64484", Kind.TEXT), ("64490", Kind.TEXT), ("64493", Kind.TEXT))
    assert drop_link_runs(related, [False, True, True, True]) == (related, [])


def test_drop_link_runs_requires_one_flag_per_line():
    with pytest.raises(ValueError):
        drop_link_runs(_lines(("One", Kind.TEXT)), [])


def test_html_footer_link_column_dropped_as_link_list():
    links = '<p><a href="/a">Fee schedule</a></p><p><a href="/b">Modifiers</a></p><p><a href="/c">Code lookup</a></p>'
    got = extract_html(_html(f"<div><p>Company</p>{links}</div>"), LIMITS)
    assert not {"Company", "Fee schedule", "Modifiers", "Code lookup"} & set(_texts(got.lines))
    assert ("Company", "html_link_list") in got.pruned
    assert ("Fee schedule", "html_link_list") in got.pruned
    # A title naming a section of the page ("Resources": references) is not a column title.
    got = extract_html(_html(f"<div><p>Resources</p>{links}</div>"), LIMITS)
    assert "Resources" in _texts(got.lines)
    assert "Fee schedule" not in _texts(got.lines)


# --- limits -------------------------------------------------------------------------------------


def test_html_too_many_elements_is_too_large():
    page = _html("<span>x</span>" * 30)
    with pytest.raises(InputError) as info:
        extract_html(page, Limits(max_html_elements=20))
    assert info.value.reason is Reason.TOO_LARGE
    # The same page under the default limit is read.
    assert extract_html(page, LIMITS).lines


def test_html_overlong_tag_dropped_with_warning():
    attrs = " ".join(f'data-a{i}="v"' for i in range(40))
    page = _html(f"<h2 {attrs}>Heading with attributes</h2><h3>Kept heading</h3>")
    got = extract_html(page, Limits(max_tag_chars=100))
    assert got.warnings == ["1 HTML tag(s) longer than 100 characters dropped"]
    assert "Kept heading" in _texts(got.lines)
    # Without its opening tag the text is no longer a heading of level 2.
    assert not any(ln.text == "Heading with attributes" and ln.kind is Kind.HEADING for ln in got.lines)


def test_html_that_cannot_be_parsed_is_parse_error():
    with pytest.raises(InputError) as info:
        extract_html("", LIMITS)
    assert info.value.reason is Reason.PARSE_ERROR


def test_html_depth_limit_flattens_deep_subtree():
    deep = "<div>" * 30 + "<p>Deep</p><p>text</p>" + "</div>" * 30
    got = extract_html(_html(deep), Limits(max_html_depth=10))
    # Below the depth limit the subtree is one line of its text content, not a line per block.
    assert _texts(got.lines)[0] == "Deeptext"
    assert _texts(extract_html(_html(deep), LIMITS).lines)[:2] == ["Deep", "text"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<li>", "<h2>", "</h2>", "<b>", "<div hidden>", "</div>", "<br>",
                                 "64483", "Injection ", "\u2022 item ", "&amp;", "<table><tr><td>", "</td></tr>"]),
                min_size=1, max_size=25))
def test_html_lines_are_normalized_and_numbered(parts):
    got = extract_html(_html("".join(parts)), LIMITS)
    numbers = [ln.line_no for ln in got.lines]
    assert numbers == sorted(set(numbers))
    if "main content taken from trafilatura" not in got.warnings:
        # Our own walk numbers blocks 1, 2, 3...; trafilatura's markdown keeps its source lines.
        assert numbers == list(range(1, len(got.lines) + 1))
    for ln in got.lines:
        assert ln.text and ln.text == normalize_space(ln.text)
        if ln.kind is Kind.HEADING:
            assert 1 <= ln.level <= 6


def test_the_trafilatura_fallback_never_brings_back_what_pruning_removed():
    html = "<html><body><div hidden><p>Hidden promo line</p></div><p>Report 64483 once.</p></body></html>"
    extracted = extract_html(html, Limits())
    assert [ln.text for ln in extracted.lines] == ["Report 64483 once."]
    assert ("Hidden promo line", "html_hidden") in extracted.pruned


def test_the_html_parser_builds_the_tree_lxml_html_builds() -> None:
    """extract_html parses with its own parser (one element class for every tag, looked up
    without Python): the tree is the one lxml.html builds, form fields and comments included,
    and its elements have lxml.html's methods."""
    import lxml.etree
    import lxml.html

    from ingest.stages.extract import html_parser

    page = (
        "<!DOCTYPE html><html><head><title>CPT 20610</title><!-- a note --></head><body>"
        "<form action='/s'><label>Code</label><input name='q'><select><option>CPT</option></select>"
        "<textarea>x</textarea></form><h1>Arthrocentesis</h1><p>Drains <b>fluid</b> from a joint.</p>"
        "<?php echo 1 ?></body></html>"
    )
    ours = lxml.html.document_fromstring(page, parser=html_parser())
    theirs = lxml.html.document_fromstring(page)
    assert lxml.etree.tostring(ours) == lxml.etree.tostring(theirs)
    assert all(isinstance(el, lxml.html.HtmlMixin) for el in ours.iter())
    p = ours.find(".//p")
    assert p.text_content() == "Drains fluid from a joint."
    ours.find(".//form").drop_tree()
    assert ours.find(".//input") is None and ours.find(".//h1").text_content() == "Arthrocentesis"
    assert html_parser() is html_parser()  # one per thread, built once
