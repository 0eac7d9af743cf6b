"""The contract's curated tables as explicit pyarrow schemas.

Every table is written with exactly these schemas, never with types inferred from pandas.
The data dictionary (docs/data-dictionary.md) is generated from the field metadata here.
"""

from __future__ import annotations

import json

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")


def _f(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


def _pandas_nullable_ints(*names: str) -> dict[bytes, bytes]:
    """pandas metadata that reads these nullable int32 columns as pandas' Int32, not float64
    (what `pd.read_parquet` makes of an integer column with nulls); other readers ignore it."""
    columns = [{"name": n, "field_name": n, "pandas_type": "int32", "numpy_type": "Int32", "metadata": None}
               for n in names]
    meta = {"index_columns": [], "column_indexes": [], "columns": columns, "creator": {"library": "ingest"}}
    return {b"pandas": json.dumps(meta).encode()}


DOCUMENTS = pa.schema(
    [
        _f("document_id", pa.string(), "stable hash of the page's source (path, JSONL line) and content", False),
        _f("raw_path", pa.string(), "file path relative to the raw root", False),
        _f("line_no", pa.int32(), "1-based line of a .jsonl file; null for other files"),
        _f("url", pa.string(), "page URL from the JSONL line, the sidecar or the page's canonical link"),
        _f("site", pa.string(), "site the page comes from: URL host, sidecar site, or inferred from its template",
           False),
        _f("fetched_at", TIMESTAMP, "when the scraper fetched the page (UTC), if known"),
        _f("code", pa.string(), "the billing code the page is about; null when none or several"),
        _f("code_system", pa.string(), "CPT or HCPCS"),
        _f("status", pa.string(), "curated | duplicate | no_code | quarantined", False),
        _f("duplicate_of", pa.string(), "document_id of the kept copy, for duplicates"),
        _f("reason", pa.string(), "why quarantined (stable reason code first) or why no code"),
        _f("content_hash", pa.string(), "hash of the decoded, whitespace-normalised page text"),
        _f("encoding", pa.string(), "detected text encoding"),
        _f("title", pa.string(), "page title as parsed"),
        _f("n_lines", pa.int32(), "non-blank lines extracted from the page"),
        _f("n_removed", pa.int32(), "lines removed as boilerplate"),
        _f("warnings", pa.string(), "problems that did not stop the page (malformed sidecar, NUL bytes)"),
        _f("ingested_at", TIMESTAMP, "when this document was first ingested (UTC)", False),
    ],
    metadata=_pandas_nullable_ints("line_no"),
)

MODIFIER = pa.struct([pa.field("modifier", pa.string()), pa.field("description", pa.string())])

CODES = pa.schema(
    [
        _f(
            "code",
            pa.string(),
            "billing code: 5 digits (CPT I), 4 digits+F (CPT II), 4 digits+T (CPT III), letter+4 digits (HCPCS II)",
            False,
        ),
        _f("code_system", pa.string(), "CPT | HCPCS", False),
        _f("title", pa.string(), "short title of the code", False),
        _f("official_description", pa.string(), "the official descriptor, when a page gives it"),
        _f("lay_description", pa.string(), "plain-language description, when a page gives it"),
        _f("is_add_on", pa.bool_(), "an add-on code ('List separately in addition to code for primary procedure')",
           False),
        _f("category", pa.string(), "category as stated by a page (e.g. 'Surgical Procedures')"),
        _f("modifiers", pa.list_(MODIFIER), "modifiers the pages list, with their descriptions", False),
        _f("cost_min_usd", pa.float64(), "lowest cost stated by any page, USD"),
        _f("cost_max_usd", pa.float64(), "highest cost stated by any page, USD"),
        _f("duration_min_minutes", pa.float64(), "shortest procedure duration stated, minutes"),
        _f("duration_max_minutes", pa.float64(), "longest procedure duration stated, minutes"),
        _f("sources", pa.list_(pa.string()), "sites with a curated page about this code", False),
        _f("document_ids", pa.list_(pa.string()), "curated documents about this code", False),
    ]
)

SECTIONS = pa.schema(
    [
        _f("code", pa.string(), "the document's code; null for no_code documents"),
        _f("section", pa.string(), "canonical section name (hive partition key)", False),
        _f(
            "heading",
            pa.string(),
            "the heading as on the page ('' for text before the first heading); where the page gives the section "
            "under several headings, all of them in page order, joined by ' / '",
            False,
        ),
        _f("position", pa.int32(), "order of the section on the page, from 1", False),
        _f("text", pa.string(), "the section's clean text, lines joined by newlines", False),
        _f("items", pa.list_(pa.string()), "its bullet or numbered items, in order", False),
        _f("document_id", pa.string(), "source document", False),
        _f("site", pa.string(), "source site", False),
    ]
)

FAQ = pa.schema(
    [
        _f("code", pa.string(), "the document's code; null for no_code documents"),
        _f("question", pa.string(), "the question as on the page", False),
        _f("answer", pa.string(), "its answer", False),
        _f("document_id", pa.string(), "source document", False),
        _f("site", pa.string(), "source site", False),
    ]
)

SECTION_ITEMS = pa.schema(
    [
        _f("code", pa.string(), "billing code", False),
        _f("section", pa.string(), "canonical section name", False),
        _f("item", pa.string(), "one representative wording of the item", False),
        _f("item_key", pa.string(), "the normalised form items are grouped by", False),
        _f("sites", pa.list_(pa.string()), "sites that state this item", False),
        _f("document_ids", pa.list_(pa.string()), "documents that state this item", False),
        _f("n_sources", pa.int32(), "number of distinct sites stating it", False),
    ]
)

FACTS = pa.schema(
    [
        _f("code", pa.string(), "the document's code; null for no_code documents"),
        _f("key", pa.string(), "the label as on the page ('Global period', 'Category')", False),
        _f("value", pa.string(), "its value; a label followed by a list gets the items joined by '; '", False),
        _f("document_id", pa.string(), "source document", False),
        _f("site", pa.string(), "source site", False),
    ]
)

REMOVED_LINES = pa.schema(
    [
        _f("document_id", pa.string(), "source document", False),
        _f("line_no", pa.int32(), "1-based line of a text page, or block number of an HTML page", False),
        _f("text", pa.string(), "the removed text", False),
        _f("rule", pa.string(), "what removed it: a catalogue or structure rule's id, the site's template "
           "(template:<site>), the line model (learned:<the signal that weighed most>), a run of chrome at the "
           "page's edge (chrome_run) or the site's own pitch (brand_pitch)", False),
        _f("score", pa.float32(), "the line model's score (0-1, boilerplate above the model's threshold; a "
           "chrome_run line scores at least 0.5), where the model took part in the decision; null for rules"),
    ]
)

REJECTED_ROWS = pa.schema(
    [
        _f("table", pa.string(), "the table the row was meant for", False),
        _f("document_id", pa.string(), "its document, when it has one (that document is quarantined)"),
        _f("reason", pa.string(), "the validation check it failed", False),
        _f("row", pa.string(), "the rejected row, as JSON", False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "codes": CODES,
    "sections": SECTIONS,
    "faq": FAQ,
    "section_items": SECTION_ITEMS,
    "facts": FACTS,
    "removed_lines": REMOVED_LINES,
    "rejected_rows": REJECTED_ROWS,
}

# Tables written as hive partitions, and their partition column.
PARTITIONS: dict[str, str] = {"sections": "section"}


def data_dictionary() -> str:
    """docs/data-dictionary.md, generated from the schemas and the section taxonomy."""
    from . import rules

    out = [
        "# Data dictionary",
        "",
        (
            "Generated from `src/ingest/schema.py` and `src/ingest/rules.py` "
            "(`python -m ingest.schema > docs/data-dictionary.md`);"
        ),
        (
            "`tests/test_docs.py` fails when it and the code disagree. "
            "Every table is a Parquet dataset under `curated/<table>`:"
        ),
        (
            "a directory of segment files `part-<digest>.parquet` "
            "(see docs/production.md, \"Table layout\"); read the directory."
        ),
        "",
    ]
    for name, sch in TABLES.items():
        part = PARTITIONS.get(name)
        out += [f"## `{name}`", ""]
        if part:
            out += [f"Hive-partitioned by `{part}` (`{name}/{part}=<value>/part-<digest>.parquet`).", ""]
        out += ["| column | type | null | meaning |", "|---|---|---|---|"]
        for field in sch:
            doc = (field.metadata or {}).get(b"doc", b"").decode()
            doc = doc.replace("|", "\\|")
            out.append(f"| `{field.name}` | `{field.type}` | {'yes' if field.nullable else 'no'} | {doc} |")
        out.append("")
    out += ["## Canonical sections", "",
            "A heading maps to the section whose phrases it contains (normalised words).", "",
            "| section | phrases that name it |", "|---|---|"]
    for section, phrases in rules.SECTION_SYNONYMS.items():
        out.append(f"| `{section}` | {', '.join(phrases)} |")
    out.append("| `other` | any heading that names none of the above; kept with its heading as seen |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(data_dictionary(), end="")
