"""The real Prefect flow, in Prefect's local mode (a temporary server, no account, no network)."""

from __future__ import annotations

import functools
import os
import re
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from ingest.runtime import executors, pipeline
from ingest.cli import app
from ingest.config import Settings
from ingest.runtime.pipeline import run

from .conftest import PAGES, RAW, copy_raw

pytestmark = pytest.mark.prefect
TABLES = ["documents", "codes", "sections", "faq", "section_items", "removed_lines"]


def _load(curated) -> dict[str, pd.DataFrame]:
    out = {}
    for name in TABLES:
        df = pd.read_parquet(curated / name)
        if "ingested_at" in df:
            df = df.drop(columns="ingested_at")
        sort = [c for c in ("document_id", "section", "position", "line_no", "question", "item_key") if c in df]
        out[name] = df.sort_values(sort).reset_index(drop=True).astype(str)
    return out


def test_flow_gives_the_same_tables_as_the_library_and_leaves_artifacts(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.ingest import ingest_flow

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    result = ingest_flow(raw=str(raw), curated=str(tmp_path / "flow"), batch_size=3)
    assert result["by_status"] == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    assert result["published"]
    library = run(Settings(raw=raw, curated=tmp_path / "lib"))
    for summary in (result, library.to_dict()):  # the same stages timed, in order, within the run's time
        assert list(summary["stages"]) == ["plan", "read", "survey", "parse", "deduplicate", "tables", "publish"]
        assert min(summary["stages"].values()) >= 0 and sum(summary["stages"].values()) <= summary["seconds"]
    flow_tables, lib_tables = _load(tmp_path / "flow"), _load(tmp_path / "lib")
    for name in TABLES:
        pd.testing.assert_frame_equal(flow_tables[name], lib_tables[name], obj=name)

    again = ingest_flow(raw=str(raw), curated=str(tmp_path / "flow"), batch_size=3)
    assert not again["published"] and again["snapshot"] == result["snapshot"]
    assert list(again["stages"]) == ["plan"]  # nothing new: the run stops after its plan

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["ingest-run-summary", "ingest-run-report"])))
        task_runs = client.read_task_runs()
    # the flow's tasks are the library's stages, by name: nothing else runs as a task
    stages = {stage.__name__ for stage in pipeline.STAGES}
    assert {tr.name.rsplit("-", 1)[0] for tr in task_runs} == stages
    kinds = {a.type for a in artifacts}
    assert {"table", "markdown"} <= kinds
    table = next(a for a in artifacts if a.type == "table")
    assert "status: curated" in str(table.data)
    # each run's table says where its time went: the first run's every stage, the second's plan only
    assert any("seconds: parse" in str(a.data) for a in artifacts if a.type == "table")
    assert all("seconds: plan" in str(a.data) for a in artifacts if a.type == "table")


def test_cli_run_uses_the_flow_and_prints_a_summary(prefect_harness, tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    result = CliRunner().invoke(app, ["run", "--raw", str(raw), "--curated", str(tmp_path / "curated")])
    assert result.exit_code == 0, result.output
    assert "status: curated" in result.output and "status: no_code" in result.output
    assert len(pd.read_parquet(tmp_path / "curated" / "documents")) == 5


def test_a_run_with_nothing_new_is_recorded_without_running_the_flow(prefect_harness, tmp_path):
    """`ingest run` over an unchanged landing zone: Prefect records a completed flow run of the
    ingest flow, with its summary artifacts and no task run; a new file runs the flow again."""
    import json

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterId

    raw = copy_raw(tmp_path / "raw", RAW)
    args = ["run", "--raw", str(raw), "--curated", str(tmp_path / "curated")]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    with get_client(sync_client=True) as client:
        before = {run.id for run in client.read_flow_runs()}
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "without running the flow" in again.output
    line = re.compile(r"(\d+) raw files \((\d+) new or changed\), (.*); snapshot (\S+) \((\w+)\)")
    said_first, said_again = line.search(first.output).groups(), line.search(again.output).groups()
    assert said_again == (said_first[0], "0", said_first[2], said_first[3], "unchanged")  # pages, statuses, snapshot
    with get_client(sync_client=True) as client:
        new = [run for run in client.read_flow_runs() if run.id not in before]
        assert [(run.flow_id, run.state_name) for run in new] == [(new[0].flow_id, "Completed")]
        assert client.read_flow(new[0].flow_id).name == "ingest"
        assert new[0].parameters["raw"] == str(raw) and new[0].parameters["full"] is False
        only = FlowRunFilter(id=FlowRunFilterId(any_=[new[0].id]))
        assert client.read_task_runs(flow_run_filter=only) == []
        artifacts = {a.key: a for a in client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[new[0].id])))}
    assert set(artifacts) == {"ingest-run-summary", "ingest-run-report"}
    rows = {row["metric"]: row["value"] for row in json.loads(artifacts["ingest-run-summary"].data)}
    assert rows["raw files read (new or changed)"] in (0, "0") and rows["pages"] in (5, "5")

    (raw / "more.txt").write_bytes((PAGES / "medcodewiki_J1100.txt").read_bytes())
    third = CliRunner().invoke(app, args)
    assert third.exit_code == 0, third.output
    assert "without running the flow" not in third.output and "(published)" in third.output


def test_flow_on_a_dask_cluster_gives_the_same_tables(prefect_harness, tmp_path, monkeypatch):
    """`ingest run --dask ADDRESS`: the same flow, tasks on a LocalCluster of 2 worker processes;
    with INGEST_PREFECT_TUNING=1, on the tuned runner (flows/tuning.py), which undoes its changes."""
    from distributed import Client, LocalCluster
    from prefect.client import orchestration
    from prefect.context import SettingsContext
    from prefect_dask import DaskTaskRunner

    from flows import tuning
    from flows.ingest import ingest_flow, task_runner_for

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    serialize = SettingsContext.serialize
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        assert type(task_runner_for(cluster.scheduler_address)) is DaskTaskRunner  # not asked for: prefect-dask's own
        monkeypatch.setenv(tuning.ENV, "1")
        runner = task_runner_for(cluster.scheduler_address)
        assert type(runner).__name__ == "ClusterTaskRunner" and type(runner.duplicate()) is type(runner)
        flow = ingest_flow.with_options(task_runner=runner)
        result = flow(raw=str(raw), curated=str(tmp_path / "dask"), batch_size=2)
        with Client(cluster) as client:  # each worker's Prefect client module is its own again
            restored = client.run(lambda: type(orchestration.ssl).__name__)
        keys = {entry[0] for entry in cluster.scheduler.transition_log}  # every task the scheduler ran
    assert sorted(restored.values()) == ["module", "module"]
    assert SettingsContext.serialize is serialize  # the runner put Prefect's own back
    # impure submissions: Dask named each task run with a random UUID, not a hash of its arguments
    uuid = r"[\w-]+-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    assert keys and all(re.fullmatch(uuid, str(k)) for k in keys), keys
    assert result["by_status"] == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    run(Settings(raw=raw, curated=tmp_path / "lib"))
    dask_tables, lib_tables = _load(tmp_path / "dask"), _load(tmp_path / "lib")
    for name in TABLES:
        pd.testing.assert_frame_equal(dask_tables[name], lib_tables[name], obj=name)


def test_cli_on_a_local_dask_cluster_uses_one_prefect_server(tmp_path, capfd, monkeypatch):
    """`ingest run --dask` on this machine with no PREFECT_API_URL: one local Prefect server
    for the run, which the workers use too (in local mode each worker would start its own
    temporary server, and three servers would share the cores with the work)."""
    import subprocess
    import sys

    from distributed import LocalCluster

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_LOGGING_LEVEL="INFO")
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "INFO")  # the workers' own log: would say "Starting temporary server"
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        out = subprocess.run([sys.executable, "-m", "ingest.cli", "run", "--raw", str(raw), "--curated",
                              str(tmp_path / "dask"), "--dask", cluster.scheduler_address, "--batch-size", "2"],
                             env=env, capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    workers_said = capfd.readouterr()
    assert "Starting temporary server" not in workers_said.out + workers_said.err
    run(Settings(raw=raw, curated=tmp_path / "lib"))
    dask_tables, lib_tables = _load(tmp_path / "dask"), _load(tmp_path / "lib")
    for name in TABLES:
        pd.testing.assert_frame_equal(dask_tables[name], lib_tables[name], obj=name)


def test_load_batches_are_cached_by_content_across_runs(prefect_harness, tmp_path, monkeypatch):
    """A --full rebuild over the same files reads none of them again (the load-batch cache is
    keyed by the files' content, not the flow run); a changed file is read again, alone."""
    import flows.ingest as flows_ingest
    from ingest.runtime import pipeline

    loaded: list[str] = []
    real = pipeline.load_batch

    def counting(root, paths, limits):
        loaded.extend(paths)
        return real(root, paths, limits)

    monkeypatch.setattr(pipeline, "load_batch", counting)  # counted in this process: one worker, this one
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    stamp = time.time_ns()  # files no other test of this session has loaded (their cache entries differ)
    for path in raw.rglob("*"):
        os.utime(path, ns=(stamp, stamp))
    first = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "a"), batch_size=2, workers=1)
    n_files = first["files"]
    assert len(loaded) == n_files

    loaded.clear()
    again = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "a"), full=True, batch_size=2, workers=1)
    assert loaded == []  # every batch came from the cache
    assert again["by_status"] == first["by_status"]

    other = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "b"), batch_size=2, workers=1)
    assert loaded == [] and other["rows"] == first["rows"]  # a second target over the same raw files

    changed = max(raw.rglob("*.txt"))
    extra = "\nOne more line of content about the procedure.\n"
    changed.write_text(changed.read_text(encoding="utf-8") + extra, encoding="utf-8")
    flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "a"), full=True, batch_size=2, workers=1)
    rel = changed.relative_to(raw).as_posix()
    assert rel in loaded and len(loaded) <= 2  # only the changed file's batch (of 2) was read


def test_local_mode_runs_one_task_run_at_a_time_unless_configured(prefect_harness, tmp_path, monkeypatch):
    """With one worker (`--workers 1`), the flow keeps one task run in flight at a time,
    whatever its thread pool's size, or as many as Prefect's setting says, and the same tables
    come out."""
    import threading

    from prefect.settings import PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS, temporary_settings

    import flows.ingest as flows_ingest
    from ingest.runtime import pipeline

    assert flows_ingest.LOCAL_THREADS == 1
    running, most = [0], [0]
    lock = threading.Lock()
    real = pipeline.load_pages

    @functools.wraps(real)  # the flow finds a stage's task by the stage's name
    def watched(root, paths, limits):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.2)  # long enough for every submitted batch to start, were there no limit
            return real(root, paths, limits)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(pipeline, "load_pages", watched)
    for threads in (None, 2):
        raw = copy_raw(tmp_path / f"raw-{threads}", RAW, PAGES)
        stamp = time.time_ns()  # files no other run has loaded: no batch comes from the load cache
        for path in raw.rglob("*"):
            os.utime(path, ns=(stamp, stamp))
        most[0] = 0
        with temporary_settings({PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS: threads}):
            the_flow = flows_ingest.ingest_flow.with_options(task_runner=flows_ingest.local_task_runner(4))
            result = the_flow(raw=str(raw), curated=str(tmp_path / f"flow-{threads}"), batch_size=1, workers=1)
        assert result["files"] >= 6 and most[0] == (threads or 1)
        run(Settings(raw=raw, curated=tmp_path / f"lib-{threads}"))
        flow_tables, lib_tables = _load(tmp_path / f"flow-{threads}"), _load(tmp_path / f"lib-{threads}")
        for name in TABLES:
            pd.testing.assert_frame_equal(flow_tables[name], lib_tables[name], obj=name)


def test_a_settings_context_is_serialized_once_while_the_cluster_runner_runs():
    """prefect-dask serializes Prefect's settings for every task it submits (a pydantic dump of
    every setting): SharedSettings keeps the last one, for the same context object only."""
    from prefect.context import SettingsContext
    from prefect.settings import Settings as PrefectSettings

    from flows.tuning import SharedSettings

    context = SettingsContext.get()
    original = SettingsContext.serialize
    with SharedSettings():
        first = context.serialize()
        assert context.serialize() is first and first == original(context)
        assert context.serialize(include_secrets=False) is not first
        other = SettingsContext(profile=context.profile, settings=PrefectSettings())
        assert other.serialize() is not first and other.serialize() == original(other)
    assert SettingsContext.serialize is original
    assert context.serialize() is not first  # Prefect's own again


def test_prefect_clients_share_a_verified_tls_context_and_never_an_unverified_one(monkeypatch):
    """Prefect 3.8 builds an SSLContext from certifi's bundle for every API client. With
    INGEST_PREFECT_TUNING=1 the flow has them share one per CA file while it runs; importing
    the flow changes nothing."""
    import ssl
    import types

    import certifi
    from prefect.client import orchestration

    import flows.ingest  # noqa: F401 -- importing the flow must leave Prefect as it is
    from flows import tuning

    assert isinstance(orchestration.ssl, types.ModuleType)
    monkeypatch.delenv(tuning.ENV, raising=False)
    with tuning.tuned() as on:
        assert not on and isinstance(orchestration.ssl, types.ModuleType)
    monkeypatch.setenv(tuning.ENV, "1")
    with tuning.tuned() as on:
        assert on and isinstance(orchestration.ssl, tuning.SharedTLSContexts)
    assert orchestration.ssl is ssl
    shared = tuning.SharedTLSContexts(ssl)
    first = shared.create_default_context(cafile=certifi.where())
    assert shared.create_default_context(cafile=certifi.where()) is first
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    unverified = shared.create_default_context()  # Prefect turns verification off on this one
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    assert shared.create_default_context() is not unverified
    assert shared.create_default_context().verify_mode == ssl.CERT_REQUIRED
    assert shared.SSLContext is ssl.SSLContext and shared.CERT_NONE == ssl.CERT_NONE


def test_flow_hands_each_batch_to_a_worker_process_and_records_every_task_run(prefect_harness, tmp_path,
                                                                             monkeypatch):
    """With 2 workers, each per-batch task run is a Prefect task run of the flow (recorded by
    the server, one per batch and stage) whose stage call ran in one of 2 worker processes;
    single stages and the flow stay in this process."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    import flows.ingest as flows_ingest

    handed: list[tuple[str, int]] = []  # (stage, the worker's pid)
    workers: set[int] = set()
    real_run = executors.Processes.run

    def watched(self, stage, *args, **kwargs):
        workers.update(self.pool._processes)  # type: ignore[union-attr]
        handed.append((stage.__name__, len(self.pool._processes)))  # type: ignore[union-attr]
        return real_run(self, stage, *args, **kwargs)

    monkeypatch.setattr(executors.Processes, "run", watched)
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    stamp = time.time_ns()  # files no other run has loaded: every batch is read, none from the cache
    for path in raw.rglob("*"):
        os.utime(path, ns=(stamp, stamp))
    state = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "two"), batch_size=2, workers=2,
                                     return_state=True)
    result = state.result()
    batches = -(-result["files"] // 2)
    stages = [name for name, _ in handed]
    assert stages.count("load_pages") == batches and stages.count("parse_items") >= 2
    assert set(stages) == {"load_pages", "parse_items", "table_items"}
    assert len(workers) == 2 and os.getpid() not in workers
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    recorded = [run.name.rsplit("-", 1)[0] for run in task_runs if run.state_type.value == "COMPLETED"]
    for name in ("load_pages", "parse_items", "table_items"):
        assert recorded.count(name) == stages.count(name), name
    for name in ("plan_run", "survey", "deduplicate_records", "publish_output"):
        assert recorded.count(name) == 1, name
    one = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "one"), batch_size=2, workers=1)
    assert one["by_status"] == result["by_status"] and one["rows"] == result["rows"]

    started: list[int] = []  # a run of one batch per stage starts no worker, whatever --workers says
    real_start = executors.Processes.start
    monkeypatch.setattr(executors.Processes, "start", lambda self: started.append(1) or real_start(self))
    small = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "small"), workers=2)
    assert small["files"] == result["files"] and started == []


def test_cli_run_on_two_worker_processes_gives_the_tables_of_one(prefect_harness, tmp_path):
    """`ingest run --workers 2`: the flow's batches in 2 worker processes; the same snapshot,
    file for file, as `--workers 1` (one thread of the CLI's process)."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    for workers in ("1", "2"):
        result = CliRunner().invoke(app, ["run", "--raw", str(raw), "--curated", str(tmp_path / workers),
                                          "--batch-size", "2", "--workers", workers])
        assert result.exit_code == 0, result.output
    def files(workers: str) -> dict[str, bytes]:  # documents (and the state) hold when they were ingested
        current = tmp_path / workers / "_current"
        return {p.relative_to(current).as_posix(): p.read_bytes() for p in sorted(current.rglob("*.parquet"))
                if not {"_state", "documents"} & set(p.relative_to(current).parts)}

    assert files("1") and files("1") == files("2")
    for name in TABLES:
        pd.testing.assert_frame_equal(_load(tmp_path / "1")[name], _load(tmp_path / "2")[name], obj=name)


def test_the_flow_takes_the_workers_and_the_batches_read_ahead_of_it(prefect_harness, tmp_path):
    """What `ingest run` does while its Prefect server starts (pipeline.reading_ahead): the
    workers started and the load batches begun in them are the flow's; each batch is still a
    load_pages task run the server records; the tables are those of one worker. Workers no
    flow took are stopped by executors.unprepare."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    import flows.ingest as flows_ingest

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    stamp = time.time_ns()  # files no other run has loaded: no batch comes from Prefect's cache
    for path in raw.rglob("*"):
        os.utime(path, ns=(stamp, stamp))
    settings = Settings(raw=raw, curated=tmp_path / "two", batch_size=2)
    assert pipeline.nothing_new(settings, ahead=pipeline.reading_ahead(settings, 2)) is None
    warm = executors._prepared
    assert warm is not None and warm.pool is not None and len(warm.started) == executors.started_ahead() >= 2
    state = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "two"), batch_size=2, workers=2,
                                     return_state=True)
    result = state.result()
    assert executors._prepared is None and warm.started == {} and warm.pool is None  # taken, then stopped
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    recorded = [run.name.rsplit("-", 1)[0] for run in task_runs if run.state_type.value == "COMPLETED"]
    assert recorded.count("load_pages") == -(-result["files"] // 2)
    one = flows_ingest.ingest_flow(raw=str(raw), curated=str(tmp_path / "one"), batch_size=2, workers=1)
    assert one["by_status"] == result["by_status"] and one["rows"] == result["rows"]
    for name in TABLES:
        pd.testing.assert_frame_equal(_load(tmp_path / "one")[name], _load(tmp_path / "two")[name], obj=name)

    pipeline.reading_ahead(settings, 2)(pipeline.plan_run(Settings(raw=raw, curated=tmp_path / "three", batch_size=2)))
    warm = executors._prepared
    assert warm is not None and warm.pool is not None
    executors.unprepare()
    assert executors._prepared is None and warm.pool is None and executors.started_ahead() == 0


def test_cli_reads_ahead_while_its_own_server_starts_and_gives_the_tables_of_one_worker(tmp_path):
    """`ingest run --workers 2` with no PREFECT_API_URL: the run starts its own Prefect server,
    and its workers read the first batches meanwhile; the snapshot is the one of
    `--workers 1` (documents and the state aside: they hold when they were ingested)."""
    import subprocess
    import sys

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_RESULTS_LOCAL_STORAGE_PATH=str(tmp_path / "results"))
    said = {}
    for workers in ("2", "1"):
        out = subprocess.run([sys.executable, "-m", "ingest.cli", "run", "--raw", str(raw), "--curated",
                              str(tmp_path / workers), "--batch-size", "2", "--workers", workers],
                             env=env, capture_output=True, text=True, timeout=600, check=False)
        assert out.returncode == 0, out.stdout + out.stderr
        said[workers] = out.stderr
    assert re.search(r"reading the first \d+ batches in 2 worker processes meanwhile", said["2"])
    assert "reading the first" not in said["1"]

    def files(workers: str) -> dict[str, bytes]:
        current = tmp_path / workers / "_current"
        return {p.relative_to(current).as_posix(): p.read_bytes() for p in sorted(current.rglob("*.parquet"))
                if not {"_state", "documents"} & set(p.relative_to(current).parts)}

    assert files("1") and files("1") == files("2")
