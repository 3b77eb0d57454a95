"""The filter rules and the ranking score: pure functions, exact expectations."""

from __future__ import annotations

from typing import Any

import pytest

from tradingagents.config import FilterRules
from tradingagents.discovery.filtering import apply_filter
from tradingagents.discovery.ranking import RankerError, apply_ranker, default_rank


def merged(
    ticker: str, priority: str = "medium", sources: tuple[str, ...] = ("a",), **extra: Any
) -> dict[str, Any]:
    return {
        "ticker": ticker,
        "priority": priority,
        "scanner": sources[0],
        "strategy": extra.pop("strategy", "momentum"),
        "scanners": list(sources),
        "strategies": extra.pop("strategies", ["momentum"]),
        "context": f"{ticker} context",
        "contexts": [f"{ticker} context"],
        "evidence": extra.pop("evidence", {}),
        **extra,
    }


def test_filter_keeps_liquid_candidates_and_explains_every_drop() -> None:
    candidates = [merged("GOOD"), merged("PENNY"), merged("THIN"), merged("DARK"), merged("PRICEY")]
    facts = {
        "GOOD": {"price": 50.0, "average_volume": 1_000_000},
        "PENNY": {"price": 2.5, "average_volume": 9_000_000},
        "THIN": {"price": 40.0, "average_volume": 12_000},
        "PRICEY": {"price": 5000.0, "average_volume": 400_000},
    }
    rules = FilterRules(min_price=5.0, max_price=1000.0, min_average_volume=300_000)
    kept, dropped = apply_filter(candidates, facts, rules)
    assert [k["ticker"] for k in kept] == ["GOOD"]
    assert kept[0]["current_price"] == 50.0
    reasons = {d["ticker"]: d["reason"] for d in dropped}
    assert reasons == {
        "PENNY": "price 2.50 is below min_price 5.00",
        "THIN": "20-day average volume 12,000 is below min_average_volume 300,000",
        "DARK": "no price data",
        "PRICEY": "price 5,000.00 is above max_price 1,000.00",
    }
    assert len(kept) + len(dropped) == len(candidates)  # nothing silently lost


def test_default_rank_score_is_the_documented_arithmetic() -> None:
    candidates = [
        merged("SOLO", "high"),
        merged("CROWD", "medium", ("a", "b", "c")),
        merged("STALE", "critical", evidence={"a": {"signal_date": "2026-11-21"}}),
        merged("SOCIAL", "high", strategies=["social"], strategy="social"),
    ]
    ranking = default_rank(candidates, trade_date="2026-11-24", strategy_weights={"social": 0.5})
    scores = {r["ticker"]: r["score"] for r in ranking}
    assert scores == {
        "SOLO": 30 + 0 + 10,
        "CROWD": 20 + 30 + 10,
        "STALE": 40 + 0 + (10 - 2 * 3),
        "SOCIAL": (30 + 0 + 10) * 0.5,
    }
    assert [r["ticker"] for r in ranking] == ["CROWD", "STALE", "SOLO", "SOCIAL"]
    assert [r["rank"] for r in ranking] == [1, 2, 3, 4]
    assert ranking[0]["reasons"] == [
        "medium priority (+20)",
        "3 scanners agree (+30)",
        "fresh signal (+10)",
    ]


def test_default_rank_breaks_ties_deterministically() -> None:
    candidates = [merged("ZED"), merged("ABC"), merged("MID", sources=("a", "b"))]
    first = default_rank(candidates, trade_date="2026-11-24", strategy_weights={})
    again = default_rank(list(reversed(candidates)), trade_date="2026-11-24", strategy_weights={})
    assert [r["ticker"] for r in first] == [r["ticker"] for r in again] == ["MID", "ABC", "ZED"]


def test_custom_ranker_output_is_checked() -> None:
    candidates = [merged("AAA"), merged("BBB")]
    ranking = apply_ranker(
        lambda cs, state: [{"ticker": "BBB", "score": 9, "reasons": ["LLM says so"]}],
        candidates,
        {},
    )
    assert (
        ranking[0]["rank"] == 1
        and ranking[0]["ticker"] == "BBB"
        and ranking[0]["reasons"] == ["LLM says so"]
    )
    with pytest.raises(RankerError, match="names 'ZZZ', not a filtered candidate"):
        apply_ranker(lambda cs, state: [{"ticker": "ZZZ"}], candidates, {})
    with pytest.raises(RankerError, match="repeats 'AAA'"):
        apply_ranker(lambda cs, state: [{"ticker": "AAA"}, {"ticker": "AAA"}], candidates, {})
    with pytest.raises(RankerError, match="returned str"):
        apply_ranker(lambda cs, state: "AAA", candidates, {})  # type: ignore[arg-type,return-value]
