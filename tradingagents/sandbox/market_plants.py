"""Plant price and volume signals (and their near-miss decoys) into a raw market.

Each planter picks eligible tickers from the unplanted bars, edits the raw returns and
volumes of the last few days, and says what it planted. Whether a ticker really carries a
signal is decided later from the rendered data (signals.py), so a planter only needs to make
its signal very likely, and a decoy only needs to look close; decoys that satisfy their
signal by accident are dropped then.

Plants belong to the trade date: the market for the next day plants elsewhere, so the last
~10 bars of a handful of tickers differ between consecutive trade dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_bars import RANGE_SCALE, Bars, FloatArray, RawMarket

IntArray = npt.NDArray[np.int64]
PLANT_RSI = 25.0  # planted dips go this far below signals.RSI_OVERSOLD
PLANT_SMA_MARGIN = 1.03  # and stay this far above the SMA200


@dataclass(slots=True)
class Planting:
    """What the planters did: signal -> columns planted, and decoy candidates."""

    planted: dict[str, list[int]] = field(default_factory=dict)
    decoys: list[tuple[str, int, str]] = field(default_factory=list)  # signal, column, why
    used: set[int] = field(default_factory=set)

    def plant(self, signal: str, column: int) -> None:
        self.planted.setdefault(signal, []).append(column)
        self.used.add(column)

    def decoy(self, signal: str, column: int, why: str) -> None:
        self.decoys.append((signal, column, why))
        self.used.add(column)


@dataclass(slots=True)
class View:
    """Unplanted bars plus the quantities planters choose from (last row = trade date)."""

    raw: RawMarket
    bars: Bars
    rng: np.random.Generator
    planting: Planting

    def close_path(self, column: int) -> FloatArray:
        """Unrounded closes of one ticker implied by its (edited) raw returns."""
        returns = self.raw.log_return[:, column]
        path: FloatArray = self.raw.start_price[column] * np.exp(np.cumsum(returns))
        return path

    def prior_volume(self, days: int, skip: int = 1) -> FloatArray:
        volume = self.bars.volume.astype(np.float64)
        mean: FloatArray = volume[-(days + skip) : len(volume) - skip].mean(axis=0)
        return mean

    def pick(self, mask: npt.NDArray[np.bool_], count: int) -> list[int]:
        """Up to `count` random unused columns where `mask` holds."""
        eligible = np.flatnonzero(mask)
        eligible = eligible[~np.isin(eligible, list(self.planting.used))]
        if len(eligible) == 0:
            return []
        chosen = self.rng.choice(eligible, size=min(count, len(eligible)), replace=False)
        return [int(column) for column in chosen]

    def set_last_close(self, column: int, target: float) -> None:
        """Make the trade date's unrounded close equal `target`."""
        previous = self.close_path(column)[-2]
        self.raw.log_return[-1, column] = np.log(target / previous)

    def set_last_volume(self, column: int, multiple_of_prior: float, days: int = 20) -> None:
        self.raw.volume[-1, column] = self.prior_volume(days)[column] * multiple_of_prior


def _count(rng: np.random.Generator, low: int, high: int) -> int:
    return int(rng.integers(low, high + 1))


def plant_movers(view: View) -> None:
    """Big universe moves on D: some surely make Alpha Vantage's top 20 lists; sub-$5
    stocks that jump are decoys for the price filter."""
    rng, close = view.rng, view.bars.close[-1]
    for sign in (1.0, -1.0):
        for column in view.pick(close >= 9.0, _count(rng, 2, 4)):
            move = float(rng.uniform(0.14, 0.38))
            view.set_last_close(column, view.close_path(column)[-2] * (1.0 + sign * move))
            view.set_last_volume(column, float(rng.uniform(2.5, 5.0)))
            view.planting.plant("market_movers", column)
    for column in view.pick((close > 1.0) & (close < 2.8), _count(rng, 1, 2)):
        view.set_last_close(column, view.close_path(column)[-2] * float(rng.uniform(1.3, 1.7)))
        view.set_last_volume(column, float(rng.uniform(3.0, 6.0)))
        view.planting.decoy("market_movers", column, "top gainer priced under $5 (price filter)")


def plant_unusual_volume(view: View) -> None:
    """Volume spikes of 3.6-7x on stocks >= $6; a spike on a sub-$5 stock and a 2.2-2.7x
    spike are decoys."""
    rng, close = view.rng, view.bars.close[-1]
    for column in view.pick(close >= 6.0, _count(rng, 3, 5)):
        view.set_last_volume(column, float(rng.uniform(3.6, 7.0)))
        view.raw.log_return[-1, column] = float(rng.uniform(-0.03, 0.05))
        view.planting.plant("unusual_volume", column)
    for column in view.pick(close < 4.5, _count(rng, 1, 2)):
        view.set_last_volume(column, float(rng.uniform(4.0, 8.0)))
        view.planting.decoy("unusual_volume", column, "volume spike on a stock under $5")
    for column in view.pick(close >= 6.0, 1):
        view.set_last_volume(column, float(rng.uniform(2.2, 2.7)))
        view.planting.decoy("unusual_volume", column, "volume only 2.2-2.7x its 20-day average")


def _flat_recent_returns(view: View, column: int, total: float) -> None:
    days = signals.ACCUMULATION_RECENT_DAYS
    steps = view.rng.normal(0.0, 0.005, size=days)
    view.raw.log_return[-days:, column] = steps - steps.mean() + total / days


def _raise_recent_volume(view: View, column: int, low: float, high: float) -> None:
    days = signals.ACCUMULATION_RECENT_DAYS
    baseline = view.prior_volume(signals.ACCUMULATION_BASELINE_DAYS, skip=days)[column]
    view.raw.volume[-days:, column] = baseline * view.rng.uniform(low, high, size=days)


def plant_accumulation(view: View) -> None:
    """Five days of 2.3-3x volume with the price held within +-1%; the same volume on a
    5-8% rally, and a flat price on only 1.3-1.6x volume, are decoys."""
    rng = view.rng
    for column in view.pick(view.bars.close[-1] >= 5.0, _count(rng, 2, 4)):
        _raise_recent_volume(view, column, 2.3, 3.0)
        _flat_recent_returns(view, column, float(rng.uniform(-0.01, 0.01)))
        view.planting.plant("volume_accumulation", column)
    for column in view.pick(view.bars.close[-1] >= 5.0, 1):
        _raise_recent_volume(view, column, 2.3, 3.0)
        _flat_recent_returns(view, column, float(np.log(rng.uniform(1.05, 1.08))))
        view.planting.decoy("volume_accumulation", column, "rising volume but price up 5-8%")
    for column in view.pick(view.bars.close[-1] >= 5.0, 1):
        _raise_recent_volume(view, column, 1.3, 1.6)
        _flat_recent_returns(view, column, 0.0)
        view.planting.decoy("volume_accumulation", column, "flat price but volume only 1.3-1.6x")


def plant_breakouts(view: View) -> None:
    """Closes 0.8-4% above the prior 252-day high on 1.9-3.2x volume; a close above it on
    below-average volume, and an intraday poke above it that closes below, are decoys."""
    rng, bars = view.rng, view.bars
    prior_high = bars.high[-(signals.BREAKOUT_LOOKBACK + 1) : -1].max(axis=0)
    near = (bars.close[-2] >= 0.92 * prior_high) & (bars.close[-2] >= 3.0)
    for column in view.pick(near, _count(rng, 2, 4)):
        view.set_last_close(column, prior_high[column] * float(rng.uniform(1.008, 1.04)))
        view.set_last_volume(column, float(rng.uniform(1.9, 3.2)))
        view.planting.plant("high_52w_breakout", column)
    for column in view.pick(near, 1):
        view.set_last_close(column, prior_high[column] * float(rng.uniform(1.008, 1.03)))
        view.set_last_volume(column, float(rng.uniform(0.55, 0.95)))
        view.planting.decoy("high_52w_breakout", column, "new 52-week high on below-average volume")
    for column in view.pick(near, 1):
        view.set_last_close(column, prior_high[column] * float(rng.uniform(0.975, 0.99)))
        view.set_last_volume(column, float(rng.uniform(1.9, 3.0)))
        _poke_high_above(view, column, prior_high[column] * 1.012)
        view.planting.decoy("high_52w_breakout", column, "intraday high above the 52-week high, "
                            "close below it")


def _poke_high_above(view: View, column: int, level: float) -> None:
    """Stretch D's high excursion so the rendered high reaches `level`."""
    raw = view.raw
    close = view.close_path(column)[-2:]
    open_ = close[0] * np.exp(raw.overnight_share[-1, column] * raw.log_return[-1, column])
    body_high = max(open_, close[1])
    raw.up_range[-1, column] = np.log(level / body_high) / (RANGE_SCALE * raw.sigma[-1, column])


def _decline(view: View, column: int, days: int, step: float) -> None:
    """`days` down days of about `step` each (log), ending on the trade date."""
    steps = view.rng.uniform(0.7, 1.3, size=days)
    view.raw.log_return[-days:, column] = -step * steps


def _rsi_and_gap(view: View, column: int) -> tuple[float, float]:
    """RSI(14) and log(close / SMA200) on the trade date for the edited raw path."""
    path = view.close_path(column)
    sma200 = float(path[-signals.RSI_TREND_SMA :].mean())
    rsi = float(signals.wilder_rsi(pd.DataFrame({"close": path})).iloc[0])
    return rsi, float(np.log(path[-1] / sma200))


def _oversold_dip(view: View, column: int, days: int, step: float, run_up: int) -> None:
    """Slide `days` days, steeper until RSI(14) < PLANT_RSI, lifting the `run_up` days
    before the slide until the close stays PLANT_SMA_MARGIN above the SMA200."""
    for _ in range(6):
        _decline(view, column, days, step)
        rsi, gap = _rsi_and_gap(view, column)
        if gap < np.log(PLANT_SMA_MARGIN):
            lift = (np.log(PLANT_SMA_MARGIN) - gap) * 1.5 / run_up
            view.raw.log_return[-days - run_up : -days, column] += lift
        elif rsi < PLANT_RSI:
            return
        else:
            step *= 1.25


def plant_rsi_oversold(view: View) -> None:
    """A ten-day slide to RSI(14) < 25 in a stock that stays >= 3% above its 200-day average
    (the two months before the slide are lifted when needed); the same slide below the
    SMA200, and a mild four-day dip, are decoys."""
    rng, close = view.rng, view.bars.close
    days = 10
    usual = np.abs(np.diff(np.log(close[-61:-days]), axis=0)).mean(axis=0)
    sma200 = close[-signals.RSI_TREND_SMA :].mean(axis=0)
    gap = np.log(close[-days - 1] / sma200)
    candidates = (close[-1] >= 8.0) & (gap >= np.quantile(gap, 0.8))
    for column in view.pick(candidates, _count(rng, 2, 4)):
        _oversold_dip(view, column, days, 1.4 * float(usual[column]), run_up=60)
        view.planting.plant("rsi_oversold", column)
    for column in view.pick(gap <= np.log(0.95), _count(rng, 1, 2)):
        _decline(view, column, days, 1.8 * float(usual[column]))
        view.planting.decoy("rsi_oversold", column, "RSI under 30 but close below its SMA200")
    for column in view.pick(gap > 0.05, 1):
        _decline(view, column, 4, float(usual[column]))
        view.planting.decoy("rsi_oversold", column, "a mild dip above the SMA200, RSI above 30")


PLANTERS: tuple[Callable[[View], None], ...] = (
    plant_movers,
    plant_unusual_volume,
    plant_accumulation,
    plant_breakouts,
    plant_rsi_oversold,
)


def plant_price_signals(raw: RawMarket, bars: Bars, rng: np.random.Generator) -> Planting:
    """Run every planter on `raw` (edited in place); `bars` are its unplanted rendering."""
    view = View(raw=raw, bars=bars, rng=rng, planting=Planting())
    for planter in PLANTERS:
        planter(view)
    return view.planting
