"""The price and movers scanners on one sandbox market: market_movers, unusual_volume,
volume_accumulation, high_52w_breakout, rsi_oversold, trend_template.

One sandbox is served on 127.0.0.1 for the module; each scanner runs alone through the real
engine and sources (so the merged candidates are exactly its own, in its order), over a
universe of every ticker that carries or imitates one of these signals plus a slice of the
rest, so the bar fetch stays small. Expected numbers come from the reference definitions in
signals.py and from indicators.py, computed on the market's own frames.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.sandbox_fixtures import sandbox_data
from tests.scanner_kit import SCANNER_TRADE_DATE as TRADE_DATE
from tests.scanner_kit import scan
from tradingagents.config import ConfigError
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox import signals
from tradingagents.sandbox.market import Market
from tradingagents.scanners import indicators
from tradingagents.scanners.bars import WideBars, bars_ago, fetch_wide_bars, wide_bars
from tradingagents.scanners.builtin.high_52w_breakout import High52wBreakoutScanner
from tradingagents.scanners.builtin.market_movers import MarketMoversScanner
from tradingagents.scanners.builtin.rsi_oversold import RsiOversoldScanner
from tradingagents.scanners.builtin.trend_template import TrendTemplateScanner
from tradingagents.scanners.builtin.unusual_volume import UnusualVolumeScanner
from tradingagents.scanners.builtin.volume_accumulation import VolumeAccumulationScanner
from tradingagents.sources import budget
from tradingagents.sources.errors import DeadlineExceeded, NotFound, ServiceDown
from tradingagents.sources.hub import Sources
from tradingagents.sources.prices import BarsBatch, LocalPrices

OTHER_TICKERS = 40
SCANNERS: tuple[type[BaseScanner], ...] = (
    MarketMoversScanner,
    UnusualVolumeScanner,
    VolumeAccumulationScanner,
    High52wBreakoutScanner,
    RsiOversoldScanner,
    TrendTemplateScanner,
)
NAMES = [cls.name for cls in SCANNERS]
REL = 1e-9


def scanner_config(universe: list[str], **scanners: dict[str, Any]) -> dict[str, Any]:
    return {
        "discovery": {
            "scanner_execution": {"max_workers": 2, "timeout_seconds": 60},
            "universe": {"symbols": universe},
            "scanners": scanners,
        },
        "data": sandbox_data(),
    }


@pytest.fixture(scope="module")
def universe(market: Market) -> list[str]:
    symbols = {c.symbol for c in market.companies}
    involved = {t for name in NAMES for t in market.truth(name)}
    involved |= {d.ticker for d in market.decoys if d.signal in NAMES}
    movers = market.movers()
    involved |= {row.ticker for row in (*movers.top_gainers, *movers.top_losers)}
    return sorted((involved & symbols) | set(sorted(symbols)[:OTHER_TICKERS]))


@pytest.fixture(scope="module")
def runs(sources: Sources, universe: list[str]) -> dict[str, dict[str, Any]]:
    """scanner name -> its scanner-node update, every hit reported (no limit)."""
    return {
        cls.name: scan(sources, scanner_config(universe, **{cls.name: {"limit": 10_000}}), cls)
        for cls in SCANNERS
    }


def found(update: dict[str, Any]) -> list[dict[str, Any]]:
    """The scanner's candidates in its order, each with its own numbers."""
    (name,) = {r["name"] for r in update["scanner_reports"]}
    return [
        {**entry["evidence"].get(name, {}), **{k: entry[k] for k in ("ticker", "priority")}}
        | {"strategy": entry["strategy"], "context": entry["context"]}
        for entry in update["candidate_metadata"]
    ]


# -- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_runs_cleanly_with_one_logged_data_call(runs: dict[str, Any], name: str) -> None:
    update = runs[name]
    (report,) = update["scanner_reports"]
    assert report["status"] == "ok", report["error"]
    assert report["invalid_candidates"] == 0, report["invalid_examples"]
    tools = [entry["tool"] for entry in update["tool_logs"]]
    if name == "market_movers":
        assert tools.count("get_market_movers") == 1
    else:
        assert tools == ["get_daily_bars_batch"]
        (fetch,) = update["tool_logs"]
        assert fetch["output_preview"].startswith('"WideBars(')
        assert fetch["parameters"]["end"] == TRADE_DATE


@pytest.mark.parametrize("name", NAMES)
def test_finds_exactly_the_planted_truth(
    runs: dict[str, Any], market: Market, universe: list[str], name: str
) -> None:
    truth = market.truth(name) & set(universe)
    assert truth, f"no {name} signal among the test universe on {TRADE_DATE}"
    assert {c["ticker"] for c in found(runs[name])} == truth


@pytest.mark.parametrize("name", NAMES)
def test_decoys_are_not_picked(runs: dict[str, Any], market: Market, name: str) -> None:
    decoys = {d.ticker: d.why for d in market.decoys if d.signal == name}
    assert decoys, f"the market has no {name} decoys on {TRADE_DATE}"
    picked = {c["ticker"] for c in found(runs[name])} & set(decoys)
    assert not picked, {t: decoys[t] for t in picked}


# -- numbers ------------------------------------------------------------------------------


def reference_numbers(name: str, m: Market) -> pd.DataFrame:
    """Per ticker: the numbers signals.py computes, under the scanners' key names."""
    if name == "unusual_volume":
        numbers = signals.unusual_volume_metrics(m.close, m.volume)
        numbers["volume"] = m.volume.iloc[-1]
        numbers["average_volume"] = m.volume.iloc[-21:-1].mean()
        return numbers
    if name == "volume_accumulation":
        numbers = signals.accumulation_metrics(m.close, m.volume)
        numbers["recent_average_volume"] = m.volume.iloc[-5:].mean()
        numbers["baseline_average_volume"] = m.volume.iloc[-25:-5].mean()
        return numbers
    if name == "high_52w_breakout":
        return signals.breakout_metrics(m.close, m.high, m.volume)
    if name == "rsi_oversold":
        return signals.rsi_metrics(m.close).rename(columns={"sma200": "trend_sma"})
    if name == "trend_template":
        return signals.trend_metrics(m.close, m.high, m.low).rename(
            columns={
                "sma50": "sma_fast",
                "sma150": "sma_middle",
                "sma200": "sma_slow",
                "sma200_before": "sma_slow_before",
            }
        )
    raise AssertionError(name)


@pytest.mark.parametrize("name", NAMES[1:])
def test_numbers_equal_the_reference_definition(
    runs: dict[str, Any], market: Market, name: str
) -> None:
    reference = reference_numbers(name, market)
    candidates = found(runs[name])
    assert candidates
    for candidate in candidates:
        assert candidate["signal_date"] == TRADE_DATE
        expected = reference.loc[candidate["ticker"]]
        for key, value in expected.items():
            assert candidate[key] == pytest.approx(float(value), rel=REL), (candidate, key)


def test_indicator_numbers_equal_indicators_on_the_full_history(
    runs: dict[str, Any], market: Market
) -> None:
    """RSI, SMAs and the rolling extremes match indicators.py (TA-Lib's values) over all the
    bars the emulator has, although the scanners load two years only."""
    full = {
        "rsi": indicators.rsi(market.close, 14).iloc[-1],
        "trend_sma": indicators.sma(market.close, 200).iloc[-1],
        "sma_fast": indicators.sma(market.close, 50).iloc[-1],
        "high_52w": indicators.rolling_high(market.high, 252).iloc[-1],
        "low_52w": indicators.rolling_low(market.low, 252).iloc[-1],
        "prior_52w_high": indicators.rolling_high(market.high, 252, include_today=False).iloc[-1],
        "volume_ratio": indicators.relative_volume(market.volume.astype(float), 20).iloc[-1],
    }
    checked = 0
    for name in ("unusual_volume", "high_52w_breakout", "rsi_oversold", "trend_template"):
        for candidate in found(runs[name]):
            for key in set(full) & set(candidate):
                assert candidate[key] == pytest.approx(
                    float(full[key][candidate["ticker"]]), rel=REL
                ), (name, candidate["ticker"], key)
                checked += 1
    assert checked > 20


def test_movers_numbers_are_alpha_vantage_rows(runs: dict[str, Any], market: Market) -> None:
    movers = market.movers()
    rows = {
        **{r.ticker: ("loser", r) for r in movers.top_losers},
        **{r.ticker: ("gainer", r) for r in movers.top_gainers},
    }
    for candidate in found(runs["market_movers"]):
        direction, row = rows[candidate["ticker"]]
        assert candidate["direction"] == direction
        assert candidate["price"] == pytest.approx(row.price)
        assert candidate["change_percentage"] == pytest.approx(row.change_percentage)
        assert candidate["change_amount"] == pytest.approx(row.change_amount)
        assert candidate["volume"] == row.volume
        assert candidate["signal_date"] == TRADE_DATE
        assert f"{row.change_percentage:+.2f}%" in candidate["context"]


# -- order, priority, limit -----------------------------------------------------------------

PriorityRule = Callable[[dict[str, Any]], str]


def default(name: str, key: str) -> Any:
    return SCANNERS[NAMES.index(name)].params[key].default


def movers_priority(c: dict[str, Any]) -> str:
    if c["direction"] == "loser":
        return "low"
    return (
        "high"
        if c["change_percentage"] >= default("market_movers", "strong_move_pct")
        else "medium"
    )


def above(name: str, key: str, threshold: str, levels: tuple[str, str]) -> PriorityRule:
    """The higher of ``levels`` when ``key`` reaches the ``threshold`` param, else the lower."""
    return lambda c: levels[0] if c[key] >= default(name, threshold) else levels[1]


HIGH_MEDIUM = ("high", "medium")
PRIORITY_RULES: dict[str, PriorityRule] = {
    "market_movers": movers_priority,
    "unusual_volume": above("unusual_volume", "volume_ratio", "strong_volume_ratio", HIGH_MEDIUM),
    "volume_accumulation": above(
        "volume_accumulation", "volume_ratio", "strong_volume_ratio", ("medium", "low")
    ),
    "high_52w_breakout": above(
        "high_52w_breakout", "volume_ratio", "strong_volume_ratio", HIGH_MEDIUM
    ),
    "rsi_oversold": lambda c: (
        "high" if c["rsi"] < default("rsi_oversold", "strong_rsi") else "medium"
    ),
    "trend_template": lambda c: (
        "high" if c["below_high"] <= default("trend_template", "strong_below_high") else "medium"
    ),
}


def test_priority_thresholds_split_the_sandbox_hits(runs: dict[str, Any]) -> None:
    """Priority means something: over the scanners, hits land on both sides of the lines."""
    levels = {name: {c["priority"] for c in found(runs[name])} for name in NAMES}
    assert sum(len(found_levels) > 1 for found_levels in levels.values()) >= 4, levels


def strength(name: str, candidate: dict[str, Any]) -> tuple[float, ...]:
    """The documented order, as a key that must not decrease down the list."""
    if name == "market_movers":
        return (candidate["direction"] == "loser", -abs(candidate["change_percentage"]))
    if name == "rsi_oversold":
        return (candidate["rsi"],)
    if name == "trend_template":
        return (candidate["below_high"],)
    return (-candidate["volume_ratio"],)


@pytest.mark.parametrize("name", NAMES)
def test_priorities_and_order_follow_the_documented_rule(runs: dict[str, Any], name: str) -> None:
    candidates = found(runs[name])
    assert [PRIORITY_RULES[name](c) for c in candidates] == [c["priority"] for c in candidates]
    keys = [strength(name, c) for c in candidates]
    assert keys == sorted(keys)


def test_losers_are_reversal_plays(runs: dict[str, Any]) -> None:
    strategies = {c["direction"]: c["strategy"] for c in found(runs["market_movers"])}
    assert strategies == {"gainer": "momentum", "loser": "reversal"}


@pytest.mark.parametrize("name", NAMES)
def test_limit_keeps_the_strongest(
    sources: Sources, universe: list[str], runs: dict[str, Any], name: str
) -> None:
    cls = SCANNERS[NAMES.index(name)]
    update = scan(sources, scanner_config(universe, **{name: {"limit": 1}}), cls)
    everything = [c["ticker"] for c in found(runs[name])]
    assert len(everything) > 1
    assert [c["ticker"] for c in found(update)] == everything[:1]


# -- configuration ----------------------------------------------------------------------


def test_param_defaults_are_the_signal_definitions() -> None:
    defaults = {cls.name: {k: p.default for k, p in cls.params.items()} for cls in SCANNERS}
    expected = {
        "market_movers": {"min_price": signals.MOVERS_MIN_PRICE},
        "unusual_volume": {
            "lookback_days": signals.UNUSUAL_VOLUME_LOOKBACK,
            "min_volume_ratio": signals.UNUSUAL_VOLUME_MIN_RATIO,
            "min_price": signals.UNUSUAL_VOLUME_MIN_PRICE,
        },
        "volume_accumulation": {
            "recent_days": signals.ACCUMULATION_RECENT_DAYS,
            "baseline_days": signals.ACCUMULATION_BASELINE_DAYS,
            "min_volume_ratio": signals.ACCUMULATION_MIN_VOLUME_RATIO,
            "max_price_change": signals.ACCUMULATION_MAX_PRICE_CHANGE,
        },
        "high_52w_breakout": {
            "lookback_days": signals.BREAKOUT_LOOKBACK,
            "volume_lookback_days": signals.BREAKOUT_VOLUME_LOOKBACK,
            "min_volume_ratio": signals.BREAKOUT_MIN_VOLUME_RATIO,
        },
        "rsi_oversold": {
            "rsi_period": signals.RSI_PERIOD,
            "max_rsi": signals.RSI_OVERSOLD,
            "trend_sma_days": signals.RSI_TREND_SMA,
        },
        "trend_template": {
            "fast_sma_days": signals.TREND_SMAS[0],
            "middle_sma_days": signals.TREND_SMAS[1],
            "slow_sma_days": signals.TREND_SMAS[2],
            "slow_sma_rising_days": signals.TREND_SMA200_RISING_DAYS,
            "range_days": signals.TREND_RANGE_DAYS,
            "max_below_high": signals.TREND_MAX_BELOW_HIGH,
            "min_above_low": signals.TREND_MIN_ABOVE_LOW,
        },
    }
    for name, wanted in expected.items():
        assert {k: defaults[name][k] for k in wanted} == wanted, name


@pytest.mark.parametrize(
    ("name", "key", "value", "reason"),
    [
        ("market_movers", "min_price", -5.0, "greater than or equal to 0"),
        ("market_movers", "min_prize", 5.0, "unknown key"),
        ("unusual_volume", "min_volume_ratio", -1.0, "greater than or equal to 0"),
        ("volume_accumulation", "recent_days", 0, "greater than or equal to 1"),
        ("high_52w_breakout", "lookback_days", "252", "valid integer"),
        ("rsi_oversold", "max_rsi", 150.0, "less than or equal to 100"),
        ("trend_template", "max_below_high", 1.5, "less than or equal to 1"),
    ],
)
def test_bad_param_is_rejected_with_its_key_path(
    name: str, key: str, value: Any, reason: str
) -> None:
    cls = SCANNERS[NAMES.index(name)]
    with pytest.raises(ConfigError) as caught:
        DiscoveryGraph(scanner_config([], **{name: {key: value}}), scanners=[cls])
    ((path, message),) = caught.value.problems
    assert path == f"discovery.scanners.{name}.{key}"
    assert reason in message


def test_contradictory_sma_periods_fail_with_a_clear_error(
    sources: Sources, universe: list[str]
) -> None:
    config = scanner_config(universe, trend_template={"fast_sma_days": 200})
    (report,) = scan(sources, config, TrendTemplateScanner)["scanner_reports"]
    assert report["status"] == "error"
    assert "fast_sma_days < middle_sma_days < slow_sma_days" in report["error"]


# -- partial data and the wide-frame helper ---------------------------------------------------


def test_tickers_without_bars_are_skipped_and_logged(
    sources: Sources, universe: list[str], runs: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    hits = [c["ticker"] for c in found(runs["unusual_volume"])][:3]
    config = scanner_config([*hits, "NOSUCH"])
    with caplog.at_level(logging.INFO, logger="tradingagents.scanners.bars"):
        update = scan(sources, config, UnusualVolumeScanner)
    (report,) = update["scanner_reports"]
    assert report["status"] == "ok", report["error"]
    assert [c["ticker"] for c in found(update)] == hits
    assert "no bars for 1 of 4 tickers (NOSUCH)" in caplog.text


def bars(dates: list[str], close: list[float], **extra: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": [1e6] * len(close)}
        | extra,
        index=pd.DatetimeIndex(dates, name="date"),
    )
    return frame


def test_wide_bars_adjust_splits_cut_at_the_trade_date_and_drop_stale_tickers() -> None:
    days = ["2020-08-27", "2020-08-28", "2020-08-31", "2020-09-01"]
    batch = BarsBatch(
        bars={
            "AAPL": bars(days, [500.0, 499.0, 129.0, 134.0], split_coefficient=[1, 1, 4, 1]),
            "GONE": bars(days[:2], [10.0, 11.0], split_coefficient=[1, 1]),
            "MSFT": bars(days, [230.0, 228.0, 225.0, 227.0], split_coefficient=[1, 1, 1, 1]),
        },
        errors={"NOPE": NotFound("prices", "no daily bars for NOPE")},
    )
    wide = wide_bars(batch, dt.date(2020, 8, 31))
    assert wide.signal_date == "2020-08-31"
    assert list(wide.close.columns) == ["AAPL", "MSFT"]
    assert wide.close["AAPL"].tolist() == [125.0, 124.75, 129.0]
    assert wide.volume["AAPL"].tolist() == [4e6, 4e6, 1e6]
    assert wide.close["MSFT"].tolist() == [230.0, 228.0, 225.0]
    assert wide.missing == ("NOPE",)
    assert repr(wide) == "WideBars(3 sessions x 2 tickers, 2020-08-27..2020-08-31, 1 without bars)"


def test_wide_bars_of_an_empty_batch_is_empty() -> None:
    wide = wide_bars(BarsBatch(errors={"X": NotFound("prices", "none")}), dt.date(2026, 6, 1))
    assert wide.empty and wide.missing == ("X",)


def test_bars_ago_counts_each_tickers_own_bars() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=(30, 4))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[-1] = 1.0
    frame = pd.DataFrame(values, columns=list("ABCD"))
    for n in (0, 1, 5, 40):
        got = bars_ago(frame, n)
        for column in "ABCD":
            own = frame[column].dropna()
            want = own.iloc[-1 - n] if n < len(own) else math.nan
            assert got[column] == pytest.approx(want, nan_ok=True), (column, n)


class SlowCountingPrices(LocalPrices):
    """The user's bar files, with a slow batch that counts its calls and can fail once."""

    def __init__(self, directory: Path, *, delay: float, fail_first: bool = False) -> None:
        super().__init__(directory)
        self.delay, self.fail_next, self.calls = delay, fail_first, 0

    def daily_bars_batch(self, symbols: Any, start: Any = None, end: Any = None, **kw: Any) -> Any:
        self.calls += 1
        time.sleep(self.delay)
        if self.fail_next:
            self.fail_next = False
            raise ServiceDown("prices", "down for a moment")
        return super().daily_bars_batch(symbols, start, end, **kw)


@pytest.fixture
def bar_files(tmp_path: Path) -> Path:
    for ticker, close in (("AAA", 10.0), ("BBB", 20.0)):
        days = pd.bdate_range("2026-05-01", "2026-06-01")
        frame = bars([d.date().isoformat() for d in days], [close] * len(days))
        frame.to_csv(tmp_path / f"{ticker}.csv")
    return tmp_path


def fetch(prices: LocalPrices, start: str = "2026-05-01") -> WideBars:
    return fetch_wide_bars(prices, symbols=["AAA", "BBB"], start=start, end="2026-06-01")


def test_concurrent_identical_fetches_share_one_batch(bar_files: Path) -> None:
    prices = SlowCountingPrices(bar_files, delay=0.2)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(fetch(prices))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert prices.calls == 1
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert list(results[0].close.columns) == ["AAA", "BBB"]
    assert fetch(prices, start="2026-05-04") is not results[0]
    assert prices.calls == 2


def test_a_failed_fetch_is_not_kept(bar_files: Path) -> None:
    prices = SlowCountingPrices(bar_files, delay=0.0, fail_first=True)
    with pytest.raises(ServiceDown):
        fetch(prices)
    assert fetch(prices).close.shape == (22, 2)
    assert prices.calls == 2


def test_a_waiting_scanner_gives_up_at_its_own_deadline(bar_files: Path) -> None:
    prices = SlowCountingPrices(bar_files, delay=0.5)
    owner = threading.Thread(target=fetch, args=(prices,))
    owner.start()
    while prices.calls == 0:  # the owner is inside the fetch, holding it
        time.sleep(0.005)
    try:
        with budget.deadline(time.monotonic() + 0.05), pytest.raises(DeadlineExceeded):
            fetch(prices)
    finally:
        owner.join()
    assert prices.calls == 1
