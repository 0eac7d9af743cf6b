"""The output contract, carried by the repository: the tables, columns (with their types) and
canonical sections that analysts rely on, checked against the code's schemas (schema.py) and
the data dictionary generated from them (docs/data-dictionary.md). Extensions (more tables,
more columns) are welcome; nothing the contract names may go or change type."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from ingest import schema
from ingest.stages.sections import CANONICAL_SECTIONS

DICTIONARY = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"

IS = {
    "str": pa.types.is_string,
    "timestamp": lambda t: pa.types.is_timestamp(t) and t.tz == "UTC",
    "bool": pa.types.is_boolean,
    "float64": pa.types.is_float64,
    "int32": pa.types.is_int32,
    "list<str>": lambda t: pa.types.is_list(t) and pa.types.is_string(t.value_type),
    "list<struct>": lambda t: pa.types.is_list(t) and pa.types.is_struct(t.value_type),
}

# table -> column -> type, as the contract states them
CONTRACT: dict[str, dict[str, str]] = {
    "documents": {"document_id": "str", "raw_path": "str", "url": "str", "site": "str", "fetched_at": "timestamp",
                  "code": "str", "status": "str", "duplicate_of": "str", "reason": "str", "ingested_at": "timestamp"},
    "codes": {"code": "str", "code_system": "str", "title": "str", "official_description": "str",
              "lay_description": "str", "is_add_on": "bool", "category": "str", "modifiers": "list<struct>",
              "cost_min_usd": "float64", "cost_max_usd": "float64", "duration_min_minutes": "float64",
              "duration_max_minutes": "float64", "sources": "list<str>", "document_ids": "list<str>"},
    "sections": {"code": "str", "section": "str", "heading": "str", "position": "int32", "text": "str",
                 "items": "list<str>", "document_id": "str", "site": "str"},
    "faq": {"code": "str", "question": "str", "answer": "str", "document_id": "str", "site": "str"},
    "section_items": {"code": "str", "section": "str", "item": "str", "sites": "list<str>",
                      "document_ids": "list<str>", "n_sources": "int32"},
    "removed_lines": {"document_id": "str", "line_no": "int32", "text": "str", "rule": "str"},
}
STATUSES = ("curated", "duplicate", "no_code", "quarantined")
MODIFIER_FIELDS = ("modifier", "description")
CANONICAL = (
    "overview", "official_description", "lay_description", "indications", "purpose", "symptoms",
    "causes_risk_factors", "diagnostic_tests", "procedure", "tools_equipment", "anesthesia", "duration", "setting",
    "personnel", "preparation", "recovery", "complications", "benefits", "follow_up", "alternatives", "home_care",
    "patient_education", "patient_experience", "billing", "cost_coverage", "faq", "related_codes", "policies",
    "references", "other",
)


def _dictionary() -> tuple[dict[str, dict[str, str]], list[str]]:
    """The data dictionary's tables (column -> type as written) and its canonical sections."""
    text = DICTIONARY.read_text(encoding="utf-8")
    tables: dict[str, dict[str, str]] = {}
    for m in re.finditer(r"^## `(\w+)`\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL):
        tables[m.group(1)] = dict(re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", m.group(2), re.MULTILINE))
    block = text.split("## Canonical sections", 1)[1]
    return tables, re.findall(r"^\| `(\w+)` \|", block, re.MULTILINE)


def _field_type(table: str, column: str) -> pa.DataType:
    if column in schema.TABLES[table].names:
        return schema.TABLES[table].field(column).type
    assert schema.PARTITIONS.get(table) == column, f"{table}.{column} is in the contract but not in the schema"
    return pa.string()  # a hive partition key: a string directory name


def test_every_contract_table_is_in_the_schema_and_the_dictionary():
    tables, _ = _dictionary()
    assert set(CONTRACT) <= set(schema.TABLES)
    assert set(CONTRACT) <= set(tables)
    assert set(tables) == set(schema.TABLES)  # the dictionary describes every table there is


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_every_contract_column_has_its_type_in_the_schema_and_the_dictionary(table):
    described, _ = _dictionary()
    for column, word in CONTRACT[table].items():
        kind = _field_type(table, column)
        assert IS[word](kind), f"{table}.{column}: the contract says {word}, the schema has {kind}"
        assert column in described[table], f"{table}.{column} is not in docs/data-dictionary.md"
        said = described[table][column]
        assert said == str(kind), f"{table}.{column}: the dictionary says {said}, the schema has {kind}"


def test_contract_enumerations_and_structs():
    modifiers = schema.TABLES["codes"].field("modifiers").type.value_type
    assert [modifiers.field(i).name for i in range(modifiers.num_fields)][:2] == list(MODIFIER_FIELDS)
    text = DICTIONARY.read_text(encoding="utf-8")
    status = re.search(r"^\| `status` \|.*$", text, re.MULTILINE).group(0)
    assert all(value in status for value in STATUSES)


def test_canonical_sections_match_the_contract_the_code_and_the_dictionary():
    _, sections = _dictionary()
    assert CANONICAL_SECTIONS == CANONICAL
    assert tuple(sections) == CANONICAL
