"""Train the boilerplate model (:mod:`ingest.stages.boilerplate`) from labelled pages, and measure it
leave-one-site-out.

    python -m ingest.learn ../shared/realpages tests/labelled tests/heldout ...   # writes line_model.json
    python -m ingest.learn --loso ../shared/realpages tests/labelled ...          # figures only

Each labelled folder is either the project's format (``*.labels.json`` beside pages) or the
real-pages format (``manifest.csv`` + ``labels.jsonl`` + ``raw/``). Pages go through the same
read, extract, rule-clean, site and template steps as a run; every line left for the model
that a label names becomes a training row (boilerplate = 1; content or heading = 0). Unlabelled
lines are left out. Needs scikit-learn (the ``train`` extra); running the pipeline does not.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.stages import boilerplate, clean, read
from ingest.stages.boilerplate import CONTEXT_FEATURES, FEATURES, LineModel, Logistic

from .config import Limits
from .evaluate import Tally
from .models import Quarantine

# Inverse regularisation strength of both passes, and the weight of a content row against a
# boilerplate row: losing content costs more than leaking chrome.
C = 0.5
CONTENT_WEIGHT = 2.0
# Rows from real pages (the manifest format) count this many times a row of an invented page:
# invented pages do not reproduce real chrome.
REAL_WEIGHT = 5.0
# The threshold is the lowest score that keeps this share of the training content.
KEEP_TARGET = 0.998
FOLDS = 5

_BULLET = re.compile(r"^\s*(?:[-•*·▪◦]|\d{1,2}[.)])\s+")


def norm(text: str) -> str:
    """Lines compared as the real-pages scoring compares them."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", _BULLET.sub("", text)).strip().casefold()


@dataclass
class Rows:
    """Training rows: first-pass features, labels, and which page and site each came from."""

    x: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)
    page: list[np.ndarray] = field(default_factory=list)
    site: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    template: list[np.ndarray] = field(default_factory=list)
    pages: int = 0

    def add(self, x: np.ndarray, y: np.ndarray, site: str, texts: list[str], template: list[bool]) -> None:
        self.texts += texts
        self.template.append(np.array(template, dtype=bool))
        self.x.append(x)
        self.y.append(y)
        self.page.append(np.full(len(y), self.pages))
        self.site += [site] * len(y)
        self.pages += 1


def _labelled_pages(folder: Path, work: Path) -> tuple[Path, dict[str, tuple[str, dict]]]:
    """A raw folder to read and, per raw path, (site, {norm line: 0 or 1})."""
    labels: dict[str, tuple[str, dict]] = {}
    if (folder / "manifest.csv").is_file():
        raw = work / folder.name
        raw.mkdir(parents=True)
        by_file = {d["file"]: d for d in map(json.loads, (folder / "labels.jsonl").read_text().splitlines())}
        with open(folder / "manifest.csv", encoding="utf-8") as manifest:
            manifest_rows = list(csv.DictReader(manifest))
        for row in manifest_rows:
            shutil.copy(folder / "raw" / row["file"], raw / row["file"])
            side = {"url": row["url"], "site": row["site"]}
            (raw / (row["file"] + read.SIDECAR_SUFFIX)).write_text(json.dumps(side))
            lab = by_file[row["file"]]
            html = row["file"].endswith(".html")
            suffix = "_text" if html else ""
            marks = {norm(t): 0 for t in lab[f"content_samples{suffix}"] + lab[f"content_headings{suffix}"]}
            marks.update({norm(t): 1 for t in lab[f"boilerplate_lines{suffix}"]})
            labels[row["file"]] = (f"real:{folder.name}:{row['site']}", marks)
        return raw, labels
    for path in sorted(folder.rglob("*.labels.json")):
        rel = path.relative_to(folder).as_posix()[: -len(".labels.json")]
        data = json.loads(path.read_text(encoding="utf-8"))
        site = f"{folder.name}:{rel.split('/')[0]}"
        for lab in data if isinstance(data, list) else [data]:
            marks = {norm(t): 0 for t in lab.get("content", [])}
            marks.update({norm(h["text"]): 0 for h in lab.get("headings", [])})
            marks.update({norm(t): 1 for t in lab.get("boilerplate", [])})
            old = labels.get(rel, (site, {}))[1]
            labels[rel] = (site, {**old, **marks})
    return folder, labels


# A labelled string this long, found inside a line (a table row holds its cells, a paragraph a
# sampled sentence), labels the line; a shorter one only as the whole line.
CONTAINED_MIN_CHARS = 24


def label_of(line: str, marks: dict[str, int]) -> int:
    """1 for a labelled boilerplate line, 0 for content (a labelled line, a line holding labelled
    content, or a piece of a labelled content line), -1 for a line no label speaks of."""
    if line in marks:
        return marks[line]
    if not line:
        return -1
    cells = [c.strip() for c in line.split("|")]
    if len(cells) > 1 and all(marks.get(c) == 0 for c in cells if c):
        return 0
    for text, mark in marks.items():
        if mark == 0 and len(text) >= CONTAINED_MIN_CHARS and (text in line or line in text):
            return 0
    for text, mark in marks.items():
        if mark == 1 and len(text) >= CONTAINED_MIN_CHARS and text in line:
            return 1
    return -1


def collect(folders: list[Path]) -> Rows:
    """Training rows from labelled folders, as a run sees the lines when the model decides."""
    from ingest.runtime.pipeline import assign_document_sites, learn_site_templates, prepare_page

    rows = Rows()
    limits = Limits()
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            raw, labels = _labelled_pages(folder, Path(tmp))
            docs = []
            for rel in read.discover(raw):
                for item in read.read_file(raw, rel, limits):
                    if not isinstance(item, Quarantine):
                        docs.append(prepare_page(item, limits))
            assign_document_sites(docs)
            model = learn_site_templates(docs)
            for doc in docs:
                site, marks = labels.get(doc.raw_path, ("", {}))
                if not marks:
                    continue
                own = clean.likely_code(doc.lines)
                template = clean.template_mask(doc.lines, doc.site, model, own)
                x = boilerplate.page_features(doc.lines, own, doc.site, template)
                y = np.array([label_of(norm(ln.text), marks) for ln in doc.lines])
                rows.add(x, y, site, [ln.text for ln in doc.lines], template)
    return rows


def _fit(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], real: np.ndarray) -> Logistic:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    weight = np.where(y == 0, CONTENT_WEIGHT, 1.0) * np.where(real, REAL_WEIGHT, 1.0)
    lr = LogisticRegression(C=C, max_iter=2000)
    lr.fit((x - mean) / scale, y, sample_weight=weight)
    return Logistic(names, mean, scale, lr.coef_[0], float(lr.intercept_[0]))


def _context(first: Logistic, x: np.ndarray, page: np.ndarray) -> np.ndarray:
    """Second-pass rows: each page's first-pass scores of every line around each line."""
    out = np.empty((len(x), len(CONTEXT_FEATURES)))
    for p in np.unique(page):
        at = page == p
        out[at] = boilerplate.context_features(first.predict(x[at]))
    return out


def train(x: np.ndarray, y: np.ndarray, page: np.ndarray, groups: np.ndarray) -> LineModel:
    """Both passes from all rows of pages (unlabelled rows, y = -1, only give context). The
    second pass learns from first-pass scores made out of fold (by site), as it will meet them."""
    labelled = y >= 0
    real = np.array([g.startswith("real:") for g in groups])
    oof = np.empty((len(x), len(CONTEXT_FEATURES)))
    sites = np.unique(groups)
    fold_of = {s: k % FOLDS for k, s in enumerate(sites)}
    fold = np.array([fold_of[g] for g in groups])
    for k in range(FOLDS):
        held = fold == k
        train_rows = labelled & ~held
        if not held.any() or len(np.unique(y[train_rows])) < 2:
            continue
        first = _fit(x[train_rows], y[train_rows], FEATURES, real[train_rows])
        oof[held] = _context(first, x[held], page[held])
    first = _fit(x[labelled], y[labelled], FEATURES, real[labelled])
    x2 = np.hstack([x, oof])
    second = _fit(x2[labelled], y[labelled], FEATURES + CONTEXT_FEATURES, real[labelled])
    content = second.predict(x2[labelled & (y == 0)])
    threshold = float(np.quantile(content, KEEP_TARGET)) if len(content) else 0.5
    return LineModel(first, second, max(threshold, 0.5))


def _arrays(rows: Rows) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return np.vstack(rows.x), np.concatenate(rows.y), np.concatenate(rows.page), np.array(rows.site)


def leave_one_site_out(rows: Rows, misses: list[str] | None = None) -> dict[str, tuple[int, int, int, int]]:
    """Per site: (boilerplate lines, removed, content lines, kept) with a model trained without it."""
    x, y, page, groups = _arrays(rows)
    tmpl = np.concatenate(rows.template)
    sentence = np.array([clean.is_sentence_text(t) for t in rows.texts])
    texts = np.array(rows.texts, dtype=object)
    out = {}
    for site in np.unique(groups):
        held = groups == site
        if not (held & (y >= 0)).any():
            continue
        model = train(x[~held], y[~held], page[~held], groups[~held])
        scores = np.empty(held.sum())
        for p in np.unique(page[held]):
            at = page[held] == p
            xs = x[held][at]
            scores[at] = model.second.predict(np.hstack([xs, boilerplate.context_features(model.first.predict(xs))]))
        ys = y[held]
        template = tmpl[held]
        removed = (scores >= model.threshold) | (template & (scores >= clean.TEMPLATE_MIN_SCORE) & ~sentence[held])
        if misses is not None:
            for t, yy, r, sc in zip(texts[held], ys, removed, scores, strict=True):
                if (yy == 1 and not r) or (yy == 0 and r):
                    misses.append(f"{site}\t{'LEAK' if yy == 1 else 'LOST'}\t{sc:.2f}\t{t[:90]}")
        out[str(site)] = (int((ys == 1).sum()), int((removed & (ys == 1)).sum()),
                          int((ys == 0).sum()), int((~removed & (ys == 0)).sum()))
    return out


def leave_one_site_out_runs(rows: Rows, pages: Path) -> tuple[dict[str, Tally], Tally]:
    """The real-pages figures through the production runner, each site scored by a run whose
    model was trained without that site (the figure that predicts a site never seen)."""
    from . import evaluate

    x, y, page, groups = _arrays(rows)
    per_site: dict[str, Tally] = {}
    overall = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        evaluate.stage_realpages(pages, raw)
        for k, site in enumerate(sorted({r["site"] for r in evaluate.read_manifest(pages)})):
            held = groups == f"real:{pages.name}:{site}"
            model = train(x[~held], y[~held], page[~held], groups[~held])
            with boilerplate.using(model):
                evaluate.make_tables(raw, Path(tmp) / f"curated{k}")
            tallies, _ = evaluate.score_realpages(Path(tmp) / f"curated{k}", pages)
            per_site[site] = tallies[site]
            overall.add(tallies[site])
    return per_site, overall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.learn", description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path, help="labelled folders")
    ap.add_argument("--loso", action="store_true", help="print leave-one-site-out figures, write nothing")
    ap.add_argument("--loso-runs", type=Path, metavar="REALPAGES",
                    help="score each site of this real-pages folder with a model trained without it, "
                    "through ingest's runner")
    ap.add_argument("--misses", type=Path, help="with --loso: write every line decided wrong to this file")
    ap.add_argument("--dump", type=Path, help="also save the training rows (.npz) for study")
    ap.add_argument("--out", type=Path, default=Path(boilerplate.__file__).with_name(boilerplate.MODEL_FILE))
    a = ap.parse_args(argv)
    rows = collect(a.folders)
    if a.dump:
        x, y, page, groups = _arrays(rows)
        np.savez(a.dump, x=x, y=y, page=page, groups=groups)
    x, y, page, groups = _arrays(rows)
    print(f"{rows.pages} pages, {len(np.unique(groups))} sites, {(y == 1).sum()} boilerplate and "
          f"{(y == 0).sum()} content lines labelled, {(y < 0).sum()} unlabelled")
    if a.loso_runs:
        from . import evaluate

        tallies, overall = leave_one_site_out_runs(rows, a.loso_runs)
        print(evaluate.format_report(tallies, overall, "leave-one-site-out, through the production runner"))
        return 0
    if a.loso:
        misses: list[str] = []
        per_site = leave_one_site_out(rows, misses)
        if a.misses:
            a.misses.write_text("\n".join(misses) + "\n", encoding="utf-8")
        tb = sum(v[0] for v in per_site.values())
        tr = sum(v[1] for v in per_site.values())
        tc = sum(v[2] for v in per_site.values())
        tk = sum(v[3] for v in per_site.values())
        for site, (b, r, c, k) in sorted(per_site.items()):
            print(f"{site:50s} boilerplate removed {r}/{b}  content kept {k}/{c}")
        print(f"leave-one-site-out: boilerplate removed {tr}/{tb} ({tr / max(tb, 1):.1%}), "
              f"content kept {tk}/{tc} ({tk / max(tc, 1):.1%})")
        for prefix in sorted({s.split(":")[0] for s in per_site}):
            part = [v for s, v in per_site.items() if s.startswith(prefix + ":")]
            b, r, c, k = (sum(v[i] for v in part) for i in range(4))
            print(f"  {prefix:20s} boilerplate removed {r}/{b} ({r / max(b, 1):.1%}), "
                  f"content kept {k}/{c} ({k / max(c, 1):.1%})")
        return 0
    model = train(x, y, page, groups)
    a.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {a.out} (threshold {model.threshold:.3f})")
    for name, w in sorted(zip(model.second.names, model.second.weights, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:22s} {w:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
