"""Stage 4, deduplicate: the same page seen twice is curated once and the others point at it.

Within a page, repeated lines and items are collapsed by clean and parse; here, whole pages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

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


def mark_exact_duplicates(docs: Iterable[Document]) -> int:
    """Mark every copy but the best of each content hash as a duplicate. Returns how many."""
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        if doc.status is not Status.QUARANTINED:
            groups[doc.content_hash].append(doc)
    n = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=keep_rank)
        keeper = group[0]
        for doc in group[1:]:
            doc.status = Status.DUPLICATE
            doc.duplicate_of = keeper.document_id
            doc.reason = "exact duplicate: same page content"
            n += 1
    return n
