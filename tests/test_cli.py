"""The `ingest` command as a user runs it (in-process engine; the Prefect path is in test_flow)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ingest.cli import app

from .conftest import PAGES, RAW, copy_raw

runner = CliRunner()


def test_run_report_show_rollback(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    curated = str(tmp_path / "curated")
    result = runner.invoke(app, ["run", "--no-prefect", "--raw", str(raw), "--curated", curated])
    assert result.exit_code == 0, result.output
    assert "quarantined" in result.output and "codes_example_feed.jsonl:3" in result.output

    result = runner.invoke(app, ["report", "--curated", curated, "--json", "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by_status"] == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    assert data["rows"]["codes"] == 8
    assert data["section_coverage"]["complications"] >= 5
    assert data["section_coverage_by_site"]["cptlookup.net"]["complications"] == 1
    assert data["rejected_rows"] == 0
    assert "malformed_jsonl_line" in data["quarantined"][0][1]
    html = (tmp_path / "r.html").read_text()
    assert "<table>" in html and "section coverage" in html

    result = runner.invoke(app, ["show", "21183", "--curated", curated])
    assert result.exit_code == 0
    assert "Injection of bone marrow aspirate" in result.output and "Bilateral procedure" in result.output

    result = runner.invoke(app, ["rollback", "--curated", curated])
    assert result.exit_code == 1 and "no earlier snapshot" in result.output


def test_missing_raw_dir_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["run", "--no-prefect", "--raw", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_report_without_snapshot(tmp_path):
    result = runner.invoke(app, ["report", "--curated", str(tmp_path)])
    assert result.exit_code == 1 and "run `ingest run` first" in result.output
