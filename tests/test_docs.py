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
    for command in ("run", "report", "show", "rollback", "evaluate"):
        assert command in result.output
        assert f"`{command}" in readme or f"ingest {command}" in readme, f"README does not mention `{command}`"
