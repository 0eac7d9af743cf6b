"""Parsers of fields: ranges, durations, modifiers, add-on codes, code choice. Examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.models import Kind, Line
from ingest.stages.parse import PageContext, parse_page
from ingest.stages.sections import map_heading


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


# --- URL code evidence: a number in a path is a code only where the path says so -------------


@pytest.mark.parametrize(
    ("url", "codes"),
    [
        ("https://forum.example/questions/18832/modifier-59-on-97140-with-98941", ["97140", "98941"]),
        ("https://forum.example/q/20417/timely-filing-denial-appeal", []),
        ("https://news.example/article/48213/how-to-bill", []),
        ("https://news.example/48213-how-to-bill-an-office-visit", []),
        ("https://codes.example/cpt/99213", ["99213"]),
        ("https://codes.example/code-99213", ["99213"]),
        ("https://codes.example/cpt-codes/99213-office-visit", ["99213"]),
        ("https://codes.example/codes/0263T", ["0263T"]),
        ("https://codes.example/hcpcs/j1100", ["J1100"]),
        ("https://codes.example/lookup/j1100-dexamethasone", ["J1100"]),
        ("https://forum.example/t/55555/can-g2211-be-added", ["G2211"]),
    ],
)
def test_url_codes(url, codes):
    from ingest.stages.parse import url_codes

    assert url_codes(url) == codes


def test_a_forum_question_id_in_the_url_is_not_the_page_code():
    page = _page(
        "Does 69210 need modifier 50 when both ears are cleared?",
        "Our ENT removes impacted cerumen from both ears at one visit and bills 69210 once.",
        ctx=PageContext(url="https://forum.example/q/19004/cerumen-removal-both-ears"),
    )
    assert page.code == "69210"
    assert page.sections[0].section == "overview" and page.sections[0].heading.startswith("Does 69210")


# --- code phrasing beyond "CPT code N" ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("37531 is the CPT code for a cerumen procedure.", ["37531"]),
        ("Report 64483 for the first level injected.", ["64483"]),
        ("CPT® 99213 describes an office visit.", ["99213"]),
        ("G0444 is used for the annual screening.", ["G0444"]),
        ("99214 is reported when the decision making is moderate.", ["99214"]),
        ("For 1 to 5 nails, use 11720 instead.", []),
        ("The 99213 visit was billed.", []),
    ],
)
def test_code_phrasing(text, named):
    from ingest.stages.clean import phrased_codes

    assert [code for code, _ in phrased_codes(text)] == named


def test_phrased_code_wins_over_bare_mentions():
    page = _page(
        "37531 is the CPT code for a rare procedure performed in clinic.",
        "It is often compared with 37532 and 37533 in coding audits.",
    )
    assert page.code == "37531"


# --- headings by their look -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "section"),
    [("CLINICAL USES:", "indications"), ("CODING TIPS", "billing"), ("SIMILAR CODES:", "related_codes"), ("TYPICAL TIME:", "duration")],
)
def test_all_caps_lines_are_headings(heading, section):
    page = _page("A procedure that is described in one long enough sentence here.", heading, "Useful detail", "More useful detail",
                 kinds={2: Kind.ITEM, 3: Kind.ITEM})
    sec = next(s for s in page.sections if s.heading == heading.rstrip(":"))
    assert sec.section == section and sec.items == ["Useful detail", "More useful detail"]


def test_all_caps_label_over_another_label_is_not_a_heading():
    from ingest.stages.parse import is_all_caps

    page = _page("A procedure that is described in one long enough sentence here.", "RESOURCES", "COMPANY",
                 "Screening uses a short questionnaire first, then a longer one.")
    assert "RESOURCES" not in [s.heading for s in page.sections]
    assert is_all_caps("WHO MAY GIVE THE INJECTION:") and is_all_caps("HCPCS G0444: ANNUAL SCREENING")
    assert not is_all_caps("PHQ") and not is_all_caps("Coding tips")


def test_bold_lines_are_headings_and_bold_labels_are_facts():
    from ingest.stages.extract import EMPHASIS_LEVEL

    lines = [
        Line("Code: 11721", Kind.TEXT, 1),
        Line("Description", Kind.TEXT, 2, level=EMPHASIS_LEVEL),
        Line("Debridement of nail(s) by any method(s); 6 or more", Kind.TEXT, 3),
        Line("Explanation for Patients", Kind.TEXT, 4, level=EMPHASIS_LEVEL),
        Line("Thick toenails are trimmed and filed down at one visit.", Kind.TEXT, 5),
    ]
    page, _ = parse_page(lines, [], PageContext())
    assert ("Code", "11721") in page.facts
    assert [(s.section, s.heading) for s in page.sections[1:]] == [
        ("official_description", "Description"), ("lay_description", "Explanation for Patients")]


def test_a_title_that_names_a_code_is_the_title_even_with_section_words():
    page = _page(
        "CPT 20610 describes arthrocentesis of a major joint without ultrasound guidance.",
        ctx=PageContext(title="How to Bill CPT 20610 for Knee Injections | The Coding Blog"),
    )
    assert page.title == "How to Bill CPT 20610 for Knee Injections"
    assert _page("Billing Tips", "Bill it once a day.", ctx=PageContext(title="Billing Tips")).title != "Billing Tips"


def test_a_code_title_line_heads_the_overview():
    page = _page("Search box leftovers", "CPT 27447: Total Knee Arthroplasty",
                 "CPT 27447 is used for a total knee arthroplasty, in which both surfaces are replaced.")
    assert [(s.section, s.heading) for s in page.sections][-1] == ("overview", "CPT 27447: Total Knee Arthroplasty")
    # over another heading, it stays the overview's first line
    page = _page("CPT Code 93000: Electrocardiogram, routine ECG", "Purpose", "An ECG records the electrical activity of the heart.")
    assert page.sections[0].section == "overview" and page.sections[0].text_lines == ["CPT Code 93000: Electrocardiogram, routine ECG"]


def test_a_lone_number_heads_nothing():
    page = _page("1,234", "Yes. 99406 is reported for 3 to 10 minutes of counseling on the same day.")
    assert [s.heading for s in page.sections] == [""]


def test_reimbursement_is_what_is_paid():
    assert map_heading("Reimbursement")[0] == "cost_coverage"
    assert map_heading("Billing and Reimbursement")[0] in ("billing", "cost_coverage")


def test_a_descriptor_under_its_heading_is_content_even_when_it_names_a_section_word():
    page = _page("Official Descriptor", "Continuous positive airway pressure (CPAP) device", "Plain-English Explanation",
                 "E0601 covers the CPAP machine that keeps the airway open during sleep.")
    assert [(s.section, s.text_lines) for s in page.sections][:1] == [
        ("official_description", ["Continuous positive airway pressure (CPAP) device"])]


def test_a_code_nested_in_json_ld_is_the_publishers_word():
    """schema.org pages give the code as a property of what they describe
    (MedicalProcedure.code -> MedicalCode), or inside an @graph."""
    procedure = {"@type": "MedicalProcedure", "name": "MRI of the knee",
                 "code": {"@type": "MedicalCode", "codeValue": "73721", "codingSystem": "CPT"}}
    page = _page("Our prices.", "MRI knee | 73721 | $2,840", "Related: 73722", ctx=PageContext(jsonld=(procedure,)))
    assert (page.code, page.code_system) == ("73721", "CPT")
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, procedure]}
    assert _page("Our prices.", ctx=PageContext(jsonld=(graph,))).code == "73721"


def test_a_line_that_defines_a_code_is_evidence_a_passing_mention_is_not():
    """A code table row or definition line ("71271 | Computed tomography, ...") names what
    the page covers; a code only mentioned in passing (G0296 in a sentence) does not compete."""
    page = _page("Lung cancer screening", "71271 | Computed tomography, thorax, low dose for screening | Covered",
                 "A counseling visit (G0296) must come first.")
    assert page.code == "71271"
    bare = _page("Lung cancer screening", "The visit and 71271 are both needed.", "A counseling visit (G0296) comes first.")
    assert bare.code is None and bare.code_reason.startswith("no_code_found")
    table = _page("Lab prices", "84443 | Thyroid stimulating hormone (TSH) | $45",
                  "80053 | Comprehensive metabolic panel | $60")
    assert table.code is None and table.code_reason.startswith("several_codes")


def test_an_add_on_code_is_not_the_page_code_when_its_primary_is_there():
    page = _page("Skin biopsy coding", "11102 Tangential biopsy of skin (eg, shave, scoop); single lesion",
                 "11103 Tangential biopsy of skin; each separate/additional lesion (List separately in addition to code for primary procedure)")
    assert page.code == "11102"
    first = _page("Vaccines", "90471 pays for the first injected vaccine. Each additional vaccine is reported with add-on code 90472.",
                  "90472 Each additional vaccine (single or combination)")
    assert first.code == "90471"  # the add-on wording of 90471's line is about another code


@pytest.mark.parametrize(("text", "removed"), [
    ("X-ray chest, 2 views | 71046 | $386.00", False),
    ("You have 3 free page views remaining", True),
    ("2 more free views this month", True),
])
def test_a_procedure_with_views_is_not_a_view_counter(text, removed):
    from ingest.stages.clean import clean_lines

    kept, gone = clean_lines([Line(text, Kind.TEXT, 1)])
    assert bool(gone) is removed, (kept, gone)


def test_the_heading_that_repeats_the_page_title_is_the_overview():
    """Convention 1 of the labelled sets: the page's title heading is the overview, whatever
    its words, also when a notice came before it."""
    lines = [Line("Visitor notice: masks are required in our clinics.", Kind.TEXT, 1),
             Line("Complete Abdominal Ultrasound", Kind.HEADING, 2, level=2),
             Line("An ultrasound looks at the organs of your abdomen.", Kind.TEXT, 3),
             Line("How to prepare", Kind.HEADING, 4, level=2),
             Line("Do not eat for 8 hours before.", Kind.TEXT, 5)]
    page, _ = parse_page(lines, [], PageContext(title="Complete Abdominal Ultrasound | Price Estimates | Northwind Health"))
    by_heading = {s.heading: s.section for s in page.sections}
    assert by_heading["Complete Abdominal Ultrasound"] == "overview"
    assert by_heading["How to prepare"] == "preparation"
    other, _ = parse_page(lines, [], PageContext(title="Something else entirely | Site"))
    assert {s.heading: s.section for s in other.sections}["Complete Abdominal Ultrasound"] != "overview"


def test_numbered_headings_of_a_text_dump_are_headings():
    """'1. Overview' / '2) Coding tips' reach the parser as one-item lists; a short item
    after prose and before prose (or before longer items) is a heading, while the first item
    of a list under a heading ('Risks' / '- Bleeding') stays an item."""
    lines = [Line("How to bill 97530 therapeutic activities", Kind.HEADING, 1, level=1),
             Line("Overview", Kind.ITEM, 2),
             Line("CPT 97530 covers dynamic activities that improve functional performance.", Kind.TEXT, 3),
             Line("Coding tips", Kind.ITEM, 4),
             Line("Bill units with the 8-minute rule when the payer follows CMS timing.", Kind.ITEM, 5),
             Line("Risks", Kind.TEXT, 6),
             Line("Bleeding", Kind.ITEM, 7),
             Line("Perforation of the colon, about 1 in 1,000 exams", Kind.ITEM, 8)]
    page, _ = parse_page(lines, [], PageContext())
    headings = {s.heading: s.section for s in page.sections}
    assert headings.get("Overview") == "overview" and headings.get("Coding tips") == "billing"
    assert "Bleeding" not in headings
    assert "Bleeding" in next(s for s in page.sections if s.section == "complications").items


@pytest.mark.parametrize("text", ["SKU 48213 · In stock", "Item #50322 ships free", "Showing prices for ZIP 30309",
                                  "Model 51870, 18-inch seat", "Order no. 44120 was shipped"])
def test_a_number_labelled_as_another_identifier_is_not_a_code(text):
    page = _page("Knee walker", text, "HCPCS code: E0118 applies to this product.")
    assert page.code == "E0118"
    assert all(e.code == "E0118" for e in page.evidence)


def test_a_table_row_is_content_whatever_its_cells_say():
    """Extraction joins a row's cells with ' | '; a row whose cells name sections
    ("Component | Non-facility | Facility") is still a row: content, never a heading."""
    lines = [Line("RVU breakdown", Kind.HEADING, 1, level=2),
             Line("Component | Non-facility | Facility", Kind.TEXT, 2),
             Line("Work RVU | 0.94 | 0.94", Kind.TEXT, 3),
             Line("Total RVU | 2.11 | 1.47", Kind.TEXT, 4)]
    page, dropped = parse_page(lines, [], PageContext())
    assert not dropped
    texts = [t for s in page.sections for t in s.text_lines]
    assert texts == ["Component | Non-facility | Facility", "Work RVU | 0.94 | 0.94", "Total RVU | 2.11 | 1.47"]


def test_clear_memos_empties_every_per_line_memo():
    """The benchmark measures runs with the per-line memos emptied first (pipeline.clear_memos);
    a memo left out would make later timed runs look faster than a first run."""
    from ingest.stages import boilerplate, clean, dedup, extract, sections
    from ingest.runtime.pipeline import clear_memos

    memos = {fn for module in (clean, dedup, extract, sections, boilerplate) for fn in vars(module).values()
             if callable(getattr(fn, "cache_clear", None)) and fn.cache_info().maxsize != 1}
    assert len(memos) >= 11
    clean.match_rule("Sign up for our newsletter", clean.Kind.TEXT)
    boilerplate.text_features("Start free")
    dedup.page_signature(["A line of words for the signature"])
    assert any(fn.cache_info().currsize for fn in memos)
    clear_memos()
    assert all(fn.cache_info().currsize == 0 for fn in memos)


# --- fields of ordinary pages (issue: wrong code fields) ---------------------------------

from ingest.config import Limits
from ingest.stages.extract import extract_text

LAMINECTOMY = """CPT Code 63047: Lumbar Laminectomy with Decompression

Overview
CPT code 63047 reports a laminectomy, facetectomy and foraminotomy at one lumbar segment, done to relieve pressure on the nerve roots.

Add-on Code
When more than one lumbar segment is decompressed, each extra segment is reported with +63048, an add-on code listed separately in addition to the primary procedure.
"""

KNEE = """27447

Arthroplasty, knee, condyle and plateau; medial AND lateral compartments with or without patella resurfacing (total knee arthroplasty)

Description
During a total knee arthroplasty, the surgeon removes the worn joint surfaces of the femur and the tibia and fits metal and plastic parts in their place.
"""

HIP = """27130

Total Hip Arthroplasty

Description
During a total hip arthroplasty, the surgeon replaces the ball and the socket of the hip joint with artificial parts, relieving pain from arthritis.
"""


def _dump(text: str):
    page, _ = parse_page(extract_text(text, Limits()), [], PageContext())
    return page


def test_another_codes_add_on_does_not_make_the_page_an_add_on():
    page = _dump(LAMINECTOMY)
    assert (page.code, page.is_add_on) == ("63047", False)


def test_own_add_on_statement_makes_the_page_an_add_on():
    page = _dump(LAMINECTOMY.replace("63047", "63048").replace("+63048, an add-on", "this add-on"))
    assert page.code == "63048" and page.is_add_on


def test_code_standing_alone_over_its_descriptor():
    page = _dump(KNEE)
    assert page.code == "27447"
    assert page.title.startswith("Arthroplasty, knee, condyle and plateau")
    assert page.official_description.startswith("Arthroplasty, knee, condyle and plateau")
    assert page.lay_description.startswith("During a total knee arthroplasty")


def test_plain_description_paragraph_is_the_lay_description():
    page = _dump(HIP)
    assert (page.code, page.title) == ("27130", "Total Hip Arthroplasty")
    assert page.official_description is None
    assert page.lay_description.startswith("During a total hip arthroplasty")


def test_code_stated_as_the_answer_of_a_sentence():
    page = _dump(
        "The procedure code for a needle aspiration of the shoulder joint is typically 20610. "
        "This code covers aspiration or injection of a major joint or bursa.\n"
    )
    assert page.code == "20610"


def test_two_codes_compared_make_a_page_about_neither():
    page = _dump("Question of the week\n\nQ1234 vs Q1235\n\nWhat separates Q1234 from Q1235? Q1234 is a removable insert.\n")
    assert page.code is None and page.code_reason.startswith("several_codes")


def test_code_system_follows_the_code_and_a_disagreeing_label_is_a_warning():
    jsonld = ({"@type": "MedicalCode", "codeValue": "J1100", "codingSystem": "CPT"},)
    page = _page("Dexamethasone injection", "J1100 is billed per 1 mg.", ctx=PageContext(jsonld=jsonld))
    assert (page.code, page.code_system) == ("J1100", "HCPCS")
    assert page.warnings and "CPT" in page.warnings[0]


def _parse_dump(text: str):
    from ingest.config import Limits
    from ingest.stages.extract import extract_text

    page, removed = parse_page(extract_text(text, Limits()), [], PageContext())
    return page, removed


def test_a_label_glued_to_its_value_is_content_not_a_heading():
    page, removed = _parse_dump(
        "RVU Breakdown\n\nWork RVU19.11\nTotal RVU19.11\n\nEst. Medicare Payment\n\n$638.27\n\n"
        "National estimate based on the physician fee schedule, before local adjustment.\n"
    )
    body = {sec.heading: sec.text for sec in page.sections}
    assert body["RVU Breakdown"] == "Work RVU19.11\nTotal RVU19.11"
    assert not any(r.rule == "empty_heading" for r in removed)


def test_a_flattened_markdown_block_is_kept_as_written():
    line = (
        "## **What is the code?** The code describes a breathing device used at night. It is billed "
        "monthly as a rental, with the supplies billed on their own codes when the patient needs them."
    )
    page, removed = _parse_dump(f"Device guide\n\nA short introduction to the device and how it is billed.\n{line}\n")
    texts = "\n".join(sec.text for sec in page.sections)
    assert line in texts.splitlines()
    assert not any(r.text.startswith("What is the code?") for r in removed)


def test_inline_bold_stays_as_written_and_a_bold_label_is_a_fact():
    page, _ = _parse_dump(
        "Overview\n\nThe visit needs a **low level of medical decision making** and 20 minutes.\n"
        "**Code:** 99213\n## Billing **tips**\n\n- **Documentation**: note the time spent with the patient.\n"
    )
    texts = "\n".join(sec.text for sec in page.sections)
    assert "The visit needs a **low level of medical decision making** and 20 minutes." in texts
    assert ("Code", "99213") in page.facts
    assert any(sec.heading == "Billing tips" for sec in page.sections)
    items = [item for sec in page.sections for item in sec.items]
    assert "Documentation: note the time spent with the patient." in items


def test_a_label_over_a_value_or_over_facts_heads_them():
    page, _ = _parse_dump(
        "Knee arthroscopy with meniscectomy\n\nName of the Procedure:\n\nKnee Arthroscopy, Medial Meniscectomy\n\n"
        "Summary\n\nThe surgeon trims the torn cartilage through two small cuts beside the knee.\n\n"
        "Other Names:\n- Common Name: Knee scope\n- Technical Term: Arthroscopic meniscectomy\n\n"
        "Why It Matters\n\nCPT codes serve several purposes:\n- Billing: a uniform language for claims\n"
        "- Research: counts of procedures across payers\n"
    )
    by_heading = {sec.heading: sec for sec in page.sections}
    assert by_heading["Name of the Procedure"].text == "Knee Arthroscopy, Medial Meniscectomy"
    assert by_heading["Other Names"].items == ["Common Name: Knee scope", "Technical Term: Arthroscopic meniscectomy"]
    why = by_heading["Why It Matters"]  # a lead-in right under a heading stays its content
    assert why.text == "CPT codes serve several purposes:" and len(why.items) == 2


def test_a_short_title_over_a_one_line_block_before_the_next_section_heads_it():
    page, _ = _parse_dump(
        "How This Code Compares\n\nWith a work value of 19, this code ranks high among surgery codes in its family.\n\n"
        "Specialties\n\nOrthopedic SurgeryJoint Replacement\n\nFrequently Asked Questions\n\n"
        "Who bills this code?\n\nThe surgeon who performs the replacement bills it once per knee.\n"
    )
    by_heading = {sec.heading: sec for sec in page.sections}
    assert by_heading["Specialties"].text == "Orthopedic SurgeryJoint Replacement"
    assert "Specialties" not in by_heading["How This Code Compares"].text


def test_a_title_over_a_label_heads_the_labelled_block():
    page, _ = _parse_dump(
        "An electrocardiogram records the heart's electrical activity with twelve leads on the chest.\n"
        "What Is CPT 93000?\nOfficial CPT definition:\n\"Electrocardiogram, routine, with interpretation and report\"\n"
        "What CPT 93000 Includes\nCPT 93000 covers:\n- Placing the leads\n- Reading the tracing\n"
    )
    headings = [sec.heading for sec in page.sections]
    assert "What Is CPT 93000?" in headings and "What CPT 93000 Includes" in headings


def test_a_numbered_heading_over_a_long_line_cut_short_is_a_heading():
    page, _ = _parse_dump(
        "How to use the strips\n\n1. Wash your hands before the test.\n2. Insert the strip into the meter.\n\n"
        "3. When to use HCPCS code A4253\n\n"
        "HCPCS code A4253 should be used when billing for blood glucose test strips for home monitors used by the\n"
    )
    assert "When to use HCPCS code A4253" in [h for sec in page.sections for h in (sec.heading, *sec.merged_headings)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aAdD- onslitep.;27447", max_size=40))
def test_add_on_candidates_keep_every_line_the_add_on_patterns_match(text: str) -> None:
    """_is_add_on searches only the lines _add_on_candidates keeps: none that its patterns match is dropped."""
    import re

    from ingest.stages import parse

    said = re.compile(parse._IS_ADD_ON.format(code="27447"), re.IGNORECASE)
    line = Line(text, Kind.TEXT, 1)
    if said.search(text) or parse._ADD_ON_DESCRIPTOR.search(text):
        assert parse._add_on_candidates([line]) == [text]


def test_is_add_on_reads_upper_case_wording_and_ignores_lines_without_it() -> None:
    from ingest.stages import parse

    lines = [Line("CPT 22614 Overview", Kind.HEADING, 1), Line("22614 IS AN ADD-ON code for spine surgery.", Kind.TEXT, 2)]
    assert parse._add_on_candidates(lines) == [lines[1].text]
    assert parse._is_add_on("22614", lines, None, None)
    assert not parse._is_add_on("22614", lines[:1], None, None)
    other = [Line("Each Additional level is billed as +22614.", Kind.TEXT, 1)]
    assert not parse._is_add_on("22612", other, None, None)
    assert parse._is_add_on("22614", other, None, None)


def test_heading_tokens_drop_numbers_and_keep_words() -> None:
    """Codes, years and counts (any digits, in any script) never name a section; a letter
    before a code's digits stays a word of its own."""
    from ingest.stages.sections import heading_tokens

    assert heading_tokens("CPT® 21183 Complications of L3000 in 2024 ٣٤٥٦٧ Risks") == ("complication", "l", "risk")
    assert map_heading("Complications of CPT 21183") == map_heading("Complications")
