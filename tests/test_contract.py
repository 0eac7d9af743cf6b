"""The contract in ../shared/CONTRACT.md and the code's schemas agree."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from ingest import schema
from ingest.sections import CANONICAL_SECTIONS

# The contract lives in shared/, beside the repository (as CI and every developer have it).
CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "CONTRACT.md"

TYPE_WORDS = {
    "str": pa.types.is_string,
    "timestamp": pa.types.is_timestamp,
    "bool": pa.types.is_boolean,
    "float64": pa.types.is_float64,
    "int32": pa.types.is_int32,
    "list<str>": lambda t: pa.types.is_list(t) and pa.types.is_string(t.value_type),
    "list<struct": lambda t: pa.types.is_list(t) and pa.types.is_struct(t.value_type),
}


def _contract_columns() -> dict[str, list[tuple[str, str | None]]]:
    assert CONTRACT.exists(), f"{CONTRACT} not found: clone the repository beside shared/"
    text = CONTRACT.read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, str | None]]] = {}
    for m in re.finditer(r"\*\*`(\w+)`\*\*(.*?)(?=\n\*\*`|\n## )", text, re.S):
        name, body = m.group(1), m.group(2)
        cols = []
        for cm in re.finditer(r"`(\w+)`(?:\s*/\s*`(\w+)`)?\s*(\(([^)]*)\))?", body):
            type_word = (cm.group(4) or "").split(",")[0].strip() or None
            for col in filter(None, (cm.group(1), cm.group(2))):
                cols.append((col, type_word))
        out[name] = cols
    return out


def test_every_contract_table_exists():
    # Extension tables (facts) are welcome; every contract table must be there.
    assert set(_contract_columns()) <= set(schema.TABLES)


@pytest.mark.parametrize("table", ["documents", "codes", "sections", "faq", "section_items", "removed_lines"])
def test_every_contract_column_exists_with_its_type(table):
    columns = _contract_columns()
    sch = schema.TABLES[table]
    names = set(sch.names) | set(schema.PARTITIONS.values() if table in schema.PARTITIONS else [])
    for col, type_word in columns[table]:
        if col in {"curated", "duplicate", "no_code", "quarantined", "CPT", "HCPCS", "section", "modifier", "description"} and col not in names:
            continue  # enumeration values and struct members named in the prose
        assert col in names, f"{table}.{col} is in the contract but not in the schema"
        if type_word and col in sch.names:
            check = next((fn for word, fn in TYPE_WORDS.items() if type_word.startswith(word)), None)
            if check:
                assert check(sch.field(col).type), f"{table}.{col}: contract says {type_word}, schema has {sch.field(col).type}"


def test_canonical_sections_match_the_contract():
    text = CONTRACT.read_text(encoding="utf-8")
    block = text.split("## Canonical sections", 1)[1]
    names = re.findall(r"^\| `(\w+)` \|", block, re.M)
    assert tuple(names) == CANONICAL_SECTIONS
