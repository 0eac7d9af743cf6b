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
    check = subprocess.run([sys.executable, str(builder), "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    result = evaluate_dedup(SYNTHETIC)
    assert result["pairs"] >= 200 and result["cross_code_merges"] == 0
    assert result["f1"] >= 0.98, result["errors"]
