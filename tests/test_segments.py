"""Work proportional to what is new: a run rewrites only the segments whose rows changed
(segments.py), and the tables it publishes equal a full rebuild's."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.store import segments
from ingest.config import Settings
from ingest.runtime.pipeline import run
from ingest.store.write import CURRENT

from .conftest import PAGES, RAW, copy_raw

TABLES = ["documents", "codes", "sections", "faq", "section_items", "facts", "removed_lines"]


def _files(curated: Path) -> dict[str, os.stat_result]:
    snap = curated / os.readlink(curated / CURRENT)
    return {p.relative_to(snap).as_posix(): p.stat() for p in snap.rglob("*.parquet")}


def _rows(curated: Path, table: str, files: list[str]) -> int:
    snap = curated / os.readlink(curated / CURRENT)
    return sum(pq.read_metadata(snap / f).num_rows for f in files if f.startswith(f"{table}/"))


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=[c for c in ("ingested_at",) if c in df]).astype(str)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def test_a_new_page_writes_its_own_rows_and_links_the_rest(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES / "cptlookup_27447.html", PAGES / "cptlookup_27447.html.meta.json")
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    before = _files(settings.curated)
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")  # a page about a code no other page names
    assert run(settings).published
    after = _files(settings.curated)

    same_inode = {f for f, st in after.items() if any(b.st_ino == st.st_ino for b in before.values())}
    written = sorted(set(after) - same_inode)
    assert same_inode, "unchanged segments are hard links to the previous snapshot's files"
    docs = pd.read_parquet(settings.curated / "documents")
    new_id = docs.loc[docs.raw_path == "medcodewiki_J1100.txt", "document_id"].item()
    # the documents table: one row written (the new page), the others linked
    assert _rows(settings.curated, "documents", written) == 1
    assert _rows(settings.curated, "documents", sorted(same_inode)) == len(docs) - 1
    for table in ("sections", "faq", "facts", "removed_lines"):
        snap = settings.curated / os.readlink(settings.curated / CURRENT)
        for f in written:
            if f.startswith(f"{table}/"):
                ids = set(pq.read_table(snap / f, columns=["document_id"]).column(0).to_pylist())
                assert ids == {new_id}, (table, f, ids)
    for table in ("codes", "section_items"):
        snap = settings.curated / os.readlink(settings.curated / CURRENT)
        for f in written:
            if f.startswith(f"{table}/"):
                assert set(pq.read_table(snap / f, columns=["code"]).column(0).to_pylist()) == {"J1100"}

    full = Settings(raw=raw, curated=tmp_path / "full", full=True)
    run(full)
    for table in TABLES:
        pd.testing.assert_frame_equal(_sorted(pd.read_parquet(settings.curated / table)),
                                      _sorted(pd.read_parquet(full.curated / table)), obj=table)


def test_a_changed_page_rewrites_only_its_segments(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    for page in PAGES.iterdir():  # one page per run: several small segments
        copy_raw(raw, page)
        run(settings)
    before = _files(settings.curated)
    page = raw / "medcodewiki_J1100.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\nPatients usually go home the same day.\n", encoding="utf-8")
    assert run(settings).published
    after = _files(settings.curated)
    written = [f for f, st in after.items() if not any(b.st_ino == st.st_ino for b in before.values())]
    assert 0 < _rows(settings.curated, "documents", written) <= 1
    docs = pd.read_parquet(settings.curated / "documents")
    assert len(docs) == len(set(docs.document_id))  # every key in exactly one segment
    full = Settings(raw=raw, curated=tmp_path / "full", full=True)
    run(full)
    for table in TABLES:
        pd.testing.assert_frame_equal(_sorted(pd.read_parquet(settings.curated / table)),
                                      _sorted(pd.read_parquet(full.curated / table)), obj=table)


def _table(keys: list[str]) -> pa.Table:
    return pa.table({"document_id": keys, "n": list(range(len(keys)))})


def test_small_segments_are_compacted(tmp_path):
    previous: segments.Previous = {}
    keys: list[str] = []
    counts = []
    for run_no in range(8):
        keys = keys + [f"doc-{run_no}"]
        dest = tmp_path / f"snap-{run_no}" / "removed_lines"
        prev_dir = tmp_path / f"snap-{run_no - 1}" / "removed_lines"

        def reuse(old: str, new: str, prev_dir=prev_dir, dest=dest) -> None:
            os.link(prev_dir / old, dest / new)

        rows = segments.write_table(dest, "removed_lines", _table(keys), previous, reuse)
        previous = segments.read_manifest(segments.manifest_table(rows))
        counts.append(len(list(dest.iterdir())))
        assert sorted(pq.read_table(dest).column("document_id").to_pylist()) == sorted(keys)
    assert max(counts) <= segments.MAX_SMALL + 1  # never more small files than that
    assert counts[:segments.MAX_SMALL + 1] == list(range(1, segments.MAX_SMALL + 2))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefghij"), st.integers(1, 40)), min_size=1, max_size=30),
       st.dictionaries(st.sampled_from("abcdefghij"), st.sampled_from(["site-1", "site-2"])))
def test_segments_never_split_a_key(runs, sites):
    """However rows are grouped, a key's rows land in one file (a key in two files could be
    kept in one and dropped from the other), and no row is lost or repeated."""
    import tempfile

    keys = [k for k, n in runs for _ in range(n)]
    table = _table(keys)
    old = segments.SEGMENT_ROWS
    segments.SEGMENT_ROWS = 25
    try:
        with tempfile.TemporaryDirectory() as tmp:
            manifest = segments.manifest_table(segments.write_table(Path(tmp), "removed_lines", table, {}, None, sites))
            files = {f.name: pq.read_table(f) for f in Path(tmp).iterdir()}
    finally:
        segments.SEGMENT_ROWS = old
    seen: dict[str, str] = {}
    for name, piece in files.items():
        assert piece.num_rows <= 25 or piece.column("document_id").unique().to_pylist() == [piece["document_id"][0].as_py()]
        assert piece.schema == table.schema
        for k in set(piece.column("document_id").to_pylist()):
            assert seen.setdefault(k, name) == name
    assert sorted(r for t in files.values() for r in t.column("n").to_pylist()) == list(range(len(keys)))
    assert dict(zip(manifest["key"].to_pylist(), manifest["file"].to_pylist(), strict=True)) == seen


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from(["cost", "faq", "overview"]), st.integers(1, 30)),
                min_size=1, max_size=25))
def test_a_partitioned_table_is_the_same_however_its_segments_are_gathered_into_queries(runs):
    """The new segments of a partitioned table are read in ranges that span partitions, as
    many as DuckDB's budget takes: a budget of a few rows (a query per segment) and a large
    one (every partition in one query) write the same files, each partition's rows in its
    own directory, no row lost or repeated; the manifest is the same returned whole or handed
    over a partition at a time."""
    import tempfile

    rows = [(k, section) for k, section, n in runs for _ in range(n)]
    table = pa.table({"document_id": [k for k, _ in rows], "section": [s for _, s in rows],
                      "n": list(range(len(rows)))})
    written = []
    old_rows, old_limit = segments.SEGMENT_ROWS, segments._limit_bytes
    try:
        segments.SEGMENT_ROWS = 20
        for limit in (8, 1 << 30):  # bytes: a range of one segment; one range
            segments._limit_bytes = lambda limit=limit: limit
            with tempfile.TemporaryDirectory() as tmp:
                if limit == 8:  # the manifest returned, or handed to a sink a partition at a time
                    manifest = segments.manifest_table(segments.write_table(Path(tmp), "sections", table, {}, None))
                else:
                    sunk: list[pa.Table] = []
                    assert segments.write_table(Path(tmp), "sections", table, {}, None, sink=sunk.append) == []
                    assert len(sunk) == len({s for _, s in rows})
                    manifest = segments.manifest_table(sunk)
                files = {f.relative_to(tmp).as_posix(): pq.read_table(f) for f in Path(tmp).rglob("*.parquet")}
                written.append((manifest, {name: t.to_pydict() for name, t in files.items()}))
    finally:
        segments.SEGMENT_ROWS, segments._limit_bytes = old_rows, old_limit
    (small_manifest, small), (large_manifest, large) = written
    assert small == large and small_manifest.equals(large_manifest)
    assert sorted(n for t in small.values() for n in t["n"]) == list(range(len(rows)))
    for name, t in small.items():
        section = name.split("/")[0].removeprefix("section=")
        assert {rows[n][1] for n in t["n"]} == {section}
        assert t["n"] == sorted(t["n"])  # a segment keeps the rows' order


def test_key_digests_change_with_any_value_and_not_with_row_order():
    a = pa.table({"document_id": ["x", "x", "y"], "text": ["1", "2", "3"]})
    b = pa.table({"document_id": ["y", "x", "x"], "text": ["3", "2", "1"]})
    c = pa.table({"document_id": ["x", "x", "y"], "text": ["1", "2", "4"]})
    _, da = segments.key_digests(a, "document_id")
    _, db = segments.key_digests(b, "document_id")
    _, dc = segments.key_digests(c, "document_id")
    assert da == db and da["x"] == dc["x"] and da["y"] != dc["y"]


def test_partitions_digested_several_at_a_time_are_digested_as_each_alone(tmp_path, monkeypatch):
    """A partitioned table's partitions are digested several per query (DIGEST_QUERY_ROWS):
    each key's digest is its partition's own, and the segments the same as one query each."""
    from ingest import schema, tabular

    sections = ["coding_tips", "complications", "overview", "procedure"]
    rows = [{"code": f"2{d:04d}", "section": sec, "heading": sec.title(), "position": k + 1,
             "text": f"{sec} text of page {d}" if (d + k) % 3 else "", "items": [f"item {d}-{k}"] * (d % 3),
             "document_id": f"doc-{d:03d}", "site": f"site{d % 4}.com"}
            for d in range(40) for k, sec in enumerate(sections) if (d + k) % 5]
    table = pa.Table.from_pylist(rows, schema=schema.TABLES["sections"])
    together = segments.manifest_table(segments.write_table(tmp_path / "together", "sections", table, {}, None))
    monkeypatch.setattr(segments, "DIGEST_QUERY_ROWS", 1)  # every partition in a query of its own
    apart = segments.manifest_table(segments.write_table(tmp_path / "apart", "sections", table, {}, None))
    assert together.num_rows == len({(r["section"], r["document_id"]) for r in rows})
    assert together.sort_by([("partition", "ascending"), ("key", "ascending")]).equals(
        apart.sort_by([("partition", "ascending"), ("key", "ascending")]))
    con = tabular.connect()
    try:
        con.register("src", table)
        columns = [c for c in table.column_names if c != "section"]
        for sec in sections:
            alone = segments._digests(con, columns, "document_id", "section = ?", [sec])
            got = {r["key"]: (r["digest"], r["rows"]) for r in together.to_pylist() if r["partition"] == f"section={sec}"}
            assert got == alone and alone
    finally:
        tabular.release(con)


def test_a_run_parses_only_pages_whose_inputs_changed(tmp_path, monkeypatch):
    """Parsed pages are reused while their page, site and site template are unchanged: a
    run that adds one page of a new site parses that page only, and a --full run all."""
    from ingest.runtime import pipeline

    parsed: list[str | None] = []
    real = pipeline.parse_page

    def counting(lines, removed, context):
        parsed.append(context.url)
        return real(lines, removed, context)

    monkeypatch.setattr(pipeline, "parse_page", counting)
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    run(settings)
    assert len(parsed) == 5
    parsed.clear()
    copy_raw(raw, PAGES / "medcodewiki_J1100.txt")
    run(settings)
    assert len(parsed) == 1
    parsed.clear()
    run(Settings(raw=raw, curated=tmp_path / "curated", full=True))
    assert len(parsed) == 6
