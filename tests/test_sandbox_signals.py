"""Planted signals, ground truth and decoys of the sandbox market.

Over several trade dates: every signal has a non-empty truth of realistic size, what was
planted mostly takes, no decoy satisfies its signal's definition, the reference RSI equals
TA-Lib's, the Reddit mention rules behave as documented, and sloppy scanners (no price
filter, no universe check, counting rows instead of insiders, ...) fall below 0.9 precision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from tradingagents.sandbox import signals
from tradingagents.sandbox.market import Market, generate_market
from tradingagents.sandbox.market_records import RedditPost
from tradingagents.sandbox.signals import SIGNALS

SEED = 7
DATES = [dt.date(2026, 6, 2), dt.date(2026, 7, 29), dt.date(2026, 9, 14), dt.date(2026, 11, 24)]
# Truth size per trade date: (min, max). Trend-template screens pass a few percent of a
# universe; Reddit talk concentrates on a dozen names; the rest are a handful a day.
SIZES = {
    "market_movers": (2, 20),
    "unusual_volume": (2, 25),
    "volume_accumulation": (1, 20),
    "high_52w_breakout": (1, 20),
    "rsi_oversold": (1, 10),
    "trend_template": (3, 120),
    "insider_buying": (1, 8),
    "earnings_calendar": (1, 25),
    "analyst_upgrades": (1, 8),
    "news_catalyst": (1, 10),
    "reddit_trending": (5, 30),
    "reddit_dd": (1, 10),
}


@pytest.fixture(scope="module")
def markets() -> list[Market]:
    return [generate_market(SEED, day) for day in DATES]


def universe(market: Market) -> frozenset[str]:
    return frozenset(company.symbol for company in market.companies)


def posts(market: Market) -> list[RedditPost]:
    return [post for sub in signals.REDDIT_SUBREDDITS for post in market.reddit_posts(sub)]


@pytest.mark.parametrize("signal", SIGNALS)
def test_truth_is_non_empty_and_realistic(markets: list[Market], signal: str) -> None:
    low, high = SIZES[signal]
    sizes = [len(m.truth(signal)) for m in markets]
    assert all(low <= size <= high for size in sizes), f"{signal} truth sizes {sizes}"


@pytest.mark.parametrize("signal", [s for s in SIGNALS if s != "trend_template"])
def test_planted_signals_take(markets: list[Market], signal: str) -> None:
    planted = took = 0
    for market in markets:
        for record in market.ground_truth:
            if record.signal == signal and record.details["planted"]:
                took += 1
        planted += len(market.planted(signal))
    assert planted >= len(markets)
    assert took / planted >= 0.75, f"{signal}: {took} of {planted} plants satisfy the signal"


def test_ground_truth_records_match_truth(markets: list[Market]) -> None:
    for market in markets:
        for signal in SIGNALS:
            records = [g for g in market.ground_truth if g.signal == signal]
            assert {g.ticker for g in records} == market.truth(signal)
            assert all(g.date == market.trade_date for g in records)
        assert {g.signal for g in market.ground_truth} == set(SIGNALS)


@pytest.mark.parametrize("signal", SIGNALS)
def test_decoys_exist_and_fail_their_definition(markets: list[Market], signal: str) -> None:
    for market in markets:
        decoys = [d for d in market.decoys if d.signal == signal]
        assert decoys, f"no {signal} decoy on {market.trade_date}"
        for decoy in decoys:
            assert decoy.ticker not in market.truth(signal), decoy
            assert decoy.why


def test_reference_rsi_equals_talib(markets: list[Market]) -> None:
    talib = pytest.importorskip("talib")
    close = markets[0].close
    expected = [talib.RSI(close[s].to_numpy(), timeperiod=signals.RSI_PERIOD)[-1]
                for s in close.columns]
    np.testing.assert_allclose(signals.wilder_rsi(close).to_numpy(), expected, rtol=1e-9)


def test_ticker_mention_rules() -> None:
    known = frozenset({"ABC", "ALL", "IT", "XYZ", "A"})
    mentions = signals.ticker_mentions
    assert mentions("Loaded $ABC and XYZ calls", known) == {"ABC", "XYZ"}
    assert mentions("$abc is cheap, abc is cheap, Abc too", known) == {"ABC"}
    assert mentions("ALL in on IT, A big YOLO, DD inside", known) == frozenset()
    assert mentions("$ALL and $IT count with a cashtag", known) == {"ALL", "IT"}
    assert mentions("ABCD, XYZ2, _ABC, ABC's run", known) == {"ABC"}
    assert mentions("XYZ XYZ XYZ", known) == {"XYZ"}
    assert mentions("$$ABC or ABC$", known) == {"ABC"}


def _precision(
    markets: list[Market], signal: str, sloppy: Callable[[Market], frozenset[str]]
) -> float:
    found = hits = 0
    for market in markets:
        picked = sloppy(market)
        found += len(picked)
        hits += len(picked & market.truth(signal))
    return hits / found if found else 1.0


def _movers_without_filters(m: Market) -> frozenset[str]:
    movers = m.movers()
    return frozenset(row.ticker for row in (*movers.top_gainers, *movers.top_losers))


def _volume_without_price_filter(m: Market) -> frozenset[str]:
    ratio = m.volume.iloc[-1] / signals.prior_mean(m.volume, signals.UNUSUAL_VOLUME_LOOKBACK)
    return frozenset(ratio.index[ratio >= signals.UNUSUAL_VOLUME_MIN_RATIO])


def _insiders_counting_rows_and_grants(m: Market) -> frozenset[str]:
    start = m.trade_date - dt.timedelta(days=signals.INSIDER_WINDOW_DAYS - 1)
    rows = pd.DataFrame(
        {"symbol": r.symbol, "value": r.shares * r.price}
        for r in m.insider_transactions(start=start, end=m.trade_date)
        if r.acquired_disposed == "A"
    )
    grouped = rows.groupby("symbol")["value"].agg(["size", "sum"])
    return frozenset(grouped.index[grouped["size"] >= signals.INSIDER_MIN_INSIDERS])


def _reddit_any_case(m: Market) -> frozenset[str]:
    known = universe(m)
    counts: dict[str, int] = {}
    for post in posts(m):
        if signals.in_reddit_window(post, m.trade_date):
            words = {w.strip("$.,!?:;'()").upper() for w in f"{post.title} {post.selftext}".split()}
            for ticker in words & known:
                counts[ticker] = counts.get(ticker, 0) + 1
    return frozenset(t for t, n in counts.items() if n >= signals.REDDIT_MIN_POSTS)


def _news_anytime_any_text(m: Market) -> frozenset[str]:
    first = m.trade_date - dt.timedelta(days=7)
    return frozenset(
        a.related
        for c in m.companies
        for a in m.company_news(c.symbol, first, m.trade_date)
        if signals.is_catalyst_headline(f"{a.headline} {a.summary}") or "FDA" in a.headline
    )


def _dd_by_flair_only(m: Market) -> frozenset[str]:
    known = universe(m)
    return frozenset(
        ticker
        for post in posts(m)
        if post.link_flair_text == signals.DD_FLAIR
        for ticker in signals.ticker_mentions(post.title, known)
    )


def _earnings_any_history(m: Market) -> frozenset[str]:
    events = m.earnings(m.trade_date, m.trade_date + dt.timedelta(days=10))
    return frozenset(e.symbol for e in events)


@pytest.mark.parametrize(
    ("signal", "sloppy"),
    [
        ("market_movers", _movers_without_filters),
        ("unusual_volume", _volume_without_price_filter),
        ("insider_buying", _insiders_counting_rows_and_grants),
        ("reddit_trending", _reddit_any_case),
        ("news_catalyst", _news_anytime_any_text),
        ("reddit_dd", _dd_by_flair_only),
        ("earnings_calendar", _earnings_any_history),
    ],
)
def test_sloppy_scanners_fall_below_090_precision(
    markets: list[Market], signal: str, sloppy: Callable[[Market], frozenset[str]]
) -> None:
    precision = _precision(markets, signal, sloppy)
    print(f"sloppy {signal}: precision {precision:.2f}")
    assert precision < 0.9
