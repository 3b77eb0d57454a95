"""Universe-wide indicators equal TA-Lib's, ticker by ticker, on real S&P 500 bars.

Every indicator runs once over the whole split-adjusted universe (a wide dates x tickers
frame); TA-Lib then runs on each ticker's own bars and the two must agree within 1e-6
relative everywhere, including which cells are still warming up. The fixture covers tickers
listed late (CARR/OTIS ~275 bars, VTRS 107) and the AAPL 4:1 split of 2020-08-31.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import talib

from tradingagents.scanners import indicators as ind
from tradingagents.sources.splits import adjust_for_splits

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
BARS_DIR = FIXTURES / "ohlcv" / "sp500_daily_2019_2021"
# Files named like "<TICKER>.csv". Anything else (the fixture has NVT-2021-04-21.csv.csv, whose
# prices are not nVent's, so its symbol is unknown) is left out, and the test below says which.
TICKER_FILE = re.compile(r"^[A-Z][A-Z.]*\.csv$")
FIELDS = ("open", "high", "low", "close", "volume")
RTOL = 1e-6
ATOL = 1e-9  # MACD histogram and signal cross zero; relative error means nothing there
SHORT_HISTORIES = {"CARR": 275, "OTIS": 275, "VTRS": 107}

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Universe:
    """Split-adjusted wide frames for every ticker, plus the raw close for the split checks."""

    open: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    close: pd.DataFrame
    volume: pd.DataFrame
    raw_close: pd.DataFrame
    skipped_files: list[str]


@dataclass(frozen=True)
class OwnBars:
    """One ticker's bars without the dates it had no bar: what TA-Lib gets."""

    high: Array
    low: Array
    close: Array
    volume: Array


@pytest.fixture(scope="module")
def universe() -> Universe:
    if not BARS_DIR.is_dir():
        pytest.skip(f"real S&P 500 bars not found at {BARS_DIR} (../shared/fixtures is absent)")
    columns: dict[str, dict[str, pd.Series]] = {field: {} for field in (*FIELDS, "raw_close")}
    skipped: list[str] = []
    for path in sorted(BARS_DIR.glob("*.csv")):
        if not TICKER_FILE.match(path.name):
            skipped.append(path.name)
            continue
        raw = pd.read_csv(path, index_col="timestamp", parse_dates=True)
        adjusted = adjust_for_splits(raw)
        ticker = path.name.removesuffix(".csv")
        for field in FIELDS:
            columns[field][ticker] = adjusted[field].astype(np.float64)
        columns["raw_close"][ticker] = raw["close"].astype(np.float64)
    wide = {field: pd.DataFrame(series).sort_index() for field, series in columns.items()}
    return Universe(**wide, skipped_files=skipped)


def own_bars(universe: Universe, ticker: str) -> OwnBars:
    rows = universe.close[ticker].notna().to_numpy()
    return OwnBars(
        *(getattr(universe, f)[ticker].to_numpy()[rows] for f in ("high", "low", "close", "volume"))
    )


def prior_bars(values: Array) -> Array:
    """Each bar's value moved one bar later (the value "before today")."""
    return np.concatenate([[np.nan], values[:-1]])


def talib_relative_volume(volume: Array, n: int) -> Array:
    baseline = prior_bars(np.asarray(talib.SMA(volume, n), dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(baseline > 0, volume / baseline, np.nan)


def talib_output(function: Callable[..., object], index: int | None = None) -> Callable[..., Array]:
    def call(*args: object) -> Array:
        result = function(*args)
        picked = result if index is None else result[index]  # type: ignore[index]
        return np.asarray(picked, dtype=np.float64)

    return call


@dataclass(frozen=True)
class Case:
    name: str
    ours: Callable[[Universe], pd.DataFrame]
    reference: Callable[[OwnBars], Array]
    warm_up: int


def macd_case(output: int, name: str) -> Case:
    return Case(
        f"macd.{name}",
        lambda u: ind.macd(u.close, 12, 26, 9)[output],
        lambda b: talib_output(talib.MACD, output)(b.close, 12, 26, 9),
        33,
    )


def bollinger_case(output: int, name: str) -> Case:
    return Case(
        f"bollinger.{name}",
        lambda u: ind.bollinger(u.close, 20, 2.0)[output],
        lambda b: talib_output(talib.BBANDS, output)(b.close, 20, 2.0, 2.0, 0),
        19,
    )


CASES = [
    Case(
        "sma20", lambda u: ind.sma(u.close, 20), lambda b: talib_output(talib.SMA)(b.close, 20), 19
    ),
    Case(
        "sma200",
        lambda u: ind.sma(u.close, 200),
        lambda b: talib_output(talib.SMA)(b.close, 200),
        199,
    ),
    Case(
        "ema20", lambda u: ind.ema(u.close, 20), lambda b: talib_output(talib.EMA)(b.close, 20), 19
    ),
    Case(
        "ema50", lambda u: ind.ema(u.close, 50), lambda b: talib_output(talib.EMA)(b.close, 50), 49
    ),
    Case(
        "rsi14", lambda u: ind.rsi(u.close, 14), lambda b: talib_output(talib.RSI)(b.close, 14), 14
    ),
    Case(
        "atr14",
        lambda u: ind.atr(u.high, u.low, u.close, 14),
        lambda b: talib_output(talib.ATR)(b.high, b.low, b.close, 14),
        14,
    ),
    *(macd_case(i, part) for i, part in enumerate(ind.Macd._fields)),
    *(bollinger_case(i, part) for i, part in enumerate(ind.Bands._fields)),
    Case(
        "high52w",
        lambda u: ind.rolling_high(u.high),
        lambda b: talib_output(talib.MAX)(b.high, 252),
        251,
    ),
    Case(
        "high52w_before_today",
        lambda u: ind.rolling_high(u.high, include_today=False),
        lambda b: prior_bars(talib_output(talib.MAX)(b.high, 252)),
        252,
    ),
    Case(
        "low52w",
        lambda u: ind.rolling_low(u.low),
        lambda b: talib_output(talib.MIN)(b.low, 252),
        251,
    ),
    Case(
        "low52w_before_today",
        lambda u: ind.rolling_low(u.low, include_today=False),
        lambda b: prior_bars(talib_output(talib.MIN)(b.low, 252)),
        252,
    ),
    Case(
        "volume_average20",
        lambda u: ind.volume_average(u.volume, 20),
        lambda b: talib_output(talib.SMA)(b.volume, 20),
        19,
    ),
    Case(
        "relative_volume20",
        lambda u: ind.relative_volume(u.volume, 20),
        lambda b: talib_relative_volume(b.volume, 20),
        20,
    ),
]


def test_universe_holds_every_ticker_file_and_skips_only_odd_names(universe: Universe) -> None:
    assert universe.skipped_files == ["NVT-2021-04-21.csv.csv"]
    assert universe.close.shape[1] == 503
    for ticker, bars in SHORT_HISTORIES.items():
        assert universe.close[ticker].count() == bars
    assert universe.close.index.is_monotonic_increasing


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_indicator_equals_talib_on_every_ticker(universe: Universe, case: Case) -> None:
    ours = case.ours(universe)
    assert ours.shape == universe.close.shape
    assert ours.index.equals(universe.close.index) and ours.columns.equals(universe.close.columns)

    expected = np.full(ours.shape, np.nan)
    for column, ticker in enumerate(universe.close.columns):
        rows = universe.close[ticker].notna().to_numpy()
        reference = case.reference(own_bars(universe, ticker))
        expected[rows, column] = reference
        warm_up = np.flatnonzero(~np.isnan(reference))
        if warm_up.size:  # tickers shorter than the warm-up have no value at all
            assert warm_up[0] == case.warm_up, ticker
    got = ours.to_numpy()

    mismatched_nan = np.isnan(got) != np.isnan(expected)
    assert not mismatched_nan.any(), (
        f"{case.name}: NaN layout differs from TA-Lib for "
        f"{sorted(set(ours.columns[np.nonzero(mismatched_nan)[1]]))[:10]}"
    )
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=case.name)
    values = ~np.isnan(expected)
    assert np.count_nonzero(values.any(axis=0)) >= 500  # compared on (almost) every ticker
    relative = np.abs(got[values] - expected[values]) / np.maximum(np.abs(expected[values]), ATOL)
    print(f"{case.name}: max relative error {relative.max():.2e} over {values.sum()} values")


def test_short_histories_warm_up_from_their_own_first_bar(universe: Universe) -> None:
    rsi = ind.rsi(universe.close, 14)
    ema50 = ind.ema(universe.close, 50)
    sma200 = ind.sma(universe.close, 200)
    for ticker, bars in SHORT_HISTORIES.items():
        own_dates = universe.close[ticker].dropna().index
        assert len(own_dates) == bars
        assert rsi[ticker].first_valid_index() == own_dates[14]
        assert ema50[ticker].first_valid_index() == own_dates[49]
        assert rsi[ticker].loc[own_dates[14] :].notna().all()
        assert rsi[ticker].loc[: own_dates[0]].iloc[:-1].isna().all()
    assert sma200["VTRS"].isna().all()  # 107 bars never fill a 200-bar window
    assert sma200["CARR"].count() == 275 - 199


def test_aapl_split_does_not_look_like_a_crash(universe: Universe) -> None:
    split_day = pd.Timestamp("2020-08-31")
    around = slice(pd.Timestamp("2020-08-24"), pd.Timestamp("2020-09-04"))
    raw_rsi = ind.rsi(universe.raw_close[["AAPL"]], 14)["AAPL"]
    rsi = ind.rsi(universe.close[["AAPL"]], 14)["AAPL"]
    atr = ind.atr(universe.high[["AAPL"]], universe.low[["AAPL"]], universe.close[["AAPL"]])["AAPL"]

    assert raw_rsi[split_day] < 20  # on as-traded prices the split reads as a collapse
    assert rsi[around].between(40, 90).all()
    assert abs(rsi[split_day] - rsi.shift(1)[split_day]) < 10
    assert atr[split_day] < 1.2 * atr.shift(1)[split_day]
    bands = ind.bollinger(universe.close[["AAPL"]])
    assert universe.close["AAPL"][split_day] > bands.lower["AAPL"][split_day]


def test_gaps_inside_a_series_are_skipped_like_missing_bars() -> None:
    rng = np.random.default_rng(7)
    close = pd.DataFrame(
        100 + rng.standard_normal((120, 3)).cumsum(axis=0),
        index=pd.bdate_range("2024-01-01", periods=120),
        columns=["GAP", "LATE", "EARLY_END"],
    )
    close.iloc[40:45, 0] = np.nan
    close.iloc[:60, 1] = np.nan
    close.iloc[100:, 2] = np.nan
    ours = ind.rsi(close, 14)
    for ticker in close.columns:
        own = close[ticker].dropna()
        expected = np.asarray(talib.RSI(own.to_numpy(), 14), dtype=np.float64)
        np.testing.assert_allclose(ours[ticker].loc[own.index], expected, rtol=RTOL)
        assert ours[ticker].drop(own.index).isna().all()


def test_relative_volume_is_nan_on_a_zero_baseline() -> None:
    volume = pd.DataFrame({"HALTED": [0.0] * 5 + [1000.0], "ACTIVE": [100.0] * 5 + [300.0]})
    relative = ind.relative_volume(volume, 3)
    assert np.isnan(relative["HALTED"].iloc[-1])
    assert relative["ACTIVE"].iloc[-1] == pytest.approx(3.0)
    assert relative["ACTIVE"].iloc[:3].isna().all() and relative["ACTIVE"].iloc[3] == 1.0


def test_bad_input_gets_a_clear_error() -> None:
    close = pd.DataFrame(
        {"A": np.arange(1.0, 31.0)}, index=pd.bdate_range("2024-01-01", periods=30)
    )
    with pytest.raises(ValueError, match="ascending"):
        ind.sma(close.iloc[::-1], 5)
    with pytest.raises(ValueError, match="sma n must be an integer >= 1"):
        ind.sma(close, 0)
    with pytest.raises(ValueError, match="slow period must exceed fast"):
        ind.macd(close, fast=26, slow=12)
    with pytest.raises(ValueError, match="same dates"):
        ind.atr(close, close, close.iloc[1:])
    with pytest.raises(TypeError, match="non-numeric columns: B"):
        ind.ema(close.assign(B="x"), 5)
