"""Benchmark: deduplication cost per page at 10k and 100k pages (must grow linearly).

Builds cleaned, parsed pages in memory (no I/O: this measures dedup alone): one page per code
with ~40 lines drawn from a pool of medical sentences, 5% exact copies and 15% re-scrapes
with a changed line. Prints, for each size, the median of repeated runs of exact + near
duplicate marking, the cost per page, and the ratio of per-page costs (1.0 = linear).

    python benchmarks/dedup_cost.py [--sizes 10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from ingest.stages.dedup import mark_exact_duplicates, mark_near_duplicates, resolve_chains
from ingest.models import Document, Kind, Line, ParsedPage, Status

WORDS = (
    "patient procedure bone marrow injection needle anesthesia recovery infection bleeding swelling imaging "
    "surgeon incision joint knee spine fracture healing therapy medication insurance cost coverage follow-up "
    "complication risk symptom pain tissue blood test ultrasound guidance catheter implant suture dressing"
).split()


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."


def make_pages(n: int, seed: int = 0) -> list[Document]:
    rng = random.Random(seed)
    docs: list[Document] = []
    originals: list[Document] = []
    for i in range(n):
        roll = rng.random()
        if originals and roll < 0.05:  # exact copy
            src = rng.choice(originals)
            lines = [Line(ln.text, ln.kind, ln.line_no) for ln in src.lines]
            code, chash = src.parsed.code, src.content_hash
        elif originals and roll < 0.20:  # re-scrape: one line changed
            src = rng.choice(originals)
            lines = [Line(ln.text, ln.kind, ln.line_no) for ln in src.lines]
            lines[rng.randrange(len(lines))] = Line(_sentence(rng), Kind.TEXT, 1)
            code, chash = src.parsed.code, f"h{i}"
        else:
            code, chash = f"{10000 + i:05d}", f"h{i}"
            lines = [Line(_sentence(rng), Kind.TEXT, j + 1) for j in range(40)]
        page = ParsedPage(None, [], [], [], [], code, "CPT", None, [])
        doc = Document(
            document_id=f"d{i:07d}", content_hash=chash, raw_path=f"p{i}.txt", line_no=None, fmt="text", url=None,
            fetched_at=datetime(2026, 1, 1, tzinfo=UTC), mtime=float(i), site="s", site_evidence=None, title=None,
            lines=lines, removed=[], jsonld=[], parsed=page, status=Status.CURATED,
        )
        docs.append(doc)
        if roll >= 0.20:
            originals.append(doc)
    return docs


def time_dedup(n: int) -> tuple[float, int, int]:
    docs = make_pages(n)
    started = time.perf_counter()
    exact = mark_exact_duplicates(docs)
    near = mark_near_duplicates(docs)
    resolve_chains(docs)
    return time.perf_counter() - started, exact, near


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    per_page: dict[int, float] = {}
    print(f"{'pages':>8} {'median s':>9} {'µs/page':>8} {'exact':>6} {'near':>6}")
    for n in sizes:
        runs = [time_dedup(n) for _ in range(args.repeat)]
        median = statistics.median(r[0] for r in runs)
        per_page[n] = median / n
        print(f"{n:>8} {median:>9.2f} {per_page[n] * 1e6:>8.0f} {runs[0][1]:>6} {runs[0][2]:>6}")
    base = sizes[0]
    for n in sizes[1:]:
        print(f"per-page cost ratio {n} / {base}: {per_page[n] / per_page[base]:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
