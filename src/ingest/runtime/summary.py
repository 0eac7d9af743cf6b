"""What a run did, computed from the tables it publishes: a run's summary and its stages' times.

The runtime (pipeline.py) builds a RunSummary at the end of every run; the surface (report.py,
the CLI, the flow) shows it. Here, below both, so that a run does not import the surface.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest import schema
from ingest.store.write import Table, current_snapshot, read_previous
from ingest.tabular import Spooled, count_values


@dataclass(slots=True)
class RunSummary:
    files: int = 0
    pages: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    top_rules: list[tuple[str, int]] = field(default_factory=list)
    sites: dict[str, int] = field(default_factory=dict)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    no_code: list[tuple[str, str]] = field(default_factory=list)
    dedup: dict[str, int] = field(default_factory=dict)
    snapshot: str | None = None
    published: bool = False
    seconds: float = 0.0
    read_files: int = 0  # raw files read by this run (new or changed); the rest came from the state
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds of each stage of this run, in order
    # Per site: lines removed, by what removed them (REMOVED_BY) and by the site's most frequent rule.
    removed_by_site: dict[str, dict[str, object]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def table_rows(self) -> list[dict[str, object]]:
        """Flat (metric, value) rows, for a Prefect table artifact or a terminal table."""
        rows: list[dict[str, object]] = [
            {"metric": "raw files", "value": self.files},
            {"metric": "raw files read (new or changed)", "value": self.read_files},
            {"metric": "pages", "value": self.pages},
        ]
        rows += [{"metric": f"status: {k}", "value": v} for k, v in sorted(self.by_status.items())]
        rows += [{"metric": f"rows: {k}", "value": v} for k, v in self.rows.items()]
        rows += [{"metric": f"dedup: {k}", "value": v} for k, v in sorted(self.dedup.items())]
        rows += [{"metric": f"removed by {k}", "value": v} for k, v in self.top_rules]
        rows += [{"metric": f"seconds: {k}", "value": round(v, 2)} for k, v in self.stages.items()]
        rows.append(
            {"metric": "snapshot", "value": f"{self.snapshot} ({'published' if self.published else 'unchanged'})"}
        )
        return rows

    def one_line(self) -> str:
        """The run in one line: what it read, what became of the pages, what it published."""
        return summary_line(self.table_rows())

    def markdown(self) -> str:
        """The summary as Markdown (the flow's artifact), file names and reasons as literal text."""
        lines = ["# ingest run", "", "| metric | value |", "|---|---|"]
        lines += [f"| {_md(r['metric'])} | {_md(r['value'])} |" for r in self.table_rows()]
        if self.quarantined:
            lines += ["", "## Quarantined", "", "| page | reason |", "|---|---|"]
            lines += [f"| {_md(p)} | {_md(r)} |" for p, r in self.quarantined]
        return "\n".join(lines) + "\n"


def _md(value: object) -> str:
    """Text for a Markdown table cell, read literally: no link, emphasis, HTML or cell break."""
    text = " ".join(str(value).split())
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~-])", r"\\\1", text)


def summary_line(rows: list[dict[str, object]]) -> str:
    """One line from a run's (metric, value) rows (RunSummary.table_rows, or the table artifact
    a flow run leaves): files read, pages by status, the snapshot."""
    values = {str(r["metric"]): r["value"] for r in rows}
    statuses = ", ".join(f"{v} {k.removeprefix('status: ')}" for k, v in values.items() if k.startswith("status: "))
    return (f"{values.get('raw files', 0)} raw files "
            f"({values.get('raw files read (new or changed)', 0)} new or changed), "
            f"{values.get('pages', 0)} pages ({statuses or 'none'}); snapshot {values.get('snapshot')}")


class Laps:
    """The wall seconds of a run's stages, each stage timed from the end of the one before:
    `lap("read")` closes the stage called read. Where a run spends its time, in its summary.

    The library and the flow time the same stages: plan (what is new), read (read, decode,
    extract and rule-clean the new files), survey (sites and templates across the corpus),
    parse, deduplicate, tables (the page tables, batch by batch) and publish (the code tables,
    validation and writing the snapshot). A run with nothing new has only plan."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def summarize(
    tables: dict[str, Table],
    *,
    snapshot: str | None = None,
    published: bool = False,
    seconds: float = 0.0,
    files: int = 0,
) -> RunSummary:
    docs = tables["documents"].select(["status", "raw_path", "line_no", "reason", "site"]).to_pydict()
    status, paths, line_nos, reasons = docs["status"], docs["raw_path"], docs["line_no"], docs["reason"]
    rules, by_site = _rule_counts(tables)

    def where(i: int) -> str:
        return f"{paths[i]}:{line_nos[i]}" if line_nos[i] else paths[i]

    return RunSummary(
        files=files or len(set(paths)),
        pages=len(status),
        by_status=dict(sorted(Counter(status).items())),
        rows={name: t.num_rows for name, t in tables.items()},
        top_rules=rules.most_common(10),
        sites=dict(sorted(Counter(docs["site"]).items())),
        quarantined=[(where(i), reasons[i] or "") for i, s in enumerate(status) if s == "quarantined"],
        no_code=[(where(i), reasons[i] or "") for i, s in enumerate(status) if s == "no_code"],
        dedup=_dedup_figures(len(status), reasons, rules),
        removed_by_site=_by_site(by_site),
        snapshot=snapshot,
        published=published,
        seconds=seconds,
    )


# What removed a line, as an analyst audits it: the rule catalogue and the page-structure rules,
# the site's template, or the line model (removed_lines.rule "template:<site>", "learned:<signal>",
# and "chrome_run": a doubtful line in a run of chrome the model is sure of).
REMOVED_BY = ("rules", "template", "line model")


def _removed_by(rule: str) -> str:
    if rule.startswith("learned:") or rule == "chrome_run":
        return "line model"
    return "template" if rule.startswith("template:") else "rules"


def removed_by_site(tables: dict[str, Table]) -> dict[str, dict[str, object]]:
    """Per site: how many lines cleaning removed, how many by each of REMOVED_BY, and the rule
    that removed most."""
    return _by_site(_rule_counts(tables)[1])


def _rule_counts(tables: dict[str, Table]) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """The removed lines per rule, and per (site of the line's document, rule): read a piece of
    removed_lines at a time (a spool file, when spooled; a run removes tens of lines a page,
    too many rows to hold whole beside the rest of a run)."""
    removed, docs = tables.get("removed_lines"), tables.get("documents")
    rules: Counter[str] = Counter()
    by_site: Counter[tuple[str, str]] = Counter()
    if removed is None or removed.num_rows == 0:
        return rules, by_site
    sites = docs.select(["document_id", "site"]) if docs is not None else None
    for piece in _pieces(removed, ["document_id", "rule"]):
        rules.update(count_values(piece, "rule"))
        if sites is not None:
            counts = piece.join(sites, "document_id").group_by(["site", "rule"]).aggregate([("rule", "count")])
            for site, rule, n in zip(*(counts.column(c).to_pylist() for c in ("site", "rule", "rule_count")),
                                     strict=True):
                by_site[(site, rule)] += n
    return rules, by_site


def _pieces(table: Table, columns: list[str]) -> Iterator[pa.Table]:
    """Some columns of ``table``, a spool file at a time when spooled (whole otherwise)."""
    if isinstance(table, Spooled):
        for f in table.files:
            yield pq.read_table(f, columns=columns)
    else:
        yield table.select(columns)


def _by_site(counts: Counter[tuple[str, str]]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    top: dict[str, tuple[int, str]] = {}
    for (site, rule), n in counts.items():
        entry = out.setdefault(site, {"lines": 0, **dict.fromkeys(REMOVED_BY, 0)})
        entry["lines"] = int(entry["lines"]) + n  # type: ignore[call-overload]
        by = _removed_by(rule)
        entry[by] = int(entry[by]) + n  # type: ignore[call-overload]
        if (n, rule) > top.get(site, (0, "")):
            top[site] = (n, rule)
    for site, entry in out.items():
        entry["most frequent"] = top[site][1]
    return dict(sorted(out.items()))


def _dedup_figures(pages: int, reasons: list[str | None], rule_counts: Counter[str]) -> dict[str, int]:
    return {
        "documents_seen": pages,
        "exact_duplicates": sum(1 for r in reasons if r and r.startswith("exact duplicate")),
        "near_duplicates": sum(1 for r in reasons if r and r.startswith("near duplicate")),
        "lines_collapsed": rule_counts["duplicate_line"],
        "items_collapsed": rule_counts["duplicate_item"],
    }


def load_tables(curated: Path | str) -> dict[str, pa.Table]:
    """The current snapshot's tables (empty tables where one is missing)."""
    out = {}
    for name, sch in schema.TABLES.items():
        table = read_previous(curated, name)
        out[name] = sch.empty_table() if table is None else table
    return out


def report(curated: Path | str) -> RunSummary:
    snap = current_snapshot(curated)
    return summarize(load_tables(curated), snapshot=snap.name if snap else None, published=snap is not None)
