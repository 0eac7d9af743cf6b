"""`ingest serve`'s run reporter: what it asks the Prefect API for, without a server (the
client is a recording stand-in; the served flow end to end is in test_serve)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import uuid4

from ingest.serve import RunReporter


class _Client:
    """Records the filters of each call and answers with the given runs and no artifacts."""

    def __init__(self, runs: list) -> None:
        self.runs, self.calls = runs, []

    def read_flow_runs(self, **filters):
        self.calls.append(filters)
        return self.runs

    def read_artifacts(self, **filters):
        return []


def test_poll_asks_for_the_deployments_ended_runs_since_it_started_and_says_each_once():
    from prefect.client.schemas.objects import StateType

    reporter = RunReporter("ingest", say=lambda line: None)
    reporter.since = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    run = SimpleNamespace(id=uuid4(), name="brave-fox", end_time=None, state_name="Completed",
                          state_type=StateType.COMPLETED, total_run_time=timedelta(seconds=3))
    client = _Client([run])
    assert reporter.poll(client) == ["flow run brave-fox: Completed in 3.0 s; no summary"]
    assert reporter.poll(client) == []  # a run is said once
    flow_filter = client.calls[0]["flow_run_filter"]
    assert flow_filter.state.type.any_ == [StateType.COMPLETED, StateType.FAILED, StateType.CRASHED,
                                           StateType.CANCELLED]
    assert flow_filter.end_time.after_ == reporter.since
    assert flow_filter.end_time.after_.tzinfo is not None
    assert client.calls[0]["deployment_filter"].name.any_ == ["ingest"]
