"""Alpha Vantage, SEC EDGAR and the Stooq CSV endpoint through plain `requests`."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

from tests.sandbox_fixtures import SEC_AGENT, TRADE_DATE, parse_form4
from tradingagents.sandbox.server import SandboxServer

ATOM = "{http://www.w3.org/2005/Atom}"


def av(server: SandboxServer, **params: Any) -> requests.Response:
    params.setdefault("apikey", "sandbox-key")
    return requests.get(f"{server.base_urls['alpha_vantage']}/query", params=params, timeout=5)


def sec(server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{server.base_urls['sec']}{path}", params=params, headers=SEC_AGENT,
                        timeout=5)


# -- Alpha Vantage ------------------------------------------------------------------------

def test_top_gainers_losers_are_strings(sandbox_server: SandboxServer) -> None:
    body = av(sandbox_server, function="TOP_GAINERS_LOSERS").json()
    assert body["last_updated"].startswith(TRADE_DATE)
    movers = sandbox_server.market.movers()
    for key, rows in (("top_gainers", movers.top_gainers), ("top_losers", movers.top_losers),
                      ("most_actively_traded", movers.most_actively_traded)):
        assert [row["ticker"] for row in body[key]] == [row.ticker for row in rows]
        for sent, row in zip(body[key], rows, strict=True):
            assert all(isinstance(value, str) for value in sent.values())
            assert sent["change_percentage"].endswith("%")
            assert float(sent["change_percentage"][:-1]) == pytest.approx(
                row.change_percentage, abs=1e-4)
            assert float(sent["price"]) == pytest.approx(row.price, abs=1e-4)
            assert int(sent["volume"]) == row.volume


def test_daily_series_json_compact_and_full(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[3].symbol
    compact = av(sandbox_server, function="TIME_SERIES_DAILY", symbol=symbol).json()
    assert compact["Meta Data"]["2. Symbol"] == symbol
    assert compact["Meta Data"]["4. Output Size"] == "Compact"
    series = compact["Time Series (Daily)"]
    assert len(series) == 100
    dates = list(series)
    assert dates[0] == TRADE_DATE and dates == sorted(dates, reverse=True)
    last = sandbox_server.market.bars(symbol).iloc[-1]
    assert float(series[TRADE_DATE]["4. close"]) == pytest.approx(float(last["close"]))
    assert series[TRADE_DATE]["1. open"].count(".") == 1 and len(
        series[TRADE_DATE]["1. open"].split(".")[1]) == 4
    full = av(sandbox_server, function="TIME_SERIES_DAILY", symbol=symbol, outputsize="full")
    assert len(full.json()["Time Series (Daily)"]) == len(sandbox_server.market.dates)


def test_daily_series_csv(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[3].symbol
    text = av(sandbox_server, function="TIME_SERIES_DAILY", symbol=symbol, datatype="csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["timestamp", "open", "high", "low", "close", "volume"]
    assert len(rows) == 100 and rows[0]["timestamp"] == TRADE_DATE


def test_global_quote(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[4].symbol
    quote = av(sandbox_server, function="GLOBAL_QUOTE", symbol=symbol).json()["Global Quote"]
    expected = sandbox_server.market.quote(symbol)
    assert expected is not None
    assert quote["01. symbol"] == symbol
    assert float(quote["05. price"]) == pytest.approx(expected.c)
    assert quote["10. change percent"].endswith("%")
    assert quote["07. latest trading day"] == TRADE_DATE
    unknown = av(sandbox_server, function="GLOBAL_QUOTE", symbol="ZZZNOTASYMBOL").json()
    assert unknown == {"Global Quote": {}}


def test_alpha_vantage_refusals_are_http_200(sandbox_server: SandboxServer) -> None:
    no_key = requests.get(f"{sandbox_server.url}/query",
                          params={"function": "GLOBAL_QUOTE", "symbol": "A"}, timeout=5)
    assert no_key.status_code == 200 and "apikey" in no_key.json()["Error Message"]
    bad_symbol = av(sandbox_server, function="TIME_SERIES_DAILY", symbol="ZZZNOTASYMBOL")
    assert bad_symbol.status_code == 200
    assert bad_symbol.json()["Error Message"].startswith("Invalid API call")
    bad_function = av(sandbox_server, function="NO_SUCH_FUNCTION")
    assert "NO_SUCH_FUNCTION" in bad_function.json()["Error Message"]


# -- SEC EDGAR ----------------------------------------------------------------------------

def test_sec_requires_a_declared_user_agent(sandbox_server: SandboxServer) -> None:
    url = f"{sandbox_server.base_urls['sec']}/files/company_tickers.json"
    default_agent = requests.get(url, timeout=5)
    assert default_agent.status_code == 403
    assert "Undeclared Automated Tool" in default_agent.text
    assert requests.get(url, headers={"User-Agent": "just-a-name"}, timeout=5).status_code == 403
    assert sec(sandbox_server, "/files/company_tickers.json").status_code == 200


def test_company_tickers_map(sandbox_server: SandboxServer) -> None:
    tickers = sec(sandbox_server, "/files/company_tickers.json").json()
    assert list(tickers) == [str(i) for i in range(len(sandbox_server.market.companies))]
    by_ticker = {row["ticker"]: row for row in tickers.values()}
    company = sandbox_server.market.companies[0]
    assert by_ticker[company.symbol] == {"cik_str": company.cik, "ticker": company.symbol,
                                         "title": company.name}


def test_submissions_list_form4_filings(sandbox_server: SandboxServer) -> None:
    row = sandbox_server.market.insider_transactions()[0]
    body = sec(sandbox_server, f"/submissions/CIK{row.cik:010d}.json").json()
    recent = body["filings"]["recent"]
    assert body["cik"] == str(row.cik) and body["tickers"] == [row.symbol]
    assert row.accession_number in recent["accessionNumber"]
    lengths = {len(column) for column in recent.values()}
    assert len(lengths) == 1, "filings.recent is columnar: every column has one entry per filing"
    owner = sec(sandbox_server, f"/submissions/CIK{row.insider_cik:010d}.json").json()
    assert row.accession_number in owner["filings"]["recent"]["accessionNumber"]
    assert sec(sandbox_server, "/submissions/CIK0000000001.json").status_code == 404


def test_form4_documents_follow_the_feed(sandbox_server: SandboxServer) -> None:
    feed = ET.fromstring(sec(sandbox_server, "/cgi-bin/browse-edgar", action="getcurrent",
                             type="4", output="atom", count=10).content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 10
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    folder = link.attrib["href"].removeprefix("https://www.sec.gov").rsplit("/", 1)[0]
    index = sec(sandbox_server, f"{folder}/index.json").json()
    names = [item["name"] for item in index["directory"]["item"]]
    xml_name = next(name for name in names if name.endswith(".xml"))
    document = sec(sandbox_server, f"{folder}/{xml_name}")
    assert document.headers["Content-Type"].startswith("text/xml")
    transactions = parse_form4(document.text)
    accession = (entries[0].findtext(f"{ATOM}id") or "").rsplit("=", 1)[1]
    expected = [t for t in sandbox_server.market.insider_transactions()
                if t.accession_number == accession]
    assert [(t["code"], int(t["shares"])) for t in transactions] == [
        (t.code, t.shares) for t in expected
    ]
    html = sec(sandbox_server, f"{folder}/{accession}-index.htm")
    assert html.status_code == 200 and xml_name in html.text


def test_current_feed_pages_with_start_and_count(sandbox_server: SandboxServer) -> None:
    def ids(start: int, count: int) -> list[str]:
        feed = ET.fromstring(sec(sandbox_server, "/cgi-bin/browse-edgar", action="getcurrent",
                                 type="4", output="atom", start=start, count=count).content)
        return [entry.findtext(f"{ATOM}id") or "" for entry in feed.findall(f"{ATOM}entry")]

    assert ids(0, 4)[2:] == ids(2, 2)
    every = ids(0, 100)
    assert every[0::2] == every[1::2], "each filing is listed for its owner and its issuer"


# -- Stooq --------------------------------------------------------------------------------

def test_stooq_daily_csv(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[5].symbol
    answer = requests.get(f"{sandbox_server.base_urls['prices']}/q/d/l/",
                          params={"s": f"{symbol.lower()}.us", "i": "d"}, timeout=5)
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == ["Date", "Open", "High", "Low", "Close", "Volume"]
    assert len(rows) == len(sandbox_server.market.dates)
    assert rows[-1]["Date"] == TRADE_DATE and rows[0]["Date"] < rows[-1]["Date"]
    bars = sandbox_server.market.bars(symbol)
    assert float(rows[-1]["Close"]) == pytest.approx(float(bars["close"].iloc[-1]))
    ranged = requests.get(f"{sandbox_server.url}/q/d/l/",
                          params={"s": f"{symbol.lower()}.us", "i": "d",
                                  "d1": "20261101", "d2": "20261120"}, timeout=5)
    dates = [row["Date"] for row in csv.DictReader(io.StringIO(ranged.text))]
    assert dates and dates[0] >= "2026-11-01" and dates[-1] <= "2026-11-20"
    weekly = requests.get(f"{sandbox_server.url}/q/d/l/",
                          params={"s": f"{symbol.lower()}.us", "i": "w"}, timeout=5)
    assert weekly.text.splitlines()[-1].startswith(TRADE_DATE)


def test_stooq_unknown_symbol_says_no_data(sandbox_server: SandboxServer) -> None:
    for symbol in ("zzznotasymbol.us", "aapl", ""):
        answer = requests.get(f"{sandbox_server.url}/q/d/l/", params={"s": symbol, "i": "d"},
                              timeout=5)
        assert answer.status_code == 200 and answer.text == "No data"
