"""Unit tests for ingest.stages.clean: the rule catalogue line by line, glued promos, brand lines, the
page-structure flags, and corpus template learning. Every page here is invented for the test."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.stages import boilerplate
from ingest.stages.clean import (
    TEMPLATE_MIN_PAGES, TemplateModel, apply_templates, clean_lines, key_hash, learn_templates, likely_code,
    match_rule, normalize_key, phrased_codes, remove_brand_lines, split_glued, template_keys, template_mask,
)
from ingest.models import Kind, Line

T, H, I = Kind.TEXT, Kind.HEADING, Kind.ITEM
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

S1 = "Arthroscopic knee surgery repairs torn cartilage through two small incisions in the joint."
S2 = "Most patients walk with crutches for about a week after the procedure is done."
S3 = "The surgeon checks the ligaments and trims loose fragments before closing the portals."


def page(*specs: tuple[str, Kind]) -> list[Line]:
    """Lines numbered 1.. in order, as an extractor would hand them over."""
    return [Line(text, kind, n) for n, (text, kind) in enumerate(specs, start=1)]


def rules_by_line(specs: list[tuple[str, Kind]]) -> dict[int, str]:
    _, removed = clean_lines(page(*specs))
    return {r.line_no: r.rule for r in removed}


def kept_texts(specs: list[tuple[str, Kind]]) -> list[str]:
    kept, _ = clean_lines(page(*specs))
    return [ln.text for ln in kept]


# --- normalize_key and the rule catalogue ------------------------------------------------


def test_normalize_key_folds_case_space_and_end_punctuation_but_keeps_digits() -> None:
    assert normalize_key("  Sign   UP today!  ") == "sign up today"
    assert normalize_key("• Code 21183:") == "code 21183"
    assert normalize_key("Code 21183") != normalize_key("Code 21184")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("© 2024 Pinewood Billing Partners. All rights reserved.", "copyright"),
        ("CPT® is a registered trademark of the American Medical Association.", "trademark"),
        ("Sign up for free", "login_signup"),
        ("Learn more", "call_to_action"),
        ("Subscribe to our newsletter", "newsletter"),
        ("Was this page helpful?", "feedback_widget"),
        ("Page 2 of 5", "page_number"),
        ("Privacy policy", "footer_link"),
    ],
)
def test_match_rule_names_the_catalogue_rule(text: str, rule: str) -> None:
    assert match_rule(text, T) == rule


def test_match_rule_leaves_content_alone() -> None:
    assert match_rule(S1, T) is None
    assert match_rule("CPT Code 29881 Knee Arthroscopy", H) is None
    assert match_rule("Fee: $420 on average", T) is None


def test_match_rule_respects_max_words() -> None:
    """A sentence that mentions signing up is content once it is longer than a button."""
    long_line = "Sign up " + " ".join(["patients"] * 30) + " before surgery."
    assert match_rule("Sign up", T) == "login_signup"
    assert match_rule(long_line, T) is None


def test_match_rule_sees_through_a_leading_icon() -> None:
    assert match_rule("Learn more", T) == "call_to_action"
    assert match_rule("👉 Learn more", T) == "call_to_action"


# --- glued promos --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "promo", "rest"),
    [
        ("Learn morePost-Procedure Follow-Up", "Learn more", "Post-Procedure Follow-Up"),
        ("The wound heals in two weeks.Download our app", "Download our app", "The wound heals in two weeks."),
        ("NewBilling Guidelines", "New", "Billing Guidelines"),
        ("Billing rulesUpdated", "Updated", "Billing rules"),
        ("Chat with a coderMEDICARE PAYMENT", "Chat with a coder", "MEDICARE PAYMENT"),
    ],
)
def test_split_glued_cuts_the_promo_and_keeps_the_content(text: str, promo: str, rest: str) -> None:
    lines = [Line(text, T, 7, level=2, blank_before=True)]
    out, removed = split_glued(lines)
    assert [ln.text for ln in out] == [rest]
    assert (out[0].line_no, out[0].level, out[0].blank_before) == (7, 2, True)
    assert [(r.line_no, r.text, r.rule) for r in removed] == [(7, promo, "glued_promo")]


def test_split_glued_leaves_ordinary_lines_untouched() -> None:
    lines = page((S1, T), ("Knee Arthroscopy", H), ("Ice and rest", I))
    out, removed = split_glued(lines)
    assert out == lines
    assert removed == []


def test_clean_lines_reports_the_glued_promo_and_keeps_the_heading() -> None:
    kept, removed = clean_lines(page(("CPT Code 29881", H), (S1, T), ("Learn moreRecovery Timeline", H), (S2, T)))
    assert "Recovery Timeline" in [ln.text for ln in kept]
    assert [(r.line_no, r.text, r.rule) for r in removed] == [(3, "Learn more", "glued_promo")]


# --- brand lines ---------------------------------------------------------------------------


def test_remove_brand_lines_drops_the_logo_text_only() -> None:
    lines = page(("Maple Coding", T), ("Maple coding tips for knees", H), ("MapleCoding", I), (S1, T))
    kept, removed = remove_brand_lines(lines, ["maplecoding"])
    assert [(r.line_no, r.rule) for r in removed] == [(1, "site_name")]
    # A list item that happens to be the name stays, and so does a heading that only mentions it.
    assert [ln.line_no for ln in kept] == [2, 3, 4]


def test_remove_brand_lines_ignores_short_names() -> None:
    lines = page(("Acu", T), (S1, T))
    kept, removed = remove_brand_lines(lines, ["acu", ""])
    assert kept == lines
    assert removed == []


# --- codes named as codes ------------------------------------------------------------------


def test_phrased_codes_gives_each_code_and_its_offset() -> None:
    text = "Report CPT Code 21183 and code 21184 today"
    found = phrased_codes(text)
    assert [c for c, _ in found] == ["21183", "21184"]
    assert all(text[off : off + 5] == code for code, off in found)


def test_phrased_codes_gated_forms_and_bare_numbers() -> None:
    assert phrased_codes("37531 is the CPT code for ablation") == (("37531", 0),)
    assert phrased_codes("Call 55555 for an appointment") == ()


def test_likely_code_is_the_code_named_most_often() -> None:
    lines = page(("CPT Code 21183 overview", H), ("Use code 21183 for this", T), ("Compare with code 99213", T))
    assert likely_code(lines) == "21183"
    assert likely_code(page((S1, T), ("Room 21183 on the left", T))) is None


# --- page structure ------------------------------------------------------------------------


def test_nav_run_before_content_is_removed() -> None:
    got = rules_by_line([("Home", T), ("Codes", T), ("Tools", T), ("Forum", T), ("CPT Code 29881", H), (S1, T)])
    assert got == {1: "nav_menu", 2: "nav_menu", 3: "nav_menu", 4: "nav_menu"}


def test_two_short_lines_before_content_are_not_a_menu() -> None:
    specs = [("Knee guide", T), ("Orthopedics", T), ("CPT Code 29881", H), (S1, T)]
    assert rules_by_line(specs) == {2: "category_badge"}  # no menu; the kicker over the title is a badge


def test_short_lines_after_the_footer_boundary_are_page_tail() -> None:
    specs = [("CPT Code 29881", H), (S1, T), (S2, T), ("© 2025 Maple Coding Co.", T), ("Knees first", T),
             ("Built for busy coders", T)]
    assert rules_by_line(specs) == {4: "copyright", 5: "page_tail", 6: "page_tail"}


def test_tail_naming_the_pages_own_code_is_kept_with_its_neighbours() -> None:
    specs = [("CPT Code 29881", H), (S1, T), ("Code 29881 is billed once per knee.", T), (S2, T),
             ("© 2025 Maple Coding Co.", T), ("Knees first", T), ("See 29881 pricing", T)]
    got = rules_by_line(specs)
    assert got == {5: "copyright"}
    assert "See 29881 pricing" in kept_texts(specs)


def test_tail_with_a_sentence_is_not_chrome() -> None:
    long_line = "Surgeons " + " ".join(["often"] * 16) + " recommend it"
    specs = [("CPT Code 29881", H), (S1, T), ("© 2025 Maple Coding Co.", T), ("Knees first", T), (long_line, T)]
    assert rules_by_line(specs) == {3: "copyright"}


def test_link_list_under_a_related_header() -> None:
    specs = [("CPT Code 29881", H), (S1, T), ("Related questions", T), ("What is code 29880?", T),
             ("Can 29881 be billed twice?", T), ("Recovery", H), (S2, T)]
    got = rules_by_line(specs)
    assert got == {3: "link_list", 4: "link_list", 5: "link_list"}
    assert "Recovery" in kept_texts(specs)


def test_table_of_contents_stops_where_the_body_repeats_an_entry() -> None:
    specs = [("CPT Code 29881", H), ("Table of contents", T), ("Overview", T), ("Recovery", T),
             ("Overview", H), (S1, T), ("Recovery", H), (S2, T)]
    got = rules_by_line(specs)
    assert got == {2: "toc", 3: "toc", 4: "toc"}
    assert kept_texts(specs) == ["CPT Code 29881", "Overview", S1, "Recovery", S2]


def test_author_box_takes_the_biography_up_to_the_next_heading() -> None:
    bio = "Jane Roe has coded orthopedic claims for fifteen years in clinics."
    specs = [("CPT Code 29881", H), (S1, T), ("About the author", T), (bio, T), ("Recovery", H), (S2, T)]
    assert rules_by_line(specs) == {3: "author_box", 4: "author_box"}


def test_duplicates_long_lines_anywhere_short_lines_only_back_to_back() -> None:
    specs = [("CPT Code 29881", H), (S1, T), (S2, T), (S1, T), ("Yes.", T), ("Recovery", H), ("Yes.", T),
             ("Ice", I), ("Rest", I), ("Ice", I), ("Ice", I)]
    assert rules_by_line(specs) == {4: "duplicate_line", 11: "duplicate_line"}


def test_keyword_stuffing_is_one_code_repeated_with_code_set_words() -> None:
    stuffed = "CPT 29881, cpt code 29881, 29881 cpt code"
    assert rules_by_line([("CPT Code 29881", H), (S1, T), (stuffed, T), (S2, T)]) == {3: "keyword_stuffing"}
    # Two different codes, or other words: a sentence about the codes, kept.
    real = "Code 29881 pairs with 29880 and 29880 often here"
    assert rules_by_line([("CPT Code 29881", H), (S1, T), (real, T), (S2, T)]) == {}


def test_feedback_replies_go_with_the_widget_but_facts_stay() -> None:
    specs = [("CPT Code 29881", H), (S1, T), ("Was this page helpful?", T), ("Thanks!", T),
             ("Sorry to hear that.", T), ("Recovery", H), (S2, T)]
    assert rules_by_line(specs) == {3: "feedback_widget", 4: "feedback_widget", 5: "feedback_widget"}
    specs = [("CPT Code 29881", H), (S1, T), ("Was this page helpful?", T), ("Fee: $420 on average", T), (S2, T)]
    assert rules_by_line(specs) == {3: "feedback_widget"}


def test_lone_number_next_to_a_counter_label_is_the_counter() -> None:
    assert rules_by_line([("CPT Code 29881", H), (S1, T), ("14", T), ("votes", T), (S2, T)]) == {
        3: "vote_count", 4: "vote_count"}
    assert rules_by_line([("CPT Code 29881", H), (S1, T), ("Visitors since 1998:", T), ("1,204,773", T), (S2, T)]) == {
        3: "visitor_counter", 4: "visitor_counter"}
    # Without a label a number is content (a dosage, a count of sessions).
    assert rules_by_line([("CPT Code 29881", H), (S1, T), ("14", T), (S2, T)]) == {}


def test_clean_lines_keeps_a_plain_page_whole() -> None:
    lines = page(("CPT Code 29881 Knee Arthroscopy", H), (S1, T), ("Recovery", H), (S2, T), ("Ice the knee", I))
    kept, removed = clean_lines(lines)
    assert kept == lines
    assert removed == []


# --- properties ----------------------------------------------------------------------------

_words = st.sampled_from(
    ["Home", "Codes", "Tools", "Forum", "knee", "patients", "surgery", "recovery", "Learn more", "Sign up", "© 2025",
     "Maple Coding", "All rights reserved", "CPT code 29881", "29880", "votes", "14", "Thanks!", "Related questions",
     "About the author", "Was this page helpful?", "Table of contents", "Learn moreRecovery", "Yes.", ".", ",", ":"]
)
_line = st.tuples(
    st.one_of(st.lists(_words, min_size=1, max_size=18).map(" ".join), st.sampled_from([S1, S2, S3])),
    st.sampled_from([T, T, T, H, I]),
)


@FAST
@given(st.lists(_line, max_size=30))
def test_clean_lines_accounts_for_every_line(specs: list[tuple[str, Kind]]) -> None:
    """Nothing is lost silently: every input line is kept or has at least one Removed record,
    and a kept line is never also removed whole."""
    lines = page(*specs)
    kept, removed = clean_lines(lines)
    kept_nos = [ln.line_no for ln in kept]
    removed_nos = {r.line_no for r in removed}
    assert set(kept_nos) | removed_nos == {ln.line_no for ln in lines}
    assert kept_nos == sorted(kept_nos)
    whole = {(r.line_no, normalize_key(r.text)) for r in removed if r.rule != "glued_promo"}
    assert not any((ln.line_no, normalize_key(ln.text)) in whole for ln in kept)
    assert all(r.rule for r in removed)


@FAST
@given(st.text(max_size=60))
def test_normalize_key_keeps_every_digit(text: str) -> None:
    key = normalize_key(text)
    assert [c for c in key if c.isdigit()] == [c for c in text.casefold() if c.isdigit()]
    assert normalize_key(key) == key


# --- template learning ---------------------------------------------------------------------

SITE = "maple.example"
PROMO = "Maple readers enjoy a fresh tip every morning"


def site_page(n: int) -> list[Line]:
    """A page of the invented site: its promo on every page, and a body of its own."""
    code = f"2988{n}"
    return page(
        (f"CPT Code {code}", H),
        (PROMO, T),
        (f"Procedure {code} takes place in an outpatient clinic under regional anesthesia number {n}.", T),
        (f"Patient note {n} stays on this page", T),
        ("Category: Surgery", T),
        ("Ice the knee", I),
    )


def corpus(site: str, n_pages: int) -> list[tuple[str, np.ndarray]]:
    return [(site, template_keys(site_page(n))) for n in range(n_pages)]


def test_template_keys_are_distinct_sorted_hashes_of_line_keys() -> None:
    lines = page(("Learn more", T), ("learn MORE!", T), (S1, T))
    keys = template_keys(lines)
    assert keys.dtype == np.uint64
    assert keys.tolist() == sorted({key_hash("learn more"), key_hash(normalize_key(S1))})


def test_learn_templates_keeps_lines_that_recur_on_most_pages() -> None:
    model = learn_templates(corpus(SITE, TEMPLATE_MIN_PAGES))
    learned = model.lines[SITE]
    assert key_hash(normalize_key(PROMO)) in learned
    assert key_hash(normalize_key("Category: Surgery")) in learned
    assert key_hash(normalize_key("Patient note 0 stays on this page")) not in learned


def test_learn_templates_needs_enough_pages_and_counts_a_line_once_per_page() -> None:
    assert SITE not in learn_templates(corpus(SITE, TEMPLATE_MIN_PAGES - 1)).lines
    # A line printed many times on one page of six is not template.
    loud = template_keys(page(*[("Only here, many times", T)] * 10))
    pages = [*corpus(SITE, TEMPLATE_MIN_PAGES), (SITE, loud)]
    assert key_hash(normalize_key("Only here, many times")) not in learn_templates(pages).lines[SITE]


def test_learn_templates_keeps_sites_apart() -> None:
    model = learn_templates(corpus(SITE, TEMPLATE_MIN_PAGES) + corpus("oak.example", 2))
    assert set(model.lines) == {SITE}


def test_template_mask_protects_headings_items_facts_and_the_own_code() -> None:
    lines = site_page(1)
    learned = frozenset(key_hash(normalize_key(ln.text)) for ln in lines)  # every line recurs
    mask = template_mask(lines, SITE, TemplateModel({SITE: learned}), own_code="29881")
    # Only the promo goes: heading, the own code's sentence, the fact and the item stay, and the
    # short note in the body stays because what follows it (the fact) is not template.
    assert mask == [False, True, False, False, False, False]
    assert template_mask(lines, "other.example", TemplateModel({SITE: learned}), None) == [False] * len(lines)


def test_template_mask_never_takes_a_canonical_section_heading() -> None:
    """Every page of a site has "Possible Complications": structure, not chrome, even as plain text."""
    lines = page(("Possible Complications", T), (PROMO, T))
    learned = frozenset(key_hash(normalize_key(ln.text)) for ln in lines)
    assert template_mask(lines, SITE, TemplateModel({SITE: learned}), None) == [False, True]


def test_template_mask_keeps_a_recurring_label_over_page_specific_content() -> None:
    lines = page((S1, T), ("Our take", T), ("This knee page has its own answer here", T), ("Our take", T),
                 (PROMO, T))
    learned = frozenset({key_hash("our take"), key_hash(normalize_key(PROMO))})
    mask = template_mask(lines, SITE, TemplateModel({SITE: learned}), None)
    # "Our take" over the page's own answer stays; the second one, over the promo, goes with it.
    assert mask == [False, False, False, True, True]


def test_apply_templates_removes_template_lines_and_says_which_site() -> None:
    model = learn_templates(corpus(SITE, TEMPLATE_MIN_PAGES))
    lines = site_page(3)
    with boilerplate.using(None):
        kept, removed = apply_templates(lines, SITE, model, own_code="29883")
    assert [(r.line_no, r.text, r.rule, r.score) for r in removed] == [(2, PROMO, f"template:{SITE}", None)]
    assert [ln.line_no for ln in kept] == [1, 3, 4, 5, 6]


def test_apply_templates_without_a_model_for_the_site_keeps_everything() -> None:
    lines = site_page(2)
    with boilerplate.using(None):
        kept, removed = apply_templates(lines, "unseen.example", TemplateModel({}), own_code=None)
    assert kept == lines
    assert removed == []


def test_a_buttons_label_is_chrome_but_a_heading_naming_its_subject_stays() -> None:
    specs = [
        ("CPT 99213: Office Visit", Kind.TEXT),
        ("Use Code", Kind.TEXT),
        ("Open Dashboard", Kind.TEXT),
        ("Follow-Up Visits", Kind.TEXT),
        ("Use of Modifier 25", Kind.TEXT),
        ("Check the payer's policy before you bill the visit with a modifier.", Kind.TEXT),
        ("Compare Plans", Kind.ITEM),
    ]
    assert rules_by_line(specs) == {2: "button_label", 3: "button_label"}


def test_a_repeat_under_a_label_is_its_value() -> None:
    specs = [
        ("Colonoscopy, flexible; with biopsy, single or multiple", Kind.TEXT),
        ("Name of the Procedure:", Kind.TEXT),
        ("Colonoscopy, Flexible; with Biopsy, Single or Multiple", Kind.TEXT),
        ("A colonoscopy looks at the lining of the large bowel with a camera on a flexible tube.", Kind.TEXT),
        ("Colonoscopy, flexible; with biopsy, single or multiple", Kind.TEXT),
    ]
    assert rules_by_line(specs) == {5: "duplicate_line"}


def test_the_site_speaking_of_itself_is_chrome() -> None:
    assert match_rule("Note: Our site explains codes in plain words and is not an official source.", T) == "site_self"
    assert match_rule("This website is not affiliated with any payer.", T) == "site_self"
    assert match_rule("Our clinic bills 99213 for most follow-up visits of this kind.", T) is None


def test_a_line_opening_with_the_sites_name_that_sells_is_a_brand_pitch() -> None:
    lines = page(
        ("Knee injection billing", T),
        ("Report 20610 once per joint, whatever the number of injections into it.", T),
        ("Clinicore provides end-to-end billing services for practices. Book a call today.", T),
        ("Clinicore's claims software tracks units and modifiers for you.", T),
        ("Clinicore Health considers the injection medically necessary after six weeks of therapy.", T),
    )
    kept, removed = apply_templates(lines, "www.clinicore.com", TemplateModel({}), "20610")
    assert {r.line_no: r.rule for r in removed if r.rule == "brand_pitch"} == {3: "brand_pitch", 4: "brand_pitch"}
    assert [ln.line_no for ln in kept] == [1, 2, 5]


def test_a_category_badge_beside_the_title_is_chrome_but_a_heading_over_content_stays() -> None:
    specs = [
        ("Billing Codes", T),
        ("CPT 27447: Total knee arthroplasty", H),
        ("Surgery", T),
        ("Global 90d", T),
        ("Overview", T),
        ("Total knee arthroplasty replaces the worn surfaces of the knee joint with implants.", T),
    ]
    assert rules_by_line(specs) == {1: "category_badge", 3: "category_badge"}
    specs = [
        ("CPT 27447: Total knee arthroplasty", H),
        ("Overview", T),
        ("What is CPT 27447?", T),
        ("Total knee arthroplasty replaces the worn surfaces of the knee joint with implants.", T),
    ]
    assert rules_by_line(specs) == {}
    specs = [
        ("CPT 27447: Total knee arthroplasty", H),
        ("Key Takeaways", T),
        ("The code covers all three components of a primary replacement", T),
    ]
    assert rules_by_line(specs) == {}


def test_a_doubtful_line_in_a_chrome_run_at_the_pages_foot_goes() -> None:
    from ingest.stages.clean import RUN_MIN_SCORE, _chrome_runs

    lines = page(
        ("Bill the visit once per day.", T),
        ("Bill the visit once per day whatever the number of problems addressed in it.", T),
        ("Create your free account in minutes and start today with our billing team.", T),
        ("All States Covered", T),
        ("Start free", T),
        ("No Contracts", T),
    )
    scores = np.array([0.1, 0.6, 0.7, 0.55, 0.99, 0.6])
    assert RUN_MIN_SCORE <= 0.55
    # the foot run (2-5) holds a line at the threshold: the doubtful short lines and the selling
    # sentence go; the plain sentence in it has the benefit of the doubt
    assert _chrome_runs(lines, scores, 0.9).tolist() == [False, False, True, True, True, True]
    # no line at the threshold: nothing goes; inside the page (not touching an edge): nothing goes
    assert not _chrome_runs(lines, np.array([0.1, 0.6, 0.7, 0.55, 0.8, 0.6]), 0.9).any()
    assert not _chrome_runs(lines, np.array([0.1, 0.6, 0.95, 0.55, 0.2, 0.1]), 0.9).any()


def test_a_chrome_run_counts_as_the_line_models_removal_in_the_report() -> None:
    from ingest.runtime.summary import _removed_by

    assert _removed_by("chrome_run") == "line model"
    assert _removed_by("learned:arrow") == "line model"
    assert _removed_by("template:maple.example") == "template"
    assert _removed_by("brand_pitch") == "rules"


def test_a_promo_row_opening_with_a_button_is_chrome_but_a_table_row_is_not() -> None:
    specs = [
        ("CPT 99213: Office visit", T),
        ("Try CodeHelper | Chat-Based Coding Use it for free!", T),
        ("Check Eligibility | Required for every visit | Front desk", T),
        ("Report Once | Per session | Modifier 25 when separate", T),
        ("Bill the visit once per day whatever the number of problems addressed in it.", T),
    ]
    assert rules_by_line(specs) == {2: "button_label"}


def test_per_line_answers_are_memoised_and_forgotten_with_the_cleaners_memos() -> None:
    """Keyword stuffing, template shapes and code hits depend on a line's text alone: each is
    computed once per distinct text, and clean.clear_memos (which the pipeline calls) forgets them."""
    from ingest.stages import clean

    clean.clear_memos()
    stuffed = Line("CPT 21183 code 21183 CPT code 21183", Kind.TEXT, 1)
    lines = [stuffed, Line("See CPT code 21183 for the repair.", Kind.TEXT, 2)]
    for _ in range(3):
        flags: list[str | None] = [None, None]
        clean._flag_stuffing(lines, flags)
        assert flags == ["keyword_stuffing", None]
        assert clean.code_hits(lines[1].text) == (("21183", True),)
    assert clean._stuffing_text.cache_info().misses == 2
    assert clean._stuffing_text.cache_info().hits == 4
    assert clean.code_hits.cache_info().misses == 1
    clean.clear_memos()
    assert clean._stuffing_text.cache_info().currsize == 0
    assert clean.code_hits.cache_info().currsize == 0
    assert clean._template_text.cache_info().currsize == 0


def test_rules_for_a_length_are_the_catalogue_rules_that_can_apply_in_order() -> None:
    from ingest.stages import clean

    for n_words in (1, 6, 7, 12, 30, 200):
        for is_item in (False, True):
            expected = [
                rule_id
                for max_words, skip_items, _, _, rule_id in clean._TABLE
                if n_words <= max_words and not (skip_items and is_item)
            ]
            assert [rule_id for _, _, rule_id in clean._rules_for(n_words, is_item)] == expected
    assert len(clean._rules_for(1, False)) > len(clean._rules_for(200, False))
