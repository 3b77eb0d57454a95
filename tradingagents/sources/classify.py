"""Turn HTTP answers and transport failures into the typed errors of :mod:`errors`.

Shared by every source: finnhub-python, prawcore and plain requests all expose the
``requests.Response`` behind a failure, so one status table serves them all.
"""

from __future__ import annotations

import email.utils
import json
import time
from urllib.parse import urlsplit

import requests
import urllib3

from tradingagents.sources import budget
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

_DETAIL_CHARS = 200
# No reset window is a billion seconds long: a larger x-ratelimit-reset is an epoch time.
_EPOCH_THRESHOLD = 1e9
# A timeout this close to the end of the budget was caused by the budget, not the service.
_BUDGET_SLACK_SECONDS = 0.05


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_after_of(response: requests.Response) -> float | None:
    """``Retry-After``, else ``x-ratelimit-reset``: seconds until the window resets (Reddit)
    or the reset's epoch time (Finnhub), told apart by size."""
    header = parse_retry_after(response.headers.get("Retry-After"))
    if header is not None:
        return header
    reset = parse_retry_after(response.headers.get("x-ratelimit-reset"))
    if reset is not None and reset > _EPOCH_THRESHOLD:
        # Whole epoch seconds, rounded down: the window really resets within the next second.
        return max(0.0, reset + 1.0 - time.time())
    return reset


def endpoint_of(response: requests.Response) -> str:
    """The request path, without the query string (where keys travel)."""
    return urlsplit(response.url or "").path or "/"


def error_from_response(source: str, response: requests.Response) -> SourceError:
    """The typed error for a non-success HTTP answer."""
    status = response.status_code
    where = f"{endpoint_of(response)} answered HTTP {status}"
    detail = _detail(response)
    if status == 401:
        return InvalidCredentials(source, f"the key was rejected ({where}){detail}")
    if status == 403:
        return NoAccess(source, f"no access with this key ({where}){detail}")
    if status == 404:
        return NotFound(source, f"not found ({where}){detail}")
    if status == 429:
        wait = retry_after_of(response)
        hint = f", retry after {wait:g} s" if wait is not None else ""
        return RateLimited(source, f"rate limited ({where}{hint}){detail}", retry_after=wait)
    if status == 408 or status >= 500:
        return TransientError(source, f"service error ({where}){detail}")
    if 400 <= status < 500:
        return BadRequest(source, f"request refused ({where}){detail}")
    return MalformedResponse(source, f"unexpected answer ({where}){detail}")


def error_from_exception(source: str, exc: BaseException) -> SourceError | None:
    """The typed error for a transport or decoding failure; ``None`` for anything else."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, budget.BudgetExhausted):
        return DeadlineExceeded(source, "the scanner's time budget ran out")
    if isinstance(exc, requests.exceptions.RequestException) and _is_transport_failure(exc):
        left = budget.remaining()
        if left is not None and left <= _BUDGET_SLACK_SECONDS:
            return DeadlineExceeded(source, "the request outlived the scanner's time budget")
        return TransientError(source, f"{_transport_failure(exc)}{_request_path(exc)}")
    if isinstance(exc, json.JSONDecodeError | requests.exceptions.JSONDecodeError):
        return MalformedResponse(source, f"the answer is not valid JSON ({exc.msg} at {exc.pos})")
    return None


def _is_transport_failure(exc: requests.exceptions.RequestException) -> bool:
    return isinstance(
        exc,
        requests.exceptions.Timeout
        | requests.exceptions.ConnectionError
        | requests.exceptions.ChunkedEncodingError,
    )


def _transport_failure(exc: requests.exceptions.RequestException) -> str:
    """What went wrong, in words (never the exception text: it quotes the URL and its key)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out connecting"
    # A stalled body surfaces as a ConnectionError wrapping urllib3's ReadTimeoutError.
    if isinstance(exc, requests.exceptions.ReadTimeout) or (
        exc.args and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError)
    ):
        return "timed out reading the answer"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off"
    return "connection failed"


def _request_path(exc: requests.exceptions.RequestException) -> str:
    """`` (/path)`` of the failed request when known (a stalled body knows no request)."""
    url = getattr(exc.request, "url", None)
    return f" ({urlsplit(url).path})" if url else ""


def _detail(response: requests.Response) -> str:
    """The service's own short explanation (its JSON ``error``/``message`` or the body start)."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
    else:
        text = ""
        if isinstance(body, dict):
            for key in ("error", "message", "Error Message", "Information", "Note"):
                if isinstance(body.get(key), str):
                    text = body[key]
                    break
    text = " ".join(text.split())[:_DETAIL_CHARS]
    return f": {text}" if text else ""
