"""Keys never leak: not into log lines (DEBUG included), exceptions, results or the cache.

Every source runs with recognisable fake keys against the emulator, through successes and
the failures that produce the most text (401, 5xx retries, resets, hangs, garbage); then
everything the run produced is searched for the key values.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_fixtures import INSTANT, SEED, TRADE_DATE, configured, live_config
from tradingagents.sandbox.server import SandboxServer
from tradingagents.sources.errors import SourceError
from tradingagents.sources.hub import Sources

FINNHUB_KEY = "fh-LEAKCHECK-7f3a9c2e51"
AV_KEY = "av-LEAKCHECK-0b8d4e6a27"
REDDIT_ID = "rid-LEAKCHECK-55c1"
REDDIT_SECRET = "rsec-LEAKCHECK-91aa3f"
SECRETS = (FINNHUB_KEY, AV_KEY, REDDIT_ID, REDDIT_SECRET)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as emulator:
        yield emulator


def test_keys_never_reach_logs_exceptions_results_or_the_cache(
    server: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = live_config(
        server,
        tmp_path,
        resilience={"max_attempts": 2},
        sources={
            "finnhub": {"api_key": FINNHUB_KEY, "timeout_seconds": 0.3},
            "alpha_vantage": {"api_key": AV_KEY, "timeout_seconds": 0.3},
            "reddit": {
                "client_id": REDDIT_ID,
                "client_secret": REDDIT_SECRET,
                "timeout_seconds": 0.3,
            },
        },
    )
    caplog.set_level(logging.DEBUG)
    end = dt.date.fromisoformat(TRADE_DATE)
    with Sources.from_config(config, env={}) as hub:
        calls: list[Callable[[], Any]] = [
            lambda: hub.finnhub.quote("A"),
            lambda: hub.finnhub.company_news("A", end - dt.timedelta(days=7), end),
            lambda: hub.alpha_vantage.global_quote("A"),
            lambda: hub.reddit.listing("wallstreetbets", limit=10),
        ]
        produced = _run(calls)
        failing: list[Callable[[], Any]] = [
            lambda: hub.finnhub.stock_symbols("US"),
            lambda: hub.alpha_vantage.top_gainers_losers(),
            lambda: hub.reddit.listing("stocks", limit=5),
        ]
        for knobs in FAULTS:
            for service in ("finnhub", "alpha_vantage", "reddit"):
                with configured(server, service, **knobs):
                    produced += _run(failing)

    # The emulator stands in for the remote service and logs what it receives, as a real
    # server would; everything on the client side is checked.
    client_log = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith("tradingagents.sandbox")
    )
    assert any("HTTP 401" in text for text in produced), "the failures really happened"
    assert "token=" in client_log, "DEBUG lines of the HTTP requests were captured"
    cache = b"".join(path.read_bytes() for path in tmp_path.glob("*.sqlite*"))
    assert cache, "the cache was written"
    for secret in SECRETS:
        assert secret not in client_log, f"{secret} in a log line"
        assert not [text for text in produced if secret in text], f"{secret} in an error/result"
        assert secret.encode() not in cache, f"{secret} stored in the HTTP cache"


FAULTS: list[dict[str, Any]] = [
    {"valid_keys": ["someone-else"]},
    {"faults": {"error_rate": 1.0}},
    {"faults": {"reset_rate": 1.0}},
    {"faults": {"hang_rate": 1.0, "hang_seconds": 5}},
    {"faults": {"malformed_rate": 1.0}},
]


def _run(calls: list[Callable[[], Any]]) -> list[str]:
    """Everything the calls produced, as text: results as JSON, errors fully formatted."""
    texts: list[str] = []
    for call in calls:
        try:
            result = call()
        except SourceError as exc:
            texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        else:
            texts.append(json.dumps(_plain(result), default=str))
    return texts


def _plain(result: Any) -> Any:
    if isinstance(result, list):
        return [_plain(item) for item in result]
    return result.to_dict() if hasattr(result, "to_dict") else result
