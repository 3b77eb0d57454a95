"""The batch engine's API, result types, ordering and progress (fast: threads backend, and
small jobs on the processes backend)."""

from __future__ import annotations

import time

import pytest

from tests.batch_kit import behave
from tradingagents.batch import (
    ItemResult,
    ItemStatus,
    ProcessingEngine,
    ProcessingJob,
)
from tradingagents.batch.chunking import MAX_AUTO_CHUNK, auto_chunk_size, index_chunks


def mixed_items() -> list[tuple[object, ...]]:
    # Later items finish first, so completion order differs from submission order.
    return [("sleep", 0.3 - 0.05 * i, f"v{i}") for i in range(6)] + [("raise", "bad item")]


def test_job_rejects_bad_input_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="fn must be callable"):
        ProcessingJob([1], "not a function")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="items must be a sequence"):
        ProcessingJob("AAPL", behave)
    with pytest.raises(ValueError, match="timeout_per_item must be a positive number"):
        ProcessingJob([1], behave, timeout_per_item=0)
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        ProcessingJob([1], behave, chunk_size=0)
    with pytest.raises(ValueError, match="unknown batch backend 'gpu'"):
        ProcessingEngine("gpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown start_method 'thread'"):
        ProcessingEngine(start_method="thread")
    with pytest.raises(ValueError, match="address= is for the dask backend"):
        ProcessingEngine("processes", address="tcp://127.0.0.1:8786")
    assert ProcessingJob(iter([1, 2]), behave).items == [1, 2]


def test_chunks_cover_every_item_once_and_auto_size_is_bounded() -> None:
    assert [c for c in index_chunks(7, 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert auto_chunk_size(2500, 2) == 64 == MAX_AUTO_CHUNK
    assert auto_chunk_size(100, 2) == 7  # about 8 chunks per worker
    assert auto_chunk_size(3, 4) == 1


@pytest.mark.timeout(30)
def test_run_returns_results_in_submission_order_with_statuses_and_summary() -> None:
    job = ProcessingJob(mixed_items(), behave, timeout_per_item=5, chunk_size=1)
    with ProcessingEngine("threads", max_workers=4) as engine:
        result = engine.run(job)
    assert [r.index for r in result.items] == list(range(7))
    assert [r.item for r in result.items] == list(job.items)
    assert [r.value for r in result.items[:6]] == [f"v{i}" for i in range(6)]
    assert all(r.status is ItemStatus.OK and r.error is None for r in result.items[:6])
    failure = result.items[6]
    assert (failure.status, failure.error_type, failure.error) == (
        ItemStatus.ERROR,
        "ValueError",
        "bad item",
    )
    assert result.failures() == [failure]
    summary = result.summary
    assert (summary.total, summary.ok, summary.errors, summary.timeouts) == (7, 6, 1, 0)
    assert summary.item_seconds_sum == pytest.approx(sum(r.duration for r in result.items))
    assert summary.speedup_over_item_time_sum == pytest.approx(
        summary.item_seconds_sum / summary.wall_seconds
    )
    assert summary.items_per_second == pytest.approx(7 / summary.wall_seconds)
    assert result.items[0].duration >= 0.29  # each item keeps its own duration


@pytest.mark.timeout(30)
def test_stream_yields_in_completion_order_and_progress_counts_every_item() -> None:
    seen: list[tuple[int, int, ItemResult]] = []
    job = ProcessingJob(mixed_items(), behave, chunk_size=1)
    engine = ProcessingEngine(
        "threads", max_workers=7, progress=lambda d, t, r: seen.append((d, t, r))
    )
    streamed = list(engine.stream(job))
    assert sorted(r.index for r in streamed) == list(range(7))
    assert [r.index for r in streamed] != list(range(7))  # the slowest item was submitted first
    assert [(d, t) for d, t, _ in seen] == [(i, 7) for i in range(1, 8)]
    assert [r for _, _, r in seen] == streamed


@pytest.mark.timeout(30)
def test_threads_backend_reports_a_hung_item_on_time_and_finishes_the_rest() -> None:
    items = [("sleep", 20, "hung"), *[("square", i) for i in range(5)]]
    started = time.monotonic()
    result = ProcessingEngine("threads", max_workers=2).run(
        ProcessingJob(items, behave, timeout_per_item=0.5, chunk_size=3)
    )
    assert time.monotonic() - started < 10
    hung = result.items[0]
    assert hung.status is ItemStatus.TIMEOUT and hung.value is None
    assert 0.5 <= hung.duration < 5
    assert [r.value for r in result.items[1:]] == [i * i for i in range(5)]


@pytest.mark.timeout(60)
def test_processes_backend_gives_the_same_results_as_threads() -> None:
    items = [("square", i) for i in range(40)] + [("raise", "no bars")]
    job = ProcessingJob(items, behave, chunk_size=6)
    on_processes = ProcessingEngine("processes", max_workers=2).run(job)
    on_threads = ProcessingEngine("threads", max_workers=2).run(job)
    def strip(r: ItemResult) -> tuple[object, ...]:
        return (r.index, r.status, r.value, r.error_type, r.error)

    assert [strip(r) for r in on_processes.items] == [strip(r) for r in on_threads.items]
    assert on_processes.summary.backend == "processes"
    assert on_processes.summary.chunk_size == 6


@pytest.mark.timeout(30)
def test_closing_a_threads_stream_ends_running_chunks_after_their_current_item() -> None:
    import threading

    # The first chunk (fast items) comes back while the second (slow items) is running.
    items = [("sleep", 0.01, i) for i in range(10)] + [("sleep", 0.2, i) for i in range(10)]
    results = ProcessingEngine("threads", max_workers=2).stream(
        ProcessingJob(items, behave, chunk_size=10)
    )
    assert next(results).index < 10
    results.close()

    def chunk_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("batch-chunk")]

    deadline = time.monotonic() + 1.0  # the rest of the slow chunk would take ~1.7 s
    while chunk_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not chunk_threads()


def test_threads_default_to_one_item_per_chunk() -> None:
    job = ProcessingJob([("square", i) for i in range(100)], behave)
    assert ProcessingEngine("threads", max_workers=2).chunk_size(job) == 1
    assert ProcessingEngine("processes", max_workers=2).chunk_size(job) == 7
