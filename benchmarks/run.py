"""The benchmark: `make bench` (or `python benchmarks/run.py [--pages 10000 --big 50000] [--parts ...]`).

Prints one table and, for a run of every part, puts it at the top of benchmarks/results.md
(with the machine, versions and date; the sections below it stay). Every
figure is the median of --repeat runs unless it says otherwise; ratios are measured side by
side in the same run. Corpora come from benchmarks/corpus.py (5 sites: 2 HTML layouts of
40-200 KB, 3 text-dump layouts, JSONL scraper files; ~5% exact and ~15% near duplicates).

- library pipeline (read -> write, no Prefect) on one core (the process pinned to one CPU), text
  and HTML pages apart;
- the same HTML pages through `trafilatura.extract` (default options) and `lxml.html.fromstring`
  alone (the parse floor), and our ratios to each; these per-core rows in --core-repeat rounds
  (the ratio to trafilatura swings from round to round on a shared machine, hence the rounds),
  with the milliseconds a page of each stage of our run (the run summary's own timing);
- `ingest run` end to end (Prefect local mode) on --pages pages: wall time, Prefect's fixed
  start-up (a run over an empty landing zone), the share Prefect adds beyond start-up (the
  medians of --repeat library runs and --repeat flow runs, taken alternately), and --repeat
  re-runs over the same unchanged pages, each beside an empty run (the median difference);
- incremental: 10 new pages (new codes) added to those pages, one library run: its wall time,
  and the rows and files of the published snapshot written anew against those linked (hard
  links, the same inode) from the previous snapshot;
- two cores: `ingest run --full --dask` on one core (a LocalCluster of 1 worker process, every
  process of the run pinned to one CPU) against two (2 workers, both CPUs), each beyond its own
  start-up (a run over an empty landing zone) and after a warm-up run that sets up Prefect in
  every worker; --repeat rounds, each running both on fresh clusters; also, once, 1 worker with
  both CPUs (where the flow, Prefect's server and Dask's scheduler have a core of their own).
  A cluster or run that fails is reported in the table (with the error's last line);
- every core (`--parts workers`): `ingest run` on --pages pages, cold (a fresh target and
  Prefect result storage each time), with `--workers 1` and with every core, alternately in
  --repeat rounds: pages/s of each, the speed-up (wall, start-up included) and the speed-up of
  the run's stages alone;
- start-up (`--parts startup`): a one-off `ingest run` over 20 published pages, unchanged and
  with 4 new files, with no Prefect server (the run starts its own) and with one already
  running (PREFECT_API_URL), the four alternately in max(--repeat, 5) rounds after one untimed;
- peak memory (RSS) of a library run at --pages and --big pages, in --repeat rounds.

`--parts` runs some of the parts (core, flow, workers, startup, dask, memory; default all):
`python benchmarks/run.py --parts workers,startup` gives the every-core and start-up rows on
10,000 pages alone.

Each measured `ingest run` gets its own Prefect result storage, so no run reuses the load-batch
results another one cached (a --full run would otherwise skip reading the pages).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import logging
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from corpus import generate, manifest_path, read_manifest

from ingest.config import default_workers

INGEST = [sys.executable, "-m", "ingest.cli"]
# Prefect local mode unless a row says otherwise: no server of the user's
ENV = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}, "PREFECT_LOGGING_LEVEL": "ERROR",
       "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
STORAGE = "PREFECT_RESULTS_LOCAL_STORAGE_PATH"  # where load-batch results (the flow's cache) persist
NEW_PAGES = 10
PARTS = ("core", "flow", "workers", "startup", "dask", "memory")  # the benchmark's parts, in the order they run


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def library_run(raw: Path, curated: Path | None = None):
    """One library run, with the stages' per-line memos emptied first: a timed run never
    starts with the answers a previous run over the same pages left behind."""
    from ingest.config import Settings
    from ingest.runtime.pipeline import clear_memos, run

    clear_memos()

    if curated is not None:
        return run(Settings(raw=raw, curated=curated))
    with tempfile.TemporaryDirectory() as tmp:
        return run(Settings(raw=raw, curated=Path(tmp) / "curated"))


def cli_run(raw: Path, curated: Path, storage: Path, *extra: str, env: dict[str, str] | None = None) -> float:
    """Wall time of one `ingest run`, with its Prefect results persisted under ``storage``."""
    return cli_timed(raw, curated, storage, *extra, env=env)[0]


def cli_timed(raw: Path, curated: Path, storage: Path, *extra: str,
              env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time of one `ingest run` (``env`` added to the benchmark's), and the seconds of the
    run's stages as its last line says them."""
    started = time.perf_counter()
    out = subprocess.run([*INGEST, "run", "--raw", str(raw), "--curated", str(curated), *extra],
                         env={**ENV, STORAGE: str(storage), **(env or {})}, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if out.returncode:
        raise RuntimeError(f"ingest run exited {out.returncode}: {last_line(out.stderr)}")
    found = re.search(r"the run's stages ([0-9.]+) s", out.stdout)
    return elapsed, float(found.group(1)) if found else float("nan")


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"


def peak_rss_mb(raw: Path) -> float:
    """Peak RSS of a library run in a fresh process: the high-water mark of its own memory
    (VmHWM). Not ru_maxrss: Linux carries it across fork and exec, so a child reports at
    least what this process held when it started the child (this process has run the
    library runs in-process, so its size would be reported instead of the run's)."""
    code = (
        "import resource, sys, tempfile; from pathlib import Path; from ingest.config import Settings; "
        "from ingest.runtime.pipeline import run; run(Settings(raw=Path(sys.argv[1]), curated=Path(tempfile.mkdtemp())));"
        "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')];"
        "print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(raw)], env=ENV, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def page_texts(raw: Path) -> list[str]:
    """The pages of a corpus written without JSONL, in manifest order (gzipped files unpacked)."""
    texts = []
    for entry in read_manifest(manifest_path(raw))["pages"]:
        data = (raw / entry["file"]).read_bytes()
        texts.append((gzip.decompress(data) if entry["file"].endswith(".gz") else data).decode("utf-8"))
    return texts


def snapshot_files(curated: Path) -> dict[str, tuple[int, int]]:
    """Every Parquet file of the published snapshot (tables and _state): path -> (device, inode)."""
    current = curated / "_current"
    out = {}
    for f in sorted(current.rglob("*.parquet")):
        st = f.stat()
        out[str(f.relative_to(current))] = (st.st_dev, st.st_ino)
    return out


def incremental(raw: Path, curated: Path, work: Path) -> dict:
    """Add NEW_PAGES pages about new codes to ``raw`` (a subdirectory), run the library on the
    published ``curated``, and count the snapshot's files and rows written anew vs linked."""
    import pyarrow.parquet as pq

    codes = {p["code"] for p in read_manifest(manifest_path(raw))["pages"]}
    new_dir = raw / "incoming-0001"
    generate(new_dir, NEW_PAGES, seed=99, formats=("text", "html"), manifest=work / "incoming.manifest.json",
             exact_share=0.0, near_share=0.0, avoid_codes=codes)
    before_snapshot = (curated / "_current").resolve()
    before = set(snapshot_files(curated).values())
    started = time.perf_counter()
    summary = library_run(raw, curated)
    seconds = time.perf_counter() - started
    after_snapshot = (curated / "_current").resolve()
    if after_snapshot == before_snapshot or not before_snapshot.exists():
        raise RuntimeError("the incremental run did not publish a new snapshot beside the previous one")
    current = curated / "_current"
    files = snapshot_files(curated)
    new = {name for name, ino in files.items() if ino not in before}
    rows = {name: pq.read_metadata(current / name).num_rows for name in files}
    by_table: dict[str, list[int]] = {}  # table -> [rows anew, rows]
    for name, n in rows.items():
        parts = Path(name).parts
        table = "/".join(parts[:2]) if parts[0] == "_state" else parts[0]  # sections' partitions count as one table
        counts = by_table.setdefault(table, [0, 0])
        counts[0] += n if name in new else 0
        counts[1] += n
    shutil.rmtree(new_dir)
    return {"seconds": seconds, "read_files": summary.read_files, "files": len(files), "new_files": len(new),
            "rows": sum(rows.values()), "new_rows": sum(rows[n] for n in new), "by_table": by_table}


@contextlib.contextmanager
def on_cores(n: int | None):
    """Run the block, and every process it starts, on the first ``n`` of this process's CPUs
    (None: all of them). Every thread of this process is pinned (Linux pins a thread, and a
    new thread or process takes its creator's CPUs); afterwards every thread, those the block
    started included, gets its CPUs back."""
    if n is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)

    def pin(cpus) -> None:
        threads = [int(t) for t in os.listdir("/proc/self/task")] if os.path.isdir("/proc/self/task") else [0]
        for tid in threads:
            with contextlib.suppress(OSError):  # a thread that has ended
                os.sched_setaffinity(tid, cpus)

    pin(sorted(before)[:n])
    try:
        yield
    finally:
        pin(before)


def dask_seconds(raw: Path, warm_up: Path, empty: Path, work: Path, workers: int, cores: int | None) -> dict[str, float]:
    """`ingest run --full --dask` on a fresh LocalCluster of ``workers`` processes, everything
    (the cluster, the CLI, the Prefect server it starts) on ``cores`` CPUs (None: all): the
    seconds of a run over the empty landing zone (the start-up), of a first run over the small
    ``warm_up`` corpus and of the run over ``raw``, both beyond that start-up.

    A worker sets up Prefect (a temporary API server of its own) for its first task and keeps it
    while it lives, so the warm-up run, in tasks of 2 pages that reach every worker, takes that
    one-off cost and the timed run measures the work. Called from main(), so only under the
    ``if __name__ == "__main__"`` guard: the worker processes are spawned and import this file as
    a module without starting clusters of their own.
    """
    from distributed import LocalCluster

    storage = work / f"prefect-results-dask-{workers}-{cores}"
    saved = {k: os.environ.get(k) for k in (STORAGE, "PREFECT_LOGGING_LEVEL")}
    os.environ[STORAGE] = str(storage)  # the workers run the load-batch tasks and persist their results
    os.environ["PREFECT_LOGGING_LEVEL"] = "ERROR"
    try:
        with on_cores(cores), LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                                           dashboard_address=None, silence_logs=logging.ERROR) as cluster:
            address = cluster.scheduler_address
            tag = f"{workers}-{cores}"
            first = cli_run(warm_up, work / f"cur-dask-warm-up-{tag}", storage, "--dask", address, "--full", "--batch-size", "2")
            startup = cli_run(empty, work / f"cur-dask-empty-{tag}", storage, "--dask", address, "--full")
            timed = cli_run(raw, work / f"cur-dask-{tag}", storage, "--dask", address, "--full")
            return {"startup": startup, "first": first - startup, "timed": timed - startup}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(storage, ignore_errors=True)


def workers_seconds(raw: Path, work: Path, repeat: int, many: int) -> dict[int, list[tuple[float, float]]]:
    """`ingest run` (Prefect local mode, cold: a fresh curated target and result storage each
    time) on ``raw`` with `--workers 1` and `--workers many`, alternately, ``repeat`` rounds:
    per number of workers, each run's (wall s, the run's stages s)."""
    out: dict[int, list[tuple[float, float]]] = {1: [], many: []}
    for i in range(repeat):
        for workers in (1, many):
            curated, storage = work / f"cur-workers-{workers}-{i}", work / f"prefect-results-workers-{workers}-{i}"
            out[workers].append(cli_timed(raw, curated, storage, "--workers", str(workers)))
            shutil.rmtree(curated, ignore_errors=True)
            shutil.rmtree(storage, ignore_errors=True)
    return out


@contextlib.contextmanager
def prefect_server(work: Path):
    """A Prefect server of its own (what `ingest serve` or a user's `prefect server start`
    gives runs) for the block; yields its API URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    log = (work / "prefect-server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                             str(port)], env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the benchmark's Prefect server did not start (see {log.name})")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def startup_seconds(work: Path, repeat: int) -> dict[str, list[float]]:
    """Wall time of a one-off `ingest run` with little to do, on a landing zone of 20 pages
    already published: over it unchanged, and with 4 new files (new codes) added; each with
    no Prefect server configured (the run starts its own) and with a server already running
    (PREFECT_API_URL). ``repeat`` rounds, the four kinds alternately in each; every run on a
    copy of the published target."""
    base, new = work / "startup-base", work / "startup-new"
    if not base.exists():
        generate(base, 20, seed=11)
        codes = {p["code"] for p in read_manifest(manifest_path(base))["pages"]}
        generate(new, 4, seed=12, formats=("text",), manifest=work / "startup-new.manifest.json", exact_share=0.0,
                 near_share=0.0, avoid_codes=codes)
        library_run(base, work / "startup-published")
    with_new = work / "startup-with-new"
    shutil.rmtree(with_new, ignore_errors=True)
    shutil.copytree(base, with_new)
    shutil.copytree(new, with_new / "incoming")
    out: dict[str, list[float]] = {}
    with prefect_server(work) as url:
        for i in range(repeat + 1):  # a first round untimed: each setting's first run sets up its database
            for server in ("no server", "server running"):
                env = {"PREFECT_API_URL": url} if server == "server running" else {}
                for kind, raw in (("unchanged", base), ("4 new files", with_new)):
                    curated, storage = work / "startup-curated", work / "startup-results"
                    shutil.rmtree(curated, ignore_errors=True)
                    shutil.rmtree(storage, ignore_errors=True)
                    shutil.copytree(work / "startup-published", curated, symlinks=True)
                    seconds = cli_run(raw, curated, storage, env=env)
                    if i:
                        out.setdefault(f"{kind}, {server}", []).append(seconds)
    return out


def _replace_latest(path: Path, table: str) -> None:
    """Put ``table`` at the top of results.md in place of the last run's, keeping every section
    after it (``## ...``: the figures and history written by hand)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    rest = old[old.index("\n## "):] if "\n## " in old else ""
    path.write_text(table + rest, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000, help="pages for the end-to-end runs")
    parser.add_argument("--big", type=int, default=50_000, help="pages for the second memory figure")
    parser.add_argument("--per-format", type=int, default=1000, help="pages per format for throughput")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--core-repeat", type=int, default=5, help="rounds of the per-core rows (about 35 s each)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the table to this file (default: a run of every part puts it at the top of "
                        "benchmarks/results.md, keeping the sections below; a partial run only prints it)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"comma-separated parts to run (default all: {', '.join(PARTS)})")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))}")
    # Every measured run with the Prefect workarounds of flows/tuning.py (opt-in for users), as
    # the figures before them were measured: the benchmark's rows stay comparable.
    os.environ.setdefault("INGEST_PREFECT_TUNING", "1")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str]] = []

    def note(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name:<66} {value}", flush=True)

    text_dir, html_dir, mixed = work / "text", work / "html", work / "mixed"
    if "core" in parts:
        generate(text_dir, args.per_format, seed=1, formats=("text",))
        html = generate(html_dir, args.per_format, seed=2, formats=("html",))
    started = time.perf_counter()
    corpus = generate(mixed, args.pages, seed=3)
    gen_seconds = time.perf_counter() - started
    note(f"corpus: {args.pages} pages, {corpus['files']} files, {corpus['bytes'] / 1e6:.0f} MB: exact / near duplicates",
         f"{corpus['exact_duplicates']} / {corpus['near_duplicates']}")
    note("  generated in: s (one run)", f"{gen_seconds:.1f}")

    warm_up = work / "warm-up"  # 20 text pages: an untimed first run (imports, caches), and the Dask clusters' warm-up
    generate(warm_up, 20, seed=5, formats=("text",))
    library_run(warm_up)
    import lxml.html
    import trafilatura

    if "core" in parts:
        html_pages = page_texts(html_dir)
        # The per-core figures, on one core. Each round times our pipeline and the tools it is
        # compared with one after the other, so that the ratios' medians see the same machine.
        times: dict[str, list[float]] = {"text": [], "html": [], "trafilatura": [], "lxml": []}
        stages: dict[str, list[dict[str, float]]] = {"text": [], "html": []}  # each round's run summary's stage times

        def timed_run(kind: str, raw: Path) -> None:
            stages[kind].append(library_run(raw).stages)

        with on_cores(1):
            for _ in range(args.core_repeat):
                times["text"].append(median_time(lambda: timed_run("text", text_dir), 1))
                times["html"].append(median_time(lambda: timed_run("html", html_dir), 1))
                times["trafilatura"].append(median_time(lambda: [trafilatura.extract(h) for h in html_pages], 1))
                times["lxml"].append(median_time(lambda: [lxml.html.fromstring(h) for h in html_pages], 1))
        t_text, t_html = statistics.median(times["text"]), statistics.median(times["html"])
        t_traf = statistics.median(times["trafilatura"]) / len(html_pages)
        t_lxml = statistics.median(times["lxml"]) / len(html_pages)
        kb_lo, kb_hi = html["html_kb"]
        note("library, text dumps: pages/s (one core; target >= 1,000)", f"{args.per_format / t_text:,.0f}")
        note(f"library, HTML {kb_lo:.0f}-{kb_hi:.0f} KB: pages/s (one core)", f"{args.per_format / t_html:,.0f}")
        ours = t_html / args.per_format
        note("HTML ms/page: ours (whole pipeline) / trafilatura.extract / lxml parse",
             f"{ours * 1e3:.1f} / {t_traf * 1e3:.1f} / {t_lxml * 1e3:.2f}")
        note("ratio ours / trafilatura.extract (target <= 0.8)", f"{ours / t_traf:.2f}")
        note("  round by round", ", ".join(f"{(h / args.per_format) / (t / len(html_pages)):.2f}"
                                          for h, t in zip(times["html"], times["trafilatura"], strict=True)))
        note("ratio ours / lxml parse floor (target <= 5)", f"{ours / t_lxml:.1f}")
        for kind in ("text", "html"):  # where the time goes: each stage's median over the rounds
            by_stage = {name: statistics.median(r[name] for r in stages[kind]) for name in stages[kind][0]}
            note(f"  {'text dumps' if kind == 'text' else 'HTML'}: ms/page by stage (the run's own timing)",
                 ", ".join(f"{name} {sec / args.per_format * 1e3:.2f}" for name, sec in by_stage.items()))

    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    ONE = ("--workers", "1")  # the flow rows beside the library run: one process, as the library run

    def storage(name: str) -> Path:
        path = work / f"prefect-results-{name}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    if "flow" in parts:
        cli_run(empty, work / "cur-warm-up", storage("warm-up"), *ONE)  # Prefect's first run in a home sets up its database
        startup = statistics.median(cli_run(empty, work / f"cur-empty-{i}", storage(f"empty-{i}"), *ONE) for i in range(args.repeat))
        # The library and the flow alternately, --repeat times each (a fresh curated directory and
        # Prefect result storage for every flow run), so that both medians see the same machine.
        lib_times, flow_times = [], []
        for i in range(args.repeat):
            lib_times.append(median_time(lambda: library_run(mixed), 1))
            shutil.rmtree(work / "cur-flow", ignore_errors=True)
            flow_storage = storage("flow")
            flow_times.append(cli_run(mixed, work / "cur-flow", flow_storage, *ONE))
        t_lib, t_flow = statistics.median(lib_times), statistics.median(flow_times)
        # Re-runs over the last flow run's snapshot and cache, --repeat times, each beside an empty
        # run (Prefect's start-up at that moment): one re-run measured 5.0 s beyond the start-up
        # on a slow moment of the machine, and -1.7, -0.3 and -0.4 s in three such pairs after it.
        reruns = []
        for i in range(args.repeat):
            empty_now = cli_run(empty, work / f"cur-empty-rerun-{i}", storage(f"empty-rerun-{i}"), *ONE)
            reruns.append((cli_run(mixed, work / "cur-flow", flow_storage, *ONE), empty_now))
        t_rerun = statistics.median(r - e for r, e in reruns)
        shutil.rmtree(flow_storage, ignore_errors=True)
        note(f"ingest run, {args.pages} pages, Prefect local mode: wall s", f"{t_flow:.1f}")
        note("  each run: s", " / ".join(f"{t:.1f}" for t in flow_times))
        note("  Prefect fixed start-up (empty landing zone): s", f"{startup:.1f}")
        note("  library alone on the same pages: s", f"{t_lib:.1f}")
        note("  each run: s", " / ".join(f"{t:.1f}" for t in lib_times))
        note("  Prefect share beyond start-up (target <= 10%)", f"{(t_flow - startup - t_lib) / t_lib:+.0%}")
        note(f"re-run over the same {args.pages} unchanged pages beyond start-up: s (target < 3)", f"{t_rerun:.1f}")
        note("  each re-run / the empty run beside it: s", "; ".join(f"{r:.1f} / {e:.1f}" for r, e in reruns))

        inc = incremental(mixed, work / "cur-flow", work)
        note(f"+{NEW_PAGES} new pages (new codes), library run on the published snapshot: s (one run)", f"{inc['seconds']:.1f}")
        note("  rows of the new snapshot written anew / all (rest linked)", f"{inc['new_rows']:,} / {inc['rows']:,}")
        note("  Parquet files written anew / all (rest hard links)", f"{inc['new_files']} / {inc['files']}")
        note("  by table: rows written anew / all", "; ".join(f"{t} {a:,}/{n:,}" for t, (a, n) in sorted(inc["by_table"].items())))

    if "workers" in parts:
        many = default_workers()
        by_workers = workers_seconds(mixed, work, args.repeat, many)
        wall = {w: statistics.median(t[0] for t in runs) for w, runs in by_workers.items()}
        staged = {w: statistics.median(t[1] for t in runs) for w, runs in by_workers.items()}
        note(f"ingest run, {args.pages} pages, cold: pages/s with 1 / {many} workers (wall, start-up included)",
             f"{args.pages / wall[1]:,.0f} / {args.pages / wall[many]:,.0f}")
        note("  wall s, each round: 1 / all workers", "; ".join(
            f"{a[0]:.1f} / {b[0]:.1f}" for a, b in zip(by_workers[1], by_workers[many], strict=True)))
        note(f"speed-up with all {many} workers, wall (target >= 1.7 on 2 cores)", f"{wall[1] / wall[many]:.2f}")
        note("  round by round", ", ".join(f"{a[0] / b[0]:.2f}" for a, b in zip(by_workers[1], by_workers[many], strict=True)))
        note("  the run's stages alone: s with 1 / all workers; speed-up", f"{staged[1]:.1f} / {staged[many]:.1f}; "
             f"{staged[1] / staged[many]:.2f}")
        note("  load average (1 min) after these runs", f"{os.getloadavg()[0]:.1f}")

    if "startup" in parts:
        started_runs = startup_seconds(work, max(args.repeat, 5))
        for kind in ("unchanged", "4 new files"):
            for server in ("no server", "server running"):
                times_ = started_runs[f"{kind}, {server}"]
                note(f"one-off ingest run, 20 published pages, {kind}, {server}: wall s (target: <= 6 s with a server)",
                     f"{statistics.median(times_):.1f}")
                note("  each run: s", " / ".join(f"{t:.1f}" for t in times_))
        note("  load average (1 min) after these runs", f"{os.getloadavg()[0]:.1f}")

    # The speed-up from the second core: the run on one core (1 worker; the CLI, Prefect's server
    # and Dask's scheduler on that core too) against the run on two (2 workers), --repeat rounds
    # of one run each, so that each round's ratio is side by side and the medians see the same
    # machine. Also, once, 1 worker with both cores (its flow, server and scheduler then have the
    # second core to themselves).
    if "dask" in parts:
        configs = {"one core": (1, 1), "two cores": (2, None), "1 worker, two cores": (1, None)}
        runs: dict[str, list[dict | str]] = {label: [] for label in configs}
        for i in range(args.repeat):
            for label, (workers, cores) in configs.items():
                if label == "1 worker, two cores" and i:
                    continue
                try:
                    runs[label].append(dask_seconds(mixed, warm_up, empty, work, workers, cores))
                except Exception as exc:  # noqa: BLE001 - a failure is a result of the benchmark, reported in its table
                    runs[label].append(f"failed: {type(exc).__name__}: {last_line(str(exc))}")

        def failed(label: str) -> str | None:
            return next((r for r in runs[label] if isinstance(r, str)), None)

        def median(label: str, key: str) -> float:
            return statistics.median(r[key] for r in runs[label])

        def shown(key: str, labels: list[str]) -> str:
            return " / ".join(failed(k) or f"{median(k, key):.1f}" for k in labels)

        def ratio(slow: str, fast: str) -> str:
            if failed(slow) or failed(fast):
                return "not measured: a Dask run failed"
            if min(median(slow, "timed"), median(fast, "timed")) <= 0:
                return "not measured: a run took less than its measured start-up"
            return f"{median(slow, 'timed') / median(fast, 'timed'):.2f}"

        pair = ["one core", "two cores"]
        note("Dask LocalCluster, one core (1 worker) vs two cores (2 workers): start-up (empty landing zone), s",
             shown("startup", pair))
        note("  warm-up run (20 pages), s beyond start-up", shown("first", pair))
        note(f"Dask LocalCluster, --full on the {args.pages} pages, one core vs two cores: s beyond start-up", shown("timed", pair))
        note("  each round: s", "; ".join(
            " / ".join(f"{r['timed']:.1f}" if isinstance(r, dict) else "failed" for r in rnd) for rnd in zip(*(runs[k] for k in pair))))
        note("speed-up from the second core (target >= 1.7)", ratio("one core", "two cores"))
        if not (failed("one core") or failed("two cores")):
            note("  round by round", ", ".join(f"{a['timed'] / b['timed']:.2f}"
                                              for a, b in zip(runs["one core"], runs["two cores"], strict=True)))
        note(f"  1 worker on two cores, --full on the {args.pages} pages: s beyond start-up (start-up) (one run)",
             shown("timed", ["1 worker, two cores"]) + f" ({shown('startup', ['1 worker, two cores'])})")
        note("  2 workers / 1 worker, both on two cores", ratio("1 worker, two cores", "two cores"))

    if "memory" in parts:
        big = work / "big"
        generate(big, args.big, seed=4)
        # --repeat rounds, each a run at each size: the peak at --big pages moves from run to
        # run by as much as the target's margin.
        peaks = [(peak_rss_mb(mixed), peak_rss_mb(big)) for _ in range(args.repeat)]
        rss_small, rss_big = (statistics.median(p[i] for p in peaks) for i in (0, 1))
        note(f"peak RSS, library run: {args.pages} / {args.big} pages: MB", f"{rss_small:.0f} / {rss_big:.0f}")
        note("  each round: MB", "; ".join(f"{a:.0f} / {b:.0f}" for a, b in peaks))
        note(f"memory ratio {args.big} / {args.pages} (target <= 1.25)", f"{rss_big / rss_small:.2f}")
        note("  round by round", ", ".join(f"{b / a:.2f}" for a, b in peaks))

    import prefect

    header = [
        "# Benchmark results", "",
        (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python benchmarks/run.py --pages {args.pages} --big {args.big} "
        f"--per-format {args.per_format} --repeat {args.repeat} --core-repeat {args.core_repeat}"
        f"{'' if parts == set(PARTS) else ' --parts ' + ','.join(p for p in PARTS if p in parts)}`"), "",
        (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"prefect {prefect.__version__}, trafilatura {trafilatura.__version__}, lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}"), "",
        ("Corpus: `benchmarks/corpus.py` (5 sites: 2 HTML layouts, 3 text-dump layouts; JSONL scraper files; "
        "~5% exact and ~15% near duplicates)."), "",
        "| figure | value |", "|---|---|",
    ]
    table = "\n".join(header + [f"| {k} | {v} |" for k, v in rows]) + "\n"
    if args.out is not None:
        args.out.write_text(table, encoding="utf-8")
        print(f"written {args.out}")
    elif parts == set(PARTS):
        _replace_latest(HERE / "results.md", table)
        print(f"written the top of {HERE / 'results.md'}")
    else:
        print("a partial run: results.md left as it is (--out FILE writes this table)")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
