"""Import contracts between the package's layers, checked on the source (AST), without importing it.

Every module of src/ingest and flows/ belongs to one layer (LAYERS, bottom to top). A module
may import its own layer and the layers below it, never one above: the stages are pure
functions of the model, the store writes tables without knowing how a run is driven, and
nothing below the surface (CLI, reports, flows) depends on it. Imports anywhere in a module
count, inside functions too. A new module must be placed in LAYERS before this test passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Bottom to top. Module names are dotted, as imported ("ingest" is the package's __init__).
LAYERS: dict[str, tuple[str, ...]] = {
    # Data only: the records a run passes along, the tables' schema, settings, errors, rules,
    # and a table's rows in memory or in Parquet files (tabular).
    "model": ("models", "schema", "config", "errors", "rules", "tabular"),
    # Pure steps from raw pages to table rows.
    "stages": ("read", "extract", "clean", "boilerplate", "site", "sections", "parse", "dedup", "tables", "validate"),
    # Where tables live and how a snapshot is written.
    "store": ("storage", "write", "segments"),
    # How a run is driven: batches, the pages' state, working files, the process's memory, its summary.
    "runtime": ("pipeline", "state", "spool", "memory", "summary"),
    # What users and schedulers call.
    "surface": ("ingest", "cli", "report", "evaluate", "learn", "serve", "access",
                "flows", "flows.ingest", "flows.tuning"),
}
LAYERS = {layer: tuple(n if n in ("ingest", "flows") or n.startswith("flows.") else f"ingest.{n}" for n in names)
          for layer, names in LAYERS.items()}
ORDER = list(LAYERS)
LAYER_OF = {module: layer for layer, modules in LAYERS.items() for module in modules}

# Imports that go up a layer on purpose, with the reason.
ALLOWED = {
    ("ingest.read", "ingest.storage"): "read.py is the landing zone's reader, the one stage that touches storage",
}


def modules() -> dict[str, Path]:
    """Every module of the package and of flows/, by dotted name."""
    found = {}
    for package, directory in (("ingest", ROOT / "src" / "ingest"), ("flows", ROOT / "flows")):
        for path in sorted(directory.glob("*.py")):
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def imported(source: str, module: str, known: set[str]) -> set[str]:
    """The project modules that ``source`` (the module ``module``) imports, anywhere in it:
    ``import a.b``, ``from a import b`` (b a module, else the package a), relative forms."""
    package = module if module in ("ingest", "flows") else module.rpartition(".")[0]
    found: set[str] = set()

    def add(name: str, names: list[str]) -> None:
        for n in names:
            if f"{name}.{n}" in known:
                found.add(f"{name}.{n}")
            elif name in known:
                found.add(name)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                for i in range(len(parts), 0, -1):
                    if ".".join(parts[:i]) in known:
                        found.add(".".join(parts[:i]))
                        break
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            add(name, [alias.name for alias in node.names])
    found.discard(module)
    return found


def violations() -> list[str]:
    known = modules()
    out = []
    for module, path in known.items():
        for target in sorted(imported(path.read_text(encoding="utf-8"), module, set(known))):
            if (module, target) in ALLOWED or module not in LAYER_OF or target not in LAYER_OF:
                continue
            if ORDER.index(LAYER_OF[target]) > ORDER.index(LAYER_OF[module]):
                out.append(f"{module} ({LAYER_OF[module]}) imports {target} ({LAYER_OF[target]})")
    return out


def test_every_module_is_placed_in_a_layer():
    unplaced = sorted(set(modules()) - set(LAYER_OF))
    assert not unplaced, f"place these modules in LAYERS (tests/test_layers.py): {unplaced}"
    missing = sorted(set(LAYER_OF) - set(modules()))
    assert not missing, f"LAYERS names modules that do not exist: {missing}"


def test_no_module_imports_a_layer_above_its_own():
    found = violations()
    assert not found, "imports up a layer (move the code down, or pass it in):\n" + "\n".join(found)


def test_allowed_exceptions_are_still_needed():
    """An exception no longer used goes from ALLOWED, so it cannot hide a new import later."""
    known = modules()
    for module, target in ALLOWED:
        assert target in imported(known[module].read_text(encoding="utf-8"), module, set(known)), (module, target)


KNOWN = {"ingest", "ingest.a", "ingest.b", "ingest.c", "ingest.d", "ingest.e", "flows", "flows.f"}


@pytest.mark.parametrize(("source", "expected"), [
    ("from . import a, b", {"ingest.a", "ingest.b"}),
    ("from .a import thing", {"ingest.a"}),
    ("from . import thing", {"ingest"}),  # a name of the package's __init__
    ("import ingest.c as c", {"ingest.c"}),
    ("from ingest import d", {"ingest.d"}),
    ("from ingest.e import x", {"ingest.e"}),
    ("import ingest", {"ingest"}),
    ("def f():\n    from .a import thing\n    return thing", {"ingest.a"}),
    ("if True:\n    import ingest.b", {"ingest.b"}),
    ("import json\nfrom pathlib import Path", set()),
])
def test_imports_are_found_in_every_form(source, expected):
    assert imported(source, "ingest.z", KNOWN) == expected


def test_imports_of_flows_resolve_the_package_and_their_own():
    assert imported("from ingest import a\nfrom . import f", "flows.g", KNOWN) == {"ingest.a", "flows.f"}
