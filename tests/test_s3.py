"""Raw and curated on S3: the whole pipeline against moto's S3 server on 127.0.0.1.

No network beyond loopback: the endpoint and fake credentials are set in the environment, the
way a user points `ingest` at MinIO or S3 (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ingest
from ingest.store import storage, write
from ingest.cli import app
from ingest.config import Settings
from ingest.errors import LockError
from ingest.runtime.pipeline import run

from .conftest import PAGES, RAW, ROOT, copy_raw

HELDOUT_PAGE = ROOT / "tests" / "heldout" / "codexa" / "attended-polysomnography.html"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
TABLES = ["documents", "codes", "sections", "faq", "section_items", "removed_lines"]


@pytest.fixture(scope="module")
def endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as mp:
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            mp.delenv(key, raising=False)
        for key, value in {**FAKE_ENV, "AWS_ENDPOINT_URL": url}.items():
            mp.setenv(key, value)
        _clear_fs_cache()
        try:
            yield url
        finally:
            _clear_fs_cache()
            server.stop()


def _clear_fs_cache() -> None:
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def bucket(endpoint) -> str:
    import s3fs

    name = f"ingest-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem().mkdir(name)
    return name


def _upload_landing_zone(bucket: str) -> str:
    """Seed pages (one of them gzipped), the test pages (HTML with a sidecar, JSONL, text), a
    hidden file that must be skipped."""
    import s3fs

    fs = s3fs.S3FileSystem()
    raw = f"{bucket}/landing/raw"
    for page in sorted(RAW.glob("*.txt")):
        if page.name.startswith("004_"):
            fs.pipe_file(f"{raw}/{page.name}.gz", gzip.compress(page.read_bytes()))
        else:
            fs.put_file(str(page), f"{raw}/{page.name}")
    for page in sorted(PAGES.iterdir()):
        fs.put_file(str(page), f"{raw}/sub/{page.name}")
    fs.pipe_file(f"{raw}/.hidden/notes.txt", b"not a page")
    return f"s3://{raw}"


def _local_twin(tmp_path: Path) -> Path:
    """The same landing zone on local disk."""
    raw = copy_raw(tmp_path / "raw", *[p for p in RAW.glob("*.txt") if not p.name.startswith("004_")])
    page = next(RAW.glob("004_*.txt"))
    (raw / f"{page.name}.gz").write_bytes(gzip.compress(page.read_bytes()))
    copy_raw(raw / "sub", PAGES)
    return raw


def _options(endpoint: str) -> dict:
    return {"key": "testing", "secret": "testing", "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}


def _tables(paths: dict[str, str], storage_options: dict | None = None) -> dict[str, pd.DataFrame]:
    out = {}
    for name in TABLES:
        df = pd.read_parquet(paths[name], storage_options=storage_options)
        df = df.drop(columns=[c for c in ("ingested_at",) if c in df])
        sort = [c for c in ("document_id", "section", "position", "line_no", "question", "item") if c in df]
        out[name] = df.sort_values(sort).reset_index(drop=True).astype(str)
    return out


def test_pipeline_on_s3_matches_local_then_increments_and_rolls_back(endpoint, bucket, tmp_path):
    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    settings = Settings(raw=raw, curated=curated)
    assert settings.raw == raw and isinstance(settings.curated, str)

    first = run(settings)
    assert first.published and first.read_files == first.files == 8  # the hidden file is skipped
    assert first.by_status == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}

    # The same pages from local disk give the same tables.
    run(Settings(raw=_local_twin(tmp_path), curated=tmp_path / "curated"))
    local = _tables({t: str(tmp_path / "curated" / t) for t in TABLES})
    remote_paths = {t: ingest.current_path(curated, t) for t in TABLES}
    assert remote_paths["sections"] == f"{curated}/_snapshots/{first.snapshot}/sections"
    remote = _tables(remote_paths, _options(endpoint))  # pandas with storage_options -> the endpoint
    for name in TABLES:
        pd.testing.assert_frame_equal(remote[name], local[name], obj=name)
    docs = remote["documents"].set_index("raw_path")
    assert docs.loc["sub/cptlookup_27447.html", "site"] == "cptlookup.net"  # from the sidecar
    assert docs.loc["004_a9e68b020f907d18.txt.gz", "status"] == "curated"
    # With AWS_ENDPOINT_URL and credentials in the environment, no storage_options are needed.
    assert len(pd.read_parquet(ingest.current_path(curated, "codes"))) == len(local["codes"])

    # Layout: one complete snapshot, the pointer, no lock left behind.
    import s3fs

    fs = s3fs.S3FileSystem()
    assert fs.cat_file(f"{bucket}/curated/_current").decode().strip() == first.snapshot
    assert fs.exists(f"{bucket}/curated/_snapshots/{first.snapshot}/_complete")
    assert not fs.exists(f"{bucket}/curated/.lock")

    # Unchanged: nothing read, nothing published, the pointer untouched.
    again = run(settings)
    assert (again.read_files, again.published, again.snapshot) == (0, False, first.snapshot)
    assert len(write.list_snapshots(curated)) == 1

    # A new page appears after the next run, and only it is read.
    fs.put_file(str(HELDOUT_PAGE), f"{raw[5:]}/new/{HELDOUT_PAGE.name}")
    second = run(settings)
    assert (second.read_files, second.published, second.pages) == (1, True, first.pages + 1)
    docs = pd.read_parquet(ingest.current_path(curated, "documents"), storage_options=_options(endpoint))
    assert f"new/{HELDOUT_PAGE.name}" in set(docs.raw_path)

    # A changed page (new ETag) is read again.
    fs.pipe_file(f"{raw[5:]}/001_0d657cd1e37a062a.txt", (RAW / "001_0d657cd1e37a062a.txt").read_bytes() + b"\nUpdated.\n")
    assert run(settings).read_files == 1

    # Rollback rewrites the pointer; readers of current_path follow it.
    restored = write.rollback(curated)
    assert restored == second.snapshot
    assert fs.cat_file(f"{bucket}/curated/_current").decode().strip() == second.snapshot
    restored = write.rollback(curated)
    assert restored == first.snapshot
    assert len(pd.read_parquet(ingest.current_path(curated, "documents"), storage_options=_options(endpoint))) == first.pages


def test_cli_on_s3_run_report_show_rollback_and_pruning(endpoint, bucket, monkeypatch):
    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    env = {**os.environ, **FAKE_ENV, "AWS_ENDPOINT_URL": endpoint, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "ingest.cli", "run", "--no-prefect", "--raw", raw, "--curated", curated]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "status: curated" in proc.stdout and "published" in proc.stdout

    runner = CliRunner()
    result = runner.invoke(app, ["report", "--curated", curated, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["by_status"] == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    result = runner.invoke(app, ["show", "21183", "--curated", curated])
    assert result.exit_code == 0 and "Injection of bone marrow aspirate" in result.output
    result = runner.invoke(app, ["rollback", "--curated", curated])
    assert result.exit_code == 1 and "no earlier snapshot" in result.output

    # Four more publishing runs with keep_snapshots=3 and no retention period: the oldest are
    # deleted, the pointer is last.
    monkeypatch.setenv("INGEST_SNAPSHOT_RETENTION_SECONDS", "0")
    import s3fs

    fs = s3fs.S3FileSystem()
    ids = [write.current_snapshot(curated).name]
    for i in range(4):
        fs.pipe_file(f"{raw[5:]}/extra/page{i}.txt", (RAW / "002_2b2d1f4cf7407f0c.txt").read_bytes() + f"\nNote {i}.\n".encode())
        summary = run(Settings(raw=raw, curated=curated, keep_snapshots=3))
        assert summary.published
        ids.append(summary.snapshot)
    assert [p.name for p in write.list_snapshots(curated)] == ids[-3:]
    assert fs.ls(f"{bucket}/curated/_snapshots", detail=False) == [f"{bucket}/curated/_snapshots/{i}" for i in ids[-3:]]
    result = runner.invoke(app, ["rollback", "--curated", curated])
    assert result.exit_code == 0 and ids[-2] in result.output


def test_lock_object_is_exclusive_and_a_stale_one_is_broken(endpoint, bucket):
    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    lock_url = f"{curated}/.lock"

    first = storage.ObjectLock(lock_url, stale_after=300)
    assert first.acquire() is None
    second = storage.ObjectLock(lock_url, stale_after=300)
    assert "pid" in second.acquire()  # conditional PUT refused: held by `first`
    with pytest.raises(LockError, match="another ingest run"):
        run(Settings(raw=raw, curated=curated))
    assert first.check()
    first.release()
    assert not storage.exists(lock_url)

    # A lock left by a killed run (heartbeat an hour old) is broken by the next run.
    old = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    storage.put_bytes(lock_url, json.dumps({"holder": "pid 1 on gone", "token": "x", "heartbeat": old}).encode())
    assert run(Settings(raw=raw, curated=curated)).published
    assert not storage.exists(lock_url)

    # A lock broken under a stalled holder: it notices and does not publish.
    stalled = storage.ObjectLock(lock_url, stale_after=300)
    assert stalled.acquire() is None
    storage.put_bytes(lock_url, b"{}")  # someone else's lock now
    assert not stalled.check()
    stalled._stop.set()


def test_a_killed_upload_is_never_current_and_is_removed(endpoint, bucket):
    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    first = run(Settings(raw=raw, curated=curated))
    half = f"{curated}/_snapshots/29990101T000000000000Z-0123456789ab"
    storage.put_bytes(f"{half}/documents/part-0.parquet", b"PAR1 half")
    assert write.current_snapshot(curated).name == first.snapshot
    assert [p.name for p in write.list_snapshots(curated)] == [first.snapshot]
    with write.writer_lock(curated):
        write.remove_staging(curated)
    assert not storage.exists(half)
    assert run(Settings(raw=raw, curated=curated)).snapshot == first.snapshot


def test_the_manifest_lists_every_file_of_a_snapshot(endpoint, bucket):
    import s3fs

    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    snap = run(Settings(raw=raw, curated=curated)).snapshot
    fs = s3fs.S3FileSystem()
    manifest = json.loads(fs.cat_file(f"{bucket}/curated/_snapshots/{snap}/_complete"))
    stored = {p.split(f"/{snap}/", 1)[1]: info["size"] for p, info in fs.find(f"{bucket}/curated/_snapshots/{snap}", detail=True).items()}
    stored.pop("_complete")
    digests = {rel: hashlib.sha256(fs.cat_file(f"{bucket}/curated/_snapshots/{snap}/{rel}")).hexdigest() for rel in stored}
    etags = {p.split(f"/{snap}/", 1)[1]: info["ETag"].strip('"')
             for p, info in fs.find(f"{bucket}/curated/_snapshots/{snap}", detail=True).items() if not p.endswith("_complete")}
    assert manifest == {"snapshot": snap, "files": stored, "sha256": digests,
                        "etag": {rel: f"etag:{tag}" for rel, tag in sorted(etags.items())}}
    assert any(f.startswith("sections/section=complications/part-") for f in stored)
    assert any(f.startswith("_state/pages/part-") for f in stored) and "_state/segments/part-0.parquet" in stored


def test_verify_on_object_storage_names_damage_and_a_run_copies_no_damaged_object(endpoint, bucket):
    import s3fs

    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    snap = run(Settings(raw=raw, curated=curated)).snapshot
    assert write.verify(curated) == {snap: []}
    fs = s3fs.S3FileSystem()
    base = f"{bucket}/curated/_snapshots/{snap}"
    faq = min(fs.find(f"{base}/faq"))
    data = bytearray(fs.cat_file(faq))
    data[len(data) // 2] ^= 0xFF
    fs.pipe_file(faq, bytes(data))
    codes = min(fs.find(f"{base}/codes"))
    fs.rm_file(codes)
    found = write.verify(curated)[snap]
    assert [(d.table, d.problem) for d in found] == [("codes", "missing"), ("faq", "checksum differs")]
    result = CliRunner().invoke(app, ["verify", "--curated", curated])
    assert result.exit_code == 1 and "damaged tables codes, faq" in result.output
    fs.pipe_file(f"{raw[5:]}/extra/page.txt", (RAW / "002_2b2d1f4cf7407f0c.txt").read_bytes() + b"\nA note.\n")
    second = run(Settings(raw=raw, curated=curated))
    assert second.published
    assert write.verify(curated)[second.snapshot] == []  # both written anew, not copied
    assert len(pd.read_parquet(ingest.current_path(curated, "codes"), storage_options=_options(endpoint))) == second.rows["codes"]


def test_any_fsspec_filesystem_works_memory(tmp_path):
    """A non-S3 fsspec filesystem (memory://): the generic paths of storage.py, no conditional
    writes there (fsspec's check-then-write create)."""
    import fsspec

    fs = fsspec.filesystem("memory")
    root = f"/ingest-{uuid.uuid4().hex[:8]}"
    for page in [*RAW.glob("*.txt"), *PAGES.iterdir()]:
        fs.pipe_file(f"{root}/raw/{page.name}", page.read_bytes())
    settings = Settings(raw=f"memory://{root}/raw", curated=f"memory://{root}/curated")
    first = run(settings)
    assert first.published and first.by_status == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    assert (run(settings).read_files, run(settings).published) == (0, False)
    fs.pipe_file(f"{root}/raw/extra.txt", (RAW / "002_2b2d1f4cf7407f0c.txt").read_bytes() + b"\nNote.\n")
    assert run(settings).read_files == 1
    assert write.rollback(settings.curated) == first.snapshot
    assert len(pd.read_parquet(ingest.current_path(settings.curated, "documents"))) == first.pages
    assert not fs.exists(f"{root}/curated/.lock")
    lock = storage.ObjectLock(f"memory://{root}/curated/.lock", stale_after=300)
    assert lock.acquire() is None
    with pytest.raises(LockError):
        run(settings)
    lock.release()
    fs.rm(root, recursive=True)


@pytest.mark.prefect
def test_the_prefect_flow_on_s3(prefect_harness, endpoint, bucket):
    from flows.ingest import ingest_flow

    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    result = ingest_flow(raw=raw, curated=curated, batch_size=3)
    assert result["published"] and result["by_status"] == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    again = ingest_flow(raw=raw, curated=curated, batch_size=3)
    assert not again["published"] and again["snapshot"] == result["snapshot"] and again["read_files"] == 0


def test_a_missing_bucket_is_a_clear_error(endpoint):
    result = CliRunner().invoke(app, ["run", "--no-prefect", "--raw", str(RAW), "--curated", f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/c"])
    assert result.exit_code == 1 and "could not take the writer lock" in result.output


def test_a_failed_upload_publishes_nothing_and_leaves_nothing(endpoint, bucket, monkeypatch):
    from ingest.errors import OutputError

    raw = _upload_landing_zone(bucket)
    curated = f"s3://{bucket}/curated"
    first = run(Settings(raw=raw, curated=curated))
    import s3fs

    s3fs.S3FileSystem().pipe_file(f"{raw[5:]}/extra.txt", (RAW / "002_2b2d1f4cf7407f0c.txt").read_bytes() + b"\nNote.\n")

    def broken(url, data):
        raise OSError("connection reset")

    monkeypatch.setattr(storage, "put_bytes", broken)  # the manifest cannot be written
    with pytest.raises(OutputError, match="connection reset"):
        run(Settings(raw=raw, curated=curated))
    monkeypatch.undo()
    assert [p.name for p in write.list_snapshots(curated)] == [first.snapshot]
    assert storage.list_dirs(f"{curated}/_snapshots") == [first.snapshot]
    assert write.current_snapshot(curated).name == first.snapshot
