"""`ingest serve`: with no Prefect server configured it starts one, serves the deployment on
a schedule, and a page dropped into raw/ gets curated with no other action."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from .conftest import RAW, ROOT

pytestmark = pytest.mark.prefect


def _documents(curated):
    try:
        return set(pd.read_parquet(curated / "documents").raw_path)
    except (FileNotFoundError, OSError):
        return set()


def _processes_of(prefect_home) -> list[str]:
    """The command lines of the processes running with this PREFECT_HOME (a test's own)."""
    marker = f"PREFECT_HOME={prefect_home}".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # gone, or not ours to read
            continue
    return found


def _none_left(prefect_home, within: float = 15.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := _processes_of(prefect_home)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def _env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), **extra)
    return env


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
    assert re.search(r"http://127\.0\.0\.1:(\d+)/api", out)
    assert _none_left(tmp_path / "prefect") == [], "the local Prefect server outlived `ingest serve`"



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


def test_two_runs_started_together_never_share_the_preferred_port():
    """The preferred port is claimed for the life of a run's server: a second run started before
    that server binds it takes another port, not the first run's server."""
    import socket

    from ingest.serve import _claimed, _free_port

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        preferred = probe.getsockname()[1]
    with _claimed(preferred) as first:
        assert first and _free_port(preferred if first else None) == preferred
        with _claimed(preferred) as second:  # the port still binds: the first server is not up yet
            assert not second
            assert _free_port(preferred if second else None) != preferred
    with _claimed(preferred) as later:
        assert later
    (Path(tempfile.gettempdir()) / f"ingest-prefect-port-{preferred}.lock").unlink(missing_ok=True)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the processes left through /proc (Linux)")
def test_a_closed_pipe_leaves_no_prefect_server(tmp_path):
    """`ingest run -v | head -3`: the reader goes away mid-run; no process the run started
    (Prefect's server above all) may outlive it."""
    env = _env(tmp_path, PREFECT_LOGGING_LEVEL="INFO")
    cmd = [sys.executable, "-m", "ingest.cli", "run", "-v", "--raw", str(RAW), "--curated", str(tmp_path / "curated")]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        said = [proc.stdout.readline().decode() for _ in range(3)]
        assert said[0].startswith("ingest run: 5 raw files"), said  # from the first second, what it does
        assert "starting a local Prefect server" in said[1], said
        proc.stdout.close()  # as `head -3` does
        proc.wait(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _none_left(tmp_path / "prefect") == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a parent-death signal is Linux's (prctl)")
def test_the_local_server_dies_with_a_killed_parent(tmp_path):
    """SIGKILL of the command (as the OOM killer does) takes its Prefect server with it."""
    env = _env(tmp_path, PREFECT_LOGGING_LEVEL="WARNING")
    cmd = [sys.executable, "-m", "ingest.cli", "serve", "--interval", "3600", "--raw", str(RAW),
           "--curated", str(tmp_path / "curated")]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "serving deployment" in line:
                break
        else:
            pytest.fail(f"`ingest serve` ended with {proc.wait()} before serving")
        assert any("prefect server start" in cmd for cmd in _processes_of(tmp_path / "prefect"))
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _none_left(tmp_path / "prefect") == []


def test_serve_reports_each_run_and_stops_on_sigterm(tmp_path):
    """Each served run is reported in the one line a one-off run prints; SIGTERM stops serving
    as Ctrl-C does: exit 0, no warning from Prefect, no process left."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "000.txt").write_bytes((RAW / "000_c185ca2b8a377b56.txt").read_bytes())
    env = _env(tmp_path, PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2", PREFECT_RUNNER_POLL_FREQUENCY="2",
               PREFECT_LOGGING_LEVEL="WARNING")
    cmd = [sys.executable, "-m", "ingest.cli", "serve", "--interval", "5", "--raw", str(raw), "--curated",
           str(tmp_path / "curated")]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 240
        for line in proc.stderr:
            lines.append(line)
            if "flow run" in line and "raw files" in line:
                break
            assert time.monotonic() < deadline, "".join(lines)
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = "".join(lines) + rest
    assert re.search(r"flow run \S+: Completed in \d+\.\d s; 1 raw files \(1 new or changed\), 1 pages \(1 curated\); "
                     r"snapshot \S+ \(published\)", out), out
    assert proc.returncode == 0, out
    assert "never awaited" not in out and "Traceback" not in out, out
    assert _none_left(tmp_path / "prefect") == []


def test_a_run_uses_the_server_ingest_serve_announced_and_nothing_else(tmp_path, monkeypatch):
    """`ingest serve` names its server in PREFECT_HOME while it runs; a one-off run takes it
    only if that process lives, the server answers and the address is on this machine."""
    import http.server
    import json
    import threading

    from ingest import serve

    monkeypatch.setattr(serve, "_shared_file", lambda: tmp_path / serve.SHARED_FILE)

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()
            self.wfile.write(b"true")

        def log_message(self, *args):
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health) as answering:
        threading.Thread(target=answering.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{answering.server_address[1]}/api"
        assert serve.shared_server_url() is None  # nothing announced
        with serve._announced(url):
            assert json.loads((tmp_path / serve.SHARED_FILE).read_text()) == {"url": url, "pid": os.getpid()}
            assert serve.shared_server_url() == url
        assert not (tmp_path / serve.SHARED_FILE).exists()  # gone with the server
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        for info in ({"url": url, "pid": dead.pid},  # its `ingest serve` has ended
                     {"url": url.replace("127.0.0.1", "localhost.example"), "pid": os.getpid()},  # not loopback
                     {"url": url, "pid": str(os.getpid())}, ["not", "a", "record"]):
            (tmp_path / serve.SHARED_FILE).write_text(json.dumps(info))
            assert serve.shared_server_url() is None, info
        answering.shutdown()
    (tmp_path / serve.SHARED_FILE).write_text(json.dumps({"url": url, "pid": os.getpid()}))
    assert serve.shared_server_url() is None  # the server no longer answers


def test_ingest_run_records_its_flow_run_on_the_announced_server(prefect_harness, tmp_path):
    """With no PREFECT_API_URL, `ingest run` uses the server an `ingest serve` announced (here
    the test harness's) and starts none: the flow run is recorded there."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from typer.testing import CliRunner

    from ingest import serve
    from ingest.cli import app

    from .conftest import copy_raw

    url = serve.configured_api_url()
    assert url and url.startswith("http://127.0.0.1:")
    with get_client(sync_client=True) as client:
        before = {run.id for run in client.read_flow_runs()}
    raw = copy_raw(tmp_path / "raw", RAW)
    with serve._announced(url), temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert serve.configured_api_url() is None and serve.shared_server_url() == url
        result = CliRunner().invoke(app, ["run", "--raw", str(raw), "--curated", str(tmp_path / "curated")])
    assert result.exit_code == 0, result.output
    assert "using the Prefect server `ingest serve` runs at" in result.output
    assert "starting a local Prefect server" not in result.output and "starting Prefect's server" not in result.output
    with get_client(sync_client=True) as client:
        new = [run for run in client.read_flow_runs() if run.id not in before]
    assert [run.state_name for run in new] == ["Completed"]
