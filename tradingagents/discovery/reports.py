"""The records a scanner run leaves in graph state: one report per scanner and a summary.

Plain JSON data (they go through LangGraph checkpointers); built with pydantic so their
shape is written down in one place.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

ScannerStatus = Literal["ok", "error", "timeout", "skipped"]
STATUSES: tuple[ScannerStatus, ...] = ("ok", "error", "timeout", "skipped")


class ScannerReport(BaseModel):
    name: str
    pipeline: str
    status: ScannerStatus
    started: str | None = None
    finished: str | None = None
    duration_seconds: float = 0.0
    candidates: int = 0
    invalid_candidates: int = 0
    invalid_examples: list[str] = []
    tool_calls: int = 0
    error: str | None = None


def summarise(
    reports: Sequence[dict[str, Any]], *, concurrent: bool, workers: int, wall_seconds: float
) -> dict[str, Any]:
    """``scan_summary``: how the run went and what concurrency bought."""
    sequential = sum(r["duration_seconds"] for r in reports)
    counts = Counter(r["status"] for r in reports)
    return {
        "mode": "concurrent" if concurrent else "sequential",
        "workers": workers if concurrent else 1,
        "scanners": len(reports),
        "wall_seconds": round(wall_seconds, 4),
        "sequential_seconds_estimated": round(sequential, 4),
        "speedup": round(sequential / wall_seconds, 3) if wall_seconds > 0 else 0.0,
        "time_saved_seconds": round(sequential - wall_seconds, 4),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "invalid_candidates": sum(r["invalid_candidates"] for r in reports),
    }


def ideal_makespan(durations: Sequence[float], workers: int) -> float:
    """The wall time a zero-overhead executor would need: ``durations`` list-scheduled in
    submission order, each onto the earliest-free of ``workers`` workers."""
    free_at = [0.0] * max(1, workers)
    end = 0.0
    for duration in durations:
        start = heapq.heappop(free_at)
        heapq.heappush(free_at, start + duration)
        end = max(end, start + duration)
    return end


def lower_bound(durations: Sequence[float], workers: int) -> float:
    """No schedule beats the longest task, nor the total work spread over every worker."""
    if not durations:
        return 0.0
    return max(max(durations), sum(durations) / max(1, workers))
