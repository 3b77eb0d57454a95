"""Massive (formerly Polygon.io): one session of every US stock per request, the listing with
its types, and the splits; the bulk feed of the market store (``tradingagents data update``).

The official ``massive`` client does the requests: its URLs, parameters, ``Authorization:
Bearer`` header, pagination and models. It talks urllib3, not requests, so the project's
requests layer does not wrap it; instead:

* the client's own retries are 0 (one urllib3 attempt per call) and the project's
  :class:`~tradingagents.sources.resilience.Guard` (retries with backoff, circuit breaker)
  wraps each call, so the two retry layers do not multiply;
* every HTTP request the client sends, pagination pages included, first takes a slot from
  the source's rate limiter (the hub's: ``data.sources.massive.rate_limit`` live, the
  emulator's knob in the sandbox), through a thin wrapper around the client's urllib3 pool;
* urllib3 and client errors become the project's typed :class:`SourceError`\\ s.

The grouped-daily call asks the client for the raw answer and decodes it here: the client
turns an undecodable body into an empty list, which would look like a market holiday.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar

import massive
import pandas as pd
import pyarrow as pa
import urllib3
from massive.exceptions import BadResponse
from pyrate_limiter import Limiter

from tradingagents.sources import budget
from tradingagents.sources.classify import error_from_exception
from tradingagents.sources.config import MassiveConfig, ResilienceConfig
from tradingagents.sources.errors import (
    BadRequest,
    DeadlineExceeded,
    InvalidCredentials,
    MalformedResponse,
    NoAccess,
    NotFound,
    RateLimited,
    SourceError,
    TransientError,
)
from tradingagents.sources.redaction import scrub
from tradingagents.sources.resilience import Guard
from tradingagents.sources.specs import ClientContext

logger = logging.getLogger(__name__)

NAME: Final = "massive"
T = TypeVar("T")
LISTING_COLUMNS: Final = ("symbol", "name", "type", "primary_exchange")


class MassiveSource:
    """Grouped daily bars as traded, the reference listing and the splits."""

    name = NAME

    def __init__(
        self,
        settings: MassiveConfig,
        api_key: str,
        resilience: ResilienceConfig,
        limiter: Limiter | None,
    ) -> None:
        """``limiter``: the source's rate limiter (the hub's choice: the configured limit
        live, the emulator's knob in the sandbox), from ``http.build_limiter``."""
        self.settings = settings
        self._limiter = limiter
        self._max_wait = resilience.max_wait_seconds
        self._guard = Guard(NAME, resilience, translate)
        self.client = massive.RESTClient(
            api_key,
            base=settings.base_url,
            connect_timeout=settings.timeout_seconds,
            read_timeout=settings.timeout_seconds,
            retries=0,  # the Guard retries (see the module docstring)
            pagination=True,
        )
        # Every request the client sends waits for a rate-limit slot first.
        self.client.client = _LimitedPool(self.client.client, self._acquire, self._answered)

    def __repr__(self) -> str:
        return f"MassiveSource(base_url={self.settings.base_url!r})"

    def close(self) -> None:
        self._guard.close()
        self.client.client.clear()

    # -- calls ----------------------------------------------------------------------------
    def grouped_daily(self, day: dt.date) -> pa.Table | None:
        """Every US stock's bar of session ``day``, as traded (``adjusted=false``, no OTC):
        symbol, open, high, low, close, volume, vwap, transactions. ``None`` when the day has
        no session (weekend, holiday, not yet closed)."""

        def fetch() -> pa.Table | None:
            response = self.client.get_grouped_daily_aggs(
                day.isoformat(), adjusted=False, include_otc=False, raw=True
            )
            return grouped_table(response.data, day)

        return self._guard.call(f"grouped daily {day.isoformat()}", fetch)

    def listing(self) -> pd.DataFrame:
        """The active stock listing: symbol, name, type (``CS``, ``ADRC``, ``ETF``, ``WARRANT``,
        ``UNIT``, ``RIGHT``, ``PFD``...; None when Massive gives none), primary_exchange."""

        def fetch() -> pd.DataFrame:
            rows = [
                (t.ticker, t.name, t.type, t.primary_exchange)
                for t in self.client.list_tickers(market="stocks", active=True, limit=1000)
            ]
            if not rows:
                raise MalformedResponse(NAME, "the reference listing came back empty")
            return pd.DataFrame(rows, columns=list(LISTING_COLUMNS))

        return self._guard.call("reference tickers", fetch)

    def splits(self, since: dt.date | None = None) -> pd.DataFrame:
        """Splits executed on or after ``since``: symbol, ex_date, ratio (split_to /
        split_from; 4.0 for a 4-for-1)."""

        def fetch() -> pd.DataFrame:
            found = self.client.list_splits(
                execution_date_gte=since.isoformat() if since else None, limit=1000
            )
            rows = []
            for split in found:
                if not (split.split_from and split.split_to and split.execution_date):
                    continue
                ratio = float(split.split_to) / float(split.split_from)
                rows.append((split.ticker, dt.date.fromisoformat(split.execution_date), ratio))
            return pd.DataFrame(rows, columns=["symbol", "ex_date", "ratio"])

        return self._guard.call("splits", fetch)

    def _answered(self) -> None:
        if self._limiter is not None:
            # The limiter's log stamps a request when its answer came (see http._RequestLog).
            for log in self._limiter.buckets():
                answered = getattr(log, "answered", None)
                if answered is not None:
                    answered()

    def _acquire(self) -> None:
        if self._limiter is None:
            return
        left = budget.remaining()
        wait = self._max_wait if left is None else min(self._max_wait, left)
        if not self._limiter.try_acquire(NAME, blocking=True, timeout=wait):
            if left is not None and left <= wait:
                raise DeadlineExceeded(NAME, "no rate-limit slot before the time budget ran out")
            raise RateLimited(
                NAME,
                f"no slot under the configured rate limit within {wait:g} s",
                retryable=False,
            )


class _LimitedPool:
    """The client's urllib3 pool, taking a rate-limit slot before each request."""

    def __init__(
        self,
        pool: urllib3.PoolManager,
        acquire: Callable[[], None],
        answered: Callable[[], None],
    ) -> None:
        self._pool, self._acquire, self._answered = pool, acquire, answered

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        self._acquire()
        try:
            response = self._pool.request(method, url, *args, **kwargs)
        finally:
            self._answered()
        if response.status == 200 and _REFERENCE_PATH in url:
            _require_json(response.data, url)
        return response

    def clear(self) -> None:
        self._pool.clear()


#: The listing and splits pages, which the client decodes itself: on a body that is not JSON
#: it logs and returns an empty list, which would read as "no splits" (grouped daily is
#: decoded here, see :func:`grouped_table`).
_REFERENCE_PATH = "/v3/reference/"


def _require_json(body: bytes, url: str) -> None:
    try:
        json.loads(body)
    except ValueError as exc:
        path = url.split("?", 1)[0]
        raise MalformedResponse(NAME, f"{path} answered a body that is not JSON: {exc}") from None


def grouped_table(body: bytes, day: dt.date) -> pa.Table | None:
    """A grouped-daily answer as a bars table; ``None`` for a day without a session."""
    try:
        decoded = json.loads(body)
    except ValueError as exc:
        raise MalformedResponse(NAME, f"grouped daily {day} is not valid JSON: {exc}") from None
    if not isinstance(decoded, dict) or decoded.get("status") not in ("OK", "DELAYED"):
        status = decoded.get("status") if isinstance(decoded, dict) else type(decoded).__name__
        raise MalformedResponse(NAME, f"grouped daily {day} answered status {status!r}")
    results = decoded.get("results")
    if not results:
        return None
    try:
        columns = {
            "symbol": [row["T"] for row in results],
            "open": [row["o"] for row in results],
            "high": [row["h"] for row in results],
            "low": [row["l"] for row in results],
            "close": [row["c"] for row in results],
            "volume": [row["v"] for row in results],
            "vwap": [row.get("vw") for row in results],
            "transactions": [row.get("n") for row in results],
        }
    except (KeyError, TypeError) as exc:
        raise MalformedResponse(NAME, f"grouped daily {day} has a row without {exc}") from None
    return pa.table(
        {
            "symbol": pa.array(columns["symbol"], pa.string()),
            **{
                k: pa.array(columns[k], pa.float64())
                for k in ("open", "high", "low", "close", "volume", "vwap")
            },
            "transactions": pa.array(columns["transactions"], pa.int64()),
        }
    )


def translate(exc: BaseException) -> SourceError | None:
    """The typed error of a failed client call (its urllib3 and ``BadResponse`` failures
    here, the rest as every source does); ``None`` for anything else (a bug)."""
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        reason = exc.reason
        if isinstance(reason, urllib3.exceptions.ResponseError):
            # The client's Retry, at 0 retries, raises on its status list: "too many 429 ...".
            text = str(reason)
            if "429" in text:
                return RateLimited(NAME, "HTTP 429: over Massive's rate limit")
            return TransientError(NAME, f"server error ({scrub(text)})")
        return TransientError(NAME, f"connection failed: {type(reason).__name__}")
    if isinstance(exc, urllib3.exceptions.TimeoutError | urllib3.exceptions.ProtocolError):
        return TransientError(NAME, f"connection failed: {type(exc).__name__}")
    if isinstance(exc, BadResponse):
        return _bad_response(str(exc))
    return error_from_exception(NAME, exc)


def _bad_response(body: str) -> SourceError:
    """Massive's error bodies are JSON: ``{"status": "ERROR"|"NOT_AUTHORIZED"|..., "error" or
    "message": ...}``; the client hands over only the body, not the status code."""
    try:
        decoded = json.loads(body)
    except ValueError:
        decoded = {}
    if not isinstance(decoded, dict):
        decoded = {}
    status = str(decoded.get("status", ""))
    message = str(decoded.get("error") or decoded.get("message") or body)[:200]
    if "API Key" in message or "api key" in message.lower():
        return InvalidCredentials(NAME, f"the key was rejected: {message}")
    if status == "NOT_AUTHORIZED":
        return NoAccess(NAME, f"not in this key's plan: {message}")
    if status == "NOT_FOUND":
        return NotFound(NAME, message)
    return BadRequest(NAME, f"refused ({status or 'no status'}): {message}")


def from_context(ctx: ClientContext) -> MassiveSource:
    """The spec's client factory. The client sends its own requests; the hub's session for
    this source is built only for its rate limiter, which is the hub's choice of limit."""
    session = ctx.session(())
    try:
        return MassiveSource(
            ctx.settings, ctx.credentials["api_key"], ctx.resilience, session.limiter
        )
    finally:
        session.close()
