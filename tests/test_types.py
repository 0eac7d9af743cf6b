"""The library and the flows stay type- and lint-clean: mypy and ruff (line length included,
pyproject.toml) on src/ and flows/ report nothing. `make test` runs them through this test."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import ROOT

CLEAN = ["src", "flows"]


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: it is part of the test extra (make test installs it)")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, check=False, capture_output=True,
                          text=True, timeout=600)


def test_mypy_finds_no_error_in_the_clean_modules():
    result = _run("mypy", *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing_in_the_clean_modules():
    result = _run("ruff", "check", *CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
