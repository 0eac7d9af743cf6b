"""The one stage sequence (pipeline.execute), whatever runs its calls: the same tables in this
process and in worker processes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from ingest.runtime import executors, pipeline
from ingest.config import Settings
from ingest.stages.tables import build_tables

from .conftest import PAGES, RAW, copy_raw

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _files(curated: Path) -> dict[str, bytes]:
    """Every table's rows as Parquet bytes, segment by segment (the snapshot's own files)."""
    current = curated / "_current"
    return {p.relative_to(current).as_posix(): p.read_bytes()
            for p in sorted(current.rglob("*.parquet")) if not p.relative_to(current).as_posix().startswith("_state/")}


def test_two_worker_processes_give_the_same_tables_byte_for_byte(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    one = pipeline.run(Settings(raw=raw, curated=tmp_path / "one", batch_size=2), now=NOW)
    with executors.Processes(2) as executor:
        two = pipeline.execute(Settings(raw=raw, curated=tmp_path / "two", batch_size=2), executor, now=NOW)
        assert executor.pool is not None  # the batches went to worker processes
    assert one.by_status == two.by_status == {"curated": 8, "duplicate": 2, "no_code": 1, "quarantined": 1}
    files, other = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert files and files.keys() == other.keys()
    assert [name for name in files if files[name] != other[name]] == []
    assert one.snapshot.split("-")[-1] == two.snapshot.split("-")[-1]  # the snapshot ids end with the content digest
    for name in ("documents", "sections", "codes"):
        assert pq.read_table(tmp_path / "one" / name).equals(pq.read_table(tmp_path / "two" / name))


def test_rows_are_built_several_parse_batches_at_a_time_and_the_tables_are_the_same(tmp_path, monkeypatch):
    """table_items takes TABLE_GROUP parse batches per call: fewer calls, the same tables as
    one parse batch per call."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    calls: dict[int, list[int]] = {}

    class Counting(executors.InProcess):
        def map(self, stage, batches):
            for args in batches:
                if stage is pipeline.table_items:
                    calls.setdefault(pipeline.TABLE_GROUP, []).append(len(args[0]))
                yield stage(*args)

    runs = {}
    for group in (1, 3):
        monkeypatch.setattr(pipeline, "TABLE_GROUP", group)
        runs[group] = pipeline.execute(Settings(raw=raw, curated=tmp_path / f"g{group}", batch_size=2), Counting(),
                                       now=NOW)
    assert sum(calls[1]) == sum(calls[3]) and len(calls[3]) == -(-len(calls[1]) // 3)
    assert max(calls[3]) > max(calls[1])
    assert runs[1].snapshot.split("-")[-1] == runs[3].snapshot.split("-")[-1]
    files, other = _files(tmp_path / "g1"), _files(tmp_path / "g3")
    assert files and [name for name in files if files[name] != other.get(name)] == []


def test_a_run_of_one_batch_or_none_starts_no_worker_process(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    with executors.Processes(2) as executor:
        first = pipeline.execute(Settings(raw=raw, curated=tmp_path / "curated"), executor)
        again = pipeline.execute(Settings(raw=raw, curated=tmp_path / "curated"), executor)
        assert executor.pool is None
    assert first.published and first.read_files == 5
    assert not again.published and list(again.stages) == ["plan"]


def test_batches_read_ahead_are_taken_by_the_run_and_give_the_same_tables(tmp_path):
    """Load batches started ahead (what a run does while Prefect's server starts) stand for the
    run's own calls over the same files: the run takes each once, and publishes what a run
    with nothing started ahead publishes."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    one = pipeline.run(Settings(raw=raw, curated=tmp_path / "one", batch_size=2), now=NOW)
    settings = Settings(raw=raw, curated=tmp_path / "two", batch_size=2)
    with executors.Processes(2) as executor:
        assert pipeline.nothing_new(settings, ahead=lambda plan: pipeline.read_ahead(plan, settings, executor, 3)) is None
        assert len(executor.started) == 3
        two = pipeline.execute(settings, executor, now=NOW)
        assert executor.started == {}  # each taken by the run's call over its batch
    assert _files(tmp_path / "one") == _files(tmp_path / "two") != {}
    assert one.snapshot.split("-")[-1] == two.snapshot.split("-")[-1]


def test_a_batch_read_ahead_of_a_file_changed_since_is_read_again(tmp_path):
    """A file that changes between the batch started ahead and the run's own plan: the run
    reads it anew (its key, the files' sizes and mtimes, differs), the batch started ahead is
    left untaken, and the tables are those of the changed landing zone."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    settings = Settings(raw=raw, curated=tmp_path / "two", batch_size=2)
    with executors.Processes(2) as executor:
        pipeline.nothing_new(settings, ahead=lambda plan: pipeline.read_ahead(plan, settings, executor, 1))
        (taken,) = executor.started
        first = raw / taken[1][1][0]
        first.write_bytes(first.read_bytes() + b"\n")
        pipeline.execute(settings, executor, now=NOW)
        assert list(executor.started) == [taken]
    pipeline.run(Settings(raw=raw, curated=tmp_path / "one", batch_size=2), now=NOW)
    assert _files(tmp_path / "one") == _files(tmp_path / "two") != {}


def test_a_plan_of_one_batch_reads_nothing_ahead(tmp_path):
    raw = copy_raw(tmp_path / "raw", RAW)
    settings = Settings(raw=raw, curated=tmp_path / "curated")
    with executors.Processes(2) as executor:
        pipeline.nothing_new(settings, ahead=lambda plan: pipeline.read_ahead(plan, settings, executor, 4))
        assert executor.pool is None and executor.started == {}


def test_more_than_one_reads_no_call_twice():
    calls = iter([(1,), (2,), (3,)])
    several, again = executors.more_than_one(calls)
    assert several and list(again) == [(1,), (2,), (3,)]
    several, again = executors.more_than_one(iter([(1,)]))
    assert not several and list(again) == [(1,)]
    several, again = executors.more_than_one(iter([]))
    assert not several and list(again) == []


def test_every_stage_the_run_calls_is_listed_in_order(tmp_path):
    """pipeline.STAGES is the sequence a run executes: an executor is asked for exactly these."""
    called: list[str] = []

    class Recording(executors.InProcess):
        def call(self, stage, *args):
            called.append(stage.__name__)
            return super().call(stage, *args)

        def map(self, stage, calls):
            called.append(stage.__name__)
            return super().map(stage, calls)

    raw = copy_raw(tmp_path / "raw", RAW)
    pipeline.execute(Settings(raw=raw, curated=tmp_path / "curated"), Recording())
    assert called == [stage.__name__ for stage in pipeline.STAGES]


def test_process_ends_with_the_documents_run_publishes(tmp_path):
    """`ingest evaluate` measures pipeline.process: the very run `ingest run` makes, so the
    tables its documents make are the tables the run publishes."""
    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    docs, quarantined, files = pipeline.process(Settings(raw=raw, curated=tmp_path / "unused"))
    summary = pipeline.run(Settings(raw=raw, curated=tmp_path / "curated"), now=NOW)
    assert files == summary.files and not (tmp_path / "unused").exists()
    built = build_tables(docs, quarantined, {}, NOW)
    for name in ("documents", "sections", "faq", "facts", "removed_lines", "codes", "section_items"):
        published = pq.read_table(tmp_path / "curated" / name)
        assert published.num_rows == built[name].num_rows > 0, name
        rows = sorted(map(repr, published.select(built[name].schema.names).to_pylist()))
        assert rows == sorted(map(repr, built[name].to_pylist())), name


def test_processes_run_one_call_per_thread_in_worker_processes(tmp_path):
    """Processes.run, what each of the flow's task-run threads calls: the call runs in a worker
    process (forked from a fork server that imported the stages, on Linux), and each thread
    gets its own call's result."""
    import concurrent.futures
    import multiprocessing
    import os

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    paths = pipeline.read.discover(raw)
    limits = Settings().limits
    with executors.Processes(2) as executor:
        executor.start()
        with concurrent.futures.ThreadPoolExecutor(4) as threads:
            results = list(threads.map(lambda rel: executor.run(pipeline.load_pages, raw, [rel], limits), paths))
        workers = set(executor.pool._processes)  # type: ignore[union-attr]
        if "forkserver" in multiprocessing.get_all_start_methods():
            assert executor.pool._mp_context.get_start_method() == "forkserver"  # type: ignore[union-attr]
    assert len(workers) == 2 and os.getpid() not in workers
    for rel, table in zip(paths, results, strict=True):
        assert table.equals(pipeline.load_pages(raw, [rel], limits)), rel


def test_workers_see_the_environment_of_the_run_that_started_them(tmp_path, monkeypatch):
    """Storage credentials and endpoints come from the environment: a worker started after
    the environment changed (its fork server started before) sees it as the run does."""
    import os

    with executors.Processes(1) as executor:
        executor.start()
        assert executor.run(os.getenv, "INGEST_TEST_WORKER_ENV") is None
    monkeypatch.setenv("INGEST_TEST_WORKER_ENV", "set after the first pool")
    with executors.Processes(1) as executor:
        assert executor.run(os.getenv, "INGEST_TEST_WORKER_ENV") == "set after the first pool"


def test_workers_end_with_a_killed_run(tmp_path):
    """SIGKILL of the run (as the OOM killer does) takes its worker processes with it, and
    their fork server."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import os, signal, sys\n"
        "from ingest.runtime import executors\n"
        "if __name__ == '__main__':\n"
        "    executor = executors.Processes(2)\n"
        "    pool = executor.start()\n"
        "    list(pool.map(abs, range(4)))\n"
        "    print(*pool._processes, flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    (tmp_path / "killed.py").write_text(script)
    proc = subprocess.run([sys.executable, str(tmp_path / "killed.py")], capture_output=True, text=True, timeout=120,
                          check=False,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    workers = [int(pid) for pid in proc.stdout.split()]
    assert len(workers) == 2

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if alive(pid)]


def test_the_summary_counts_spooled_removed_lines_a_file_at_a_time_as_it_counts_whole_ones(tmp_path):
    """A run's summary reads removed_lines (spooled: a file per batch) a file at a time; the
    counts per rule and per site are those of the whole table."""
    from ingest.runtime.spool import Spool
    from ingest.runtime.summary import load_tables, removed_by_site, summarize

    raw = copy_raw(tmp_path / "raw", RAW, PAGES)
    pipeline.run(Settings(raw=raw, curated=tmp_path / "curated"), now=NOW)
    whole = load_tables(tmp_path / "curated")
    removed = whole["removed_lines"]
    assert removed.num_rows > 10
    with Spool() as spool:
        for start in range(0, removed.num_rows, 7):
            spool.add("removed_lines", removed.slice(start, 7))
        spooled = {**whole, "removed_lines": spool.table("removed_lines", removed.schema)}
        assert len(spooled["removed_lines"].files) > 1
        by_file, at_once = summarize(spooled), summarize(whole)
        assert by_file.top_rules == at_once.top_rules and by_file.top_rules
        assert by_file.removed_by_site == at_once.removed_by_site == removed_by_site(spooled) != {}
        assert by_file.dedup == at_once.dedup


def test_raw_files_on_object_storage_are_not_read_ahead():
    from ingest.runtime.spool import Spool

    with Spool() as spool:
        plan = pipeline.Plan(["a.txt", "b.txt"], ["a.txt", "b.txt"], {}, unchanged=False, spool=spool)
        pipeline.reading_ahead(Settings(raw="s3://bucket/raw", curated="s3://bucket/curated", batch_size=1), 2)(plan)
        assert executors._prepared is None and executors.started_ahead() == 0
