"""Typed, secret-free errors raised by every data source.

Callers catch by meaning, never by HTTP library: :class:`SourceUnavailable` means "this source
cannot be used in this run" (the engine reports the scanner as skipped), everything else under
:class:`SourceError` is a failed call with a clear reason. Messages pass through
:func:`~tradingagents.sources.redaction.scrub`, so a key can never travel inside one.
"""

from __future__ import annotations

from tradingagents.sources.budget import BudgetExhausted
from tradingagents.sources.redaction import scrub


class SourceError(Exception):
    """A data-source call failed; ``source`` names the service ("finnhub", "reddit", ...)."""

    retryable = False

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.reason = scrub(message)
        super().__init__(f"{source}: {self.reason}")


class SourceUnavailable(SourceError):
    """The source cannot be used at all in this run (not configured)."""


class MissingCredentials(SourceUnavailable):
    """Live mode without the key, e.g. ``FINNHUB_API_KEY is not set``."""


class InvalidCredentials(SourceError):
    """The service rejected the key (HTTP 401)."""


class NoAccess(SourceError):
    """The key is valid but lacks access to this endpoint (HTTP 403, premium endpoints)."""


class NotFound(SourceError):
    """No such symbol, subreddit, filing or page (HTTP 404, or an empty answer)."""


class BadRequest(SourceError):
    """The service refused the request (HTTP 400/422, or Alpha Vantage's "Error Message")."""


class RateLimited(SourceError):
    """The service (or our own limiter) says slow down; ``retry_after`` in seconds when known."""

    def __init__(
        self, source: str, message: str, *, retry_after: float | None = None, retryable: bool = True
    ) -> None:
        super().__init__(source, message)
        self.retry_after = retry_after
        self.retryable = retryable


class TransientError(SourceError):
    """A failure worth retrying: 5xx, connection reset, connect or read timeout."""

    retryable = True


class ServiceDown(SourceError):
    """The source's circuit breaker is open: calls fail fast until its cooldown ends."""


class MalformedResponse(SourceError):
    """The service answered, but not with what its API documents (bad JSON, missing fields)."""


class DeadlineExceeded(SourceError, BudgetExhausted):
    """The calling scanner's time budget ran out before the call could finish."""


__all__ = [
    "BadRequest",
    "DeadlineExceeded",
    "InvalidCredentials",
    "MalformedResponse",
    "MissingCredentials",
    "NoAccess",
    "NotFound",
    "RateLimited",
    "ServiceDown",
    "SourceError",
    "SourceUnavailable",
    "TransientError",
]
