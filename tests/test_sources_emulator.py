"""Every source against the sandbox emulator, the way a run uses them: through the hub.

In sandbox mode the hub starts its own emulator; each source's records must agree with the
market the emulator serves, through the real clients (finnhub-python, praw, requests).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.sandbox_fixtures import INSTANT, SEED, TRADE_DATE
from tradingagents.sandbox.market import Market
from tradingagents.sources import budget
from tradingagents.sources.errors import DeadlineExceeded, NotFound, SourceUnavailable
from tradingagents.sources.hub import Sources

DAY = dt.date.fromisoformat(TRADE_DATE)


@pytest.fixture(scope="module")
def hub() -> Iterator[Sources]:
    config = {"data": {"mode": "sandbox", "sandbox": {"seed": SEED, "services": INSTANT}}}
    with Sources.from_config(config, trade_date=TRADE_DATE) as sources:
        yield sources


@pytest.fixture(scope="module")
def market(hub: Sources) -> Market:
    assert hub.sandbox is not None
    return hub.sandbox.market


def test_sandbox_mode_points_every_source_at_one_emulator(hub: Sources) -> None:
    assert hub.modes == dict.fromkeys(hub.modes, "sandbox")
    assert hub.availability() == dict.fromkeys(hub.modes)
    assert hub.sandbox is not None and hub.sandbox.market.trade_date == DAY


def test_finnhub_records_match_the_market(hub: Sources, market: Market) -> None:
    company = market.companies[0]
    quote, expected = hub.finnhub.quote(company.symbol), market.quote(company.symbol)
    assert quote is not None and expected is not None
    assert (quote.price, quote.previous_close, quote.high) == (expected.c, expected.pc, expected.h)
    assert hub.finnhub.quote("NOSUCHSYMBOL") is None
    profile = hub.finnhub.company_profile(company.symbol)
    assert profile is not None and profile.name == company.name
    assert len(hub.finnhub.stock_symbols("US")) == len(market.companies)
    trends = hub.finnhub.recommendation_trends(company.symbol)
    assert len(trends) >= 4 and trends[0].period > trends[-1].period
    events = hub.finnhub.earnings_calendar(DAY, DAY + dt.timedelta(days=14))
    assert {e.symbol for e in events} == {
        e.symbol for e in market.earnings(DAY, DAY + dt.timedelta(days=14))
    }
    buyers = [t for t in market.insider_transactions() if t.code == "P"]
    if buyers:
        rows = hub.finnhub.insider_transactions(buyers[0].symbol)
        assert any(r.code == "P" and r.name == buyers[0].insider_name for r in rows)
    assert isinstance(hub.finnhub.general_news(), list)
    news = hub.finnhub.company_news(company.symbol, DAY - dt.timedelta(days=30), DAY)
    assert all(
        DAY - dt.timedelta(days=31) <= a.published.date() <= DAY for a in news if a.published
    )


def test_reddit_posts_match_the_market(hub: Sources, market: Market) -> None:
    posts = hub.reddit.posts(["wallstreetbets", "stocks"], sorts=("new",), limit=100)
    expected = market.reddit_posts("wallstreetbets")[:100] + market.reddit_posts("stocks")[:100]
    assert {p.id for p in posts} == {p.id for p in expected}
    by_id = {p.id: p for p in expected}
    post = posts[0]
    assert (post.title, post.selftext, post.flair) == (
        by_id[post.id].title,
        by_id[post.id].selftext,
        by_id[post.id].link_flair_text,
    )


def test_each_thread_gets_its_own_praw_instance(hub: Sources) -> None:
    assert hub.sandbox is not None
    hub.sandbox.reset_counters()
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(hub.reddit.listing("stocks", "top")))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and results[0] == results[1] == results[2]
    tokens = hub.sandbox.counters()["reddit"]["/api/v1/access_token"]
    assert tokens == {200: 3}, "one praw instance (and token) per thread"


def test_alpha_vantage_records_match_the_market(hub: Sources, market: Market) -> None:
    movers = hub.alpha_vantage.top_gainers_losers()
    expected = market.movers()
    assert [m.ticker for m in movers.top_gainers] == [r.ticker for r in expected.top_gainers]
    symbol = market.companies[1].symbol
    quote = hub.alpha_vantage.global_quote(symbol)
    assert quote is not None and quote.latest_trading_day == DAY
    bars = hub.alpha_vantage.daily(symbol)
    assert len(bars) == 100 and bars.index[-1] == np.datetime64(DAY)
    assert np.allclose(bars["close"], market.bars(symbol)["close"].iloc[-100:])


def test_sec_records_match_the_market(hub: Sources, market: Market) -> None:
    tickers = hub.sec.company_tickers()
    assert set(tickers) == {c.symbol for c in market.companies}
    latest = hub.sec.latest_filings(count=20)
    form = hub.sec.form4(latest[0])
    assert form.accession_number == latest[0].accession_number and form.transactions
    purchase = next(t for t in market.insider_transactions() if t.code == "P")
    filings = hub.sec.filings(tickers[purchase.symbol].cik)
    filing = next(f for f in filings if f.accession_number == purchase.accession_number)
    parsed = hub.sec.form4(filing)
    bought = [t for t in parsed.purchases() if t.owner_name == purchase.insider_name]
    assert bought and bought[0].shares == purchase.shares and bought[0].price == purchase.price


def test_prices_match_the_market_and_batches_report_failures(hub: Sources, market: Market) -> None:
    symbols = [c.symbol for c in market.companies[:12]]
    bars = hub.prices.daily_bars(symbols[0], start=DAY - dt.timedelta(days=30))
    expected = market.bars(symbols[0])
    assert bars.index[-1] == np.datetime64(DAY) and bars.index[0] >= np.datetime64(
        DAY - dt.timedelta(days=30)
    )
    assert np.allclose(bars["close"], expected["close"].loc[bars.index])
    assert (bars["volume"].to_numpy() == expected["volume"].loc[bars.index].to_numpy()).all()
    batch = hub.prices.daily_bars_batch([*symbols, "NOSUCHSYMBOL"])
    assert sorted(batch.bars) == sorted(symbols)
    assert isinstance(batch.errors["NOSUCHSYMBOL"], NotFound)
    assert batch.wide("close").shape[1] == len(symbols)


def test_a_batch_stops_at_the_callers_budget(hub: Sources, market: Market) -> None:
    assert hub.sandbox is not None
    symbols = [c.symbol for c in market.companies[-40:]]
    hub.sandbox.configure("prices", latency={"median_ms": 200, "sigma": 0})
    try:
        started = time.monotonic()
        with budget.deadline(time.monotonic() + 0.5):
            batch = hub.prices.daily_bars_batch(symbols, workers=4)
        elapsed = time.monotonic() - started
    finally:
        hub.sandbox.configure("prices", latency={"median_ms": 0})
    assert elapsed < 1.5, "workers inherit the caller's deadline"
    assert batch.bars and batch.errors
    assert all(isinstance(e, DeadlineExceeded) for e in batch.errors.values())


def test_closing_stops_the_emulator_and_the_sources() -> None:
    config = {"data": {"mode": "sandbox", "sandbox": {"services": INSTANT}}}
    sources = Sources.from_config(config, trade_date=TRADE_DATE)
    server = sources.sandbox
    assert server is not None and sources.finnhub.quote(server.market.companies[0].symbol)
    sources.close()
    assert sources.sandbox is None
    with pytest.raises(SourceUnavailable, match="closed"):
        sources.finnhub.quote("A")
