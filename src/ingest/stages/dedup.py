"""Stage 4, deduplicate: the same page seen twice is curated once and the others point at it.

Within a page, repeated lines and items are collapsed by clean and parse; here, whole pages.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from ingest.models import Document, PageRecord, Status

Page = Document | PageRecord  # deduplication reads and sets the same fields of either

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def content_hash(text: str) -> str:
    """Hash of the decoded page text with whitespace normalised: the same page saved with other
    line endings or indentation hashes the same; any other change, digits included, does not."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


def document_id(raw_path: str, line_no: int | None, chash: str) -> str:
    """Stable id of one raw page: where it was found and what it says."""
    key = f"{raw_path}\x00{line_no or 0}\x00{chash}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def keep_rank(doc: Page) -> tuple:
    """Which copy to keep: the newest fetch, else the newest file, else the first path."""
    fetched = doc.fetched_at or _EPOCH
    return (-fetched.timestamp(), -doc.mtime, doc.raw_path, doc.line_no or 0)


_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def mark_exact_duplicates(docs: Iterable[Page], first_seen: dict[str, datetime] | None = None) -> int:
    """Mark every copy but one of each content hash as a duplicate. Returns how many.

    Identical content has nothing fresher to offer, so the copy ingested first is kept (a page
    dropped into raw/ again under a new name is the duplicate); among new copies, keep_rank."""
    first_seen = first_seen or {}
    groups: dict[str, list[Page]] = defaultdict(list)
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
# `ingest evaluate dedup tests/dedup/pairs.jsonl` measures these choices (benchmarks/results.md).
SHINGLE_WORDS = 5
NUM_PERM = 128
NEAR_DUP_THRESHOLD = 0.8
LSH_THRESHOLD = 0.5
MINHASH_SEED = 1


# The MinHash is computed here, vectorised, rather than by datasketch's update_batch, which
# calls a Python SHA-1 per shingle (most of deduplication's cost when it did): each
# word is hashed once (CRC-32), a shingle's hash is a polynomial of its five word hashes
# (64-bit, wrapping), finished by MurmurHash3's fmix and folded to 32 bits; then the 128
# affine permutations h -> a*h + b mod 2^32 (odd a: bijective) and their minima, in numpy.
# datasketch keeps the LSH index and the Jaccard estimate. Deterministic across processes
# (no Python hash()), so a run's decisions do not depend on PYTHONHASHSEED.
_rng = np.random.RandomState(MINHASH_SEED)
_PERM_A = (_rng.randint(0, 1 << 31, NUM_PERM, dtype=np.uint64) * 2 + 1).astype(np.uint32)
_PERM_B = _rng.randint(0, 1 << 32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
_PERMUTATIONS = np.array([_PERM_A, _PERM_B])
_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def shingle_hashes(lines: Iterable[str]) -> np.ndarray:
    """32-bit hashes of the page's word 5-grams (a page shorter than that: one shingle)."""
    parts = [_word_hashes(line) for line in lines]
    words = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    if not len(words):
        return np.empty(0, dtype=np.uint32)
    width = min(SHINGLE_WORDS, len(words))
    n = len(words) - width + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            h = h * _POLY + words[k : k + n] + np.uint64(1)
        h = _fmix64(h)
    return (h ^ (h >> np.uint64(32))).astype(np.uint32)


@lru_cache(maxsize=1 << 15)
def _word_hashes(line: str) -> np.ndarray:
    """CRC-32 of each word of one line (casefolded, split on whitespace, digits kept: 21183 is
    not 21184; a page's words are its lines' words in order). Kept for recurring lines;
    read-only."""
    tokens = line.casefold().split()
    out = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))
    out.flags.writeable = False
    return out


def page_minhash(lines: Iterable[str]) -> MinHash:
    return _minhash(_signature_values(lines))


def page_signature(lines: Iterable[str]) -> bytes:
    """The page's MinHash values as bytes (NUM_PERM x uint32): computed where the page is
    parsed (a worker process), kept with its parse, and read back by mark_near_duplicates."""
    return _signature_values(lines).tobytes()


def _signature_values(lines: Iterable[str]) -> np.ndarray:
    hashes = shingle_hashes(lines)
    if len(hashes):
        with np.errstate(over="ignore"):
            return (hashes[:, None] * _PERM_A + _PERM_B).min(axis=0)
    return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def _minhash(values: np.ndarray) -> MinHash:
    return MinHash(seed=MINHASH_SEED, hashvalues=values, permutations=_PERMUTATIONS, scheme="affine32")


def same_key(code_a: str | None, code_b: str | None) -> bool:
    """Near-duplicates must be about the same code (two pages without a code may merge)."""
    return code_a == code_b


def is_near_duplicate(a: MinHash, b: MinHash, code_a: str | None, code_b: str | None) -> bool:
    return same_key(code_a, code_b) and a.jaccard(b) >= NEAR_DUP_THRESHOLD


def _lines_of(doc: Document) -> list[str]:
    return [ln.text for ln in doc.lines]


def _minhash_of(doc: Page) -> MinHash:
    if doc.signature:
        return _minhash(np.frombuffer(doc.signature, dtype=np.uint32))
    if isinstance(doc, Document):  # a Document parsed before signatures were kept
        return page_minhash(_lines_of(doc))
    # A PageRecord keeps no lines to compute one from.
    raise ValueError(f"page {doc.document_id} ({doc.raw_path}) has no MinHash signature to deduplicate by")


def mark_near_duplicates(docs: Iterable[Page]) -> int:
    """Group near-identical pages (same code, estimated Jaccard ≥ threshold) and keep the best
    of each group: the newest fetch, else the newest file. Returns how many were marked.

    Pages about different codes are never near duplicates, so each code's pages are compared
    among themselves, one code at a time: the LSH index and the MinHashes held at once are one
    code's, not the corpus's. (LSH candidates are the pairs that share a band, whatever other
    pages are indexed, so the result is the same as one index over all pages.)"""
    live = sorted((d for d in docs if d.status in (Status.CURATED, Status.NO_CODE)), key=lambda d: d.document_id)
    by_code: dict[str | None, list[Page]] = defaultdict(list)
    for doc in live:
        by_code[doc.code].append(doc)
    n = 0
    for code in sorted(by_code, key=lambda c: c or ""):
        n += _mark_group(by_code[code])
    return n


@lru_cache(maxsize=1)
def _lsh_bands() -> tuple[int, int]:
    """datasketch's (bands, rows) for LSH_THRESHOLD, found by numerical integration (~30 ms):
    once, not once per code."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    bands = lsh.b, lsh.r
    _free(lsh)
    return bands


def _free(lsh: MinHashLSH) -> None:
    """Free an index now. A MinHashLSH refers to itself (it keeps a bound method of its own),
    so reference counting never frees it: each code's index (its bands' hash tables: about
    110 objects for a code of one page) waited for the garbage collector, which a run starts
    rarely (memory.few_collections). Its attributes dropped, nothing refers to them."""
    lsh.__dict__.clear()


def _mark_group(live: list[Page]) -> int:
    if len(live) < 2:  # nothing to compare: most codes have one page
        return 0
    lsh = MinHashLSH(num_perm=NUM_PERM, params=_lsh_bands())
    try:
        return _mark_similar(live, lsh)
    finally:
        _free(lsh)


def _mark_similar(live: list[Page], lsh: MinHashLSH) -> int:
    hashes: dict[str, MinHash] = {}
    parent: dict[str, str] = {}
    score: dict[str, float] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for doc in live:
        mh = _minhash_of(doc)
        for other_id in sorted(lsh.query(mh)):
            j = mh.jaccard(hashes[other_id])
            if j >= NEAR_DUP_THRESHOLD:
                a, b = find(doc.document_id), find(other_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                score[doc.document_id] = max(score.get(doc.document_id, 0.0), j)
                score[other_id] = max(score.get(other_id, 0.0), j)
        lsh.insert(doc.document_id, mh)
        hashes[doc.document_id] = mh
    groups: dict[str, list[Page]] = defaultdict(list)
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


def resolve_chains(docs: Iterable[Page]) -> None:
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


def clear_memos() -> None:
    """Forget the lines' word hashes already computed."""
    _word_hashes.cache_clear()
