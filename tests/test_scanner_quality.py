"""Recall and precision of every built-in scanner against the sandbox's ground truth.

For each of 20 trade dates a sandbox market is generated and served on 127.0.0.1, every
built-in scanner runs through the real sources and clients, and what each one found is
compared with ``Market.truth(<scanner name>)``. The table is printed; each scanner must
reach recall >= 0.95 and precision >= 0.9 over all dates.

Each date has its own market, so nothing is shared between dates: they are scored in a pool
of processes, one per usable core. A date is CPU-bound in one process (scanners, clients and
the emulator share its GIL), so processes, not threads, are what make the dates overlap.
The module is marked ``slow``: ``pytest -m "not slow"`` skips it locally; CI runs it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd
import pytest

import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
from tests.sandbox_fixtures import sandbox_data
from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox.signals import SIGNALS
from tradingagents.sources.hub import Sources

# Twenty sandbox markets and twelve scanners per date: minutes, not the suite's 120 s default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SEED = 7
DATES = [d.date().isoformat() for d in pd.bdate_range(end="2026-11-20", periods=20, freq="7B")]
MIN_RECALL = 0.95
MIN_PRECISION = 0.90


def builtin_scanners() -> list[type[BaseScanner]]:
    return [
        cls
        for cls in SCANNER_REGISTRY.classes()
        if cls.__module__.startswith("tradingagents.scanners.builtin")
    ]


def quality_config(scanners: list[type[BaseScanner]]) -> dict[str, Any]:
    return {
        "discovery": {
            "scanner_execution": {"max_workers": 8, "timeout_seconds": 120},
            # Measure detection, not the cap on how many candidates a scanner reports.
            "scanners": {cls.name: {"limit": 10_000} for cls in scanners},
        },
        "data": sandbox_data(SEED),
    }


Counts = dict[str, int]


def score_date(trade_date: str) -> dict[str, Counts]:
    """One date's market, served and scanned in this process: scanner -> its counts.

    Runs in a pool worker, so it builds everything it needs from module constants.
    """
    scanners = builtin_scanners()
    config = quality_config(scanners)
    sources = Sources.from_config(config, trade_date=trade_date)
    try:
        update = DiscoveryGraph(config, scanners=scanners, sources=sources).scanner_node(
            {"trade_date": trade_date}
        )
        market = sources.sandbox.market  # type: ignore[union-attr]
    finally:
        sources.close()
    found: dict[str, set[str]] = {cls.name: set() for cls in scanners}
    for entry in update["candidate_metadata"]:
        for name in entry["scanners"]:
            found[name].add(entry["ticker"])
    failed = {report["name"] for report in update["scanner_reports"] if report["status"] != "ok"}
    counts: dict[str, Counts] = {}
    for cls in scanners:
        truth = set(market.truth(cls.name))
        counts[cls.name] = {
            "true_positive": len(found[cls.name] & truth),
            "found": len(found[cls.name]),
            "truth": len(truth),
            "errors": int(cls.name in failed),
        }
    return counts


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[str, Counts]]:
    """scanner -> {"true_positive", "found", "truth", "errors"} summed over DATES."""
    scanners = builtin_scanners()
    if not scanners:
        pytest.skip("no built-in scanners are registered yet")
    totals = {
        cls.name: {"true_positive": 0, "found": 0, "truth": 0, "errors": 0} for cls in scanners
    }
    # Spawned, not forked: the test process may already run threads (other fixtures' servers),
    # and a fork copies their locks in whatever state they are.
    with ProcessPoolExecutor(
        max_workers=min(usable_cores(), len(DATES)),
        mp_context=multiprocessing.get_context("spawn"),
    ) as pool:
        try:
            for counts in pool.map(score_date, DATES):
                for name, tally in counts.items():
                    for key, value in tally.items():
                        totals[name][key] += value
        except BaseException:
            # A date failed or the test timed out: finish only the dates already running.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    yield totals


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def test_print_quality_table(
    outcomes: dict[str, Counts], capsys: pytest.CaptureFixture[str]
) -> None:
    header = ("scanner", "truth", "found", "TP", "recall", "precision", "errors")
    lines = [f"{header[0]:22} " + " ".join(f"{h:>9}" for h in header[1:])]
    for name, t in outcomes.items():
        recall = _ratio(t["true_positive"], t["truth"])
        precision = _ratio(t["true_positive"], t["found"])
        lines.append(
            f"{name:22} {t['truth']:9} {t['found']:9} {t['true_positive']:9} "
            f"{recall:9.3f} {precision:9.3f} {t['errors']:9}"
        )
    with capsys.disabled():
        print(
            f"\nscanner quality over {len(DATES)} trade dates "
            f"({DATES[0]} .. {DATES[-1]}), seed {SEED}"
        )
        print("\n".join(lines))
    assert outcomes


@pytest.mark.parametrize("signal", SIGNALS)
def test_scanner_meets_the_quality_bar(outcomes: dict[str, Counts], signal: str) -> None:
    if signal not in outcomes:
        pytest.fail(f"no built-in scanner named {signal!r}")
    t = outcomes[signal]
    assert t["errors"] == 0, f"{signal} failed on {t['errors']} of {len(DATES)} dates"
    assert t["truth"] > 0, f"the sandbox planted no {signal} signals over {len(DATES)} dates"
    recall = _ratio(t["true_positive"], t["truth"])
    precision = _ratio(t["true_positive"], t["found"])
    assert recall >= MIN_RECALL, f"{signal}: recall {recall:.3f} < {MIN_RECALL}"
    assert precision >= MIN_PRECISION, f"{signal}: precision {precision:.3f} < {MIN_PRECISION}"
