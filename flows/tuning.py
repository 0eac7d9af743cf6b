"""Workarounds for costs Prefect and prefect-dask add to every task run: the only place this
project changes a dependency's behaviour, and only when asked.

Opt-in: nothing here happens unless ``INGEST_PREFECT_TUNING=1`` is set in the flow's
environment, and then only on the releases they were written against (``SUPPORTED``); on any
other release the flow runs on Prefect's and prefect-dask's own code. Nothing is applied when
this module is imported; each change is undone when the block or the runner that made it ends.

- Prefect's API client builds a TLS context from certifi's bundle for every client (one or two
  per task run); :class:`SharedTLSContexts` lets verified contexts be made once per CA file.
- prefect-dask names each submitted task by hashing its arguments and serializes Prefect's
  settings for each; :class:`ClusterTaskRunner` submits tasks as impure (random keys: a task
  run is never the same computation twice) and serializes a settings context once.

What each saves is measured in benchmarks/results.md.
"""

from __future__ import annotations

import contextlib
import functools
import os
import ssl
import threading
import types
from collections.abc import Iterable, Iterator
from typing import Any, Self

import prefect
from prefect.context import SettingsContext

ENV = "INGEST_PREFECT_TUNING"
SUPPORTED = {"prefect": ("3.8.",), "prefect_dask": ("0.3.",)}  # release prefixes these were written against


def _version(package: str) -> str:
    if package == "prefect":
        return prefect.__version__
    import prefect_dask

    return getattr(prefect_dask, "__version__", "")


def enabled(package: str = "prefect") -> bool:
    """Asked for (ENV) and on a release listed in SUPPORTED."""
    if os.environ.get(ENV, "").strip().lower() not in {"1", "true", "yes"}:
        return False
    return _version(package).startswith(SUPPORTED[package])


class SharedTLSContexts:
    """The ``ssl`` module as Prefect's API client sees it, but for verified contexts: one per
    CA file, made once and shared by every client (``SSLContext`` is meant to be shared by
    connections). Any other call is the ``ssl`` module's own, so an unverified context
    (PREFECT_API_TLS_INSECURE_SKIP_VERIFY), which Prefect changes after making it, is never
    shared."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.contexts: dict[tuple, ssl.SSLContext] = {}
        self.lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)

    def create_default_context(self, purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None):
        if cafile is None:
            return self.module.create_default_context(purpose, capath=capath, cadata=cadata)
        key = (purpose, cafile, capath, cadata)
        with self.lock:
            if key not in self.contexts:
                self.contexts[key] = self.module.create_default_context(purpose, cafile=cafile, capath=capath,
                                                                        cadata=cadata)
            return self.contexts[key]


def share_tls_contexts() -> bool:
    """Have Prefect's API clients in this process share their verified TLS contexts, until
    :func:`unshare_tls_contexts`. False (nothing done) where Prefect's client module has no
    ``ssl`` of its own."""
    from prefect.client import orchestration

    current = getattr(orchestration, "ssl", None)
    if isinstance(current, SharedTLSContexts):
        return True
    if not isinstance(current, types.ModuleType):
        return False
    orchestration.ssl = SharedTLSContexts(current)  # type: ignore[assignment]
    return True


def unshare_tls_contexts() -> None:
    from prefect.client import orchestration

    current = getattr(orchestration, "ssl", None)
    if isinstance(current, SharedTLSContexts):
        orchestration.ssl = current.module  # type: ignore[attr-defined]


@contextlib.contextmanager
def tuned() -> Iterator[bool]:
    """While the block runs, Prefect's clients in this process share TLS contexts, if enabled();
    yields whether they do."""
    if not enabled() or not share_tls_contexts():
        yield False
        return
    try:
        yield True
    finally:
        unshare_tls_contexts()


class SharedSettings:
    """While entered, ``SettingsContext.serialize`` returns what it returned last for the same
    context object (and the same ``include_secrets``). A settings context is not changed in
    place: Prefect makes a new one for new settings. The serialized dict only travels to the
    workers, pickled; nothing in this process changes it."""

    def __init__(self) -> None:
        self.original: Any = None
        self.last: tuple[Any, bool, dict] | None = None  # (context, include_secrets, its serialization)

    def serialize(self, context: SettingsContext, include_secrets: bool = True) -> dict[str, Any]:
        last = self.last
        if last is not None and last[0] is context and last[1] == include_secrets:
            return last[2]
        out = self.original(context, include_secrets=include_secrets)
        self.last = (context, include_secrets, out)
        return out

    def __enter__(self) -> Self:
        self.original = SettingsContext.serialize
        shared = self

        def serialize(context, include_secrets: bool = True):
            return shared.serialize(context, include_secrets)

        SettingsContext.serialize = serialize  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.original is not None:
            SettingsContext.serialize = self.original  # type: ignore[method-assign]
        self.original, self.last = None, None


def _share_on_worker() -> bool:
    """Run on each Dask worker when the cluster runner starts (Client.run)."""
    return share_tls_contexts()


def _unshare_on_worker() -> None:
    """Run on each Dask worker when the cluster runner ends."""
    unshare_tls_contexts()


def cluster_task_runner(address: str):
    """A Dask task runner on an existing cluster (``tcp://host:8786``): the tuned one when
    enabled() for prefect and prefect-dask, else prefect-dask's own."""
    from prefect_dask import DaskTaskRunner

    if not (enabled("prefect") and enabled("prefect_dask")):
        return DaskTaskRunner(address=address)
    return _cluster_runner_class()(address=address)


@functools.cache
def _cluster_runner_class() -> type:
    """ClusterTaskRunner, defined on first use (it subclasses prefect-dask's runner)."""
    from prefect_dask import DaskTaskRunner
    from prefect_dask.task_runners import PrefectDaskFuture

    class ClusterTaskRunner(DaskTaskRunner):
        """A ``DaskTaskRunner`` (same arguments) whose tasks are submitted as impure, which
        serializes each settings context once while it runs (SharedSettings), and whose
        workers' Prefect clients share TLS contexts (SharedTLSContexts)."""

        def submit(self, task, parameters: dict[str, Any], wait_for: Iterable[Any] | None = None,  # type: ignore[override]
                   dependencies: dict | None = None) -> PrefectDaskFuture:
            if not self._started:
                raise RuntimeError("The task runner must be started before submitting work.")
            future = self.client.submit(task, parameters=self._optimize_futures(parameters),
                                        wait_for=self._optimize_futures(wait_for) if wait_for else None,
                                        dependencies=dependencies, return_type="state", pure=False)
            return PrefectDaskFuture(wrapped_future=future, task_run_id=future.task_run_id)

        def __enter__(self) -> Self:
            self._shared = SharedSettings()
            self._shared.__enter__()
            try:
                entered = super().__enter__()
                self.client.run(_share_on_worker)
                return entered
            except BaseException:
                self._shared.__exit__(None, None, None)
                raise

        def __exit__(self, *exc: object) -> None:
            try:
                with contextlib.suppress(Exception):  # best effort: a worker gone keeps nothing of ours
                    self.client.run(_unshare_on_worker)
                super().__exit__(*exc)
            finally:
                self._shared.__exit__(*exc)

    return ClusterTaskRunner
