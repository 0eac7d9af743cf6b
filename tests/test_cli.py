"""The `ingest` command as a user runs it (in-process engine; the Prefect path is in test_flow)."""

from __future__ import annotations

import json
import re

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


# A page of our own about 11042 whose text holds what Rich would read as markup.
BRACKETS_PAGE = """Overview of CPT Code 11042: Debridement, subcutaneous tissue
CPT Code 11042 describes removing dead or infected tissue down to the subcutaneous layer of a wound.
When CPT Code 11042 is Used?
The procedure is chosen for wounds that will not close on their own.
- Chronic non-healing ulcer with necrotic tissue [/].
- Pressure injury pressing on a nerve root[s] near the sacrum.
- Wound edges marked [bold]red[/bold] or [link=file:///etc/passwd]open[/link] on inspection.
Possible Complications
Patients may notice a few problems afterwards.
- Bleeding from the wound bed.
- Infection of the debrided area.
"""


def _plain_run(raw, curated):
    return runner.invoke(app, ["run", "--no-prefect", "--raw", str(raw), "--curated", str(curated)])


def test_scraped_text_and_file_names_print_as_written(tmp_path):
    """Brackets in a page or a file name are text, not Rich markup: `show`, `run` and `report`
    print them as written, and a [link=...] in a page never becomes a live terminal link."""
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "debridement.txt").write_text(BRACKETS_PAGE, encoding="utf-8")
    (raw / "[red]notes[i].txt").write_text(BRACKETS_PAGE.replace("11042", "11043"), encoding="utf-8")
    (raw / "[").mkdir()
    (raw / "[" / "red].bin").write_bytes(b"\x00\x01\x02 not a page \xff\xfe" * 50)  # raw path "[/red].bin"
    result = _plain_run(raw, curated)
    assert result.exit_code == 0, result.output
    assert "[/red].bin" in result.output  # the quarantine table names the file as it is

    shown = runner.invoke(app, ["show", "11042", "--curated", str(curated)], color=True)
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert "necrotic tissue [/]." in out and "nerve root[s] near" in out
    assert "[bold]red[/bold]" in out and "[link=file:///etc/passwd]open[/link]" in out
    assert "\x1b]8;" not in out  # no OSC 8 hyperlink reached the terminal

    html = tmp_path / "report.html"
    reported = runner.invoke(app, ["report", "--curated", str(curated), "--html", str(html)])
    assert reported.exit_code == 0, reported.output
    assert "[/red].bin" in reported.output
    assert "[/red].bin" in html.read_text(encoding="utf-8")


def test_report_in_the_terminal_has_the_content_of_the_html_and_json(tmp_path):
    """One report, three renderings: the terminal's is titled as a report, has the per-site
    tables and the list of no-code pages, and no run-only figures."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    curated = tmp_path / "curated"
    assert _plain_run(raw, curated).exit_code == 0
    result = runner.invoke(app, ["report", "--curated", str(curated), "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ingest report" in out and "ingest run" not in out
    assert "done in" not in out and "raw files read" not in out
    data = json.loads(runner.invoke(app, ["report", "--curated", str(curated), "--json"]).stdout)
    assert "read_files" not in data and "seconds" not in data
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    for title in ("documents per site", "documents with each section, per site", "pages with no code",
                  "quarantined pages", "most frequent removal rules", "lines removed per site, by what removed them"):
        assert title in out and title in html
    removed = data["removed_by_site"]
    assert removed and set(removed) <= set(data["sites"])
    for entry in removed.values():
        assert entry["lines"] == entry["rules"] + entry["template"] + entry["line model"] > 0
        assert isinstance(entry["most frequent"], str)
    for site in data["sites"]:
        assert site in out and site in html
    (no_code_page, _), = data["no_code"]
    assert no_code_page in out and no_code_page in html


def test_show_says_when_there_is_no_snapshot(tmp_path):
    result = runner.invoke(app, ["show", "21183", "--curated", str(tmp_path / "nonexistent")])
    assert result.exit_code == 1
    assert "no curated snapshot" in result.output and "no curated code" not in result.output


def test_raw_given_a_file_says_it_must_be_a_directory(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(BRACKETS_PAGE, encoding="utf-8")
    result = runner.invoke(app, ["run", "--no-prefect", "--raw", str(page), "--curated", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert "is a file" in result.output and "directory" in result.output and "does not exist" not in result.output


def test_run_says_what_it_does_and_the_whole_wall_time(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    result = _plain_run(raw, tmp_path / "curated")
    assert result.exit_code == 0, result.output
    assert "ingest run: 5 raw files" in result.output
    assert re.search(r"5 raw files \(5 new or changed\), 5 pages \(4 curated, 1 no_code\); snapshot \S+ \(published\)",
                     result.output), result.output
    done = re.search(r"done in (\d+\.\d) s \(the run's stages (\d+\.\d) s\)", result.output)
    assert done and float(done.group(1)) >= float(done.group(2)), result.output
    stages = ["surveying sites and templates…", "parsing…", "deduplicating…", "building tables…", "publishing…"]
    said = [line.strip() for line in result.output.splitlines() if line.strip() in stages]
    assert said == stages, result.output  # every stage after reading, in order


def test_sql_queries_the_tables_by_name(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    curated = tmp_path / "curated"
    assert _plain_run(raw, curated).exit_code == 0
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM sections WHERE section = 'complications'",
                                 "--curated", str(curated), "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "n" and int(result.stdout.splitlines()[1]) >= 5
    result = runner.invoke(app, ["sql", "SELECT code, title FROM codes WHERE code = '21183'", "--curated", str(curated)])
    assert result.exit_code == 0 and "Injection of bone marrow aspirate" in result.output
    bad = runner.invoke(app, ["sql", "SELECT nope FROM codes", "--curated", str(curated)])
    assert bad.exit_code == 1 and "query failed" in bad.output


def test_progress_says_each_stage_off_a_terminal(capsys):
    """What a run's progress callback is given can name the stage; off a terminal each stage
    is a line on stderr (the flow and the library call stage() as they move on)."""
    from ingest.cli import _progress

    with _progress(10) as advance:
        advance(4)
        advance.stage("parsing", total=7)
        assert advance.bar.tasks[0].total == 7
        advance.stage("publishing")
        assert advance.bar.tasks[0].total == 7  # a stage without a total keeps the last one
    assert "publishing…" in capsys.readouterr().err


def test_evaluate_dedup_prints_the_figures_and_no_raw_list_of_misses():
    """The labelled pairs' figures, one a line; the misses list is not printed as a figure."""
    result = runner.invoke(app, ["evaluate", "dedup", "tests/dedup/pairs.jsonl", "-v"])
    assert result.exit_code == 0, result.output
    figures = {key.strip(): value for key, _, value in (line.partition(": ") for line in result.stdout.splitlines())}
    assert set(figures) >= {"pairs", "precision", "recall", "f1"}
    assert int(figures["pairs"]) > 0 and 0.0 <= float(figures["precision"]) <= 1.0
    assert "errors" not in result.stdout


def test_the_markdown_summary_reads_file_names_literally():
    """The flow's Markdown artifact (rendered by Prefect's UI) shows a file name as text: no
    link, no HTML, no extra table cell."""
    from ingest.report import RunSummary

    name, reason = "[x](javascript:alert(1))|<img src=x>.bin", "unsupported | *format*"
    md = RunSummary(quarantined=[(name, reason)], snapshot="s").markdown()
    row = next(line for line in md.splitlines() if "javascript" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 3  # two cells: | page | reason |
    for markup in (r"\]\(", r"<img", r"\*format"):  # a link, HTML, emphasis: each escaped
        assert not re.search(r"(?<!\\)" + markup, row), markup
    assert re.sub(r"\\(.)", r"\1", row) == f"| {name} | {reason} |"  # nothing lost: unescaped, the text as it was
