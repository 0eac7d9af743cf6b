"""What a run did and what the curated tables hold, computed from the tables themselves."""

from __future__ import annotations

import html as _html
from collections import Counter

import pyarrow as pa

# What a run did (summary.py): here too, where the surface's users find them.
from ingest.runtime.summary import (
    REMOVED_BY,
    Laps,
    RunSummary,
    load_tables,
    removed_by_site,
    report,
    summarize,
    summary_line,
)

__all__ = ["REMOVED_BY", "Laps", "RunSummary", "load_tables", "removed_by_site", "report", "report_sections",
           "section_coverage", "section_coverage_by_site", "summarize", "summary_line", "to_html"]


def section_coverage(tables: dict[str, pa.Table]) -> dict[str, int]:
    """Rows per canonical section, in the taxonomy's order."""
    from ingest.stages.sections import CANONICAL_SECTIONS

    counts = Counter(tables["sections"].column("section").to_pylist())
    return {name: counts[name] for name in CANONICAL_SECTIONS if counts[name]}


def section_coverage_by_site(tables: dict[str, pa.Table]) -> dict[str, dict[str, int]]:
    """Per site, how many of its documents have each section."""
    sections = tables["sections"]
    pairs = set(zip(sections.column("site").to_pylist(), sections.column("section").to_pylist(),
                    sections.column("document_id").to_pylist(), strict=True))
    out: dict[str, Counter[str]] = {}
    for site, section, _ in pairs:
        out.setdefault(site, Counter())[section] += 1
    return {site: dict(sorted(c.items())) for site, c in sorted(out.items())}


def report_sections(summary: RunSummary, coverage: dict[str, int],
                    by_site: dict[str, dict[str, int]] | None = None) -> list[tuple[str, list[str], list[tuple]]]:
    """The report's content, once for every rendering (terminal, HTML): (title, column names,
    rows) per table. The JSON rendering carries the same figures under its own keys."""
    by_site = by_site or {}
    sites = list(by_site)
    sections = list(dict.fromkeys([*coverage, *(s for counts in by_site.values() for s in counts)]))
    return [
        ("snapshot", ["metric", "value"], [("snapshot", summary.snapshot), ("raw files", summary.files),
                                           ("pages", summary.pages)]),
        ("documents by status", ["status", "documents"], list(summary.by_status.items())),
        ("rows per table", ["table", "rows"], list(summary.rows.items())),
        ("deduplication", ["metric", "count"], list(summary.dedup.items())),
        ("documents per site", ["site", "documents"], list(summary.sites.items())),
        ("section coverage", ["section", "rows"], list(coverage.items())),
        ("documents with each section, per site", ["section", *sites],
         [(name, *(by_site[site].get(name, 0) for site in sites)) for name in sections]),
        ("most frequent removal rules", ["rule", "lines"], list(summary.top_rules)),
        ("lines removed per site, by what removed them", ["site", "lines", *REMOVED_BY, "most frequent rule"],
         [(site, v["lines"], *(v[k] for k in REMOVED_BY), v["most frequent"])
          for site, v in summary.removed_by_site.items()]),
        ("quarantined pages", ["page", "reason"], list(summary.quarantined)),
        ("pages with no code", ["page", "reason"], list(summary.no_code)),
    ]


def to_html(summary: RunSummary, coverage: dict[str, int], by_site: dict[str, dict[str, int]] | None = None) -> str:
    """A self-contained HTML report (no scripts, no network), readable offline: report_sections."""
    esc = _html.escape

    def table(title: str, columns: list[str], rows: list[tuple]) -> str:
        bars = len(columns) == 2 and rows and all(isinstance(v, int) for _, v in rows)
        top = max((int(v) for _, v in rows), default=1) if bars else 1
        head = "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr>"
        body = "".join(
            "<tr>" + "".join(f"<td{' class=n' if isinstance(v, int) else ''}>{esc(str(v))}</td>" for v in row)
            + (f"<td><div class=bar style='width:{int(300 * int(row[1]) / (top or 1))}px'></div></td>" if bars else "")
            + "</tr>"
            for row in rows
        )
        return f"<h2>{esc(title)}</h2><table>{head}{body}</table>" if rows else f"<h2>{esc(title)}</h2><p>none</p>"

    parts = [
        ("<!doctype html><html><head><meta charset='utf-8'><title>ingest report</title><style>"
         "body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px}th{text-align:left}.n{text-align:right}"
         ".bar{background:#4a7;height:12px}h2{margin-top:1.5em}</style></head><body>"),
        "<h1>ingest report</h1>",
        *(table(title, columns, rows) for title, columns, rows in report_sections(summary, coverage, by_site)),
        "</body></html>",
    ]
    return "\n".join(parts)
