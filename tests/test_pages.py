"""Pages of other layouts than the seeds: HTML with JSON-LD, another text site, scraper JSONL."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.config import Settings
from ingest.models import Kind
from ingest.runtime.pipeline import run

from .conftest import PAGES, copy_raw


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("pages")
    raw = copy_raw(tmp / "raw", PAGES)
    run(Settings(raw=raw, curated=tmp / "curated"))
    names = ["documents", "codes", "sections", "faq", "section_items", "removed_lines"]
    return {n: pd.read_parquet(tmp / "curated" / n) for n in names}


def _sections(tables, code: str) -> pd.DataFrame:
    s = tables["sections"]
    return s[s.code == code].sort_values("position")


def test_html_page_with_jsonld_and_sidecar(tables):
    docs = tables["documents"].set_index("raw_path")
    doc = docs.loc["cptlookup_27447.html"]
    assert (doc.code, doc.site, doc.status) == ("27447", "cptlookup.net", "curated")
    assert doc.url == "https://www.cptlookup.net/cpt/27447-total-knee-arthroplasty"
    code = tables["codes"].set_index("code").loc["27447"]
    assert code.title == "Total knee arthroplasty"
    assert code.official_description.startswith("Arthroplasty, knee, condyle and plateau")
    assert (code.cost_min_usd, code.cost_max_usd) == (20000.0, 50000.0)
    assert (code.duration_min_minutes, code.duration_max_minutes) == (60.0, 120.0)
    s = _sections(tables, "27447").set_index("section")
    assert list(s.loc["indications", "items"]) == [
        "Severe osteoarthritis of the knee", "Rheumatoid arthritis with joint destruction", "Post-traumatic arthritis after a fracture"
    ]
    assert len(s.loc["procedure", "items"]) == 4
    assert s.loc["procedure", "heading"] == "What Happens During the Procedure"
    assert list(s.loc["complications", "items"]) == ["Blood clots in the leg", "Infection of the joint", "Stiffness"]
    faq = tables["faq"]
    assert list(faq[faq.code == "27447"].question) == ["How long does the surgery take?", "Can I walk after the surgery?"]


def test_html_chrome_never_reaches_curated_text_and_is_audited(tables):
    s = _sections(tables, "27447")
    blob = " ".join(s.heading) + " ".join(s.text) + " ".join(i for items in s["items"] for i in items)
    for needle in ["cookies", "Share on Facebook", "newsletter", "Privacy Policy", "Home >", "27446", "Log in", "5 min read",
                   "registered trademark", "dataLayer", "99213"]:
        assert needle not in blob
    removed = tables["removed_lines"]
    doc_id = tables["documents"].set_index("raw_path").loc["cptlookup_27447.html", "document_id"]
    mine = removed[removed.document_id == doc_id]
    assert {"html_header", "html_footer", "html_aside", "html_chrome"} <= set(mine.rule)
    assert "5 min read" in set(mine.text)


def test_text_page_of_another_site(tables):
    doc = tables["documents"].set_index("raw_path").loc["medcodewiki_J1100.txt"]
    assert (doc.code, doc.code_system, doc.site) == ("J1100", "HCPCS", "medcodewiki")
    code = tables["codes"].set_index("code").loc["J1100"]
    assert [m["modifier"] for m in code.modifiers] == ["JW", "JZ"]
    s = _sections(tables, "J1100").set_index("section")
    assert len(s.loc["indications", "items"]) == 4
    assert s.loc["procedure", "text"] == "The drug is injected into a muscle or a vein by a nurse or physician."
    assert list(s.loc["complications", "items"]) == ["Increased blood sugar", "Trouble sleeping", "Mood changes"]
    removed = tables["removed_lines"]
    texts = set(removed[removed.document_id == doc.document_id].text)
    assert {"MedCodeWiki", "Home", "Browse Codes", "Tools", "Sign in", "Read more", "3 min read", "Share this page",
            "Was this page helpful?", "Privacy Policy", "Terms of Use"} <= texts


def test_jsonl_pages_duplicates_and_broken_line(tables):
    docs = tables["documents"]
    feed = docs[docs.raw_path == "codes_example_feed.jsonl"].set_index("line_no")
    assert list(feed.index) == [1, 2, 3, 4, 5]
    assert feed.loc[1, "code"] == "G0438" and feed.loc[1, "status"] == "curated"
    assert feed.loc[3, "status"] == "quarantined" and feed.loc[3, "reason"].startswith("malformed_jsonl_line")
    # Line 2 and 4 are the same page; line 5 is a re-scrape of it with a timestamp line, a view
    # counter, blank lines and other bullets, fetched last: it is kept and the others point at it.
    assert feed.loc[5, "status"] == "curated"
    assert (feed.loc[4, "status"], feed.loc[4, "duplicate_of"]) == ("duplicate", feed.loc[5, "document_id"])
    assert feed.loc[4, "reason"].startswith("near duplicate")
    assert (feed.loc[2, "status"], feed.loc[2, "duplicate_of"]) == ("duplicate", feed.loc[5, "document_id"])
    assert feed.loc[2, "reason"].startswith("exact duplicate")
    s = _sections(tables, "93000")
    assert list(s.section) == ["overview", "purpose", "procedure"]
    assert len(s.set_index("section").loc["procedure", "items"]) == 3
    assert s.document_id.nunique() == 1


def test_page_whose_content_hides_in_chrome_falls_back_to_trafilatura(tmp_path):
    """A site that wraps its article in a 'modal' container: our pruning finds no prose, and
    trafilatura's main-content extraction recovers it."""
    from ingest.config import Limits
    from ingest.stages.extract import extract_html

    html = (
        "<html><head><title>CPT 11042 debridement</title></head><body><h1>CPT 11042: Debridement</h1>"
        "<div class='modal-content'><h2>Indications</h2><p>Debridement removes dead tissue from chronic wounds so that they can heal properly.</p>"
        "<ul><li>Diabetic foot ulcers</li><li>Pressure injuries</li></ul></div></body></html>"
    )
    extracted = extract_html(html, Limits())
    assert "main content taken from trafilatura" in extracted.warnings
    texts = [ln.text for ln in extracted.lines]
    assert "Indications" in texts and "Diabetic foot ulcers" in texts


# --- HTML structures that are not h1-h6 / <li> / data tables (general patterns) ---------------

PROSE = "<p>This paragraph is long enough to count as prose for the page extractor.</p>"


def _extract(body: str):
    from ingest.config import Limits
    from ingest.stages.extract import extract_html

    return extract_html(f"<html><head><title>t</title></head><body>{body}</body></html>", Limits())


def test_aria_headings_and_div_lists_are_headings_and_items():
    ex = _extract(
        "<div role='heading' aria-level='2'>When to use it</div>"
        "<div role='list'><div role='listitem'><div></div><div>Symptoms of an infection</div></div>"
        "<div role='listitem'><span>2.</span> <div>Routine screening</div></div></div>" + PROSE
    )
    kinds = {ln.text: (ln.kind, ln.level) for ln in ex.lines}
    assert kinds["When to use it"] == (Kind.HEADING, 2)
    assert kinds["Symptoms of an infection"][0] is Kind.ITEM
    assert any(t.endswith("Routine screening") and k is Kind.ITEM for t, (k, _) in kinds.items())


def test_layout_table_cells_are_walked_and_bold_lines_are_marked():
    from ingest.stages.extract import EMPHASIS_LEVEL

    ex = _extract(
        "<table><tr><td><b>CODE LOOKUP</b><br><a href='/a'>E&amp;M Codes</a><br></td>"
        "<td><b>Code:</b> 11721<br><br><b><font color='red'>Description</font></b><br>"
        "Debridement of nail(s) by any method(s); 6 or more<br>" + PROSE + "</td></tr></table>"
    )
    by_text = {ln.text: ln for ln in ex.lines}
    assert by_text["Description"].kind is Kind.TEXT and by_text["Description"].level == EMPHASIS_LEVEL
    assert by_text["Code: 11721"].level == 0  # an inline bold label is a fact, not a heading
    assert "Debridement of nail(s) by any method(s); 6 or more" in by_text


def test_data_table_rows_stay_facts():
    ex = _extract("<table><tr><td>Global period</td><td>90 days</td></tr></table>" + PROSE)
    assert "Global period: 90 days" in [ln.text for ln in ex.lines]


def test_accordion_answers_are_content_and_overlays_are_chrome():
    ex = _extract(
        "<div class='sticky top-0'><a href='/'>Codes</a> <a href='/pricing'>Pricing</a></div>" + PROSE
        + "<div><button aria-expanded='false' aria-controls='faq-1'><span>Is a urine culture included?</span></button>"
        "<div id='faq-1' hidden>No. A culture is a separate test.</div></div>"
        "<button type='button'>Copy code</button><div hidden>Thanks for the feedback!</div>"
        "<div aria-roledescription='carousel'><a href='/codes/81000'>81000 Urinalysis</a></div>"
        "<div class='fixed bottom-0'>Loading your privacy choices…</div>"
        "<div class='ad-container'><div>Best Billing Software, Try Free</div></div>"
        "<div id='CybotCookiebotDialog'><h2>Your privacy matters to us</h2><p>Choose what we may store on your device.</p></div>"
    )
    texts = [ln.text for ln in ex.lines]
    assert "Is a urine culture included?" in texts and "No. A culture is a separate test." in texts
    for chrome in ("Copy code", "Thanks for the feedback!", "81000 Urinalysis", "Loading your privacy choices…", "Pricing",
                   "Best Billing Software, Try Free", "Your privacy matters to us"):
        assert not any(chrome in t for t in texts), chrome
    assert ("Thanks for the feedback!", "html_hidden") in ex.pruned


def test_runs_of_link_lines_are_link_lists_but_linked_items_stay():
    ex = _extract(
        PROSE + "<div>Company</div><div><a href='/about'>About</a></div><div><a href='/blog'>Blog</a></div>"
        "<div><a href='/careers'>Careers</a></div>"
        "<ul><li><a href='/ncd'>NCD 210.9</a></li><li><a href='/mln'>MLN booklet</a></li><li><a href='/x'>LCD L3</a></li></ul>"
    )
    texts = [ln.text for ln in ex.lines]
    assert not {"Company", "About", "Blog", "Careers"} & set(texts)
    assert {"NCD 210.9", "MLN booklet", "LCD L3"} <= set(texts)
    assert ("Blog", "html_link_list") in ex.pruned


def test_menu_panels_stay_hidden_and_related_code_links_stay():
    ex = _extract(
        "<button aria-controls='m' aria-expanded='false'>Menu</button><div id='m' hidden><a href='/x'>Pricing plans</a></div>"
        + PROSE + "<h2>Related codes</h2><div><a href='/c/99212'>99212</a></div><div><a href='/c/99214'>99214</a></div>"
        "<div><a href='/c/99215'>99215</a></div>"
        "<table><thead class='sticky top-0'><tr><th>Modifier</th><th>Meaning</th></tr></thead>"
        "<tr><td>26</td><td>Professional component</td></tr></table>"
    )
    texts = [ln.text for ln in ex.lines]
    assert "Pricing plans" not in texts
    assert {"99212", "99214", "99215", "Modifier: Meaning", "26: Professional component"} <= set(texts)


def test_tab_panels_are_content_headed_by_their_tab_labels():
    ex = _extract(
        "<div role='tablist'><button role='tab' id='t1' aria-controls='p1'>Billing</button>"
        "<button role='tab' id='t2' aria-controls='p2'>Coverage</button></div>"
        "<div role='tabpanel' id='p1' aria-labelledby='t1'><p>Bill one unit per session, whatever the number of views taken.</p></div>"
        "<div role='tabpanel' id='p2' aria-labelledby='t2' hidden><p>Medicare covers it once a year when it is medically necessary.</p></div>"
    )
    got = [(ln.text, ln.kind) for ln in ex.lines]
    assert got == [
        ("Billing", Kind.HEADING), ("Bill one unit per session, whatever the number of views taken.", Kind.TEXT),
        ("Coverage", Kind.HEADING), ("Medicare covers it once a year when it is medically necessary.", Kind.TEXT),
    ]


def test_div_tables_with_row_and_cell_classes_are_rows_but_grid_columns_are_not():
    ex = _extract(
        "<div class='cw-section-title'>Fee Schedule</div><div class='cw-table'>"
        "<div class='cw-row cw-head'><div class='cw-cell'>Setting</div><div class='cw-cell'>National average</div></div>"
        "<div class='cw-row'><div class='cw-cell'>Non-facility</div><div class='cw-cell'>$20</div></div></div>"
        "<div class='row'><div class='col-md-8'>" + PROSE + "</div><div class='col-md-4'><p>Side note that is also long enough here.</p></div></div>"
    )
    texts = [ln.text for ln in ex.lines]
    assert "Setting: National average" in texts and "Non-facility: $20" in texts
    assert "Side note that is also long enough here." in texts
