"""Hostile input through the whole pipeline: every file ends in exactly one documents row,
bad ones quarantined with a reason, and the run completes (issue: robustness)."""

from __future__ import annotations

import gzip
import os

import pandas as pd

from ingest.config import Settings
from ingest.runtime.pipeline import run


def test_hostile_landing_zone(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    page = "<p>CPT Code 21183 is injected here, as this full sentence says.</p>"
    (raw / "deep.html").write_text("<html><body>" + "<div>" * 200_000 + page + "</div>" * 200_000 + "</body></html>")
    (raw / "attrs.html").write_text("<html><body><p " + " ".join(f'a{i}="x"' for i in range(100_000)) + ">x</p>" + page + "</body></html>")
    (raw / "longline.txt").write_text("CPT Code 21183 " + "x" * 60_000_000)
    (raw / "report.pdf.html").write_bytes(b"%PDF-1.4\n" + os.urandom(4000))
    (raw / "noise.html").write_bytes(os.urandom(20_000))
    (raw / "xxe.html").write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><body>&x;' + page + "</body></html>")
    (raw / "name with spaces ü.txt").write_text("Overview\nCPT Code 21183 is injected here, as this full sentence says.\n")
    (raw / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 300_000_000))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "feed.jsonl").write_text('{"url": "https://x.example/cpt/21183", "text": "CPT Code 21183 is a code."}\n{broken\n')
    summary = run(Settings(raw=raw, curated=tmp_path / "curated"))
    docs = pd.read_parquet(tmp_path / "curated" / "documents").set_index(["raw_path", "line_no"])
    assert summary.pages == len(docs) == 11  # 10 files, the JSONL holds two pages
    status = {k[0] + (f":{int(k[1])}" if pd.notna(k[1]) else ""): (r.status, str(r.reason).split(":")[0]) for k, r in docs.iterrows()}
    assert status["attrs.html"][0] == "curated"
    assert status["longline.txt"] == ("quarantined", "too_large")
    assert status["report.pdf.html"] == ("quarantined", "binary")
    assert status["noise.html"] == ("quarantined", "binary")
    assert status["bomb.txt.gz"] == ("quarantined", "decompression_limit")
    assert status["empty.txt"] == ("quarantined", "empty")
    assert status["feed.jsonl:2"] == ("quarantined", "malformed_jsonl_line")
    assert status["feed.jsonl:1"][0] == "curated"
    assert status["name with spaces ü.txt"][0] == "curated"
    assert status["deep.html"][0] in ("curated", "quarantined")
    assert status["xxe.html"][0] == "curated"
    text = " ".join(pd.read_parquet(tmp_path / "curated" / "sections").text)
    assert "root:" not in text  # the external entity was never resolved


def test_a_page_over_the_time_limit_is_quarantined_and_the_run_goes_on(tmp_path):
    from ingest.config import Limits

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "slow.html").write_text("<html><body>" + "<p>CPT Code 21183 is described in this sentence.</p>" * 20_000 + "</body></html>")
    (raw / "fine.txt").write_text("Overview\nCPT Code 21183 is described in this full sentence here.\n")
    settings = Settings(raw=raw, curated=tmp_path / "curated", limits=Limits(max_seconds_per_page=0.05))
    run(settings)
    docs = pd.read_parquet(tmp_path / "curated" / "documents").set_index("raw_path")
    assert docs.loc["slow.html", "status"] == "quarantined"
    assert docs.loc["slow.html", "reason"].startswith("parse_timeout")
    assert docs.loc["fine.txt", "status"] == "curated"


# --- one bad file or sidecar is one quarantined page or one warning, never a failed run ---------

DEEP_JSON = "[" * 100_000 + "]" * 100_000
PAGE = "Overview\nCPT Code 21183 is described in this full sentence here.\n"


def _warnings(value) -> list[str]:
    """A documents.warnings cell as a list, whether stored as one joined string or as a list."""
    if value is None or isinstance(value, float):
        return []
    return value.split("; ") if isinstance(value, str) else list(value)


def _one(root, rel):
    from ingest.config import Limits
    from ingest.stages.read import read_file

    [item] = read_file(root, rel, Limits())
    return item


def test_out_of_range_fetched_at_is_a_warning_not_an_error(tmp_path):
    from ingest.config import Limits
    from ingest.stages.read import read_file

    (tmp_path / "a.txt").write_text(PAGE)
    (tmp_path / "a.txt.meta.json").write_text('{"fetched_at": "9999-12-31T23:59:59-05:00"}')
    (tmp_path / "feed.jsonl").write_text('{"text": "CPT 21183 x", "fetched_at": "0001-01-01T00:00:00+05:00"}\n')
    page = _one(tmp_path, "a.txt")
    assert page.fetched_at is None and any("fetched_at" in w and "9999" in w for w in page.warnings)
    [line] = read_file(tmp_path, "feed.jsonl", Limits())
    assert line.fetched_at is None and any("0001-01-01" in w for w in line.warnings)


def test_deeply_nested_json_quarantines_one_line_or_ignores_the_sidecar(tmp_path):
    from ingest.config import Limits
    from ingest.stages.read import read_file

    (tmp_path / "feed.jsonl").write_text('{"text": "CPT Code 21183 is a code."}\n' + DEEP_JSON + "\n")
    good, bad = read_file(tmp_path, "feed.jsonl", Limits())
    assert good.content == "CPT Code 21183 is a code."
    assert (bad.reason, bad.line_no) == ("malformed_jsonl_line", 2) and "RecursionError" in bad.detail
    (tmp_path / "a.txt").write_text(PAGE)
    (tmp_path / "a.txt.meta.json").write_text(DEEP_JSON)
    page = _one(tmp_path, "a.txt")
    assert page.content == PAGE and page.warnings == ("sidecar a.txt.meta.json ignored: RecursionError",)


def test_symlink_loop_is_quarantined_naming_the_file(tmp_path):
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    q = _one(tmp_path, "a.txt")
    assert q.reason == "unreadable" and "a.txt" in q.detail and "loop" in q.detail


def test_any_unexpected_error_reading_a_file_becomes_a_quarantine_naming_it(tmp_path):
    from ingest.config import Limits
    from ingest.stages.read import read_file

    # A limit the reader cannot even compare with: the error is not one read.py expects.
    (tmp_path / "a.txt").write_text(PAGE)
    [q] = read_file(tmp_path, "a.txt", Limits(max_file_bytes="many"))  # type: ignore[arg-type]
    assert q.reason == "unreadable" and q.detail.startswith("a.txt: TypeError")


def test_sidecars_get_the_limits_pages_have(tmp_path):
    import signal

    root = tmp_path / "raw"
    root.mkdir()
    outside = tmp_path / "outside.json"
    outside.write_text('{"url": "https://elsewhere.example/x", "site": "elsewhere"}')
    for name in ("fifo", "zero", "out", "big", "ok"):
        (root / f"{name}.txt").write_text(PAGE)
    os.mkfifo(root / "fifo.txt.meta.json")
    (root / "zero.txt.meta.json").symlink_to("/dev/zero")
    (root / "out.txt.meta.json").symlink_to(outside)
    with open(root / "big.txt.meta.json", "wb") as fh:  # sparse: 3 GB that cost no disk
        fh.truncate(3 * 1024**3)
    (root / "ok.txt.meta.json").write_text('{"url": "https://site.example/cpt/21183", "site": "site.example"}')
    def hung(*_):
        raise TimeoutError("reading a sidecar blocked")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)  # a FIFO read would block forever
    try:
        got = {name: _one(root, f"{name}.txt") for name in ("fifo", "zero", "out", "big", "ok")}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert got["fifo"].warnings == ("sidecar fifo.txt.meta.json refused: not a regular file",)
    assert got["zero"].warnings == ("sidecar zero.txt.meta.json refused: symlink points outside the raw root, not read",)
    assert got["out"].url is None and got["out"].site_hint is None
    assert got["out"].warnings == ("sidecar out.txt.meta.json refused: symlink points outside the raw root, not read",)
    assert got["big"].warnings == (f"sidecar big.txt.meta.json refused: {3 * 1024**3} bytes > limit 1000000",)
    assert (got["ok"].url, got["ok"].site_hint, got["ok"].warnings) == ("https://site.example/cpt/21183", "site.example", ())
    assert all(p.content == PAGE for p in got.values())


def test_a_sidecar_is_read_with_bounded_memory(tmp_path):
    import tracemalloc

    (tmp_path / "a.txt").write_text(PAGE)
    with open(tmp_path / "a.txt.meta.json", "wb") as fh:
        fh.truncate(200 * 1024**2)
    tracemalloc.start()
    try:
        page = _one(tmp_path, "a.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "refused" in page.warnings[0]
    assert peak < 5 * 1024**2  # the size is checked before a byte is read


def test_only_http_urls_are_evidence_and_a_site_is_a_name(tmp_path):
    from ingest.config import Limits
    from ingest.stages.read import read_file

    (tmp_path / "a.txt").write_text(PAGE)
    (tmp_path / "a.txt.meta.json").write_text('{"url": "javascript:alert(1)", "site": "../../etc"}')
    (tmp_path / "feed.jsonl").write_text(
        '{"text": "CPT 21183 x", "url": "file:///etc/passwd", "site": "a/b"}\n'
        '{"text": "CPT 21183 y", "url": "HTTPS://Site.example/x", "site": "site.example"}\n'
    )
    page = _one(tmp_path, "a.txt")
    assert (page.url, page.site_hint) == (None, None)
    assert page.warnings == ("sidecar url 'javascript:alert(1)' ignored: not an http(s) URL",
                             "sidecar site '../../etc' ignored: a site is a name, not a path")
    bad, good = read_file(tmp_path, "feed.jsonl", Limits())
    assert (bad.url, bad.site_hint) == (None, None) and len(bad.warnings) == 2
    assert "'file:///etc/passwd'" in bad.warnings[0] and "'a/b'" in bad.warnings[1]
    assert (good.url, good.site_hint, good.warnings) == ("HTTPS://Site.example/x", "site.example", ())


def test_every_symlink_and_dot_dot_name_is_listed(tmp_path):
    from ingest.stages.read import discover

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = tmp_path / "raw"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "page.txt").write_text(PAGE)
    (root / "dirlink").symlink_to(outside)
    (root / "inner").symlink_to("sub")
    (root / "..dots.txt").write_text(PAGE)
    (root / ".hidden.txt").write_text(PAGE)
    assert discover(root) == ["..dots.txt", "dirlink", "inner", "sub/page.txt"]
    assert _one(root, "dirlink").reason == "outside_root"
    assert _one(root, "inner").reason == "unsupported_format"
    assert _one(root, "..dots.txt").content == PAGE


def test_a_gzipped_page_is_held_to_a_page_s_size(tmp_path):
    import tracemalloc

    from ingest.config import Limits
    from ingest.stages.read import read_file

    limits = Limits(max_file_bytes=2 * 1024**2, max_decompressed_bytes=64 * 1024**2)
    (tmp_path / "big.txt.gz").write_bytes(gzip.compress(b"CPT Code 21183 text\n" * 2_000_000))  # 40 MB inside
    (tmp_path / "feed.jsonl.gz").write_bytes(gzip.compress(b'{"text": "CPT Code 21183 x"}\n' * 200_000))  # 6 MB
    tracemalloc.start()
    try:
        [q] = read_file(tmp_path, "big.txt.gz", limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert q.reason == "decompression_limit" and str(2 * 1024**2) in q.detail
    assert peak < 4 * limits.max_file_bytes  # not the 40 MB the page expands to
    pages = read_file(tmp_path, "feed.jsonl.gz", limits)  # a JSONL file holds many pages: its own cap
    assert len(pages) == 200_000 and pages[-1].content == "CPT Code 21183 x"


def test_bad_files_and_sidecars_never_fail_a_run(tmp_path):
    """The issue's files together, through a whole run: it exits normally and publishes, each
    bad file one quarantined row naming it, each refused sidecar a warning on its page."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p1.txt").write_text(PAGE)
    (raw / "p1.txt.meta.json").write_text('{"fetched_at": "9999-12-31T23:59:59-05:00"}')
    (raw / "p2.txt").write_text(PAGE.replace("here", "there"))
    (raw / "p2.txt.meta.json").write_text(DEEP_JSON)
    (raw / "p3.txt").write_text(PAGE.replace("here", "now"))
    (raw / "p3.txt.meta.json").symlink_to("/dev/zero")
    (raw / "p4.txt").write_text(PAGE.replace("here", "then"))
    (raw / "p4.txt.meta.json").write_text('{"url": "file:///etc/passwd"}')
    (raw / "feed.jsonl").write_text('{"text": "CPT 21183 x", "fetched_at": "0001-01-01T00:00:00+05:00"}\n' + DEEP_JSON + "\n")
    (raw / "a.txt").symlink_to("b.txt")
    (raw / "b.txt").symlink_to("a.txt")
    os.mkfifo(raw / "fifo.txt")
    summary = run(Settings(raw=raw, curated=tmp_path / "curated"))
    docs = pd.read_parquet(tmp_path / "curated" / "documents")
    assert summary.pages == len(docs) == 9
    by = {(r.raw_path, r.line_no if pd.notna(r.line_no) else None): r for r in docs.itertuples()}
    assert by[("a.txt", None)].reason == "unreadable: a.txt: symlink loop, not read"
    assert by[("feed.jsonl", 2)].reason.startswith("malformed_jsonl_line: line 2: RecursionError")
    assert by[("fifo.txt", None)].reason.startswith("unsupported_format: not a regular file")
    assert _warnings(by[("p1.txt", None)].warnings) == [
        "sidecar fetched_at '9999-12-31T23:59:59-05:00' ignored: not a usable time"]
    assert _warnings(by[("p2.txt", None)].warnings) == ["sidecar p2.txt.meta.json ignored: RecursionError"]
    assert _warnings(by[("p3.txt", None)].warnings) == [
        "sidecar p3.txt.meta.json refused: symlink points outside the raw root, not read"]
    assert pd.isna(by[("p4.txt", None)].url)
    assert _warnings(by[("p4.txt", None)].warnings) == ["sidecar url 'file:///etc/passwd' ignored: not an http(s) URL"]


def test_bad_files_and_sidecars_never_fail_the_prefect_flow(prefect_harness, tmp_path):
    """The same files through the Prefect flow: its load task used to fail (three retries)."""
    from flows.ingest import ingest_flow

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "p1.txt").write_text(PAGE)
    (raw / "p1.txt.meta.json").write_text('{"fetched_at": "9999-12-31T23:59:59-05:00"}')
    (raw / "p2.txt").write_text(PAGE.replace("here", "there"))
    (raw / "p2.txt.meta.json").write_text(DEEP_JSON)
    (raw / "feed.jsonl").write_text(DEEP_JSON + "\n")
    (raw / "a.txt").symlink_to("b.txt")
    (raw / "b.txt").symlink_to("a.txt")
    result = ingest_flow(raw=str(raw), curated=str(tmp_path / "curated"))
    assert result["published"]
    docs = pd.read_parquet(tmp_path / "curated" / "documents").set_index("raw_path")
    assert len(docs) == 5 and (docs.status == "quarantined").sum() == 3
    assert docs.loc["a.txt", "reason"] == "unreadable: a.txt: symlink loop, not read"


def test_a_full_spool_directory_ends_in_the_run_s_message_not_a_traceback(tmp_path):
    """Files the run writes may not grow past a few KB (as on a TMPDIR about to fill up): the
    spool's first write fails, and the run says so in one line, with exit code 1."""
    import resource
    import signal
    import subprocess
    import sys

    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(20):
        (raw / f"p{i}.txt").write_text(PAGE.replace("21183", str(21200 + i)) * 20)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "ingest.cli", "run", "--no-prefect", "--raw", str(raw),
                           "--curated", str(tmp_path / "curated")], env=env, capture_output=True, text=True,
                          preexec_fn=small_files, timeout=300, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"could not write the run's working files in {tmp_path}" in " ".join(proc.stderr.split())
    assert not (tmp_path / "curated" / "_current").exists()


def test_a_sidecar_site_that_is_a_path_labels_no_page(tmp_path):
    from .conftest import RAW, copy_raw

    raw = copy_raw(tmp_path / "raw", RAW)
    (raw / "002_2b2d1f4cf7407f0c.txt.meta.json").write_text('{"site": "../../etc", "url": "javascript:alert(1)"}')
    run(Settings(raw=raw, curated=tmp_path / "curated"))
    docs = pd.read_parquet(tmp_path / "curated" / "documents").set_index("raw_path")
    assert not any("etc" in site or "/" in site for site in docs.site)
    assert docs.url.isna().all()
    assert _warnings(docs.loc["002_2b2d1f4cf7407f0c.txt", "warnings"]) == [
        "sidecar url 'javascript:alert(1)' ignored: not an http(s) URL",
        "sidecar site '../../etc' ignored: a site is a name, not a path"]


def test_a_sidecar_site_speaks_for_its_own_page_only(tmp_path):
    """Seeds 000 and 001 share a template, and 001's boilerplate gives its site's contact
    e-mail. A sidecar naming another site, on either page, labels that page alone."""
    from .conftest import RAW, copy_raw

    raw = copy_raw(tmp_path / "raw", RAW)
    run(Settings(raw=raw, curated=tmp_path / "before"))
    before = pd.read_parquet(tmp_path / "before" / "documents").set_index("raw_path").site
    assert before["000_c185ca2b8a377b56.txt"] == before["001_0d657cd1e37a062a.txt"]  # one template
    for page in ("000_c185ca2b8a377b56.txt", "001_0d657cd1e37a062a.txt"):
        sidecar = raw / f"{page}.meta.json"
        sidecar.write_text('{"site": "another-site"}')
        run(Settings(raw=raw, curated=tmp_path / page))
        sidecar.unlink()
        after = pd.read_parquet(tmp_path / page / "documents").set_index("raw_path").site
        assert after[page] == "another-site"
        pd.testing.assert_series_equal(after.drop(page), before.drop(page))


def _maple_pages(raw, n: int = 4) -> None:
    """``n`` text pages of one template (a login line, a newsletter line, a copyright line), with
    no URL and no contact e-mail: a group named by its copyright holder."""
    raw.mkdir()
    for i, code in enumerate(["99213", "99214", "99215", "97110"][:n]):
        (raw / f"p{i}.txt").write_text(
            "Log in or sign up for a free account today\nOverview\n"
            f"CPT code {code} describes an office visit for an established patient, as this full sentence explains.\n"
            f"Documentation\nProviders document the history and the examination for code {code} in the record.\n"
            "Subscribe to our newsletter for weekly coding tips\nCopyright 2024 Maple Coding Group. All rights reserved.\n")


def test_a_sidecar_site_names_no_group_mate_without_evidence(tmp_path):
    """Pages of one template with no URL and no contact e-mail, one of them with a sidecar
    ``site``: that page alone is published under it; the others keep their group's own name,
    and the template is learned as before (the same sections)."""
    raw = tmp_path / "raw"
    _maple_pages(raw)
    run(Settings(raw=raw, curated=tmp_path / "before"))
    (raw / "p0.txt.meta.json").write_text('{"site": "another-site"}')
    run(Settings(raw=raw, curated=tmp_path / "after"))
    before, after = (pd.read_parquet(tmp_path / name / "documents").set_index("raw_path").site
                     for name in ("before", "after"))
    assert set(before) == {"maple-coding-group"}
    assert after["p0.txt"] == "another-site"
    pd.testing.assert_series_equal(after.drop("p0.txt"), before.drop("p0.txt"))
    sections = [pd.read_parquet(tmp_path / name / "sections").astype({"section": str})
                .sort_values(["document_id", "position"]).reset_index(drop=True) for name in ("before", "after")]
    assert len(sections[0]) > 4  # the template lines are not sections: the same in both runs
    pd.testing.assert_frame_equal(sections[0].drop(columns="site"), sections[1].drop(columns="site"))
