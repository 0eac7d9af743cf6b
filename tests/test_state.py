"""What a run keeps of earlier runs (``_state``): data only, and never trusted beyond that.

A snapshot's state is read back by the next run; whoever can write the curated folder must not
be able to run code through it, and a state that is missing, unreadable or bad makes the run
read the pages again instead of failing."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.config import Settings
from ingest.errors import Reason
from ingest.runtime import pipeline, state
from ingest.runtime.pipeline import run
from ingest.store import storage

from .conftest import PAGES, RAW, copy_raw

TABLES = ["documents", "codes", "sections", "faq", "section_items", "facts", "removed_lines"]
NEW_PAGE = "CPT 99213 office visit\n\nOverview\nAn established patient visit of low complexity.\n"


def _rows(curated: Path) -> dict[str, list]:
    """Each curated table's rows, sorted, without ingested_at (which records when, not what)."""
    out = {}
    for name in TABLES:
        table = pq.read_table(curated / name)
        if "ingested_at" in table.schema.names:
            table = table.drop_columns(["ingested_at"])
        out[name] = sorted(map(repr, table.to_pylist()))
    return out


class Planted:
    """Unpickling this creates ``marker``: what a payload written by an attacker would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _plant(curated: Path, table: str, payload: bytes, where: str = "document") -> str:
    """Replace one payload of the published snapshot's ``table`` (a row of kind ``where`` for
    the pages' state) by ``payload``, in place; returns that row's raw_path or document_id."""
    files = sorted((curated / "_current" / table).rglob("*.parquet"))
    for path in files:
        rows = pq.read_table(path)
        column = rows.column("kind").to_pylist() if "kind" in rows.schema.names else ["document"] * rows.num_rows
        if where not in column:
            continue
        i = column.index(where)
        payloads = rows.column("payload").to_pylist()
        payloads[i] = payload
        rows = rows.set_column(rows.schema.get_field_index("payload"), "payload", pa.array(payloads, pa.binary()))
        os.unlink(path)  # a hard link shared with earlier snapshots: write a new file in its place
        pq.write_table(rows, path)
        _forge_checksum(curated / "_current", path)
        key = "raw_path" if "raw_path" in rows.schema.names else "document_id"
        return rows.column(key)[i].as_py()
    raise AssertionError(f"no {where} row in {table}")


def _forge_checksum(snapshot: Path, path: Path) -> None:
    """Record the planted file's size and SHA-256 in the snapshot's checksums, as whoever can
    write the curated folder can: the integrity check passes, and the payload must be refused
    when it is decoded."""
    record = snapshot / "_checksums.json"
    data = json.loads(record.read_text())
    data["files"][path.relative_to(snapshot).as_posix()] = [path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()]
    os.unlink(record)
    record.write_text(json.dumps(data))


def test_a_planted_pickle_in_the_state_is_bad_data_never_code(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    curated = tmp_path / "curated"
    run(Settings(raw=raw, curated=curated))
    marker = tmp_path / "executed"
    payload = state.compress(pickle.dumps(Planted(marker)))
    pickle.loads(state.decompress(payload))  # the payload is live: unpickled, it runs
    assert marker.exists()
    marker.unlink()

    planted_file = _plant(curated, state.STATE_TABLE, payload)
    planted_doc = _plant(curated, state.PARSED_TABLE, payload)
    nothing_new = run(Settings(raw=raw, curated=curated))  # nothing to parse: no page decoded
    assert not nothing_new.published and not marker.exists()

    (raw / "new.txt").write_text(NEW_PAGE, encoding="utf-8")  # a run that parses
    summary = run(Settings(raw=raw, curated=curated))
    assert not marker.exists()
    assert summary.read_files == 2  # the new file, and the file whose state was bad data, read again
    clean = run(Settings(raw=raw, curated=tmp_path / "clean"))
    assert _rows(curated) == _rows(tmp_path / "clean")
    assert clean.by_status == summary.by_status
    assert planted_doc and planted_file in {p.name for p in raw.iterdir()}


@pytest.mark.parametrize("payload", [b"", b"\x00\x00\x00\x00", state.compress(b"[1, 2, 3]"),
                                     state.compress(b'{"__class__": "os.system"}'), b"\xff" * 64])
def test_payloads_that_are_not_ours_raise_bad_payload(payload):
    for decode in (state.doc_from_payload, state.unpack_parse, state.quarantine_from_payload):
        with pytest.raises(state.BadPayload):
            decode(payload)


def test_payloads_round_trip_as_json(tmp_path):
    """A document and its parse come back equal from their payloads, values JSON has no type
    for included (times, bytes, tuples, JSON-LD numbers beyond 64 bits)."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    docs, _, _ = pipeline.process(Settings(raw=raw, curated=tmp_path / "curated"))
    assert docs
    for doc in docs:
        doc.jsonld = [{"big": 2**70, "nan": float("inf"), "text": "\ud800 lone"}]
        back = state.doc_from_payload(state.doc_to_payload(doc))
        for name in ("document_id", "content_hash", "raw_path", "line_no", "fmt", "url", "fetched_at", "mtime",
                     "site_evidence", "title", "jsonld", "encoding", "warnings", "lines", "removed"):
            assert getattr(back, name) == getattr(doc, name), name
        lines, removed, parsed, status, reason, signature = state.unpack_parse(state.pack_parse(doc))
        assert (lines, removed, parsed, status, reason, signature) == (
            doc.lines, doc.removed, doc.parsed, doc.status, doc.reason, doc.signature)


def test_a_deleted_state_means_reading_the_pages_again(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    curated = tmp_path / "curated"
    first = run(Settings(raw=raw, curated=curated))
    before = _rows(curated)
    shutil.rmtree(os.path.realpath(curated / "_current" / "_state"))
    again = run(Settings(raw=raw, curated=curated))
    assert again.read_files == first.files  # every file read again, and the run published as before
    assert _rows(curated) == before


def test_an_unreadable_state_means_reading_the_pages_again(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    curated = tmp_path / "curated"
    first = run(Settings(raw=raw, curated=curated))
    before = _rows(curated)
    for path in (curated / "_current" / state.STATE_TABLE).rglob("*.parquet"):
        os.unlink(path)
        path.write_bytes(b"PAR1 not a parquet file")
    assert state.load_state(curated) == ({}, None)
    again = run(Settings(raw=raw, curated=curated))
    assert again.read_files == first.files  # every file read again; the tables are what they were
    assert again.by_status == first.by_status and _rows(curated) == before


def test_a_file_quarantined_unreadable_is_read_again_once_it_can_be(tmp_path, monkeypatch):
    """Permissions fixed on a file change neither its size nor its mtime: the run after reads
    it all the same, since it was quarantined for a reason of the moment."""
    raw = copy_raw(tmp_path / "raw", RAW)
    locked = min(raw.glob("*.txt")).name
    real = storage.LocalSource.read

    def denied(self, rel, cap):
        if rel == locked:
            raise PermissionError(13, "Permission denied")
        return real(self, rel, cap)

    monkeypatch.setattr(storage.LocalSource, "read", denied)  # root reads a chmod-000 file: the error, as a user gets it
    curated = tmp_path / "curated"
    first = run(Settings(raw=raw, curated=curated))
    assert [(p, r.split(":")[0]) for p, r in first.quarantined] == [(locked, Reason.UNREADABLE)]
    monkeypatch.setattr(storage.LocalSource, "read", real)  # permissions fixed; size and mtime as they were
    again = run(Settings(raw=raw, curated=curated))
    assert again.read_files == 1 and again.published
    assert not again.quarantined and again.by_status.get("quarantined", 0) == 0
    assert _rows(curated) == _rows_of_a_clean_run(raw, tmp_path / "clean")
    third = run(Settings(raw=raw, curated=curated))
    assert third.read_files == 0 and not third.published  # read once: not again and again


def test_a_file_quarantined_for_its_content_is_not_read_again(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    (raw / "empty.txt").write_bytes(b"")
    curated = tmp_path / "curated"
    first = run(Settings(raw=raw, curated=curated))
    assert any(p == "empty.txt" for p, _ in first.quarantined)
    again = run(Settings(raw=raw, curated=curated))
    assert again.read_files == 0 and not again.published


def _rows_of_a_clean_run(raw: Path, curated: Path) -> dict[str, list]:
    run(Settings(raw=raw, curated=curated))
    return _rows(curated)


def test_a_state_with_one_site_column_loads_with_hint_and_host_apart(tmp_path):
    """A state of the earlier layout (one ``site_evidence`` column: the sidecar's site, else
    the URL host) loads, the hint and host derived again from each page."""
    from ingest.store.write import publish, read_previous

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Overview\\nCPT Code 21183 is described in this full sentence here.\\n")
    (raw / "a.txt.meta.json").write_text('{"site": "maple", "url": "https://oak.example/cpt"}')
    (raw / "b.txt").write_text("Overview\\nCPT Code 21184 is described in this full sentence here.\\n")
    (raw / "b.txt.meta.json").write_text('{"url": "https://www.pine.example/cpt"}')
    curated = tmp_path / "curated"
    run(Settings(raw=raw, curated=curated))
    now = read_previous(curated, state.STATE_TABLE)
    assert now.column("site_hint").to_pylist() == ["maple", None]
    assert now.column("url_host").to_pylist() == ["oak.example", "pine.example"]
    at = now.schema.get_field_index("site_hint")
    earlier = now.drop_columns(["site_hint", "url_host"]).add_column(at, "site_evidence",
                                                                      pa.array(["maple", "pine.example"]))
    publish(curated, {state.STATE_TABLE: earlier}, keep=5)
    files, table = state.load_state(curated)
    assert set(files) == {"a.txt", "b.txt"}
    assert table.equals(now)
