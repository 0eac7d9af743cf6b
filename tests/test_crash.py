"""Runs killed with SIGKILL at random moments never leave the curated tables unreadable or
mixed, and the next run completes to the same tables as a run never interrupted, and removes
the spools the killed runs left."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from .conftest import PAGES, RAW, ROOT, copy_raw

TABLES = ["documents", "codes", "sections", "faq", "section_items", "facts", "removed_lines"]
KILLS = 24
RUN = (
    "import sys; from pathlib import Path; from ingest.config import Settings; from ingest.runtime.pipeline import run;"
    "run(Settings(raw=Path(sys.argv[1]), curated=Path(sys.argv[2])))"
)


def _run(raw: Path, curated: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(raw.parent / "tmp")}
    return subprocess.Popen([sys.executable, "-c", RUN, str(raw), str(curated)], env=env)


def _tables(curated: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for name in TABLES:
        df = pd.read_parquet(curated / name).drop(columns=["ingested_at"], errors="ignore")
        out[name] = df.astype(str).sort_values(list(df.columns)).reset_index(drop=True)
    return out


def _consistent(curated: Path) -> None:
    """All tables come from one snapshot: every document of sections is in documents."""
    if not (curated / "_current").exists():
        return
    docs = pd.read_parquet(curated / "documents")
    sections = pd.read_parquet(curated / "sections")
    assert set(sections.document_id) <= set(docs.document_id)
    target = os.readlink(curated / "_current")
    for name in TABLES:
        assert os.readlink(curated / name) == f"_current/{name}"
    assert (curated / target).is_dir()


def test_random_kills_never_corrupt_and_the_next_run_finishes(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES, ROOT / "tests" / "labelled" / "procedurepedia")
    curated = tmp_path / "curated"
    (tmp_path / "tmp").mkdir()
    started = time.perf_counter()
    assert _run(raw, tmp_path / "reference").wait() == 0
    duration = time.perf_counter() - started
    rng = random.Random(7)
    page = raw / "000_c185ca2b8a377b56.txt"
    original = page.read_text(encoding="utf-8")
    killed_in_write = left = 0
    for i in range(KILLS):
        # change a page each time so that every run has a snapshot to write and swap in
        page.write_text(original + f"\nExtra line {i} that makes this run publish.\n", encoding="utf-8")
        proc = _run(raw, curated)
        if i % 2:  # half the kills land while the snapshot is being written
            deadline = time.perf_counter() + 3 * duration
            while not list((curated / "_snapshots").glob(".staging-*")) and time.perf_counter() < deadline:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.05))
            killed_in_write += bool(list((curated / "_snapshots").glob(".staging-*")))
        else:  # the other half anywhere in the run
            time.sleep(rng.uniform(0.2, 1.1) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _consistent(curated)
        left += len(list((tmp_path / "tmp").glob("ingest-spool-*"))) > 0
    assert killed_in_write >= KILLS // 4, killed_in_write  # the write phase was really hit
    assert left >= killed_in_write, left  # a run killed while writing leaves its spool (the next one sweeps it)
    page.write_text(original, encoding="utf-8")
    assert _run(raw, curated).wait() == 0
    assert not list((tmp_path / "tmp").glob("ingest-spool-*"))  # swept by the last run, its own removed
    _consistent(curated)
    assert not list((curated / "_snapshots").glob(".staging-*"))
    reference, recovered = _tables(tmp_path / "reference"), _tables(curated)
    for name in TABLES:
        pd.testing.assert_frame_equal(recovered[name], reference[name], obj=name)
