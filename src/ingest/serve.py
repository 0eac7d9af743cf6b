"""A local Prefect server for `ingest serve` when none is configured.

Schedules only run against a real Prefect server (Prefect's embedded local mode runs flows,
not schedules). Without PREFECT_API_URL, `ingest serve` starts `prefect server start` on a
free loopback port with its database under PREFECT_HOME, points this process at it, and stops
it when serving ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from .errors import ConfigError

SERVER_START_TIMEOUT = 180.0  # seconds; a first start migrates the database (~15-30 s here)


# The port of the local server `ingest run --dask` and `ingest serve` start, when it is free.
# Always the same address on purpose: a Dask worker process keeps the events client of the
# first Prefect API it reported to (Prefect keys that client by its type, not by the URL), so
# with a new random port per run, a long-lived cluster's workers sent every later run's
# events to a server long gone (each failing after ~7 s of retries, the run's task runs
# missing from the UI). Busy (a concurrent run, a server of the user's): any free port.
LOCAL_SERVER_PORT = 4207


def _free_port(preferred: int | None = None) -> int:
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as s:
            # as the server will bind it: a port left in TIME_WAIT by the last run's server is free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def local_server(console=None) -> Iterator[str]:
    """Yield the API URL to use: the configured one, or a server started here for the duration."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    port = _free_port(LOCAL_SERVER_PORT)
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    if console is not None:
        console.print(f"no PREFECT_API_URL: starting a local Prefect server on {url}")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None:
                raise ConfigError(f"the local Prefect server exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise ConfigError(f"the local Prefect server did not answer within {SERVER_START_TIMEOUT:.0f} s")
            time.sleep(0.5)
        os.environ["PREFECT_API_URL"] = url
        yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop the server and every process it forked (they share its session and its command
    line; stopping the parent alone can leave a forked child serving the port)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # the parent is gone; give its children a moment, then make sure none is left
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
