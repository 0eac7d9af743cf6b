"""The benchmark keeps benchmarks/results.md's hand-written sections when it writes its table."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_new_table_replaces_the_last_one_and_keeps_the_sections_below(tmp_path):
    results = tmp_path / "results.md"
    results.write_text("# Benchmark results\n\n| figure | value |\n|---|---|\n| old | 1 |\n\n"
                       "## Every core\n\nA section written by hand.\n\n## History\n\n- a line\n", encoding="utf-8")
    _bench()._replace_latest(results, "# Benchmark results\n\n| figure | value |\n|---|---|\n| new | 2 |\n")
    text = results.read_text(encoding="utf-8")
    assert "| new | 2 |" in text and "| old | 1 |" not in text
    assert text.index("| new | 2 |") < text.index("## Every core") < text.index("## History")
    assert text.endswith("## History\n\n- a line\n") and "A section written by hand." in text


def test_a_first_table_makes_the_file(tmp_path):
    results = tmp_path / "results.md"
    _bench()._replace_latest(results, "# Benchmark results\n\n| a | b |\n")
    assert results.read_text(encoding="utf-8") == "# Benchmark results\n\n| a | b |\n"
