"""Stylised-fact statistics of a daily-bar panel, to calibrate the simulator against real bars.

Works on any dates x tickers frames, so the same numbers come from the sandbox market and
from real S&P 500 bars (see MARKET.md, tests/test_sandbox_market.py and
benchmarks/sandbox_market.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

ACF_LAGS = 10


@dataclass(frozen=True, slots=True)
class PanelStatistics:
    """Medians over tickers unless stated otherwise."""

    return_std: float  # daily log-return stdev
    excess_kurtosis: float  # of daily log returns
    abs_return_acf1: float  # lag-1 autocorrelation of |r| (volatility clustering)
    abs_return_acf_1_10: float  # mean autocorrelation of |r| over lags 1..10 (its persistence)
    market_return_std: float  # stdev of the equal-weighted average daily return
    corr_within_sector: float  # mean pairwise return correlation, same sector
    corr_between_sectors: float  # mean pairwise return correlation, different sectors
    median_volume: float  # median over tickers of the median daily share volume
    volume_dispersion: float  # stdev over tickers of log(median daily volume)
    volume_abs_return_corr: float  # corr(log volume, |r|) within a ticker
    log_volume_acf1: float  # lag-1 autocorrelation of log volume
    volume_5_20_log_std: float  # stdev of log(5-day mean volume / prior 20-day mean volume)
    volume_spike_rate: float  # share of ticker-days with volume >= 3x its prior 20-day mean
    range_over_close: float  # median (high - low) / close

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Panel:
    """Aligned dates x tickers frames of daily bars."""

    high: pd.DataFrame
    low: pd.DataFrame
    close: pd.DataFrame
    adjusted_close: pd.DataFrame
    volume: pd.DataFrame
    sectors: dict[str, str]


FIELDS = ("high", "low", "close", "adjusted_close", "volume")


def read_alpha_vantage_panel(folder: Path, constituents: Path, min_bars: int = 500) -> Panel:
    """Tickers with >= `min_bars` rows from a folder of Alpha Vantage daily-adjusted CSVs
    (``<TICKER>.csv``) and a ``Symbol,Name,Sector`` constituents file, on their common
    dates."""
    sectors = pd.read_csv(constituents).set_index("Symbol")["Sector"].to_dict()
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        if path.stem in sectors:
            table = pd.read_csv(path, index_col="timestamp", usecols=["timestamp", *FIELDS])
            if len(table) >= min_bars:
                tables[path.stem] = table
    if not tables:
        raise FileNotFoundError(f"no ticker with >= {min_bars} bars in {folder}")
    common = sorted(set.intersection(*(set(t.index) for t in tables.values())))
    index = pd.DatetimeIndex(common)
    columns = pd.Index(list(tables))

    def field(name: str) -> pd.DataFrame:
        values = np.column_stack([t[name].reindex(common).to_numpy() for t in tables.values()])
        return pd.DataFrame(values.astype(np.float64), index=index, columns=columns)

    return Panel(
        high=field("high"),
        low=field("low"),
        close=field("close"),
        adjusted_close=field("adjusted_close"),
        volume=field("volume"),
        sectors={ticker: str(sectors[ticker]) for ticker in tables},
    )


FloatArray = npt.NDArray[np.float64]


def _autocorrelation(values: FloatArray, lag: int) -> FloatArray:
    """Per-column lag autocorrelation of a (days, tickers) array."""
    centred = values - values.mean(axis=0)
    result: FloatArray = (centred[lag:] * centred[:-lag]).sum(axis=0) / (centred**2).sum(axis=0)
    return result


def _rolling_mean(values: FloatArray, days: int) -> FloatArray:
    """Mean of the `days` rows ending at each row (NaN for the first days - 1 rows)."""
    cumulative = np.vstack([np.zeros(values.shape[1]), np.cumsum(values, axis=0)])
    out = np.full_like(values, np.nan)
    out[days - 1 :] = (cumulative[days:] - cumulative[:-days]) / days
    return out


def _shift(values: FloatArray, rows: int) -> FloatArray:
    out = np.full_like(values, np.nan)
    out[rows:] = values[:-rows]
    return out


def panel_statistics(
    close: pd.DataFrame,
    high: pd.DataFrame,
    low: pd.DataFrame,
    volume: pd.DataFrame,
    sectors: Mapping[str, str],
    adjusted_close: pd.DataFrame | None = None,
) -> PanelStatistics:
    """Statistics of the panel (columns are tickers); returns come from `adjusted_close`
    when given (split- and dividend-adjusted), else from `close`."""
    priced = (close if adjusted_close is None else adjusted_close).to_numpy(np.float64)
    returns = np.diff(np.log(priced), axis=0)
    absolute = np.abs(returns)
    shares = volume.to_numpy(np.float64)
    traded = (shares > 0).all(axis=0)  # log-volume statistics skip tickers with a halted day
    log_volume = np.log(shares[1:, traded])
    centred = returns - returns.mean(axis=0)
    variance = (centred**2).mean(axis=0)
    kurtosis = (centred**4).mean(axis=0) / variance**2 - 3.0
    corr = np.corrcoef(returns, rowvar=False)
    labels = np.array([sectors[str(ticker)] for ticker in close.columns])
    same = labels[:, None] == labels[None, :]
    off_diagonal = ~np.eye(len(labels), dtype=bool)
    acfs = np.array([_autocorrelation(absolute, lag) for lag in range(1, ACF_LAGS + 1)])
    volume_corr = [
        np.corrcoef(log_volume[:, i], column)[0, 1]
        for i, column in enumerate(absolute[:, traded].T)
    ]
    prior = _shift(_rolling_mean(shares, 20), 1)
    recent = _rolling_mean(shares, 5)
    with np.errstate(invalid="ignore"):
        spikes = (shares / prior)[21:] >= 3.0
    median_volume = np.median(shares, axis=0)
    ranges = (high.to_numpy(np.float64) - low.to_numpy(np.float64)) / close.to_numpy(np.float64)
    return PanelStatistics(
        return_std=float(np.median(returns.std(axis=0, ddof=1))),
        excess_kurtosis=float(np.median(kurtosis)),
        abs_return_acf1=float(np.median(acfs[0])),
        abs_return_acf_1_10=float(np.median(acfs.mean(axis=0))),
        market_return_std=float(returns.mean(axis=1).std(ddof=1)),
        corr_within_sector=float(corr[same & off_diagonal].mean()),
        corr_between_sectors=float(corr[~same].mean()),
        median_volume=float(np.median(median_volume)),
        volume_dispersion=float(np.log(median_volume).std(ddof=1)),
        volume_abs_return_corr=float(np.median(volume_corr)),
        log_volume_acf1=float(np.median(_autocorrelation(log_volume, 1))),
        volume_5_20_log_std=float(np.nanstd(np.log(recent / _shift(prior, 5))[:, traded])),
        volume_spike_rate=float(spikes.mean()),
        range_over_close=float(np.median(ranges)),
    )
