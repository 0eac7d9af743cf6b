"""notebooks/explore.ipynb runs top to bottom on the sample data (so it cannot rot)."""

from __future__ import annotations


import nbformat
from nbclient import NotebookClient

from ingest.config import Settings
from ingest.pipeline import run

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
