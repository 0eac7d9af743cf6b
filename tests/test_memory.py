"""The process settings a run makes (memory.bulk_work): Python's collector started less often
while the run works, and the process's own setting back afterwards, whatever the threads and
the errors; a stage called alone leaves the process as it is."""

from __future__ import annotations

import gc
import shutil
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.runtime import memory, pipeline
from ingest.stages.clean import TemplateModel
from ingest.config import Settings
from ingest.runtime.state import doc_to_payload

RAW = Path(__file__).resolve().parents[1] / "raw"


@pytest.fixture
def default_threshold():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_a_block_raises_the_young_threshold_and_gives_it_back(default_threshold):
    with memory.few_collections():
        assert gc.get_threshold() == (memory.YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == default_threshold


def test_a_higher_threshold_already_set_is_kept(default_threshold):
    gc.set_threshold(10 * memory.YOUNG_THRESHOLD, 10, 10)
    with memory.few_collections():
        assert gc.get_threshold()[0] == 10 * memory.YOUNG_THRESHOLD
    assert gc.get_threshold()[0] == 10 * memory.YOUNG_THRESHOLD


def test_an_error_in_the_block_still_gives_the_threshold_back(default_threshold):
    with pytest.raises(ValueError), memory.few_collections():
        raise ValueError("a stage failed")
    assert gc.get_threshold() == default_threshold


def test_overlapping_blocks_in_two_threads_restore_only_when_the_last_ends(default_threshold):
    """Task runs may overlap in threads (Prefect's thread pool): the first to end must not put
    the threshold back under the other, nor the last leave it raised."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, tuple] = {}

    def first() -> None:
        with memory.few_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with memory.few_collections():
            second_in.set()
            first_out.wait(5)
            seen["after the first ended"] = gc.get_threshold()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["after the first ended"][0] == memory.YOUNG_THRESHOLD
    assert gc.get_threshold() == default_threshold


def test_a_run_works_with_few_collections_and_gives_the_setting_back(default_threshold, monkeypatch, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for seed in sorted(RAW.glob("*.txt")):  # the five seed pages
        shutil.copy(seed, raw / seed.name)
    seen: list[int] = []
    parse_page = pipeline.parse_page

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return parse_page(*args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_page", spy)
    summary = pipeline.run(Settings(raw=raw, curated=tmp_path / "curated"))
    assert summary.pages == 5
    assert seen and set(seen) == {memory.YOUNG_THRESHOLD}
    assert gc.get_threshold() == default_threshold
    # a stage called alone changes nothing in the process: the tuning is the run's, not the library's
    seen.clear()
    docs, _ = pipeline.load_batch(raw, sorted(p.name for p in raw.iterdir()), Settings().limits)
    pipeline.parse_items([(doc_to_payload(d), "site") for d in docs], TemplateModel({}), Settings().limits, {})
    assert len(seen) == 5 and set(seen) == {default_threshold[0]}
    with memory.bulk_work():
        assert gc.get_threshold()[0] == memory.YOUNG_THRESHOLD
        assert pa.default_memory_pool().backend_name == "system"
    assert gc.get_threshold() == default_threshold
