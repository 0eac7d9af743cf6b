"""The benchmark: `make bench` (or `python benchmarks/run.py [--pages 10000 --big 50000]`).

Prints one table and writes benchmarks/results.md with the machine, versions and date. Every
figure is the median of --repeat runs; ratios are measured side by side in the same run.

- library pipeline (read -> write, no Prefect) on one core, text and HTML pages apart;
- the same HTML pages through `trafilatura.extract` (default options) and `lxml.html.fromstring`
  alone (the parse floor), and our ratios to each;
- `ingest run` end to end (Prefect local mode) on --pages pages: wall time, Prefect's fixed
  start-up (a run over an empty landing zone), the share Prefect adds beyond start-up, and a
  re-run over the same unchanged pages;
- two cores: the flow on a Dask LocalCluster of 2 worker processes against 1;
- peak memory (RSS) of a library run at --pages and --big pages.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from make_corpus import generate  # noqa: E402

INGEST = [sys.executable, "-m", "ingest.cli"]
ENV = {**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def library_run(raw: Path) -> None:
    from ingest.config import Settings
    from ingest.pipeline import run

    with tempfile.TemporaryDirectory() as tmp:
        run(Settings(raw=raw, curated=Path(tmp) / "curated"))


def cli_run(raw: Path, curated: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([*INGEST, "run", "--raw", str(raw), "--curated", str(curated), *extra], env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_rss_mb(raw: Path) -> float:
    code = (
        "import resource, sys, tempfile; from pathlib import Path; from ingest.config import Settings; "
        "from ingest.pipeline import run; run(Settings(raw=Path(sys.argv[1]), curated=Path(tempfile.mkdtemp())));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(raw)], env=ENV, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000, help="pages for the end-to-end runs")
    parser.add_argument("--big", type=int, default=50_000, help="pages for the second memory figure")
    parser.add_argument("--per-format", type=int, default=1000, help="pages per format for throughput")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    rows: list[tuple[str, str]] = []

    def note(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name:<58} {value}", flush=True)

    text_dir, html_dir = work / "text", work / "html"
    generate(text_dir, args.per_format, seed=1, formats=("text",))
    generate(html_dir, args.per_format, seed=2, formats=("html",))
    t_text = median_time(lambda: library_run(text_dir), args.repeat)
    t_html = median_time(lambda: library_run(html_dir), args.repeat)
    note("library, text dumps: pages/s (one core)", f"{args.per_format / t_text:,.0f}")
    note("library, HTML 40-190 KB: pages/s (one core)", f"{args.per_format / t_html:,.0f}")

    import lxml.html
    import trafilatura

    html_pages = [p.read_text(encoding="utf-8") for p in sorted(html_dir.glob("*.html"))]
    t_traf = median_time(lambda: [trafilatura.extract(h) for h in html_pages], args.repeat) / len(html_pages)
    t_lxml = median_time(lambda: [lxml.html.fromstring(h) for h in html_pages], args.repeat) / len(html_pages)
    ours = t_html / args.per_format
    note("HTML ms/page: ours (whole pipeline) / trafilatura.extract / lxml parse",
         f"{ours * 1e3:.1f} / {t_traf * 1e3:.1f} / {t_lxml * 1e3:.2f}")
    note("ratio ours / trafilatura.extract (target <= 0.8)", f"{ours / t_traf:.2f}")
    note("ratio ours / lxml parse floor (target <= 5)", f"{ours / t_lxml:.1f}")

    mixed = work / "mixed"
    generate(mixed, args.pages, seed=3)
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    startup = statistics.median(cli_run(empty, work / f"cur-empty-{i}") for i in range(args.repeat))
    t_lib = median_time(lambda: library_run(mixed), 1)
    t_flow = cli_run(mixed, work / "cur-flow")
    t_rerun = cli_run(mixed, work / "cur-flow")
    note(f"ingest run, {args.pages} pages, Prefect local mode: wall s", f"{t_flow:.1f}")
    note("  Prefect fixed start-up (empty landing zone): s", f"{startup:.1f}")
    note("  library alone on the same pages: s", f"{t_lib:.1f}")
    note("  Prefect share beyond start-up (target <= 10%)", f"{(t_flow - startup - t_lib) / t_lib:+.0%}")
    note(f"re-run over the same {args.pages} unchanged pages beyond start-up: s (target < 3)", f"{t_rerun - startup:.1f}")

    from distributed import LocalCluster

    speeds = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
            cur = work / f"cur-dask-{workers}"
            speeds[workers] = cli_run(mixed, cur, "--dask", cluster.scheduler_address, "--full") - startup
    note("Dask LocalCluster, 1 vs 2 worker processes: s beyond start-up", f"{speeds[1]:.1f} / {speeds[2]:.1f}")
    note("speed-up from the second core (target >= 1.7)", f"{speeds[1] / speeds[2]:.2f}")

    big = work / "big"
    generate(big, args.big, seed=4)
    rss_small, rss_big = peak_rss_mb(mixed), peak_rss_mb(big)
    note(f"peak RSS, library run: {args.pages} / {args.big} pages: MB", f"{rss_small:.0f} / {rss_big:.0f}")
    note(f"memory ratio {args.big} / {args.pages} (target <= 1.25)", f"{rss_big / rss_small:.2f}")

    import prefect

    header = [
        "# Benchmark results", "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python benchmarks/run.py --pages {args.pages} --big {args.big} "
        f"--per-format {args.per_format} --repeat {args.repeat}`", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"prefect {prefect.__version__}, trafilatura {trafilatura.__version__}, lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}", "",
        "| figure | value |", "|---|---|",
    ]
    args.out.write_text("\n".join(header + [f"| {k} | {v} |" for k, v in rows]) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
