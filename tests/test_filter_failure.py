"""A filter that got no price data for any candidate is a failure, not a quiet market: the
state says why, the results carry it, and `discover` exits 1."""

from __future__ import annotations

import pytest

from tests.scanner_kit import make_scanner
from tradingagents.cli.discover import exit_code
from tradingagents.cli.results import result_fields
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox.universe import build_universe

SERVICES = ("finnhub", "reddit", "alpha_vantage", "sec", "prices")
TICKERS = tuple(sorted(listing.symbol for listing in build_universe(7))[:2])


def _config(price_error_rate: float) -> dict[str, object]:
    services: dict[str, object] = {s: {"latency": {"median_ms": 0}} for s in SERVICES}
    services["prices"] = {
        "latency": {"median_ms": 0},
        "faults": {"error_rate": price_error_rate, "retry_after": None},
    }
    return {
        "discovery": {"scanner_execution": {"timeout_seconds": 20}},
        "data": {
            "mode": "sandbox",
            "sandbox": {"seed": 7, "services": services},
            "resilience": {"max_attempts": 1, "breaker_fail_max": 1000},
        },
    }


@pytest.mark.timeout(120)
def test_no_price_data_for_any_candidate_is_a_filter_error_and_exit_1() -> None:
    finder = make_scanner("finder", tickers=TICKERS)
    with DiscoveryGraph(_config(1.0), scanners=[finder]) as graph:
        final = graph.run("2026-11-20")
    assert [r["status"] for r in final["scanner_reports"]] == ["ok"]
    assert final["filtered_candidates"] == []
    assert "no price data for any of the 2 candidates" in final["filter_error"]
    assert "filter_error" in result_fields(final)
    reports, error = final["scanner_reports"], final["filter_error"]
    assert exit_code(reports, strict=False, filter_error=error) == 1


@pytest.mark.timeout(120)
def test_a_filter_that_got_its_prices_sets_no_error() -> None:
    finder = make_scanner("finder", tickers=TICKERS)
    with DiscoveryGraph(_config(0.0), scanners=[finder]) as graph:
        final = graph.run("2026-11-20")
    assert "filter_error" not in final
    assert exit_code(final["scanner_reports"], strict=False) == 0
