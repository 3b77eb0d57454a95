"""Reliability of the data sources (issue 8): deadlines that hold while a body drips, typed
errors instead of escaping cancellations, no retry storm on ``Retry-After: 0``, and masked
secrets in reprs. Everything runs against the sandbox emulator's fault knobs."""

from __future__ import annotations

import logging
import pprint
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.sandbox_fixtures import INSTANT, SEED, TRADE_DATE, configured, live_config
from tests.scanner_kit import config, make_scanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox.server import SandboxServer
from tradingagents.sources import budget
from tradingagents.sources.errors import (
    DeadlineExceeded,
    InvalidCredentials,
    RateLimited,
    SourceError,
    SourceUnavailable,
)
from tradingagents.sources.hub import Sources

DRIP = {"drip_rate": 1.0, "drip_bytes": 1, "drip_interval_seconds": 0.05}


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as emulator:
        yield emulator


@pytest.fixture
def hub(server: SandboxServer, tmp_path: Path) -> Iterator[Sources]:
    server.reset_counters()
    with Sources.from_config(live_config(server, tmp_path), env={}) as sources:
        yield sources


# -- item 3: a dripping body cannot outlive the caller's deadline ------------------------------


@pytest.mark.timeout(60)
def test_a_dripping_body_is_cut_at_the_callers_deadline(
    server: SandboxServer, hub: Sources
) -> None:
    # Each byte arrives well within the 1 s read timeout; the whole body would take minutes.
    with configured(server, "prices", faults=DRIP):
        started = time.monotonic()
        with budget.deadline(started + 1.0), pytest.raises(DeadlineExceeded):
            hub.prices.daily_bars("A")
        elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"the call ran {elapsed:.1f} s past a 1 s budget"
    assert server.counters()["prices"]["/q/d/l/"] == {"drip": 1}, "no retry past the deadline"


def test_a_body_read_in_the_adapter_still_decodes_and_caches(
    server: SandboxServer, hub: Sources
) -> None:
    first = hub.prices.daily_bars("A")
    second = hub.prices.daily_bars("A")
    assert len(first) > 250 and first.equals(second)
    assert server.counters()["prices"]["/q/d/l/"] == {200: 1}, "the second answer is cached"


@pytest.mark.timeout(60)
def test_filter_node_ends_by_its_deadline_when_prices_drip(
    server: SandboxServer, hub: Sources
) -> None:
    tickers = tuple(company.symbol for company in server.market.companies[:2])
    scanner = make_scanner("picks", tickers=tickers)
    graph = DiscoveryGraph(config(timeout_seconds=3), scanners=[scanner], sources=hub)
    with configured(server, "prices", faults=DRIP):
        started = time.monotonic()
        final = graph.run(TRADE_DATE)
        elapsed = time.monotonic() - started
    assert elapsed < 6.0, f"graph.run took {elapsed:.1f} s with a 3 s filter deadline"
    assert final["filtered_candidates"] == []
    reasons = [drop["reason"] for drop in final["dropped_candidates"]]
    assert len(reasons) == 2
    assert all(r.startswith("no price data (prices: ") for r in reasons), reasons
    assert all("budget" in r or "deadline" in r for r in reasons), reasons


# -- item 5: a lazy sandbox start longer than the filter's budget ------------------------------


@pytest.mark.timeout(60)
def test_filter_node_reports_errors_when_the_lazy_sandbox_start_outlasts_its_budget() -> None:
    # The scanner touches no data, so the filter node starts the sandbox itself (over a second)
    # with a 0.2 s budget: the facts are errors, and nothing escapes graph.run.
    scanner = make_scanner("picks", tickers=("A",))  # a fresh seed: no market cached yet
    data = {"mode": "sandbox", "sandbox": {"seed": 4242}}
    cfg: dict[str, Any] = {**config(timeout_seconds=0.2), "data": data}
    with DiscoveryGraph(cfg, scanners=[scanner]) as graph:
        final = graph.run(TRADE_DATE)
    assert final["status"] == "ranked"
    (dropped,) = final["dropped_candidates"]
    assert dropped["reason"].startswith("no price data ("), dropped


# -- item 1: closing the sources under running calls is safe and quiet --------------------------


@pytest.mark.timeout(30)
def test_a_call_in_flight_when_the_sources_close_ends_without_retries_or_warnings(
    server: SandboxServer, hub: Sources, caplog: pytest.LogCaptureFixture
) -> None:
    prices = hub.prices
    errors: list[BaseException] = []

    def call() -> None:
        try:
            prices.daily_bars("A")
        except SourceError as exc:
            errors.append(exc)

    with configured(server, "prices", faults={"hang_rate": 1.0, "hang_seconds": 5}):
        worker = threading.Thread(target=call)
        worker.start()
        time.sleep(0.3)  # the request is waiting for its body
        hub.close()
        assert prices.session.closed
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert len(errors) == 1, "the cut-off call fails with a typed error"
    assert server.counters()["prices"]["/q/d/l/"] == {"hang": 1}, "no retry after close"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [], warnings


def test_a_request_after_close_fails_fast_with_source_unavailable(hub: Sources) -> None:
    prices = hub.prices  # a scanner holding on to its source past the end of the run
    hub.close()
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="closed"):
        prices.daily_bars("A")
    assert time.monotonic() - started < 0.5


# -- item 13: Retry-After 0 or negative is no hint: back off -----------------------------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize("retry_after", [0, -1])
def test_retry_after_zero_or_negative_backs_off_instead_of_hammering(
    server: SandboxServer, tmp_path: Path, retry_after: int
) -> None:
    resilience = {"max_attempts": 4, "backoff_max_seconds": 0.2}
    server.reset_counters()
    with (
        Sources.from_config(live_config(server, tmp_path, resilience=resilience), env={}) as hub,
        configured(server, "finnhub", rate_limit={"per_minute": 1},
                   faults={"retry_after": retry_after}),
    ):
        hub.finnhub.quote("A")  # spends the minute's only request
        started = time.monotonic()
        with pytest.raises(RateLimited):
            hub.finnhub.quote("AA")
        elapsed = time.monotonic() - started
    assert server.counters()["finnhub"]["/quote"] == {200: 1, 429: 4}
    # Three backoff sleeps of at least 0.2 s each (the cap); at once it took ~10 ms.
    assert elapsed >= 0.55, f"4 attempts in {elapsed:.3f} s: no backoff"


# -- item 8: no key in a repr or an inspectable attribute ----------------------------------------

SECRETS = ("test-finnhub-key", "test-reddit-id", "test-reddit-secret", "test-av-key")


def test_reprs_and_attributes_of_the_sources_never_show_keys(hub: Sources) -> None:
    shown = [
        repr(hub.access),
        str(hub.access),
        pprint.pformat(hub.access),
        repr(hub.access["reddit"].credentials),
        repr(hub.finnhub.session.params),
        str(hub.finnhub.session.params),
        repr(vars(hub.finnhub)),
        repr(vars(hub.reddit)),
        repr(vars(hub.alpha_vantage)),
        repr(vars(hub.sec)),
    ]
    for text in shown:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} shown in {text[:300]}"
    # Masked for people, intact for the wire: every keyed source still authenticates.
    assert hub.finnhub.quote("A") is not None
    assert hub.reddit.listing("wallstreetbets", limit=5)
    assert hub.alpha_vantage.top_gainers_losers() is not None


def test_a_401_that_echoes_the_query_never_leaks_the_key(
    server: SandboxServer, hub: Sources
) -> None:
    faults = {"echo_query_on_401": True}
    with (
        configured(server, "finnhub", valid_keys=["another-key"], faults=faults),
        pytest.raises(InvalidCredentials) as caught,
    ):
        hub.finnhub.quote("A")
    assert "Invalid API key in request" in str(caught.value)
    assert "test-finnhub-key" not in str(caught.value)


# -- issue 9, item 14: no connection churn on a busy source --------------------------------------


@pytest.mark.timeout(60)
def test_forty_concurrent_calls_on_one_source_keep_every_connection(
    server: SandboxServer, hub: Sources, caplog: pytest.LogCaptureFixture
) -> None:
    # Two 16-worker fan-outs plus other scanners put more than 32 calls in flight on Finnhub.
    symbols = [company.symbol for company in server.market.companies[:40]]
    barrier = threading.Barrier(len(symbols))

    def quote(symbol: str) -> None:
        barrier.wait()
        hub.finnhub.quote(symbol)

    with configured(server, "finnhub", latency={"median_ms": 300, "sigma": 0}):
        threads = [threading.Thread(target=quote, args=(s,)) for s in symbols]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert server.counters()["finnhub"]["/quote"] == {200: 40}
    churn = [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()]
    assert churn == [], churn[:2]


@pytest.mark.timeout(60)
def test_a_request_that_asks_to_close_is_answered_with_connection_close(
    server: SandboxServer,
) -> None:
    # prawcore's token request sends "Connection: close". The emulator closed the connection
    # without saying so, the pool kept it, and the next Reddit call was sent into the close:
    # "reddit ... connection failed; retrying" in about 1 of 5 offline runs (1 in 10 here).
    session = requests.Session()
    failures = 0
    for _ in range(100):
        token = session.post(
            f"{server.url}/api/v1/access_token",
            auth=("client", "secret"),
            data={"grant_type": "client_credentials"},
            headers={"Connection": "close"},
        )
        assert token.headers.get("Connection") == "close"
        try:
            session.get(
                f"{server.url}/r/wallstreetbets/hot",
                params={"limit": 1, "raw_json": 1},
                headers={"Authorization": f"bearer {token.json()['access_token']}"},
                timeout=5,
            )
        except requests.exceptions.ConnectionError:
            failures += 1
    session.close()
    assert failures == 0
