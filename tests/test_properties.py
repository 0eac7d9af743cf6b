"""Property tests: the decoder, cleaner, heading parser and code finder never raise, and
cleaning never removes a content sentence that names the page's own code."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import clean_lines, normalize_key
from ingest.config import Limits
from ingest.errors import InputError
from ingest.extract import extract_html, extract_text
from ingest.models import Kind, Line
from ingest.parse import PageContext, parse_page
from ingest.read import decode_bytes
from ingest.sections import map_heading

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
    import re
    from pathlib import Path

    from ingest import rules
    from ingest.clean import match_rule

    def ungated(text: str, kind: Kind) -> str | None:
        for rule in rules.LINE_RULES:
            pattern = f"(?-i:{rule.pattern})" if rule.case_sensitive else rule.pattern
            if len(text.split()) <= rule.max_words and not (rule.skip_items and kind is Kind.ITEM) and re.search(pattern, text, re.I):
                return rule.id
        return None

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("raw/*.txt"), *root.glob("tests/labelled/*/*.txt"), *root.glob("tests/pages/*.txt")]
    lines = [ln for f in files for ln in extract_text(f.read_text(encoding="utf-8", errors="replace"), LIMITS)]
    assert len(lines) > 500
    for line in lines:
        assert match_rule(line.text, line.kind) == ungated(line.text, line.kind), line.text
