"""The sandbox market simulator: determinism, shapes, consistency of bars and records,
thread-safe caching, clear errors, and calibration against real S&P 500 bars."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingagents.sandbox import market as market_module
from tradingagents.sandbox.market import Market, build_market, generate_market
from tradingagents.sandbox.market_bars import MIN_HISTORY_DAYS
from tradingagents.sandbox.market_stats import panel_statistics, read_alpha_vantage_panel
from tradingagents.sandbox.signals import REDDIT_SUBREDDITS, reddit_as_of

SEED = 7
TRADE_DATE = dt.date(2026, 11, 24)  # a Tuesday
OHLCV = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "ohlcv"


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(SEED, TRADE_DATE)


@pytest.fixture(scope="module")
def next_day() -> Market:
    return generate_market(SEED, TRADE_DATE + dt.timedelta(days=1))


def _records(m: Market) -> tuple[object, ...]:
    """Everything a market serves besides its frames, in comparable form."""
    symbols = [c.symbol for c in m.companies]
    first = m.trade_date - dt.timedelta(days=400)
    return (
        m.companies,
        m.movers(),
        tuple(m.insider_transactions()),
        tuple(m.earnings(dt.date.min, dt.date.max)),
        tuple(tuple(m.recommendation_trends(s)) for s in symbols),
        tuple(tuple(m.company_news(s, first, m.trade_date)) for s in symbols),
        tuple(m.general_news()),
        tuple(tuple(m.reddit_posts(sub)) for sub in REDDIT_SUBREDDITS),
        m.ground_truth,
        m.decoys,
    )


def test_same_seed_and_date_rebuild_identically(market: Market) -> None:
    again = build_market(SEED, TRADE_DATE.isoformat())
    assert again is not market
    for name in ("open", "high", "low", "close", "volume"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(market, name))
    assert _records(again) == _records(market)
    assert [g.details for g in again.ground_truth] == [g.details for g in market.ground_truth]


def test_the_next_day_moves_on_and_keeps_most_history(market: Market, next_day: Market) -> None:
    assert next_day.dates[-1].date() == TRADE_DATE + dt.timedelta(days=1)
    assert not next_day.close.iloc[-1].equals(market.close.iloc[-1])
    # Both windows start on the same block, so bars up to a few weeks back are shared,
    # except on the handful of tickers planted on either day.
    shared = market.dates[:-30]
    assert next_day.dates[0] == market.dates[0]
    same = (next_day.close.loc[shared] == market.close.loc[shared]).all()
    assert same.mean() > 0.9
    assert next_day.quote("A") != market.quote("A")


def test_concurrent_callers_share_one_generation() -> None:
    # (SEED + 1, TRADE_DATE) is not generated before this test; later tests reuse it.
    results: list[Market] = []
    threads = [
        threading.Thread(target=lambda: results.append(generate_market(SEED + 1, TRADE_DATE)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(m is results[0] for m in results)


def test_another_seed_is_another_market(market: Market) -> None:
    other = generate_market(SEED + 1, TRADE_DATE)
    assert [c.symbol for c in other.companies] != [c.symbol for c in market.companies]


def test_universe_and_calendar_shapes(market: Market) -> None:
    symbols = [c.symbol for c in market.companies]
    assert 450 <= len(symbols) <= 550
    assert symbols == sorted(symbols) and len(set(symbols)) == len(symbols)
    assert len({c.cik for c in market.companies}) == len(symbols)
    assert {c.exchange for c in market.companies} == {"NASDAQ", "NYSE"}
    assert len({c.sector for c in market.companies}) == 11
    assert all(1 <= len(s) <= 4 and s.isalpha() and s.isupper() for s in symbols)
    dates = market.dates
    assert dates[-1].date() == TRADE_DATE
    assert len(dates) > MIN_HISTORY_DAYS and dates.is_monotonic_increasing
    assert (dates.day_of_week < 5).all()
    for name in ("open", "high", "low", "close"):
        frame = getattr(market, name)
        assert frame.shape == (len(dates), len(symbols))
        assert list(frame.columns) == symbols and frame.index.equals(dates)
        assert (frame.dtypes == np.float64).all()
        cents = frame.to_numpy() * 100
        assert np.allclose(cents, np.round(cents), atol=1e-6)
    assert (market.volume.dtypes == np.int64).all()
    company = market.company("A")
    assert company is not None and market.company("NOPE") is None
    assert company.market_cap == pytest.approx(market.close["A"].iloc[-1]
                                               * company.shares_outstanding)
    assert all(c.ipo < dates[0].date() for c in market.companies)


def test_bars_are_consistent(market: Market) -> None:
    o, h, low, c, v = (getattr(market, n).to_numpy() for n in
                       ("open", "high", "low", "close", "volume"))
    assert (low > 0).all()
    assert (low <= np.minimum(o, c)).all() and (h >= np.maximum(o, c)).all()
    assert (v > 0).all()
    daily = np.abs(np.diff(np.log(c), axis=0))
    assert daily.max() < 0.7  # no -50% days from a runaway volatility process
    bars = market.bars("A")
    assert list(bars.columns) == ["open", "high", "low", "close", "volume"]
    assert bars["close"].equals(market.close["A"].rename("close"))
    with pytest.raises(KeyError, match="NOPE"):
        market.bars("NOPE")


def test_frames_are_read_only(market: Market) -> None:
    with pytest.raises(ValueError, match="read-only"):
        market.close.iloc[0, 0] = 1.0


def test_quote_matches_the_last_bars(market: Market) -> None:
    quote = market.quote("A")
    assert quote is not None and market.quote("NOPE") is None
    close = market.close["A"]
    assert quote.c == close.iloc[-1] and quote.pc == close.iloc[-2]
    assert quote.d == pytest.approx(quote.c - quote.pc)
    assert quote.dp == pytest.approx(quote.d / quote.pc * 100, abs=1e-3)
    assert (quote.o, quote.h, quote.l) == (market.open["A"].iloc[-1], market.high["A"].iloc[-1],
                                           market.low["A"].iloc[-1])
    assert dt.datetime.fromtimestamp(quote.t, tz=dt.UTC).date() == TRADE_DATE


def test_movers_rank_universe_and_other_listings(market: Market) -> None:
    movers = market.movers()
    symbols = {c.symbol for c in market.companies}
    for rows, key, descending in (
        (movers.top_gainers, "change_percentage", True),
        (movers.top_losers, "change_percentage", False),
        (movers.most_actively_traded, "volume", True),
    ):
        assert len(rows) == 20
        values = [getattr(row, key) for row in rows]
        assert values == sorted(values, reverse=descending)
    listed = [row.ticker for row in (*movers.top_gainers, *movers.top_losers)]
    assert any(t in symbols for t in listed)
    assert any(re.fullmatch(r"[A-Z]{4}[WUR]|[A-Z]{3}\+", t) for t in listed if t not in symbols)
    assert all(row.change_percentage > 0 for row in movers.top_gainers)
    assert all(row.price > 0 and row.volume > 0 for row in movers.most_actively_traded)


def test_insider_transactions_look_like_form_4(market: Market) -> None:
    rows = market.insider_transactions()
    assert len(rows) > 500
    filed = [r.filing_date for r in rows]
    assert filed == sorted(filed, reverse=True) and max(filed) <= TRADE_DATE
    assert {r.code for r in rows} == {"P", "S", "A", "M", "G", "F"}
    for row in rows:
        assert row.acquired_disposed == ("A" if row.code in "PAM" else "D")
        assert row.transaction_date <= row.filing_date and row.filing_date.weekday() < 5
        assert row.shares > 0 and row.price >= 0 and row.shares_owned_after >= 0
        assert re.fullmatch(r"\d{10}-\d{2}-\d{6}", row.accession_number)
        assert row.is_officer or row.is_director or row.is_ten_percent_owner
    symbol = rows[0].symbol
    start, end = TRADE_DATE - dt.timedelta(days=30), TRADE_DATE - dt.timedelta(days=10)
    subset = market.insider_transactions(symbol, start, end)
    assert all(r.symbol == symbol and start <= r.transaction_date <= end for r in subset)
    assert market.insider_transactions("NOPE") == []


def test_earnings_calendar_hides_future_actuals(market: Market) -> None:
    events = market.earnings(TRADE_DATE - dt.timedelta(days=120), TRADE_DATE + dt.timedelta(60))
    assert len(events) > 500
    assert events == sorted(events, key=lambda e: (e.date, e.symbol))
    for event in events:
        assert (event.eps_actual is None) == (event.date > TRADE_DATE)
        assert (event.revenue_actual is None) == (event.date > TRADE_DATE)
        assert event.hour in ("bmo", "amc", "") and 1 <= event.quarter <= 4
    per_symbol = pd.Series([e.symbol for e in market.earnings(dt.date.min, dt.date.max)])
    assert per_symbol.value_counts().min() >= 5  # a beat history plus what is coming


def test_recommendation_trends_are_monthly(market: Market) -> None:
    trends = market.recommendation_trends("A")
    assert len(trends) >= 4 and market.recommendation_trends("NOPE") == []
    periods = [t.period for t in trends]
    assert periods[0] == TRADE_DATE.replace(day=1)
    assert periods == sorted(periods, reverse=True) and all(p.day == 1 for p in periods)
    assert all(min(t.strong_buy, t.buy, t.hold, t.sell, t.strong_sell) >= 0 for t in trends)


def test_news_is_dated_and_related(market: Market) -> None:
    start = TRADE_DATE - dt.timedelta(days=6)
    articles = market.company_news("A", start, TRADE_DATE)
    assert articles and all(a.related == "A" and a.category == "company" for a in articles)
    stamps = [a.datetime for a in articles]
    assert stamps == sorted(stamps, reverse=True)
    assert start <= dt.datetime.fromtimestamp(stamps[-1], tz=dt.UTC).date()
    assert stamps[0] <= reddit_as_of(TRADE_DATE)
    general = market.general_news()
    assert general and all(a.related == "" and a.category == "general" for a in general)
    assert market.general_news("merger") and market.general_news("nope") == []
    ids = [a.id for s in ("A", "ALL") for a in market.company_news(s, start, TRADE_DATE)]
    assert len(ids) == len(set(ids))


def test_reddit_posts_read_like_listings(market: Market) -> None:
    as_of = reddit_as_of(TRADE_DATE)
    seen: set[str] = set()
    for subreddit in REDDIT_SUBREDDITS:
        posts = market.reddit_posts(subreddit)
        assert len(posts) > 50
        created = [p.created_utc for p in posts]
        assert created == sorted(created, reverse=True) and created[0] <= as_of
        for post in posts:
            assert post.subreddit == subreddit and re.fullmatch(r"[0-9a-z]+", post.id)
            assert post.permalink.startswith(f"/r/{subreddit}/comments/{post.id}/")
            assert post.url == f"https://www.reddit.com{post.permalink}"
            assert 0 < post.upvote_ratio <= 1 and post.num_comments >= 0
        seen.update(p.id for p in posts)
        assert any(p.stickied for p in posts)
    assert market.reddit_posts("WallStreetBets") == market.reddit_posts("wallstreetbets")
    assert market.reddit_posts("investing") == []
    assert len(seen) == sum(len(market.reddit_posts(s)) for s in REDDIT_SUBREDDITS)


def test_records_are_frozen(market: Market) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        market.companies[0].symbol = "X"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("seed", "trade_date", "error", "message"),
    [
        (SEED, "2026-11-28", ValueError, "Saturday.*2026-11-27"),
        (SEED, "24/11/2026", ValueError, "not an ISO date"),
        (SEED, dt.date(2001, 1, 2), ValueError, "first supported date"),
        (-1, TRADE_DATE, ValueError, "non-negative int"),
        (SEED, 20261124, TypeError, "date or an ISO string"),
    ],
)
def test_bad_input_gets_a_clear_error(
    seed: int, trade_date: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        generate_market(seed, trade_date)  # type: ignore[arg-type]


def test_unknown_signal_is_named(market: Market) -> None:
    with pytest.raises(KeyError, match="nope"):
        market.truth("nope")


def test_latest_trading_day() -> None:
    assert market_module.latest_trading_day(dt.date(2026, 11, 29)) == dt.date(2026, 11, 27)
    assert market_module.latest_trading_day(TRADE_DATE) == TRADE_DATE


def test_calibration_against_real_sp500_bars(market: Market) -> None:
    """Each statistic of the sandbox (median over two seeds) lies within a generous band
    around the real S&P 500 values: between 0.6x the lower and 1.4x the higher of the full
    2019-2021 sample (COVID crash included) and its calm first nine months."""
    folder = OHLCV / "sp500_daily_2019_2021"
    if not folder.is_dir():
        pytest.skip(f"real S&P 500 bars not available: {folder} is missing (../shared absent)")
    panel = read_alpha_vantage_panel(folder, OHLCV / "constituents.csv")
    calm = slice("2019-04-22", "2020-01-31")
    real = panel_statistics(panel.close, panel.high, panel.low, panel.volume, panel.sectors,
                            panel.adjusted_close).as_dict()
    quiet = panel_statistics(panel.close[calm], panel.high[calm], panel.low[calm],
                             panel.volume[calm], panel.sectors,
                             panel.adjusted_close[calm]).as_dict()
    simulated = []
    for m in (market, generate_market(SEED + 1, TRADE_DATE)):
        window = slice(-504, None)
        simulated.append(panel_statistics(
            m.close.iloc[window], m.high.iloc[window], m.low.iloc[window],
            m.volume.iloc[window], {c.symbol: c.sector for c in m.companies},
        ).as_dict())
    outside = {}
    for name, value in real.items():
        low, high = sorted((value, quiet[name]))
        sim = float(np.median([s[name] for s in simulated]))
        if not 0.6 * low <= sim <= 1.4 * high:
            outside[name] = (sim, low, high)
    assert not outside, f"statistics outside their band (sim, real low, real high): {outside}"
