"""The `ingest` command."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import urllib.parse
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import storage
from .config import Settings
from .errors import IngestError
from .report import RunSummary, report as build_report

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn scraped billing-code pages into curated Parquet tables.")
console = Console(stderr=False)
err = Console(stderr=True, soft_wrap=True)

RawOpt = Annotated[str, typer.Option("--raw", help="landing zone of raw pages: a directory or a URL (s3://bucket/raw)")]
CuratedOpt = Annotated[str, typer.Option("--curated", help="where the curated tables are published: a directory or a URL")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="processes to run batches in (1: this one)")]


@app.command()
def run(
    raw: RawOpt = "raw",
    curated: CuratedOpt = "curated",
    full: Annotated[bool, typer.Option("--full", help="reprocess every page, not only new or changed ones")] = False,
    dask: Annotated[str | None, typer.Option("--dask", help="address of a Dask scheduler to run tasks on")] = None,
    prefect: Annotated[bool, typer.Option("--prefect/--no-prefect", help="run as a Prefect flow (default) or in-process")] = True,
    batch_size: Annotated[int, typer.Option(help="pages per task")] = 200,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
    workers: WorkersOpt = 1,
) -> None:
    """Ingest what is in --raw into --curated. Exit 0 when the run completed, even if pages were quarantined."""
    raw, curated = storage.location(raw), storage.location(curated)
    try:
        exists = storage.is_dir(raw) if storage.is_remote(raw) else raw.is_dir()
    except OSError as exc:
        err.print(f"[red]cannot read raw location {raw}: {exc}[/red]")
        raise typer.Exit(2) from exc
    if not exists:
        err.print(f"[red]raw directory {raw} does not exist[/red]")
        raise typer.Exit(2)
    total = sum(1 for _ in _files(raw))
    try:
        with _progress(total) as advance:
            if prefect:
                summary = _run_flow(raw, curated, full, dask, batch_size, verbose, advance, workers)
            else:
                from .pipeline import run as run_pipeline

                settings = Settings(raw=raw, curated=curated, full=full, batch_size=batch_size)
                summary = run_pipeline(settings, progress=advance, workers=workers)
    except IngestError as exc:
        err.print(f"[red]ingest run failed:[/red] {exc}")
        raise typer.Exit(1) from exc
    _print_summary(summary)


def _files(raw: Path | str):
    from .read import discover

    return discover(raw)


def _prefect_defaults() -> None:
    """Prefect settings this CLI needs, unless the user set them: no usage telemetry (no
    network here or at most users' sites), and time for Prefect's temporary local server to
    start (8-16 s alone; its default limit of 20 s is missed on a busy 2-core machine, and the
    first start also migrates its database)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _run_flow(raw, curated, full, dask, batch_size, verbose, advance, workers=1) -> RunSummary:
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    _prefect_defaults()
    server = contextlib.nullcontext()
    local = _is_loopback(dask) if dask else workers > 1 and not _api_configured()
    if not os.environ.get("PREFECT_API_URL") and local:
        # Without a server, Prefect's local mode starts a temporary one in each process that
        # runs tasks: every Dask worker or worker process would start its own. One local server for the run,
        # started before Prefect reads its settings, whose URL reaches the workers with them.
        from .serve import local_server

        server = local_server()
    with server:
        from flows import ingest as flows_ingest

        flow = flows_ingest.ingest_flow.with_options(
            task_runner=flows_ingest.task_runner_for(dask) if dask else flows_ingest.local_task_runner(workers))
        flows_ingest.progress_hook.fn = advance
        try:
            result = flow(raw=str(raw), curated=str(curated), full=full, batch_size=batch_size)
        finally:
            flows_ingest.progress_hook.fn = None
            from prefect.logging.handlers import APILogHandler

            APILogHandler().flush()  # the run's last logs, while its server still answers
    return RunSummary(**result)


def _api_configured() -> bool:
    """A Prefect API already set in this process's Prefect settings (a test harness). Prefect is
    not imported for this: it reads its settings once, and a local server must come first."""
    if "prefect.settings" not in sys.modules:
        return False
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def _is_loopback(address: str) -> bool:
    """A Dask scheduler on this machine (its workers can reach a server on 127.0.0.1)."""
    host = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


class _progress:
    """A rich progress bar on a terminal; silent otherwise (CI, pipes)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = Progress(
            TextColumn("[bold]ingest[/bold]"), BarColumn(), MofNCompleteColumn(), TextColumn("files"), TimeElapsedColumn(),
            console=err, disable=not err.is_terminal, transient=True,
        )

    def __enter__(self):
        self.bar.__enter__()
        task = self.bar.add_task("files", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)


def _print_summary(summary: RunSummary) -> None:
    table = Table(title="ingest run", show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for row in summary.table_rows():
        table.add_row(str(row["metric"]), str(row["value"]))
    console.print(table)
    if summary.quarantined:
        q = Table(title="quarantined", header_style="bold")
        q.add_column("page")
        q.add_column("reason")
        for page, reason in summary.quarantined:
            q.add_row(page, reason)
        console.print(q)
    console.print(f"done in {summary.seconds:.1f} s")


@app.command()
def serve(
    raw: RawOpt = "raw",
    curated: CuratedOpt = "curated",
    cron: Annotated[str | None, typer.Option("--cron", help="cron schedule, e.g. '0 * * * *'")] = None,
    interval: Annotated[int | None, typer.Option("--interval", help="run every N seconds")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="address of a Dask scheduler to run tasks on")] = None,
    batch_size: Annotated[int, typer.Option(help="pages per task")] = 200,
    workers: WorkersOpt = 1,
) -> None:
    """Serve the ingest flow as a scheduled Prefect deployment from this process.

    Scheduling needs a Prefect server: with PREFECT_API_URL set, that one is used; otherwise a
    local server is started here (SQLite under PREFECT_HOME) and stopped with this command."""
    if (cron is None) == (interval is None):
        err.print("[red]give exactly one of --cron EXPR or --interval SECONDS[/red]")
        raise typer.Exit(2)
    from .serve import local_server

    _prefect_defaults()
    with local_server(console=err):
        from flows import ingest as flows_ingest

        flow = flows_ingest.ingest_flow.with_options(task_runner=flows_ingest.task_runner_for(dask) if dask else
                                                     flows_ingest.local_task_runner(workers))
        params = {"raw": _absolute(raw), "curated": _absolute(curated), "batch_size": batch_size}
        schedule = {"cron": cron} if cron else {"interval": interval}
        err.print(f"serving deployment 'ingest/ingest' ({cron or f'every {interval} s'}); Ctrl-C stops")
        try:
            flow.serve(name="ingest", parameters=params, print_starting_message=False, **schedule)
        except KeyboardInterrupt:
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
        err.print(f"[yellow]no curated snapshot in {curated}; run `ingest run` first[/yellow]")
        raise typer.Exit(1)
    tables = load_tables(curated)
    coverage, by_site = section_coverage(tables), section_coverage_by_site(tables)
    if as_json:
        payload = {**summary.to_dict(), "section_coverage": coverage, "section_coverage_by_site": by_site,
                   "rejected_rows": tables["rejected_rows"].num_rows}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        _print_summary(summary)
        t = Table(title="sections per canonical section", header_style="bold")
        t.add_column("section")
        t.add_column("rows", justify="right")
        for name, n in coverage.items():
            t.add_row(name, str(n))
        console.print(t)
    if html is not None:
        from .report import to_html

        html.write_text(to_html(summary, coverage, by_site), encoding="utf-8")
        err.print(f"wrote {html}")


@app.command()
def show(code: str, curated: CuratedOpt = "curated") -> None:
    """Everything curated about one code, from every site."""
    from .report import load_tables

    tables = load_tables(curated)
    code = code.strip().upper()
    codes = tables["codes"].to_pylist()
    row = next((r for r in codes if r["code"] == code), None)
    if row is None:
        err.print(f"[yellow]no curated code {code}[/yellow]")
        raise typer.Exit(1)
    console.rule(f"[bold]{code}[/bold] ({row['code_system']}) {row['title']}")
    for key in ("official_description", "lay_description", "category", "is_add_on", "cost_min_usd", "cost_max_usd",
                "duration_min_minutes", "duration_max_minutes", "sources"):
        if row[key] not in (None, [], False):
            console.print(f"[bold]{key}[/bold]: {row[key]}")
    if row["modifiers"]:
        console.print("[bold]modifiers[/bold]: " + ", ".join(f"{m['modifier']} ({m['description']})" for m in row["modifiers"]))
    sections = sorted((r for r in tables["sections"].to_pylist() if r["code"] == code), key=lambda r: (r["site"], r["position"]))
    for sec in sections:
        console.print(f"\n[bold cyan]{sec['section']}[/bold cyan] — {sec['heading'] or '(lead)'} [dim]{sec['site']}[/dim]")
        if sec["text"]:
            console.print(sec["text"])
        for item in sec["items"]:
            console.print(f"  • {item}")
    for f in (r for r in tables["faq"].to_pylist() if r["code"] == code):
        console.print(f"\n[bold]Q:[/bold] {f['question']}\n[bold]A:[/bold] {f['answer']} [dim]{f['site']}[/dim]")


@app.command()
def rollback(curated: CuratedOpt = "curated") -> None:
    """Publish the previous snapshot again."""
    from .write import rollback as do_rollback, writer_lock

    try:
        with writer_lock(curated):
            snap = do_rollback(curated)
    except IngestError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"current snapshot is now {snap}")


evaluate_app = typer.Typer(no_args_is_help=True, help="Measure quality on labelled data.")
app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("cleaning")
def evaluate_cleaning_cmd(
    labelled: Annotated[Path, typer.Argument(help="directory of pages with <file>.labels.json")] = Path("tests/labelled"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="list every leaked, lost or wrong line")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Boilerplate recall, content retention, heading recall, section mapping and code accuracy, per site."""
    from .evaluate import evaluate_cleaning

    per_site, overall = evaluate_cleaning(labelled)
    if as_json:
        out = {"overall": overall.figures(), "sites": {k: v.figures() for k, v in per_site.items()}}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    table = Table(title=f"cleaning and parsing on {labelled}", header_style="bold")
    cols = ["pages", "boilerplate_recall", "content_retention", "heading_recall", "section_mapping_rate", "code_accuracy"]
    table.add_column("site")
    for c in cols:
        table.add_column(c.replace("_", " "), justify="right")
    for name, tally in [*per_site.items(), ("OVERALL", overall)]:
        f = tally.figures()
        table.add_row(name, *[str(f[c]) if c == "pages" else f"{f[c]:.1%}" for c in cols])
    console.print(table)
    if verbose:
        for failure in overall.failures:
            console.print(failure, markup=False)


@evaluate_app.command("dedup")
def evaluate_dedup_cmd(
    pairs: Annotated[Path, typer.Argument(help="labelled page pairs (JSONL)")] = Path("tests/dedup/pairs.jsonl"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Precision, recall and F1 of near-duplicate detection on labelled pairs."""
    from .evaluate import evaluate_dedup

    result = evaluate_dedup(pairs)
    errors = result.pop("errors")
    for key, value in result.items():
        console.print(f"{key:>20}: {value:.4f}" if isinstance(value, float) else f"{key:>20}: {value}")
    if verbose:
        for e in errors:
            console.print(e, markup=False)


if __name__ == "__main__":
    app()
