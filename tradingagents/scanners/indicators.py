"""Technical indicators over a whole universe at once, matching TA-Lib's values.

Every function takes wide frames (index: dates ascending, columns: tickers, numeric) and
returns frames of the same shape. A cell is NaN where that ticker has no bar, and during the
ticker's warm-up, counted from the ticker's OWN first bar: each column is computed exactly as
TA-Lib computes it on that ticker's own series of bars (rows where the ticker has no bar are
skipped, not treated as data), so a ticker listed late simply starts its warm-up later.

The trick that keeps this vectorised is :class:`_OwnBars`: each column's valid cells are moved
to the top of the column (a stable argsort of the missing mask), the indicator runs once on
that packed frame with pandas' rolling/ewm machinery (no loop over tickers or time steps), and
the results are scattered back to their dates.

Warm-up below means the number of the ticker's own bars before its first value (the first
value sits at own-bar index ``warm-up``), the same as TA-Lib's lookback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

logger = logging.getLogger(__name__)

SESSIONS_PER_YEAR = 252
"""Trading sessions in a year: the window of a 52-week high or low."""

# TA-Lib's TA_IS_ZERO: an RSI whose average gain plus average loss is inside this band is 0.
_TALIB_ZERO = 1e-8


class Macd(NamedTuple):
    """MACD line, its signal line and their difference (histogram)."""

    macd: pd.DataFrame
    signal: pd.DataFrame
    hist: pd.DataFrame


class Bands(NamedTuple):
    """Bollinger bands: middle average plus/minus ``k`` population standard deviations."""

    upper: pd.DataFrame
    middle: pd.DataFrame
    lower: pd.DataFrame


@dataclass(frozen=True)
class _OwnBars:
    """Where each ticker's own bars sit, to pack them to the top of each column and back.

    A row counts as a bar of a ticker only when every input frame has a value there (ATR
    needs high, low and close of the same day).
    """

    index: pd.Index
    columns: pd.Index
    valid: npt.NDArray[np.bool_]
    order: npt.NDArray[np.intp]

    @classmethod
    def of(cls, *frames: pd.DataFrame) -> _OwnBars:
        first = _checked_frame(frames[0], "input")
        for other in frames[1:]:
            _checked_frame(other, "input")
            if not other.index.equals(first.index) or not other.columns.equals(first.columns):
                raise ValueError(
                    "indicator inputs must share the same dates (index) and tickers (columns)"
                )
        valid = np.logical_and.reduce([f.notna().to_numpy() for f in frames])
        # Stable sort of "missing" puts each column's bars first, in date order.
        order = np.argsort(~valid, axis=0, kind="stable")
        return cls(first.index, first.columns, valid, order)

    def pack(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each column's own bars from row 0 on, then NaN (row k = the ticker's k-th bar)."""
        values = np.where(self.valid, frame.to_numpy(dtype=np.float64), np.nan)
        return pd.DataFrame(np.take_along_axis(values, self.order, axis=0), columns=self.columns)

    def unpack(self, packed: pd.DataFrame) -> pd.DataFrame:
        """Inverse of :meth:`pack`: values back on their dates, NaN where there was no bar."""
        out = np.empty(self.valid.shape, dtype=np.float64)
        np.put_along_axis(out, self.order, packed.to_numpy(dtype=np.float64), axis=0)
        out[~self.valid] = np.nan
        return pd.DataFrame(out, index=self.index, columns=self.columns)


def _checked_frame(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame (dates x tickers), got {type(frame)}")
    if not frame.index.is_unique or not frame.index.is_monotonic_increasing:
        raise ValueError(f"{name} index must be unique dates in ascending order")
    non_numeric = frame.columns.difference(frame.select_dtypes(include="number").columns)
    if len(non_numeric):
        shown = ", ".join(str(c) for c in non_numeric[:10])
        raise TypeError(f"{name} has non-numeric columns: {shown}")
    return frame


def _check_period(name: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _on_own_bars(compute: Callable[..., pd.DataFrame], *frames: pd.DataFrame) -> pd.DataFrame:
    bars = _OwnBars.of(*frames)
    return bars.unpack(compute(*(bars.pack(f) for f in frames)))


def _seeded_ewm(packed: pd.DataFrame, alpha: float, seed_at: int, seed_len: int) -> pd.DataFrame:
    """Exponential smoothing that starts at row ``seed_at`` from the mean of its last
    ``seed_len`` rows, TA-Lib's seeding for EMA and Wilder averages; NaN before ``seed_at``."""
    seeded = packed.copy()
    seeded.iloc[: seed_at + 1] = np.nan
    if len(packed) > seed_at:
        window = packed.iloc[seed_at - seed_len + 1 : seed_at + 1]
        seeded.iloc[seed_at] = window.mean(skipna=False)
    return seeded.ewm(alpha=alpha, adjust=False).mean()


def _ema_alpha(n: int) -> float:
    return 2.0 / (n + 1)


def sma(close: pd.DataFrame, n: int) -> pd.DataFrame:
    """Simple moving average of the last ``n`` bars (TA-Lib SMA). Warm-up: ``n - 1``."""
    _check_period("sma n", n)
    return _on_own_bars(lambda c: c.rolling(n, min_periods=n).mean(), close)


def ema(close: pd.DataFrame, n: int) -> pd.DataFrame:
    """Exponential moving average, k = 2 / (n + 1), seeded with the SMA of the first ``n``
    bars (TA-Lib EMA). Warm-up: ``n - 1``."""
    _check_period("ema n", n)
    return _on_own_bars(lambda c: _seeded_ewm(c, _ema_alpha(n), n - 1, n), close)


def rsi(close: pd.DataFrame, n: int = 14) -> pd.DataFrame:
    """Wilder's relative strength index (TA-Lib RSI): average gain and loss seeded with the
    mean of the first ``n`` changes, then Wilder-smoothed; 0 when both averages are ~0.
    Warm-up: ``n``."""
    _check_period("rsi n", n, minimum=2)

    def compute(c: pd.DataFrame) -> pd.DataFrame:
        change = c.diff()
        gain = _seeded_ewm(change.clip(lower=0.0), 1.0 / n, n, n)
        loss = _seeded_ewm((-change).clip(lower=0.0), 1.0 / n, n, n)
        total = gain + loss
        return (100.0 * gain / total).mask(total.abs() < _TALIB_ZERO, 0.0).where(total.notna())

    return _on_own_bars(compute, close)


def atr(high: pd.DataFrame, low: pd.DataFrame, close: pd.DataFrame, n: int = 14) -> pd.DataFrame:
    """Wilder's average true range (TA-Lib ATR): the mean of the first ``n`` true ranges
    (from the ticker's second bar on), then Wilder-smoothed. Warm-up: ``n``."""
    _check_period("atr n", n, minimum=2)

    def compute(h: pd.DataFrame, lo: pd.DataFrame, c: pd.DataFrame) -> pd.DataFrame:
        previous = c.shift(1)
        ranges = np.maximum(h - lo, np.maximum((h - previous).abs(), (lo - previous).abs()))
        true_range = pd.DataFrame(ranges, index=h.index, columns=h.columns)
        return _seeded_ewm(true_range, 1.0 / n, n, n)

    return _on_own_bars(compute, high, low, close)


def macd(close: pd.DataFrame, fast: int = 12, slow: int = 26, signal: int = 9) -> Macd:
    """MACD exactly as TA-Lib computes it. Warm-up: ``slow + signal - 2`` (33 by default)
    for all three outputs.

    Like TA-Lib, the fast EMA does not start on the first bar: it is seeded at the slow EMA's
    first value (bar ``slow - 1``) with the mean of the ``fast`` bars ending there, so both
    EMAs start together. The signal is an EMA of the MACD line seeded with its first ``signal``
    values; TA-Lib reports nothing before the signal exists, and neither does this.
    """
    _check_period("macd fast", fast, minimum=2)
    _check_period("macd signal", signal)
    if slow <= fast:
        raise ValueError(f"macd slow period must exceed fast period, got fast={fast} slow={slow}")
    bars = _OwnBars.of(close)
    packed = bars.pack(close)
    line = _seeded_ewm(packed, _ema_alpha(fast), slow - 1, fast) - _seeded_ewm(
        packed, _ema_alpha(slow), slow - 1, slow
    )
    first = slow + signal - 2
    signal_line = _seeded_ewm(line, _ema_alpha(signal), first, signal)
    line.iloc[:first] = np.nan
    return Macd(bars.unpack(line), bars.unpack(signal_line), bars.unpack(line - signal_line))


def bollinger(close: pd.DataFrame, n: int = 20, k: float = 2.0) -> Bands:
    """Bollinger bands (TA-Lib BBANDS with an SMA middle and equal up/down deviations): SMA of
    ``n`` bars plus/minus ``k`` population standard deviations. Warm-up: ``n - 1``."""
    _check_period("bollinger n", n, minimum=2)
    bars = _OwnBars.of(close)
    window = bars.pack(close).rolling(n, min_periods=n)
    middle = window.mean()
    width = k * window.std(ddof=0)
    return Bands(bars.unpack(middle + width), bars.unpack(middle), bars.unpack(middle - width))


def rolling_high(
    values: pd.DataFrame, window: int = SESSIONS_PER_YEAR, *, include_today: bool = True
) -> pd.DataFrame:
    """Highest value of the last ``window`` bars (TA-Lib MAX); with ``include_today=False``
    the ``window`` bars before today, for "closed above the prior 52-week high".
    Warm-up: ``window - 1``, or ``window`` without today."""
    return _rolling_extreme(values, window, include_today, "max")


def rolling_low(
    values: pd.DataFrame, window: int = SESSIONS_PER_YEAR, *, include_today: bool = True
) -> pd.DataFrame:
    """Lowest value of the last ``window`` bars (TA-Lib MIN); see :func:`rolling_high`.
    Warm-up: ``window - 1``, or ``window`` without today."""
    return _rolling_extreme(values, window, include_today, "min")


def _rolling_extreme(
    values: pd.DataFrame, window: int, include_today: bool, how: str
) -> pd.DataFrame:
    _check_period("rolling window", window)

    def compute(v: pd.DataFrame) -> pd.DataFrame:
        rolled = v.rolling(window, min_periods=window)
        extreme = rolled.max() if how == "max" else rolled.min()
        return extreme if include_today else extreme.shift(1)

    return _on_own_bars(compute, values)


def volume_average(volume: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """Mean volume of the last ``n`` bars, today included (TA-Lib SMA on volume).
    Warm-up: ``n - 1``."""
    return sma(volume, n)


def relative_volume(volume: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """Today's volume divided by the mean volume of the ``n`` bars before today (today is
    left out so a spike does not dilute its own baseline); NaN when that mean is 0.
    Warm-up: ``n``."""
    _check_period("relative_volume n", n)

    def compute(v: pd.DataFrame) -> pd.DataFrame:
        baseline = v.rolling(n, min_periods=n).mean().shift(1)
        return v / baseline.where(baseline > 0)

    return _on_own_bars(compute, volume)
