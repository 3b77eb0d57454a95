"""Merge candidates from many scanners into one entry per ticker.

Input is always in scanner registration order, never completion order, which is what makes
concurrent and sequential runs produce identical results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tradingagents.scanners.candidate import PRIORITY_RANK

_CORE = ("ticker", "scanner", "context", "priority", "strategy")


def merge_candidates(per_scanner: Iterable[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One merged dict per ticker, tickers in first-seen order.

    Each merged entry has ``ticker``, ``priority`` (the highest any scanner gave),
    ``priorities`` (scanner -> the priority it gave, registration order; a scanner that
    reported the ticker twice counts with its highest),
    ``scanner``/``strategy`` (of the highest-priority scanner; ties: the earliest),
    ``scanners`` and ``strategies`` (registration order, de-duplicated), ``contexts``
    (de-duplicated, highest priority first), ``context`` (them joined) and ``evidence``
    (scanner -> the extra numbers it attached).
    """
    grouped: dict[str, list[dict[str, Any]]] = {}
    for candidates in per_scanner:
        for candidate in candidates:
            grouped.setdefault(candidate["ticker"], []).append(candidate)
    return [_merge_one(ticker, found) for ticker, found in grouped.items()]


def _merge_one(ticker: str, found: list[dict[str, Any]]) -> dict[str, Any]:
    # sorted() is stable: equal priorities keep registration order.
    by_priority = sorted(found, key=lambda c: -PRIORITY_RANK[c["priority"]])
    lead = by_priority[0]
    contexts = _unique(c["context"] for c in by_priority if c["context"])
    priorities: dict[str, str] = {}
    evidence: dict[str, dict[str, Any]] = {}
    for candidate in found:
        given = priorities.get(candidate["scanner"])
        if given is None or PRIORITY_RANK[candidate["priority"]] > PRIORITY_RANK[given]:
            priorities[candidate["scanner"]] = candidate["priority"]
        extra = {k: v for k, v in candidate.items() if k not in _CORE}
        if extra:
            evidence.setdefault(candidate["scanner"], {}).update(extra)
    return {
        "ticker": ticker,
        "priority": lead["priority"],
        "priorities": priorities,
        "scanner": lead["scanner"],
        "strategy": lead["strategy"],
        "scanners": _unique(c["scanner"] for c in found),
        "strategies": _unique(c["strategy"] for c in found if c["strategy"]),
        "context": "; ".join(contexts),
        "contexts": contexts,
        "evidence": evidence,
    }


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
