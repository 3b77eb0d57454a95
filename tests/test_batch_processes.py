"""Backend ``processes``: timeouts kill the worker, crashes cost one item, Ctrl-C leaves no
process behind."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.batch_kit import alive, behave, descendants, pids_in, report_while_terminated
from tradingagents.batch import ItemStatus, ProcessingEngine, ProcessingJob

REPO = Path(__file__).resolve().parents[1]


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


@pytest.mark.timeout(60)
def test_a_hung_item_is_killed_and_reported_while_the_rest_of_its_chunk_finish(
    tmp_path: Path,
) -> None:
    items = [("square", i) for i in range(10)]
    items[4] = ("hang", str(tmp_path))
    started = time.monotonic()
    result = ProcessingEngine(max_workers=2).run(
        ProcessingJob(items, behave, timeout_per_item=0.5, chunk_size=10)
    )
    assert time.monotonic() - started < 30  # the hung item sleeps 60 s
    hung = result.items[4]
    assert hung.status is ItemStatus.TIMEOUT and hung.error_type == "TimeoutError"
    assert 0.5 <= hung.duration < 3  # its own deadline, not the chunk's
    assert [r.value for r in result.items if r.index != 4] == [
        i * i for i in range(10) if i != 4
    ]
    (pid,) = pids_in(tmp_path)
    assert not alive(pid), "the worker running the hung item was not killed"


@pytest.mark.timeout(60)
def test_a_killed_worker_is_replaced_and_later_items_still_run(tmp_path: Path) -> None:
    items = [("hang", str(tmp_path)), ("hang", str(tmp_path))] + [
        ("square", i) for i in range(6)
    ]
    result = ProcessingEngine(max_workers=2).run(
        ProcessingJob(items, behave, timeout_per_item=0.5, chunk_size=1)
    )
    assert [r.status for r in result.items[:2]] == [ItemStatus.TIMEOUT] * 2
    assert [r.value for r in result.items[2:]] == [i * i for i in range(6)]
    assert len(pids_in(tmp_path)) == 2 and not any(alive(p) for p in pids_in(tmp_path))


@pytest.mark.timeout(60)
def test_a_worker_that_dies_costs_only_its_item() -> None:
    items = [("square", i) for i in range(12)]
    items[2] = ("segfault",)
    items[7] = ("exit", 3)
    result = ProcessingEngine(max_workers=2).run(ProcessingJob(items, behave, chunk_size=4))
    for index, code in ((2, -signal.SIGSEGV), (7, 3)):
        died = result.items[index]
        assert died.status is ItemStatus.ERROR and died.error_type == "WorkerDied"
        assert f"exit code {code}" in (died.error or "")
    assert [r.value for r in result.items if r.index not in (2, 7)] == [
        i * i for i in range(12) if i not in (2, 7)
    ]


@pytest.mark.timeout(60)
def test_sys_exit_and_an_unpicklable_value_fail_only_their_item() -> None:
    items = [("sysexit", 4), ("square", 2), ("unpicklable",), ("square", 3)]
    result = ProcessingEngine(max_workers=2).run(ProcessingJob(items, behave, chunk_size=4))
    assert [r.status for r in result.items] == [
        ItemStatus.ERROR,
        ItemStatus.OK,
        ItemStatus.ERROR,
        ItemStatus.OK,
    ]
    assert (result.items[0].error_type, result.items[0].error) == ("SystemExit", "4")
    assert "could not be sent back" in (result.items[2].error or "")
    assert [result.items[1].value, result.items[3].value] == [4, 9]


@pytest.mark.timeout(60)
def test_an_unpicklable_function_fails_its_items_with_a_clear_error() -> None:
    result = ProcessingEngine(max_workers=2).run(
        ProcessingJob([1, 2, 3], lambda x: x, chunk_size=2)
    )
    assert {r.status for r in result.items} == {ItemStatus.ERROR}
    assert all("pickle" in (r.error or "").lower() for r in result.items)


@pytest.mark.timeout(60)
def test_workers_are_kept_between_runs_and_stopped_by_close() -> None:
    job = ProcessingJob([("pid",)] * 8, behave, chunk_size=1)
    with ProcessingEngine(max_workers=2) as engine:
        first = set(engine.run(job).values)
        second = set(engine.run(job).values)
    # Which worker takes which item is up to the pool, but two workers kept between runs
    # means at most two processes served them; replaced workers would show new pids.
    assert len(first | second) <= 2
    assert wait_until(lambda: not any(alive(p) for p in first), 10)


@pytest.mark.timeout(60)
def test_a_stream_closed_early_stops_the_workers_still_running_its_items(
    tmp_path: Path,
) -> None:
    items = [("square", 1)] + [("hang", str(tmp_path))] * 4
    engine = ProcessingEngine(max_workers=2)
    results = engine.stream(ProcessingJob(items, behave, chunk_size=1))
    assert next(results).value == 1
    assert wait_until(lambda: len(pids_in(tmp_path)) == 2, 30)
    results.close()
    assert wait_until(lambda: not any(alive(p) for p in pids_in(tmp_path)), 2)
    # The engine starts new workers for its next run.
    assert engine.run(ProcessingJob([("square", 3)], behave)).values == [9]
    engine.close()


@pytest.mark.timeout(60)
def test_a_second_stream_on_a_busy_engine_is_refused_and_the_first_goes_on() -> None:
    job = ProcessingJob([("square", i) for i in range(6)], behave, chunk_size=1)
    with ProcessingEngine(max_workers=2) as engine:
        first = engine.stream(job)
        done = [next(first)]
        with pytest.raises(RuntimeError, match="already running a job"):
            next(engine.stream(job))
        done.extend(first)
        assert sorted(r.value for r in done) == [i * i for i in range(6)]
        assert engine.run(job).values == [i * i for i in range(6)]  # free again


@pytest.mark.timeout(60)
def test_a_worker_terminated_while_reporting_finishes_the_message_and_frees_the_lock() -> None:
    context = multiprocessing.get_context("forkserver")
    reader, writer = context.Pipe(duplex=False)
    lock = context.Lock()
    size = 8 * 2**20  # far beyond a pipe's buffer: the write blocks until the parent reads
    child = context.Process(target=report_while_terminated, args=(writer, lock, size))
    child.start()
    writer.close()  # a child dying mid-message then shows as EOFError, not a hang
    try:
        assert reader.poll(30), "the child never started writing"
        time.sleep(0.2)  # blocked in its write, holding the lock
        child.terminate()
        time.sleep(0.2)
        message = pickle.loads(reader.recv_bytes())
        assert message[:3] == ("done", 0, 0) and len(message[3]) == size
        child.join(10)
        assert child.exitcode == 1  # it did exit on SIGTERM, after the write
        assert lock.acquire(timeout=2), "the lock was left held"
    finally:
        if child.is_alive():
            child.kill()


CTRL_C_CHILD = textwrap.dedent(
    """
    import sys
    from tests.batch_kit import behave
    from tradingagents.batch import ProcessingEngine, ProcessingJob

    items = [("hang", sys.argv[1])] * 6
    try:
        ProcessingEngine(max_workers=2).run(ProcessingJob(items, behave, chunk_size=1))
    except KeyboardInterrupt:
        sys.exit(130)
    """
)


@pytest.mark.timeout(90)
def test_ctrl_c_stops_every_worker_within_a_second_and_leaves_no_orphan(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_CHILD, str(tmp_path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert wait_until(lambda: len(pids_in(tmp_path)) == 2, 60), "workers never started"
        below = descendants(child.pid)
        workers = pids_in(tmp_path)
        assert set(workers) <= below
        interrupted = time.monotonic()
        child.send_signal(signal.SIGINT)
        assert wait_until(lambda: not any(alive(p) for p in workers), 10)
        assert time.monotonic() - interrupted < 1.0  # measured ~0.1 s on a loaded machine
        assert child.wait(timeout=30) == 130
        # The forkserver and resource tracker follow the interpreter's exit.
        assert wait_until(lambda: not any(alive(p) for p in below), 10)
    finally:
        if child.poll() is None:
            child.kill()
