"""The event and social scanners on one sandbox market: insider_buying, earnings_calendar,
analyst_upgrades, news_catalyst, reddit_trending and reddit_dd.

One emulator (zero latency) serves the module; every scanner runs once through the real
graph, sources and clients, and the tests check what it found against the sandbox's ground
truth and decoys, its numbers against the reference definitions in signals.py, its ordering,
limit and priority rules, and its parameter validation. The ticker-mention rules and the
concurrent fan-out helper are tested directly.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest

import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
from tests.sandbox_fixtures import sandbox_data
from tests.scanner_kit import SCANNER_TRADE_DATE as TRADE_DATE
from tests.scanner_kit import scan
from tradingagents.config import ConfigError
from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox import signals
from tradingagents.sandbox.market import Market
from tradingagents.scanners.fanout import fan_out
from tradingagents.scanners.mentions import STOP_WORDS, find_mentions
from tradingagents.scanners.tool_context import ToolContext
from tradingagents.sources import budget
from tradingagents.sources.errors import MissingCredentials, NotFound, TransientError
from tradingagents.sources.hub import Sources

D = dt.date.fromisoformat(TRADE_DATE)
NAMES = (
    "insider_buying",
    "earnings_calendar",
    "analyst_upgrades",
    "news_catalyst",
    "reddit_trending",
    "reddit_dd",
)
UNLIMITED = 10_000


def scanner_config(**scanners: dict[str, Any]) -> dict[str, Any]:
    return {
        "discovery": {
            "scanner_execution": {"max_workers": 6, "timeout_seconds": 60},
            "scanners": scanners,
        },
        "data": sandbox_data(),
    }


def run(sources: Sources, name: str, **settings: Any) -> dict[str, Any]:
    return scan(sources, scanner_config(**{name: settings}), SCANNER_REGISTRY.get(name))


@pytest.fixture(scope="module")
def runs(sources: Sources) -> dict[str, dict[str, Any]]:
    """Each scanner's scanner-node update with no effective limit."""
    return {name: run(sources, name, limit=UNLIMITED) for name in NAMES}


def candidates(update: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The scanner's candidates in its own order, each with its numbers merged in."""
    (report,) = update["scanner_reports"]
    assert report["status"] == "ok", report
    return [
        {**entry["evidence"][name], "ticker": entry["ticker"], "priority": entry["priority"]}
        for entry in update["candidate_metadata"]
    ]


def tools_called(update: dict[str, Any], tool: str) -> int:
    return sum(1 for entry in update["tool_logs"] if entry["tool"] == tool)


# -- ground truth and decoys ---------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_finds_exactly_the_planted_signals(
    runs: dict[str, dict[str, Any]], market: Market, name: str
) -> None:
    found = {c["ticker"] for c in candidates(runs[name], name)}
    truth = set(market.truth(name))
    assert truth, f"the sandbox planted no {name} signal on {TRADE_DATE}"
    assert found == truth


@pytest.mark.parametrize("name", NAMES)
def test_decoys_are_not_picked(runs: dict[str, dict[str, Any]], market: Market, name: str) -> None:
    decoys = {d.ticker: d.why for d in market.decoys if d.signal == name}
    assert decoys, f"the sandbox has no {name} decoys on {TRADE_DATE}"
    picked = {c["ticker"] for c in candidates(runs[name], name)} & set(decoys)
    assert not picked, {ticker: decoys[ticker] for ticker in picked}


@pytest.mark.parametrize("name", NAMES)
def test_every_candidate_carries_its_numbers_and_signal_date(
    runs: dict[str, dict[str, Any]], name: str
) -> None:
    for candidate in candidates(runs[name], name):
        day = dt.date.fromisoformat(candidate["signal_date"])
        assert D - dt.timedelta(days=14) <= day <= D
    (entry, *_) = runs[name]["candidate_metadata"]
    assert entry["context"] and any(ch.isdigit() for ch in entry["context"])


# -- the numbers behind each candidate -------------------------------------------------------


def test_insider_numbers_match_the_form4_transactions(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    reference = signals.insider_metrics(market.insider_transactions(), D)
    for c in candidates(runs["insider_buying"], "insider_buying"):
        insiders, value = reference[c["ticker"]]
        assert c["insiders"] == insiders >= 3
        assert c["total_value"] == pytest.approx(value, abs=0.01)
        assert c["total_value"] >= 100_000
        window = (D - dt.timedelta(days=13), D)
        top = {
            t.insider_cik
            for t in market.insider_transactions(c["ticker"], *window)
            if t.code == "P" and t.title in ("Chief Executive Officer", "Chief Financial Officer")
        }
        assert c["weighted_insiders"] == insiders + len(top)  # CEO/CFO count 2 by default


def test_insider_buying_reads_only_the_filings_that_can_form_a_cluster(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    update = runs["insider_buying"]
    window_start = D - dt.timedelta(days=13)
    filings_in_window = {
        t.accession_number for t in market.insider_transactions() if t.filing_date >= window_start
    }
    documents = tools_called(update, "get_form4")
    assert 0 < documents < len(filings_in_window) / 3
    # Feed pages go just past the window: ~2 entries per filing, 100 entries a page.
    assert tools_called(update, "get_latest_form4_filings") <= len(filings_in_window) // 50 + 2


def test_earnings_numbers_match_the_calendar(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    events = market.earnings(D - dt.timedelta(days=800), D + dt.timedelta(days=100))
    reference = signals.earnings_metrics(events, D)
    for c in candidates(runs["earnings_calendar"], "earnings_calendar"):
        report_date, quarters, beats = reference[c["ticker"]]
        assert (c["report_date"], c["quarters"], c["beats"]) == (
            report_date.isoformat(),
            quarters,
            beats,
        )
        assert c["days_until_report"] == (report_date - D).days
        assert 1 <= c["days_until_report"] <= 7


def test_analyst_numbers_match_the_recommendation_trends(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    for c in candidates(runs["analyst_upgrades"], "analyst_upgrades"):
        trends = market.recommendation_trends(c["ticker"])
        assert c["shift"] == signals.analyst_shift(trends, D)
        latest = next(t for t in trends if t.period == D.replace(day=1))
        counts = (latest.strong_buy, latest.buy, latest.hold)
        assert (c["strong_buy"], c["buy"], c["hold"]) == counts
        assert c["bullish_now"] - c["bullish_before"] == c["shift"] >= 3


def test_analyst_upgrades_logs_one_call_per_symbol(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    assert tools_called(runs["analyst_upgrades"], "get_recommendation_trends") == len(
        market.companies
    )


def test_news_numbers_match_the_headlines(runs: dict[str, dict[str, Any]], market: Market) -> None:
    start = D - dt.timedelta(days=1)
    for c in candidates(runs["news_catalyst"], "news_catalyst"):
        catalysts = {
            a.headline
            for a in market.company_news(c["ticker"], start, D)
            if signals.is_catalyst_headline(a.headline)
        }
        assert c["catalyst_headlines"] == len(catalysts) >= 1
        assert c["headline"] in catalysts
        assert all(k in signals.CATALYST_KEYWORDS for k in c["keywords"].split(", "))


def test_reddit_trending_counts_posts_once_and_weights_cashtags(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    universe = {company.symbol for company in market.companies}
    posts = [p for sub in signals.REDDIT_SUBREDDITS for p in market.reddit_posts(sub)]
    counts = signals.reddit_post_counts(posts, universe, D)
    for c in candidates(runs["reddit_trending"], "reddit_trending"):
        assert c["posts"] == counts[c["ticker"]]
        plain = c["posts"] - c["cashtag_posts"]
        assert c["weighted_mentions"] == pytest.approx(plain + 2.0 * c["cashtag_posts"])


def test_reddit_dd_numbers_describe_the_best_post(
    runs: dict[str, dict[str, Any]], market: Market
) -> None:
    for c in candidates(runs["reddit_dd"], "reddit_dd"):
        assert c["selftext_chars"] >= 500
        assert c["dd_posts"] >= 1
        length_factor = min(c["selftext_chars"] / 500, 3.0)
        expected = (c["upvotes"] + 2 * c["comments"]) * length_factor
        assert c["dd_score"] == pytest.approx(expected, abs=0.01)
        universe = {company.symbol for company in market.companies}
        assert find_mentions(c["title"], universe).tickers == {c["ticker"]}


# -- ordering, priorities and the limit --------------------------------------------------------


def _sort_key(name: str, c: dict[str, Any]) -> tuple[Any, ...]:
    """Each scanner's documented ranking, ties broken by ticker."""
    if name == "insider_buying":
        key: tuple[Any, ...] = (-c["weighted_insiders"], -c["total_value"])
    elif name == "earnings_calendar":
        key = (-c["beats"], -c["average_surprise_pct"], c["report_date"])
    elif name == "analyst_upgrades":
        key = (-c["shift"], -c["bullish_share"])
    elif name == "news_catalyst":
        key = (-c["catalyst_headlines"], _neg_time(c["published"]))
    elif name == "reddit_trending":
        key = (-c["weighted_mentions"], -c["posts"])
    else:
        key = (-c["dd_score"], -c["dd_posts"])
    return (*key, c["ticker"])


def _neg_time(iso: str) -> float:
    return -dt.datetime.fromisoformat(iso).timestamp()


def _documented_priority(name: str, c: dict[str, Any]) -> str:
    if name == "insider_buying":
        if c["ceo_cfo"] and c["total_value"] >= 1_000_000:
            return "critical"
        return "high" if c["ceo_cfo"] or c["insiders"] >= 5 else "medium"
    if name == "earnings_calendar":
        perfect = c["beats"] == c["quarters"]
        return "high" if perfect and c["average_surprise_pct"] >= 5.0 else "medium"
    if name == "analyst_upgrades":
        return "high" if c["shift"] >= 6 else "medium"
    if name == "news_catalyst":
        if c["catalyst_headlines"] >= 2:
            return "high"
        return "medium" if c["signal_date"] == TRADE_DATE else "low"
    if name == "reddit_trending":
        weighted = c["weighted_mentions"]
        return "high" if weighted >= 15 else "medium" if weighted >= 10 else "low"
    if c["dd_posts"] >= 2:
        return "high"
    return "low" if c.get("upvote_ratio", 1.0) < 0.5 else "medium"


@pytest.mark.parametrize("name", NAMES)
def test_strongest_first_and_priorities_follow_the_documented_rule(
    runs: dict[str, dict[str, Any]], name: str
) -> None:
    found = candidates(runs[name], name)
    assert found == sorted(found, key=lambda c: _sort_key(name, c))
    for c in found:
        assert c["priority"] == _documented_priority(name, c), c


def test_priorities_are_not_all_alike(runs: dict[str, dict[str, Any]]) -> None:
    """Across the six scanners the rules do separate candidates on this market."""
    seen = {c["priority"] for name in NAMES for c in candidates(runs[name], name)}
    assert len(seen) >= 3, seen


@pytest.mark.parametrize("name", NAMES)
def test_limit_keeps_the_strongest(
    sources: Sources, runs: dict[str, dict[str, Any]], name: str
) -> None:
    full = [c["ticker"] for c in candidates(runs[name], name)]
    limited = [c["ticker"] for c in candidates(run(sources, name, limit=2), name)]
    assert limited == full[:2]


# -- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "settings", "problem"),
    [
        ("insider_buying", {"min_insiders": 0}, "min_insiders"),
        ("insider_buying", {"workers": 50}, "workers"),
        ("earnings_calendar", {"window_days": "7"}, "window_days"),
        ("analyst_upgrades", {"min_shift": 0}, "min_shift"),
        ("news_catalyst", {"keywords": []}, "keywords"),
        ("news_catalyst", {"keywords": "merger"}, "keywords"),
        ("reddit_trending", {"subreddits": []}, "subreddits"),
        ("reddit_trending", {"subreddits": ["wall street bets"]}, "subreddits"),
        ("reddit_trending", {"stop_words": ["now"]}, "stop_words"),
        ("reddit_dd", {"min_selftext_chars": 0}, "min_selftext_chars"),
        ("reddit_dd", {"flair": "DD"}, "flair"),
    ],
)
def test_bad_params_are_rejected_by_name(name: str, settings: dict[str, Any], problem: str) -> None:
    cls = SCANNER_REGISTRY.get(name)
    with pytest.raises(ConfigError, match=f"discovery.scanners.{name}.{problem}"):
        DiscoveryGraph(scanner_config(**{name: settings}), scanners=[cls])


def test_earnings_rejects_an_impossible_beat_count(sources: Sources) -> None:
    update = run(sources, "earnings_calendar", min_beats=5, history_quarters=4)
    (report,) = update["scanner_reports"]
    assert report["status"] == "error"
    assert "min_beats=5 can never be met with history_quarters=4" in report["error"]


def test_params_change_what_is_found(sources: Sources, runs: dict[str, dict[str, Any]]) -> None:
    baseline = {c["ticker"] for c in candidates(runs["reddit_trending"], "reddit_trending")}
    stricter = {
        c["ticker"]
        for c in candidates(run(sources, "reddit_trending", min_posts=8), "reddit_trending")
    }
    assert stricter < baseline
    only_stocks = run(sources, "reddit_dd", subreddits=["stocks"])
    assert candidates(only_stocks, "reddit_dd") == []  # planted DD posts are on r/wallstreetbets


def test_declared_defaults_are_the_definitions_constants() -> None:
    defaults = {
        name: {key: p.default for key, p in SCANNER_REGISTRY.get(name).params.items()}
        for name in NAMES
    }
    expected: dict[str, dict[str, Any]] = {
        "insider_buying": {
            "window_days": signals.INSIDER_WINDOW_DAYS,
            "min_insiders": signals.INSIDER_MIN_INSIDERS,
            "min_value": signals.INSIDER_MIN_VALUE,
        },
        "earnings_calendar": {
            "window_days": signals.EARNINGS_WINDOW_DAYS,
            "history_quarters": signals.EARNINGS_HISTORY_QUARTERS,
            "min_beats": signals.EARNINGS_MIN_BEATS,
        },
        "analyst_upgrades": {"min_shift": signals.ANALYST_MIN_SHIFT},
        "news_catalyst": {
            "window_days": signals.NEWS_WINDOW_DAYS,
            "keywords": signals.CATALYST_KEYWORDS,
        },
        "reddit_trending": {
            "subreddits": signals.REDDIT_SUBREDDITS,
            "window_hours": signals.REDDIT_WINDOW_HOURS,
            "as_of_hour_utc": signals.REDDIT_AS_OF_HOUR_UTC,
            "min_posts": signals.REDDIT_MIN_POSTS,
        },
        "reddit_dd": {
            "dd_flair": signals.DD_FLAIR,
            "min_selftext_chars": signals.DD_MIN_SELFTEXT_CHARS,
        },
    }
    for name, constants in expected.items():
        assert {key: defaults[name][key] for key in constants} == constants, name
    assert frozenset(defaults["reddit_trending"]["stop_words"]) == signals.REDDIT_STOP_WORDS


# -- ticker mentions ----------------------------------------------------------------------------

UNIVERSE = frozenset({"AAPL", "NVDA", "ALL", "IT", "NOW", "F", "GME"})


@pytest.mark.parametrize(
    ("text", "cashtagged", "bare"),
    [
        ("NVDA NVDA NVDA to the moon, $NVDA!", {"NVDA"}, {"NVDA"}),  # one mention, both ways
        ("$aapl and $Aapl", {"AAPL"}, set()),  # a cashtag in any case
        ("aapl nvda gme are noise", set(), set()),  # lower-case words never count
        ("Went ALL in, IT is NOW or never", set(), set()),  # stop-listed bare words
        ("$ALL in on $IT", {"ALL", "IT"}, set()),  # ...but their cashtags count
        ("YOLO on TSLA", set(), set()),  # not universe symbols
        ("NVDAX, AAPL_, 1GME, $NVDAXY", set(), set()),  # glued to letters, digits or _
        ("NVDA's run; (AAPL) and F-150", set(), {"NVDA", "AAPL", "F"}),  # punctuation ends words
        ("DD on GME: CEO says EPS up", set(), {"GME"}),  # slang on the stop-list
    ],
)
def test_ticker_mention_rules(text: str, cashtagged: set[str], bare: set[str]) -> None:
    mentions = find_mentions(text, UNIVERSE)
    assert (set(mentions.cashtagged), set(mentions.bare)) == (cashtagged, bare)
    assert mentions.tickers == cashtagged | bare


def test_mentions_agree_with_the_definition_on_every_sandbox_post(market: Market) -> None:
    universe = frozenset(company.symbol for company in market.companies)
    posts = [p for sub in signals.REDDIT_SUBREDDITS for p in market.reddit_posts(sub)]
    assert len(posts) > 300
    for post in posts:
        text = f"{post.title}\n{post.selftext}"
        assert find_mentions(text, universe).tickers == signals.ticker_mentions(text, universe)


def test_stop_words_match_the_definition() -> None:
    assert frozenset(STOP_WORDS) == signals.REDDIT_STOP_WORDS
    assert len(STOP_WORDS) == len(set(STOP_WORDS))


# -- the concurrent fan-out ---------------------------------------------------------------------


def _started_context(seconds: float | None) -> ToolContext:
    tools = ToolContext("fan_test")
    tools.begin(None if seconds is None else time.monotonic() + seconds)
    return tools


def test_fan_out_runs_concurrently_and_logs_every_call() -> None:
    tools = _started_context(10.0)
    threads: set[str] = set()
    deadlines: list[float | None] = []

    def square(n: int) -> int:
        threads.add(threading.current_thread().name)
        deadlines.append(budget.remaining())
        time.sleep(0.1)
        return n * n

    started = time.monotonic()
    outcome = fan_out(tools, "square", square, list(range(16)), lambda n: {"n": n}, workers=8)
    elapsed = time.monotonic() - started
    assert outcome.results == {n: n * n for n in range(16)} and outcome.complete
    assert list(outcome.results) == list(range(16))  # the keys' order, not completion order
    assert len(threads) == 8 and elapsed < 16 * 0.1 / 2  # sequential: 1.6 s; ideal: 0.2 s
    assert len(tools.records()) == 16
    assert all(entry["tool"] == "square" and not entry["error"] for entry in tools.records())
    # Each worker saw the scanner's deadline, less the reserve kept to return results.
    assert all(d is not None and 0 < d < 10.0 for d in deadlines)


def test_fan_out_tolerates_a_minority_of_failures() -> None:
    def lookup(symbol: str) -> str:
        if symbol in ("B", "D"):
            raise NotFound("finnhub", f"no such symbol {symbol}")
        return symbol.lower()

    outcome = fan_out(
        _started_context(None), "lookup", lookup, list("ABCDE"), lambda s: {"symbol": s}, workers=3
    )
    assert outcome.results == {"A": "a", "C": "c", "E": "e"}
    assert set(outcome.failures) == {"B", "D"}
    assert "2 of 5 symbols failed" in outcome.shortfall("symbols")


def test_fan_out_raises_when_most_calls_fail() -> None:
    def flaky(symbol: str) -> str:
        if symbol != "A":
            raise TransientError("finnhub", "503 Service Unavailable")
        return symbol

    with pytest.raises(TransientError, match="503"):
        fan_out(
            _started_context(None), "flaky", flaky, list("ABC"), lambda s: {"symbol": s}, workers=2
        )


def test_fan_out_raises_at_once_when_the_source_is_unavailable() -> None:
    def keyless(symbol: str) -> str:
        raise MissingCredentials("finnhub", "FINNHUB_API_KEY is not set")

    with pytest.raises(MissingCredentials):
        fan_out(
            _started_context(None),
            "keyless",
            keyless,
            list("AB"),
            lambda s: {"symbol": s},
            workers=2,
        )


def test_fan_out_returns_what_it_got_before_the_budget_ran_out() -> None:
    tools = _started_context(2.0)

    def slow(n: int) -> int:
        time.sleep(0.1)
        return n

    started = time.monotonic()
    outcome = fan_out(tools, "slow", slow, list(range(100)), lambda n: {"n": n}, workers=2)
    assert time.monotonic() - started < 2.0  # returned inside the scanner's budget
    assert 4 <= len(outcome.results) < 100
    assert outcome.unchecked and not outcome.failures
    assert "not asked before the time budget ran out" in outcome.shortfall("symbols")


def test_every_event_scanner_is_registered_with_its_source() -> None:
    sources = {name: SCANNER_REGISTRY.get(name).source for name in NAMES}
    assert sources == {
        "insider_buying": "sec",
        "earnings_calendar": "finnhub",
        "analyst_upgrades": "finnhub",
        "news_catalyst": "finnhub",
        "reddit_trending": "reddit",
        "reddit_dd": "reddit",
    }
    assert all(issubclass(SCANNER_REGISTRY.get(name), BaseScanner) for name in NAMES)
