"""Stage 4, deduplicate: the same page seen twice is curated once and the others point at it.

Within a page, repeated lines and items are collapsed by clean and parse; here, whole pages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from datasketch import MinHash, MinHashLSH

from .models import Document, Status

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def content_hash(text: str) -> str:
    """Hash of the decoded page text with whitespace normalised: the same page saved with other
    line endings or indentation hashes the same; any other change, digits included, does not."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


def document_id(raw_path: str, line_no: int | None, chash: str) -> str:
    """Stable id of one raw page: where it was found and what it says."""
    key = f"{raw_path}\x00{line_no or 0}\x00{chash}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def keep_rank(doc: Document) -> tuple:
    """Which copy to keep: the newest fetch, else the newest file, else the first path."""
    fetched = doc.fetched_at or _EPOCH
    return (-fetched.timestamp(), -doc.mtime, doc.raw_path, doc.line_no or 0)


_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def mark_exact_duplicates(docs: Iterable[Document], first_seen: dict[str, datetime] | None = None) -> int:
    """Mark every copy but one of each content hash as a duplicate. Returns how many.

    Identical content has nothing fresher to offer, so the copy ingested first is kept (a page
    dropped into raw/ again under a new name is the duplicate); among new copies, keep_rank."""
    first_seen = first_seen or {}
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        if doc.status is not Status.QUARANTINED:
            groups[doc.content_hash].append(doc)
    n = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda d: (first_seen.get(d.document_id, _FAR_FUTURE), keep_rank(d)))
        keeper = group[0]
        for doc in group[1:]:
            doc.status = Status.DUPLICATE
            doc.duplicate_of = keeper.document_id
            doc.reason = "exact duplicate: same page content"
            n += 1
    return n


# --- near duplicates --------------------------------------------------------------------
#
# Re-scrapes of one page differ by a timestamp, a rotated promo, a view counter, whitespace or
# bullet style. Most of that is removed by cleaning; what is left differs in a line or two.
# Shingles are word 5-grams of the cleaned text (casefolded, digits kept: 21183 is not 21184):
# long enough that two pages of one site about different codes share few of them, short
# enough that an edited sentence changes only a handful. 128 permutations estimate Jaccard
# with a standard error of at most 0.044 (sqrt(0.25/128)), less near 1.0.
# Candidates come from LSH tuned at 0.5, which datasketch splits into 25 bands of 5 rows:
# a pair at Jaccard 0.7 is a candidate with probability 0.99, at 0.8 or more 0.9999+. A
# candidate is confirmed when the MinHash estimate is >= NEAR_DUP_THRESHOLD (0.8) and both
# pages are about the same code: pages about different codes are never merged, however alike.
# Measured on tests/dedup/pairs.jsonl (259 pairs, `ingest evaluate dedup`): precision 1.000,
# recall 0.983, F1 0.992, no merge across codes. Estimated Jaccard there: re-scrapes 0.80-1.0
# (median 1.0); one site's pages about different codes at most 0.08; the same text about an
# adjacent code 0.75-1.0, which only the code keeps apart. The two missed re-scrapes lost
# their code to the noise (no_code), not their similarity.
SHINGLE_WORDS = 5
NUM_PERM = 128
NEAR_DUP_THRESHOLD = 0.8
LSH_THRESHOLD = 0.5
MINHASH_SEED = 1


def shingles(lines: Iterable[str]) -> set[bytes]:
    tokens = " ".join(" ".join(text.casefold().split()) for text in lines).split()
    if len(tokens) < SHINGLE_WORDS:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def page_minhash(lines: Iterable[str]) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    sh = shingles(lines)
    if sh:
        mh.update_batch(sorted(sh))
    return mh


def same_key(code_a: str | None, code_b: str | None) -> bool:
    """Near-duplicates must be about the same code (two pages without a code may merge)."""
    return code_a == code_b


def is_near_duplicate(a: MinHash, b: MinHash, code_a: str | None, code_b: str | None) -> bool:
    return same_key(code_a, code_b) and a.jaccard(b) >= NEAR_DUP_THRESHOLD


def _lines_of(doc: Document) -> list[str]:
    return [ln.text for ln in doc.lines]


def mark_near_duplicates(docs: Iterable[Document]) -> int:
    """Group near-identical pages (same code, estimated Jaccard ≥ threshold) and keep the best
    of each group: the newest fetch, else the newest file. Returns how many were marked."""
    live = sorted((d for d in docs if d.status in (Status.CURATED, Status.NO_CODE)), key=lambda d: d.document_id)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    by_id = {d.document_id: d for d in live}
    parent: dict[str, str] = {}
    score: dict[str, float] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for doc in live:
        mh = page_minhash(_lines_of(doc))
        code = doc.parsed.code if doc.parsed else None
        for other_id in sorted(lsh.query(mh)):
            other = by_id[other_id]
            j = mh.jaccard(hashes[other_id])
            if same_key(code, other.parsed.code if other.parsed else None) and j >= NEAR_DUP_THRESHOLD:
                a, b = find(doc.document_id), find(other_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                score[doc.document_id] = max(score.get(doc.document_id, 0.0), j)
                score[other_id] = max(score.get(other_id, 0.0), j)
        lsh.insert(doc.document_id, mh)
        hashes[doc.document_id] = mh
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in live:
        groups[find(doc.document_id)].append(doc)
    n = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=keep_rank)
        keeper = group[0]
        for doc in group[1:]:
            doc.status = Status.DUPLICATE
            doc.duplicate_of = keeper.document_id
            doc.reason = f"near duplicate: estimated Jaccard {score.get(doc.document_id, 0):.2f} with a kept page"
            n += 1
    return n


def resolve_chains(docs: Iterable[Document]) -> None:
    """Point every duplicate at the page finally kept (an exact copy of a page that was
    itself a near-duplicate of a newer one points at the newer one)."""
    docs = list(docs)
    target = {d.document_id: d.duplicate_of for d in docs if d.status is Status.DUPLICATE}
    for doc in docs:
        if doc.status is not Status.DUPLICATE:
            continue
        seen = {doc.document_id}
        keeper = doc.duplicate_of
        while keeper in target and keeper not in seen:
            seen.add(keeper)
            keeper = target[keeper]
        doc.duplicate_of = keeper
