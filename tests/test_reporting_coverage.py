"""A fetch failure is never a clean ``ok``: scanners report their coverage, all-failed is an
error, and tool calls that swallowed per-item failures log them.

The sandbox emulator serves real HTTP on 127.0.0.1 with its fault knobs turned up; the
scanners run through the real engine, sources and client code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.scanner_kit import config
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox.universe import build_universe
from tradingagents.scanners.builtin.analyst_upgrades import AnalystUpgradesScanner
from tradingagents.scanners.builtin.high_52w_breakout import High52wBreakoutScanner
from tradingagents.scanners.builtin.rsi_oversold import RsiOversoldScanner
from tradingagents.scanners.builtin.trend_template import TrendTemplateScanner
from tradingagents.scanners.builtin.unusual_volume import UnusualVolumeScanner
from tradingagents.scanners.builtin.volume_accumulation import VolumeAccumulationScanner
from tradingagents.scanners.coverage import Coverage
from tradingagents.scanners.fanout import FanOut
from tradingagents.scanners.tool_context import ToolContext
from tradingagents.sources.errors import ServiceDown
from tradingagents.sources.prices import BarsBatch

TRADE_DATE = "2026-11-20"
TECHNICAL: tuple[type[BaseScanner], ...] = (
    UnusualVolumeScanner,
    VolumeAccumulationScanner,
    High52wBreakoutScanner,
    RsiOversoldScanner,
    TrendTemplateScanner,
)
SERVICES = ("finnhub", "reddit", "alpha_vantage", "sec", "prices")
COVERAGE_KEYS = {"unit", "total", "ok", "failed", "unchecked", "reasons", "summary"}


def sandbox_config(symbols: int, **faults: dict[str, Any]) -> dict[str, Any]:
    """Quick sandbox services, ``faults`` per service, one attempt per call (so a fault is a
    failure) and a breaker that never opens (so every symbol is really asked)."""
    universe = sorted(listing.symbol for listing in build_universe(7))[:symbols]
    services = {
        s: {"latency": {"median_ms": 0}, "faults": {**faults.get(s, {}), "retry_after": None}}
        for s in SERVICES
    }
    return {
        "discovery": {
            "scanner_execution": {"max_workers": 5, "timeout_seconds": 60},
            "universe": {"symbols": universe},
        },
        "data": {
            "mode": "sandbox",
            "sandbox": {"seed": 7, "services": services},
            "resilience": {"max_attempts": 1, "breaker_fail_max": 1000},
        },
    }


def run_node(cfg: dict[str, Any], scanners: tuple[type[BaseScanner], ...]) -> dict[str, Any]:
    with DiscoveryGraph(cfg, scanners=list(scanners)) as graph:
        return graph.scanner_node({"trade_date": TRADE_DATE})  # type: ignore[arg-type]


# -- the technical scanners against a failing price service ---------------------------------


@pytest.mark.timeout(90)
def test_price_service_down_makes_every_technical_scanner_an_error() -> None:
    cfg = sandbox_config(12, prices={"error_rate": 1.0})
    update = run_node(cfg, TECHNICAL)
    for report in update["scanner_reports"]:
        assert report["status"] == "error", report
        assert "no bars at all" in report["error"]
        assert "12 of 12 symbols failed" in report["error"]
        coverage = report["coverage"]
        assert set(coverage) == COVERAGE_KEYS
        assert (coverage["total"], coverage["ok"], coverage["failed"]) == (12, 0, 12)
        assert coverage["reasons"] and len(coverage["reasons"]) <= 3
    fetches = [e for e in update["tool_logs"] if e["tool"] == "get_daily_bars_batch"]
    assert {e["scanner"] for e in fetches} == {cls.name for cls in TECHNICAL}
    for entry in fetches:
        assert entry["error"] is not None and "no bars at all" in entry["error"]
    assert update["scan_summary"]["counts"]["error"] == len(TECHNICAL)
    json.dumps(update)  # plain data, results-file ready


@pytest.mark.timeout(90)
def test_some_price_failures_are_ok_with_coverage_and_logged_as_partial_failure() -> None:
    cfg = sandbox_config(30, prices={"error_rate": 0.3})
    update = run_node(cfg, TECHNICAL)
    coverages = []
    for report in update["scanner_reports"]:
        assert report["status"] == "ok", report
        coverage = report["coverage"]
        assert coverage["total"] == 30 and 0 < coverage["failed"] < 30
        assert coverage["ok"] + coverage["failed"] == 30
        assert coverage["summary"].startswith(f"{coverage['ok']} of 30 symbols; ")
        assert f"{coverage['failed']} failed (first: " in coverage["summary"]
        coverages.append(coverage)
    # One shared fetch: every scanner saw the same symbols fail.
    assert all(c == coverages[0] for c in coverages)
    fetches = [e for e in update["tool_logs"] if e["tool"] == "get_daily_bars_batch"]
    assert len(fetches) == len(TECHNICAL)
    for entry in fetches:
        assert entry["error"].startswith(
            f"partial failure: {coverages[0]['failed']} of 30 symbols failed (first: "
        )


@pytest.mark.timeout(90)
def test_fan_out_scanner_reports_its_coverage() -> None:
    cfg = sandbox_config(30, finnhub={"error_rate": 0.25})
    (report,) = run_node(cfg, (AnalystUpgradesScanner,))["scanner_reports"]
    assert report["status"] == "ok", report
    coverage = report["coverage"]
    assert coverage["unit"] == "symbols" and coverage["total"] == 30
    assert 0 < coverage["failed"] <= 15 and coverage["ok"] == 30 - coverage["failed"]
    assert "failed (first: " in coverage["summary"]


@pytest.mark.timeout(60)
def test_clean_run_reports_full_coverage() -> None:
    (report,) = run_node(sandbox_config(8), (RsiOversoldScanner,))["scanner_reports"]
    assert report["status"] == "ok" and report["error"] is None
    assert report["coverage"]["summary"] == "8 of 8 symbols"


# -- the engine's rule, for any scanner -----------------------------------------------------


def reporting(coverage: Coverage, returned: list[dict[str, Any]]) -> type[BaseScanner]:
    class Reporting(BaseScanner):
        name = "reporting"
        pipeline = "momentum"

        def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
            self.report_coverage(coverage)
            return returned

    return Reporting


def test_scanner_whose_every_call_failed_is_an_error_not_ok_zero() -> None:
    down = Coverage.of("symbols", ok=0, failures={"AAA": "boom", "BBB": "boom"})
    graph = DiscoveryGraph(config(), scanners=[reporting(down, [])])
    (report,) = graph.scanner_node({"trade_date": TRADE_DATE})["scanner_reports"]  # type: ignore[arg-type]
    assert report["status"] == "error"
    assert report["error"] == "no data call succeeded: 0 of 2 symbols; 2 failed (first: AAA: boom)"
    assert report["coverage"]["failed"] == 2
    assert report["coverage"]["reasons"] == ["AAA: boom"]  # distinct reasons only


def test_scanner_that_asked_nothing_before_its_budget_ran_out_is_an_error() -> None:
    unasked = Coverage.of("subreddits", ok=0, unchecked=2)
    graph = DiscoveryGraph(config(), scanners=[reporting(unasked, [])])
    (report,) = graph.scanner_node({"trade_date": TRADE_DATE})["scanner_reports"]  # type: ignore[arg-type]
    assert report["status"] == "error"
    assert report["error"] == (
        "no data call succeeded: 0 of 2 subreddits; 2 not asked (time budget ran out)"
    )


def test_scanner_that_asked_about_nothing_is_ok() -> None:
    empty = Coverage.of("symbols", ok=0)
    graph = DiscoveryGraph(config(), scanners=[reporting(empty, [])])
    (report,) = graph.scanner_node({"trade_date": TRADE_DATE})["scanner_reports"]  # type: ignore[arg-type]
    assert report["status"] == "ok" and report["coverage"]["summary"] == "0 of 0 symbols"


def test_scanner_with_partial_coverage_stays_ok() -> None:
    partial = Coverage.of("symbols", ok=3, failures={"AAA": "boom"}, unchecked=2)
    found = [{"ticker": "BBB", "context": "x"}]
    graph = DiscoveryGraph(config(), scanners=[reporting(partial, found)])
    update = graph.scanner_node({"trade_date": TRADE_DATE})  # type: ignore[arg-type]
    (report,) = update["scanner_reports"]
    assert report["status"] == "ok" and report["candidates"] == 1
    assert report["coverage"]["summary"] == (
        "3 of 6 symbols; 1 failed (first: AAA: boom); 2 not asked (time budget ran out)"
    )


def test_coverage_counts_must_add_up() -> None:
    with pytest.raises(ValueError, match="must add up to total 5"):
        Coverage("symbols", total=5, ok=3, failed=1)
    with pytest.raises(ValueError, match="must not be negative: failed"):
        Coverage("symbols", total=1, ok=2, failed=-1)


def test_coverage_reasons_are_bounded_and_scrubbed() -> None:
    from tradingagents.sources.redaction import register_secret

    register_secret("sk-reporting-secret-123456")
    failures = {f"T{i}": f"error {i} " + "x" * 500 for i in range(10)}
    failures["T0"] = "bad key sk-reporting-secret-123456"
    coverage = Coverage.of("symbols", ok=1, failures=failures)
    assert len(coverage.reasons) == 3
    assert all(len(reason) <= 200 for reason in coverage.reasons)
    assert "sk-reporting-secret-123456" not in json.dumps(coverage.as_dict())


# -- tool outputs that swallowed per-item failures ------------------------------------------


def test_tool_log_shows_failures_a_bars_batch_swallowed() -> None:
    import pandas as pd

    def batch() -> BarsBatch:
        return BarsBatch(
            bars={"AAA": pd.DataFrame({"close": [1.0]})},
            errors={"BBB": ServiceDown("prices", "HTTP 503")},
        )

    ctx = ToolContext("s")
    ctx.call("get_daily_bars_batch", batch)
    (entry,) = ctx.records()
    assert entry["error"] == "partial failure: 1 of 2 symbols failed (first: BBB: prices: HTTP 503)"


def test_tool_log_shows_what_a_fan_out_left_out() -> None:
    def gathered() -> FanOut[str, int]:
        return FanOut(
            results={"A": 1}, failures={"B": ServiceDown("finnhub", "HTTP 503")}, unchecked=["C"]
        )

    ctx = ToolContext("s")
    ctx.call("fan", gathered)
    ctx.call("clean", lambda: FanOut(results={"A": 1}))
    first, second = ctx.records()
    assert first["error"] == (
        "partial failure: 1 of 3 items failed (first: B: finnhub: HTTP 503); "
        "1 of 3 items not asked before the time budget ran out"
    )
    assert second["error"] is None
