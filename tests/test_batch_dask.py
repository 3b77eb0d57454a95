"""Backend ``dask`` on a real ``LocalCluster`` of 2 worker processes (one per module)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

pytest.importorskip("distributed", reason="backend dask needs the 'distributed' package")

from tests.batch_kit import behave
from tradingagents.batch import ItemResult, ItemStatus, ProcessingEngine, ProcessingJob


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[ProcessingEngine]:
    with ProcessingEngine("dask", max_workers=2) as engine:
        yield engine


def strip(r: ItemResult) -> tuple[object, ...]:
    return (r.index, r.item, r.status, r.value, r.error_type, r.error)


@pytest.mark.timeout(120)
def test_dask_gives_the_same_result_types_and_values_as_processes(
    dask_engine: ProcessingEngine,
) -> None:
    items = [("square", i) for i in range(30)] + [("raise", "no bars")]
    job = ProcessingJob(items, behave, chunk_size=4)
    on_dask = dask_engine.run(job)
    on_processes = ProcessingEngine("processes", max_workers=2).run(job)
    assert [strip(r) for r in on_dask.items] == [strip(r) for r in on_processes.items]
    assert on_dask.items[30].status is ItemStatus.ERROR
    assert (on_dask.summary.backend, on_dask.summary.workers, on_dask.summary.total) == (
        "dask",
        2,
        31,
    )


@pytest.mark.timeout(120)
def test_dask_reports_a_hung_item_timeout_on_time_and_discards_its_result(
    dask_engine: ProcessingEngine,
) -> None:
    items = [("square", 1), ("sleep", 30, "too late"), ("square", 3), ("square", 4)]
    progress: list[int] = []
    dask_engine.progress = lambda done, total, last: progress.append(done)
    try:
        started = time.monotonic()
        result = dask_engine.run(ProcessingJob(items, behave, timeout_per_item=1, chunk_size=2))
        elapsed = time.monotonic() - started
    finally:
        dask_engine.progress = None
    assert elapsed < 20  # the hung item sleeps 30 s
    hung = result.items[1]
    assert (hung.status, hung.value) == (ItemStatus.TIMEOUT, None)
    assert 1 <= hung.duration < 5
    assert [r.value for r in result.items] == [1, None, 9, 16]
    assert progress == [1, 2, 3, 4]


@pytest.mark.timeout(120)
def test_an_existing_scheduler_is_used_by_address_and_left_running(
    dask_engine: ProcessingEngine,
) -> None:
    address = dask_engine.address
    assert address is not None and address.startswith("tcp://127.0.0.1:")
    with pytest.raises(ValueError, match="max_workers= does not apply"):
        ProcessingEngine("dask", address=address, max_workers=4)
    with ProcessingEngine("dask", address=address) as remote:
        result = remote.run(ProcessingJob([("square", i) for i in range(5)], behave))
    assert [r.value for r in result.items] == [0, 1, 4, 9, 16]
    assert result.summary.workers == 2  # the cluster's worker threads
    # Closing the engine that connected by address leaves the cluster running.
    assert dask_engine.run(ProcessingJob([("square", 7)], behave)).values == [49]
