"""The records a scanner run leaves in graph state: one report per scanner and a summary.

Plain JSON data (they go through LangGraph checkpointers); built with pydantic so their
shape is written down in one place.
"""

from __future__ import annotations

import heapq
import os
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
    #: How much of its data the scanner got (see :class:`tradingagents.scanners.Coverage`);
    #: ``None`` for scanners that do not report it.
    coverage: dict[str, Any] | None = None


#: CPU-seconds per wall-second, as a share of the usable cores, from which a run is CPU-bound.
CPU_BOUND_SHARE = 0.8


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def summarise(
    reports: Sequence[dict[str, Any]],
    *,
    concurrent: bool,
    workers: int,
    wall_seconds: float,
    cpu_seconds: float,
    candidates: int = 0,
    abandoned_threads: int = 0,
    cores: int | None = None,
) -> dict[str, Any]:
    """``scan_summary``: what the node measured, each figure under the name of what it is.

    No speedup is derived from one run: the scanners' durations were measured while they
    shared the machine, so their sum is not what a sequential run would take (on a CPU-bound
    run it is several times more). ``verify_concurrent_execution.py`` measures both modes.
    """
    cores = cores or usable_cores()
    scanner_sum = sum(r["duration_seconds"] for r in reports)
    cpu_per_wall = cpu_seconds / wall_seconds if wall_seconds > 0 else 0.0
    cpu_bound = cpu_per_wall >= CPU_BOUND_SHARE * cores
    counts = Counter(r["status"] for r in reports)
    notes = []
    if cpu_bound:
        notes.append(
            f"CPU-bound: {cpu_per_wall:.2f} CPU-seconds per second on {cores} usable "
            f"core{'s' if cores != 1 else ''}; more workers will not help"
        )
    elif cpu_per_wall >= CPU_BOUND_SHARE:
        # One interpreter runs Python code on one core at a time (the GIL), so a process
        # keeping one core busy is CPU-limited however many cores the machine has.
        notes.append(
            f"CPU-heavy: {cpu_per_wall:.2f} CPU-seconds per second, about one core, the most "
            "Python code in one process gets; more workers will not help"
        )
    if reports and not counts.get("ok"):
        notes.append("no scanner succeeded")
    return {
        "mode": "concurrent" if concurrent else "sequential",
        "workers": workers if concurrent else 1,
        "scanners": len(reports),
        "wall_seconds": round(wall_seconds, 4),
        "scanner_seconds_sum": round(scanner_sum, 4),
        "concurrency": round(scanner_sum / wall_seconds, 3) if wall_seconds > 0 else 0.0,
        "cpu_seconds": round(cpu_seconds, 4),
        "cpu_per_wall": round(cpu_per_wall, 3),
        "cpu_bound": cpu_bound,
        "note": "; ".join(notes) or None,
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "invalid_candidates": sum(r["invalid_candidates"] for r in reports),
        "candidates": candidates,
        "abandoned_threads": abandoned_threads,
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
