"""A local Prefect server for `ingest run` and `ingest serve` when none is configured.

Schedules only run against a real Prefect server (Prefect's embedded local mode runs flows,
not schedules), and the temporary server Prefect's local mode starts by itself outlives a
parent that is killed (SIGKILL, a closed pipe). Without PREFECT_API_URL, these commands start
`prefect server start` here, as a child that dies with this process: on a free loopback port,
its database under PREFECT_HOME, its UI told where its API is; they point this process at it
and stop it when they end.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ctypes
import ctypes.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from .errors import ConfigError

SERVER_START_TIMEOUT = 180.0  # seconds; a first start migrates the database (~15-30 s here)


# The port of the local server `ingest run --dask` and `ingest serve` start, when it is free.
# Always the same address on purpose: a Dask worker process keeps the events client of the
# first Prefect API it reported to (Prefect keys that client by its type, not by the URL), so
# with a new random port per run, a long-lived cluster's workers sent every later run's
# events to a server long gone (each failing after ~7 s of retries, the run's task runs
# missing from the UI). Busy (a concurrent run, a server of the user's): any free port.
LOCAL_SERVER_PORT = 4207


@contextlib.contextmanager
def _claimed(port: int) -> Iterator[bool]:
    """Whether this process holds the claim on ``port`` among ingest processes, until the block ends.

    A port that binds now may still be taken by another run's server, which binds it only once
    its imports are done (seconds later): two runs started together would both pick it, one
    server fail and both runs use the other's. An advisory lock per port, held while the server
    lives, keeps the second run off it; where locks are missing (not POSIX) the check is the bind
    alone."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield True
        return
    path = Path(tempfile.gettempdir()) / f"ingest-prefect-port-{port}.lock"
    try:
        handle = open(path, "a")  # noqa: SIM115 (held for the block)
    except OSError:
        yield True
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


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


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int):
    """A preexec_fn: the child gets SIGKILL when the thread that started it ends, however the
    parent ends (the OOM killer, SIGKILL, SIGPIPE), and exits at once if the parent is already
    gone. Linux only (prctl); elsewhere the server is stopped by local_server alone."""
    name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    libc = ctypes.CDLL(name, use_errno=True) if name else None  # loaded here: the child only calls it

    def preexec() -> None:
        if libc is not None:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:
                os._exit(1)

    return preexec


def configured_api_url() -> str | None:
    """The Prefect API this process already uses: PREFECT_API_URL, or a server set in Prefect's
    settings (the active profile, a test harness)."""
    from prefect.settings import get_current_settings

    return os.environ.get("PREFECT_API_URL") or get_current_settings().api.url or None


SHARED_FILE = "ingest-serve.json"  # in PREFECT_HOME, while `ingest serve` runs the server it started


def _shared_file() -> Path:
    from prefect.settings import get_current_settings

    return Path(get_current_settings().home) / SHARED_FILE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's: not a server of this user's `ingest serve`
        return False
    return True


def shared_server_url() -> str | None:
    """The API of the local server an `ingest serve` of this PREFECT_HOME started and still
    runs, if it answers: what a one-off `ingest run` uses instead of starting a server of its
    own. Only a loopback address is taken (the file is data; a run's records go nowhere else)."""
    try:
        info = json.loads(_shared_file().read_text(encoding="utf-8"))
        url, pid = info["url"], info["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(url, str) or not isinstance(pid, int) or not url.startswith("http://127.0.0.1:"):
        return None
    return url if _alive(pid) and _healthy(url) else None


@contextlib.contextmanager
def _announced(url: str) -> Iterator[None]:
    """While the block runs, SHARED_FILE names ``url`` as this process's server; removed after
    (unless another `ingest serve` has announced its own since)."""
    path = _shared_file()
    mine = {"url": url, "pid": os.getpid()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}")
        staged.write_text(json.dumps(mine), encoding="utf-8")
        os.replace(staged, path)
    except OSError:  # PREFECT_HOME read-only: runs will start their own server, as without serve
        pass
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")) == mine:
                path.unlink()


@contextlib.contextmanager
def use_server(url: str) -> Iterator[str]:
    """Point this process (its Prefect settings) and the processes it starts (PREFECT_API_URL)
    at the Prefect API ``url`` while the block runs."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    os.environ["PREFECT_API_URL"] = url  # for processes started from here (Dask workers, served runs)
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):  # for this one, whose settings are read
            yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)


@contextlib.contextmanager
def local_server(console=None, services: bool = True, meanwhile: Callable[[], object] | None = None,
                 share: bool = False) -> Iterator[str]:
    """Yield the API URL to use: the configured one, or a server started here for the duration.

    The server is a child of the calling thread (call this from the main thread: a child set to
    die with its parent dies with the thread that started it), in its own process group so that
    a Ctrl-C in the terminal reaches this process first. ``services=False`` leaves out the
    scheduler and late-run services, which a one-off run does not need. ``meanwhile`` is called
    once the server is started and before it answers (imports, planning: work that would
    otherwise wait for it), or at once when a server is configured. ``share`` (`ingest serve`)
    announces the server in PREFECT_HOME while it runs, for one-off runs to use
    (shared_server_url)."""
    configured = configured_api_url()
    if configured:
        if meanwhile is not None:
            meanwhile()
        yield configured
        return
    with _claimed(LOCAL_SERVER_PORT) as claimed:
        port = _free_port(LOCAL_SERVER_PORT if claimed else None)
        with _server(port, console, services, meanwhile, share) as url:
            yield url


@contextlib.contextmanager
def _server(port: int, console, services: bool, meanwhile: Callable[[], object] | None,
            share: bool) -> Iterator[str]:
    """`prefect server start` on ``port``, as local_server describes, stopped when the block ends."""
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_UI_API_URL": url}  # else the UI calls 127.0.0.1:4200, where no API is
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    if not services:
        env.update(PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false", PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED="false")
    if console is not None:
        console.print(
            f"starting a local Prefect server on {url} (no PREFECT_API_URL set)", markup=False, highlight=False
        )
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent(os.getpid()))  # noqa: PLW1509 (only prctl, libc loaded before)
    try:
        if meanwhile is not None:
            meanwhile()
        deadline = started + SERVER_START_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None:
                raise ConfigError(f"the local Prefect server exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise ConfigError(f"the local Prefect server did not answer within {SERVER_START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        if proc.poll() is not None:  # what answered is another process's server, on a port ours lost
            raise ConfigError(f"the local Prefect server exited with code {proc.returncode}")
        if console is not None:
            console.print(f"Prefect server ready in {time.monotonic() - started:.1f} s; "
                          f"its UI: {url.removesuffix('/api')}", markup=False, highlight=False)
        with use_server(url), _announced(url) if share else contextlib.nullcontext():
            yield url
    finally:
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


def runner_for(flow, parameters: dict, **schedule):
    """A Prefect runner serving ``flow`` as deployment 'ingest' (what ``flow.serve`` sets up),
    one run at a time (runs of one curated target wait for each other's writer lock anyway),
    which stops on SIGTERM as on Ctrl-C: ``run()`` ends in KeyboardInterrupt either way."""
    from prefect.runner import Runner

    class IngestRunner(Runner):
        """Prefect's runner, stopped by SIGTERM or Ctrl-C through its own ``astop`` on its event
        loop, as its API means: the flow runs in flight are cancelled, the loops end, ``run()``
        returns. (Prefect's SIGTERM handler calls ``stop`` from inside the signal handler and
        exits there: "coroutine ... was never awaited"; asyncio's Ctrl-C cancels a task that
        Prefect's task group does not end on.) A second signal while stopping interrupts."""

        def _stop_soon(self, *args) -> None:
            loop = getattr(self, "_loop", None)
            if loop is None or self.stopping or not self.started:
                raise KeyboardInterrupt
            self.stopping = True
            loop.call_soon_threadsafe(lambda: loop.create_task(self.astop()))

        handle_sigterm = _stop_soon

        def run(self) -> None:
            previous = signal.signal(signal.SIGINT, self._stop_soon)
            try:
                asyncio.run(self.start())
            finally:
                signal.signal(signal.SIGINT, previous)

    runner = IngestRunner(name="ingest", limit=1)
    runner.add_flow(flow, name="ingest", parameters=parameters, **schedule)
    return runner


class RunReporter:
    """While serving: a line for each flow run of the deployment that ends, in a thread that
    asks the Prefect API every few seconds. The line is the run's summary (report.summary_line,
    from the table artifact the flow leaves), as a one-off `ingest run` prints it."""

    ENDED = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")

    def __init__(self, deployment: str, say: Callable[[str], None], every: float = 3.0) -> None:
        self.deployment, self.say, self.every = deployment, say, every
        self.stop = threading.Event()
        # the thread sees this one's Prefect settings (local_server's temporary_settings are a context variable)
        self.thread = threading.Thread(target=contextvars.copy_context().run, args=(self._loop,),
                                       name="ingest-run-reporter", daemon=True)
        self.since = datetime.now(UTC)
        self.seen: set = set()

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    def _loop(self) -> None:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            while not self.stop.wait(self.every):
                with contextlib.suppress(Exception):  # the server busy or going away: ask again later
                    for line in self.poll(client):
                        self.say(line)

    def poll(self, client) -> list[str]:
        """Lines for the runs that ended since the last poll."""
        from prefect.client.schemas.filters import (
            ArtifactFilter,
            ArtifactFilterFlowRunId,
            ArtifactFilterKey,
            DeploymentFilter,
            DeploymentFilterName,
            FlowRunFilter,
            FlowRunFilterEndTime,
            FlowRunFilterState,
            FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType

        # model_validate: pydantic makes the aware datetime Prefect's own DateTime type
        ended_since = FlowRunFilterEndTime.model_validate({"after_": self.since})
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType(s) for s in self.ENDED])), end_time=ended_since),
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[self.deployment])),
        )
        lines = []
        for run in sorted(runs, key=lambda r: r.end_time or self.since):
            if run.id in self.seen:
                continue
            self.seen.add(run.id)
            artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]), key=ArtifactFilterKey(any_=["ingest-run-summary"])))
            lines.append(run_line(run.name, run.state_name or str(run.state_type), run.total_run_time.total_seconds(),
                                  artifacts[0].data if artifacts else None))
        return lines


def run_line(name: str, state: str, seconds: float, table) -> str:
    """One served run in a line: its name, state, time and summary (when it left one)."""
    from .report import summary_line

    rows = json.loads(table) if isinstance(table, str) else table
    summary = summary_line(rows) if rows else "no summary"
    return f"flow run {name}: {state} in {seconds:.1f} s; {summary}"
