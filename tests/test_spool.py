"""A run keeps its pages and rows in spool files (spool.py) and writes the tables from them:
the batching never shows in the tables, and the spool never outlives the run (nor, once
another spool is made, a killed run)."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from ingest.runtime import pipeline
from ingest.store import segments
from ingest import tabular
from ingest.config import Settings
from ingest.errors import OutputError
from ingest.runtime.pipeline import run
from ingest.runtime.spool import UNLOCKED_AGE, Spool

from .conftest import PAGES, RAW, ROOT, copy_raw

TABLES = ["documents", "codes", "sections", "faq", "section_items", "facts", "removed_lines", "rejected_rows"]


def _landing_zone(raw: Path) -> Path:
    """The seed pages, the sample pages, and bad files between them (quarantined when read):
    the sorted state interleaves quarantined rows with the documents."""
    copy_raw(raw, RAW, PAGES)
    (raw / "001_empty.txt").write_text("")
    (raw / "003_broken.txt.gz").write_bytes(b"\x1f\x8b not really gzip")
    (raw / "codes_example_feed_bad.jsonl").write_text('{"url": "https://x.example/a"\nnot json\n')
    with gzip.open(raw / "zz_nul.txt.gz", "wb") as fh:
        fh.write(b"\x00" * 64)
    return raw


def _tables(curated: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for name in TABLES:
        df = pd.read_parquet(curated / name).drop(columns=["ingested_at"], errors="ignore").astype(str)
        out[name] = df.sort_values(sorted(df.columns)).reset_index(drop=True)[sorted(df.columns)]
    return out


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_batches_of_any_size_give_the_same_tables(tmp_path, batch_size):
    raw = _landing_zone(tmp_path / "raw")
    run(Settings(raw=raw, curated=tmp_path / "whole", batch_size=10_000))
    summary = run(Settings(raw=raw, curated=tmp_path / "small", batch_size=batch_size))
    assert summary.by_status.get("quarantined", 0) >= 3
    whole, small = _tables(tmp_path / "whole"), _tables(tmp_path / "small")
    for name in TABLES:
        pd.testing.assert_frame_equal(whole[name], small[name], obj=name)


def test_the_corpus_batches_cover_every_document_once(tmp_path):
    raw = _landing_zone(tmp_path / "raw")
    settings = Settings(raw=raw, curated=tmp_path / "curated", batch_size=2)
    with Spool(tmp_path) as spool:
        plan = pipeline.plan_run(settings, spool)
        for chunk in plan.batches(settings.batch_size):
            pipeline.absorb(plan, pipeline.load_pages(raw, chunk, settings.limits))
        corpus = pipeline.survey(plan, settings.batch_size)
        ranges = corpus.ranges()
        assert ranges[0][0] == 0 and ranges[-1][1] == len(corpus)
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
        assert all(0 < stop - start <= 2 for start, stop in ranges)
        ids = [i for start, stop in ranges for i in corpus.ids(start, stop)]
        assert len(ids) == len(set(ids)) == len(corpus)
        assert len(corpus.quarantined) >= 3
        state = corpus.state.read()
        # the state is sorted by raw file: the order a run publishes it in
        assert state.column("raw_path").to_pylist() == sorted(state.column("raw_path").to_pylist())


def test_a_run_removes_its_spool_published_or_not(tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    raw = _landing_zone(tmp_path / "raw")
    run(Settings(raw=raw, curated=tmp_path / "curated"))
    assert not list(tmp.glob("ingest-spool-*"))

    def fail(*args, **kwargs):
        assert list(tmp.glob("ingest-spool-*")), "the spool exists while the run writes"
        raise OutputError("disk full")

    monkeypatch.setattr(pipeline, "publish", fail)
    with pytest.raises(OutputError):
        run(Settings(raw=raw, curated=tmp_path / "curated", full=True))
    assert not list(tmp.glob("ingest-spool-*"))


def test_the_writer_sorts_beyond_its_memory_budget(tmp_path, monkeypatch):
    """A table larger than DuckDB's budget is sorted and split out of core, into the same
    segments as with room to spare."""
    n = 300_000
    table = pa.table({"document_id": [f"doc-{i % 5000:05d}" for i in range(n)],
                      "line_no": pa.array([(i * 7919) % n for i in range(n)], pa.int32()),
                      "text": [f"line {i} " + "x" * 40 for i in range(n)], "rule": ["menu"] * n})
    with Spool(tmp_path) as spool:
        for start in range(0, n, 50_000):
            spool.add("removed_lines", table.slice(start, 50_000), ["document_id", "line_no", "rule", "text"])
        spooled = spool.tables["removed_lines"]
        roomy = segments.manifest_table(segments.write_table(tmp_path / "roomy", "removed_lines", spooled, {}, None))
        monkeypatch.setattr(tabular, "MEMORY_LIMIT", "32MB")  # the table is 68 MB in memory
        tight = segments.manifest_table(segments.write_table(tmp_path / "tight", "removed_lines", spooled, {}, None,
                                                             scratch=spool.scratch()))
    assert roomy.equals(tight)
    for f in roomy.column("file").unique().to_pylist():
        a, b = pd.read_parquet(tmp_path / "roomy" / f), pd.read_parquet(tmp_path / "tight" / f)
        pd.testing.assert_frame_equal(a, b)
        assert list(zip(a.document_id, a.line_no, strict=True)) == sorted(zip(a.document_id, a.line_no, strict=True))
    assert sum(len(pd.read_parquet(tmp_path / "tight" / f)) for f in tight.column("file").unique().to_pylist()) == n


HOLD = (
    "import sys, time; from ingest.runtime.spool import Spool; s = Spool(sys.argv[1]); (s.root / 'rows.parquet').write_bytes(b'x');"
    "print(s.root, flush=True); time.sleep(120)"
)


def test_a_spool_left_by_a_killed_process_is_swept_and_a_live_ones_is_not(tmp_path):
    """A process killed outright cannot remove its spool: the next spool made beside it
    does, once the process is gone (its lock free), and leaves a live process's alone."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    dead, live = (Path(p.stdout.readline().strip()) for p in procs)
    try:
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        assert (dead / "rows.parquet").exists()
        fresh = tmp_path / "ingest-spool-making"  # being made: no lock file yet
        fresh.mkdir()
        old = tmp_path / "ingest-spool-old"  # left by a version without the lock
        old.mkdir()
        os.utime(old, (time.time() - 2 * UNLOCKED_AGE,) * 2)
        with Spool(tmp_path) as spool:
            assert sorted(spool.swept) == sorted([dead, old])
            assert not dead.exists() and not old.exists()
            assert (live / "rows.parquet").exists() and fresh.exists()
            with Spool(tmp_path) as other:  # this process's own spool is live too
                assert other.swept == []
                assert spool.root.exists()
    finally:
        procs[1].send_signal(signal.SIGKILL)
        procs[1].wait()
    with Spool(tmp_path) as spool:
        assert spool.swept == [live]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ingest-spool-making"]
