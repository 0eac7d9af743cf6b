"""The location helpers of storage.py: a local path stays a Path, a URL stays a string."""

from datetime import UTC, datetime
from pathlib import Path

from ingest.store import storage


def test_location_join_and_is_remote_keep_the_kind_of_location():
    local = storage.location("curated/")
    remote = storage.location("s3://bucket/curated/")
    assert local == Path("curated") and not storage.is_remote(local)
    assert storage.location("file:///tmp/curated") == Path("/tmp/curated")
    assert remote == "s3://bucket/curated" and storage.is_remote(remote)
    assert storage.join(local, "_snapshots", "x") == Path("curated/_snapshots/x")
    assert storage.join(remote, "/_snapshots/", "x") == "s3://bucket/curated/_snapshots/x"
    assert storage.url_of(local) == "curated" and storage.url_of(remote) == "s3://bucket/curated"


def test_mtime_reads_every_form_a_store_gives():
    when = datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert storage.mtime({"LastModified": when}) == when.timestamp()
    assert storage.mtime({"LastModified": when.replace(tzinfo=None)}) == when.timestamp()
    assert storage.mtime({"mtime": 1704164645}) == 1704164645.0
    assert storage.mtime({"updated": "2024-01-02T03:04:05.123Z"}) == when.timestamp()
    assert storage.mtime({"updated": "2024-01-02T03:04:05.123+00:00"}) == when.timestamp()
    assert storage.mtime({"updated": "not a time", "created": "2024-01-02T03:04:05.123Z"}) == when.timestamp()
    assert storage.mtime({"mtime": True}) == 0.0
    assert storage.mtime({}) == 0.0


def _functions_branching_on_the_location(module) -> list[str]:
    """The functions of ``module`` that ask whether a location is remote (storage.is_remote):
    each should be written once, through a storage.Store or storage.Source."""
    import ast

    tree = ast.parse(Path(module.__file__).read_text())
    return sorted({fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
                   for node in ast.walk(fn) if isinstance(node, ast.Attribute) and node.attr == "is_remote"})


def test_operations_on_a_location_go_through_one_store_or_source_chosen_from_it():
    from ingest.runtime import state
    from ingest.stages import read
    from ingest.store import write

    assert isinstance(storage.store(storage.location("curated")), storage.LocalStore)
    assert isinstance(storage.store(storage.location("memory://bucket/curated")), storage.ObjectStore)
    assert isinstance(storage.source(storage.location("raw")), storage.LocalSource)
    assert isinstance(storage.source(storage.location("memory://bucket/raw")), storage.ObjectSource)
    assert {m.__name__: _functions_branching_on_the_location(m) for m in (write, read, state)} == {
        "ingest.store.write": [], "ingest.stages.read": [], "ingest.runtime.state": []}


def test_a_landing_zone_reads_the_same_on_both_sources(tmp_path):
    """Listing (hidden files and sidecars skipped), a file's bytes under a cap, a sidecar
    that may be missing: the same answers from a directory and from object storage."""
    import uuid

    import fsspec
    import pytest

    from ingest.errors import LimitError

    files = {"a.txt": b"page a", "sub/b.html": b"<p>b</p>", "a.txt.meta.json": b"{}", ".hidden/c.txt": b"c",
             "big.txt": b"x" * 100}
    local = tmp_path / "raw"
    remote = f"memory://raw-{uuid.uuid4().hex}/raw"
    fs = fsspec.filesystem("memory")
    for rel, data in files.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
        fs.pipe_file(f"{remote[len('memory://'):]}/{rel}", data)
    for loc in (local, remote):
        src = storage.source(storage.location(loc))
        assert src.files(lambda name: name.startswith("."), ".meta.json") == ["a.txt", "big.txt", "sub/b.html"]
        assert src.read("sub/b.html", 50)[1] == b"<p>b</p>"
        with pytest.raises(LimitError):
            src.read("big.txt", 50)
        assert src.read_if_any("a.txt.meta.json", 50) == b"{}"
        assert src.read_if_any("b.txt.meta.json", 50) is None
        assert src.signature("a.txt")[0] == 6 and src.signature_if_any("none.txt") is None


def test_every_operation_reads_the_same_on_both_stores(tmp_path):
    """publish, current_path, read_previous, list_snapshots, rollback, verify, pruning and the
    lock, on a local directory and on object storage (fsspec's in-memory filesystem), the
    same calls giving the same answers."""
    import uuid

    import pyarrow as pa
    import pytest

    from ingest.errors import LockError
    from ingest.store import write

    for curated in (tmp_path / "curated", f"memory://ingest-{uuid.uuid4().hex}/curated"):
        ids = []
        for n in (1, 2, 3):
            with write.writer_lock(curated):
                with pytest.raises(LockError), write.writer_lock(curated):
                    pass
                ids.append(write.publish(curated, {"faq": pa.table({"document_id": [f"d{i}" for i in range(n)]})}, keep=2)[0])
                write.remove_staging(curated)
        assert write.current_snapshot(curated).name == ids[-1]
        assert write.current_path(curated, "faq").endswith(f"_snapshots/{ids[-1]}/faq")
        assert write.read_previous(curated, "faq").num_rows == 3
        assert [p.name for p in write.list_snapshots(curated)] == ids  # within the retention period
        assert write.verify(curated) == {i: [] for i in reversed(ids)}
        assert write.rollback(curated) == ids[1]
        assert write.read_previous(curated, "faq").num_rows == 2
        assert write.publish(curated, {"faq": pa.table({"document_id": ["d0", "d1"]})}, keep=2) == (ids[1], False)
