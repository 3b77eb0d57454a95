"""Alpha Vantage TOP_GAINERS_LOSERS for a trade date, with the listings real lists carry.

The real lists span every US listing, so most of their rows are warrants (``..W``, ``..+``),
SPAC units (``..U``, priced near $10), rights (``..R``), thematic or leveraged ETFs and
sub-dollar shells. The sandbox mixes such non-universe listings with the universe's own
biggest movers and ranks them together, 20 rows per list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradingagents.sandbox.market_bars import Bars
from tradingagents.sandbox.market_records import MoverRow, Movers

LIST_LENGTH = 20
_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


@dataclass(frozen=True, slots=True)
class ExtraKind:
    """A kind of non-universe listing: symbol suffix, price range, move range, volume range."""

    name: str
    suffix: str
    base_letters: int
    price: tuple[float, float]
    move: tuple[float, float]  # absolute fractional move
    volume: tuple[float, float]
    count: tuple[int, int]  # per side (gainers, losers)


EXTRA_KINDS = (
    ExtraKind("warrant", "W", 4, (0.01, 1.6), (0.25, 1.6), (1e3, 2e6), (4, 6)),
    ExtraKind("warrant", "+", 3, (0.004, 0.4), (0.25, 0.9), (1e3, 3e5), (0, 1)),
    ExtraKind("unit", "U", 4, (9.8, 11.8), (0.16, 0.45), (1e3, 2e5), (1, 2)),
    ExtraKind("right", "R", 4, (0.03, 0.6), (0.25, 1.2), (1e3, 5e5), (1, 2)),
    ExtraKind("ETF", "", 4, (6.0, 60.0), (0.15, 0.5), (2e5, 9e7), (1, 2)),
    ExtraKind("sub-dollar stock", "", 4, (0.05, 0.99), (0.3, 2.0), (5e6, 4e8), (3, 4)),
)


def _extra_symbol(rng: np.random.Generator, kind: ExtraKind, taken: set[str]) -> str:
    while True:
        symbol = "".join(rng.choice(_LETTERS, size=kind.base_letters)) + kind.suffix
        if symbol not in taken:
            taken.add(symbol)
            return symbol


def _row(ticker: str, price: float, previous: float, volume: int) -> MoverRow:
    change = price - previous
    return MoverRow(
        ticker=ticker,
        price=price,
        change_amount=round(change, 4),
        change_percentage=round(change / previous * 100.0, 4),
        volume=volume,
    )


def extra_listings(rng: np.random.Generator, universe: set[str]) -> list[tuple[str, MoverRow]]:
    """(kind name, row) for the day's non-universe movers, gainers and losers."""
    taken = set(universe)
    rows = []
    for sign in (1.0, -1.0):
        for kind in EXTRA_KINDS:
            for _ in range(int(rng.integers(kind.count[0], kind.count[1] + 1))):
                price = float(rng.uniform(*kind.price))
                move = float(rng.uniform(*kind.move))
                move = min(move, 0.92) if sign < 0 else move
                previous = price / (1.0 + sign * move)
                decimals = 4 if price < 1.0 else 2
                volume = int(np.exp(rng.uniform(np.log(kind.volume[0]), np.log(kind.volume[1]))))
                row = _row(
                    _extra_symbol(rng, kind, taken),
                    round(price, decimals),
                    round(previous, decimals),
                    volume,
                )
                rows.append((kind.name, row))
    return rows


def build_movers(
    symbols: list[str], bars: Bars, extras: list[tuple[str, MoverRow]]
) -> Movers:
    """The three lists from the universe's trade-date bars plus the extra listings."""
    rows = [
        _row(symbol, float(bars.close[-1, i]), float(bars.close[-2, i]), int(bars.volume[-1, i]))
        for i, symbol in enumerate(symbols)
    ]
    rows.extend(row for _, row in extras)
    by_change = sorted(rows, key=lambda row: (row.change_percentage, row.ticker))
    gainers = [row for row in reversed(by_change) if row.change_percentage > 0]
    losers = [row for row in by_change if row.change_percentage < 0]
    active = sorted(rows, key=lambda row: (-row.volume, row.ticker))
    return Movers(
        top_gainers=tuple(gainers[:LIST_LENGTH]),
        top_losers=tuple(losers[:LIST_LENGTH]),
        most_actively_traded=tuple(active[:LIST_LENGTH]),
    )
