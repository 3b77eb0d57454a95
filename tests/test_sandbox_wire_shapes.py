"""The emulator's answers against the REAL captures in ../shared/fixtures.

Each test runs a real capture and the emulator's answer through the same parsing code and
compares keys and value types (or, for XML and CSV, the same extraction). Tests skip with a
clear reason when ../shared is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import praw
import pytest
import requests

from tests.sandbox_fixtures import (
    SEC_AGENT,
    assert_same_shape,
    fixture_path,
    load_fixture_json,
    parse_form4,
)
from tradingagents.sandbox.server import SandboxServer

FINNHUB = ("finnhub", "captured_2026")
ATOM = "{http://www.w3.org/2005/Atom}"


def get_json(server: SandboxServer, path: str, **params: Any) -> Any:
    answer = requests.get(server.url + path, params=params, headers=SEC_AGENT, timeout=5)
    assert answer.status_code == 200, answer.text[:200]
    return answer.json()


def finnhub_json(server: SandboxServer, path: str, **params: Any) -> Any:
    return get_json(server, "/api/v1" + path, token="k", **params)


# -- Finnhub ------------------------------------------------------------------------------

def test_finnhub_quote(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[0].symbol
    assert_same_shape(load_fixture_json(*FINNHUB, "quote-AAPL.json"),
                      finnhub_json(sandbox_server, "/quote", symbol=symbol))
    assert finnhub_json(sandbox_server, "/quote", symbol="ZZZNOTASYMBOL") == load_fixture_json(
        *FINNHUB, "quote-unknown.json")
    older = load_fixture_json("finnhub", "docs_samples_2019", "Stock_quote.json")
    assert set(older) <= set(finnhub_json(sandbox_server, "/quote", symbol=symbol))


def test_finnhub_company_and_general_news(sandbox_server: SandboxServer) -> None:
    market = sandbox_server.market
    end = market.trade_date
    start = end - dt.timedelta(days=30)
    symbol = next(c.symbol for c in market.companies if market.company_news(c.symbol, start, end))
    ours = finnhub_json(sandbox_server, "/company-news", symbol=symbol, **{
        "from": start.isoformat(), "to": end.isoformat()})
    assert ours
    assert_same_shape(load_fixture_json(*FINNHUB, "company-news-AAPL.json"), ours)
    general = finnhub_json(sandbox_server, "/news", category="general")
    assert_same_shape(load_fixture_json("finnhub", "docs_samples_2019",
                                        "AlternativeData_news.json"), general)


def test_finnhub_insider_transactions(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.insider_transactions()[0].symbol
    assert_same_shape(load_fixture_json(*FINNHUB, "insider-transactions-AAPL.json"),
                      finnhub_json(sandbox_server, "/stock/insider-transactions", symbol=symbol))


def test_finnhub_earnings_calendar(sandbox_server: SandboxServer) -> None:
    day = sandbox_server.market.trade_date
    ours = finnhub_json(sandbox_server, "/calendar/earnings", symbol="", **{
        "from": (day - dt.timedelta(days=60)).isoformat(),
        "to": (day + dt.timedelta(days=30)).isoformat()})
    rows = ours["earningsCalendar"]
    assert any(row["epsActual"] is None for row in rows), "upcoming reports have no actuals"
    assert any(row["epsActual"] is not None for row in rows), "past reports have actuals"
    assert_same_shape(load_fixture_json(*FINNHUB, "calendar-earnings-aapl.json"), ours)


def test_finnhub_recommendation_trends(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[0].symbol
    ours = finnhub_json(sandbox_server, "/stock/recommendation", symbol=symbol)
    assert_same_shape(load_fixture_json(*FINNHUB, "recommendation-AAPL.json"), ours)
    older = load_fixture_json("finnhub", "docs_samples_2019", "Stock_recommendationTrends.json")
    assert set(older[0]) == set(ours[0])


def test_finnhub_symbols_and_profile(sandbox_server: SandboxServer) -> None:
    symbols = finnhub_json(sandbox_server, "/stock/symbol", exchange="US")
    assert_same_shape(load_fixture_json(*FINNHUB, "stock-symbol-US.json"), symbols)
    symbol = sandbox_server.market.companies[0].symbol
    assert_same_shape(load_fixture_json(*FINNHUB, "profile-AAPL.json"),
                      finnhub_json(sandbox_server, "/stock/profile2", symbol=symbol))


def test_finnhub_premium_403_body(sandbox_server: SandboxServer) -> None:
    for capture, path in (("candle-AAPL.json", "/stock/candle"),
                          ("news-sentiment-AAPL.json", "/news-sentiment")):
        answer = requests.get(f"{sandbox_server.base_urls['finnhub']}{path}",
                              params={"symbol": "A", "token": "k"}, timeout=5)
        assert answer.status_code == 403
        assert answer.json() == load_fixture_json(*FINNHUB, capture)


# -- Alpha Vantage ------------------------------------------------------------------------

NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


def parse_movers(body: dict[str, Any]) -> dict[str, list[tuple[str, float, float, float, int]]]:
    """What a movers scanner extracts: every number is a string, the percentage ends in %."""
    parsed = {}
    for key in ("top_gainers", "top_losers", "most_actively_traded"):
        rows = []
        for row in body[key]:
            assert NUMBER_TEXT.match(row["price"]) and NUMBER_TEXT.match(row["change_amount"])
            assert row["change_percentage"].endswith("%")
            assert NUMBER_TEXT.match(row["change_percentage"][:-1])
            assert row["volume"].isdigit()
            rows.append((row["ticker"], float(row["price"]), float(row["change_amount"]),
                         float(row["change_percentage"][:-1]), int(row["volume"])))
        parsed[key] = rows
    return parsed


def test_alpha_vantage_movers(sandbox_server: SandboxServer) -> None:
    real = load_fixture_json("alphavantage", "top_gainers_losers_2025-12-12.json")
    ours = get_json(sandbox_server, "/query", function="TOP_GAINERS_LOSERS", apikey="k")
    assert_same_shape(real, ours)
    real_rows, our_rows = parse_movers(real), parse_movers(ours)
    assert {key: len(rows) for key, rows in our_rows.items()} == {
        key: len(rows) for key, rows in real_rows.items()}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d US/Eastern", ours["last_updated"])
    assert real["metadata"] == ours["metadata"]


def test_alpha_vantage_daily_and_quote(sandbox_server: SandboxServer) -> None:
    symbol = sandbox_server.market.companies[0].symbol
    real_daily = load_fixture_json("alphavantage", "schema_samples",
                                   "zackurben_daily_MSFT_2017-08-11.json")
    ours = get_json(sandbox_server, "/query", function="TIME_SERIES_DAILY", symbol=symbol,
                    apikey="k")
    assert set(real_daily) == set(ours)
    assert_same_shape(real_daily["Meta Data"], ours["Meta Data"])
    real_bar = next(iter(real_daily["Time Series (Daily)"].values()))
    for bar in ours["Time Series (Daily)"].values():
        assert_same_shape(real_bar, bar)
        assert all(NUMBER_TEXT.match(value) for value in bar.values())
    real_quote = load_fixture_json("alphavantage", "schema_samples",
                                   "romeltorres_global_quote_MSFT.json")
    our_quote = get_json(sandbox_server, "/query", function="GLOBAL_QUOTE", symbol=symbol,
                         apikey="k")
    assert_same_shape(real_quote, our_quote)
    for real_value, our_value in zip(real_quote["Global Quote"].values(),
                                     our_quote["Global Quote"].values(), strict=True):
        assert re.sub(r"\d", "9", real_value)[-5:].count("9") >= 0  # both strings
        assert (real_value[-1] == "%") == (our_value[-1] == "%")


def test_alpha_vantage_malformed_payload_fails_like_the_real_one(
    sandbox_server: SandboxServer,
) -> None:
    real = fixture_path("alphavantage", "schema_samples",
                        "pooksoft_error_payload_BF.B.txt").read_text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(real)
    sandbox_server.configure("alpha_vantage", faults={"malformed_rate": 1.0})
    try:
        answer = requests.get(f"{sandbox_server.url}/query", timeout=5, params={
            "function": "GLOBAL_QUOTE", "symbol": "A", "apikey": "k"})
    finally:
        sandbox_server.configure("alpha_vantage", faults={"malformed_rate": 0.0})
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)


# -- SEC EDGAR ----------------------------------------------------------------------------

def test_sec_company_tickers(sandbox_server: SandboxServer) -> None:
    real = load_fixture_json("sec", "submissions", "company_tickers.json")
    ours = get_json(sandbox_server, "/files/company_tickers.json")
    assert list(real)[:3] == list(ours)[:3] == ["0", "1", "2"]
    for row in ours.values():
        assert_same_shape(real["0"], row)


def test_sec_submissions(sandbox_server: SandboxServer) -> None:
    real = load_fixture_json("sec", "submissions", "CIK0001318605_TSLA_submissions.json")
    cik = sandbox_server.market.insider_transactions()[0].cik
    ours = get_json(sandbox_server, f"/submissions/CIK{cik:010d}.json")
    real_recent = real["filings"]["recent"]
    our_recent = ours["filings"]["recent"]
    assert list(our_recent) == list(real_recent)
    for column in real_recent:
        assert_same_shape(real_recent[column][:1], our_recent[column])
    for key in ("filings", "formerNames"):
        real.pop(key)
        ours.pop(key)
    assert_same_shape(real, ours)
    form4 = real_recent["form"].index("4")
    assert re.fullmatch(r"xslF345X\d\d/[^/]+\.xml", real_recent["primaryDocument"][form4])
    assert all(re.fullmatch(r"xslF345X\d\d/[^/]+\.xml", doc)
               for doc in our_recent["primaryDocument"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z",
                        our_recent["acceptanceDateTime"][0])


def element_paths(root: ET.Element, prefix: str = "") -> set[str]:
    paths = set()
    for child in root:
        path = f"{prefix}/{child.tag}"
        paths.add(path)
        paths |= element_paths(child, path)
    return paths


def test_sec_form4_documents(sandbox_server: SandboxServer) -> None:
    real_texts = [fixture_path("sec", "form4", name).read_text()
                  for name in ("form4_SCWO_2025-04-30_A.xml", "form4_SNOW_2022-12-13_M_S.xml")]
    filing = sandbox_server.market.insider_transactions()[0]
    folder = filing.accession_number.replace("-", "")
    answer = requests.get(f"{sandbox_server.url}/Archives/edgar/data/{filing.cik}/{folder}/"
                          "form4.xml", headers=SEC_AGENT, timeout=5)
    ours = answer.text
    real_parsed = [row for text in real_texts for row in parse_form4(text)]
    our_parsed = parse_form4(ours)
    assert our_parsed and real_parsed
    assert {key for row in our_parsed for key, value in row.items() if value} == set(
        real_parsed[0])
    for row in our_parsed:
        assert float(row["price"]) >= 0 and int(row["shares"]) > 0
        assert row["ad"] in {"A", "D"}
    real_paths = set().union(*(element_paths(ET.fromstring(text)) for text in real_texts))
    unknown = element_paths(ET.fromstring(ours)) - real_paths
    assert not unknown, f"elements no real Form 4 has: {sorted(unknown)}"


def parse_feed(content: bytes) -> list[dict[str, str]]:
    """What a feed reader takes from each entry of EDGAR's getcurrent Atom feed."""
    feed = ET.fromstring(content)
    entries = []
    for entry in feed.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        category = entry.find(f"{ATOM}category")
        assert link is not None and category is not None
        entries.append({
            "title": entry.findtext(f"{ATOM}title") or "",
            "href": link.attrib["href"],
            "summary": entry.findtext(f"{ATOM}summary") or "",
            "updated": entry.findtext(f"{ATOM}updated") or "",
            "form": category.attrib["term"],
            "id": entry.findtext(f"{ATOM}id") or "",
            "tags": ",".join(child.tag for child in entry),
        })
    return entries


FEED_PATTERNS = {
    "title": r"4 - .+ \(\d{10}\) \((Reporting|Issuer)\)",
    "href": r"https://www\.sec\.gov/Archives/edgar/data/\d+/\d{18}/\d{10}-\d\d-\d{6}-index\.htm",
    "summary": r"\s*<b>Filed:</b> \d{4}-\d\d-\d\d <b>AccNo:</b> \d{10}-\d\d-\d{6} "
               r"<b>Size:</b> \d+ KB\s*",
    "updated": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00",
    "form": r"4",
    "id": r"urn:tag:sec\.gov,2008:accession-number=\d{10}-\d\d-\d{6}",
}


def test_sec_current_feed(sandbox_server: SandboxServer) -> None:
    real = parse_feed(fixture_path("sec", "current_feed",
                                   "edgar_getcurrent_form4_page0.atom.xml").read_bytes())
    answer = requests.get(f"{sandbox_server.url}/cgi-bin/browse-edgar", headers=SEC_AGENT,
                          params={"action": "getcurrent", "type": "4", "output": "atom",
                                  "count": "100"}, timeout=5)
    ours = parse_feed(answer.content)
    assert ours and real
    for entry in real + ours:
        for field, pattern in FEED_PATTERNS.items():
            assert re.fullmatch(pattern, entry[field]), (field, entry[field])
    assert {entry["tags"] for entry in ours} == {entry["tags"] for entry in real}


# -- Reddit -------------------------------------------------------------------------------

def cassette(name: str) -> list[dict[str, Any]]:
    interactions: list[dict[str, Any]] = load_fixture_json(
        "reddit", "praw_cassettes", name)["interactions"]
    return interactions


def objectify(server: SandboxServer, listing: Any) -> list[Any]:
    """praw's own parsing of a Listing body into Submission objects (no network)."""
    url = server.base_urls["reddit"]
    reddit = praw.Reddit(client_id="app", client_secret="s", user_agent="shape-tests/1",
                         check_for_updates=False, oauth_url=url, reddit_url=url)
    parsed: Any = reddit._objector.objectify(data=listing)
    return list(parsed)


def test_reddit_token_and_listing(sandbox_server: SandboxServer) -> None:
    interactions = cassette("TestSubmission.test_hide_multiple_in_batches.json")
    real_token = json.loads(interactions[0]["response"]["body"]["string"])
    token_answer = requests.post(f"{sandbox_server.url}/api/v1/access_token", auth=("a", "s"),
                                 data={"grant_type": "client_credentials"}, timeout=5)
    our_token = token_answer.json()
    assert_same_shape(real_token, our_token)
    real_listing_response = interactions[1]["response"]
    real_listing = json.loads(real_listing_response["body"]["string"])
    answer = requests.get(f"{sandbox_server.url}/r/wallstreetbets/hot?limit=100&raw_json=1",
                          headers={"Authorization": f"bearer {our_token['access_token']}"},
                          timeout=5)
    ours = answer.json()
    real_self_post = next(child for child in real_listing["data"]["children"]
                          if child["data"]["is_self"])
    real_listing["data"]["children"] = [real_self_post]
    assert_same_shape(real_listing, ours)

    real_headers = {key.lower(): values[0]
                    for key, values in real_listing_response["headers"].items()}
    for header, pattern in (("x-ratelimit-remaining", r"\d+\.\d"),
                            ("x-ratelimit-used", r"\d+"), ("x-ratelimit-reset", r"\d+")):
        assert re.fullmatch(pattern, real_headers[header])
        assert re.fullmatch(pattern, answer.headers[header])
    assert answer.headers["Content-Type"] == real_headers["content-type"]

    real_posts = objectify(sandbox_server, {"kind": "Listing", "data": real_listing["data"]})
    our_posts = objectify(sandbox_server, ours)
    assert our_posts and real_posts
    assert all(set(vars(post)) == set(vars(real_posts[0])) for post in our_posts)
    for post in our_posts:
        assert post.author.name and post.subreddit.display_name == "wallstreetbets"


def test_reddit_2016_listing_fields_are_still_sent(sandbox_server: SandboxServer) -> None:
    interactions = cassette("TestSubredditListings.test_new.json")
    real = json.loads(next(i for i in interactions if "/new" in i["request"]["uri"])
                      ["response"]["body"]["string"])
    real_post = next(child["data"] for child in real["data"]["children"]
                     if child["data"]["is_self"])
    token = requests.post(f"{sandbox_server.url}/api/v1/access_token", auth=("a", "s"),
                          data={"grant_type": "client_credentials"}, timeout=5).json()
    ours = requests.get(f"{sandbox_server.url}/r/stocks/new",
                        headers={"Authorization": f"bearer {token['access_token']}"},
                        timeout=5).json()["data"]["children"][0]["data"]
    retired = {"hide_score", "post_hint", "preview", "saved", "from", "from_id", "from_kind",
               "report_reasons", "mod_reports", "user_reports", "secure_media",
               "secure_media_embed", "media", "media_embed", "approved_by", "banned_by",
               "num_reports", "suggested_sort", "likes", "clicked", "visited"}
    missing = set(real_post) - set(ours) - retired
    assert not missing, f"fields 2016 clients read that the emulator does not send: {missing}"
