"""Measure cleaning, parsing and near-duplicate detection on labelled data.

``ingest evaluate cleaning tests/labelled`` runs the real pipeline (site inference and template
learning included) over a labelled corpus and prints, per site and overall: boilerplate
recall (share of boilerplate lines that do not reach the curated tables), content retention
(share of content lines that do), heading recall, section mapping rate and code accuracy.

``ingest evaluate dedup tests/dedup/pairs.jsonl`` prints precision, recall and F1 of
near-duplicate decisions on labelled page pairs.

Labels: see tests/labelled/README.md and tests/dedup/README.md.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .config import Limits, Settings
from .dedup import is_near_duplicate, page_minhash
from .models import Document, RawPage
from .parse import PageContext, parse_page
from .pipeline import prepare_page, process
from .read import parse_timestamp

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


@dataclass(slots=True)
class Tally:
    pages: int = 0
    boilerplate: int = 0
    leaked: int = 0
    content: int = 0
    kept: int = 0
    headings: int = 0
    headings_found: int = 0
    mapped_right: int = 0
    codes_right: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("pages", "boilerplate", "leaked", "content", "kept", "headings", "headings_found", "mapped_right", "codes_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures

    def figures(self) -> dict[str, float]:
        def share(a: int, b: int) -> float:
            return a / b if b else 1.0

        return {
            "pages": self.pages,
            "boilerplate_recall": share(self.boilerplate - self.leaked, self.boilerplate),
            "boilerplate_leaked": share(self.leaked, self.boilerplate) if self.boilerplate else 0.0,
            "content_retention": share(self.kept, self.content),
            "heading_recall": share(self.headings_found, self.headings),
            "section_mapping_rate": share(self.mapped_right, self.headings_found),
            "code_accuracy": share(self.codes_right, self.pages),
        }


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


def _curated_pieces(doc: Document) -> tuple[list[str], dict[str, str]]:
    """Every curated string of a document, and its section headings -> section."""
    page = doc.parsed
    pieces: list[str] = []
    headings: dict[str, str] = {}
    if page is None:
        return pieces, headings
    for sec in page.sections:
        for heading in [sec.heading, *sec.merged_headings]:
            if heading:
                pieces.append(heading)
                headings.setdefault(_heading_norm(heading), sec.section)
        pieces += sec.text_lines
        pieces += sec.items
    for q, a in page.faq:
        pieces += [q, a]
    return pieces, headings


def evaluate_page(doc: Document | None, label: dict, where: str) -> Tally:
    t = Tally(pages=1)
    pieces, headings = _curated_pieces(doc) if doc is not None else ([], {})
    normed = [_norm(p) for p in pieces]
    title = doc.parsed.title if doc is not None and doc.parsed and doc.parsed.title else ""
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
        found = headings.get(n)
        if found is None and doc is not None and doc.parsed and doc.parsed.title and _norm(doc.parsed.title) in n:
            found = h["section"]  # the page title heading (an h1) became the title
        if found is None:
            t.failures.append(f"{where}: heading not found {h['text']!r} ({h['section']})")
            continue
        t.headings_found += 1
        if found == h["section"]:
            t.mapped_right += 1
        else:
            t.failures.append(f"{where}: heading {h['text']!r} mapped to {found}, labelled {h['section']}")
    got = doc.parsed.code if doc is not None and doc.parsed else None
    if got == label.get("code"):
        t.codes_right += 1
    else:
        reason = doc.parsed.code_reason if doc is not None and doc.parsed else "page not parsed"
        t.failures.append(f"{where}: code {got!r}, labelled {label.get('code')!r} ({reason})")
    return t


def evaluate_cleaning(raw: Path) -> tuple[dict[str, Tally], Tally]:
    """Run the pipeline over a labelled corpus; tallies per site directory and overall."""
    labels = _labels_for(raw)
    with tempfile.TemporaryDirectory() as tmp:
        docs, quarantined, _ = process(Settings(raw=raw, curated=Path(tmp)))
    by_key = {(d.raw_path, d.line_no): d for d in docs}
    per_site: dict[str, Tally] = defaultdict(Tally)
    overall = Tally()
    for (rel, line_no), label in sorted(labels.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        doc = by_key.get((rel, line_no))
        where = f"{rel}:{line_no}" if line_no else rel
        t = evaluate_page(doc, label, where)
        per_site[rel.split("/")[0]].add(t)
        overall.add(t)
    return dict(sorted(per_site.items())), overall


# --- near duplicates --------------------------------------------------------------------


def _pair_side(side: dict, name: str) -> tuple[object, str | None]:
    page = RawPage(
        raw_path=name,
        line_no=None,
        fmt="html" if side.get("format") == "html" else "text",
        content=side["content"],
        url=side.get("url"),
        fetched_at=parse_timestamp(side.get("fetched_at")),
    )
    doc = prepare_page(page, Limits())  # a single pair has no corpus to learn templates from
    parsed, _ = parse_page(doc.lines, doc.removed, PageContext(doc.title, doc.url, tuple(doc.jsonld)))
    return page_minhash(ln.text for ln in doc.lines), parsed.code


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
        mh_a, code_a = _pair_side(pair["a"], "a")
        mh_b, code_b = _pair_side(pair["b"], "b")
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
            errors.append(f"{pair.get('id')}: false merge ({pair.get('kind')}, codes {code_a}/{code_b}, J≈{mh_a.jaccard(mh_b):.2f})")
        elif truth:
            fn += 1
            errors.append(f"{pair.get('id')}: missed ({pair.get('kind')}, codes {code_a}/{code_b}, J≈{mh_a.jaccard(mh_b):.2f})")
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
