"""Plain helpers shared by the sandbox and source tests: constants, sandbox and live-mode
configs, knob changes, paths of the real captures (../shared/fixtures), shape comparison.

Not a test module and holds no pytest fixtures: those live in conftest.py. Test modules
import from here, never from one another.
"""

from __future__ import annotations

import contextlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tradingagents.sandbox.knobs import SERVICE_NAMES
from tradingagents.sandbox.server import SandboxServer

TRADE_DATE = "2026-11-24"
SEED = 7
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
SEC_AGENT = {"User-Agent": "Sandbox Tests tests@example.com"}
# Zero latency everywhere: tests that are about latency switch it on themselves.
INSTANT: dict[str, Any] = {name: {"latency": {"median_ms": 0}} for name in SERVICE_NAMES}


def fixture_path(*parts: str) -> Path:
    """A file under ../shared/fixtures, or skip the test when the folder is absent."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real captures not available: {path} is missing (../shared is absent)")
    return path


def load_fixture_json(*parts: str) -> Any:
    return json.loads(fixture_path(*parts).read_text(encoding="utf-8"))


def sandbox_data(seed: int = SEED) -> dict[str, Any]:
    """A config's ``data`` section: every source on the in-process sandbox, zero latency."""
    return {
        "mode": "sandbox",
        "sandbox": {
            "seed": seed,
            "services": {name: {"latency": {"median_ms": 0}} for name in SERVICE_NAMES},
        },
    }


# -- live mode pointed at an emulator -------------------------------------------------------

FAST_RESILIENCE = {
    "max_attempts": 3,
    "backoff_max_seconds": 0.1,
    "max_retry_after_seconds": 5,
    "max_wait_seconds": 5,
    "breaker_fail_max": 50,
    "breaker_reset_seconds": 0.5,
}
KEYS = {
    "finnhub": {"api_key": "test-finnhub-key"},
    "reddit": {
        "client_id": "test-reddit-id",
        "client_secret": "test-reddit-secret",
        "user_agent": "tradingagents-tests/0.1",
    },
    "alpha_vantage": {"api_key": "test-av-key"},
    "sec": {"user_agent": "Tradingagents Tests tests@example.com"},
    "prices": {},
    "massive": {"api_key": "test-massive-key"},
}


def live_config(
    server: SandboxServer,
    cache_dir: Path,
    *,
    resilience: dict[str, Any] | None = None,
    sources: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Live mode pointed at ``server``: unlimited client rate, 1 s timeouts, fast retries."""
    urls = server.base_urls
    sections: dict[str, dict[str, Any]] = {
        name: {"base_url": urls[name], "rate_limit": None, "timeout_seconds": 1.0, **KEYS[name]}
        for name in urls
    }
    sections["reddit"]["oauth_url"] = urls["reddit"]
    sections["sec"]["data_url"] = urls["sec"]
    for name, changes in (sources or {}).items():
        sections[name].update(changes)
    return {
        "data": {
            "mode": "live",
            "cache_dir": str(cache_dir),
            "resilience": {**FAST_RESILIENCE, **(resilience or {})},
            "sources": sections,
        }
    }


@contextlib.contextmanager
def configured(server: SandboxServer, service: str, **knobs: Any) -> Iterator[None]:
    """Apply knobs for the duration of a block, then restore the service's previous knobs."""
    previous = server.knobs(service).model_dump()
    server.configure(service, **knobs)
    try:
        yield
    finally:
        server.configure(service, **previous)


# -- shapes -------------------------------------------------------------------------------

def kind(value: Any) -> str:
    """The JSON type of `value`, with int and float both "number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def assert_same_shape(real: Any, ours: Any, path: str = "$") -> None:
    """Same keys at every level and compatible types (null matches anything).

    Arrays are compared element-wise against the real capture's first element, so every
    element the emulator sends must look like a real one.
    """
    if real is None or ours is None:
        return
    assert kind(real) == kind(ours), f"{path}: real is {kind(real)}, emulator sends {kind(ours)}"
    if isinstance(real, dict):
        missing = sorted(set(real) - set(ours))
        extra = sorted(set(ours) - set(real))
        assert not missing and not extra, (
            f"{path}: missing keys {missing[:10]}, extra keys {extra[:10]}"
        )
        for key in real:
            assert_same_shape(real[key], ours[key], f"{path}.{key}")
    elif isinstance(real, list) and real and ours:
        for index, item in enumerate(ours):
            assert_same_shape(real[0], item, f"{path}[{index}]")


def parse_form4(xml_text: str) -> list[dict[str, str]]:
    """The non-derivative transactions of a Form 4 ownershipDocument, as a scanner reads them."""
    root = ET.fromstring(xml_text)
    owner = root.findtext("reportingOwner/reportingOwnerId/rptOwnerName") or ""
    return [
        {
            "owner": owner,
            "symbol": root.findtext("issuer/issuerTradingSymbol") or "",
            "date": node.findtext("transactionDate/value") or "",
            "code": node.findtext("transactionCoding/transactionCode") or "",
            "shares": node.findtext("transactionAmounts/transactionShares/value") or "",
            "price": node.findtext("transactionAmounts/transactionPricePerShare/value") or "",
            "ad": node.findtext(
                "transactionAmounts/transactionAcquiredDisposedCode/value") or "",
        }
        for node in root.iter("nonDerivativeTransaction")
    ]
