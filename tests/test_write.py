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
from ingest.runtime.pipeline import run
from ingest.store.write import CURRENT, list_snapshots, rollback, writer_lock

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
        "import sys, time; from pathlib import Path; from ingest.store.write import writer_lock\n"
        "with writer_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(curated)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError, match="another ingest run"), writer_lock(curated):
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
    assert full.read_files == 6 and full.published  # --full writes every file anew (and so repairs any)


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


# --- rollback with the CLI's defaults, damage found and never spread, readers never lose files ---

TABLE_NAMES = ["codes", "documents", "facts", "faq", "rejected_rows", "removed_lines", "section_items", "sections"]


def _snap(curated):
    return (curated / CURRENT).resolve()


def _counts(curated) -> dict[str, int]:
    return {name: len(pd.read_parquet(curated / name)) for name in TABLE_NAMES}


def test_rollback_with_the_cli_defaults_relative_paths(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ingest.cli import app

    raw = copy_raw(tmp_path / "raw", RAW)
    monkeypatch.chdir(tmp_path)
    settings = Settings(raw="raw", curated="curated")
    run(settings)
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    run(settings)
    first = list_snapshots("curated")[0].name
    result = CliRunner().invoke(app, ["rollback"])
    assert result.exit_code == 0, result.output
    assert first in result.output and _snap(tmp_path / "curated").name == first
    assert len(pd.read_parquet("curated/documents")) == 5


def test_damaged_files_are_named_by_verify_and_rewritten_not_linked(tmp_path):
    from typer.testing import CliRunner

    from ingest.cli import app
    from ingest.report import report
    from ingest.store.write import verify

    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    reference = _counts(settings.curated)
    snap = _snap(settings.curated)
    assert verify(settings.curated) == {snap.name: []}
    truncated = min((snap / "sections").rglob("*.parquet"))
    truncated.write_bytes(truncated.read_bytes()[:100])  # in place: every hard link to it is damaged too
    emptied = min((snap / "codes").glob("*.parquet"))
    emptied.write_bytes(b"")
    found = verify(settings.curated)[snap.name]
    assert [(d.table, d.problem.split(",")[0]) for d in found] == [("codes", "size 0"), ("sections", "size 100")]
    result = CliRunner().invoke(app, ["verify", "--curated", str(settings.curated)])
    assert result.exit_code == 1 and "damaged tables codes, sections" in result.output
    assert report(settings.curated).pages == 5  # readers through read_previous leave the damaged files out
    damaged = {truncated.stat().st_ino, emptied.stat().st_ino}
    second = run(settings)  # nothing new in raw: the damage alone makes the run rebuild
    assert second.published
    new = _snap(settings.curated)
    assert not damaged & {f.stat().st_ino for f in new.rglob("*.parquet")}  # rewritten, not linked
    assert _counts(settings.curated) == reference
    # the rewritten bytes are the recorded ones: the rollback target is whole again too
    assert verify(settings.curated) == {new.name: [], snap.name: []}
    assert truncated.stat().st_size == (new / truncated.relative_to(snap)).stat().st_size


def test_a_changed_byte_is_found_and_the_next_publishing_run_does_not_link_it(tmp_path):
    from ingest.store.write import verify

    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    snap = _snap(settings.curated)
    victim = min((snap / "faq").glob("*.parquet"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    assert [(d.table, d.problem) for d in verify(settings.curated)[snap.name]] == [("faq", "checksum differs")]
    flipped = victim.stat().st_ino
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    run(settings)
    new = _snap(settings.curated)
    assert flipped not in {f.stat().st_ino for f in new.rglob("*.parquet")}
    assert verify(settings.curated) == {new.name: [], snap.name: []}  # and the older one restored from it


def test_a_deleted_segment_or_state_is_rebuilt_by_the_next_run(tmp_path):
    import shutil

    from ingest.store.write import verify

    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    reference = _counts(settings.curated)
    snap = _snap(settings.curated)
    min((snap / "documents").glob("*.parquet")).unlink()
    assert [(d.table, d.problem) for d in verify(settings.curated)[snap.name]] == [("documents", "missing")]
    assert run(settings).published
    assert _counts(settings.curated) == reference
    shutil.rmtree(_snap(settings.curated) / "_state" / "pages")
    third = run(settings)  # was: "could not publish ... No such file"; the older snapshot has the files
    assert not third.published and third.read_files == 0
    for snap in list_snapshots(settings.curated):  # no copy left anywhere: the pages are read again
        shutil.rmtree(snap / "_state" / "pages")
    fourth = run(settings)
    assert fourth.published and fourth.read_files == 5
    assert verify(settings.curated)[_snap(settings.curated).name] == []
    assert _counts(settings.curated) == reference


def test_full_writes_every_file_anew(tmp_path):
    from ingest.store.write import publish, read_previous, verify

    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    names = [n for n in TABLE_NAMES if n != "sections"] + ["_state/pages", "_state/parsed"]
    tables = {n: read_previous(settings.curated, n) for n in names}
    target = tmp_path / "again"
    first, published = publish(target, tables, keep=5)
    assert published and publish(target, tables, keep=5) == (first, False)  # same content: nothing
    second, published = publish(target, tables, keep=5, full=True)
    assert published and second != first and second.endswith(first.rsplit("-", 1)[1])
    old = {f.stat().st_ino for f in (target / "_snapshots" / first).rglob("*.parquet")}
    assert not old & {f.stat().st_ino for f in (target / "_snapshots" / second).rglob("*.parquet")}
    assert verify(target) == {second: [], first: []}


def test_every_run_ends_with_the_table_paths_in_place(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    reference = _counts(settings.curated)
    for name in TABLE_NAMES:  # as a first run killed right after _current appeared leaves them
        (settings.curated / name).unlink()
    again = run(settings)
    assert not again.published and again.read_files == 0
    assert all(os.readlink(settings.curated / name) == f"{CURRENT}/{name}" for name in TABLE_NAMES)
    assert _counts(settings.curated) == reference


def _extra_page(raw, i: int) -> None:
    text = (PAGES / "medcodewiki_J1100.txt").read_text(encoding="utf-8")
    (raw / f"extra{i}.txt").write_text(text.replace("J1100", f"J{1200 + i}"), encoding="utf-8")


def test_replaced_snapshots_are_kept_for_the_retention_period(tmp_path, monkeypatch):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated", keep_snapshots=1)
    ids = []
    for i in range(3):
        _extra_page(raw, i)
        ids.append(run(settings).snapshot)
    assert [s.name for s in list_snapshots(settings.curated)] == ids  # all replaced less than a day ago
    monkeypatch.setenv("INGEST_SNAPSHOT_RETENTION_SECONDS", "0")
    _extra_page(raw, 3)
    last = run(settings).snapshot
    assert [s.name for s in list_snapshots(settings.curated)] == [last]


def test_a_reader_of_a_resolved_table_path_never_fails_nor_mixes_beside_publishing_runs(tmp_path):
    from pathlib import Path

    from ingest.store.write import current_path

    raw = copy_raw(tmp_path / "raw", RAW)
    curated = tmp_path / "curated"
    run(Settings(raw=raw, curated=curated))
    pinned = current_path(curated, "sections")  # resolved once, read after two publishing runs
    expected = len(pd.read_parquet(pinned))
    code = (
        "import sys; from pathlib import Path; from ingest.config import Settings; from ingest.runtime.pipeline import run\n"
        "raw, curated, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])\n"
        "text = (raw / '000_c185ca2b8a377b56.txt').read_text()\n"
        "for i in range(n):\n"
        "    (raw / f'extra{i}.txt').write_text(text.replace('21183', str(21200 + i)))\n"
        "    run(Settings(raw=raw, curated=curated, keep_snapshots=1))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code, str(raw), str(curated), "2"], env=env, check=True)
    assert len(pd.read_parquet(pinned)) == expected  # its snapshot was replaced twice, and kept
    writer = subprocess.Popen([sys.executable, "-c", code, str(raw), str(curated), "6"], env=env)
    reads, errors = [], []
    bare: list[int] = []
    bare_errors = []
    while writer.poll() is None:
        try:
            path = current_path(curated, "sections")
            reads.append((Path(path).parent.name, len(pd.read_parquet(path))))
        except Exception as exc:  # noqa: BLE001 - counted: the test wants none
            errors.append(repr(exc))
        try:  # the path as it is: resolved again for each partition listed and each file opened
            bare.append(len(pd.read_parquet(curated / "sections")))
        except FileNotFoundError as exc:  # a file listed in one snapshot, gone from the next
            bare_errors.append(str(exc))
    assert writer.returncode == 0 and errors == []
    counts = {s.name: len(pd.read_parquet(s / "sections")) for s in list_snapshots(curated)}
    assert len(set(counts.values())) >= 6  # each run added rows: a mixed read would show
    assert len({snap for snap, _ in reads}) >= 3
    assert all(n == counts[snap] for snap, n in reads)
    # A bare path never mixes two snapshots (it may fail, and then names a file).
    assert set(bare) <= set(counts.values()) and len(set(bare)) >= 3
    assert all("No such file" in e for e in bare_errors)


def test_a_file_deleted_from_the_current_snapshot_is_restored_from_another(tmp_path):
    from ingest.store.write import verify

    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    run(settings)
    before = pd.read_parquet(settings.curated / "documents")
    snap = _snap(settings.curated)
    older = list_snapshots(settings.curated)[0]
    shared = [f for f in (snap / "documents").glob("*.parquet") if (older / "documents" / f.name).exists()]
    assert shared  # the unchanged segment is a hard link to the older snapshot's file
    shared[0].unlink()
    again = run(settings)
    assert not again.published and again.read_files == 0  # put back, nothing to read or rebuild
    pd.testing.assert_frame_equal(pd.read_parquet(settings.curated / "documents"), before)  # ingested_at kept
    assert verify(settings.curated) == {snap.name: [], older.name: []}


def test_a_snapshot_without_checksums_is_checked_by_its_parquet_footers(tmp_path):
    from ingest.store.write import CHECKSUMS, verify

    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    snap = _snap(settings.curated)
    (snap / CHECKSUMS).unlink()  # as a snapshot published before checksums were recorded
    truncated = min((snap / "sections").rglob("*.parquet"))
    truncated.write_bytes(truncated.read_bytes()[:100])
    found = verify(settings.curated)[snap.name]
    assert [(d.table, d.problem) for d in found] == [("sections", "not a readable Parquet file")]
    damaged = truncated.stat().st_ino
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    assert run(settings).published
    new = _snap(settings.curated)
    assert damaged not in {f.stat().st_ino for f in new.rglob("*.parquet")}
    assert verify(settings.curated)[new.name] == [] and (new / CHECKSUMS).exists()


def test_tables_written_in_threads_give_the_same_snapshot(tmp_path):
    """Publishing several tables at a time (a run with several workers) writes the same files,
    the same manifest and the same snapshot digest as one table at a time; and a second
    publish of the same content over it, in threads, finds nothing to publish."""
    from ingest.store.write import publish, read_previous, verify

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    names = [*TABLE_NAMES, "_state/pages", "_state/parsed"]
    tables = {n: read_previous(settings.curated, n) for n in names}
    one, published_one = publish(tmp_path / "one", tables, keep=5, threads=1)
    many, published_many = publish(tmp_path / "many", tables, keep=5, threads=3)
    assert published_one and published_many
    assert one.rsplit("-", 1)[1] == many.rsplit("-", 1)[1]
    assert _snapshot_bytes(tmp_path / "one") == _snapshot_bytes(tmp_path / "many") != {}
    assert publish(tmp_path / "many", tables, keep=5, threads=3) == (many, False)
    assert verify(tmp_path / "many") == {many: []}


def test_publish_calls_after_table_once_a_table_is_written(tmp_path):
    """The run gives memory back between tables through ``after_table`` (the store does not
    import the runtime's memory module); each call comes after that table's files exist."""
    from ingest.schema import TABLES
    from ingest.store.write import publish

    tables = {name: TABLES[name].empty_table() for name in TABLES}
    written: list[set[str]] = []

    def after_table() -> None:
        staging = [p for p in (tmp_path / "curated" / "_snapshots").iterdir() if p.is_dir()]
        written.append({p.name for s in staging for p in s.iterdir()})

    _, published = publish(tmp_path / "curated", tables, keep=5, after_table=after_table)
    assert published and len(written) == len(tables)
    assert [len(names & set(tables)) for names in written] == list(range(1, len(tables) + 1))


def _sections(docs: dict[str, list[str]]) -> dict:
    import pyarrow as pa

    rows = [(doc, section) for doc, sections in docs.items() for section in sections]
    return {"sections": pa.table({"document_id": [d for d, _ in rows], "section": [s for _, s in rows],
                                  "text": [f"{d} about {s}" for d, s in rows]})}


def test_a_bare_path_read_whose_listing_spans_a_publish_fails_rather_than_mixing(tmp_path):
    """A Parquet reader given ``curated/sections`` lists the table one partition directory at
    a time by that path, then opens each file by it: the kernel resolves the path again at
    each step. Replayed through fsspec's local filesystem (pyarrow's order: every listing,
    then every open) with a publish after the first partition is listed: partition a listed
    in the old snapshot only gained a file, partition b is listed in the new one."""
    from fsspec.implementations.local import LocalFileSystem

    from ingest.store.write import publish

    curated = tmp_path / "curated"
    publish(curated, _sections({"d1": ["a", "b"]}), keep=5)
    old = len(pd.read_parquet(curated / "sections"))
    spanned = []

    class Spanning(LocalFileSystem):
        cachable = False

        def ls(self, path, detail=False, **kwargs):
            out = sorted(super().ls(path, detail=detail, **kwargs), key=lambda e: e["name"] if detail else e)
            if os.path.basename(str(path).rstrip("/")) == "section=a" and not spanned:
                spanned.append(publish(curated, _sections({"d1": ["a", "b"], "d2": ["a", "b"]}), keep=5))
            return out

    with pytest.raises(OSError, match="seal-"):  # not 3 rows: d1 of a, d1 and d2 of b
        pd.read_parquet(str(curated / "sections"), filesystem=Spanning())
    assert spanned and spanned[0][1]
    new = len(pd.read_parquet(curated / "sections"))
    assert (old, new) == (2, 4)
    assert sorted(pd.read_parquet(str(curated / "sections"), filesystem=Spanning()).document_id) == [
        "d1", "d1", "d2", "d2"]  # a read that does not span a publish: the whole new snapshot


def test_the_manifest_digest_reads_each_row_as_its_values_joined(tmp_path):
    """The snapshot's digest hashes each manifest row as its values as text (integers in
    decimal) joined by NUL, then a newline, in UTF-8: made by Arrow, byte for byte what the
    same rows give value by value in Python, whatever the text."""
    import pyarrow as pa

    from ingest.store import segments
    from ingest.store.write import _row_lines

    rows = {"table": ["sections", "sections", "documents"], "partition": ["section=cost", "section=ü", ""],
            "file": ["part-a.parquet", "part-b.parquet", "part-c.parquet"], "key": ["d1", "clé\u00a0é", ""],
            "digest": ["0" * 32, "f" * 32, "ab"], "rows": [3, 12345678901, 0]}
    table = pa.table(rows, schema=segments.MANIFEST_SCHEMA)
    expected = b"".join("\0".join(str(v) for v in row).encode() + b"\n" for row in zip(*rows.values(), strict=True))
    assert _row_lines(table.to_batches()[0]) == expected
    assert _row_lines(table.slice(1).to_batches()[0]) == expected.split(b"\n", 1)[1]
    assert _row_lines(pa.RecordBatch.from_pylist([], schema=segments.MANIFEST_SCHEMA)) == b""
