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
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest import schema, tabular
from ingest.tabular import SEQ, Spooled, connect, release

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


def _source(con, rows: pa.Table | Spooled) -> tuple[pa.Schema, list[str]]:
    """Make ``rows`` the view ``src`` of ``con`` (with SEQ, the rows' order). Returns their
    schema and sort columns."""
    if isinstance(rows, Spooled):
        if rows.files:
            con.execute(f"create view src as select * from {rows.scan()}")
            return rows.schema, rows.order
        rows, order = rows.schema.empty_table(), rows.order
    else:
        order = []
    con.register("src_rows", rows.append_column(SEQ, pa.array(range(rows.num_rows), pa.int64())))
    con.execute("create view src as select * from src_rows")
    return rows.schema, order


def key_digests(table: pa.Table, key_column: str) -> tuple[pa.Array, dict[str, tuple[str, int]]]:
    """Each row's key, and each key's (digest of its rows, number of rows)."""
    keys = pc.fill_null(pc.cast(table.column(key_column), pa.string()), "")
    con = connect()
    try:
        _source(con, table)
        return keys, _digests(con, table.column_names, key_column, "true", [])
    finally:
        release(con)


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _key(column: str) -> str:
    return f"coalesce(cast({_quote(column)} as varchar), '')"


def _digests(con, columns: list[str], key_column: str, where: str, params: list) -> dict[str, tuple[str, int]]:
    """Each key's (digest, rows) among the rows of ``src`` matching ``where``: the hash of each
    whole row (of ``columns``); a key's digest combines its rows' hashes, in any order."""
    return {key: digest for _, key, digest in _digest_rows(con, columns, key_column, where, params)}


def _digest_rows(con, columns: list[str], key_column: str, where: str, params: list,
                 part_col: str | None = None) -> Iterator[tuple[object, str, tuple[str, int]]]:
    """(partition, key, (digest, rows)) of each key among the rows of ``src`` matching
    ``where``, by ``part_col``'s value too when given (None otherwise). A key's digest is the
    XOR and the sum (mod 2**64) of its rows' hashes."""
    cols = ", ".join(_quote(c) for c in columns)
    part = _quote(part_col) if part_col is not None else "null"
    result = con.sql(
        f"""select __part, __key, bit_xor(h), (sum(h::hugeint) % 18446744073709551616)::ubigint, count(*)
            from (select {part} as __part, {_key(key_column)} as __key, hash({cols}) as h from src where {where})
            group by __part, __key""",
        params=params,
    ).fetchnumpy()
    p, k, x, sm, n = (result[c].tolist() for c in result)
    for value, key, a, b, c in zip(p, k, x, sm, n, strict=True):
        yield value, key, (f"{a:016x}{b:016x}", c)


# A partitioned table's partitions are digested several at a time, up to this many rows in all
# (a larger partition alone): a query costs milliseconds of CPU whatever its size, and a
# table has a partition per section; the digests of the rows are held until their partition
# is written.
DIGEST_QUERY_ROWS = 50_000


class _PartitionDigests:
    """The digests of a partitioned table's keys (as _digests), partition by partition in the
    order ``counts`` gives the partitions ((value, rows), each value once), gathered by one
    query per run of consecutive partitions of at most DIGEST_QUERY_ROWS rows."""

    def __init__(self, con, columns: list[str], key_column: str, part_col: str, counts: list[tuple]) -> None:
        self.con, self.columns, self.key_column, self.part_col = con, columns, key_column, part_col
        self.batches: list[list[object]] = [[]]
        rows = 0
        for value, n in counts:
            if self.batches[-1] and rows + n > DIGEST_QUERY_ROWS:
                self.batches.append([])
                rows = 0
            self.batches[-1].append(value)
            rows += n
        self.held: dict[object, dict[str, tuple[str, int]]] = {}

    def of(self, value: object) -> dict[str, tuple[str, int]]:
        """The digests of partition ``value``'s keys (asked for in the order of ``counts``)."""
        if value not in self.held:
            self.held = self._query(next(b for b in self.batches if value in b))
        return self.held.pop(value)

    def _query(self, values: list[object]) -> dict[object, dict[str, tuple[str, int]]]:
        out: dict[object, dict[str, tuple[str, int]]] = {v: {} for v in values}
        where = f"{_quote(self.part_col)} in ({', '.join('?' * len(values))})"
        for value, key, digest in _digest_rows(self.con, self.columns, self.key_column, where, values, self.part_col):
            out[value][key] = digest
        return out


def write_table(
    dest: Path,
    name: str,
    table: pa.Table | Spooled,
    previous: Previous,
    reuse: Reuse | None,
    groups: dict[str, str] | None = None,
    scratch: Path | None = None,
    sink: Callable[[pa.Table], None] | None = None,
) -> list[pa.Table]:
    """Write ``table`` (in memory, or spooled: spool.py) into the directory ``dest`` as
    segments, keeping the previous snapshot's unchanged segments through ``reuse`` (None:
    write everything anew). ``groups`` (key -> group, e.g. a document's site) keeps a group's
    keys together in new segments: what changes together (a site's pages, when its template
    changes) is then rewritten together, without the rest. Returns the manifest rows of the
    table's segments, a table per partition (manifest_table); with a ``sink``, hands it each
    partition's as soon as they are known and returns none (a row per key: on a large corpus
    too many to hold until the table is written).

    The rows are digested a few partitions at a time (DIGEST_QUERY_ROWS), and sorted and
    split into segments by DuckDB a range of segments at a time, a range taking the segments
    of as many partitions as fit its budget (_Ranges): out of core beyond DuckDB's memory
    budget (temporary files in ``scratch``), the table never held whole."""
    dest.mkdir(parents=True, exist_ok=True)
    part_col = schema.PARTITIONS.get(name)
    manifest: list[pa.Table] = []
    emit = manifest.append if sink is None else sink
    con = connect(scratch)
    try:
        table_schema, order = _source(con, table)
        if isinstance(table, Spooled) and table.presorted and table.files and part_col is None:
            old = previous.get((name, ""), []) if reuse is not None else []
            emit(_write_presorted(con, dest, name, table, old, reuse))
            return manifest
        digests: _PartitionDigests | None = None
        if part_col is None:
            parts: list[tuple[str, str, list[object]]] = [("", "true", [])]
            file_schema = table_schema
        else:
            file_schema = table_schema.remove(table_schema.get_field_index(part_col))
            counts = con.sql(f"select {_quote(part_col)}, count(*) from src group by 1 order by 1").fetchall()
            parts = [(f"{part_col}={v}", f"{_quote(part_col)} = ?", [v]) for v, _ in counts] or [
                (f"{part_col}=other", "true", [])
            ]
            if counts:
                digests = _PartitionDigests(con, file_schema.names, KEY_COLUMNS.get(name, file_schema.names[0]),
                                            part_col, counts)
        paths: list[Path] = []  # each new segment's file (a segment's number is its index)
        ranges = _Ranges(con, file_schema, KEY_COLUMNS.get(name, file_schema.names[0]), part_col,
                         [_sort_key(c, file_schema) for c in order if c in file_schema.names], _row_bytes(table))

        def rows() -> Iterator[pa.RecordBatch]:  # the partitions' new segments' rows, in order
            for part, where, params in parts:
                if part:
                    (dest / part).mkdir(exist_ok=True)
                old = previous.get((name, part), []) if reuse is not None else []
                new = _plan_partition(con, name, part, (where, params), file_schema, ranges, old, reuse, groups or {},
                                      digests.of(params[0]) if digests is not None else None)
                emit(new.manifest)
                if new.pieces and not new.rest:  # an empty table still has one file: its schema
                    pq.write_table(file_schema.empty_table(), dest / _rel(part, new.files[0]), **PARQUET_OPTIONS)
                    continue
                for held, file in zip(new.pieces, new.files, strict=True):
                    yield from ranges.add(params[0] if params else None, held, sum(new.rest[k] for k in held))
                    paths.append(dest / _rel(part, file))
            yield from ranges.flush()

        _write_chunks(rows(), paths, file_schema)
        return manifest
    finally:
        release(con)


@dataclass(slots=True)
class _Partition:
    manifest: pa.Table
    rest: dict[str, int]  # rows of each key to write
    pieces: list[list[str]]  # the keys of each new segment
    files: list[str]  # and its file


def _plan_partition(con, name: str, part: str, rows: tuple[str, list], file_schema: pa.Schema, ranges: _Ranges,
                    old: list[Segment], reuse: Reuse | None, groups: dict[str, str],
                    digests: dict[str, tuple[str, int]] | None = None) -> _Partition:
    """A partition's digests (``digests``, when already known), the previous segments it keeps,
    and its new segments."""
    where, params = rows
    if digests is None:
        digests = _digests(con, file_schema.names, ranges.key_column, where, params)
    manifest = _Manifest(name, part)
    rest = _keep(part, digests, old, reuse, manifest)
    if rest is None:
        return _Partition(manifest.table(), {}, [], [])
    pieces = _pieces(_key_order(con, ranges.key_column, ranges.sort, where, params, rest, groups), rest)
    files = _name_pieces(name, part, pieces, digests, manifest)
    return _Partition(manifest.table(), rest, pieces, files)


class _Ranges:
    """New segments gathered, across partitions, into ranges that DuckDB sorts with one
    query each; a range's rows come out sorted by segment (numbered in the order added), then
    by the table's sort columns. A range holds about a sixteenth of DuckDB's budget of rows:
    DuckDB sorts wide rows (a line's text) out of core poorly, and the same rows sort within
    the budget in ranges. Across partitions: a small corpus's ``sections`` is read in a query
    or two, not one per partition. Only the keys of one range are held."""

    def __init__(self, con, file_schema: pa.Schema, key_column: str, part_col: str | None, sort: list[str],
                 row_bytes: float) -> None:
        self.con, self.key_column, self.sort = con, key_column, sort
        self.budget = max(1, int(_limit_bytes() / 16 / max(row_bytes, 1.0)))
        self.cols = ", ".join(f"s.{_quote(c)}" for c in file_schema.names)
        self.on_part = "" if part_col is None else f" and c.__part = s.{_quote(part_col)}"
        self.pending: tuple[list, list, list] = ([], [], [])  # partition, key, segment: a row per key
        self.rows = 0
        self.segments = 0

    def add(self, part: object, keys: list[str], rows: int) -> Iterator[pa.RecordBatch]:
        """Add a new segment (its partition's value, keys and rows); yields the rows of the
        range it closes, if it does."""
        if self.rows and self.rows + rows > self.budget:
            yield from self.flush()
        parts, held, numbers = self.pending
        parts += [part] * len(keys)
        held += keys
        numbers += [self.segments] * len(keys)
        self.rows += rows
        self.segments += 1

    def flush(self) -> Iterator[pa.RecordBatch]:
        parts, keys, numbers = self.pending
        if not keys:
            return
        self.con.register(
            "chunks", pa.table({"__part": parts, "__key": keys, "__chunk": pa.array(numbers, pa.int64())})
        )
        self.pending, self.rows = ([], [], []), 0
        try:
            yield from self.con.sql(
                f"""select {self.cols}, c.__chunk from src s
                    join chunks c on c.__key = {_key(self.key_column)}{self.on_part}
                    order by c.__chunk, {"".join(f"{c}, " for c in self.sort)}s.{SEQ}""",
            ).to_arrow_reader(BATCH_ROWS)
        finally:
            self.con.unregister("chunks")


def _limit_bytes() -> int:
    units = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
    return int(float(tabular.MEMORY_LIMIT[:-2]) * units[tabular.MEMORY_LIMIT[-2:].upper()])


def _row_bytes(rows: pa.Table | Spooled) -> float:
    """About how many bytes a row takes in memory (from the spool files' metadata)."""
    if isinstance(rows, Spooled):
        size = count = 0
        for f in rows.files:
            meta = pq.read_metadata(f)
            count += meta.num_rows
            size += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return size / count if count else 1.0
    return rows.nbytes / rows.num_rows if rows.num_rows else 1.0


def _keep(part: str, digests: dict[str, tuple[str, int]], old: list[Segment], reuse: Reuse | None,
          manifest: _Manifest) -> dict[str, int] | None:
    """Keep the previous segments whose keys all have the same digest (unless compaction
    merges them), through ``reuse``. Returns the rows of each key left to write (None: none,
    and a segment kept)."""
    kept = [s for s in old if s.keys and all(digests.get(k, (None, 0))[0] == d for k, (d, _) in s.keys.items())]
    small = [s for s in kept if s.rows < SEGMENT_ROWS // 2]
    if len(small) > MAX_SMALL:  # compaction: the small segments join the new ones
        kept = [s for s in kept if s.rows >= SEGMENT_ROWS // 2]
    covered = {k for s in kept for k in s.keys}
    for seg in kept:
        assert reuse is not None
        reuse(_rel(part, seg.file), _rel(part, seg.file))
        for k, (d, n) in seg.keys.items():
            manifest.add(seg.file, k, d, n)
    rest = {k: n for k, (_, n) in digests.items() if k not in covered}
    return None if not rest and kept else rest


def _name_pieces(name: str, part: str, pieces: list[list[str]], digests: dict[str, tuple[str, int]],
                 manifest: _Manifest) -> list[str]:
    """Each new segment's file name, from the digests of what it holds (and its manifest rows)."""
    files = []
    for held in pieces:
        h = hashlib.sha256(f"{name}\0{part}".encode())
        for k in sorted(held):
            h.update(f"\0{k}\0{digests[k][0]}".encode())
        files.append(f"part-{h.hexdigest()[:16]}.parquet")
        for k in sorted(held):
            manifest.add(files[-1], k, *digests[k])
    return files


def _write_presorted(con, dest: Path, name: str, table: Spooled, old: list[Segment], reuse: Reuse | None) -> pa.Table:
    """A spooled table whose rows are in their published order, each key's rows together
    (Spooled.presorted: the state tables, whose rows are large): written as the files give
    them, new segments taking keys in that order, without a sort: DuckDB sorts such large rows
    out of core poorly."""
    key_column = KEY_COLUMNS.get(name, table.schema.names[0])
    digests = _digests(con, table.schema.names, key_column, "true", [])
    manifest = _Manifest(name, "")
    rest = _keep("", digests, old, reuse, manifest)
    if rest is None:
        return manifest.table()
    order: dict[str, None] = {}
    for group in _row_groups(table.files, [key_column]):
        for k in pc.fill_null(pc.cast(group.column(key_column), pa.string()), "").to_pylist():
            if k in rest:
                order[k] = None
    pieces = _pieces(list(order), rest)
    files = _name_pieces(name, "", pieces, digests, manifest)
    chunk_of = {k: i for i, held in enumerate(pieces) for k in held}

    def batches():
        for group in _row_groups(table.files, table.schema.names):
            for batch in group.to_batches():
                keys = pc.fill_null(pc.cast(batch.column(key_column), pa.string()), "").to_pylist()
                chunks = np.array([chunk_of.get(k, -1) for k in keys], np.int64)
                keep = chunks >= 0
                if keep.any():
                    yield pa.RecordBatch.from_arrays([*batch.filter(pa.array(keep)).columns, pa.array(chunks[keep])],
                                                     names=[*table.schema.names, "__chunk"])

    _write_chunks(batches(), [dest / f for f in files], table.schema, stream=True)
    return manifest.table()


def _row_groups(files: list[Path], columns: list[str]) -> Iterator[pa.Table]:
    """The files' rows, a row group at a time (a spool file's row group is a batch of pages).
    Not ParquetFile.iter_batches, which reads ahead and holds more."""
    for f in files:
        pf = pq.ParquetFile(f)
        for i in range(pf.num_row_groups):
            yield pf.read_row_group(i, columns=columns)


BATCH_ROWS = 16_384  # rows DuckDB hands over at a time


def _sort_key(column: str, file_schema: pa.Schema) -> str:
    """A sort column as tables.sort_table orders it: a null sorts as "" (as 0 for integers)."""
    kind = file_schema.field(column).type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return f"coalesce(s.{_quote(column)}, '')"
    if pa.types.is_integer(kind):
        return f"coalesce(s.{_quote(column)}, 0)"
    return f"s.{_quote(column)}"


def _key_order(con, key_column: str, sort: list[str], where: str, params: list, rest: dict[str, int],
               groups: dict[str, str]) -> list[str]:
    """The keys of ``rest`` in the order new segments take them: a group's keys together,
    groups in order, keys in their order of first appearance in the table sorted by its
    first sort column (then the order rows were added)."""
    if sum(rest.values()) <= SEGMENT_ROWS:  # one segment: the order does not matter
        return sorted(rest)
    position: dict[str, int] = {}
    reader = con.sql(  # by the first sort column only: a sort of narrow rows, which DuckDB does out of core
        f"""select {_key(key_column)} as __key from src s where {where}
            order by {"".join(f"{c}, " for c in sort[:1])}s.{SEQ}""", params=params,
    ).to_arrow_reader(BATCH_ROWS * 4)
    for batch in reader:
        for k in batch.column(0).to_pylist():
            if k in rest:
                position.setdefault(k, len(position))
    return sorted(position, key=lambda k: (groups.get(k, ""), position[k]))


def _pieces(keys: list[str], rows: dict[str, int]) -> list[list[str]]:
    """Consecutive runs of ``keys`` of at most SEGMENT_ROWS rows (unless one key has more):
    each key whole in one piece. No keys: one empty piece (a table's file of its schema)."""
    pieces: list[list[str]] = [[]]
    size = 0
    for k in keys:
        n = rows[k]
        if size and size + n > SEGMENT_ROWS:
            pieces.append([])
            size = 0
        pieces[-1].append(k)
        size += n
    return pieces


def _write_chunks(reader, paths: list[Path], file_schema: pa.Schema, stream: bool = False) -> None:
    """Write the rows of each chunk (the batches' last column, ascending) to its path: one
    file per chunk, one row group per file; with ``stream``, a row group per batch, written
    as the batches come (large rows: a chunk of 5,000 pages' state would otherwise be held,
    and copied, whole)."""
    held: list[pa.RecordBatch] = []
    current = 0
    writer: pq.ParquetWriter | None = None
    seen = False

    def flush() -> None:
        nonlocal writer
        if writer is not None:
            writer.close()
            writer = None
        elif held or not stream:
            table = pa.Table.from_batches(held).drop_columns(["__chunk"]) if held else file_schema.empty_table()
            pq.write_table(table.cast(file_schema), paths[current], **PARQUET_OPTIONS)
        held.clear()

    for batch in reader:
        seen = True
        chunks = batch.column(batch.num_columns - 1).to_numpy()
        starts = [0, *(np.flatnonzero(np.diff(chunks)) + 1).tolist(), batch.num_rows]
        for lo, hi in itertools.pairwise(starts):
            chunk = int(chunks[lo])
            if chunk != current:
                if chunk < current:  # a chunk met again would overwrite its file
                    raise ValueError(f"rows of segment {chunk} came after segment {current}")
                flush()
                current = chunk
            rows = batch.slice(lo, hi - lo)
            if stream:
                if writer is None:
                    writer = pq.ParquetWriter(paths[current], file_schema, **PARQUET_OPTIONS)
                writer.write_table(pa.Table.from_batches([rows]).drop_columns(["__chunk"]).cast(file_schema))
            else:
                held.append(rows)
    if seen:
        flush()


class _Manifest:
    """A partition's manifest rows, gathered as columns (a row per key: millions of dicts on a
    large corpus)."""

    def __init__(self, name: str, part: str) -> None:
        self.name, self.part = name, part
        self.files: list[str] = []
        self.keys: list[str] = []
        self.digests: list[str] = []
        self.rows: list[int] = []

    def add(self, file: str, key: str, digest: str, rows: int) -> None:
        self.files.append(file)
        self.keys.append(key)
        self.digests.append(digest)
        self.rows.append(rows)

    def table(self) -> pa.Table:
        n = len(self.keys)
        return pa.table({"table": [self.name] * n, "partition": [self.part] * n, "file": self.files,
                         "key": self.keys, "digest": self.digests, "rows": self.rows}, schema=MANIFEST_SCHEMA)


def _rel(part: str, file: str) -> str:
    return f"{part}/{file}" if part else file


def manifest_table(pieces: list[pa.Table]) -> pa.Table:
    """The manifest of a snapshot from its tables' pieces (write_table), in a stable order."""
    table = pa.concat_tables([MANIFEST_SCHEMA.empty_table(), *pieces])
    by = [(c, "ascending") for c in ("table", "partition", "file", "key")]
    return table.take(pc.sort_indices(table, by)).combine_chunks()
