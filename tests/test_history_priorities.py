"""Every scanner's own priority survives the merge and reaches the run history's picks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scanner_kit import SCANNER_TRADE_DATE, make_scanner
from tradingagents.discovery.merge import merge_candidates
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.history import connect, history_path, record_run


def _candidate(scanner: str, ticker: str, priority: str) -> dict[str, str]:
    return {
        "ticker": ticker,
        "scanner": scanner,
        "strategy": "",
        "context": "",
        "priority": priority,
    }


def test_the_merge_keeps_each_scanners_priority_in_registration_order() -> None:
    merged = merge_candidates(
        [
            [_candidate("low_one", "NVDA", "low")],
            [_candidate("high_one", "NVDA", "high"), _candidate("high_one", "AMD", "medium")],
            # The same scanner twice for one ticker counts with its highest.
            [_candidate("twice", "NVDA", "low"), _candidate("twice", "NVDA", "medium")],
        ]
    )
    nvda, amd = merged
    assert nvda["priority"] == "high" and nvda["scanner"] == "high_one"
    assert list(nvda["priorities"].items()) == [
        ("low_one", "low"),
        ("high_one", "high"),
        ("twice", "medium"),
    ]
    assert amd["priorities"] == {"high_one": "medium"}
    json.dumps(merged)  # plain data: it lives in graph state


@pytest.mark.timeout(60)
def test_the_history_stores_every_scanners_own_priority(tmp_path: Path) -> None:
    scanners = [
        make_scanner("quiet", tickers=("NVDA",), priority="low"),
        make_scanner("loud", tickers=("NVDA", "AMD"), priority="high"),
        make_scanner("middle", tickers=("NVDA",), priority="medium"),
    ]
    graph = DiscoveryGraph({"data": {"cache_dir": str(tmp_path)}}, scanners=scanners)
    update = graph.scanner_node({"trade_date": SCANNER_TRADE_DATE})
    db = history_path(tmp_path)
    record_run(
        db,
        {**update, "trade_date": SCANNER_TRADE_DATE},
        config=graph.config,
        wall_seconds=1.0,
        exit_code=0,
        results_dir=None,
    )
    with connect(db) as connection:
        picks = connection.execute(
            "SELECT ticker, scanner, priority FROM picks ORDER BY ticker, scanner"
        ).fetchall()
    assert picks == [
        ("AMD", "loud", "high"),
        ("NVDA", "loud", "high"),
        ("NVDA", "middle", "medium"),
        ("NVDA", "quiet", "low"),
    ]
