"""Generalisation, measured on a held-out labelled set (tests/heldout: 4 sites, 18 pages) that
was written blind to the code. The first blind measurement (2026-11-22) was 69.9% / 95.3% /
56.6% / 84.0% / 77.8%; general rules were then added for the patterns its misses showed (forum
chrome, headings that are not h1-h6, div lists, URL ids taken for codes, code phrasing; see
docs/cleaning.md). Those rules were measured on this set, so it is no longer blind: the floors
below catch regressions and may only go up, and a fresh blind set measures generalisation.

tests/heldout2 to tests/heldout5 are fresh sets (4-5 sites, 20-26 pages each), written by
people who never read src/, measured blind on first sight. Rules were then found on the
misses of heldout2 and heldout4 (so those two are no longer blind), heldout3's totals were
looked at, and heldout5, written last, is blind. Their floors are far below the tuned sets':
the gap is the honest size of what the rules do not yet generalise to sites never seen."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from ingest.evaluate import evaluate_cleaning

HERE = Path(__file__).resolve().parent


@cache
def measured(root: str):
    """evaluate_cleaning on tests/<root>: one production run per set, shared by its metrics."""
    return evaluate_cleaning(HERE / root)

FLOORS = {  # measured 2026-12-01 after the general rules for the patterns above (rounded down)
    "boilerplate_recall": 1.0,
    "content_retention": 1.0,
    "heading_recall": 1.0,
    "section_mapping_rate": 0.965,
    "code_accuracy": 1.0,
}


BLIND_FLOORS = {  # rounded down. First (blind) measurements, 2026-12-01:
    #   heldout2 88.0/99.0/87.4/43.2/56.0, heldout3 78.6/98.7/76.5/45.6/46.2 (86.6/48.1 with the
    #   heading markers of conventions 24/34 stripped by the evaluator), heldout4 80.6/88.2/59.3/63.0/59.1
    #   (boilerplate recall / content retention / heading recall / section mapping / code accuracy).
    # Then general rules from heldout2's misses (nested JSON-LD codes, code-definition lines,
    # add-on codes, "2 views" is not a view counter, the title heading is the overview,
    # heading synonyms) and heldout4's (numbered headings read as one-item lists, numbers
    # labelled as SKU/ZIP/model/order ids are not codes). heldout2
    # and heldout4 are no longer blind; heldout5 is.
    # Raised after the learned line model, the structural chrome rules and the headings by shape
    # (docs/cleaning.md): these sets are in the model's training data, so in sample from then on.
    # Raised again after the chrome runs at a page's edges and the label headings
    # (docs/cleaning.md): heldout2 boilerplate 90.4 -> 90.5, heldout3 82.7 -> 83.0, heldout4
    # 86.1 -> 88.5 with headings 79.7 -> 82.1 and mapping 66.3 -> 68.3.
    "heldout2": {"boilerplate_recall": 0.904, "content_retention": 0.999, "heading_recall": 0.953,
                 "section_mapping_rate": 0.638, "code_accuracy": 0.8},
    "heldout3": {"boilerplate_recall": 0.83, "content_retention": 0.995, "heading_recall": 0.892,
                 "section_mapping_rate": 0.563, "code_accuracy": 0.538},
    "heldout4": {"boilerplate_recall": 0.885, "content_retention": 0.993, "heading_recall": 0.821,
                 "section_mapping_rate": 0.683, "code_accuracy": 0.636},
    # A table row ("Work RVU | 0.94 | 0.94") is never a heading (rows whose cells named a
    # section were taken for headings, then dropped as empty): heldout4 content 88.2 -> 99.2,
    # headings 70.7 -> 78.9; heldout2 headings 88.1 -> 92.1, code 76 -> 80. Mapping rates
    # fell (heldout2 63.9 -> 61.2, heldout4 67.8 -> 66.0) because more headings are found:
    # the headings mapped right went 85 -> 85 and 59 -> 64.
    # heldout5, blind: first measured with all of the above (with the rules before them, and
    # the same evaluator: 85.4/99.6/81.3/79.7/75.0).
    # A button's label left as text (`button_label`): heldout5 boilerplate 88.1 -> 88.3.
    "heldout5": {"boilerplate_recall": 0.883, "content_retention": 0.995, "heading_recall": 0.868,
                 "section_mapping_rate": 0.835, "code_accuracy": 0.75},
}


def test_labels_are_consistent():
    for root in ("labelled", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"):
        out = subprocess.run([sys.executable, str(HERE / "check_labels.py"), "--root", str(HERE / root)],
                             check=False, capture_output=True, text=True)
        assert out.returncode == 0 and "OK: all labels consistent" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("metric", list(FLOORS))
def test_heldout_floor(metric):
    _, overall = measured("heldout")
    assert overall.figures()[metric] >= FLOORS[metric]


@pytest.mark.parametrize("root", list(BLIND_FLOORS))
def test_blind_heldout_floors(root):
    _, overall = measured(root)
    figures = overall.figures()
    below = {m: (round(figures[m], 4), floor) for m, floor in BLIND_FLOORS[root].items() if figures[m] < floor}
    assert not below, f"{root}: below the floor (measured, floor): {below}"
