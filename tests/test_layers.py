"""Import contracts between the package's layers, checked on the source (AST), without importing it.

The layers are the package's folders, bottom to top: the model at the root of ``ingest``
(records, schema, settings, errors, rules, tabular rows), ``ingest.stages`` (pure steps from raw
pages to table rows), ``ingest.store`` (where tables live and how a snapshot is written),
``ingest.runtime`` (how a run is driven) and the surface (the CLI, reports, evaluation,
training, serving, readers' access, the flows). A module may import its own layer and the
layers below it, never one above; inside ``ingest.stages`` a stage imports only the stages
before it in the page's path (STAGE_ORDER). Imports anywhere in a module count, inside
functions too. A new module at the root must be placed in MODEL or SURFACE before this passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ingest"

# The root modules of the model layer and of the surface (module names under ``ingest``).
MODEL = ("models", "schema", "config", "errors", "rules", "tabular")
SURFACE = ("cli", "report", "evaluate", "learn", "serve", "access")
ORDER = ["model", "stages", "store", "runtime", "surface"]

# The page's path through the stages: a stage may import only those before it. ``sections``
# (the canonical sections and which heading names which) is the vocabulary every later stage uses.
STAGE_ORDER = ("sections", "read", "extract", "boilerplate", "clean", "site", "parse", "dedup", "tables", "validate")

# Imports that go up a layer on purpose, with the reason.
ALLOWED = {
    ("ingest.stages.read", "ingest.store.storage"):
        "read.py is the landing zone's reader, the one stage that touches storage",
}


def modules() -> dict[str, Path]:
    """Every module of the package (its sub-packages included) and of flows/, by dotted name."""
    found = {}
    for package, directory in (("ingest", PACKAGE), ("flows", ROOT / "flows")):
        for path in sorted(directory.rglob("*.py")):
            parts = (package, *path.relative_to(directory).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def layer_of(module: str) -> str | None:
    """The layer of a module of the package or of flows/, from where it is."""
    parts = module.split(".")
    if parts[0] == "flows" or module == "ingest":
        return "surface"
    if len(parts) >= 2 and parts[1] in ("stages", "store", "runtime"):
        return parts[1]
    if len(parts) == 2 and parts[1] in MODEL:
        return "model"
    if len(parts) == 2 and parts[1] in SURFACE:
        return "surface"
    return None


def imported(source: str, module: str, known: set[str]) -> set[str]:
    """The project modules that ``source`` (the module ``module``) imports, anywhere in it:
    ``import a.b``, ``from a import b`` (b a module, else the package a), relative forms."""
    package = module if module in PACKAGES else module.rpartition(".")[0]
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


PACKAGES = ("ingest", "flows", "ingest.stages", "ingest.store", "ingest.runtime")


def violations() -> list[str]:
    known = modules()
    out = []
    for module, path in known.items():
        for target in sorted(imported(path.read_text(encoding="utf-8"), module, set(known))):
            if (module, target) in ALLOWED:
                continue
            mine, theirs = layer_of(module), layer_of(target)
            if mine is None or theirs is None:
                continue
            if ORDER.index(theirs) > ORDER.index(mine):
                out.append(f"{module} ({mine}) imports {target} ({theirs})")
    return out


def stage_violations() -> list[str]:
    """Imports between stages that go against the page's path (STAGE_ORDER)."""
    known = modules()
    out = []
    for stage in STAGE_ORDER:
        module = f"ingest.stages.{stage}"
        for target in imported(known[module].read_text(encoding="utf-8"), module, set(known)):
            other = target.removeprefix("ingest.stages.")
            if other in STAGE_ORDER and STAGE_ORDER.index(other) > STAGE_ORDER.index(stage):
                out.append(f"{module} imports {target}, a later stage")
    return out


def test_every_module_is_placed_in_a_layer():
    unplaced = sorted(m for m in modules() if layer_of(m) is None)
    assert not unplaced, f"place these root modules in MODEL or SURFACE (tests/test_layers.py): {unplaced}"
    stages = {m.removeprefix("ingest.stages.") for m in modules() if m.startswith("ingest.stages.")}
    assert stages == set(STAGE_ORDER), f"STAGE_ORDER and ingest/stages/ differ: {sorted(stages ^ set(STAGE_ORDER))}"
    missing = sorted(f"ingest.{m}" for m in MODEL + SURFACE if f"ingest.{m}" not in modules())
    assert not missing, f"MODEL or SURFACE names modules that do not exist: {missing}"


def test_no_module_imports_a_layer_above_its_own():
    found = violations()
    assert not found, "imports up a layer (move the code down, or pass it in):\n" + "\n".join(found)


def test_stages_import_only_the_stages_before_them():
    found = stage_violations()
    assert not found, "\n".join(found)


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
