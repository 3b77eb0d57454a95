"""What every emulated service shares: requests, replies, routes and the wire encoders.

A service turns a parsed :class:`Request` into a :class:`Reply` from the market; the server
does the transport (latency, faults, rate limits, counting). Handlers must depend only on
the request's method, path and query (minus credentials), so the server may cache replies.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING, Any, ClassVar

from tradingagents.sandbox.windows import Verdict

if TYPE_CHECKING:
    from tradingagents.sandbox.knobs import ServiceKnobs
    from tradingagents.sandbox.market import Market

JSON_TYPE = "application/json"
JSON_UTF8 = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """One HTTP request as the emulator sees it (path has `//` collapsed)."""

    method: str
    path: str
    query: Mapping[str, str]  # first value of each parameter
    headers: Message
    body: bytes = b""

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


@dataclass(frozen=True)
class Reply:
    """A complete answer: status, body bytes, content type and extra headers."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()

    def with_headers(self, *extra: tuple[str, str]) -> Reply:
        return Reply(self.status, self.body, self.content_type, self.headers + extra)


Handler = Callable[[Request, "re.Match[str]"], Reply]


@dataclass(frozen=True)
class Route:
    """`method` + a full-match path regex -> handler, counted under `endpoint`."""

    method: str
    pattern: re.Pattern[str]
    endpoint: str | Callable[[Request, re.Match[str]], str]
    handler: Handler
    rate_limited: bool = True
    cacheable: bool = True

    def label(self, request: Request, match: re.Match[str]) -> str:
        return self.endpoint if isinstance(self.endpoint, str) else self.endpoint(request, match)


class Service:
    """Base of the five emulated services; subclasses add routes and real error bodies."""

    name: ClassVar[str]
    # Query parameters that carry credentials: never part of a cache key.
    secret_params: ClassVar[frozenset[str]] = frozenset()
    # Path prefixes whose unknown paths this service answers with its own 404.
    claim_prefixes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, market: Market) -> None:
        self.market = market

    def routes(self) -> Sequence[Route]:
        raise NotImplementedError

    def claims(self, path: str) -> bool:
        return path.startswith(self.claim_prefixes) if self.claim_prefixes else False

    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        """The real service's refusal for missing or bad credentials, else None."""
        return None

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        raise NotImplementedError

    def server_error(self, status: int) -> Reply:
        return json_reply({"error": _REASONS.get(status, "Server Error")}, status=status)

    def not_found(self, request: Request) -> Reply:
        return Reply(404, b"404 page not found", "text/plain; charset=utf-8")

    def finish(self, reply: Reply, verdict: Verdict | None) -> Reply:
        """Headers the real service adds to every answer (rate-limit counters, ...)."""
        return reply


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


def route(
    method: str,
    pattern: str,
    endpoint: str | Callable[[Request, re.Match[str]], str],
    handler: Handler,
    *,
    rate_limited: bool = True,
    cacheable: bool = True,
) -> Route:
    return Route(method, re.compile(pattern), endpoint, handler, rate_limited, cacheable)


# -- wire encoders ------------------------------------------------------------------------

def json_reply(
    payload: Any,
    *,
    status: int = 200,
    style: str = "compact",
    content_type: str = JSON_TYPE,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    return Reply(status, encode_json(payload, style), content_type, headers)


def encode_json(payload: Any, style: str = "compact") -> bytes:
    """JSON bytes in one of the real services' styles.

    ``go``: Finnhub (Go): compact, integral floats printed as integers, ``&<>`` escaped.
    ``python``: Reddit: ``", "`` and ``": "`` separators. ``pretty``: Alpha Vantage: 4-space
    indent. ``compact``: SEC.
    """
    if style == "go":
        text = json.dumps(_go_numbers(payload), separators=(",", ":"), ensure_ascii=False)
        text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    elif style == "python":
        text = json.dumps(payload, ensure_ascii=False)
    elif style == "pretty":
        text = json.dumps(payload, indent=4, ensure_ascii=False)
    elif style == "compact":
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    else:
        raise ValueError(f"unknown JSON style {style!r}")
    return text.encode("utf-8")


def _go_numbers(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _go_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_go_numbers(item) for item in value]
    return value


def plain_number(value: float, decimals: int = 4) -> str:
    """Shortest decimal text of `value` rounded to `decimals` ("5.3", "0.0197", "100.0")."""
    return repr(round(float(value), decimals) + 0.0)


DIGITS = "0123456789"
_FIGI_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXYZ"


def stable_seed(*parts: object) -> int:
    """A seed from `parts` that is the same in every process (unlike hash())."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def stable_token(*parts: object, length: int, alphabet: str = _FIGI_ALPHABET) -> str:
    """`length` characters of `alphabet` fixed by `parts` (ids, FIGIs, phone numbers)."""
    number = stable_seed(*parts)
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)
