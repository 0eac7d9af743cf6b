"""Parsers of fields: ranges, durations, modifiers, add-on codes, code choice. Examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.models import Kind, Line
from ingest.parse import PageContext, parse_page
from ingest.sections import map_heading


def _page(*texts: str, kinds: dict[int, Kind] | None = None, ctx: PageContext | None = None):
    lines = [Line(t, (kinds or {}).get(i, Kind.TEXT), i + 1) for i, t in enumerate(texts)]
    page, _ = parse_page(lines, [], ctx or PageContext())
    return page


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Average cost ranges from $1,500 to $3,000.", (1500.0, 3000.0)),
        ("Expect $5K–$15K depending on the facility.", (5000.0, 15000.0)),
        ("Prices run $5-15K in most states.", (5000.0, 15000.0)),
        ("The fee is between $200 and $450.", (200.0, 450.0)),
        ("Medicare pays $1,234.50 – $2,000 for this service.", (1234.5, 2000.0)),
    ],
)
def test_cost_ranges(sentence, expected):
    assert _page("Cost and Insurance", sentence).cost == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The procedure typically takes around 20-40 minutes.", (20.0, 40.0)),
        ("It takes about 1 hour.", (60.0, 60.0)),
        ("The visit lasts 1 to 2 hours.", (60.0, 120.0)),
        ("It usually takes half an hour.", (30.0, 30.0)),
    ],
)
def test_durations(sentence, expected):
    assert _page("Overview", "Some intro sentence that is long enough here.", sentence).duration == expected


def test_recovery_periods_are_not_durations():
    page = _page("Recovery", "Rest for the first 24 hours after the procedure.", "Most people recover in 6-8 weeks.")
    assert page.duration is None


def test_modifiers_and_add_on():
    page = _page(
        "Billing", "Common Modifiers:", "59 - Distinct procedural service", "RT - Right side",
        "Modifier JW: Drug amount discarded", "List separately in addition to code for primary procedure",
        kinds={2: Kind.ITEM, 3: Kind.ITEM},
    )
    assert page.modifiers == [("59", "Distinct procedural service"), ("JW", "Drug amount discarded"), ("RT", "Right side")]
    assert page.is_add_on


@pytest.mark.parametrize(
    ("texts", "ctx", "code", "reason"),
    [
        (["HCPCS code J1100 describes an injection of dexamethasone."], PageContext(), "J1100", None),
        (["A visit is billed with a code."], PageContext(url="https://x.example/cpt/3074f-bp"), "3074F", None),
        (["CPT Code 99213 and CPT Code 99214 are compared on this page."], PageContext(), None, "several_codes"),
        (["Nothing here names a code."], PageContext(), None, "no_code_found"),
        (['Try asking: "What is CPT code 99213?"', "This page is about nothing else."], PageContext(), None, "no_code_found"),
        (["A general page."], PageContext(jsonld=({"@type": "MedicalCode", "codeValue": "0263T", "codingSystem": "CPT"},)), "0263T", None),
    ],
)
def test_code_choice(texts, ctx, code, reason):
    page = _page(*texts, ctx=ctx)
    assert page.code == code
    assert (page.code_reason or "").startswith(reason or "")


def test_faq_pairs_follow_the_faq_heading():
    page = _page("Frequently Asked Questions", "Is it painful?", "Not usually.", "How long is recovery?", "About a week.", "Benefits", "Less pain.")
    assert page.faq == [("Is it painful?", "Not usually."), ("How long is recovery?", "About a week.")]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 99_999), st.integers(1, 99_999))
def test_cost_range_property(a, b):
    lo, hi = sorted((a, b))
    page = _page("Cost", f"It costs ${lo:,} to ${hi:,} in total.")
    assert page.cost == (float(lo), float(hi))


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Possible Complications", "complications"), ("What are the risks?", "complications"),
        ("Aftercare", "recovery"), ("How much does it cost?", "cost_coverage"), ("Who Is a Candidate?", "indications"),
        ("Learn morePost-Procedure Follow-Up", "follow_up"), ("Coder's Notebook", "other"),
    ],
)
def test_heading_mapping(heading, section):
    assert map_heading(heading)[0] == section
