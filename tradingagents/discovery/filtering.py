"""Liquidity and price rules applied to merged candidates, with a reason for every drop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tradingagents.config import FilterRules


def apply_filter(
    candidates: Sequence[Mapping[str, Any]],
    facts: Mapping[str, Mapping[str, Any]],
    rules: FilterRules,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split ``candidates`` into (kept, dropped). Kept ones gain ``current_price`` and
    ``facts``; dropped ones keep their ticker, scanners and context plus ``reason``."""
    kept: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for candidate in candidates:
        known = facts.get(candidate["ticker"], {})
        reason = _failed_rule(known, rules)
        if reason is None:
            kept.append({**candidate, "current_price": known["price"], "facts": dict(known)})
        else:
            dropped.append(
                {
                    "ticker": candidate["ticker"],
                    "reason": reason,
                    "scanners": candidate.get("scanners", []),
                    "context": candidate.get("context", ""),
                    "facts": dict(known),
                }
            )
    return kept, dropped


def _failed_rule(facts: Mapping[str, Any], rules: FilterRules) -> str | None:
    price = facts.get("price")
    if price is None:
        error = facts.get("error")
        return f"no price data ({error})" if error else "no price data"
    if price < rules.min_price:
        return f"price {price:,.2f} is below min_price {rules.min_price:,.2f}"
    if rules.max_price is not None and price > rules.max_price:
        return f"price {price:,.2f} is above max_price {rules.max_price:,.2f}"
    volume = facts.get("average_volume")
    if volume is None:
        return "no volume data"
    if volume < rules.min_average_volume:
        return (
            f"{rules.average_volume_days}-day average volume {volume:,.0f} is below "
            f"min_average_volume {rules.min_average_volume:,.0f}"
        )
    return None
