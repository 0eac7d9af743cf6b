"""Pages of other layouts than the seeds: HTML with JSON-LD, another text site, scraper JSONL."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.config import Settings
from ingest.pipeline import run

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
    from ingest.extract import extract_html

    html = (
        "<html><head><title>CPT 11042 debridement</title></head><body><h1>CPT 11042: Debridement</h1>"
        "<div class='modal-content'><h2>Indications</h2><p>Debridement removes dead tissue from chronic wounds so that they can heal properly.</p>"
        "<ul><li>Diabetic foot ulcers</li><li>Pressure injuries</li></ul></div></body></html>"
    )
    extracted = extract_html(html, Limits())
    assert "main content taken from trafilatura" in extracted.warnings
    texts = [ln.text for ln in extracted.lines]
    assert "Indications" in texts and "Diabetic foot ulcers" in texts
