"""Documentation that is generated from code, or describes it, stays true."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ingest.cli import app
from ingest.schema import data_dictionary

ROOT = Path(__file__).resolve().parents[1]


def test_data_dictionary_matches_the_schemas(update_golden):
    path = ROOT / "docs" / "data-dictionary.md"
    if update_golden:
        path.write_text(data_dictionary(), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == data_dictionary(), "run: python -m ingest.schema > docs/data-dictionary.md"


def test_every_command_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["--help"])
    for command in ("run", "report", "show", "sql", "serve", "rollback", "verify", "evaluate"):
        assert command in result.output
        assert f"`{command}" in readme or f"ingest {command}" in readme, f"README does not mention `{command}`"


def test_readme_shows_the_reading_paths_the_ui_and_how_to_avoid_the_server_start():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in ('ingest.read_table("sections")', "ingest.connect()", 'ingest sql "SELECT'):
        assert path in readme, path
    assert "](docs/prefect-ui.png)" in readme and (ROOT / "docs" / "prefect-ui.png").stat().st_size > 10_000
    assert "docs/ui_check.py" in readme and (ROOT / "docs" / "ui_check.py").exists()
    assert "PREFECT_API_URL" in readme and "--no-prefect" in readme  # how to skip the temporary server
    assert "dask scheduler" in readme and "dask worker" in readme  # a local cluster for --dask, and when it pays
