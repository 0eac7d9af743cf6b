"""Near-duplicate detection measured on labelled pairs (tests/dedup/pairs.jsonl), and the
dedup decisions inside a run."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.evaluate import evaluate_dedup

from .dedup.make_pairs import make_pairs

PAIRS = Path(__file__).resolve().parent / "dedup" / "pairs.jsonl"
F1_FLOOR = 0.99  # measured 0.9916; the floor is 0.97. May only go up.


def test_pair_file_is_what_the_generator_makes():
    lines = PAIRS.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == make_pairs()
    assert len(lines) >= 200


def test_near_duplicate_floors():
    result = evaluate_dedup(PAIRS)
    assert result["cross_code_merges"] == 0
    assert result["f1"] >= F1_FLOOR, result["errors"]
    assert result["accuracy_by_kind"]["same_site_other_code"] == 1.0
    assert result["accuracy_by_kind"]["adjacent_code_same_text"] == 1.0


SYNTHETIC = Path(__file__).resolve().parent / "dedup" / "synthetic_pairs.jsonl"


def test_synthetic_pair_set_matches_its_generator_and_meets_the_floors():
    """A second, independently generated set (5 synthetic sites, 270 pairs, a third of them
    adjacent-code pages rendered identically): measured F1 0.983 when added; floor 0.98."""
    import subprocess
    import sys

    builder = SYNTHETIC.parent / "make_synthetic_pairs.py"
    check = subprocess.run([sys.executable, str(builder), "--check"], check=False, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    result = evaluate_dedup(SYNTHETIC)
    assert result["pairs"] >= 200 and result["cross_code_merges"] == 0
    assert result["f1"] >= 0.98, result["errors"]


def test_near_duplicate_search_leaves_no_index_for_the_collector():
    """Each code's LSH index is freed when its code is done, not left to the garbage collector
    (a MinHashLSH refers to itself; a run starts the collector rarely)."""
    import gc
    from datetime import UTC, datetime

    from datasketch import MinHashLSH

    from ingest.stages.dedup import mark_near_duplicates, page_signature
    from ingest.models import PageRecord, Status

    body = [f"Line {i} of the page about knee arthroscopy, code 29881, and its recovery." for i in range(30)]
    pages = {"a1": ("29881", body), "a2": ("29881", [*body[:-1], "One line changed."]), "b1": ("29882", body[:10]),
             "c1": ("29883", body[:15]), "c2": ("29883", [f"Other words, line {i}, about shoulders." for i in range(15)])}
    records = [PageRecord(doc_id, doc_id, f"{doc_id}.txt", None, datetime(2026, 1, 1, tzinfo=UTC), 0.0, code,
                          page_signature(lines)) for doc_id, (code, lines) in pages.items()]
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        marked = mark_near_duplicates(records)
        left = [o for o in gc.get_objects() if isinstance(o, MinHashLSH)]
    finally:
        if enabled:
            gc.enable()
    assert marked == 1 and [r.document_id for r in records if r.status is Status.DUPLICATE] == ["a2"]
    assert left == []


def test_a_page_record_without_a_signature_is_a_clear_error():
    """A PageRecord keeps no lines: without its MinHash signature deduplication cannot compare
    it, and says which page it is (a Document without one is hashed from its lines)."""
    from datetime import UTC, datetime

    import pytest

    from ingest.stages.dedup import mark_near_duplicates, page_signature
    from ingest.models import PageRecord

    lines = [f"Line {i} about code 29881 and its recovery." for i in range(10)]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    records = [PageRecord("a1", "a1", "a1.txt", None, when, 0.0, "29881", page_signature(lines)),
               PageRecord("a2", "a2", "a2.txt", None, when, 0.0, "29881", None)]
    with pytest.raises(ValueError, match=r"page a2 \(a2.txt\) has no MinHash signature"):
        mark_near_duplicates(records)
