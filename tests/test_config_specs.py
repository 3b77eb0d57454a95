"""One spec per data source: config, credentials, the hub and the sandbox all follow it.

``tests/tiny_source.py`` is a complete extra source (config model, client, emulator service);
registering its spec and its default section is all it takes for everything to pick it up.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import tiny_source
from tradingagents.config import ConfigError, load_config
from tradingagents.default_config import DEFAULT_CONFIG
from tradingagents.sources.credentials import resolve_access
from tradingagents.sources.hub import Sources
from tradingagents.sources.redaction import scrub
from tradingagents.sources.specs import (
    SOURCE_SPECS,
    load_data_config,
    register_source,
    source_names,
    source_spec,
)

BUILTIN_SCANNERS = list(DEFAULT_CONFIG["discovery"]["scanners"])


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(SOURCE_SPECS, tiny_source.NAME, tiny_source.SPEC)
    monkeypatch.setitem(
        DEFAULT_CONFIG["data"]["sources"], tiny_source.NAME, copy.deepcopy(tiny_source.DEFAULTS)
    )
    monkeypatch.delenv("TINY_API_KEY", raising=False)
    yield


def _problems(config: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_config(config, [], unloadable=BUILTIN_SCANNERS)
    return dict(caught.value.problems)


def test_config_validation_picks_up_a_registered_source(tiny: None) -> None:
    settings = load_config(
        {"data": {"sources": {"tiny": {"api_key": "cfg-tiny-key"}}}},
        [],
        unloadable=BUILTIN_SCANNERS,
    )
    assert settings.raw["data"]["sources"]["tiny"]["rate_limit"] == {"per_second": 50}
    problems = _problems(
        {"data": {"sources": {"tiny": {"timeout_seconds": 0, "cache_ttl": {"greting": 5}}}}}
    )
    assert "greater than 0" in problems["data.sources.tiny.timeout_seconds"]
    assert "did you mean 'greeting'?" in problems["data.sources.tiny.cache_ttl.greting"]
    # The emulator's knobs know the new service too (it takes a key, so valid_keys applies).
    load_config(
        {"data": {"sandbox": {"services": {"tiny": {"valid_keys": ["k1"]}}}}},
        [],
        unloadable=BUILTIN_SCANNERS,
    )


def test_an_unregistered_source_is_an_unknown_key() -> None:
    problems = _problems({"data": {"sources": {"tiny": {}}}})
    assert problems["data.sources.tiny"] == "unknown key"
    problems = _problems({"data": {"sandbox": {"services": {"tiny": {}}}}})
    assert "unknown sandbox service 'tiny'" in problems["data.sandbox.services"]


def test_credentials_pick_up_a_registered_source(tiny: None) -> None:
    live = resolve_access(load_data_config({"mode": "live"}), env={})
    assert live["tiny"].unavailable_reason == "TINY_API_KEY is not set"
    keyed = resolve_access(load_data_config({"mode": "live"}), env={"TINY_API_KEY": "env-tiny-7"})
    assert keyed["tiny"].credentials == {"api_key": "env-tiny-7"}
    assert scrub("key env-tiny-7") == "key ***"
    sandbox = resolve_access(load_data_config({"mode": "sandbox"}), env={})
    assert sandbox["tiny"].credentials == {"api_key": "sandbox-tiny-key"}
    auto = resolve_access(load_data_config({"mode": "auto"}), env={"TINY_API_KEY": "env-tiny-7"})
    assert {name: access.mode for name, access in auto.items()} == {
        "reddit": "sandbox",
        "finnhub": "sandbox",
        "alpha_vantage": "sandbox",
        "sec": "sandbox",
        "prices": "live",  # a keyed source is live, so the real price server is used
        "massive": "sandbox",
        "tiny": "live",
    }


@pytest.mark.timeout(60)
def test_the_hub_and_the_sandbox_serve_a_registered_source(tiny: None) -> None:
    config = {"data": {"sandbox": {"services": {"tiny": {"valid_keys": ["sandbox-tiny-key"]}}}}}
    with Sources.from_config(config, trade_date="2026-11-24") as hub:
        assert hub.sandbox is not None
        assert hub.modes["tiny"] == "sandbox"
        assert hub.sandbox.base_urls["tiny"] == f"{hub.sandbox.url}/tiny/v1"
        symbol = hub.sandbox.market.companies[0].symbol
        assert hub.source("tiny").hello(symbol) == f"hello {symbol}"
        assert hub.source("tiny").hello(symbol) == f"hello {symbol}"  # the second is cached
        assert hub.sandbox.counters()["tiny"] == {"/hello": {200: 1}}
        assert hub.sandbox.knobs("tiny").latency.median_ms == 0.0


def test_register_source_needs_a_new_name_and_a_default_section(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValueError, match=r"'tiny' has no defaults: add its section"):
        register_source(tiny_source.SPEC)
    monkeypatch.setitem(
        DEFAULT_CONFIG["data"]["sources"], tiny_source.NAME, copy.deepcopy(tiny_source.DEFAULTS)
    )
    monkeypatch.setattr("tradingagents.sources.specs.SOURCE_SPECS", dict(SOURCE_SPECS))
    from tradingagents.sources import specs

    register_source(tiny_source.SPEC)
    assert specs.SOURCE_SPECS["tiny"] is tiny_source.SPEC
    with pytest.raises(ValueError, match="'tiny' is already registered"):
        register_source(tiny_source.SPEC)
    assert "tiny" not in SOURCE_SPECS  # the module's registry was a copy for this test


def test_the_builtin_sources_are_exactly_the_specs() -> None:
    names = set(source_names())
    assert names == set(DEFAULT_CONFIG["data"]["sources"])
    finnhub = source_spec("finnhub")
    assert finnhub.defaults["rate_limit"] == {"per_second": 30, "per_minute": 60}
    assert finnhub.defaults["cache_ttl"]["quote"] == 15
    assert [key.env for key in finnhub.keys] == ["FINNHUB_API_KEY"]
    with Sources.from_config({"data": {"mode": "live"}}, env={}) as hub:
        assert set(hub.modes) == names
    data = load_data_config(None)
    assert set(type(data.sources).model_fields) == names


@pytest.mark.timeout(60)
def test_a_live_mode_graph_never_loads_the_sandbox() -> None:
    code = textwrap.dedent(
        """
        import sys
        from tradingagents.graph.discovery_graph import DiscoveryGraph

        DiscoveryGraph({"data": {"mode": "live"}})
        loaded = sorted(m for m in sys.modules if m.startswith("tradingagents.sandbox"))
        print(loaded)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
        cwd=Path(__file__).resolve().parents[1],  # this checkout, not an installed copy
    )
    assert done.returncode == 0, done.stderr
    assert "tradingagents.sandbox.knobs" not in done.stdout
    assert done.stdout.strip() == "[]"
