"""Shared fixtures. Prefect's state lives in a temporary directory, never in the user's home."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Must happen before Prefect is imported anywhere: its settings are read at first use.
_PREFECT_HOME = tempfile.mkdtemp(prefix="ingest-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
PAGES = ROOT / "tests" / "pages"
GOLDEN = ROOT / "tests" / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


def pytest_sessionfinish(session, exitstatus) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs ~10-15 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def copy_raw(dest: Path, *sources: Path) -> Path:
    """A raw landing zone in ``dest`` holding copies of the given files or directories."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in sources:
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest / src.name)
    return dest
