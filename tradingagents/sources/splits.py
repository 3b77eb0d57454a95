"""Back-adjust daily bars for stock splits, so a split never looks like a crash.

Alpha Vantage's daily adjusted series reports prices as traded plus a ``split_coefficient``
that is 1 on ordinary days and the split ratio on the first post-split day (AAPL: 4.0 on
2020-08-31, DD: 0.333 for a 1:3 reverse split). Back-adjusting divides every earlier price by
the product of the ratios of all later splits and multiplies earlier volume by it, which puts
the whole history in today's shares; bars on and after the last split are unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

logger = logging.getLogger(__name__)

SPLIT_COLUMN = "split_coefficient"
PER_SHARE_COLUMNS = ("open", "high", "low", "close")
"""Prices quoted per share: divided by the split factor."""
SHARE_COUNT_COLUMNS = ("volume",)
"""Quantities counted in shares: multiplied by the split factor."""
_OPTIONAL_PER_SHARE = ("dividend_amount",)
REQUIRED_COLUMNS = (*PER_SHARE_COLUMNS, *SHARE_COUNT_COLUMNS, SPLIT_COLUMN)


def adjust_for_splits(bars: pd.DataFrame) -> pd.DataFrame:
    """One ticker's bars (rows oldest first) back-adjusted for its splits.

    open/high/low/close (and ``dividend_amount`` when present) are divided and ``volume``
    multiplied by the product of the split coefficients dated after each row. Every row and
    column is kept (``adjusted_close`` is already adjusted by the vendor and is left alone);
    a series without splits comes back as an unchanged copy. Raises ``ValueError`` naming the
    problem when a required column is missing, a coefficient is not a positive number, or the
    rows are out of date order (checked when there is a ``timestamp`` column or a
    ``DatetimeIndex``).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in bars.columns]
    if missing:
        raise ValueError(
            f"bars are missing required column(s): {', '.join(missing)} "
            f"(have: {', '.join(map(str, bars.columns))})"
        )
    _check_ascending(bars)
    coefficients = pd.to_numeric(bars[SPLIT_COLUMN], errors="coerce").to_numpy(np.float64)
    _check_coefficients(coefficients, bars.index)
    if np.all(coefficients == 1.0):
        return bars.copy()
    factors = _later_split_product(coefficients.reshape(-1, 1))[:, 0]
    adjusted = bars.copy()
    for column in (*PER_SHARE_COLUMNS, *(c for c in _OPTIONAL_PER_SHARE if c in bars.columns)):
        adjusted[column] = bars[column].to_numpy(np.float64) / factors
    for column in SHARE_COUNT_COLUMNS:
        adjusted[column] = bars[column].to_numpy(np.float64) * factors
    logger.debug("adjusted %d bars for %d split(s)", len(bars), int(np.sum(coefficients != 1.0)))
    return adjusted


def split_factors(coefficients: pd.DataFrame) -> pd.DataFrame:
    """Wide (dates x tickers) cumulative back-adjustment factors from wide split coefficients.

    Each cell is the product of that ticker's coefficients on later dates (1 after its last
    split). NaN coefficients mean "no bar that day" and count as 1.
    """
    if not coefficients.index.is_monotonic_increasing:
        raise ValueError("split coefficients index must be dates in ascending order")
    values = coefficients.to_numpy(np.float64)
    filled = np.where(np.isnan(values), 1.0, values)
    _check_coefficients(filled, coefficients.index, coefficients.columns)
    factors = _later_split_product(filled)
    return pd.DataFrame(factors, index=coefficients.index, columns=coefficients.columns)


def adjust_wide_for_splits(
    fields: Mapping[str, pd.DataFrame], coefficients: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Back-adjust wide frames for the whole universe at once.

    ``fields`` maps a bar field (open, high, low, close, volume, dividend_amount) to its wide
    frame, aligned with ``coefficients`` (same dates and tickers). Returns the same keys with
    adjusted frames; NaN cells stay NaN.
    """
    factors = split_factors(coefficients)
    adjusted: dict[str, pd.DataFrame] = {}
    for name, frame in fields.items():
        if not frame.index.equals(factors.index) or not frame.columns.equals(factors.columns):
            raise ValueError(f"{name} frame is not aligned with the split coefficients frame")
        if name in (*PER_SHARE_COLUMNS, *_OPTIONAL_PER_SHARE):
            adjusted[name] = frame.astype(np.float64) / factors
        elif name in SHARE_COUNT_COLUMNS:
            adjusted[name] = frame.astype(np.float64) * factors
        else:
            raise ValueError(
                f"don't know how to split-adjust field {name!r}; expected one of "
                f"{', '.join((*PER_SHARE_COLUMNS, *_OPTIONAL_PER_SHARE, *SHARE_COUNT_COLUMNS))}"
            )
    return adjusted


def _later_split_product(coefficients: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Row t of the result: product of rows after t (a reversed cumulative product, shifted)."""
    from_here_on = np.cumprod(coefficients[::-1], axis=0)[::-1]
    factors = np.ones_like(coefficients)
    factors[:-1] = from_here_on[1:]
    return factors


def _check_coefficients(
    coefficients: npt.NDArray[np.float64], index: pd.Index, columns: pd.Index | None = None
) -> None:
    bad = ~(np.isfinite(coefficients) & (coefficients > 0))
    if bad.any():
        where = np.argwhere(bad)[0]
        place = f"{index[where[0]]!r}" + (
            f" for {columns[where[1]]!r}" if columns is not None else ""
        )
        raise ValueError(
            f"{SPLIT_COLUMN} must be a positive number on every bar; {int(bad.sum())} bad "
            f"value(s), first at {place}"
        )


def _check_ascending(bars: pd.DataFrame) -> None:
    if "timestamp" in bars.columns:
        dates = pd.Index(pd.to_datetime(bars["timestamp"]))
    elif isinstance(bars.index, pd.DatetimeIndex):
        dates = bars.index
    else:
        return
    if not dates.is_monotonic_increasing:
        raise ValueError("bars must be ordered oldest first to adjust for splits")
