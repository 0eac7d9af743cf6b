"""Generalisation, measured on a held-out labelled set (tests/heldout: 4 sites, 18 pages) that
was written blind to the code and is never tuned on. The floors are the first blind
measurement; they catch regressions and may only go up. They are far below the tuned set's
(tests/test_quality.py): the gap is the honest size of what the rules do not yet generalise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest.evaluate import evaluate_cleaning

HERE = Path(__file__).resolve().parent
FLOORS = {  # blind measurement, 2026-11-22
    "boilerplate_recall": 0.69,
    "content_retention": 0.95,
    "heading_recall": 0.56,
    "section_mapping_rate": 0.83,
    "code_accuracy": 0.77,
}


def test_labels_are_consistent():
    for root in ("labelled", "heldout"):
        out = subprocess.run([sys.executable, str(HERE / "check_labels.py"), "--root", str(HERE / root)],
                             capture_output=True, text=True)
        assert out.returncode == 0 and "OK: all labels consistent" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("metric", list(FLOORS))
def test_heldout_floor(metric):
    _, overall = evaluate_cleaning(HERE / "heldout")
    assert overall.figures()[metric] >= FLOORS[metric]
