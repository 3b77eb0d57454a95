"""Config errors never echo a pasted key, and stay readable however broken the config is."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
from tradingagents.config import ConfigError, load_config
from tradingagents.default_config import DEFAULT_CONFIG
from tradingagents.discovery import SCANNER_REGISTRY
from tradingagents.sources.hub import Sources

# Looks like a real key: 40 characters, none of them a word an error message would contain.
PASTED = "LEAKc9f3a1b2d4e5f6a7b8c9d0e1f2a3b4c5d6e7"
ENV_KEY = "ENVKq8w7e6r5t4y3u2i1o0p9a8s7d6f5"
BUILTIN = [
    cls
    for cls in SCANNER_REGISTRY.classes()
    if cls.__module__.startswith("tradingagents.scanners.builtin.")
]


def _leaves(section: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(section, dict) and section:
        for key, value in section.items():
            yield from _leaves(value, (*path, key))
    else:
        yield path


def _with(config: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    config = copy.deepcopy(config)
    section = config
    for key in path[:-1]:
        section = section.setdefault(key, {})
    section[path[-1]] = value
    return config


# Every field of every section, plus the nested places a key can land in.
WRONG_PLACES = [
    *_leaves(DEFAULT_CONFIG),
    ("discovery", "ranking", "strategy_weights", "momentum"),
    ("discovery", "universe", "symbols"),
    ("data", "sandbox", "services", "finnhub", "latency", "median_ms"),
    ("data", "sandbox", "services", "reddit", "faults", "error_rate"),
    ("data", "sandbox", "services", "alpha_vantage", "valid_keys"),
    ("data", "sources", "finnhub", "rate_limit", "per_hour"),
    *[("discovery", "scanners", cls.name, "limit") for cls in BUILTIN],
    *[
        ("discovery", "scanners", cls.name, param)
        for cls in BUILTIN
        for param, declared in cls.params.items()
        if declared.type is not str
    ],
]


def _error_text(config: dict[str, Any]) -> str | None:
    try:
        load_config(config, BUILTIN)
    except ConfigError as exc:
        return f"{exc}\n{exc.problems!r}"
    return None


@pytest.mark.parametrize(
    "configured",
    [
        pytest.param({}, id="key-only-in-the-wrong-field"),
        pytest.param(
            {"data": {"sources": {"finnhub": {"api_key": PASTED}}}}, id="same-key-configured"
        ),
    ],
)
def test_a_key_in_a_wrong_typed_field_is_never_echoed(configured: dict[str, Any]) -> None:
    errors = 0
    for path in WRONG_PLACES:
        value: Any = [PASTED] if path[-1] in ("symbols", "valid_keys") else PASTED
        text = _error_text(_with(configured, path, value))
        if text is None:
            continue  # a string is a valid value there (api_key, cache_dir, ...)
        errors += 1
        assert PASTED not in text, ".".join(path)
        assert PASTED[:12] not in text, ".".join(path)
    assert errors >= 50  # the test really exercised most fields


def test_an_environment_key_is_scrubbed_from_config_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALPHA_VANTAGE_API_KEY", ENV_KEY)
    for path in [("discovery", "universe", "symbols"), ("data", "sources", "sec", "base_url")]:
        value: Any = [ENV_KEY] if path[-1] == "symbols" else ENV_KEY
        text = _error_text(_with({}, path, value))
        assert text is not None
        assert ENV_KEY not in text


def test_a_long_string_is_described_and_a_short_one_shown() -> None:
    text = _error_text({"data": {"sources": {"finnhub": {"timeout_seconds": PASTED}}}})
    assert text is not None
    assert "data.sources.finnhub.timeout_seconds: Input should be a valid number" in text
    assert "(got a 40-character string)" in text
    short = _error_text({"discovery": {"scanner_execution": {"max_workers": "8"}}})
    assert short is not None
    assert "(got '8')" in short
    huge = _error_text({"discovery": {"scanner_execution": {"max_workers": 10**5000}}})
    assert huge is not None
    assert "(got a number of about 5001 digits)" in huge


@pytest.mark.timeout(90)
def test_three_hundred_thousand_unknown_keys_give_a_bounded_error() -> None:
    many = {f"key_{i}": i for i in range(300_000)}
    with pytest.raises(ConfigError) as caught:
        load_config({"discovery": {"filter": many}}, BUILTIN)
    message = str(caught.value)
    assert len(message.splitlines()) <= 30
    assert len(message) < 5_000
    assert "300,000 problems" in message
    assert "discovery.filter.key_0: unknown key" in message
    assert len(caught.value.problems) == 300_000


def test_one_huge_reason_is_cut_short() -> None:
    knobs = {f"knob_{i}": 1 for i in range(10_000)}
    with pytest.raises(ConfigError) as caught:
        load_config({"data": {"sandbox": {"services": {"finnhub": knobs}}}}, BUILTIN)
    assert len(str(caught.value)) < 5_000
    assert "data.sandbox.services" in str(caught.value)


def test_the_hub_refuses_a_bad_data_section_with_the_same_safe_error() -> None:
    with pytest.raises(ConfigError) as caught:
        Sources.from_config({"data": {"sources": {"finnhub": {"timeout_seconds": PASTED}}}})
    assert "data.sources.finnhub.timeout_seconds" in str(caught.value)
    assert PASTED not in str(caught.value)
    with pytest.raises(ConfigError, match=r"data\.sources\.prices\.local_dir"):
        Sources.from_config({"data": {"sources": {"prices": {"local_dir": "/tmp"}}}})
