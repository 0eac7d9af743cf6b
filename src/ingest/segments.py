"""Table files a run rewrites only where something changed: segments, and their compaction.

Each table of a snapshot (each ``section=`` partition of ``sections``) is a set of Parquet
*segments*. Every row belongs to a *key*, the unit that changes together: a document's rows
(``documents``, ``sections``, ``faq``, ``facts``, ``removed_lines``), a code's row
(``codes``, ``section_items``, which aggregate a code's pages), a raw file's pages
(``_state/pages``). A key lives in one segment. The manifest ``_state/segments`` of each
snapshot lists, for each segment, its keys and a digest of each key's rows.

A run computes its tables, digests each key's rows (DuckDB's ``hash`` over whole rows:
vectorised, stable across processes) and compares with the last snapshot's manifest:

- a segment whose keys all have the same digest is **kept**: the new snapshot links to the
  same file (a hard link locally; a server-side copy on object storage), nothing is written;
- the rows of every other key (new pages, changed pages, pages whose status or template
  changed, and the other keys of a segment that holds one of those) go to **new segments**
  of at most ``SEGMENT_ROWS`` rows, named by the digests of what they hold, a site's pages
  together (a site's template change re-parses its pages: their rows change together);
- **compaction**: when a table (partition) holds more than ``MAX_SMALL`` segments smaller
  than half of ``SEGMENT_ROWS``, they are merged into the new segments. A row is rewritten
  when its key changes or when its small segment is merged, so each row is rewritten a
  bounded number of times, and a run writes about what changed plus at most a few segments.

Adding 10 pages to 50,000 writes the 10 pages' rows, the rows of the codes they touch (and
their segments' other keys), not 50,000 pages' rows. Readers see ordinary Parquet dataset
directories: ``pandas.read_parquet("curated/sections")`` reads every segment.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import schema

MANIFEST = "_state/segments"
SEGMENT_ROWS = 5_000  # rows a new segment holds at most (a changed key rewrites at most that)
MAX_SMALL = 4  # small segments (< SEGMENT_ROWS / 2) a partition may hold before they are merged
PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}

# The column whose value names the key a row belongs to (null keys are one key: "").
KEY_COLUMNS = {
    "documents": "document_id",
    "codes": "code",
    "sections": "document_id",
    "faq": "document_id",
    "section_items": "code",
    "facts": "document_id",
    "removed_lines": "document_id",
    "rejected_rows": "document_id",
    "_state/pages": "raw_path",
    "_state/parsed": "document_id",
}

MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("table", pa.string(), nullable=False),
        pa.field("partition", pa.string(), nullable=False),  # "" or e.g. "section=overview"
        pa.field("file", pa.string(), nullable=False),  # path within the table directory
        pa.field("key", pa.string(), nullable=False),
        pa.field("digest", pa.string(), nullable=False),
        pa.field("rows", pa.int64(), nullable=False),
    ]
)


@dataclass(slots=True)
class Segment:
    file: str  # within the table directory
    keys: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (digest, rows)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.keys.values())


_duckdb = None
_duckdb_lock = threading.Lock()

Previous = dict[tuple[str, str], list[Segment]]  # (table, partition) -> segments
Reuse = Callable[[str, str], None]  # (table-relative file in the previous snapshot, in the new one)


def read_manifest(table: pa.Table | None) -> Previous:
    previous: Previous = {}
    if table is None or table.num_rows == 0:
        return previous
    by_file: dict[tuple[str, str, str], Segment] = {}
    cols = [table.column(c).to_pylist() for c in ("table", "partition", "file", "key", "digest", "rows")]
    for name, part, file, key, digest, rows in zip(*cols, strict=True):
        seg = by_file.get((name, part, file))
        if seg is None:
            seg = by_file[(name, part, file)] = Segment(file)
            previous.setdefault((name, part), []).append(seg)
        seg.keys[key] = (digest, rows)
    return previous


def key_digests(table: pa.Table, key_column: str) -> tuple[pa.Array, dict[str, tuple[str, int]]]:
    """Each row's key, and each key's (digest of its rows, number of rows)."""
    import duckdb

    keys = pc.fill_null(pc.cast(table.column(key_column), pa.string()), "")
    if table.num_rows == 0:
        return keys, {}
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    with _duckdb_lock:
        global _duckdb
        if _duckdb is None:
            _duckdb = duckdb.connect()  # one in-memory connection: opening one costs ~35 ms
        _duckdb.register("t", table.append_column("__key", keys))
        try:
            # the hash of each whole row; a key's digest combines its rows' hashes, in any order
            result = _duckdb.execute(
                f"""select __key, bit_xor(h), (sum(h::hugeint) % 18446744073709551616)::ubigint, count(*)
                    from (select __key, hash({cols}) as h from t) group by __key"""
            ).fetchnumpy()
        finally:
            _duckdb.unregister("t")
    k, x, s, n = (result[c].tolist() for c in result)
    return keys, {key: (f"{a:016x}{b:016x}", c) for key, a, b, c in zip(k, x, s, n, strict=True)}


def write_table(
    dest: Path,
    name: str,
    table: pa.Table,
    previous: Previous,
    reuse: Reuse | None,
    groups: dict[str, str] | None = None,
) -> list[dict]:
    """Write ``table`` into the directory ``dest`` as segments, keeping the previous
    snapshot's unchanged segments through ``reuse`` (None: write everything anew).
    ``groups`` (key -> group, e.g. a document's site) keeps a group's keys together in new
    segments: what changes together (a site's pages, when its template changes) is then
    rewritten together, without the rest. Returns the manifest rows of the new segments."""
    dest.mkdir(parents=True, exist_ok=True)
    part_col = schema.PARTITIONS.get(name)
    manifest: list[dict] = []
    if part_col is None:
        parts = [("", table)]
    else:
        values = sorted(set(table.column(part_col).to_pylist()))
        file_schema = table.schema.remove(table.schema.get_field_index(part_col))
        parts = [
            (f"{part_col}={v}", table.filter(pc.equal(table.column(part_col), v)).drop_columns([part_col]).cast(file_schema))
            for v in values
        ] or [(f"{part_col}=other", table.drop_columns([part_col]).cast(file_schema))]
    for part, rows in parts:
        if part:
            (dest / part).mkdir(exist_ok=True)
        old = previous.get((name, part), []) if reuse is not None else []
        manifest += _write_partition(dest, name, part, rows, old, reuse, groups or {})
    return manifest


def _write_partition(
    dest: Path,
    name: str,
    part: str,
    table: pa.Table,
    old: list[Segment],
    reuse: Reuse | None,
    groups: dict[str, str],
) -> list[dict]:
    keys, digests = key_digests(table, KEY_COLUMNS.get(name, table.column_names[0]))
    kept = [s for s in old if s.keys and all(digests.get(k, (None, 0))[0] == d for k, (d, _) in s.keys.items())]
    small = [s for s in kept if s.rows < SEGMENT_ROWS // 2]
    if len(small) > MAX_SMALL:  # compaction: the small segments join the new ones
        kept = [s for s in kept if s.rows >= SEGMENT_ROWS // 2]
    covered = {k for s in kept for k in s.keys}
    manifest: list[dict] = []
    for seg in kept:
        reuse(_rel(part, seg.file), _rel(part, seg.file))
        manifest += [_row(name, part, seg.file, k, d, n) for k, (d, n) in seg.keys.items()]
    rest, rest_keys = table, keys
    if covered:
        mask = pc.invert(pc.is_in(keys, pa.array(sorted(covered), pa.string())))
        rest, rest_keys = table.filter(mask), pc.filter(keys, mask)
    if rest.num_rows == 0 and not kept:  # an empty table still has one file: its schema
        rest_keys = pa.array([], pa.string())
    elif rest.num_rows == 0:
        return manifest
    for chunk, chunk_keys in _chunks(rest, rest_keys, digests, groups):
        held = sorted(set(chunk_keys.to_pylist()))
        h = hashlib.sha256(f"{name}\0{part}".encode())
        for k in held:
            h.update(f"\0{k}\0{digests[k][0]}".encode())
        file = f"part-{h.hexdigest()[:16]}.parquet"
        pq.write_table(chunk, dest / _rel(part, file), **PARQUET_OPTIONS)
        manifest += [_row(name, part, file, k, *digests[k]) for k in held]
    return manifest


def _chunks(table: pa.Table, keys: pa.Array, digests: dict[str, tuple[str, int]], groups: dict[str, str]):
    """Pieces of at most SEGMENT_ROWS rows (unless one key has more), each key whole in one
    piece; keys of one group together, groups in order, keys in their order of appearance."""
    if table.num_rows <= SEGMENT_ROWS:
        yield table, keys
        return
    order = list(dict.fromkeys(keys.to_pylist()))
    position = {k: i for i, k in enumerate(order)}
    order.sort(key=lambda k: (groups.get(k, ""), position[k]))
    pieces: list[list[str]] = [[]]
    size = 0
    for k in order:
        n = digests[k][1]
        if size and size + n > SEGMENT_ROWS:
            pieces.append([])
            size = 0
        pieces[-1].append(k)
        size += n
    for piece in pieces:
        mask = pc.is_in(keys, pa.array(piece, pa.string()))
        yield table.filter(mask), pc.filter(keys, mask)


def _rel(part: str, file: str) -> str:
    return f"{part}/{file}" if part else file


def _row(name: str, part: str, file: str, key: str, digest: str, rows: int) -> dict:
    return {"table": name, "partition": part, "file": file, "key": key, "digest": digest, "rows": rows}


def manifest_table(rows: list[dict]) -> pa.Table:
    rows.sort(key=lambda r: (r["table"], r["partition"], r["file"], r["key"]))
    return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
