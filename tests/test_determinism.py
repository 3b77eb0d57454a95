"""Concurrent and sequential runs of the same scanners produce identical results,
whatever the latencies and the worker count (a property test over random schedules)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scanner_kit import config, make_scanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

TICKERS = ["NVDA", "AMD", "TSLA", "AAPL", "MSFT", "META"]
PRIORITIES = ["low", "medium", "high", "critical"]
TIMING_KEYS = {"timestamp", "duration_seconds"}

scanner_specs = st.lists(
    st.tuples(
        st.floats(min_value=0.0, max_value=0.03),  # latency
        st.lists(st.sampled_from(TICKERS), max_size=4),
        st.sampled_from(PRIORITIES),
        st.sampled_from(["momentum", "social", "edge"]),
    ),
    min_size=1,
    max_size=7,
)


def _without_timings(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in entry.items() if k not in TIMING_KEYS} for entry in logs]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=scanner_specs, workers=st.integers(min_value=1, max_value=8))
def test_concurrent_and_sequential_runs_are_identical(specs: list[Any], workers: int) -> None:
    scanners = [
        make_scanner(
            f"s{i}", delay=delay, tickers=tuple(tickers), priority=priority, pipeline=pipeline
        )
        for i, (delay, tickers, priority, pipeline) in enumerate(specs)
    ]
    state = {"trade_date": "2026-11-24"}
    concurrent = DiscoveryGraph(config(max_workers=workers), scanners=scanners).scanner_node(state)  # type: ignore[arg-type]
    sequential = DiscoveryGraph(config(concurrent=False), scanners=scanners).scanner_node(state)  # type: ignore[arg-type]
    assert concurrent["candidate_metadata"] == sequential["candidate_metadata"]
    assert concurrent["tickers"] == sequential["tickers"]
    assert _without_timings(concurrent["tool_logs"]) == _without_timings(sequential["tool_logs"])
    assert [r["name"] for r in concurrent["scanner_reports"]] == [
        f"s{i}" for i in range(len(specs))
    ]
