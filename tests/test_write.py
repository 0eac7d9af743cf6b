"""Publishing: atomic snapshots, stable table paths, idempotent reruns, lock, rollback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pandas as pd
import pyarrow.dataset as ds
import pytest

from ingest.config import Settings
from ingest.errors import LockError, OutputError
from ingest.pipeline import run
from ingest.write import CURRENT, list_snapshots, rollback, writer_lock

from .conftest import PAGES, RAW, copy_raw


def _snapshot_bytes(curated) -> dict[str, bytes]:
    target = curated / os.readlink(curated / CURRENT)
    return {p.relative_to(target).as_posix(): p.read_bytes() for p in sorted(target.rglob("*.parquet"))}


def test_second_run_over_same_pages_changes_nothing(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    first = run(settings)
    before = _snapshot_bytes(settings.curated)
    second = run(settings, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert first.published and not second.published
    assert second.snapshot == first.snapshot
    assert _snapshot_bytes(settings.curated) == before
    assert len(list_snapshots(settings.curated)) == 1


def test_new_page_publishes_a_new_snapshot_and_rollback_restores_the_old(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    assert len(pd.read_parquet(settings.curated / "documents")) == 5
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    second = run(settings)
    assert second.published
    docs = pd.read_parquet(settings.curated / "documents")
    assert len(docs) == 6
    # earlier documents keep their first ingestion time
    assert docs.ingested_at.nunique() == 2
    restored = rollback(settings.curated)
    assert restored == list_snapshots(settings.curated)[0].name
    assert len(pd.read_parquet(settings.curated / "documents")) == 5
    with pytest.raises(OutputError):
        rollback(settings.curated)


def test_tables_open_with_pandas_and_pyarrow_dataset(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    sections = ds.dataset(settings.curated / "sections", partitioning="hive", format="parquet").to_table()
    assert sections.num_rows == len(pd.read_parquet(settings.curated / "sections"))
    codes = pd.read_parquet(settings.curated / "codes")
    assert codes.set_index("code").loc["21183", "modifiers"][0]["modifier"] == "50"
    for f in (settings.curated / CURRENT).resolve().rglob("*.parquet"):
        import pyarrow.parquet as pq

        assert pq.ParquetFile(f).metadata.row_group(0).column(0).compression == "ZSTD"


def test_an_empty_landing_zone_publishes_empty_tables(tmp_path):
    (tmp_path / "raw").mkdir()
    settings = Settings(raw=tmp_path / "raw", curated=tmp_path / "curated")
    summary = run(settings)
    assert summary.published and summary.pages == 0 and summary.files == 0
    for name, key in (("documents", "document_id"), ("codes", "code"), ("sections", "document_id"),
                      ("section_items", "item_key"), ("faq", "question"), ("facts", "key"), ("removed_lines", "rule")):
        table = pd.read_parquet(settings.curated / name)
        assert table.empty and key in table.columns, name


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    curated = tmp_path / "curated"
    code = (
        "import sys, time; from pathlib import Path; from ingest.write import writer_lock\n"
        "with writer_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(curated)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError, match="another ingest run"):
            with writer_lock(curated):
                pass
    finally:
        holder.kill()
        holder.wait()
    with writer_lock(curated):  # released when the holder died
        pass


def test_leftover_staging_from_a_killed_run_is_cleaned(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    junk = settings.curated / "_snapshots" / ".staging-dead"
    (junk / "documents").mkdir(parents=True)
    (junk / "documents" / "part-0.parquet").write_bytes(b"half written")
    run(settings)
    assert not junk.exists()
    assert len(pd.read_parquet(settings.curated / "documents")) == 5


def _docs(curated):
    return pd.read_parquet(curated / "documents").set_index("raw_path")


def test_only_new_or_changed_files_are_read(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    assert run(settings).read_files == 5
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    second = run(settings)
    assert (second.read_files, second.published, second.pages) == (1, True, 6)
    unchanged = run(settings)
    assert (unchanged.read_files, unchanged.published, list(unchanged.stages)) == (0, False, ["plan"])
    full = run(Settings(raw=raw, curated=settings.curated, full=True))
    assert full.read_files == 6 and not full.published  # same content, nothing to publish


def test_a_page_dropped_again_under_a_new_name_is_a_duplicate_of_the_first(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    first_id = _docs(settings.curated).loc["000_c185ca2b8a377b56.txt", "document_id"]
    (raw / "000_c185ca2b8a377b56.txt").rename(raw / "resaved_copy.txt")
    run(settings)  # the original file left the landing zone: its rows stay
    docs = _docs(settings.curated)
    assert docs.loc["000_c185ca2b8a377b56.txt", "status"] == "curated"
    assert docs.loc["resaved_copy.txt", "status"] == "duplicate"
    assert docs.loc["resaved_copy.txt", "duplicate_of"] == first_id


def test_a_changed_page_replaces_its_earlier_rows(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    old_id = _docs(settings.curated).loc["000_c185ca2b8a377b56.txt", "document_id"]
    page = raw / "000_c185ca2b8a377b56.txt"
    page.write_text(page.read_text().replace("- Bleeding or hematoma formation.\n", ""), encoding="utf-8")
    run(settings)
    docs = _docs(settings.curated)
    new_id = docs.loc["000_c185ca2b8a377b56.txt", "document_id"]
    assert new_id != old_id and old_id not in set(docs.document_id)
    sections = pd.read_parquet(settings.curated / "sections")
    assert old_id not in set(sections.document_id)
    complications = sections[(sections.document_id == new_id) & (sections.section == "complications")].iloc[0]
    assert len(complications["items"]) == 3


def test_a_sidecar_that_arrives_after_its_page_is_applied(tmp_path):
    """A page's .meta.json is part of the page: when it lands after the page was curated,
    the next run reads the page again and takes its URL and fetch time."""
    raw = copy_raw(tmp_path / "raw", PAGES / "cptlookup_27447.html")
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    assert pd.read_parquet(settings.curated / "documents").fetched_at.isna().all()
    copy_raw(raw, PAGES / "cptlookup_27447.html.meta.json")
    second = run(settings)
    assert second.published and second.read_files == 1
    docs = pd.read_parquet(settings.curated / "documents")
    assert docs.fetched_at.notna().all() and docs.url.str.startswith("http").all()
