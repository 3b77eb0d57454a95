"""A tiny data source, as a plugin would add one: its config model, client and emulator.

Adding it takes this module, a :class:`SourceSpec` and a section in DEFAULT_CONFIG (see
``tests/test_config_specs.py``); nothing else in the package changes.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.services.base import Reply, Request, Route, Service, json_reply, route
from tradingagents.sandbox.windows import Verdict
from tradingagents.sources.config import CacheTtl, SourceSettings, TtlSeconds
from tradingagents.sources.http import json_cacheable
from tradingagents.sources.specs import ClientContext, KeySpec, SandboxSpec, SourceSpec

NAME = "tiny"
DEFAULTS: dict[str, Any] = {
    "base_url": "https://tiny.example.com/v1",
    "api_key": None,
    "rate_limit": {"per_second": 50},
    "timeout_seconds": 5,
    "cache_ttl": {"greeting": 60},
}


class TinyTtl(CacheTtl):
    greeting: TtlSeconds


class TinySettings(SourceSettings):
    api_key: str | None
    cache_ttl: TinyTtl


class TinyClient:
    def __init__(self, ctx: ClientContext) -> None:
        self.session = ctx.session(((r"/hello\?", "greeting"),), json_cacheable())
        self.session.params = {"key": ctx.credentials["api_key"]}
        self._url = f"{ctx.settings.base_url}/hello"
        self._timeout = ctx.settings.timeout_seconds

    def hello(self, symbol: str) -> str:
        answer = self.session.get(self._url, params={"symbol": symbol}, timeout=self._timeout)
        answer.raise_for_status()
        greeting: str = answer.json()["greeting"]
        return greeting

    def close(self) -> None:
        self.session.close()


def build(ctx: ClientContext) -> TinyClient:
    return TinyClient(ctx)


class TinyService(Service):
    """The emulator's stand-in: greets any symbol of the sandbox market, with the key checked."""

    name = NAME
    secret_params: ClassVar[frozenset[str]] = frozenset({"key"})
    claim_prefixes: ClassVar[tuple[str, ...]] = ("/tiny/",)

    def routes(self) -> list[Route]:
        return [route("GET", r"/tiny/v1/hello", "/hello", self.hello)]

    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        key = request.query.get("key")
        if not key or (knobs.valid_keys is not None and key not in knobs.valid_keys):
            return json_reply({"error": "bad key"}, status=401)
        return None

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        return json_reply({"error": "slow down"}, status=429)

    def hello(self, request: Request, _match: re.Match[str]) -> Reply:
        symbol = request.query.get("symbol", "")
        company = self.market.company(symbol)
        if company is None:
            return json_reply({"error": "unknown symbol"}, status=404)
        return json_reply({"greeting": f"hello {company.symbol}"})


SPEC = SourceSpec(
    NAME,
    TinySettings,
    "tests.tiny_source:build",
    SandboxSpec("tests.tiny_source:TinyService", latency_ms=0.0, path="/tiny/v1"),
    keys=(KeySpec("api_key", "TINY_API_KEY", "sandbox-tiny-key"),),
)
