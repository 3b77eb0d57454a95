"""Forward returns of picks and the statistics of a scanner's record.

One module for both readers of a record, ``tradingagents history`` (real runs) and the
backtest report, so the two never disagree. The definitions:

* **forward return** at horizon ``h`` of a pick made on session ``D``:
  ``close(D + h sessions) / close(D) - 1``, a fraction (0.05 is +5 %). Both closes come from
  one read adjusted for splits as of a date on or after ``D + h``, so a split between the two
  sessions is on both sides of the ratio (split-aware). "Sessions" are the rows of that read.
* **universe return**: the equal-weight mean of the forward returns, over the same sessions,
  of every symbol in the read that has both closes.
* **excess return**: a pick's forward return minus the universe return.
* **hit rate**: the share of realised picks whose forward return is above zero.
* **t-statistic**: of the mean excess return, ``mean / (sample std / sqrt(n))``; ``None``
  with fewer than two realised picks or no spread.
* **session share**: the share of the sessions considered on which the group made at least
  one pick (realised or not).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Forward-return horizons, in sessions.
HORIZONS: tuple[int, ...] = (1, 5, 10, 20)

#: The columns of :func:`record_statistics`, after the grouping keys.
STAT_COLUMNS = (
    "horizon",
    "picks",
    "realised",
    "hit_rate",
    "mean_return",
    "median_return",
    "mean_excess_return",
    "t_stat",
    "session_share",
)


def return_column(horizon: int) -> str:
    return f"fwd_return_{horizon}"


def excess_column(horizon: int) -> str:
    return f"excess_return_{horizon}"


def forward_returns(closes: pd.DataFrame, horizons: Iterable[int]) -> dict[int, pd.DataFrame]:
    """Per horizon, a sessions x symbols frame: the forward return from each row's close.

    ``closes`` is sessions (rows, oldest first) x symbols, all adjusted on one basis (one
    store read). The last ``h`` rows have no forward return (NaN), nor does a symbol missing
    a close on either session."""
    values = closes.to_numpy(dtype=float)
    result: dict[int, pd.DataFrame] = {}
    for h in horizons:
        if h < 1:
            raise ValueError(f"a horizon is at least 1 session, not {h}")
        ahead = np.full_like(values, np.nan)
        if h < len(values):
            ahead[:-h] = values[h:]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = ahead / values - 1.0
        ratio[~np.isfinite(ratio)] = np.nan
        result[h] = pd.DataFrame(ratio, index=closes.index, columns=closes.columns)
    return result


def universe_returns(forward: dict[int, pd.DataFrame]) -> dict[int, pd.Series]:
    """Per horizon, each session's equal-weight mean forward return over the symbols that
    have one (NaN when none has)."""
    return {h: frame.mean(axis=1, skipna=True) for h, frame in forward.items()}


def pick_returns(
    picks: pd.DataFrame, closes: pd.DataFrame, horizons: Sequence[int] = HORIZONS
) -> pd.DataFrame:
    """``picks`` (columns ``session`` and ``ticker``; sessions as dates or timestamps) with
    ``fwd_return_<h>``, ``universe_return_<h>`` and ``excess_return_<h>`` added per horizon:
    NaN where the read holds no close for the pick's session, its ticker or ``D + h``."""
    forward = forward_returns(closes, horizons)
    universe = universe_returns(forward)
    rows = pd.DatetimeIndex(closes.index).get_indexer(pd.DatetimeIndex(picks["session"]))
    columns = closes.columns.get_indexer(pd.Index(picks["ticker"]))
    found = (rows >= 0) & (columns >= 0)
    out = picks.copy()
    for h in horizons:
        values = forward[h].to_numpy()
        own = np.full(len(picks), np.nan)
        own[found] = values[rows[found], columns[found]]
        market = np.full(len(picks), np.nan)
        market[rows >= 0] = universe[h].to_numpy()[rows[rows >= 0]]
        out[return_column(h)] = own
        out[f"universe_return_{h}"] = market
        out[excess_column(h)] = own - market
    return out


def record_statistics(
    picks: pd.DataFrame,
    *,
    sessions: int,
    horizons: Sequence[int] = HORIZONS,
    by: Sequence[str] = ("scanner",),
) -> pd.DataFrame:
    """One row per group of ``by`` and horizon: the columns of :data:`STAT_COLUMNS`.

    ``picks`` has the ``by`` columns, ``session``, and ``fwd_return_<h>`` and
    ``excess_return_<h>`` per horizon (NaN: not realised yet). ``sessions`` is how many
    sessions were considered (the denominator of the session share). A missing group key
    (such as an unknown priority) is its own group, ``None``."""
    if sessions < 0:
        raise ValueError(f"sessions must be at least 0, not {sessions}")
    keys = list(by)
    rows: list[dict[str, object]] = []
    if picks.empty:
        return pd.DataFrame(rows, columns=[*keys, *STAT_COLUMNS])
    grouped = picks.groupby(keys, dropna=False, sort=True)
    for group, frame in grouped:
        labels = group if isinstance(group, tuple) else (group,)
        named = {k: (None if _missing(v) else v) for k, v in zip(keys, labels, strict=True)}
        days = frame["session"].nunique()
        for h in horizons:
            returns = frame[return_column(h)].to_numpy(dtype=float)
            excess = frame[excess_column(h)].to_numpy(dtype=float)
            realised = ~np.isnan(returns)
            rows.append(
                {
                    **named,
                    "horizon": h,
                    "picks": len(frame),
                    **_moments(returns[realised], excess[realised & ~np.isnan(excess)]),
                    "session_share": days / sessions if sessions else None,
                }
            )
    stats = pd.DataFrame(rows, columns=[*keys, *STAT_COLUMNS])
    for key in keys:  # NaN (pandas' missing label) becomes None, as in the rows
        column = stats[key].astype(object)
        stats[key] = column.where(column.notna(), None)
    return stats


def _moments(returns: np.ndarray, excess: np.ndarray) -> dict[str, float | int | None]:
    n = len(returns)
    if n == 0:
        return {
            "realised": 0,
            "hit_rate": None,
            "mean_return": None,
            "median_return": None,
            "mean_excess_return": None,
            "t_stat": None,
        }
    mean_excess = float(excess.mean()) if len(excess) else None
    return {
        "realised": n,
        "hit_rate": float((returns > 0).mean()),
        "mean_return": float(returns.mean()),
        "median_return": float(np.median(returns)),
        "mean_excess_return": mean_excess,
        "t_stat": t_statistic(excess),
    }


def t_statistic(values: np.ndarray) -> float | None:
    """``mean / (sample std / sqrt(n))``; ``None`` below two values or with no spread."""
    n = len(values)
    if n < 2:
        return None
    spread = float(np.std(values, ddof=1))
    # Equal values leave a rounding-error spread (1e-17), which would make t about 1e16.
    if math.isnan(spread) or spread <= 1e-12 * max(1.0, float(np.abs(values).max())):
        return None
    return float(values.mean()) / (spread / math.sqrt(n))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
