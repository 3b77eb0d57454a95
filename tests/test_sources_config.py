"""The ``data`` config schema, key resolution per mode, and the pure helpers of the layer."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest
from pydantic import ValidationError
from pyrate_limiter import Rate

from tradingagents.default_config import default_config
from tradingagents.sources.classify import parse_retry_after
from tradingagents.sources.config import RateLimit
from tradingagents.sources.credentials import resolve_access
from tradingagents.sources.errors import MissingCredentials, SourceUnavailable
from tradingagents.sources.http import binding_rates, build_limiter
from tradingagents.sources.hub import Sources
from tradingagents.sources.redaction import scrub
from tradingagents.sources.specs import data_model, load_data_config, source_spec

ALL_KEYS = {
    "FINNHUB_API_KEY": "env-finnhub-key-1",
    "REDDIT_CLIENT_ID": "env-reddit-id-1",
    "REDDIT_CLIENT_SECRET": "env-reddit-secret-1",
    "REDDIT_USER_AGENT": "tests/0.1 by someone",
    "ALPHA_VANTAGE_API_KEY": "env-av-key-1",
    "SEC_USER_AGENT": "Jane Doe jane@example.com",
}


def _errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        data_model().model_validate(data)
    return [(error["loc"], error["type"]) for error in caught.value.errors()]


def test_the_default_data_section_validates() -> None:
    data = data_model().model_validate(default_config()["data"])
    assert data.mode == "sandbox"
    assert data.sources.finnhub.rate_limit == RateLimit(per_second=30, per_minute=60)
    assert data.sources.finnhub.base_url == "https://finnhub.io/api/v1"


def test_unknown_keys_are_rejected_with_their_path() -> None:
    data = default_config()["data"]
    data["sources"]["finnhub"]["cache_ttl"]["quotes"] = 5
    data["sources"]["finnhub"]["apikey"] = "x"
    locs = {loc for loc, kind in _errors(data) if kind == "extra_forbidden"}
    assert locs == {
        ("sources", "finnhub", "cache_ttl", "quotes"),
        ("sources", "finnhub", "apikey"),
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("mode",), "offline"),
        (("sources", "finnhub", "timeout_seconds"), "10"),
        (("sources", "finnhub", "timeout_seconds"), 0),
        (("sources", "reddit", "rate_limit", "per_minute"), True),
        (("sources", "sec", "base_url"), "www.sec.gov"),
        (("sources", "prices", "cache_ttl", "daily"), -1),
        (("sandbox", "seed"), "7"),
        (("resilience", "max_attempts"), 0),
    ],
)
def test_bad_values_are_rejected_at_their_path(path: tuple[str, ...], value: Any) -> None:
    data = default_config()["data"]
    *parents, last = path
    section = data
    for key in parents:
        section = section[key]
    section[last] = value
    assert any(loc[: len(path)] == path for loc, _ in _errors(data))


def test_unknown_sandbox_knobs_are_rejected_by_name() -> None:
    data = default_config()["data"]
    data["sandbox"]["services"] = {"finnhub": {"faults": {"eror_rate": 0.5}}}
    with pytest.raises(ValidationError, match="unknown knob 'eror_rate'") as caught:
        data_model().model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("sandbox", "services")


def test_an_empty_rate_limit_is_rejected() -> None:
    data = default_config()["data"]
    data["sources"]["prices"]["rate_limit"] = {}
    assert _errors(data)[0][0] == ("sources", "prices", "rate_limit")


def test_partial_sections_are_filled_from_the_defaults() -> None:
    data = load_data_config({"sources": {"finnhub": {"api_key": "k"}}})
    assert data.sources.finnhub.api_key == "k"
    assert data.sources.finnhub.cache_ttl.quote == 15


def test_sandbox_mode_uses_fake_keys_for_every_source() -> None:
    access = resolve_access(load_data_config({"mode": "sandbox"}), env=ALL_KEYS)
    assert {name: a.mode for name, a in access.items()} == dict.fromkeys(access, "sandbox")
    assert access["finnhub"].credentials == source_spec("finnhub").sandbox_credentials()


def test_live_mode_without_keys_names_the_missing_variables() -> None:
    access = resolve_access(load_data_config({"mode": "live"}), env={})
    assert access["finnhub"].unavailable_reason == "FINNHUB_API_KEY is not set"
    assert access["reddit"].unavailable_reason == (
        "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET and REDDIT_USER_AGENT are not set"
    )
    assert access["sec"].unavailable_reason == "SEC_USER_AGENT is not set"
    assert access["prices"].unavailable_reason is None
    with pytest.raises(MissingCredentials, match="FINNHUB_API_KEY is not set") as caught:
        access["finnhub"].require()
    assert isinstance(caught.value, SourceUnavailable)


def test_config_keys_win_over_the_environment_and_all_are_redacted() -> None:
    data = load_data_config({"mode": "live", "sources": {"finnhub": {"api_key": "cfg-key-123"}}})
    access = resolve_access(data, env=ALL_KEYS)
    assert access["finnhub"].credentials == {"api_key": "cfg-key-123"}
    assert access["alpha_vantage"].credentials == {"api_key": "env-av-key-1"}
    text = "cfg-key-123 env-av-key-1 env-reddit-id-1 env-reddit-secret-1"
    assert scrub(text) == "*** *** *** ***"


def test_auto_mode_is_live_exactly_where_a_key_is_present() -> None:
    env = {"FINNHUB_API_KEY": "k1-auto", "SEC_USER_AGENT": "Jane jane@example.com"}
    access = resolve_access(load_data_config({"mode": "auto"}), env=env)
    modes = {name: a.mode for name, a in access.items()}
    assert modes == {
        "finnhub": "live",
        "reddit": "sandbox",
        "alpha_vantage": "sandbox",
        "sec": "live",
        "prices": "live",
        "massive": "sandbox",
    }
    nothing = resolve_access(load_data_config({"mode": "auto"}), env={})
    assert {a.mode for a in nothing.values()} == {"sandbox"}


def test_a_hub_in_live_mode_without_keys_reports_sources_unavailable() -> None:
    with Sources.from_config({"data": {"mode": "live"}}, env={}) as hub:
        assert hub.sandbox is None
        assert hub.availability()["finnhub"] == "FINNHUB_API_KEY is not set"
        with pytest.raises(MissingCredentials, match="finnhub: FINNHUB_API_KEY is not set"):
            hub.finnhub.quote("AAPL")
        assert hub.prices.name == "prices"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), (" 0.5 ", 0.5), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_retry_after_delta_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    now = time.time()
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0


def _windows(rates: list[Rate]) -> list[tuple[int, int]]:
    return [(rate.limit, rate.interval) for rate in rates]


def test_rate_windows_that_can_never_bind_are_dropped() -> None:
    # The default 30/s merged under a user's 1/min would otherwise be refused by pyrate-limiter.
    assert _windows(binding_rates([Rate(30, 1000), Rate(1, 60_000)])) == [(1, 60_000)]
    both = [Rate(30, 1000), Rate(60, 60_000)]
    assert _windows(binding_rates(both)) == [(30, 1000), (60, 60_000)]
    assert _windows(binding_rates([Rate(1, 1000), Rate(100, 60_000)])) == [(1, 1000)]
    limiter = build_limiter(RateLimit(per_second=30, per_minute=1))
    assert limiter is not None
    assert [_windows(bucket.rates) for bucket in limiter.buckets()] == [[(1, 60_000)]]
    half = build_limiter(RateLimit(per_second=0.5))
    assert half is not None
    assert [_windows(bucket.rates) for bucket in half.buckets()] == [[(1, 2000)]]
