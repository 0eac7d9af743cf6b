"""Measure cleaning, parsing and near-duplicate detection on labelled data.

``ingest evaluate cleaning DIR`` runs the production runner (:func:`ingest.runtime.pipeline.run`, what
``ingest run`` runs) over DIR into a temporary curated folder, then scores the published
tables as an analyst reads them back, never the pipeline's in-memory objects: what it
reports is what a real run over the same folder publishes. Two label formats:

- pages with ``<file>.labels.json`` beside them (tests/labelled, tests/heldout*; see
  tests/labelled/README.md): boilerplate recall, content retention, heading recall, section
  mapping rate and code accuracy, per site directory;
- a real-pages folder (``manifest.csv``, ``labels.jsonl``, ``raw/``, as ../shared/realpages):
  the pages are copied with the ``<file>.meta.json`` sidecar a scraper writes (the manifest's
  URL and site) and scored by the rules of that folder's README, per manifest site.

``ingest evaluate dedup tests/dedup/pairs.jsonl`` prints precision, recall and F1 of
near-duplicate decisions on labelled page pairs (see tests/dedup/README.md).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
from datasketch import MinHash

from ingest.runtime.pipeline import learn_site_templates, load_batch, parse_documents, run
from ingest.stages.dedup import is_near_duplicate, page_minhash
from ingest.stages.tables import MERGED_HEADINGS

from .config import Limits, Settings
from .report import RunSummary

LABELS_SUFFIX = ".labels.json"
# A boilerplate string this long leaks when it is found inside a curated line; a shorter one
# ("Home", "Tools") only when a curated line is exactly it, or "Home care" would count.
LEAK_SUBSTRING_MIN_CHARS = 20
_PUNCT = re.compile(r"[\s:;,.!?'\"“”‘’()\[\]*•–—-]+")


def _norm(text: str) -> str:
    return _PUNCT.sub(" ", text.casefold()).strip()


# Markers a heading may carry in the page but not in the parsed output, or the other way
# round (labelling conventions 24 and 34): Markdown "#"/"**", a section number "1.", "2)",
# "3.2", a wiki "[edit]". Headings are compared without them.
_HEADING_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|\*\*|\d{1,2}(?:\.\d{1,2})*[.)]?\s+)|\*\*\s*$|\s*\[edit\]\s*$")


def _heading_norm(text: str) -> str:
    return _norm(_HEADING_MARKERS.sub("", text))


_COUNTS = ("pages", "boilerplate", "leaked", "content", "kept", "headings", "headings_found", "mapped_right",
           "codes_right", "section_rows", "section_rows_named", "missing")


@dataclass(slots=True)
class Tally:
    """Counts over labelled pages, and every miss as a line of text.

    ``mapped_right`` counts labelled headings found under their labelled section (labelled
    pages); real pages label no sections, so their mapping is the share of the pages'
    ``sections`` rows that name a canonical section (``section_rows_named``/``section_rows``),
    as the real pages' scoring counts it. ``missing`` counts labelled pages with no document."""

    pages: int = 0
    boilerplate: int = 0
    leaked: int = 0
    content: int = 0
    kept: int = 0
    headings: int = 0
    headings_found: int = 0
    mapped_right: int = 0
    codes_right: int = 0
    section_rows: int = 0
    section_rows_named: int = 0
    missing: int = 0
    realpages: bool = False
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.realpages = self.realpages or other.realpages
        self.failures += other.failures

    def figures(self) -> dict[str, float]:
        def share(a: int, b: int) -> float:
            return a / b if b else 1.0

        if self.realpages:
            mapping = share(self.section_rows_named, self.section_rows)
        else:
            mapping = share(self.mapped_right, self.headings_found)
        return {
            "pages": self.pages,
            "boilerplate_recall": share(self.boilerplate - self.leaked, self.boilerplate),
            "boilerplate_leaked": share(self.leaked, self.boilerplate) if self.boilerplate else 0.0,
            "content_retention": share(self.kept, self.content),
            "heading_recall": share(self.headings_found, self.headings),
            "section_mapping_rate": mapping,
            "code_accuracy": share(self.codes_right, self.pages),
        }

    def score_line(self, name: str = "realpages") -> str:
        """One line of figures, in the words and rounding of the real pages' score.py."""
        code = self.codes_right / self.pages if self.pages else 0.0
        leak = self.leaked / max(self.boilerplate, 1)
        kept = self.kept / max(self.content, 1)
        head = self.headings_found / max(self.headings, 1)
        return (f"{name}: code {self.codes_right}/{self.pages} ({code:.0%}), "
                f"boilerplate leaked {self.leaked}/{self.boilerplate} ({leak:.1%}), "
                f"content kept {self.kept}/{self.content} ({kept:.1%}), "
                f"headings found {self.headings_found}/{self.headings} ({head:.0%}), "
                f"sections mapped {self.section_rows_named}/{self.section_rows}, missing docs {self.missing}")


def read_table(curated: Path | str, name: str) -> pd.DataFrame | None:
    """A published table as an analyst reads it (hive partitions as columns); None if absent."""
    path = Path(curated) / name
    if not path.exists():
        return None
    return ds.dataset(str(path), format="parquet", partitioning="hive").to_table().to_pandas()


def make_tables(raw: Path | str, curated: Path | str) -> RunSummary:
    """Ingest ``raw`` into ``curated`` with the production runner, as ``ingest run --no-prefect``."""
    return run(Settings(raw=raw, curated=curated))


def _strings(value: object) -> Iterator[str]:
    """Every string in a cell: a string, or strings nested in lists, arrays and structs."""
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    else:
        try:
            items = iter(value)  # type: ignore[call-overload]
        except TypeError:
            return
        for v in items:
            yield from _strings(v)


def _rows_by_document(frame: pd.DataFrame | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    if frame is not None:
        for row in frame.to_dict("records"):
            out[row["document_id"]].append(row)
    return out


# --- pages labelled line by line (<file>.labels.json beside each page) ----------------------


def _labels_for(raw: Path) -> dict[tuple[str, int | None], dict]:
    """(raw_path, jsonl line) -> labels, for every labelled page under ``raw``."""
    out: dict[tuple[str, int | None], dict] = {}
    for path in sorted(raw.rglob(f"*{LABELS_SUFFIX}")):
        rel = path.relative_to(raw).as_posix()[: -len(LABELS_SUFFIX)]
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list):  # a JSONL file: one label per non-blank line, in order
            lines = (raw / rel).read_text(encoding="utf-8").splitlines()
            numbered = [i + 1 for i, ln in enumerate(lines) if ln.strip()]
            for label, no in zip(data, numbered, strict=False):
                out[(rel, no)] = label
        else:
            out[(rel, None)] = data
    return out


@dataclass(slots=True)
class Published:
    """One page as the curated tables hold it: its ``documents`` row, and the curated strings of
    the document that stands for it (itself, or the page it duplicates).

    ``headings`` maps each heading of a ``sections`` row (normalised) to the row's section; a row
    of a section the page gives under several headings names them all (tables.MERGED_HEADINGS)."""

    code: str | None
    reason: str | None
    title: str
    pieces: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _represented_by(row: dict) -> str:
    """The document whose curated rows stand for this one: the kept page, for a duplicate."""
    if row.get("status") == "duplicate" and isinstance(row.get("duplicate_of"), str):
        return row["duplicate_of"]
    return row["document_id"]


def published_pages(curated: Path | str) -> dict[tuple[str, int | None], Published]:
    """(raw_path, jsonl line) -> what the published tables hold of that page."""
    docs = read_table(curated, "documents")
    if docs is None:
        return {}
    sections = _rows_by_document(read_table(curated, "sections"))
    faq = _rows_by_document(read_table(curated, "faq"))
    out: dict[tuple[str, int | None], Published] = {}
    for row in docs.to_dict("records"):
        line_no = None if pd.isna(row["line_no"]) else int(row["line_no"])
        page = Published(_text(row.get("code")), _text(row.get("reason")), _text(row.get("title")) or "")
        doc = _represented_by(row)
        for sec in sorted(sections.get(doc, []), key=lambda r: r["position"]):
            if sec["heading"]:
                # A row of a section the page gives under several headings names them all; the
                # first heads the row's text (a keyed row reads "Heading: text").
                first, *more = sec["heading"].split(MERGED_HEADINGS)
                page.pieces += [*more, first]
                for heading in [sec["heading"], first, *more]:
                    page.headings.setdefault(_heading_norm(heading), sec["section"])
            page.pieces += (sec["text"] or "").splitlines()
            page.pieces += list(_strings(sec["items"]))
        for f in faq.get(doc, []):
            page.pieces += [f["question"], f["answer"]]
        out[(row["raw_path"], line_no)] = page
    return out


def evaluate_page(page: Published | None, label: dict, where: str) -> Tally:
    """One labelled page against what the tables hold of it (None: no document)."""
    t = Tally(pages=1)
    pieces = page.pieces if page is not None else []
    title = page.title if page is not None else ""
    normed = [_norm(p) for p in pieces]
    blob = " " + " ".join([*normed, _norm(title)]) + " "  # a content line may live on as the title
    # A curated piece that is itself labelled content or heading accounts for the words in
    # it: a breadcrumb "Carpal Tunnel Release" does not leak through the h1 that contains it.
    good = {_norm(x) for x in label.get("content", [])} | {_norm(h["text"]) for h in label.get("headings", [])}
    suspects = [p for p in normed if p not in good]
    for text in label.get("boilerplate", []):
        n = _norm(text)
        if not n:
            continue
        t.boilerplate += 1
        if n in suspects or (len(n) >= LEAK_SUBSTRING_MIN_CHARS and any(n in p for p in suspects)):
            t.leaked += 1
            t.failures.append(f"{where}: leaked boilerplate {text!r}")
    for text in label.get("content", []):
        n = _norm(text)
        if not n:
            continue
        t.content += 1
        if f" {n} " in blob:
            t.kept += 1
        else:
            t.failures.append(f"{where}: lost content {text!r}")
    for h in label.get("headings", []):
        if h.get("empty"):
            continue
        t.headings += 1
        n = _heading_norm(h["text"])
        found = None
        if page is not None:
            found = page.headings.get(n)
            if found is None and page.title and _norm(page.title) in n:
                found = h["section"]  # the page title heading (an h1) became the title
        if found is None:
            t.failures.append(f"{where}: heading not found {h['text']!r} ({h['section']})")
            continue
        t.headings_found += 1
        if found == h["section"]:
            t.mapped_right += 1
        else:
            t.failures.append(f"{where}: heading {h['text']!r} mapped to {found}, labelled {h['section']}")
    got = page.code if page is not None else None
    if got == label.get("code"):
        t.codes_right += 1
    else:
        reason = page.reason if page is not None else "no document"
        t.failures.append(f"{where}: code {got!r}, labelled {label.get('code')!r} ({reason})")
    return t


def labelled_page_tallies(curated: Path | str, raw: Path) -> dict[str, Tally]:
    """Each labelled page under ``raw`` ("dir/file" or "dir/file.jsonl:line") -> its Tally,
    scored on tables published from ``raw`` into ``curated``."""
    published = published_pages(curated)
    out: dict[str, Tally] = {}
    for (rel, line_no), label in sorted(_labels_for(raw).items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        where = f"{rel}:{line_no}" if line_no else rel
        out[where] = evaluate_page(published.get((rel, line_no)), label, where)
    return out


def score_labelled(curated: Path | str, raw: Path) -> tuple[dict[str, Tally], Tally]:
    """Tallies per site directory and overall, from tables published from ``raw``."""
    per_site: dict[str, Tally] = defaultdict(Tally)
    overall = Tally()
    for where, t in labelled_page_tallies(curated, raw).items():
        per_site[where.split("/")[0]].add(t)
        overall.add(t)
    return dict(sorted(per_site.items())), overall


# --- a real-pages folder (manifest.csv, labels.jsonl, raw/) ----------------------------------

MANIFEST = "manifest.csv"
REAL_LABELS = "labels.jsonl"
# A labelled boilerplate line this long leaks when found inside a page's curated text; a
# shorter one only when it is a whole curated line.
REAL_LEAK_SUBSTRING_MIN_CHARS = 24
_REAL_BULLET = re.compile(r"^\s*(?:[-•*·▪◦]|\d{1,2}[.)])\s+")
_STRAIGHT_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def is_realpages(folder: Path) -> bool:
    return (folder / MANIFEST).is_file() and (folder / REAL_LABELS).is_file()


def read_manifest(pages: Path) -> list[dict[str, str]]:
    with open(pages / MANIFEST, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def stage_realpages(pages: Path, raw: Path) -> None:
    """Copy the pages to ``raw``, each with the sidecar a scraper writes: ``{"url", "site"}``."""
    raw.mkdir(parents=True, exist_ok=True)
    for row in read_manifest(pages):
        shutil.copy(pages / "raw" / row["file"], raw / row["file"])
        (raw / (row["file"] + ".meta.json")).write_text(json.dumps({"url": row["url"], "site": row["site"]}))


def real_norm(text: str | None) -> str:
    """A line as real pages compare it: NFKC, straight quotes, no leading bullet or ``1.``,
    whitespace collapsed, lower case."""
    s = unicodedata.normalize("NFKC", text or "").translate(_STRAIGHT_QUOTES)
    s = _REAL_BULLET.sub("", s)
    return re.sub(r"\s+", " ", s).strip().lower()


@dataclass(slots=True)
class _RealTables:
    """Per document: its curated text as one normalised string (sections, FAQ and the fields of
    the codes it is a source of), its set of normalised lines, and its sections rows."""

    documents: dict[str, dict]
    text: dict[str, str]
    lines: dict[str, set[str]]
    sections: dict[str, list[dict]]


def _real_tables(curated: Path | str) -> _RealTables | None:
    docs = read_table(curated, "documents")
    if docs is None:
        return None
    by_name = {Path(row["raw_path"]).name: row for row in docs.to_dict("records")}
    sections = read_table(curated, "sections")
    faq = read_table(curated, "faq")
    codes = read_table(curated, "codes")
    parts: dict[str, list[str]] = defaultdict(list)
    lines: dict[str, set[str]] = defaultdict(set)
    for row in sections.to_dict("records") if sections is not None else []:
        items = list(_strings(row["items"]))
        parts[row["document_id"]].extend(p for p in [row["heading"], row["text"], *items] if p)
        bucket = lines[row["document_id"]]
        bucket.add(real_norm(row["heading"]))
        bucket.update(real_norm(x) for x in (row["text"] or "").splitlines())
        bucket.update(real_norm(x) for x in items)
    for row in faq.to_dict("records") if faq is not None else []:
        parts[row["document_id"]].extend([row["question"] or "", row["answer"] or ""])
        lines[row["document_id"]].update({real_norm(row["question"]), real_norm(row["answer"])})
    for row in codes.to_dict("records") if codes is not None else []:
        fields = [row.get(k) for k in ("title", "official_description", "lay_description", "category")]
        fields += list(_strings(row.get("modifiers")))
        for doc in _strings(row.get("document_ids")):
            parts[doc].extend(f for f in fields if isinstance(f, str))
    return _RealTables(
        documents=by_name,
        text={doc: real_norm(" \n ".join(p)) for doc, p in parts.items()},
        lines=dict(lines),
        sections=_rows_by_document(sections),
    )


def _score_real_page(name: str, label: dict, tables: _RealTables) -> Tally:
    t = Tally(pages=1, realpages=True)
    row = tables.documents.get(name)
    if row is None:
        t.missing += 1
        t.failures.append(f"MISSING {name}")
        return t
    got = _text(row.get("code")) or None
    want = label["code"]
    if (got or "").upper() == (want or "").upper():
        t.codes_right += 1
    else:
        t.failures.append(f"CODE {name}: got {got!r} want {want!r} (status {row.get('status')})")
    doc = _represented_by(row)
    text, lines = tables.text.get(doc, ""), tables.lines.get(doc, set())
    suffix = "_text" if name.endswith(".html") else ""  # HTML labels are source lines; *_text their visible text
    for b in label["boilerplate_lines" + suffix]:
        n = real_norm(b)
        if not n:
            continue
        t.boilerplate += 1
        if (n in text) if len(n) >= REAL_LEAK_SUBSTRING_MIN_CHARS else (n in lines):
            t.leaked += 1
            t.failures.append(f"LEAK {name}: {b[:80]!r}")
    for c in label["content_samples" + suffix]:
        n = real_norm(c)
        if not n:
            continue
        t.content += 1
        if n in text:
            t.kept += 1
        else:
            t.failures.append(f"LOST {name}: {c[:80]!r}")
    mine = tables.sections.get(doc, [])
    heads = {real_norm(s["heading"]) for s in mine}
    t.section_rows += len(mine)
    t.section_rows_named += sum(s["section"] != "other" for s in mine)
    for h in label["content_headings" + suffix]:
        n = real_norm(h)
        t.headings += 1
        if n in heads or any(n in x or x in n for x in heads if len(x) > 3):  # containment either way
            t.headings_found += 1
        else:
            t.failures.append(f"HEADING {name}: {h[:80]!r}")
    return t


def real_page_tallies(curated: Path | str, pages: Path) -> dict[str, Tally]:
    """Each labelled file of the real-pages folder ``pages`` -> its Tally, scored on tables
    published from its pages (with their sidecars) into ``curated``."""
    labels = {d["file"]: d for d in map(json.loads, (pages / REAL_LABELS).read_text(encoding="utf-8").splitlines())}
    tables = _real_tables(curated)
    if tables is None:
        tables = _RealTables({}, {}, {}, {})
    return {name: _score_real_page(name, label, tables) for name, label in sorted(labels.items())}


def score_realpages(curated: Path | str, pages: Path) -> tuple[dict[str, Tally], Tally]:
    """Tallies per manifest site and overall, for tables made from the real-pages folder
    ``pages`` (by :func:`evaluate_cleaning`, ``ingest run`` or any runner) into ``curated``."""
    site_of = {row["file"]: row["site"] for row in read_manifest(pages)}
    per_site: dict[str, Tally] = defaultdict(lambda: Tally(realpages=True))
    overall = Tally(realpages=True)
    for name, t in real_page_tallies(curated, pages).items():
        per_site[site_of.get(name, "?")].add(t)
        overall.add(t)
    return dict(sorted(per_site.items())), overall


# --- the command --------------------------------------------------------------------------


def evaluate_cleaning(folder: Path | str, curated: Path | str | None = None) -> tuple[dict[str, Tally], Tally]:
    """Ingest a labelled folder with the production runner and score the published tables:
    tallies per site and overall. ``curated``, when given, keeps the tables there (an empty
    folder); otherwise they go to a temporary folder."""
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix="ingest-evaluate-") as tmp:
        out = curated if curated is not None else Path(tmp) / "curated"
        if is_realpages(folder):
            raw = Path(tmp) / "raw"
            stage_realpages(folder, raw)
            make_tables(raw, out)
            return score_realpages(out, folder)
        make_tables(folder, out)
        return score_labelled(out, folder)


_REPORT_COLUMNS = ("pages", "boilerplate_recall", "content_retention", "heading_recall", "section_mapping_rate",
                   "code_accuracy")


def report_json(per_site: dict[str, Tally], overall: Tally) -> dict:
    """The figures per site and overall, and every miss, as JSON-ready data."""
    out: dict = {"overall": overall.figures(), "sites": {k: v.figures() for k, v in per_site.items()}}
    if overall.realpages:
        out["score_line"] = overall.score_line()
    out["misses"] = list(overall.failures)
    return out


def format_report(per_site: dict[str, Tally], overall: Tally, title: str = "", misses: bool = True) -> str:
    """The figures per site and overall as a plain-text table, then every miss (one a line);
    for a real-pages folder also the one line of figures its scoring script prints."""
    names = [*per_site, "OVERALL"]
    width = max(len(n) for n in [*names, "site"])
    heads = ["pages", "boilerplate recall", "content retention", "heading recall", "section mapping", "code accuracy"]
    out = [title] if title else []
    out.append("  ".join(["site".ljust(width), *heads]))
    for name, tally in [*per_site.items(), ("OVERALL", overall)]:
        f = tally.figures()
        cells = [str(f[c]) if c == "pages" else f"{f[c]:.1%}" for c in _REPORT_COLUMNS]
        out.append("  ".join([name.ljust(width), *(cell.rjust(len(h)) for cell, h in zip(cells, heads, strict=True))]))
    if overall.realpages:
        out.append(overall.score_line())
    if misses:
        out.append(f"misses ({len(overall.failures)}):" if overall.failures else "no misses")
        out += overall.failures
    return "\n".join(out) + "\n"


# --- near duplicates --------------------------------------------------------------------


def _pair_pages(pair: dict) -> list[tuple[MinHash, str | None]]:
    """Both sides of a labelled pair read, cleaned and parsed by the run's own stages (a JSONL
    line each, as a scraper writes them), each with its MinHash and code. A single pair has
    no corpus to learn site templates from."""
    records = []
    for side in (pair["a"], pair["b"]):
        body = "html" if side.get("format") == "html" else "text"
        record = {"url": side.get("url"), "fetched_at": side.get("fetched_at"), body: side["content"]}
        records.append(json.dumps(record))
    with tempfile.TemporaryDirectory(prefix="ingest-pair-") as tmp:
        (Path(tmp) / "pair.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
        docs, quarantined = load_batch(Path(tmp), ["pair.jsonl"], Limits())
    if quarantined:
        q = quarantined[0]
        raise ValueError(f"pair {pair.get('id')}: a side was quarantined ({q.reason}: {q.detail})")
    failed = parse_documents(docs, learn_site_templates([]))
    if failed:
        raise ValueError(f"pair {pair.get('id')}: a side failed to parse ({failed[0].reason}: {failed[0].detail})")
    return [(page_minhash(ln.text for ln in d.lines), d.parsed.code if d.parsed else None) for d in docs]


def evaluate_dedup(pairs_file: Path) -> dict[str, object]:
    """Precision, recall and F1 of near-duplicate decisions, and merges across codes."""
    tp = fp = fn = tn = 0
    cross_code_merges = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors: list[str] = []
    for line in pairs_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        (mh_a, code_a), (mh_b, code_b) = _pair_pages(pair)
        said = is_near_duplicate(mh_a, mh_b, code_a, code_b)
        truth = bool(pair["label"])
        by_kind[pair.get("kind", "?")][0] += int(said == truth)
        by_kind[pair.get("kind", "?")][1] += 1
        if said and code_a != code_b:
            cross_code_merges += 1
        if said and truth:
            tp += 1
        elif said:
            fp += 1
            errors.append(f"{pair.get('id')}: false merge ({pair.get('kind')}, codes {code_a}/{code_b}, "
                          f"J≈{mh_a.jaccard(mh_b):.2f})")
        elif truth:
            fn += 1
            errors.append(f"{pair.get('id')}: missed ({pair.get('kind')}, codes {code_a}/{code_b}, "
                          f"J≈{mh_a.jaccard(mh_b):.2f})")
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": tp + fp + fn + tn, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": precision, "recall": recall, "f1": f1, "cross_code_merges": cross_code_merges,
        "accuracy_by_kind": {k: v[0] / v[1] for k, v in sorted(by_kind.items())}, "errors": errors,
    }
