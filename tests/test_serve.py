"""`ingest serve`: with no Prefect server configured it starts one, serves the deployment on
a schedule, and a page dropped into raw/ gets curated with no other action."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from .conftest import RAW, ROOT

pytestmark = pytest.mark.prefect


def _documents(curated):
    try:
        return set(pd.read_parquet(curated / "documents").raw_path)
    except (FileNotFoundError, OSError):
        return set()


def _wait_for(predicate, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1)


def test_serve_curates_a_new_page_on_schedule(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "000.txt").write_bytes((RAW / "000_c185ca2b8a377b56.txt").read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",  # test speed; production keeps 60 s
        PREFECT_RUNNER_POLL_FREQUENCY="2",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    cmd = [sys.executable, "-m", "ingest.cli", "serve", "--interval", "5", "--raw", str(raw), "--curated", str(curated)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(lambda: "000.txt" in _documents(curated), 240, proc)
        (raw / "001.txt").write_bytes((RAW / "001_0d657cd1e37a062a.txt").read_bytes())
        _wait_for(lambda: "001.txt" in _documents(curated), 120, proc)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "starting a local Prefect server" in out
    assert proc.returncode is not None
    port = re.search(r"http://127\.0\.0\.1:(\d+)/api", out).group(1)
    time.sleep(1)
    leftover = subprocess.run(["pgrep", "-f", f"prefect server start .*--port {port}"], capture_output=True, text=True)
    assert not leftover.stdout.strip(), "the local Prefect server outlived `ingest serve`"



def test_local_server_takes_the_same_port_each_time_unless_busy():
    """Dask workers keep the events client of the first Prefect API they met: the local
    server a run starts is at one address (LOCAL_SERVER_PORT), run after run; a busy port
    falls back to any free one."""
    import socket

    from ingest.serve import LOCAL_SERVER_PORT, _free_port

    assert 1024 < LOCAL_SERVER_PORT < 65536
    with socket.socket() as probe:  # a port known to be free, standing in for LOCAL_SERVER_PORT
        probe.bind(("127.0.0.1", 0))
        preferred = probe.getsockname()[1]
    assert _free_port(preferred) == preferred
    assert _free_port(preferred) == preferred  # the same, run after run
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", preferred))
        holder.listen()
        other = _free_port(preferred)
    assert other != preferred and other > 0
