"""The resilience layer against the sandbox emulator's fault knobs, through the real clients.

Each behaviour of issue 4 has its own test: shared rate limits, 429 with and without
Retry-After, 5xx and resets then success, hanging reads bounded by timeout and budget,
malformed JSON, 401/403 never retried, the circuit breaker's full cycle, and the TTL cache.
Sources run in live mode with explicit base URLs (the two-process setup a user has with
``tradingagents sandbox serve``), a tmp_path cache and short timeouts.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_fixtures import (
    FAST_RESILIENCE,
    INSTANT,
    SEED,
    TRADE_DATE,
    configured,
    live_config,
)
from tradingagents.sandbox.server import SandboxServer
from tradingagents.sources import budget
from tradingagents.sources.errors import (
    DeadlineExceeded,
    InvalidCredentials,
    MalformedResponse,
    NoAccess,
    ServiceDown,
    TransientError,
)
from tradingagents.sources.http import clear_cache
from tradingagents.sources.hub import Sources


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    """This module's own emulator: its tests change knobs and read counters."""
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as emulator:
        yield emulator


@pytest.fixture
def hub_factory(server: SandboxServer, tmp_path: Path) -> Iterator[Callable[..., Sources]]:
    server.reset_counters()
    opened: list[Sources] = []

    def make(**changes: Any) -> Sources:
        hub = Sources.from_config(live_config(server, tmp_path, **changes), env={})
        opened.append(hub)
        return hub

    yield make
    for hub in opened:
        hub.close()


def served(server: SandboxServer, service: str, endpoint: str) -> dict[Any, int]:
    return server.counters().get(service, {}).get(endpoint, {})


@contextlib.contextmanager
def healed_after_first(
    server: SandboxServer, service: str, endpoint: str, status: Any
) -> Iterator[None]:
    """Switch ``service``'s faults off as soon as the emulator has served one ``status``."""
    done = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not done.is_set():
            if served(server, service, endpoint).get(status):
                server.configure(service, faults={"error_rate": 0.0, "reset_rate": 0.0})
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def symbols(server: SandboxServer, count: int) -> list[str]:
    return [company.symbol for company in server.market.companies[:count]]


def test_rate_limit_is_shared_and_held_under_eight_concurrent_callers(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    limit = {"per_second": 10}
    hub = hub_factory(sources={"finnhub": {"rate_limit": limit}})
    tickers = symbols(server, 24)
    errors: list[BaseException] = []

    def caller(mine: list[str]) -> None:
        try:
            for ticker in mine:
                assert hub.finnhub.quote(ticker) is not None
        except BaseException as exc:  # collected for the main thread's assertion
            errors.append(exc)

    with configured(server, "finnhub", rate_limit=limit):
        started = time.monotonic()
        threads = [threading.Thread(target=caller, args=(tickers[i::8],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

    assert errors == []
    assert served(server, "finnhub", "/quote") == {200: 24}, "the emulator refused a request"
    # 24 requests at 10/s: two full windows must pass; generous upper bound for a busy box.
    assert 2.0 <= elapsed < 8.0


def test_rate_limit_holds_when_requests_reach_the_server_after_varying_delays(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    # The emulator counts a request after its injected latency, like a server that is far
    # away or busy: a client that dates requests by when it let them go would open its next
    # window early and be refused.
    limit = {"per_second": 5}
    hub = hub_factory(sources={"finnhub": {"rate_limit": limit}})
    tickers = symbols(server, 15)
    latency = {"median_ms": 120, "sigma": 0.8, "max_ms": 400}
    with configured(server, "finnhub", rate_limit=limit, latency=latency):
        threads = [
            threading.Thread(target=lambda mine=tickers[i::8]: [hub.finnhub.quote(t) for t in mine])
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert served(server, "finnhub", "/quote") == {200: 15}


def test_429_with_retry_after_waits_that_long(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    with configured(server, "finnhub", rate_limit={"per_second": 1}, faults={"retry_after": 1}):
        first, second = symbols(server, 2)
        hub.finnhub.quote(first)
        started = time.monotonic()
        assert hub.finnhub.quote(second) is not None
        waited = time.monotonic() - started
    assert served(server, "finnhub", "/quote") == {200: 2, 429: 1}
    assert 0.9 <= waited < 3.0


def test_finnhub_429_without_retry_after_waits_for_the_reset(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    with configured(server, "finnhub", rate_limit={"per_second": 1}, faults={"retry_after": None}):
        first, second = symbols(server, 2)
        hub.finnhub.quote(first)
        assert hub.finnhub.quote(second) is not None
    assert served(server, "finnhub", "/quote") == {200: 2, 429: 1}


def test_reddit_429_without_retry_after_uses_x_ratelimit_reset(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    found: list[Any] = []
    with configured(server, "reddit", rate_limit={"per_second": 1}, faults={"retry_after": None}):
        hub.reddit.listing("wallstreetbets", "hot", limit=5)
        # Another thread has its own praw instance, whose prawcore has not seen the headers
        # yet, so it runs into the server's limit instead of sleeping before it.
        other = threading.Thread(target=lambda: found.extend(hub.reddit.listing("stocks")))
        other.start()
        other.join()
    assert found, "the retry after x-ratelimit-reset succeeded"
    assert any(429 in by_status for by_status in server.counters()["reddit"].values())


def test_5xx_then_success_is_retried_with_backoff(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    faults = {"error_rate": 1.0, "error_status": 502, "retry_after": None}
    with (
        configured(server, "finnhub", faults=faults),
        healed_after_first(server, "finnhub", "/quote", 502),
    ):
        assert hub.finnhub.quote("A") is not None
    counts = served(server, "finnhub", "/quote")
    assert counts[200] == 1 and 1 <= counts[502] < FAST_RESILIENCE["max_attempts"]


def test_persistent_5xx_gives_up_after_max_attempts(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    with (
        configured(server, "finnhub", faults={"error_rate": 1.0, "retry_after": None}),
        pytest.raises(TransientError, match="HTTP 503"),
    ):
        hub.finnhub.quote("A")
    assert served(server, "finnhub", "/quote") == {503: FAST_RESILIENCE["max_attempts"]}


def test_connection_reset_then_success(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    with (
        configured(server, "prices", faults={"reset_rate": 1.0}),
        healed_after_first(server, "prices", "/q/d/l/", "reset"),
    ):
        bars = hub.prices.daily_bars("A")
    assert len(bars) > 250
    assert served(server, "prices", "/q/d/l/")[200] == 1


def test_hanging_read_is_cut_by_the_timeout(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory(resilience={"max_attempts": 1}, sources={"reddit": {"timeout_seconds": 0.4}})
    with configured(server, "reddit", faults={"hang_rate": 1.0, "hang_seconds": 30}):
        started = time.monotonic()
        with pytest.raises(TransientError, match="timed out"):
            hub.reddit.listing("wallstreetbets")
        elapsed = time.monotonic() - started
    # praw alone would wait 16 s; the requestor applies the configured 0.4 s.
    assert elapsed < 2.0


def test_hanging_read_is_cut_by_the_scanner_budget(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory(sources={"finnhub": {"timeout_seconds": 30}})
    with configured(server, "finnhub", faults={"hang_rate": 1.0, "hang_seconds": 30}):
        started = time.monotonic()
        with budget.deadline(time.monotonic() + 0.5), pytest.raises(DeadlineExceeded):
            hub.finnhub.quote("A")
        elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert served(server, "finnhub", "/quote") == {"hang": 1}, "no retry once the budget is gone"


def test_malformed_json_is_a_typed_error_and_never_cached(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    with (
        configured(server, "finnhub", faults={"malformed_rate": 1.0}),
        pytest.raises(MalformedResponse, match="not valid JSON"),
    ):
        hub.finnhub.recommendation_trends("A")
    assert hub.finnhub.recommendation_trends("A"), "the cut-off answer must not be replayed"
    assert served(server, "finnhub", "/stock/recommendation") == {"malformed": 1, 200: 1}


def test_401_is_not_retried(server: SandboxServer, hub_factory: Callable[..., Sources]) -> None:
    hub = hub_factory()
    with (
        configured(server, "finnhub", valid_keys=["some-other-key"]),
        pytest.raises(InvalidCredentials, match="HTTP 401"),
    ):
        hub.finnhub.quote("A")
    assert served(server, "finnhub", "/quote") == {401: 1}


def test_403_premium_is_not_retried(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    with pytest.raises(NoAccess, match="HTTP 403"):
        hub.finnhub.upgrade_downgrade("A")
    assert served(server, "finnhub", "/stock/upgrade-downgrade") == {403: 1}


def test_breaker_opens_fails_fast_half_opens_and_closes(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory(resilience={"max_attempts": 1, "breaker_fail_max": 3})
    breaker = hub.finnhub.guard.breaker
    with configured(server, "finnhub", faults={"error_rate": 1.0, "retry_after": None}):
        for _ in range(3):
            with pytest.raises(TransientError):
                hub.finnhub.quote("A")
        assert breaker.current_state == "open"
        started = time.perf_counter()
        with pytest.raises(ServiceDown, match="circuit breaker open"):
            hub.finnhub.quote("A")
        assert time.perf_counter() - started < 0.05, "an open breaker must fail fast"
        assert served(server, "finnhub", "/quote") == {503: 3}, "open: nothing was sent"
    time.sleep(FAST_RESILIENCE["breaker_reset_seconds"] + 0.1)
    assert hub.finnhub.quote("A") is not None  # the half-open trial call succeeds
    assert breaker.current_state == "closed"


def test_breaker_ignores_client_errors(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory(resilience={"breaker_fail_max": 2})
    for _ in range(3):
        with pytest.raises(NoAccess):
            hub.finnhub.upgrade_downgrade("A")
    assert hub.finnhub.guard.breaker.current_state == "closed"


def test_cache_hit_avoids_the_network_and_expires_after_its_ttl(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    ttl = {"quote": 0.5, "news": 600, "calendar": 600, "reference": 600}
    hub = hub_factory(sources={"finnhub": {"cache_ttl": ttl}})
    first = hub.finnhub.quote("A")
    assert hub.finnhub.quote("A") == first
    assert served(server, "finnhub", "/quote") == {200: 1}
    time.sleep(0.6)
    hub.finnhub.quote("A")
    assert served(server, "finnhub", "/quote") == {200: 2}


def test_cache_persists_on_disk_across_runs(
    server: SandboxServer, hub_factory: Callable[..., Sources], tmp_path: Path
) -> None:
    hub_factory().finnhub.stock_symbols()
    second_run = hub_factory()
    assert second_run.finnhub.stock_symbols()
    assert served(server, "finnhub", "/stock/symbol") == {200: 1}
    assert (tmp_path / "finnhub.sqlite").is_file()
    second_run.close()
    assert tmp_path / "finnhub.sqlite" in clear_cache(tmp_path, ["finnhub"])
    hub_factory().finnhub.stock_symbols()
    assert served(server, "finnhub", "/stock/symbol") == {200: 2}, "cleared: fetched again"


def test_identical_concurrent_requests_go_out_once(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory()
    barrier = threading.Barrier(8)
    results: list[Any] = []

    def caller() -> None:
        barrier.wait()
        results.append(hub.finnhub.company_profile("A"))

    with configured(server, "finnhub", latency={"median_ms": 100, "sigma": 0}):
        threads = [threading.Thread(target=caller) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 8 and all(r == results[0] for r in results)
    assert served(server, "finnhub", "/stock/profile2") == {200: 1}


def test_waiting_for_a_rate_limit_slot_respects_the_budget(
    server: SandboxServer, hub_factory: Callable[..., Sources]
) -> None:
    hub = hub_factory(sources={"finnhub": {"rate_limit": {"per_minute": 1}}})
    first, second = symbols(server, 2)
    hub.finnhub.quote(first)
    started = time.monotonic()
    with budget.deadline(time.monotonic() + 0.3), pytest.raises(DeadlineExceeded, match="slot"):
        hub.finnhub.quote(second)
    assert time.monotonic() - started < 1.0
    assert served(server, "finnhub", "/quote") == {200: 1}


def test_config_is_not_mutated(server: SandboxServer, tmp_path: Path) -> None:
    config = live_config(server, tmp_path)
    before = copy.deepcopy(config)
    Sources.from_config(config, env={}).close()
    assert config == before
