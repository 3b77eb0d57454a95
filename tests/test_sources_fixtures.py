"""Real recorded answers (../shared/fixtures) through each source's own client and parser.

A small loopback server replays the captures at the real paths, and the sources run against
it in live mode, so a capture takes exactly the path a live answer takes: client library,
cache, resilience layer, record parsing. Skipped with a reason when ../shared is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from tests.sandbox_fixtures import FIXTURES, KEYS
from tradingagents.sources import budget
from tradingagents.sources.errors import MalformedResponse, NoAccess
from tradingagents.sources.hub import Sources
from tradingagents.sources.prices import LocalPrices
from tradingagents.sources.sec import FeedFiling, Filing
from tradingagents.sources.sec_form4 import parse_form4

if not FIXTURES.is_dir():
    pytest.skip(
        f"real captures not available: {FIXTURES} is missing (../shared is absent)",
        allow_module_level=True,
    )

JSON = "application/json; charset=utf-8"
FINNHUB = FIXTURES / "finnhub" / "captured_2026"
FINNHUB_2019 = FIXTURES / "finnhub" / "docs_samples_2019"
ALPHA = FIXTURES / "alphavantage"
SEC = FIXTURES / "sec"
CASSETTES = FIXTURES / "reddit" / "praw_cassettes"
OHLCV = FIXTURES / "ohlcv" / "sp500_daily_2019_2021"
SELECTORS = ("function", "symbol", "exchange", "category")


@dataclass
class Replay:
    """Answers keyed by (path, the first selecting query parameter's value)."""

    answers: dict[tuple[str, str], tuple[int, str, bytes, dict[str, str]]] = field(
        default_factory=dict
    )
    hits: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(
        self,
        path: str,
        body: bytes | Path,
        *,
        selector: str = "",
        status: int = 200,
        content_type: str = JSON,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.read_bytes() if isinstance(body, Path) else body
        self.answers[(path, selector)] = (status, content_type, data, headers or {})

    def answer(self, url: str) -> tuple[tuple[str, str], tuple[int, str, bytes, dict[str, str]]]:
        parts = urlsplit(url)
        path = "/" + "/".join(p for p in parts.path.split("/") if p)
        query = parse_qs(parts.query)
        selector = next((query[name][0] for name in SELECTORS if name in query), "")
        key = (path, selector) if (path, selector) in self.answers else (path, "")
        if key not in self.answers:
            return key, (404, "text/plain", b"not recorded", {})
        return key, self.answers[key]


@pytest.fixture(scope="module")
def replay() -> Iterator[tuple[Replay, str]]:
    recorded = Replay()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key, (status, content_type, body, headers) = recorded.answer(self.path)
            recorded.hits[key] = recorded.hits.get(key, 0) + 1
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorded, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def hub(replay: tuple[Replay, str], tmp_path: Path) -> Iterator[Sources]:
    recorded, url = replay
    recorded.answers.clear()
    recorded.hits.clear()
    sections: dict[str, Any] = {
        name: {"base_url": url, "rate_limit": None, **KEYS[name]} for name in KEYS
    }
    sections["finnhub"]["base_url"] = f"{url}/api/v1"
    sections["reddit"]["oauth_url"] = url
    sections["sec"]["data_url"] = url
    config = {"data": {"mode": "live", "cache_dir": str(tmp_path), "sources": sections}}
    with Sources.from_config(config, env={}) as sources:
        yield sources


def test_finnhub_captures_parse_through_the_finnhub_client(
    hub: Sources, replay: tuple[Replay, str]
) -> None:
    recorded, _ = replay
    for path, name in [
        ("/api/v1/company-news", "company-news-AAPL.json"),
        ("/api/v1/stock/insider-transactions", "insider-transactions-AAPL.json"),
        ("/api/v1/calendar/earnings", "calendar-earnings-aapl.json"),
        ("/api/v1/stock/recommendation", "recommendation-AAPL.json"),
        ("/api/v1/stock/symbol", "stock-symbol-US.json"),
        ("/api/v1/stock/profile2", "profile-AAPL.json"),
    ]:
        recorded.add(path, FINNHUB / name)
    recorded.add("/api/v1/quote", FINNHUB / "quote-AAPL.json", selector="AAPL")
    recorded.add("/api/v1/quote", FINNHUB / "quote-unknown.json", selector="ZZZNOTASYMBOL")
    recorded.add("/api/v1/stock/upgrade-downgrade", FINNHUB / "candle-AAPL.json", status=403)
    finnhub = hub.finnhub
    day = dt.date(2026, 5, 22)

    quote = finnhub.quote("AAPL")
    assert quote is not None and quote.price == 308.82 and quote.change_percent == 1.2558
    assert quote.timestamp == dt.datetime.fromtimestamp(1779480000, tz=dt.UTC)
    assert finnhub.quote("ZZZNOTASYMBOL") is None, "zeros and nulls mean an unknown symbol"
    news = finnhub.company_news("AAPL", day - dt.timedelta(days=7), day)
    assert len(news) == 246 and all(a.headline and a.published for a in news)
    insiders = finnhub.insider_transactions("AAPL")
    assert [t.code for t in insiders] == ["S", "G", "S", "S"]
    assert insiders[0].name == "Borders Ben" and insiders[0].change == -1274
    (event,) = finnhub.earnings_calendar(day, day + dt.timedelta(days=90), "AAPL")
    assert event.hour == "amc" and event.eps_actual is None and event.eps_estimate == 1.9316
    trends = finnhub.recommendation_trends("AAPL")
    assert trends[0].period == dt.date(2026, 5, 1) and trends[0].strong_buy == 15
    assert len(finnhub.stock_symbols("US")) == 25
    profile = finnhub.company_profile("AAPL")
    assert profile is not None and profile.industry == "Technology"
    assert profile.ipo == dt.date(1980, 12, 12)
    with pytest.raises(NoAccess, match="You don't have access to this resource"):
        finnhub.upgrade_downgrade("AAPL")


def test_finnhub_2019_documentation_samples_parse(hub: Sources, replay: tuple[Replay, str]) -> None:
    recorded, _ = replay
    recorded.add("/api/v1/quote", FINNHUB_2019 / "Stock_quote.json")
    recorded.add("/api/v1/news", FINNHUB_2019 / "AlternativeData_news.json")
    recorded.add("/api/v1/stock/recommendation", FINNHUB_2019 / "Stock_recommendationTrends.json")
    recorded.add("/api/v1/stock/symbol", FINNHUB_2019 / "Stock_symbols.json")

    quote = hub.finnhub.quote("AAPL")
    assert quote is not None and quote.price == 261.74 and quote.change is None
    assert hub.finnhub.general_news()[0].source == "Reuters"
    assert hub.finnhub.recommendation_trends("AAPL")[0].period == dt.date(2019, 9, 1)
    assert [s.symbol for s in hub.finnhub.stock_symbols("US")] == ["A", "AA", "AAAU"]


def _cassette_answers(name: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """(path, body, x-ratelimit headers) of each GET in one of praw's recorded cassettes."""
    recorded = json.loads((CASSETTES / name).read_text(encoding="utf-8"))
    answers = []
    for interaction in recorded["interactions"]:
        if interaction["request"]["method"] != "GET":
            continue
        headers = {
            k: v[0] for k, v in interaction["response"]["headers"].items() if "ratelimit" in k
        }
        path = urlsplit(interaction["request"]["uri"]).path
        answers.append((path, interaction["response"]["body"]["string"].encode(), headers))
    return answers


TOKEN = json.dumps(
    {"access_token": "replayed", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
).encode()


@pytest.mark.parametrize(
    ("cassette", "subreddit", "sort"),
    [
        ("TestSubmission.test_hide_multiple_in_batches.json", "popular", "hot"),
        ("TestSubredditListings.test_hot.json", "askreddit", "hot"),
        ("TestSubredditListings.test_new.json", "askreddit", "new"),
        ("TestSubredditStreams.test_submissions.json", "all", "new"),
    ],
)
def test_reddit_cassettes_parse_through_praw(
    hub: Sources, replay: tuple[Replay, str], cassette: str, subreddit: str, sort: str
) -> None:
    recorded, _ = replay
    recorded.add("/api/v1/access_token", TOKEN)
    path, body, headers = _cassette_answers(cassette)[0]
    recorded.add(path, body, headers=headers)
    children = json.loads(body)["data"]["children"]

    posts = hub.reddit.listing(subreddit, sort, limit=100)  # type: ignore[arg-type]
    assert len(posts) == min(100, len(children))
    first = children[0]["data"]
    assert posts[0].id == first["id"] and posts[0].title == first["title"]
    assert posts[0].subreddit.lower() == subreddit or subreddit in ("popular", "all")
    assert posts[0].created_utc == dt.datetime.fromtimestamp(first["created_utc"], tz=dt.UTC)
    assert all(p.num_comments >= 0 and p.score is not None for p in posts)
    assert any(p.flair for p in posts) or sort == "new"
    assert recorded.hits.get(("/comments", ""), 0) == 0, "no lazy per-post fetches"


def test_cached_reddit_answers_do_not_replay_rate_limit_sleeps(
    hub: Sources, replay: tuple[Replay, str]
) -> None:
    recorded, _ = replay
    recorded.add("/api/v1/access_token", TOKEN)
    path, body, _ = _cassette_answers("TestSubmission.test_hide_multiple_in_batches.json")[0]
    spent = {"x-ratelimit-remaining": "0", "x-ratelimit-used": "1000", "x-ratelimit-reset": "30"}
    recorded.add(path, body, headers=spent)
    started = time.monotonic()
    with budget.deadline(time.monotonic() + 2.0):
        hub.reddit.listing("popular", "hot", limit=100)
        hub.reddit.listing("popular", "hot", limit=100)
    # prawcore alone would sleep the full 30 s before the second (cached) call.
    assert time.monotonic() - started < 2.5
    assert recorded.hits[(path, "")] == 1


def test_alpha_vantage_captures_parse(hub: Sources, replay: tuple[Replay, str]) -> None:
    recorded, _ = replay
    samples = ALPHA / "schema_samples"
    recorded.add(
        "/query", ALPHA / "top_gainers_losers_2025-12-12.json", selector="TOP_GAINERS_LOSERS"
    )
    recorded.add("/query", samples / "romeltorres_global_quote_MSFT.json", selector="GLOBAL_QUOTE")
    recorded.add(
        "/query", samples / "zackurben_daily_MSFT_2017-08-11.json", selector="TIME_SERIES_DAILY"
    )
    av = hub.alpha_vantage

    movers = av.top_gainers_losers()
    assert [len(movers.top_gainers), len(movers.top_losers)] == [20, 20]
    top = movers.top_gainers[0]
    assert (top.ticker, top.change_percentage, top.volume) == ("ARBKL", 201.1364, 5056392)
    assert any(m.ticker.endswith("W") for m in movers.top_gainers), "warrants are kept as sent"
    quote = av.global_quote("MSFT")
    assert quote is not None and quote.change_percent == -0.5852 and quote.volume == 29062853
    bars = av.daily("MSFT")
    assert list(bars.columns) == ["open", "high", "low", "close", "volume"]
    assert bars["close"].iloc[0] == 72.5 and bars["volume"].dtype == np.int64


def test_alpha_vantage_garbled_payload_is_malformed(
    hub: Sources, replay: tuple[Replay, str]
) -> None:
    recorded, _ = replay
    recorded.add("/query", ALPHA / "schema_samples" / "pooksoft_error_payload_BF.B.txt")
    with pytest.raises(MalformedResponse, match="not valid JSON"):
        hub.alpha_vantage.daily("BF.B")


def test_sec_captures_parse(hub: Sources, replay: tuple[Replay, str]) -> None:
    recorded, _ = replay
    recorded.add("/files/company_tickers.json", SEC / "submissions" / "company_tickers.json")
    recorded.add(
        "/submissions/CIK0001318605.json",
        SEC / "submissions" / "CIK0001318605_TSLA_submissions.json",
    )
    feed = SEC / "current_feed" / "edgar_getcurrent_form4_page0.atom.xml"
    recorded.add("/cgi-bin/browse-edgar", feed, content_type="application/atom+xml")
    sec = hub.sec

    tickers = sec.company_tickers()
    assert tickers["AAPL"].cik == 320193 and len(tickers) > 9000
    filings = sec.filings(1318605)
    assert filings and {f.form for f in filings} == {"4"}
    assert filings[0].primary_document == "edgardoc.xml", "the XSL rendering prefix is dropped"
    latest = sec.latest_filings()
    assert len(latest) == 46, "100 entries: one Issuer and one Reporting entry per filing"
    assert latest[0].issuer_name == "Hinge Health, Inc."
    assert latest[0].reporting_owners == ("Perez Daniel Antonio",)


def test_form4_documents_parse_through_the_sec_source(
    hub: Sources, replay: tuple[Replay, str]
) -> None:
    recorded, _ = replay
    snow = Filing(
        cik=1640147,
        accession_number="0001209191-22-063722",
        form="4",
        filing_date=dt.date(2022, 12, 15),
        report_date=dt.date(2022, 12, 13),
        primary_document="doc4.xml",
    )
    folder = "/Archives/edgar/data/1640147/000120919122063722"
    recorded.add(f"{folder}/doc4.xml", SEC / "form4" / "form4_SNOW_2022-12-13_M_S.xml")
    form = hub.sec.form4(snow)
    assert form.symbol == "SNOW" and form.owners[0].officer_title == "Chief Financial Officer"
    codes = [t.code for t in form.transactions if not t.is_derivative]
    assert codes == ["M", "S", "S", "S", "S", "S"]
    assert form.purchases() == [], "an option exercise and sales are not purchases"
    sale = form.transactions[1]
    assert (sale.acquired_disposed, sale.shares, sale.price) == ("D", 73170.0, 150.841)

    scwo = FeedFiling(
        accession_number="0002064133-25-000001",
        form="4",
        filed=dt.date(2025, 5, 2),
        updated=dt.datetime(2025, 5, 2, tzinfo=dt.UTC),
        issuer_cik=933972,
        issuer_name="374Water Inc.",
        reporting_owners=("Melkote Rajesh Ramaswamy",),
        reporting_cik=2064133,
    )
    index = {
        "directory": {
            "item": [
                {"name": "xslF345X05", "type": "folder.gif"},
                {"name": "form4.xml", "type": "text.gif"},
            ]
        }
    }
    folder = "/Archives/edgar/data/933972/000206413325000001"
    recorded.add(f"{folder}/index.json", json.dumps(index).encode())
    recorded.add(f"{folder}/form4.xml", SEC / "form4" / "form4_SCWO_2025-04-30_A.xml")
    award = hub.sec.form4(scwo)
    assert [t.code for t in award.transactions] == ["A", "A"]
    assert award.transactions[0].owner_role == "Chief Technology Officer"


def test_form4_full_sgml_submission_parses() -> None:
    text = (SEC / "form4" / "0001127602-25-001055_AIR_form4_full_submission.txt").read_bytes()
    form = parse_form4(text)
    assert form.accession_number == "0001127602-25-001055" and form.symbol == "AIR"
    (sale,) = form.transactions
    assert (sale.code, sale.shares, sale.price) == ("S", 1500.0, 66.903)
    assert sale.owner_role == "Senior VP, GC, CAO & Secretary"


def test_local_bars_are_typed_and_split_adjusted() -> None:
    prices = LocalPrices(OHLCV)
    bars = prices.daily_bars("AAPL")
    assert bars.index.name == "date" and bars.index.is_monotonic_increasing
    assert bars.dtypes.to_dict() == {
        "open": np.float64,
        "high": np.float64,
        "low": np.float64,
        "close": np.float64,
        "volume": np.int64,
    }
    close = bars["close"]
    before, after = float(close.loc["2020-08-28"]), float(close.loc["2020-08-31"])
    assert math.isclose(before, 499.23 / 4) and after == 129.04, "the 4:1 split is no crash"
    window = prices.daily_bars("aapl", dt.date(2021, 1, 1), dt.date(2021, 1, 31))
    assert window.index.min() >= dt.datetime(2021, 1, 1) and len(window) == 19


def test_local_batch_returns_failures_per_ticker() -> None:
    tickers = sorted(path.stem for path in OHLCV.glob("*.csv"))[:40]
    batch = LocalPrices(OHLCV).daily_bars_batch([*tickers, "NOT-A-TICKER"])
    assert sorted(batch.bars) == tickers
    assert list(batch.errors) == ["NOT-A-TICKER"] and "no bars file" in str(
        batch.errors["NOT-A-TICKER"]
    )
    wide = batch.wide("close")
    assert wide.shape[1] == 40 and wide.index.is_monotonic_increasing
