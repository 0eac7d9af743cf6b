"""Property tests: the decoder, cleaner, heading parser and code finder never raise, and
cleaning never removes a content sentence that names the page's own code."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.stages.clean import clean_lines, normalize_key
from ingest.config import Limits
from ingest.errors import InputError
from ingest.stages.extract import extract_html, extract_text, normalize_space
from ingest.models import Kind, Line
from ingest.stages.parse import PageContext, parse_page
from ingest.stages.read import decode_bytes
from ingest.stages.sections import map_heading

LIMITS = Limits()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.sampled_from(
    "the patient procedure knee bone injection recovery risks cost code CPT HCPCS modifier 21183 0263T J1100 "
    "Learn more Sign up © Copyright All rights reserved - • 1. : ? $1,500 to $3,000 20-40 minutes FAQ".split()
)
line_text = st.one_of(st.text(max_size=80), st.lists(words, min_size=1, max_size=14).map(" ".join))
page_text = st.lists(line_text, max_size=40).map("\n".join)
codes = st.one_of(
    st.from_regex(r"\A[0-9]{5}\Z"), st.from_regex(r"\A[0-9]{4}[FT]\Z"), st.from_regex(r"\A[A-V][0-9]{4}\Z")
)


@FAST
@given(st.binary(max_size=2000), st.booleans())
def test_decoder_never_raises_anything_but_input_errors(data, is_html):
    try:
        text, encoding, _ = decode_bytes(data, is_html=is_html)
    except InputError:
        return
    assert isinstance(text, str) and encoding and "\x00" not in text


@FAST
@given(page_text)
def test_clean_and_parse_never_raise_and_account_for_every_line(text):
    lines = extract_text(text, LIMITS)
    kept, removed = clean_lines(lines)
    assert len(kept) <= len(lines)
    page, dropped = parse_page(kept, removed, PageContext())
    assert page.code is None or page.code_reason is None


@FAST
@given(st.text(max_size=3000))
def test_html_extraction_never_raises_unexpectedly(text):
    try:
        extract_html("<html><body>" + text + "</body></html>", LIMITS)
    except InputError:
        pass


# Whitespace as a page writes it: ASCII, Unicode spaces (no-break, thin, ideographic, line
# and paragraph separators), invisible characters (zero-width, soft hyphen), combining marks.
spaced_text = st.lists(st.one_of(st.characters(), st.sampled_from([
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000", "\u2009", "\u200a",
    "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad",
    "e\u0301", "A\u030a", "\u212b", "CPT 99213", "a"])), max_size=30).map("".join)


@FAST
@given(spaced_text)
def test_normalize_space_is_nfc_without_invisibles_and_with_single_spaces(text):
    """The definition normalize_space had until its ASCII fast path (2026-12-02)."""
    expected = re.sub(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ",
                      re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", unicodedata.normalize("NFC", text))).strip()
    assert normalize_space(text) == expected


@FAST
@given(st.text(max_size=200))
def test_heading_mapping_is_total(text):
    section, score = map_heading(text)
    assert score >= 0 and isinstance(section, str)


SENTENCES = [
    "CPT code {c} describes the removal of a benign lesion from the trunk under local anesthesia.",
    "Providers report {c} once per session when the documented work is performed in full.",
    "The procedure billed as {c} typically takes about forty minutes in an outpatient setting.",
    "Insurance plans usually cover {c} when the treatment is judged medically necessary.",
]


@FAST
@given(st.lists(line_text, max_size=15), st.lists(line_text, max_size=15), codes, st.sampled_from(SENTENCES))
def test_content_sentence_with_the_page_code_is_never_removed(before, after, code, sentence):
    content = sentence.format(c=code)
    text = "\n".join([*before, content, *after])
    lines = extract_text(text, LIMITS)
    kept, removed = clean_lines(lines)
    assert any(normalize_key(content) == normalize_key(k.text) for k in kept), [r for r in removed if code in r.text]


@FAST
@given(codes, st.lists(codes, max_size=3))
def test_code_named_as_code_wins_over_bare_mentions(code, others):
    others = [o for o in others if o != code]
    lines = [Line(f"Overview of CPT Code {code}: a procedure", Kind.HEADING, 1, level=1),
             Line(f"CPT Code {code} refers to a procedure performed on the arm of a patient.", Kind.TEXT, 2)]
    lines += [Line(f"A different code, {o}, is used for the other side.", Kind.TEXT, 3 + i) for i, o in enumerate(others)]
    page, _ = parse_page(lines, [], PageContext())
    assert page.code == code


def test_rule_gates_never_hide_a_match():
    """`requires` is only a speed-up: on every line of the seeds and the labelled set, the
    gated catalogue and the plain one remove the same lines with the same rules."""
    import json
    import re
    from pathlib import Path

    from ingest import rules
    from ingest.stages.clean import match_rule

    def ungated(text: str, kind: Kind) -> str | None:
        for rule in rules.LINE_RULES:
            pattern = f"(?-i:{rule.pattern})" if rule.case_sensitive else rule.pattern
            if len(text.split()) <= rule.max_words and not (rule.skip_items and kind is Kind.ITEM) and re.search(pattern, text, re.I):
                return rule.id
        return None

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("raw/*.txt"), *root.glob("tests/labelled/*/*.txt"), *root.glob("tests/pages/*.txt"),
             *root.glob("tests/heldout/*/*.txt")]
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    for jsonl in root.glob("tests/heldout/*/*.jsonl"):  # forum pages: the Q&A chrome rules
        texts += [json.loads(row).get("text") or "" for row in jsonl.read_text(encoding="utf-8").splitlines() if row.strip()]
    lines = [ln for text in texts for ln in extract_text(text, LIMITS)]
    assert len(lines) > 500
    # Letters a case-blind pattern takes for i, s and k though casefold() keeps them apart:
    # the dotless and dotted i (Turkish), the long s, the Kelvin sign.
    twins = str.maketrans({"i": "ı", "I": "İ", "s": "ſ", "k": "K"})
    lines += [Line(ln.text.translate(twins), ln.kind, ln.line_no) for ln in lines]
    assert any(match_rule(ln.text, ln.kind) for ln in lines[len(lines) // 2:])
    for line in lines:
        assert match_rule(line.text, line.kind) == ungated(line.text, line.kind), line.text


# --- general patterns added for sites never seen: URL ids, code phrasing, ALL-CAPS, counters ---

ID_SEGMENTS = st.sampled_from(["questions", "q", "t", "article", "post", "threads", "p", "answers", "news"])
SLUG_WORDS = st.lists(st.sampled_from("how to bill modifier visit office knee appeal denial units".split()), min_size=1, max_size=5)


@FAST
@given(st.from_regex(r"\A[0-9]{5}\Z"), ID_SEGMENTS, SLUG_WORDS)
def test_a_number_segment_after_an_id_segment_is_never_a_code(number, segment, slug):
    from ingest.stages.parse import url_codes

    assert number not in url_codes(f"https://site.example/{segment}/{number}/{'-'.join(slug)}")
    assert number not in url_codes(f"https://site.example/{segment}/{number}-{'-'.join(slug)}")


@FAST
@given(codes, st.sampled_from(["cpt", "hcpcs", "codes", "cpt-codes", "code"]), SLUG_WORDS)
def test_a_code_under_a_code_set_segment_is_always_found(code, segment, slug):
    from ingest.stages.parse import url_codes

    assert url_codes(f"https://site.example/{segment}/{code.lower()}") == [code]
    assert code in url_codes(f"https://site.example/{segment}/{code}-{'-'.join(slug)}")


@FAST
@given(codes, st.sampled_from(["{c} is the CPT code for", "{c} describes", "Report {c} for", "CPT® {c} covers",
                               "{c} is used for", "HCPCS code {c} is billed for"]), SLUG_WORDS)
def test_code_phrasing_names_the_code(code, template, words):
    from ingest.stages.clean import phrased_codes

    text = template.format(c=code) + " " + " ".join(words) + "."
    assert code in [c.upper() for c, _ in phrased_codes(text)]
    bare = f"The {code} {' '.join(words)} was billed twice."
    assert phrased_codes(bare) == ()


@FAST
@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Zs", "Po"]), max_size=60))
def test_all_caps_means_no_lowercase_letter(text):
    from ingest.stages.parse import is_all_caps

    letters = [c for c in text if c.isalpha()]
    assert is_all_caps(text) == (len(letters) >= 4 and not any(c.islower() for c in letters))


@FAST
@given(st.lists(st.integers(0, 999_999).map(str), min_size=1, max_size=6, unique=True))
def test_lone_numbers_are_only_removed_next_to_a_counter(numbers):
    """Table cells ("26", "1,204") are content; a number is a count only beside its label."""
    cells = [Line("Modifier table for this procedure, listed below in full detail.", Kind.TEXT, 1)]
    cells += [Line(n, Kind.TEXT, i + 2) for i, n in enumerate(numbers)]
    kept, removed = clean_lines(cells)
    assert [ln.text for ln in kept] == [cells[0].text, *numbers] and removed == []
    _, removed = clean_lines([*cells, Line("votes", Kind.TEXT, 91)])
    assert [(r.text, r.rule) for r in removed] == [(numbers[-1], "vote_count"), ("votes", "vote_count")]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Home · Questions · Tags · Badges · Ask a Question", "link_row"),
        ("Share · Follow · Flag", "link_row"),
        ("Printer-friendly version | E-mail this page to a friend", "link_row"),
        ("Asked Mar 3, 2024 · Viewed 4,812 times", "forum_meta"),
        ("answered Feb 2, 2024 by cms_watcher (edited Jan 9, 2025)", "forum_meta"),
        ("Asked 3 days ago", "forum_meta"),
        ("12 votes", "vote_count"),
        ("Add a comment", "forum_action"),
        ("3 Answers", "forum_action"),
        ("Sorted by: Highest score (default)", "forum_action"),
        ("Accepted answer", "forum_action"),
        ("Reply", "forum_action"),
        ("-- Dana K., CPC, CCPC | 14 years of chiropractic billing", "signature"),
        ("This fixed our denials, thank you! – mtrevino_dc", "comment_handle"),
        ("Same problem here, following this thread.", "thread_noise"),
        ("Tags: cpt chiropractic modifier-59 ncci", "tag_list"),
        ("The Medical Billing Resource Since 1998", "tagline"),
        ("Visitors since 1998:", "visitor_counter"),
        ("Medical Billing Software - FREE 30 Day Trial!", "promo_offer"),
        ("Coders Circle is an independent community. Answers are user contributions, not official coding advice.", "community_disclaimer"),
        ("You are here: Home / CPT / Medicine / 96372", "breadcrumb"),
        ("Codes / Pathology & Lab / 81002", "breadcrumb"),
        ("Was this code helpful?", "feedback_widget"),
        ("Get Acme Pro", "call_to_action"),
        ("Start chat", "call_to_action"),
        ("Chat with a coder", "call_to_action"),
        ("asked Mar 3 at 14:02", "forum_meta"),
        ("Upvote 12", "vote_count"),
        ("View 4 more replies", "forum_action"),
        ("Jane Doe says:", "comment_meta"),
        ("March 3, 2024 at 5:12 pm", "comment_meta"),
        ("Joined: Mar 2019", "user_info"),
        ("Posts: 1,234", "user_info"),
        ("Next article: How to bill a new patient visit", "prev_next"),
        ("« Previous", "prev_next"),
        ("Page 2 of 5", "page_number"),
        ("‹ ›", "symbol_only"),
        ("==========", "symbol_only"),
        ("Jump to navigation", "skip_link"),
        ("Best answer", "forum_action"),
        ("Permalink", "forum_action"),
        ("Dana K., CPC, CCPC | 14 years of chiropractic billing", "signature"),
        ("12 thoughts on “Billing 99213 with modifier 25”", "comment_count"),
        ("You must be logged in to post a comment.", "login_signup"),
        ("Helpful? Yes (12) / No (3)", "feedback_widget"),
        ("87 Comments Share Save", "action_bar"),
        ("Reply · Share · Report", "link_row"),
        ("Reply Share", "action_bar"),
        ("reddit Log In", "account_links"),
        ("Printed on 03/02/2025. Page 4 of 4", "page_number"),
        ("Search CPT, HCPCS, ICD-10", "search_box"),
        ("[Advertisement]", "advertisement"),
        ("Sponsored: Get 20% off your first month of CodingPro", "sponsored_line"),
        ("Comments (3)", "forum_action"),
        ("Was this article helpful? Yes No", "feedback_widget"),
        ("cpt smoking-cessation modifier-25", "tag_cloud"),
        ("Facebook | Twitter | LinkedIn", "link_row"),
        ("By Jane Doe · 5 min read · Updated Jan 5, 2025", "byline_meta"),
        ("Jan 5, 2025 · 5 min read · 1.2k views", "meta_row"),
        ("This website uses cookies", "cookie_banner"),
        ("Ready to code faster? Start your free trial today.", "promo_offer"),
    ],
)
def test_general_chrome_patterns(text, rule):
    from ingest.stages.clean import match_rule

    assert match_rule(text, Kind.TEXT) == rule


@pytest.mark.parametrize(
    "text",
    [
        "26 | Professional component | Interpreting physician",
        "12 | Home",
        "Answer the questionnaire before the visit.",
        "Following surgery, rest for two days.",
        "Covered since 2019 for Medicare patients.",
        "Modifier 59 - Distinct procedural service",
        "Trimming of nails – class findings documented",
        "Category: Surgery",
        "Debridement of nail(s) by any method(s); 6 or more",
        "The visit is reported with 99213 – established patient",
        "Ear / nose / throat",
        "Location: Outpatient hospital",
        "Next, the provider reviews the images.",
        "Previous authorization is valid for 60 days.",
        "Posts are reviewed by the compliance team.",
        "$45",
        "50%",
        "March 3, 2024: CMS updated the fee schedule for this code.",
        "Jane Smith, CPC, reviewed the claim before submission.",
        "Yes, modifier 25 is required.",
        "Save the signed consent form with the record.",
        "Share the results with the referring physician.",
        "Patients must register",
        "Report 20610 once per joint",
        "left shoulder and right knee",
        "e-prescribing counts toward the measure",
        "Pre-op clearance by the primary care physician",
        "200-unit vial",
        "single-dose vial",
        "Office | 11 | Facility | 22",
        "By Medicare rules | the visit must be face to face",
    ],
)
def test_content_is_not_taken_for_chrome(text):
    from ingest.stages.clean import match_rule

    assert match_rule(text, Kind.TEXT) is None


def test_markdown_and_underlined_headings_in_text_dumps():
    lines = extract_text("# Overview\nA sentence.\n## Indications\n- Pain\n# of units billed is one\nRecovery\n========\nRest.", LIMITS)
    got = [(ln.text, ln.kind, ln.level) for ln in lines]
    assert ("Overview", Kind.HEADING, 1) in got and ("Indications", Kind.HEADING, 2) in got
    assert ("# of units billed is one", Kind.TEXT, 0) in got
    assert ("Recovery", Kind.HEADING, 1) in got
    kept, removed = clean_lines(lines)
    assert ("========", "symbol_only") in [(r.text, r.rule) for r in removed]


def test_class_named_headings_and_bold_classes_read_like_bold_lines():
    from ingest.stages.extract import EMPHASIS_LEVEL

    ex = extract_html(
        "<html><body><div class='section-title'>When to use it</div><p>It is used when the patient has symptoms of an infection.</p>"
        "<p><span class='font-semibold'>Code:</span> 81002</p><div class='text-sm'>Plain text line that stays plain.</div></body></html>",
        LIMITS,
    )
    levels = {ln.text: ln.level for ln in ex.lines}
    assert levels["When to use it"] == EMPHASIS_LEVEL
    assert levels["Code: 81002"] == 0 and levels["Plain text line that stays plain."] == 0


def test_page_numbers_inside_a_document_do_not_start_its_footer():
    text = ("Coverage article for nerve conduction studies and how they are billed.\nPage 2 of 4\n"
            "ICD-10-CM Codes that Support Medical Necessity\nG56.00 Carpal tunnel syndrome, unspecified upper limb\n")
    kept, removed = clean_lines(extract_text(text, LIMITS))
    assert [r.rule for r in removed] == ["page_number"]
    assert "G56.00 Carpal tunnel syndrome, unspecified upper limb" in [ln.text for ln in kept]


def test_vote_counts_beside_vote_buttons_are_removed_in_html():
    ex = extract_html(
        "<html><body><div><button aria-label='upvote'>▲</button><div>42</div><button aria-label='downvote'>▼</button></div>"
        "<h1>Modifier 25 with 99214?</h1><p>Our ortho bills 99214 and 20610 on the same day, and the payer denies it.</p>"
        "<table><tr><td>Modifier</td><td>25</td></tr></table></body></html>",
        LIMITS,
    )
    assert ("42", "vote_count") in ex.pruned
    assert "Modifier: 25" in [ln.text for ln in ex.lines]


def test_a_table_of_contents_goes_and_the_headings_it_lists_stay():
    text = ("Table of contents\n• Overview\n• Billing\nOverview\nCPT 99213 is an office visit for an established patient.\n"
            "Billing\nBill it once per visit, with modifier 25 when a procedure is done too.")
    kept, removed = clean_lines(extract_text(text, LIMITS))
    assert [(r.text, r.rule) for r in removed] == [("Table of contents", "toc"), ("Overview", "toc"), ("Billing", "toc")]
    assert [ln.text for ln in kept][:2] == ["Overview", "CPT 99213 is an office visit for an established patient."]


def test_popular_code_widgets_go_and_related_code_lists_stay():
    lines = [Line("CPT 64483 is a transforaminal epidural injection at one lumbar level.", Kind.TEXT, 1),
             Line("Related codes", Kind.HEADING, 2, level=2), Line("64484 – each additional level", Kind.ITEM, 3),
             Line("Popular Codes", Kind.HEADING, 4, level=4), Line("99213", Kind.ITEM, 5), Line("99214", Kind.ITEM, 6)]
    kept, removed = clean_lines(lines)
    assert [ln.text for ln in kept] == [ln.text for ln in lines[:3]]
    assert [r.rule for r in removed] == ["link_list"] * 3


def test_author_box_goes_with_its_biography_only():
    text = ("Billing Guidelines\n- Report 27447 once per knee.\nAbout the Author\n"
            "Sarah Kim is a certified professional coder with 12 years of orthopedic billing experience.\n"
            "Recovery\nMost patients walk with a walker on the first day after the surgery.")
    kept, removed = clean_lines(extract_text(text, LIMITS))
    assert [r.rule for r in removed] == ["author_box", "author_box"]
    assert [ln.text for ln in kept][-2:] == ["Recovery", "Most patients walk with a walker on the first day after the surgery."]


def test_markdown_dumps_read_like_html():
    from ingest.stages.extract import EMPHASIS_LEVEL

    text = ("![logo](/img/logo.png)\n## when to report\n**Indications**\n* [Lumbar pain](https://x.example/lp) with `M54.16`\n"
            "**Code:** 64483\n| Setting | Medicare average |\n|---|---|\n")
    got = [(ln.text, ln.kind, ln.level) for ln in extract_text(text, LIMITS)]
    assert got == [
        ("![logo](/img/logo.png)", Kind.TEXT, 0),
        ("when to report", Kind.HEADING, 2),
        ("Indications", Kind.TEXT, EMPHASIS_LEVEL),
        ("[Lumbar pain](https://x.example/lp) with `M54.16`", Kind.ITEM, 0),
        ("Code: 64483", Kind.TEXT, 0),
        ("| Setting | Medicare average |", Kind.TEXT, 0),
        ("|---|---|", Kind.TEXT, 0),
    ]
    kept, removed = clean_lines(extract_text(text, LIMITS))
    assert [(r.text, r.rule) for r in removed] == [("![logo](/img/logo.png)", "markdown_image"), ("|---|---|", "symbol_only")]
