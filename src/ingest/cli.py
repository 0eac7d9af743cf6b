"""The `ingest` command."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ingest.store import storage

from .config import Settings, default_workers
from .errors import IngestError
from .report import RunSummary
from .report import report as build_report

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Turn scraped billing-code pages into curated Parquet tables."
)
console = Console(stderr=False)
err = Console(stderr=True, soft_wrap=True)

# Scraped text and file names are data, never Rich markup: they reach the terminal through
# Text objects or escape(), so that "[/]" or "[link=…]" in a page prints as it is written.


def _table(title: str, columns: list[str], rows, right: tuple[int, ...] = ()) -> Table:
    """A terminal table whose every cell is plain text (no markup, no links)."""
    table = Table(title=title, header_style="bold")
    for i, name in enumerate(columns):
        table.add_column(Text(name), justify="right" if i in right else "left")
    for row in rows:
        table.add_row(*(Text(str(v)) for v in row))
    return table

RawOpt = Annotated[str, typer.Option("--raw", help="landing zone of raw pages: a directory or a URL (s3://bucket/raw)")]
CuratedOpt = Annotated[
    str, typer.Option("--curated", help="where the curated tables are published: a directory or a URL")
]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, show_default=False,
    help="processes to run batches in [default: every core]; 1: the run's own process, one batch at a time")]


@app.command()
def run(
    raw: RawOpt = "raw",
    curated: CuratedOpt = "curated",
    full: Annotated[bool, typer.Option("--full", help="reprocess every page, not only new or changed ones")] = False,
    dask: Annotated[str | None, typer.Option("--dask", help="address of a Dask scheduler to run tasks on")] = None,
    prefect: Annotated[
        bool, typer.Option("--prefect/--no-prefect", help="run as a Prefect flow (default) or in-process")
    ] = True,
    batch_size: Annotated[int, typer.Option(help="pages per task")] = 200,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
    workers: WorkersOpt = None,
) -> None:
    """Ingest what is in --raw into --curated. Exit 0 when the run completed, even if pages were quarantined."""
    started = time.perf_counter()
    workers = workers or default_workers()
    raw_loc, curated_loc = storage.location(raw), storage.location(curated)
    try:
        if storage.is_remote(raw_loc):
            exists = storage.is_dir(raw_loc)
            is_file = not exists and storage.exists(raw_loc)
        else:
            exists = raw_loc.is_dir()
            is_file = not exists and raw_loc.exists()
    except OSError as exc:
        err.print(f"[red]cannot read raw location {escape(str(raw_loc))}: {escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    if is_file:
        err.print(f"[red]--raw {escape(str(raw_loc))} is a file; --raw takes the directory of raw pages "
                  "(to ingest one file, put it in a directory of its own)[/red]")
        raise typer.Exit(2)
    if not exists:
        err.print(f"[red]raw directory {escape(str(raw_loc))} does not exist[/red]")
        raise typer.Exit(2)
    total = sum(1 for _ in _files(raw_loc))
    _note(f"ingest run: {total} raw files in {raw_loc} into {curated_loc}")
    try:
        if prefect:
            summary, server_seconds = _run_flow(raw_loc, curated_loc, full, dask, batch_size, verbose, total, workers)
        else:
            from ingest.runtime.pipeline import run as run_pipeline

            _note("planning, then reading new or changed files, parsing and publishing (in-process)")
            server_seconds = None
            settings = Settings(raw=raw_loc, curated=curated_loc, full=full, batch_size=batch_size)
            with _progress(total) as advance:
                summary = run_pipeline(settings, progress=advance, workers=workers)
    except IngestError as exc:
        err.print(f"[red]ingest run failed:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    _print_summary(summary)
    console.print(Text(summary.one_line()), soft_wrap=True)
    wall = time.perf_counter() - started
    parts = [f"the run's stages {sum(summary.stages.values()) or summary.seconds:.1f} s"]
    if server_seconds is not None:
        parts.append(f"starting Prefect's server {server_seconds:.1f} s")
    console.print(Text(f"done in {wall:.1f} s ({'; '.join(parts)})"), soft_wrap=True)


def _note(message: str) -> None:
    """A line on stderr saying what the command is doing now (plain text, never markup)."""
    err.print(Text(message, style="dim"))


def _files(raw: Path | str):
    from ingest.stages.read import discover

    return discover(raw)


def _prefect_defaults() -> None:
    """Prefect settings this CLI needs, unless the user set them: no usage telemetry (no
    network here or at most users' sites), and time for Prefect's temporary local server to
    start (8-16 s alone; its default limit of 20 s is missed on a busy 2-core machine, and the
    first start also migrates its database)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


class _Meanwhile:
    """What a run does while a local Prefect server starts: import the flow and Prefect's
    engine, and plan, to know whether there is anything to do (``unchanged``: the run's
    summary if not, pipeline.nothing_new); with ``workers`` > 1 and work to do, start the
    workers reading the first batches (pipeline.reading_ahead), which the flow then takes;
    then import the flow (Prefect's imports) while they read."""

    def __init__(self, settings: Settings | None = None, workers: int = 1) -> None:
        self.settings = settings
        self.workers = workers
        self.unchanged: RunSummary | None = None
        self.done = False

    def __call__(self, ahead: bool = True) -> None:
        self.done = True
        if self.settings is not None:
            from ingest.runtime import executors, pipeline

            start = pipeline.reading_ahead(self.settings, self.workers) if ahead and self.workers > 1 else None
            try:
                self.unchanged = pipeline.nothing_new(self.settings, ahead=start)
            except IngestError:  # another run writing, say: the flow will meet it, and Prefect record it
                self.unchanged = None
            if reading := executors.started_ahead():
                _note(f"reading the first {reading} batches in {self.workers} worker processes meanwhile")
        import flows.ingest  # noqa: F401 -- Prefect's imports, while the workers read

    def close(self) -> None:
        """Stop the workers started to read ahead, if the flow did not take them (it failed to
        start, or the server did)."""
        if self.done and self.settings is not None:
            from ingest.runtime import executors

            executors.unprepare()


def _import_flow() -> None:
    """Import the flow and Prefect's engine (what `ingest serve` does while its server starts)."""
    _Meanwhile()()


def _run_flow(raw, curated, full, dask, batch_size, verbose, total, workers=1) -> tuple[RunSummary, float | None]:
    """Run the flow; with no Prefect server configured, against one started here for the run.

    Prefect's local mode would start a temporary server by itself, but one that outlives this
    process when it is killed, and, on a Dask cluster, one in every worker that runs tasks. The
    server started here dies with this process (serve.local_server), its UI works while the
    run lasts, and a Dask worker on this machine gets its URL with Prefect's settings. A running
    `ingest serve`'s server is used instead (serve.shared_server_url). The flow is imported and
    the run planned while a server starts; a run whose plan finds nothing new is recorded in
    Prefect without running the flow (flows.ingest.record_unchanged_run). ``server_seconds`` is
    how long the run waited for a server it started."""
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    _prefect_defaults()
    server: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    started = time.perf_counter()
    meanwhile = _Meanwhile(Settings(raw=raw, curated=curated, full=full, batch_size=batch_size),
                           1 if dask else workers)
    from .serve import configured_api_url, local_server, shared_server_url, use_server

    configured = configured_api_url()
    shared = None if configured else shared_server_url()
    if configured:
        _note(f"using the Prefect server at {configured}")
    elif shared:
        _note(f"using the Prefect server `ingest serve` runs at {shared}")
        server = use_server(shared)
    elif dask and not _is_loopback(dask):
        _note("starting Prefect's temporary server in each process (a remote Dask cluster; set PREFECT_API_URL "
              "to a server its workers can reach)")
    else:
        server = local_server(console=_Notes(), services=False, meanwhile=meanwhile)
    with contextlib.closing(meanwhile), server:
        server_seconds = None if configured or shared else time.perf_counter() - started
        if not meanwhile.done:  # a server already up (or none to start): plan now, nothing to read ahead of
            meanwhile(ahead=False)
        from flows import ingest as flows_ingest

        parameters = {"raw": str(raw), "curated": str(curated), "full": full, "batch_size": batch_size,
                      "workers": workers}
        if meanwhile.unchanged is not None:
            name = flows_ingest.record_unchanged_run(parameters, meanwhile.unchanged)
            _note(f"nothing new or changed since the last published run: recorded as flow run {name} "
                  "without running the flow")
            return meanwhile.unchanged, server_seconds
        flow = flows_ingest.ingest_flow.with_options(
            task_runner=flows_ingest.task_runner_for(dask) if dask else flows_ingest.local_task_runner(workers))
        _note("running the ingest flow: planning, reading new or changed files, parsing, publishing")
        with _progress(total) as advance:
            flows_ingest.progress_hook.fn = advance
            try:
                result = flow(**parameters)
            finally:
                flows_ingest.progress_hook.fn = None
                from prefect.logging.handlers import APILogHandler

                APILogHandler().flush()  # the run's last logs, while its server still answers
    return RunSummary(**result), server_seconds


class _Notes:
    """What serve.local_server says, as notes on stderr."""

    def print(self, message: str, **_) -> None:
        _note(message)


def _is_loopback(address: str) -> bool:
    """A Dask scheduler on this machine (its workers can reach a server on 127.0.0.1)."""
    host = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


class _progress:
    """A rich progress bar of the files read, on a terminal; silent otherwise (CI, pipes). What
    it yields is called with a number of files done, and has ``stage(name, total=None)`` for a
    run to say which stage it is in (the bar's label, or a note on stderr off a terminal)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = Progress(
            TextColumn("[bold]{task.description}[/bold]"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
            TimeElapsedColumn(), console=err, disable=not err.is_terminal, transient=True,
        )

    def __enter__(self) -> _Advance:
        self.bar.__enter__()
        return _Advance(self.bar, self.bar.add_task("planning", total=self.total))

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)


class _Advance:
    def __init__(self, bar: Progress, task) -> None:
        self.bar, self.task = bar, task

    def __call__(self, n: int) -> None:
        self.bar.update(self.task, advance=n, description="reading")

    def stage(self, name: str, total: int | None = None) -> None:
        if self.bar.disable:
            _note(f"{name}…")
        self.bar.update(self.task, description=name, total=total)  # None leaves the total as it is


def _print_summary(summary: RunSummary) -> None:
    console.print(_table("ingest run", ["metric", "value"], [(r["metric"], r["value"]) for r in summary.table_rows()],
                         right=(1,)))
    if summary.quarantined:
        console.print(_table("quarantined", ["page", "reason"], summary.quarantined))


@app.command()
def serve(
    raw: RawOpt = "raw",
    curated: CuratedOpt = "curated",
    cron: Annotated[str | None, typer.Option("--cron", help="cron schedule, e.g. '0 * * * *'")] = None,
    interval: Annotated[int | None, typer.Option("--interval", help="run every N seconds")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="address of a Dask scheduler to run tasks on")] = None,
    batch_size: Annotated[int, typer.Option(help="pages per task")] = 200,
    workers: WorkersOpt = None,
) -> None:
    """Serve the ingest flow as a scheduled Prefect deployment from this process.

    Scheduling needs a Prefect server: with PREFECT_API_URL set, that one is used; otherwise a
    local server is started here (SQLite under PREFECT_HOME) and stopped with this command.
    Each finished run is reported in one line; Ctrl-C or SIGTERM stops serving."""
    if (cron is None) == (interval is None):
        err.print("[red]give exactly one of --cron EXPR or --interval SECONDS[/red]")
        raise typer.Exit(2)
    from .serve import RunReporter, local_server, runner_for

    _prefect_defaults()
    with local_server(console=_Notes(), meanwhile=_import_flow, share=True) as api_url:
        from flows import ingest as flows_ingest

        flow = flows_ingest.ingest_flow.with_options(task_runner=flows_ingest.task_runner_for(dask) if dask else
                                                     flows_ingest.local_task_runner(workers))
        params = {"raw": _absolute(raw), "curated": _absolute(curated), "batch_size": batch_size,
                  "workers": workers or default_workers()}
        schedule = {"cron": cron} if cron else {"interval": interval}
        runner = runner_for(flow, params, **schedule)
        err.print(Text(f"serving deployment 'ingest/ingest' ({cron or f'every {interval} s'}); flow runs, their "
                       f"summaries and the schedule at {api_url.removesuffix('/api')}; Ctrl-C or SIGTERM stops"))
        with RunReporter("ingest", lambda line: err.print(Text(line))):
            try:
                runner.run()
            except KeyboardInterrupt:
                pass
        err.print("stopped")


def _absolute(where: str) -> str:
    loc = storage.location(where)
    return loc if storage.is_remote(loc) else str(loc.resolve())


@app.command()
def report(
    curated: CuratedOpt = "curated",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for scripts")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="also write an HTML report to this path")] = None,
) -> None:
    """What is in the curated tables: counts per table, status, site and section; quarantined pages."""
    from .report import load_tables, section_coverage, section_coverage_by_site

    summary = build_report(curated)
    if summary.snapshot is None:
        err.print(f"[yellow]no curated snapshot in {escape(str(curated))}; run `ingest run` first[/yellow]")
        raise typer.Exit(1)
    tables = load_tables(curated)
    coverage, by_site = section_coverage(tables), section_coverage_by_site(tables)
    if as_json:
        payload = {**summary.to_dict(), "section_coverage": coverage, "section_coverage_by_site": by_site,
                   "rejected_rows": tables["rejected_rows"].num_rows}
        for run_only in ("read_files", "seconds", "stages", "published"):  # a run's, not the tables'
            payload.pop(run_only)
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        from .report import report_sections

        console.rule(Text(f"ingest report: {curated}"))
        for title, columns, rows in report_sections(summary, coverage, by_site):
            if rows:
                console.print(_table(title, columns, rows,
                                     right=tuple(range(1, len(columns)))
                                     if title != "quarantined pages" and title != "pages with no code" else ()))
            else:
                console.print(Text(f"{title}: none", style="italic"))
    if html is not None:
        from .report import to_html

        html.write_text(to_html(summary, coverage, by_site), encoding="utf-8")
        err.print(Text(f"wrote {html}"))


@app.command()
def show(code: str, curated: CuratedOpt = "curated") -> None:
    """Everything curated about one code, from every site."""
    from ingest.store.write import current_snapshot

    from .report import load_tables

    if current_snapshot(curated) is None:
        err.print(f"[yellow]no curated snapshot in {escape(str(curated))}; run `ingest run` first[/yellow]")
        raise typer.Exit(1)
    tables = load_tables(curated)
    code = code.strip().upper()
    codes = tables["codes"].to_pylist()
    row = next((r for r in codes if r["code"] == code), None)
    if row is None:
        err.print(f"[yellow]no curated code {escape(code)} in {escape(str(curated))}[/yellow]")
        raise typer.Exit(1)
    console.rule(Text.assemble((code, "bold"), f" ({row['code_system']}) {row['title']}"))
    for key in ("official_description", "lay_description", "category", "is_add_on", "cost_min_usd", "cost_max_usd",
                "duration_min_minutes", "duration_max_minutes", "sources"):
        if row[key] not in (None, [], False):
            console.print(Text.assemble((key, "bold"), f": {row[key]}"))
    if row["modifiers"]:
        console.print(Text.assemble(("modifiers", "bold"),
                                    ": " + ", ".join(f"{m['modifier']} ({m['description']})"
                                                     for m in row["modifiers"])))
    sections = sorted((r for r in tables["sections"].to_pylist() if r["code"] == code),
                      key=lambda r: (r["site"], r["position"]))
    for sec in sections:
        console.print(Text.assemble("\n", (sec["section"], "bold cyan"), f" — {sec['heading'] or '(lead)'} ",
                                    (sec["site"], "dim")))
        if sec["text"]:
            console.print(Text(sec["text"]))
        for item in sec["items"]:
            console.print(Text(f"  • {item}"))
    for f in (r for r in tables["faq"].to_pylist() if r["code"] == code):
        console.print(Text.assemble("\n", ("Q:", "bold"), f" {f['question']}\n", ("A:", "bold"), f" {f['answer']} ",
                                    (f["site"], "dim")))


@app.command()
def sql(
    query: Annotated[
        str, typer.Argument(help="SQL over the curated tables, each a view: documents, codes, sections, ...")
    ],
    curated: CuratedOpt = "curated",
    csv: Annotated[bool, typer.Option("--csv", help="print CSV for scripts instead of a table")] = False,
) -> None:
    """Query the current snapshot with DuckDB: `ingest sql "SELECT section, count(*) FROM sections GROUP BY 1"`."""
    import duckdb

    from ingest.store.write import current_snapshot

    from .access import connect

    if current_snapshot(curated) is None:
        err.print(f"[yellow]no curated snapshot in {escape(str(curated))}; run `ingest run` first[/yellow]")
        raise typer.Exit(1)
    try:
        result = connect(curated).sql(query)
    except (duckdb.Error, ValueError) as exc:
        err.print(Text(f"query failed: {exc}", style="red"))
        raise typer.Exit(1) from exc
    if result is None:  # a statement with no result set
        return
    if csv:
        import csv as csv_module

        writer = csv_module.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows(result.fetchall())
        return
    console.print(_table("", result.columns, result.fetchall()))


@app.command()
def rollback(curated: CuratedOpt = "curated") -> None:
    """Publish the previous snapshot again."""
    from ingest.store.write import rollback as do_rollback
    from ingest.store.write import writer_lock

    try:
        with writer_lock(curated):
            snap = do_rollback(curated)
    except IngestError as exc:
        err.print(Text(str(exc), style="red"))
        raise typer.Exit(1) from exc
    console.print(Text(f"current snapshot is now {snap}"))


evaluate_app = typer.Typer(no_args_is_help=True, help="Measure quality on labelled data.")
app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("cleaning")
def evaluate_cleaning_cmd(
    labelled: Annotated[Path, typer.Argument(help="labelled pages (<file>.labels.json) or a real-pages folder")] = Path(
        "tests/labelled"
    ),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="list every leaked, lost or wrong line")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Boilerplate recall, content retention, heading recall, section mapping and code accuracy, per site,
    measured on the tables the production runner publishes. DIR is a labelled set (pages with
    <file>.labels.json) or a real-pages folder (manifest.csv, labels.jsonl, raw/)."""
    from .evaluate import evaluate_cleaning, format_report, report_json

    per_site, overall = evaluate_cleaning(labelled)
    if as_json:
        sys.stdout.write(json.dumps(report_json(per_site, overall), indent=2) + "\n")
        return
    sys.stdout.write(format_report(per_site, overall, f"cleaning and parsing on {labelled}", misses=verbose))


@evaluate_app.command("dedup")
def evaluate_dedup_cmd(
    pairs: Annotated[Path, typer.Argument(help="labelled page pairs (JSONL)")] = Path("tests/dedup/pairs.jsonl"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Precision, recall and F1 of near-duplicate detection on labelled pairs."""
    from .evaluate import evaluate_dedup

    result = evaluate_dedup(pairs)
    errors = result.pop("errors")
    assert isinstance(errors, list)  # evaluate_dedup's misses, one line each
    for key, value in result.items():
        console.print(f"{key:>20}: {value:.4f}" if isinstance(value, float) else f"{key:>20}: {value}")
    if verbose:
        for e in errors:
            console.print(e, markup=False)



@app.command()
def verify(curated: CuratedOpt = "curated") -> None:
    """Check every file of every snapshot against its recorded size and SHA-256; exit 1 naming
    each damaged table (the next run writes damaged files anew)."""
    from ingest.store.write import current_snapshot
    from ingest.store.write import verify as do_verify

    try:
        current = current_snapshot(curated)
        found = do_verify(curated)
    except (IngestError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if not found:
        err.print(f"[red]no snapshot in {curated}[/red]")
        raise typer.Exit(2)
    damaged = 0
    for snap, damage in found.items():
        label = f"{snap}{' (current)' if current is not None and snap == current.name else ''}"
        if not damage:
            console.print(f"{label}: ok")
            continue
        damaged += 1
        tables = sorted({d.table or "(snapshot)" for d in damage})
        console.print(f"[red]{label}: damaged tables {', '.join(tables)}[/red]", highlight=False, soft_wrap=True)
        for d in damage:
            console.print(f"  {d}", markup=False, highlight=False, soft_wrap=True)
    if damaged:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
