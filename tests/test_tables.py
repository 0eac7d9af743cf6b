"""tables.py on hand-built documents: the page tables, the code tables and their schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from ingest import schema
from ingest.stages import tables
from ingest.models import Document, Kind, Line, ParsedPage, Quarantine, Removed, Section, Status

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
EARLIER = datetime(2029, 1, 1, tzinfo=UTC)


def _page(code: str | None, **kw) -> ParsedPage:
    base = {"title": None, "sections": [], "facts": [], "faq": [], "modifiers": [], "code": code,
            "code_system": "CPT" if code else None, "code_reason": None if code else "none found", "evidence": []}
    return ParsedPage(**{**base, **kw})


def _doc(doc_id: str, site: str, raw_path: str, fetched: datetime | None, parsed: ParsedPage | None,
         **kw) -> Document:
    base = {"document_id": doc_id, "content_hash": f"hash-{doc_id}", "raw_path": raw_path, "line_no": None,
            "fmt": "text", "url": f"https://{site}/{doc_id}", "fetched_at": fetched, "mtime": 0.0, "site": site,
            "site_evidence": "url", "title": None,
            "lines": [Line("a line", Kind.TEXT, 1), Line("another", Kind.TEXT, 2)], "removed": [], "jsonld": [],
            "parsed": parsed}
    return Document(**{**base, **kw})


def _alpha() -> Document:
    """The best page of code 99901 (newest fetch): a title and lay description, no official one."""
    page = _page(
        "99901", title="Alpha title", lay_description="Alpha lay", category="Surgery",
        modifiers=[("59", "Distinct (alpha)")], cost=(100.0, 200.0), warnings=("system disagrees",),
        sections=[
            Section("intro", "", 1, ["Opening text."]),
            Section("indications", "Indications", 2, ["Used when:", "more"],
                    ["Fracture of the jaw.", "Bone loss", "FRACTURE OF THE JAW"],
                    merged_headings=["When it is used", "Indications", ""]),
        ],
        faq=[("What is it?", "A procedure.")],
        facts=[("Global period", "90 days")],
    )
    return _doc("doc-alpha", "alpha.example", "a.txt", datetime(2029, 3, 2, tzinfo=UTC), page,
                warnings=["NUL bytes removed"],
                removed=[Removed(5, "Subscribe now", "promo.subscribe"),
                         Removed(3, "Share this page", "learned:short", 0.75)])


def _beta() -> Document:
    """A second site's page of 99901, fetched earlier: it fills what alpha lacks."""
    page = _page(
        "99901", title="Beta title", official_description="Beta official", lay_description="Beta lay",
        category="Other", is_add_on=True, modifiers=[("59", "Distinct (beta)"), ("26", "Professional")],
        cost=(50.0, 150.0), duration=(30.0, 45.0),
        sections=[Section("indications", "Indications", 1, [], ["fracture of the JAW", "Tumor"])],
    )
    return _doc("doc-beta", "beta.example", "b.txt", datetime(2029, 3, 1, tzinfo=UTC), page)


def _gamma() -> Document:
    """Another code on alpha's site, with an item whose key also appears under 99901."""
    page = _page("99902", title=None, sections=[Section("indications", "Why", 1, [], ["Bone loss"])])
    return _doc("doc-gamma", "alpha.example", "c.txt", None, page, title="Document title")


def _nocode() -> Document:
    page = _page(None, title="A glossary", sections=[Section("other", "Glossary", 1, ["Terms."], ["Term one"])],
                 faq=[("Why?", "Because.")], facts=[("Updated", "recently")])
    return _doc("doc-nocode", "beta.example", "d.jsonl", None, page, line_no=4,
                status=Status.NO_CODE, reason="none found", removed=[Removed(1, "Menu", "nav.menu")])


def _duplicate() -> Document:
    page = _page("99901", title="Alpha title", sections=[Section("indications", "Indications", 1, [], ["Dup item"])],
                 faq=[("Dup?", "Yes.")])
    return _doc("doc-dup", "alpha.example", "e.txt", None, page, status=Status.DUPLICATE,
                duplicate_of="doc-alpha", reason="exact", removed=[Removed(2, "Footer", "footer")])


def _unparsed() -> Document:
    """An exact copy, marked before parsing: a documents row, nothing else."""
    return _doc("doc-raw", "gamma.example", "f.txt", None, None, status=Status.DUPLICATE, duplicate_of="doc-beta",
                reason="exact copy", title="Raw title", warnings=["malformed sidecar"])


def _docs() -> list[Document]:
    return [_alpha(), _beta(), _gamma(), _nocode(), _duplicate(), _unparsed()]


def _rows(table: pa.Table, key: str = "document_id") -> dict:
    return {r[key]: r for r in table.to_pylist()}


@pytest.fixture(scope="module")
def pages() -> dict[str, pa.Table]:
    return tables.page_tables(_docs(), {"doc-beta": EARLIER}, NOW)


@pytest.fixture(scope="module")
def codes() -> dict[str, pa.Table]:
    sources, items = tables.code_sources(_docs())
    return tables.code_tables(list(reversed(sources)), items)


def test_documents_rows_keep_status_reason_and_duplicate_of(pages):
    rows = _rows(pages["documents"])
    assert set(rows) == {"doc-alpha", "doc-beta", "doc-gamma", "doc-nocode", "doc-dup", "doc-raw"}
    assert [rows[k]["status"] for k in ("doc-alpha", "doc-nocode", "doc-dup")] == ["curated", "no_code", "duplicate"]
    assert rows["doc-dup"]["duplicate_of"] == "doc-alpha" and rows["doc-dup"]["reason"] == "exact"
    assert rows["doc-raw"]["duplicate_of"] == "doc-beta" and rows["doc-raw"]["code"] is None
    assert rows["doc-alpha"]["duplicate_of"] is None and rows["doc-alpha"]["reason"] is None
    assert rows["doc-nocode"]["reason"] == "none found" and rows["doc-nocode"]["code"] is None
    assert rows["doc-alpha"]["code"] == "99901" and rows["doc-alpha"]["code_system"] == "CPT"
    assert rows["doc-nocode"]["line_no"] == 4 and rows["doc-alpha"]["line_no"] is None


def test_documents_warnings_join_the_page_and_the_parse(pages):
    rows = _rows(pages["documents"])
    assert rows["doc-alpha"]["warnings"] == "NUL bytes removed; system disagrees"
    assert rows["doc-raw"]["warnings"] == "malformed sidecar"  # no parse: the page's own only
    assert rows["doc-beta"]["warnings"] is None  # nothing to say is null, not ""


def test_documents_title_counts_and_ingested_at(pages):
    rows = _rows(pages["documents"])
    assert rows["doc-alpha"]["title"] == "Alpha title"
    assert rows["doc-gamma"]["title"] is None  # parsed without a title: the parse's word stands
    assert rows["doc-raw"]["title"] == "Raw title"  # not parsed: the document's title
    assert (rows["doc-alpha"]["n_lines"], rows["doc-alpha"]["n_removed"]) == (4, 2)
    assert (rows["doc-beta"]["n_lines"], rows["doc-beta"]["n_removed"]) == (2, 0)
    assert rows["doc-beta"]["ingested_at"] == EARLIER  # first seen in an earlier run
    assert rows["doc-alpha"]["ingested_at"] == NOW
    assert rows["doc-alpha"]["content_hash"] == "hash-doc-alpha" and rows["doc-alpha"]["site"] == "alpha.example"


def test_quarantine_rows():
    qs = [Quarantine("bad.jsonl", 7, "bad_json", "line 7 is not JSON", url="https://www.quarantine.example/x",
                     fetched_at=EARLIER),
          Quarantine("odd.bin", None, "binary")]
    qid = tables.quarantine_id(qs[0])
    table = tables.quarantine_table(qs, {qid: EARLIER}, NOW)
    assert table.schema.equals(schema.TABLES["documents"], check_metadata=True)
    first, second = table.to_pylist()
    assert first["document_id"] == qid and first["status"] == "quarantined"
    assert first["reason"] == "bad_json: line 7 is not JSON" and second["reason"] == "binary"
    assert first["site"] == "quarantine.example" and second["site"] == "unknown"
    assert first["ingested_at"] == EARLIER and second["ingested_at"] == NOW
    assert first["n_lines"] is None and first["title"] is None and first["line_no"] == 7
    assert tables.quarantine_id(qs[1]) != qid and second["document_id"] == tables.quarantine_id(qs[1])


def test_sections_rows_one_per_section_of_kept_pages(pages):
    rows = pages["sections"].to_pylist()
    # Duplicates give no page rows; curated and no_code pages do.
    assert sorted({r["document_id"] for r in rows}) == ["doc-alpha", "doc-beta", "doc-gamma", "doc-nocode"]
    keys = [(r["code"], r["section"], r["document_id"]) for r in rows]
    assert len(keys) == len(set(keys)) == 5
    alpha = [r for r in rows if r["document_id"] == "doc-alpha"]
    assert [(r["section"], r["position"]) for r in alpha] == [("intro", 1), ("indications", 2)]
    intro, ind = alpha
    assert intro["heading"] == "" and intro["text"] == "Opening text." and intro["items"] == []
    assert ind["text"] == "Used when:\nmore"
    assert ind["items"] == ["Fracture of the jaw.", "Bone loss", "FRACTURE OF THE JAW"]
    assert ind["site"] == "alpha.example" and ind["code"] == "99901"
    nocode = [r for r in rows if r["document_id"] == "doc-nocode"]
    assert [(r["code"], r["heading"], r["items"]) for r in nocode] == [(None, "Glossary", ["Term one"])]


def test_merged_section_names_its_headings_once_in_page_order(pages):
    rows = pages["sections"].to_pylist()
    merged = next(r for r in rows if r["document_id"] == "doc-alpha" and r["section"] == "indications")
    assert merged["heading"] == tables.MERGED_HEADINGS.join(["Indications", "When it is used"])
    single = next(r for r in rows if r["document_id"] == "doc-beta")
    assert single["heading"] == "Indications"


def test_faq_and_facts(pages):
    faq = pages["faq"].to_pylist()
    assert [(r["code"], r["question"], r["answer"], r["document_id"]) for r in faq] == [
        ("99901", "What is it?", "A procedure.", "doc-alpha"), (None, "Why?", "Because.", "doc-nocode")]
    facts = pages["facts"].to_pylist()
    assert [(r["code"], r["key"], r["value"], r["site"]) for r in facts] == [
        ("99901", "Global period", "90 days", "alpha.example"), (None, "Updated", "recently", "beta.example")]


def test_removed_lines_keep_rule_and_score(pages):
    rows = pages["removed_lines"].to_pylist()
    assert [(r["document_id"], r["line_no"], r["text"], r["rule"], r["score"]) for r in rows] == [
        ("doc-alpha", 5, "Subscribe now", "promo.subscribe", None),
        ("doc-alpha", 3, "Share this page", "learned:short", 0.75),
        ("doc-nocode", 1, "Menu", "nav.menu", None),
    ]  # the duplicate's removed line is not published
    assert pages["removed_lines"].schema.field("score").type == pa.float32()


def test_sort_table_orders_page_tables_on_their_keys(pages):
    docs = tables.sort_table("documents", pages["documents"])
    assert docs.column("raw_path").to_pylist() == ["a.txt", "b.txt", "c.txt", "d.jsonl", "e.txt", "f.txt"]
    removed = tables.sort_table("removed_lines", pages["removed_lines"])
    assert [(r["document_id"], r["line_no"]) for r in removed.to_pylist()] == [
        ("doc-alpha", 3), ("doc-alpha", 5), ("doc-nocode", 1)]
    sections = tables.sort_table("sections", pages["sections"]).to_pylist()
    # section first, a null code before any code, then document and position.
    assert [(r["section"], r["code"], r["document_id"]) for r in sections] == [
        ("indications", "99901", "doc-alpha"), ("indications", "99901", "doc-beta"),
        ("indications", "99902", "doc-gamma"), ("intro", "99901", "doc-alpha"), ("other", None, "doc-nocode")]


def test_codes_take_each_field_from_the_first_page_that_has_it(codes):
    rows = _rows(codes["codes"], "code")
    assert sorted(rows) == ["99901", "99902"]  # curated pages only: no duplicate, no no_code
    c = rows["99901"]
    assert c["title"] == "Alpha title"  # best page (newest fetch) first
    assert c["official_description"] == "Beta official"  # alpha has none
    assert c["lay_description"] == "Alpha lay"
    assert c["category"] == "Surgery" and c["code_system"] == "CPT"
    assert c["is_add_on"] is True  # any page saying so
    assert rows["99902"]["is_add_on"] is False
    assert rows["99902"]["title"] == "99902"  # no page with a title: the code itself


def test_codes_modifiers_ranges_sources_and_document_ids(codes):
    rows = _rows(codes["codes"], "code")
    c = rows["99901"]
    assert c["modifiers"] == [{"modifier": "26", "description": "Professional"},
                              {"modifier": "59", "description": "Distinct (alpha)"}]
    assert (c["cost_min_usd"], c["cost_max_usd"]) == (50.0, 200.0)
    assert (c["duration_min_minutes"], c["duration_max_minutes"]) == (30.0, 45.0)
    assert c["sources"] == ["alpha.example", "beta.example"]
    assert c["document_ids"] == ["doc-alpha", "doc-beta"]
    g = rows["99902"]
    assert g["modifiers"] == [] and g["cost_min_usd"] is None and g["duration_max_minutes"] is None
    assert g["sources"] == ["alpha.example"] and g["document_ids"] == ["doc-gamma"]


def test_codes_follow_the_rank_not_the_input_order():
    alpha, beta = _alpha(), _beta()
    alpha.fetched_at, beta.fetched_at = beta.fetched_at, alpha.fetched_at  # beta is now the newest
    for order in ([alpha, beta], [beta, alpha]):
        sources, items = tables.code_sources(order)
        out = tables.code_tables(sources, items)
        row = out["codes"].to_pylist()[0]
        assert (row["title"], row["lay_description"], row["category"]) == ("Beta title", "Beta lay", "Other")
        assert row["modifiers"][1] == {"modifier": "59", "description": "Distinct (beta)"}
        fracture = next(r for r in out["section_items"].to_pylist() if r["item_key"] == "fracture of the jaw")
        assert fracture["item"] == "fracture of the JAW"


def test_section_items_deduplicate_across_sites(codes):
    rows = codes["section_items"].to_pylist()
    got = [(r["code"], r["section"], r["item_key"], r["item"], r["sites"], r["document_ids"], r["n_sources"])
           for r in rows]
    assert got == [
        ("99901", "indications", "bone loss", "Bone loss", ["alpha.example"], ["doc-alpha"], 1),
        # the best page's first wording; alpha states it twice, beta once
        ("99901", "indications", "fracture of the jaw", "Fracture of the jaw.", ["alpha.example", "beta.example"],
         ["doc-alpha", "doc-beta"], 2),
        ("99901", "indications", "tumor", "Tumor", ["beta.example"], ["doc-beta"], 1),
        # the same key under another code is its own row
        ("99902", "indications", "bone loss", "Bone loss", ["alpha.example"], ["doc-gamma"], 1),
    ]


def test_section_items_count_sites_not_pages():
    other = _beta()
    other.document_id, other.raw_path = "doc-beta2", "b2.txt"
    sources, items = tables.code_sources([_beta(), other])
    rows = tables.code_tables(sources, items)["section_items"].to_pylist()
    tumor = next(r for r in rows if r["item_key"] == "tumor")
    assert tumor["sites"] == ["beta.example"] and tumor["document_ids"] == ["doc-beta", "doc-beta2"]
    assert tumor["n_sources"] == 1


def test_code_tables_of_nothing_are_empty_with_their_schemas():
    out = tables.code_tables(*tables.code_sources([_nocode(), _duplicate()]))
    for name in ("codes", "section_items"):
        assert out[name].num_rows == 0
        assert out[name].schema.equals(schema.TABLES[name], check_metadata=True)


def test_every_table_matches_its_schema_exactly():
    q = [Quarantine("bad.jsonl", 1, "bad_json")]
    built = tables.build_tables(_docs(), q, {}, NOW)
    assert list(built) == list(schema.TABLES)
    for name, table in built.items():
        assert table.schema.equals(schema.TABLES[name], check_metadata=True), name
    assert built["documents"].num_rows == 7 and built["rejected_rows"].num_rows == 0
    assert built["codes"].num_rows == 2 and built["section_items"].num_rows == 4
    statuses = built["documents"].column("status").to_pylist()
    assert statuses.count("quarantined") == 1 and statuses.count("curated") == 3
    assert statuses.count("duplicate") == 2 and statuses.count("no_code") == 1
