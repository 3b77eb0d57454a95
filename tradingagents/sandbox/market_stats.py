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


def read_alpha_vantage_panel(folder: Path, constituents: Path, min_bars: int = 500) -> Panel:
    """Tickers with >= `min_bars` rows from a folder of Alpha Vantage daily-adjusted CSVs
    (``<TICKER>.csv``) and a ``Symbol,Name,Sector`` constituents file."""
    sectors = pd.read_csv(constituents).set_index("Symbol")["Sector"].to_dict()
    frames = {}
    for path in sorted(folder.glob("*.csv")):
        bars = pd.read_csv(path, index_col="timestamp", parse_dates=True)
        if len(bars) >= min_bars and path.stem in sectors:
            frames[path.stem] = bars
    if not frames:
        raise FileNotFoundError(f"no ticker with >= {min_bars} bars in {folder}")
    panel = pd.concat(frames, axis=1).dropna()

    def field(name: str) -> pd.DataFrame:
        frame = panel.xs(name, axis=1, level=1)
        assert isinstance(frame, pd.DataFrame)
        return frame.astype("float64")

    return Panel(
        high=field("high"),
        low=field("low"),
        close=field("close"),
        adjusted_close=field("adjusted_close"),
        volume=field("volume"),
        sectors={ticker: str(sectors[ticker]) for ticker in frames},
    )


def _log(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(np.log(frame.to_numpy()), index=frame.index, columns=frame.columns)


def _autocorrelation(frame: pd.DataFrame, lag: int) -> pd.Series:
    centred = frame - frame.mean()
    numerator = (centred * centred.shift(lag)).sum()
    return numerator / (centred**2).sum()


def _mean_pairwise(corr: np.ndarray, mask: np.ndarray) -> float:
    return float(corr[mask].mean())


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
    returns = _log(close if adjusted_close is None else adjusted_close).diff().iloc[1:]
    absolute = returns.abs()
    log_volume = _log(volume.where(volume > 0)).iloc[1:]
    corr = returns.corr().to_numpy()
    labels = np.array([sectors[ticker] for ticker in returns.columns])
    same = labels[:, None] == labels[None, :]
    off_diagonal = ~np.eye(len(labels), dtype=bool)
    acfs = pd.concat([_autocorrelation(absolute, lag) for lag in range(1, ACF_LAGS + 1)], axis=1)
    volume_corr = log_volume.corrwith(absolute)
    prior = volume.rolling(20).mean().shift(1)
    recent = volume.rolling(5).mean()
    baseline = prior.shift(5)
    return PanelStatistics(
        return_std=float(returns.std().median()),
        excess_kurtosis=float(returns.kurt().median()),
        abs_return_acf1=float(acfs.iloc[:, 0].median()),
        abs_return_acf_1_10=float(acfs.mean(axis=1).median()),
        market_return_std=float(returns.mean(axis=1).std()),
        corr_within_sector=_mean_pairwise(corr, same & off_diagonal),
        corr_between_sectors=_mean_pairwise(corr, ~same),
        median_volume=float(volume.median().median()),
        volume_dispersion=float(np.log(volume.median()).std()),
        volume_abs_return_corr=float(volume_corr.median()),
        log_volume_acf1=float(_autocorrelation(log_volume, 1).median()),
        volume_5_20_log_std=float(np.nanstd(_log(recent / baseline).to_numpy())),
        volume_spike_rate=float(np.nanmean((volume / prior).to_numpy()[20:] >= 3.0)),
        range_over_close=float(np.nanmedian(((high - low) / close.where(close > 0)).to_numpy())),
    )
