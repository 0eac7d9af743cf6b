"""Prefect's UI on the server `ingest serve` starts, in a real headless browser
(docs/ui_check.py): the flow run, its summary and the deployment's schedule are shown."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = [
    pytest.mark.prefect,
    pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                       reason="Chromium is not installed (Debian: apt-get install chromium)"),
]


def test_the_ui_shows_runs_summaries_and_the_schedule(tmp_path):
    shot = tmp_path / "ui.png"
    out = subprocess.run([sys.executable, str(ROOT / "docs" / "ui_check.py"), "--screenshot", str(shot)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("ok      ") == 3, out.stdout
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
