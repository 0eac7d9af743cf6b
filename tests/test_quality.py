"""Quality gate: cleaning and parsing measured on the labelled set of unseen sites, through the
production runner and the tables it publishes.

The floors in quality_floors.json may only go up. The issue's minimums are stricter than
nothing and looser than the floors: boilerplate leaked <= 1%, content kept >= 99%, code 100%.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.evaluate import _labels_for, evaluate_cleaning, labelled_page_tallies, read_table, score_labelled

from .test_realpages import write_tables

HERE = Path(__file__).resolve().parent
FLOORS = json.loads((HERE / "quality_floors.json").read_text())


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    return tmp_path_factory.mktemp("labelled") / "curated"


@pytest.fixture(scope="module")
def result(curated):
    return evaluate_cleaning(HERE / "labelled", curated=curated)


def test_figures_are_those_of_the_published_tables(result, curated):
    """The figures come from the tables the run published: each labelled page has its
    documents row there, and scoring those tables again gives the same tallies."""
    docs = read_table(curated, "documents")
    published = {(r.raw_path, None if pd.isna(r.line_no) else int(r.line_no)) for r in docs.itertuples()}
    assert set(_labels_for(HERE / "labelled")) <= published
    per_site, overall = score_labelled(curated, HERE / "labelled")
    assert overall == result[1] and per_site == result[0]


def test_labelled_set_is_large_and_varied(result):
    per_site, overall = result
    assert overall.pages >= 36 and len(per_site) >= 6
    assert overall.content >= 900 and overall.boilerplate >= 300


@pytest.mark.parametrize("metric", [k for k in FLOORS if not k.startswith("_")])
def test_floor(result, metric):
    _, overall = result
    value = overall.figures()[metric]
    failures = "\n".join(overall.failures[:40])
    assert value >= FLOORS[metric], f"{metric} = {value:.4f} < floor {FLOORS[metric]}\n{failures}"


def test_issue_minimums(result):
    _, overall = result
    f = overall.figures()
    assert f["boilerplate_leaked"] <= 0.01
    assert f["content_retention"] >= 0.99
    assert f["code_accuracy"] == 1.0


def test_every_site_meets_the_minimums(result):
    per_site, _ = result
    for site, tally in per_site.items():
        f = tally.figures()
        assert f["boilerplate_leaked"] <= 0.01 and f["content_retention"] >= 0.99, (site, f)


def test_scoring_reads_hand_written_tables(tmp_path):
    """Pages labelled line by line, scored on tables written here: leaks, lost lines, a
    heading kept as a line of its section's text, a page title heading, a duplicate scored
    through the page it duplicates, JSONL lines and a code's reason from its documents row."""
    raw = tmp_path / "raw"
    (raw / "site1").mkdir(parents=True)
    (raw / "site2").mkdir()
    (raw / "site1" / "a.txt").write_text("page\n")
    (raw / "site1" / "a.txt.labels.json").write_text(json.dumps({
        "code": "20610",
        "boilerplate": ["Log in", "Home", "Subscribe to the clinic newsletter", "Knee"],
        "content": ["CPT 20610 covers a major joint.", "Report one unit per joint.", "Is guidance included?",
                    "Never published content"],
        "headings": [{"text": "Billing Tips", "section": "billing"}, {"text": "Modifiers", "section": "billing"},
                     {"text": "Coder's Corner", "section": "faq"}, {"text": "See Also", "section": "related_codes",
                                                                     "empty": True},
                     {"text": "# Knee Injection Guide", "section": "overview"},
                     {"text": "Risks", "section": "complications"}],
    }))
    (raw / "site1" / "feed.jsonl").write_text('{"text": "one"}\n\n{"text": "two"}\n')
    (raw / "site1" / "feed.jsonl.labels.json").write_text(json.dumps([
        {"code": None, "boilerplate": [], "content": ["Compare both levels"], "headings": []},
        {"code": "99213", "boilerplate": [], "content": [], "headings": []},
    ]))
    (raw / "site2" / "b.txt").write_text("page\n")
    (raw / "site2" / "b.txt.labels.json").write_text(json.dumps(
        {"code": "20610", "boilerplate": [], "content": ["Report one unit per joint."], "headings": []}))
    docs = [
        {"document_id": "da", "raw_path": "site1/a.txt", "site": "s1", "status": "curated", "code": "20610",
         "code_system": "CPT", "title": "Knee Injection Guide"},
        {"document_id": "dj1", "raw_path": "site1/feed.jsonl", "line_no": 1, "site": "s1", "status": "no_code",
         "reason": "several_codes"},
        {"document_id": "dj2", "raw_path": "site1/feed.jsonl", "line_no": 3, "site": "s1", "status": "curated",
         "code": "99214", "code_system": "CPT", "reason": "the page's heading"},
        {"document_id": "db", "raw_path": "site2/b.txt", "site": "s2", "status": "duplicate", "duplicate_of": "da",
         "code": "20610", "code_system": "CPT"},
    ]

    def row(doc, section, heading, position, text="", items=()):
        return {"code": None, "section": section, "heading": heading, "position": position, "text": text,
                "items": list(items), "document_id": doc, "site": "s1"}

    sections = [
        row("da", "overview", "", 1, "Knee Injection Guide intro\nCPT 20610 covers a major joint."),
        row("da", "billing", "Billing Tips / Modifiers", 2, "Report one unit per joint.\nModifiers\nUse RT or LT."),
        row("da", "other", "Coder's Corner", 3, "Subscribe to the clinic newsletter today", ["Log in"]),
        row("dj1", "overview", "", 1, "Compare both levels"),
    ]
    faq = [{"code": "20610", "question": "Is guidance included?", "answer": "No.", "document_id": "da", "site": "s1"}]
    write_tables(tmp_path / "curated", docs, sections, faq, [])

    pages = labelled_page_tallies(tmp_path / "curated", raw)
    assert list(pages) == ["site1/a.txt", "site1/feed.jsonl:1", "site1/feed.jsonl:3", "site2/b.txt"]
    a = pages["site1/a.txt"]
    assert (a.boilerplate, a.leaked, a.content, a.kept) == (4, 2, 4, 3)
    assert (a.headings, a.headings_found, a.mapped_right, a.codes_right) == (5, 4, 3, 1)
    assert sorted(a.failures) == sorted([
        "site1/a.txt: leaked boilerplate 'Log in'",
        "site1/a.txt: leaked boilerplate 'Subscribe to the clinic newsletter'",
        "site1/a.txt: lost content 'Never published content'",
        "site1/a.txt: heading \"Coder's Corner\" mapped to other, labelled faq",
        "site1/a.txt: heading not found 'Risks' (complications)",
    ])
    assert (pages["site1/feed.jsonl:1"].kept, pages["site1/feed.jsonl:1"].codes_right) == (1, 1)
    assert pages["site1/feed.jsonl:3"].failures == [
        "site1/feed.jsonl:3: code '99214', labelled '99213' (the page's heading)"]
    assert (pages["site2/b.txt"].kept, pages["site2/b.txt"].codes_right) == (1, 1)
    per_site, overall = score_labelled(tmp_path / "curated", raw)
    assert {k: v.pages for k, v in per_site.items()} == {"site1": 3, "site2": 1}
    assert (overall.pages, overall.codes_right, overall.kept, overall.content) == (4, 3, 5, 6)
