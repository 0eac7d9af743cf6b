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
