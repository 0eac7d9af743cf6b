"""The modules already made type- and lint-clean stay so: mypy and ruff on them report nothing.
A module joins CLEAN once `mypy` and `ruff check` pass on it; the list only grows."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import ROOT

CLEAN = [f"src/ingest/{name}.py" for name in (
    "access", "cli", "dedup", "read", "report", "segments", "serve", "spool", "storage", "validate", "write")]


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (the test extra)")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, check=False, capture_output=True,
                          text=True, timeout=600)


def test_mypy_finds_no_error_in_the_clean_modules():
    result = _run("mypy", "--ignore-missing-imports", "--follow-imports=silent", *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing_in_the_clean_modules():
    result = _run("ruff", "check", *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
