"""The real finnhub-python client against the emulator, one test per endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import finnhub
import pytest
import requests

from tests.sandbox_fixtures import TRADE_DATE
from tradingagents.sandbox.server import SandboxServer


@pytest.fixture()
def client(sandbox_server: SandboxServer) -> Iterator[finnhub.Client]:
    fc = finnhub.Client(api_key="sandbox-key")
    fc.API_URL = sandbox_server.base_urls["finnhub"]
    yield fc
    fc.close()


def test_quote_of_a_listed_symbol_matches_the_market(
    client: finnhub.Client, sandbox_server: SandboxServer
) -> None:
    symbol = sandbox_server.market.companies[0].symbol
    quote = client.quote(symbol)
    expected = sandbox_server.market.quote(symbol)
    assert expected is not None
    assert quote == pytest.approx({"c": expected.c, "d": expected.d, "dp": expected.dp,
                                   "h": expected.h, "l": expected.l, "o": expected.o,
                                   "pc": expected.pc, "t": expected.t})
    assert isinstance(quote["t"], int)


def test_unknown_symbol_quote_is_zeros_and_nulls(client: finnhub.Client) -> None:
    assert client.quote("ZZZNOTASYMBOL") == {
        "c": 0, "d": None, "dp": None, "h": 0, "l": 0, "o": 0, "pc": 0, "t": 0
    }


def test_company_news_is_bounded_by_the_dates(
    client: finnhub.Client, sandbox_server: SandboxServer
) -> None:
    market = sandbox_server.market
    end = market.trade_date
    start = end - dt.timedelta(days=30)
    symbol = next(
        c.symbol for c in market.companies if market.company_news(c.symbol, start, end)
    )
    news = client.company_news(symbol, _from=start.isoformat(), to=end.isoformat())
    assert news and all(item["related"] == symbol for item in news)
    for item in news:
        published = dt.datetime.fromtimestamp(item["datetime"], tz=dt.UTC).date()
        assert start <= published <= end
    assert [item["datetime"] for item in news] == sorted(
        (item["datetime"] for item in news), reverse=True
    )


def test_company_news_without_dates_is_refused(client: finnhub.Client) -> None:
    with pytest.raises(finnhub.FinnhubAPIException) as caught:
        client._get("/company-news", params={"symbol": "A"})
    assert caught.value.status_code == 422
    assert "from" in caught.value.message


def test_general_news_pages_with_min_id(client: finnhub.Client) -> None:
    news = client.general_news("general")
    assert news and {item["category"] for item in news} == {"general"}
    newest_id = max(item["id"] for item in news)
    assert client.general_news("general", min_id=newest_id) == []
    older = sorted(item["id"] for item in news)[0]
    assert all(item["id"] > older for item in client.general_news("general", min_id=older))


def test_insider_transactions_are_signed_changes(
    client: finnhub.Client, sandbox_server: SandboxServer
) -> None:
    symbol = sandbox_server.market.insider_transactions()[0].symbol
    expected = sandbox_server.market.insider_transactions(symbol)
    answer = client.stock_insider_transactions(symbol)
    assert answer["symbol"] == symbol
    assert [item["id"] for item in answer["data"]] == [t.accession_number for t in expected]
    for item, row in zip(answer["data"], expected, strict=True):
        assert item["change"] == (row.shares if row.acquired_disposed == "A" else -row.shares)
        assert item["share"] == row.shares_owned_after
        assert item["transactionCode"] == row.code and item["source"] == "sec"
    window = client.stock_insider_transactions(symbol, _from=TRADE_DATE, to=TRADE_DATE)
    assert all(item["transactionDate"] == TRADE_DATE for item in window["data"])


def test_earnings_calendar_wraps_rows(client: finnhub.Client) -> None:
    start = dt.date.fromisoformat(TRADE_DATE)
    answer = client.earnings_calendar(
        _from=start.isoformat(), to=(start + dt.timedelta(days=14)).isoformat(), symbol=""
    )
    rows = answer["earningsCalendar"]
    assert rows
    assert all(start.isoformat() <= row["date"] for row in rows)
    one = rows[0]["symbol"]
    only = client.earnings_calendar(
        _from=start.isoformat(), to=(start + dt.timedelta(days=14)).isoformat(), symbol=one
    )["earningsCalendar"]
    assert only and {row["symbol"] for row in only} == {one}


def test_recommendation_trends_newest_first(
    client: finnhub.Client, sandbox_server: SandboxServer
) -> None:
    symbol = sandbox_server.market.companies[1].symbol
    trends = client.recommendation_trends(symbol)
    assert len(trends) >= 4
    periods = [row["period"] for row in trends]
    assert periods == sorted(periods, reverse=True) and all(p.endswith("-01") for p in periods)
    assert client.recommendation_trends("ZZZNOTASYMBOL") == []


def test_stock_symbols_list_the_universe(
    client: finnhub.Client, sandbox_server: SandboxServer
) -> None:
    rows = client.stock_symbols("US")
    assert [row["symbol"] for row in rows] == [c.symbol for c in sandbox_server.market.companies]
    assert {row["mic"] for row in rows} <= {"XNAS", "XNYS"}
    assert client.stock_symbols("L") == []


def test_profile2(client: finnhub.Client, sandbox_server: SandboxServer) -> None:
    company = sandbox_server.market.companies[2]
    profile = client.company_profile2(symbol=company.symbol)
    assert profile["ticker"] == company.symbol and profile["name"] == company.name
    assert profile["marketCapitalization"] == pytest.approx(company.market_cap / 1e6, rel=1e-6)
    assert client.company_profile2(symbol="ZZZNOTASYMBOL") == {}


def test_premium_endpoints_are_forbidden(client: finnhub.Client) -> None:
    for path in ("/stock/candle", "/news-sentiment"):
        with pytest.raises(finnhub.FinnhubAPIException) as caught:
            client._get(path, params={"symbol": "A"})
        assert caught.value.status_code == 403
        assert caught.value.message == "You don't have access to this resource."


def test_missing_token_is_401(sandbox_server: SandboxServer) -> None:
    answer = requests.get(f"{sandbox_server.base_urls['finnhub']}/quote", params={"symbol": "A"},
                          timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {"error": "Please use an API key."}
    assert answer.headers["Content-Type"] == "application/json"


def test_unknown_endpoint_is_404(client: finnhub.Client) -> None:
    with pytest.raises(finnhub.FinnhubAPIException) as caught:
        client._get("/no/such/thing")
    assert caught.value.status_code == 404
