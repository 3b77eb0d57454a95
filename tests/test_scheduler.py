"""Duration-aware scheduling: scanners queued longest expected first (from the run history),
results still merged in registration order."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.history_kit import final_state, report
from tests.scanner_kit import SCANNER_TRADE_DATE, make_scanner
from tradingagents.config import ConfigError
from tradingagents.discovery import BaseScanner, DeadlinePool, run_scanners
from tradingagents.discovery.schedule import longest_first
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.history import history_path, record_run

NAMES = ["a", "b", "c", "d"]
EXPECTED = {"a": 0.5, "b": 3.0, "c": 1.0}  # "d" has no history


def _scanners(delay: float = 0.0) -> list[type[BaseScanner]]:
    # Overlapping tickers, so the merge has something to order.
    tickers = {"a": ("AAA", "SHR"), "b": ("SHR", "BBB"), "c": ("CCC",), "d": ("SHR", "DDD")}
    return [make_scanner(n, delay=delay, tickers=tickers[n]) for n in NAMES]


def _execution(**overrides: Any) -> dict[str, Any]:
    return {"discovery": {"scanner_execution": {"concurrent": True, **overrides}}}


def _run(
    graph: DiscoveryGraph, expected: dict[str, float] | None
) -> tuple[list[str], dict[str, Any]]:
    started: list[str] = []
    lock = threading.Lock()

    def emit(event: dict[str, Any]) -> None:
        if event["event"] == "scanner_started":
            with lock:
                started.append(event["name"])

    update = run_scanners(
        graph.settings, {"trade_date": SCANNER_TRADE_DATE}, emit=emit, expected_seconds=expected
    )
    return started, update


def _tool_log_order(update: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(e["scanner"], e["tool"], e["type"]) for e in update["tool_logs"]]


def test_longest_first_puts_unknown_first_then_longest_keeping_registration_on_ties() -> None:
    names = ["a", "b", "c", "d", "e"]
    expected = {"a": 1.0, "b": 5.0, "c": 1.0, "e": 2.0}
    assert longest_first(names, expected) == [3, 1, 4, 0, 2]
    assert longest_first(names, {}) == [0, 1, 2, 3, 4]


@pytest.mark.timeout(30)
def test_pool_starts_tasks_in_the_given_order_and_reports_them_by_index() -> None:
    started: list[int] = []

    def task(index: int) -> Any:
        def run() -> int:
            started.append(index)
            return index * 10

        return run

    done: list[int] = []
    pool: DeadlinePool[int] = DeadlinePool(max_workers=1, timeout=5.0)
    outcomes = pool.run(
        [task(i) for i in range(4)], order=[2, 0, 3, 1], on_done=lambda o: done.append(o.index)
    )
    assert started == [2, 0, 3, 1]
    assert done == [2, 0, 3, 1]
    assert [(o.index, o.value) for o in outcomes] == [(0, 0), (1, 10), (2, 20), (3, 30)]


@pytest.mark.parametrize("order", [[0, 1], [0, 1, 1], [0, 1, 3]])
def test_pool_refuses_an_order_that_is_not_each_index_once(order: list[int]) -> None:
    pool: DeadlinePool[int] = DeadlinePool(max_workers=1, timeout=5.0)
    with pytest.raises(ValueError, match=r"order must list each task index 0\.\.2 once"):
        pool.run([lambda: 1, lambda: 2, lambda: 3], order=order)


@pytest.mark.timeout(60)
def test_engine_queues_longest_expected_first_and_the_update_keeps_registration_order() -> None:
    # One worker: the start order is exactly the queue order.
    graph = DiscoveryGraph(_execution(max_workers=1), scanners=_scanners(delay=0.01))
    plain_started, plain = _run(graph, None)
    lpt_started, lpt = _run(graph, EXPECTED)
    assert plain_started == ["a", "b", "c", "d"]
    assert lpt_started == ["d", "b", "c", "a"]  # unknown first, then 3.0, 1.0, 0.5
    assert lpt["candidate_metadata"] == plain["candidate_metadata"]
    assert lpt["tickers"] == plain["tickers"] == ["AAA", "SHR", "BBB", "CCC", "DDD"]
    assert _tool_log_order(lpt) == _tool_log_order(plain)
    assert [r["name"] for r in lpt["scanner_reports"]] == NAMES


@pytest.mark.timeout(60)
def test_the_registration_schedule_ignores_expected_durations() -> None:
    config = _execution(max_workers=1, schedule="registration")
    graph = DiscoveryGraph(config, scanners=_scanners())
    started, _ = _run(graph, EXPECTED)
    assert started == NAMES


def test_an_unknown_schedule_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"discovery\.scanner_execution\.schedule"):
        DiscoveryGraph(_execution(schedule="fastest"), scanners=_scanners())


@pytest.mark.timeout(60)
def test_the_graph_schedules_from_the_run_history_in_the_data_cache_dir(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    config = {**_execution(max_workers=2), "data": {"cache_dir": str(cache)}}
    graph = DiscoveryGraph(config, scanners=_scanners(delay=0.2))

    assert graph.expected_durations() is None  # no history yet: registration order
    first: list[str] = []
    graph.on_event = lambda e: first.append(e["name"]) if e["event"] == "scanner_started" else None
    without = graph.scanner_node({"trade_date": SCANNER_TRADE_DATE})
    assert set(first[:2]) == {"a", "b"}

    # An earlier run in the history: d was the slowest, then c; a and b were quick.
    reports = [report("a", seconds=0.1), report("b", seconds=0.2)]
    reports += [report("c", seconds=2.0), report("d", seconds=4.0)]
    record_run(
        history_path(cache),
        final_state(reports),
        config=graph.config,
        wall_seconds=4.0,
        exit_code=0,
        results_dir=None,
    )
    assert graph.expected_durations() == {"a": 0.1, "b": 0.2, "c": 2.0, "d": 4.0}
    second: list[str] = []
    graph.on_event = lambda e: second.append(e["name"]) if e["event"] == "scanner_started" else None
    with_history = graph.scanner_node({"trade_date": SCANNER_TRADE_DATE})
    assert set(second[:2]) == {"c", "d"}
    assert set(second[2:]) == {"a", "b"}
    assert with_history["candidate_metadata"] == without["candidate_metadata"]
    assert _tool_log_order(with_history) == _tool_log_order(without)


def test_one_worker_or_a_sequential_run_does_not_read_the_history(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    record_run(
        history_path(cache),
        final_state([report("a", seconds=2.0)]),
        config={},
        wall_seconds=1.0,
        exit_code=0,
        results_dir=None,
    )
    data = {"data": {"cache_dir": str(cache)}}
    for execution in ({"max_workers": 1}, {"concurrent": False}, {"schedule": "registration"}):
        config = {"discovery": {"scanner_execution": execution}, **data}
        assert DiscoveryGraph(config, scanners=_scanners()).expected_durations() is None
    assert DiscoveryGraph(data, scanners=_scanners()).expected_durations() == {"a": 2.0}
