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


def _operations_of_write_branching_on_the_location() -> list[str]:
    """The functions of write.py that test whether the location is remote (storage.is_remote,
    or isinstance on the location): each should be written once, through storage.Store."""
    import ast

    from ingest.store import write

    tree = ast.parse(Path(write.__file__).read_text())
    found = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                if (isinstance(node, ast.Attribute) and node.attr == "is_remote") or (
                        isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance"):
                    found.append(fn.name)
                    break
    return sorted(set(found))


def test_write_s_operations_go_through_one_store_chosen_from_the_location():
    assert isinstance(storage.store(storage.location("curated")), storage.LocalStore)
    assert isinstance(storage.store(storage.location("memory://bucket/curated")), storage.ObjectStore)
    assert _operations_of_write_branching_on_the_location() == []


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
