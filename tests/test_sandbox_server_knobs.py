"""Every behaviour knob of the emulator, observed through real clients on real sockets."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import finnhub
import praw
import prawcore
import pytest
import requests

from tests.sandbox_fixtures import INSTANT, SEC_AGENT, SEED, TRADE_DATE, configured
from tradingagents.sandbox.knobs import KnobError, parse_services
from tradingagents.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    """A server of this module's own: the tests change its knobs."""
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as emulator:
        yield emulator


def finnhub_client(server: SandboxServer, key: str = "sandbox-key") -> finnhub.Client:
    client = finnhub.Client(api_key=key)
    client.API_URL = server.base_urls["finnhub"]
    client.DEFAULT_TIMEOUT = 5
    return client


def quote_url(server: SandboxServer) -> str:
    return f"{server.base_urls['finnhub']}/quote?symbol=A&token=k"


# -- latency ------------------------------------------------------------------------------

def test_latency_delays_answers_and_is_capped(server: SandboxServer) -> None:
    with configured(server, "finnhub", latency={"median_ms": 150, "sigma": 0.0}):
        started = time.perf_counter()
        requests.get(quote_url(server), timeout=5).raise_for_status()
        assert 0.14 <= time.perf_counter() - started < 1.5
    with configured(server, "finnhub", latency={"median_ms": 60_000, "sigma": 0.0,
                                                "max_ms": 100}):
        started = time.perf_counter()
        requests.get(quote_url(server), timeout=5).raise_for_status()
        assert 0.09 <= time.perf_counter() - started < 1.5


def test_latency_draws_repeat_with_the_seed() -> None:
    from tradingagents.sandbox.behaviour import Behaviour

    knobs = parse_services(None)["reddit"]
    first, second = Behaviour(SEED, "reddit", knobs), Behaviour(SEED, "reddit", knobs)
    draws = [first.latency_seconds() for _ in range(50)]
    assert draws == [second.latency_seconds() for _ in range(50)]
    assert max(draws) <= knobs.latency.max_ms / 1000 and min(draws) > 0
    assert Behaviour(SEED + 1, "reddit", knobs).latency_seconds() != draws[0]


# -- rate limits --------------------------------------------------------------------------

def test_finnhub_burst_and_minute_limits(server: SandboxServer) -> None:
    with configured(server, "finnhub", rate_limit={"per_second": 30, "per_minute": 60}), \
            requests.Session() as session:
        burst = [session.get(quote_url(server), timeout=5) for _ in range(31)]
        assert [r.status_code for r in burst] == [200] * 30 + [429]
        limited = burst[-1]
        assert limited.json() == {
            "error": "API limit reached. Please try again later. Remaining Limit: 0"
        }
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert limited.headers["x-ratelimit-limit"] == "60"
        assert int(limited.headers["x-ratelimit-reset"]) <= time.time() + 2
        assert limited.headers["Retry-After"] == "1"
        assert int(burst[0].headers["x-ratelimit-remaining"]) == 59
        time.sleep(1.05)
        minute = [session.get(quote_url(server), timeout=5) for _ in range(31)]
        assert [r.status_code for r in minute] == [200] * 30 + [429]
        # Both windows are full now: the client must wait for the minute window.
        assert int(minute[-1].headers["x-ratelimit-reset"]) >= time.time() + 50
    with pytest.raises(finnhub.FinnhubAPIException) as caught, \
            configured(server, "finnhub", rate_limit={"per_minute": 1}):
        client = finnhub_client(server)
        client.quote("A")
        client.quote("A")
    assert caught.value.status_code == 429


def reddit_listing(server: SandboxServer) -> requests.Response:
    token = requests.post(f"{server.url}/api/v1/access_token",
                          data={"grant_type": "client_credentials"}, auth=("app", "secret"),
                          timeout=5).json()["access_token"]
    return requests.get(f"{server.url}/r/stocks/new",
                        headers={"Authorization": f"bearer {token}"}, timeout=5)


@pytest.mark.parametrize("retry_after", [2, None])
def test_reddit_429_with_and_without_retry_after(
    server: SandboxServer, retry_after: int | None
) -> None:
    with configured(server, "reddit", rate_limit={"per_minute": 2},
                    faults={"retry_after": retry_after}):
        answers = [reddit_listing(server) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        limited = answers[-1]
        assert limited.json() == {"message": "Too Many Requests", "error": 429}
        assert limited.headers["x-ratelimit-remaining"] == "0.0"
        assert limited.headers["x-ratelimit-used"] == "2"
        assert 0 < int(limited.headers["x-ratelimit-reset"]) <= 60
        assert limited.headers.get("Retry-After") == (None if retry_after is None else "2")
        # A client that never saw the budget run out learns it from a 429.
        url = server.base_urls["reddit"]
        reddit = praw.Reddit(client_id="other-app", client_secret="s", user_agent="t/1",
                             check_for_updates=False, oauth_url=url, reddit_url=url)
        with pytest.raises(prawcore.exceptions.TooManyRequests) as caught:
            next(iter(reddit.subreddit("stocks").new(limit=1)))
        assert caught.value.retry_after == (None if retry_after is None else "2")


def test_alpha_vantage_limits_answer_200_with_note_or_information(server: SandboxServer) -> None:
    def call() -> requests.Response:
        return requests.get(f"{server.url}/query", timeout=5, params={
            "function": "GLOBAL_QUOTE", "symbol": "A", "apikey": "k"})

    with configured(server, "alpha_vantage", rate_limit={"per_minute": 2}):
        answers = [call() for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert "Global Quote" in answers[1].json()
        assert "2 calls per minute" in answers[2].json()["Note"]
    with configured(server, "alpha_vantage", rate_limit={"per_day": 1}):
        call()
        assert "1 requests per day" in call().json()["Information"]
    with configured(server, "alpha_vantage", rate_limit={"per_second": 1}):
        call()
        assert "1 request per second" in call().json()["Information"]


def test_sec_over_the_limit_is_403(server: SandboxServer) -> None:
    url = f"{server.url}/files/company_tickers.json"
    with configured(server, "sec", rate_limit={"per_second": 2}):
        answers = [requests.get(url, headers=SEC_AGENT, timeout=5) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 403]
    assert "Request Rate Threshold Exceeded" in answers[2].text


def test_stooq_over_the_limit_says_so(server: SandboxServer) -> None:
    url = f"{server.url}/q/d/l/?s=a.us&i=d"
    with configured(server, "prices", rate_limit={"per_day": 1}):
        assert requests.get(url, timeout=5).text.startswith("Date,")
        second = requests.get(url, timeout=5)
    assert second.status_code == 200 and second.text == "Exceeded the daily hits limit"


# -- faults -------------------------------------------------------------------------------

def test_error_rate_answers_the_configured_5xx(server: SandboxServer) -> None:
    with configured(server, "finnhub", faults={"error_rate": 1.0, "error_status": 502}):
        with pytest.raises(finnhub.FinnhubAPIException) as caught:
            finnhub_client(server).quote("A")
        assert caught.value.status_code == 502
        assert "Retry-After" not in caught.value.response.headers
    with configured(server, "finnhub", faults={"error_rate": 1.0, "error_status": 503}):
        answer = requests.get(quote_url(server), timeout=5)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"


def test_error_rate_is_a_rate_and_repeats_with_the_seed(server: SandboxServer) -> None:
    def statuses() -> list[int]:
        with configured(server, "prices", faults={"error_rate": 0.3}), \
                requests.Session() as session:
            return [session.get(f"{server.url}/q/d/l/?s=a.us&i=d", timeout=5).status_code
                    for _ in range(200)]

    first = statuses()
    assert 30 <= first.count(503) <= 90
    assert statuses() == first, "same seed, same request order: same faults"


def test_reset_closes_the_connection_without_an_answer(server: SandboxServer) -> None:
    server.reset_counters()
    with configured(server, "sec", faults={"reset_rate": 1.0}), \
            pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{server.url}/files/company_tickers.json", headers=SEC_AGENT, timeout=5)
    assert server.counters()["sec"]["/files/company_tickers.json"] == {"reset": 1}


def test_hang_sends_headers_then_stalls_until_hang_seconds(server: SandboxServer) -> None:
    server.reset_counters()
    with configured(server, "alpha_vantage", faults={"hang_rate": 1.0, "hang_seconds": 30}):
        started = time.perf_counter()
        # The headers arrive, so requests reports the stalled body read as a ConnectionError
        # wrapping a ReadTimeoutError (not as requests.Timeout).
        with pytest.raises(requests.exceptions.ConnectionError, match="timed out"):
            requests.get(f"{server.url}/query?function=GLOBAL_QUOTE&symbol=A&apikey=k",
                         timeout=0.3)
        assert time.perf_counter() - started < 2
    # After hang_seconds the server closes the connection: the body is cut short.
    with configured(server, "alpha_vantage", faults={"hang_rate": 1.0, "hang_seconds": 0.2}), \
            pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{server.url}/query?function=GLOBAL_QUOTE&symbol=A&apikey=k", timeout=5)
    assert server.counters()["alpha_vantage"]["/query?function=GLOBAL_QUOTE"] == {"hang": 2}


def test_malformed_json_is_a_truncated_200(server: SandboxServer) -> None:
    with configured(server, "finnhub", faults={"malformed_rate": 1.0}):
        answer = requests.get(quote_url(server), timeout=5)
        assert answer.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(answer.text)
        with pytest.raises(finnhub.FinnhubRequestException):
            finnhub_client(server).quote("A")


# -- keys ---------------------------------------------------------------------------------

def test_valid_keys_refuse_other_keys(server: SandboxServer) -> None:
    with configured(server, "finnhub", valid_keys=["good"]):
        assert finnhub_client(server, "good").quote("A")["c"] > 0
        with pytest.raises(finnhub.FinnhubAPIException) as caught:
            finnhub_client(server, "bad").quote("A")
        assert caught.value.status_code == 401 and caught.value.message == "Invalid API key."
    with configured(server, "alpha_vantage", valid_keys=["good"]):
        refused = requests.get(f"{server.url}/query", timeout=5, params={
            "function": "GLOBAL_QUOTE", "symbol": "A", "apikey": "bad"})
        assert refused.status_code == 200 and "apikey" in refused.json()["Error Message"]
    with configured(server, "reddit", valid_keys=["good-app"]):
        url = server.base_urls["reddit"]
        reddit = praw.Reddit(client_id="bad-app", client_secret="s", user_agent="t/1",
                             check_for_updates=False, oauth_url=url, reddit_url=url)
        with pytest.raises(prawcore.exceptions.ResponseException) as refusal:
            next(iter(reddit.subreddit("stocks").new(limit=1)))
        assert refusal.value.response.status_code == 401


# -- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("services", "message"), [
    ({"finhub": {}}, "unknown sandbox service 'finhub'"),
    ({"finnhub": {"latency": {"median": 5}}}, "unknown knob 'median'"),
    ({"reddit": {"faults": {"eror_rate": 0.1}}}, "unknown knob 'eror_rate'"),
    ({"sec": {"faults": {"error_rate": 0.6, "reset_rate": 0.6}}}, "must not exceed 1"),
    ({"sec": {"faults": {"error_status": 404}}}, "sec.faults.error_status"),
    ({"prices": {"valid_keys": ["k"]}}, "prices has no API key"),
    ({"finnhub": {"rate_limit": {}}}, "needs per_second, per_minute or per_day"),
    ({"finnhub": {"latency": {"median_ms": -1}}}, "finnhub.latency.median_ms"),
])
def test_bad_knobs_are_named(services: dict[str, object], message: str) -> None:
    with pytest.raises(KnobError, match=message.replace(".", r"\.")):
        SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=services)


def test_configure_validates_and_keeps_the_old_knobs(server: SandboxServer) -> None:
    before = server.knobs("finnhub")
    with pytest.raises(KnobError, match="unknown knob 'speed'"):
        server.configure("finnhub", speed=3)
    with pytest.raises(ValueError, match="unknown sandbox service 'bloomberg'"):
        server.configure("bloomberg", latency={"median_ms": 0})
    assert server.knobs("finnhub") == before


def test_defaults_are_realistic_and_generous() -> None:
    knobs = parse_services({"finnhub": {"latency": {"median_ms": 0}}})
    assert knobs["finnhub"].latency.median_ms == 0 and knobs["finnhub"].latency.sigma == 0.5
    assert knobs["reddit"].latency.median_ms == 250 and knobs["sec"].latency.median_ms == 80
    assert all(k.rate_limit is None and k.faults.error_rate == 0 for k in knobs.values())
