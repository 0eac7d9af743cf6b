"""The flow's task runner on a Dask cluster: prefect-dask's, without two costs it adds to every
task submitted.

While the workers run the tasks, the flow's process shares the machine's cores with them, and
on a two-core machine every second of its CPU is half a second of a worker's. py-spy on the
flow's process, ``ingest run --dask`` with 2 workers on 10,000 pages (144 tasks): of the samples
inside ``Task.submit``, 52% were Prefect serializing its settings context for the task (a
pydantic dump of every setting, then a walk over it) and 31% Dask hashing the task's arguments
to name it, that same serialized settings dict among them. Both are the same for every task of
a run and say nothing about the task.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prefect.context import SettingsContext
from prefect_dask import DaskTaskRunner
from prefect_dask.task_runners import PrefectDaskFuture


class ClusterTaskRunner(DaskTaskRunner):
    """A ``DaskTaskRunner`` (same arguments) whose tasks are submitted as impure: Dask gives each
    a random key rather than hashing its arguments (a Prefect task run is never the same
    computation twice: each carries its own task-run id, so no two would share a key anyway),
    and which, while it runs, serializes each settings context once (SharedSettings)."""

    def duplicate(self) -> ClusterTaskRunner:
        twin = super().duplicate()  # the flow engine runs a duplicate of the flow's task runner
        twin.__class__ = ClusterTaskRunner
        return twin

    def submit(self, task, parameters: dict[str, Any], wait_for: Iterable[Any] | None = None,
               dependencies: dict | None = None) -> PrefectDaskFuture:
        if not self._started:
            raise RuntimeError("The task runner must be started before submitting work.")
        future = self.client.submit(task, parameters=self._optimize_futures(parameters),
                                    wait_for=self._optimize_futures(wait_for) if wait_for else None,
                                    dependencies=dependencies, return_type="state", pure=False)
        return PrefectDaskFuture(wrapped_future=future, task_run_id=future.task_run_id)

    def __enter__(self) -> ClusterTaskRunner:
        self._shared = SharedSettings()
        self._shared.__enter__()
        try:
            return super().__enter__()
        except BaseException:
            self._shared.__exit__(None, None, None)
            raise

    def __exit__(self, *exc) -> None:
        try:
            super().__exit__(*exc)
        finally:
            self._shared.__exit__(*exc)


class SharedSettings:
    """While entered, ``SettingsContext.serialize`` returns what it returned last for the same
    context object (and the same ``include_secrets``). A settings context is not changed in
    place: Prefect makes a new one for new settings. The serialized dict only travels to the
    workers, pickled; nothing in this process changes it."""

    def __init__(self) -> None:
        self.original = None
        self.last: tuple[Any, bool, dict] | None = None  # (context, include_secrets, its serialization)

    def serialize(self, context: SettingsContext, include_secrets: bool = True) -> dict[str, Any]:
        last = self.last
        if last is not None and last[0] is context and last[1] == include_secrets:
            return last[2]
        out = self.original(context, include_secrets=include_secrets)
        self.last = (context, include_secrets, out)
        return out

    def __enter__(self) -> SharedSettings:
        self.original = SettingsContext.serialize
        shared = self

        def serialize(context, include_secrets: bool = True):
            return shared.serialize(context, include_secrets)

        SettingsContext.serialize = serialize
        return self

    def __exit__(self, *exc) -> None:
        if self.original is not None:
            SettingsContext.serialize = self.original
        self.original, self.last = None, None
