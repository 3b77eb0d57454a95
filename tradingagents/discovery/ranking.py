"""Deterministic ranking of filtered candidates.

The score, documented here and in the README, is plain arithmetic a trader can check:

    score = (priority points + agreement points + freshness points) x strategy weight

* priority points: critical 40, high 30, medium 20, low 10 (the merged, highest priority);
* agreement points: 15 for each distinct scanner beyond the first, at most 45;
* freshness points: 10 for a signal dated on the trade date, 2 fewer per day of age (never
  below 0); a candidate whose scanners attach no ``signal_date`` counts as fresh;
* strategy weight: the highest ``discovery.ranking.strategy_weights`` value among the
  candidate's strategies (1.0 when none is configured).

Ties are broken by the number of agreeing scanners, then alphabetically, so the same input
always gives the same ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

PRIORITY_POINTS = {"critical": 40, "high": 30, "medium": 20, "low": 10}
AGREEMENT_POINTS = 15
MAX_AGREEMENT_POINTS = 45
FRESH_POINTS = 10
FRESHNESS_DECAY_PER_DAY = 2

#: A user ranker (an LLM, a model...): gets the filtered candidates and the state, returns
#: entries with at least ``ticker`` (optionally ``score`` and ``reasons``), best first.
Ranker = Callable[[list[dict[str, Any]], Mapping[str, Any]], Sequence[Mapping[str, Any]]]


class RankerError(ValueError):
    """A user ranker's answer that cannot be used, with the reason."""


def default_rank(
    candidates: Sequence[Mapping[str, Any]],
    *,
    trade_date: str,
    strategy_weights: Mapping[str, float],
) -> list[dict[str, Any]]:
    """Score and order ``candidates`` (merged candidate entries); see the module docstring."""
    scored = [_score(c, date.fromisoformat(trade_date), strategy_weights) for c in candidates]
    scored.sort(key=lambda s: (-s["score"], -len(s["scanners"]), s["ticker"]))
    return [{"rank": i, **entry} for i, entry in enumerate(scored, start=1)]


def _score(
    candidate: Mapping[str, Any], trade_date: date, weights: Mapping[str, float]
) -> dict[str, Any]:
    scanners = list(candidate.get("scanners", [candidate.get("scanner", "")]))
    strategies = list(candidate.get("strategies", [])) or [candidate.get("strategy", "")]
    priority = candidate.get("priority", "medium")
    priority_points = PRIORITY_POINTS[priority]
    agreement = min(MAX_AGREEMENT_POINTS, AGREEMENT_POINTS * (len(scanners) - 1))
    age = _signal_age_days(candidate, trade_date)
    freshness = max(0, FRESH_POINTS - FRESHNESS_DECAY_PER_DAY * age)
    weight, weighted_by = max(((weights.get(s, 1.0), s) for s in strategies), default=(1.0, ""))
    score = round((priority_points + agreement + freshness) * weight, 2)
    reasons = [f"{priority} priority (+{priority_points})"]
    if agreement:
        reasons.append(f"{len(scanners)} scanners agree (+{agreement})")
    reasons.append(
        f"signal {age} day(s) old (+{freshness})" if age else f"fresh signal (+{freshness})"
    )
    if weight != 1.0:
        reasons.append(f"strategy {weighted_by} weighted x{weight:g}")
    return {
        "ticker": candidate["ticker"],
        "score": score,
        "priority": priority,
        "strategies": strategies,
        "scanners": scanners,
        "reasons": reasons,
        "context": candidate.get("context", ""),
        "current_price": candidate.get("current_price"),
    }


def _signal_age_days(candidate: Mapping[str, Any], trade_date: date) -> int:
    """Days since the newest ``signal_date`` any scanner attached (0 when none did)."""
    dates = [
        numbers["signal_date"]
        for numbers in candidate.get("evidence", {}).values()
        if isinstance(numbers, Mapping) and isinstance(numbers.get("signal_date"), str)
    ]
    if not dates:
        return 0
    try:
        newest = max(date.fromisoformat(d[:10]) for d in dates)
    except ValueError:
        return 0
    return max(0, (trade_date - newest).days)


def apply_ranker(
    ranker: Ranker,
    candidates: list[dict[str, Any]],
    state: Mapping[str, Any],
    *,
    default: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Run a user ranker and check its answer: known tickers only, each once.

    A ranker may rank only some candidates (an LLM asked for its top picks). The rest are
    never dropped silently: they follow its picks in ``default``'s order (the default
    score), each with a reason saying so.
    """
    answer = ranker([dict(c) for c in candidates], state)
    if not isinstance(answer, Sequence) or isinstance(answer, str | bytes):
        raise RankerError(f"the ranker returned {type(answer).__name__}, expected a list of dicts")
    by_ticker = {c["ticker"]: c for c in candidates}
    ranking: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, entry in enumerate(answer, start=1):
        ticker = entry.get("ticker") if isinstance(entry, Mapping) else None
        if not isinstance(ticker, str) or ticker not in by_ticker:
            raise RankerError(
                f"ranker entry #{position} names {ticker!r}, not a filtered candidate"
            )
        if ticker in seen:
            raise RankerError(f"ranker entry #{position} repeats {ticker!r}")
        seen.add(ticker)
        candidate = by_ticker[ticker]
        ranking.append(
            {
                "rank": position,
                "ticker": ticker,
                "score": entry.get("score"),
                "priority": candidate["priority"],
                "strategies": candidate.get("strategies", []),
                "scanners": candidate.get("scanners", []),
                "reasons": [str(r) for r in entry.get("reasons", [])]
                or ["ranked by the custom ranker"],
                "context": candidate.get("context", ""),
                "current_price": candidate.get("current_price"),
            }
        )
    for entry in default:
        if entry["ticker"] not in seen:
            ranking.append(
                {
                    **entry,
                    "rank": len(ranking) + 1,
                    "reasons": [
                        "not ranked by the custom ranker: placed after its picks by the "
                        "default score",
                        *entry.get("reasons", []),
                    ],
                }
            )
    return ranking
