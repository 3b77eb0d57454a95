"""Per-symbol scanners under a rate limit they cannot finish within: partial, not lost."""

from __future__ import annotations

from tradingagents.discovery import SCANNER_REGISTRY
from tradingagents.graph.discovery_graph import DiscoveryGraph

FAN_OUT_SCANNERS = ("analyst_upgrades", "news_catalyst")


def test_fan_out_scanners_return_what_they_checked_before_their_timeout() -> None:
    config = {
        "discovery": {
            "scanner_execution": {"timeout_seconds": 4},
            "scanners": {n: {"enabled": n in FAN_OUT_SCANNERS} for n in SCANNER_REGISTRY.names()},
        },
        "data": {
            "sandbox": {
                "services": {
                    # The free tier: 500 per-symbol calls cannot fit in 4 s.
                    "finnhub": {"latency": {"median_ms": 0}, "rate_limit": {"per_minute": 60}}
                }
            }
        },
    }
    with DiscoveryGraph(config) as graph:
        update = graph.scanner_node({"trade_date": "2026-11-20"})
    reports = {r["name"]: r for r in update["scanner_reports"]}
    assert set(reports) == set(FAN_OUT_SCANNERS)
    for name, report in reports.items():
        assert report["status"] == "ok", report
        assert report["duration_seconds"] < 4.0, report
        calls = [e for e in update["tool_logs"] if e["scanner"] == name and e["type"] == "tool"]
        answered = [e for e in calls if e["error"] is None]
        refused = [e for e in calls if e["error"] and "time budget" in e["error"]]
        assert 0 < len(answered) < 500, name  # some symbols checked, not all
        assert refused, f"{name}: the symbols it could not check are not in the tool log"
