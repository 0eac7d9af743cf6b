"""Hostile input through the whole pipeline: every file ends in exactly one documents row,
bad ones quarantined with a reason, and the run completes (issue: robustness)."""

from __future__ import annotations

import gzip
import os

import pandas as pd

from ingest.config import Settings
from ingest.pipeline import run


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
    status = {k[0] + (f":{int(k[1])}" if k[1] == k[1] else ""): (r.status, str(r.reason).split(":")[0]) for k, r in docs.iterrows()}
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
