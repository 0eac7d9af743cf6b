"""A local Prefect server for `ingest serve` when none is configured.

Schedules only run against a real Prefect server (Prefect's embedded local mode runs flows,
not schedules). Without PREFECT_API_URL, `ingest serve` starts `prefect server start` on a
free loopback port with its database under PREFECT_HOME, points this process at it, and stops
it when serving ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from .errors import ConfigError

SERVER_START_TIMEOUT = 180.0  # seconds; a first start migrates the database (~15-30 s here)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
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
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
