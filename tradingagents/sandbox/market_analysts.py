"""Monthly analyst recommendation trends (Finnhub ``stock/recommendation``).

Coverage and the initial split across strong buy / buy / hold / sell / strong sell are
seed-level; each month a few analysts move one notch up or down, drawn from a stream keyed by
(seed, month), starting from the month of the market's first bar (so markets whose windows
start together share the whole history). Planted upgrades and decoys rewrite the trade
date's month only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_records import RecommendationTrend
from tradingagents.sandbox.universe import Listing

ANALYST_TAG = 0x414E4C59  # "ANLY"
MONTHS_SHOWN = 12
MOVE_PROBABILITY = 0.02  # per analyst per month, each direction
IntArray = npt.NDArray[np.int64]


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _initial(seed: int, listings: tuple[Listing, ...]) -> IntArray:
    rng = np.random.Generator(np.random.PCG64([seed, ANALYST_TAG]))
    coverage = np.clip(
        np.round([np.log10(max(listing.shares_outstanding * listing.base_price, 1e8)) * 6 - 48
                  for listing in listings]) + rng.integers(-3, 4, size=len(listings)),
        3,
        45,
    ).astype(np.int64)
    counts = np.zeros((len(listings), 5), dtype=np.int64)
    for i, analysts in enumerate(coverage):
        split = rng.dirichlet([2.5, 4.0, 4.0, 0.8, 0.4])
        counts[i] = rng.multinomial(int(analysts), split)
    return counts


def _move(counts: IntArray, rng: np.random.Generator, direction: int) -> None:
    """Move one analyst one notch (direction -1 = toward strong buy) where a coin says so."""
    sources = counts[:, 1:] if direction < 0 else counts[:, :-1]
    totals = sources.sum(axis=1)
    movers = (rng.random(len(counts)) < MOVE_PROBABILITY * counts.sum(axis=1)) & (totals > 0)
    pick = rng.random(len(counts)) * np.maximum(totals, 1)
    bucket = (np.cumsum(sources, axis=1) <= pick[:, None]).sum(axis=1)
    rows = np.flatnonzero(movers)
    source = bucket[rows] + (1 if direction < 0 else 0)
    counts[rows, source] -= 1
    counts[rows, source + direction] += 1


def history(seed: int, listings: tuple[Listing, ...], first_month: int, last_month: int
            ) -> IntArray:
    """Counts (months, companies, 5) from first_month to last_month inclusive."""
    counts = _initial(seed, listings)
    out = np.empty((last_month - first_month + 1, *counts.shape), dtype=np.int64)
    for offset, month in enumerate(range(first_month, last_month + 1)):
        rng = np.random.Generator(np.random.PCG64([seed, ANALYST_TAG, month]))
        _move(counts, rng, -1)
        _move(counts, rng, +1)
        out[offset] = counts
    return out


def _shift_bullish(row: IntArray, analysts: int) -> None:
    """Move `analysts` from hold/sell/strong sell into buy/strong buy (row edited)."""
    for _ in range(analysts):
        source = 2 if row[2] > 0 else (3 if row[3] > 0 else 4)
        row[source] -= 1
        row[1 if source == 2 else 0] += 1


def _shift_bearish(row: IntArray, analysts: int) -> None:
    for _ in range(analysts):
        source = 1 if row[1] > 0 else 0
        row[source] -= 1
        row[3] += 1


@dataclass(slots=True)
class AnalystPlan:
    trends: dict[str, tuple[RecommendationTrend, ...]]
    planted: list[str]
    decoys: list[tuple[str, str]]


def build_recommendations(
    seed: int,
    rng: np.random.Generator,
    listings: tuple[Listing, ...],
    first_day: dt.date,
    trade_date: dt.date,
) -> AnalystPlan:
    last = month_index(trade_date)
    counts = history(seed, listings, month_index(first_day), last)
    latest, previous = counts[-1], counts[-2]
    bearish_room = latest[:, 2:].sum(axis=1)
    order = [int(i) for i in rng.permutation(np.flatnonzero(bearish_room >= 7))]
    planted = order[: int(rng.integers(2, 5))]
    for column in planted:
        shift = int(rng.integers(signals.ANALYST_MIN_SHIFT, signals.ANALYST_MIN_SHIFT + 3))
        _shift_bullish(latest[column], shift)
    decoy_columns = iter(order[len(planted) :])
    decoys = []
    column = next(decoy_columns)
    _shift_bearish(latest[column], int(rng.integers(3, 6)))
    decoys.append((column, "analysts moved toward sell"))
    column = next(decoy_columns)
    _shift_bullish(latest[column], signals.ANALYST_MIN_SHIFT - 1)
    decoys.append((column, "buy + strong buy up by one less than the threshold"))
    column = next(decoy_columns)
    _shift_bullish(previous[column], 4)
    latest[column] = previous[column].copy()
    decoys.append((column, "the upgrade happened the month before (latest month flat)"))
    column = next(decoy_columns)
    latest[column] = previous[column].copy()
    moved = min(int(latest[column, 1]), 3)
    latest[column, 1] -= moved
    latest[column, 0] += moved
    decoys.append((column, "buy analysts moved to strong buy: strong buy +3, buy -3, net 0"))
    trends = {}
    for column, listing in enumerate(listings):
        rows = []
        for offset in range(min(MONTHS_SHOWN, len(counts))):
            sb, b, h, s, ss = (int(v) for v in counts[-1 - offset, column])
            rows.append(
                RecommendationTrend(
                    symbol=listing.symbol,
                    period=month_start(last - offset),
                    strong_buy=sb, buy=b, hold=h, sell=s, strong_sell=ss,
                )
            )
        trends[listing.symbol] = tuple(rows)
    symbols = [listing.symbol for listing in listings]
    return AnalystPlan(
        trends=trends,
        planted=[symbols[c] for c in planted],
        decoys=[(symbols[c], why) for c, why in decoys],
    )
