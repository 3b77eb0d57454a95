"""Split back-adjustment: synthetic edge cases and every split in the real S&P 500 bars."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingagents.sources.splits import adjust_for_splits, adjust_wide_for_splits, split_factors

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
BARS_DIR = FIXTURES / "ohlcv" / "sp500_daily_2019_2021"
SPLIT_TICKERS = [
    "AAPL",
    "APH",
    "DD",
    "EW",
    "FAST",
    "FTV",
    "MKC",
    "NEE",
    "ODFL",
    "PFE",
    "ROL",
    "RTX",
    "SHW",
    "TSLA",
    "VFC",
]


def bars(closes: list[float], coefficients: list[float]) -> pd.DataFrame:
    close = np.asarray(closes)
    return pd.DataFrame(
        {
            "timestamp": [f"2024-01-{day:02d}" for day in range(2, 2 + len(closes))],
            "open": close,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "adjusted_close": close,
            "volume": np.full(len(closes), 1000, dtype=np.int64),
            "dividend_amount": [0.5] + [0.0] * (len(closes) - 1),
            "split_coefficient": coefficients,
        }
    )


def read_bars(ticker: str) -> pd.DataFrame:
    if not BARS_DIR.is_dir():
        pytest.skip(f"real S&P 500 bars not found at {BARS_DIR} (../shared/fixtures is absent)")
    return pd.read_csv(BARS_DIR / f"{ticker}.csv", index_col="timestamp", parse_dates=True)


def test_prices_before_a_split_are_divided_and_volume_multiplied() -> None:
    raw = bars([200.0, 210.0, 105.0, 106.0], [1.0, 1.0, 2.0, 1.0])
    adjusted = adjust_for_splits(raw)
    assert adjusted["close"].tolist() == [100.0, 105.0, 105.0, 106.0]
    assert adjusted["high"].tolist() == [100.5, 105.5, 106.0, 107.0]
    assert adjusted["volume"].tolist() == [2000.0, 2000.0, 1000.0, 1000.0]
    assert adjusted["dividend_amount"].tolist() == [0.25, 0.0, 0.0, 0.0]
    # Nothing dropped; the vendor's own adjusted close and the coefficients are left as they were.
    assert adjusted.columns.tolist() == raw.columns.tolist() and len(adjusted) == len(raw)
    pd.testing.assert_series_equal(adjusted["adjusted_close"], raw["adjusted_close"])
    pd.testing.assert_series_equal(adjusted["split_coefficient"], raw["split_coefficient"])
    assert raw["close"].tolist() == [200.0, 210.0, 105.0, 106.0]  # input untouched


def test_splits_compound_and_reverse_splits_scale_up() -> None:
    twice = adjust_for_splits(bars([800.0, 200.0, 100.0], [1.0, 4.0, 2.0]))
    assert twice["close"].tolist() == [100.0, 100.0, 100.0]
    assert twice["volume"].tolist() == [8000.0, 2000.0, 1000.0]
    reverse = adjust_for_splits(bars([10.0, 30.0], [1.0, 1 / 3]))
    np.testing.assert_allclose(reverse["close"], [30.0, 30.0])


def test_a_series_without_splits_comes_back_unchanged() -> None:
    raw = bars([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    adjusted = adjust_for_splits(raw)
    pd.testing.assert_frame_equal(adjusted, raw)
    assert adjusted is not raw


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"missing required column.*split_coefficient"):
        adjust_for_splits(bars([1.0], [1.0]).drop(columns="split_coefficient"))
    with pytest.raises(ValueError, match=r"missing required column.*: volume"):
        adjust_for_splits(bars([1.0], [1.0]).drop(columns="volume"))


def test_bad_coefficients_and_order_are_rejected() -> None:
    with pytest.raises(
        ValueError, match=r"split_coefficient must be a positive number.*first at 1"
    ):
        adjust_for_splits(bars([1.0, 2.0], [1.0, 0.0]))
    with pytest.raises(ValueError, match="split_coefficient must be a positive number"):
        adjust_for_splits(bars([1.0, 2.0], [float("nan"), 1.0]))
    with pytest.raises(ValueError, match="oldest first"):
        adjust_for_splits(bars([1.0, 2.0], [1.0, 2.0]).iloc[::-1])


def test_wide_factors_treat_missing_bars_as_no_split() -> None:
    coefficients = pd.DataFrame(
        {"OLD": [1.0, 2.0, 1.0, 3.0], "NEW": [np.nan, np.nan, 1.0, 2.0]},
        index=pd.bdate_range("2024-01-01", periods=4),
    )
    factors = split_factors(coefficients)
    assert factors["OLD"].tolist() == [6.0, 3.0, 3.0, 1.0]
    assert factors["NEW"].tolist() == [2.0, 2.0, 2.0, 1.0]
    with pytest.raises(ValueError, match=r"positive number.*'OLD'"):
        split_factors(coefficients.assign(OLD=[1.0, -2.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="don't know how to split-adjust field 'vwap'"):
        adjust_wide_for_splits({"vwap": coefficients}, coefficients)


def test_aapl_split_day_is_an_ordinary_day_after_adjustment() -> None:
    raw = read_bars("AAPL")
    adjusted = adjust_for_splits(raw)
    split_day = pd.Timestamp("2020-08-31")
    assert raw["split_coefficient"][split_day] == 4.0
    raw_return = raw["close"].pct_change()[split_day]
    adjusted_returns = adjusted["close"].pct_change()
    assert -0.78 < raw_return < -0.72  # the as-traded close shows a ~-75% "crash"
    assert abs(adjusted_returns[split_day]) < 0.10
    assert adjusted_returns.abs().max() < 0.15  # the worst real day of 2019-2021 (Mar 2020)
    before = raw.index < split_day
    np.testing.assert_allclose(adjusted["close"][before], raw["close"][before] / 4)
    np.testing.assert_allclose(adjusted["volume"][before], raw["volume"][before] * 4)
    pd.testing.assert_series_equal(adjusted["close"][~before], raw["close"][~before])


@pytest.mark.parametrize("ticker", [t for t in SPLIT_TICKERS if t != "RTX"])
def test_adjusted_close_tracks_the_vendors_across_every_real_split(ticker: str) -> None:
    """The vendor's adjusted_close also folds in dividends, so its ratio to our close moves
    on ex-dividend days only; a split day must not move it. (RTX is left out: the vendor booked
    its 2020-04-03 spin-off as both a 1.589 split and a 13.28 dividend on the same day.)"""
    raw = read_bars(ticker)
    ratio = adjust_for_splits(raw)["close"] / raw["adjusted_close"]
    split_days = raw.index[raw["split_coefficient"] != 1.0]
    assert len(split_days) == 1
    change = ratio.pct_change()
    assert abs(change[split_days[0]]) < 1e-6
    assert change.abs().max() < 0.02  # nothing but dividends anywhere


def test_wide_adjustment_equals_adjusting_each_ticker() -> None:
    tickers = ["AAPL", "TSLA", "DD", "MSFT", "CARR"]
    per_ticker = {t: adjust_for_splits(read_bars(t)) for t in tickers}
    raw = {t: read_bars(t) for t in tickers}

    def wide(source: dict[str, pd.DataFrame], field: str) -> pd.DataFrame:
        return pd.DataFrame({t: source[t][field].astype(np.float64) for t in tickers}).sort_index()

    fields = {f: wide(raw, f) for f in ("open", "high", "low", "close", "volume")}
    adjusted = adjust_wide_for_splits(fields, wide(raw, "split_coefficient"))
    for field, frame in adjusted.items():
        pd.testing.assert_frame_equal(frame, wide(per_ticker, field), check_freq=False)
    assert adjusted["close"]["CARR"].isna().sum() == len(adjusted["close"]) - 275


def test_split_tickers_list_matches_the_fixture() -> None:
    if not BARS_DIR.is_dir():
        pytest.skip(f"real S&P 500 bars not found at {BARS_DIR} (../shared/fixtures is absent)")
    with_splits = sorted(
        path.stem
        for path in BARS_DIR.glob("*.csv")
        if re.fullmatch(r"[A-Z.]+", path.stem)
        and (pd.read_csv(path, usecols=["split_coefficient"])["split_coefficient"] != 1.0).any()
    )
    assert with_splits == SPLIT_TICKERS
