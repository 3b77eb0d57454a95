"""Plain helpers for the run-history tests: a final state as the graph leaves it.

Not a test module: the history test modules import from here, never from one another.
"""

from __future__ import annotations

from typing import Any

SECRET = "hist-secret-9f3a7c"


def report(name: str, status: str = "ok", seconds: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "pipeline": "momentum",
        "status": status,
        "duration_seconds": seconds,
        "candidates": 1,
        "tool_calls": 3,
        "error": None,
        "coverage": None,
        **extra,
    }


def final_state(reports: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "trade_date": "2026-11-21",
        "session_date": "2026-11-20",
        "status": "ranked",
        "scan_summary": {"mode": "concurrent", "wall_seconds": 2.5},
        "scanner_reports": reports if reports is not None else [report("alpha")],
        "candidate_metadata": [
            {
                "ticker": "RDI",
                "priority": "high",
                "scanner": "alpha",
                "scanners": ["alpha", "beta"],
                "context": "moved +32%",
            },
            {
                "ticker": "ACQ",
                "priority": "low",
                "scanner": "beta",
                "scanners": ["beta"],
                "context": "quiet",
            },
        ],
        "final_ranking": [
            {
                "rank": 1,
                "ticker": "RDI",
                "score": 55.0,
                "priority": "high",
                "current_price": 12.5,
                "scanners": ["alpha", "beta"],
            },
        ],
        **extra,
    }
