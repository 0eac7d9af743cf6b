"""notebooks/explore.ipynb runs top to bottom on the sample data (so it cannot rot)."""

from __future__ import annotations

import shutil
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

from ingest.config import Settings
from ingest.runtime.pipeline import run

from .conftest import PAGES, RAW, ROOT, copy_raw


def test_notebook_executes_and_draws_the_chart(tmp_path, monkeypatch):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES, ROOT / "tests" / "labelled" / "procedurepedia", ROOT / "tests" / "labelled" / "surgicodeguide")
    run(Settings(raw=raw, curated=tmp_path / "curated"))
    monkeypatch.setenv("INGEST_CURATED", str(tmp_path / "curated"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "code 27447" in outputs  # the code most sites describe in this sample
    assert "n_sources" in outputs and "Stiffness" in outputs  # the complications of 27447 across sites
    assert (tmp_path / "section_coverage.png").stat().st_size > 5_000
    assert "Traceback" not in outputs and not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def _execute(curated, monkeypatch):
    monkeypatch.setenv("INGEST_CURATED", str(curated))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("INGEST_CODE", raising=False)
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return nb


def test_the_first_example_has_data_on_the_shipped_sample(tmp_path, monkeypatch):
    """On raw/ as shipped, the complications example picks a code that has complications."""
    run(Settings(raw=copy_raw(tmp_path / "raw", RAW), curated=tmp_path / "curated"))
    nb = _execute(tmp_path / "curated", monkeypatch)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "complications = section_items" in c.source)
    shown = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)
    assert "code " in shown and "n_sources" in shown, shown
    assert "Empty DataFrame" not in shown, shown


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_explore_before_make_run_says_so(tmp_path):
    """`make explore` with nothing published: a sentence, before anything is installed or run."""
    out = subprocess.run(["make", "-s", "explore", f"CURATED={tmp_path / 'curated'}", f"VENV={tmp_path / 'venv'}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode != 0
    assert "run `make run` first" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr and not (tmp_path / "venv").exists()
