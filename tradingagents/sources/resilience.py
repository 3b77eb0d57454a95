"""Retries and the circuit breaker around one source's calls.

:meth:`Guard.call` runs an operation (one client call, its HTTP traffic and its parsing) with
tenacity retries for :class:`RateLimited` and :class:`TransientError` (exponential backoff with
jitter, or the server's ``Retry-After``), bounded by ``max_attempts`` and by the calling
scanner's remaining budget: it never starts a sleep that would end past the budget. Each
attempt goes through the source's pybreaker ``CircuitBreaker`` with ``calling()`` (which, unlike
``call()``, does not serialise concurrent callers); only outages (5xx, timeouts, resets,
garbage answers) count toward opening it. While it is open, calls fail in microseconds with
:class:`ServiceDown`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import pybreaker
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from tradingagents.sources import budget
from tradingagents.sources.config import ResilienceConfig
from tradingagents.sources.errors import (
    DeadlineExceeded,
    MalformedResponse,
    RateLimited,
    ServiceDown,
    SourceError,
    TransientError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
Translate = Callable[[BaseException], SourceError | None]


def is_outage(exc: BaseException) -> bool:
    """Does this failure say the service is unwell (as opposed to our request being wrong)?"""
    return isinstance(exc, TransientError | MalformedResponse) and not isinstance(
        exc, DeadlineExceeded
    )


class _BreakerLog(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old: object, new: object) -> None:
        logger.warning(
            "%s circuit breaker: %s -> %s",
            cb.name,
            getattr(old, "name", old),
            getattr(new, "name", new),
        )


class Guard:
    """Retry policy plus circuit breaker of one source; thread-safe, shared by all its callers."""

    def __init__(
        self,
        source: str,
        policy: ResilienceConfig,
        translate: Translate,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.policy = policy
        self._translate = translate
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            multiplier=0.25, max=policy.backoff_max_seconds, exp_base=2, jitter=0.25
        )
        self._closed = False
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=policy.breaker_fail_max,
            reset_timeout=policy.breaker_reset_seconds,
            # Failures of calls cut off by closing the source say nothing about the service.
            exclude=[lambda exc: self._closed or not is_outage(exc)],
            listeners=[_BreakerLog()],
            name=source,
            throw_new_error_on_trip=False,
        )

    def close(self) -> None:
        """The source is closing (end of run, Ctrl-C): calls still running fail without
        retries, and count neither for nor against the breaker, so nothing is logged."""
        self._closed = True

    def call(self, what: str, operation: Callable[[], T]) -> T:
        """``operation()`` with retries and the breaker; raises only :class:`SourceError`
        (or whatever ``translate`` does not recognise, e.g. a bug in the operation)."""
        retrying = Retrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, SourceError) and exc.retryable),
            wait=self._wait,
            stop=self._stop,
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(what, state),
            reraise=True,
        )
        result: T = retrying(self._attempt, operation)
        return result

    def _attempt(self, operation: Callable[[], T]) -> T:
        if budget.remaining() == 0.0:
            raise DeadlineExceeded(self.source, "the scanner's time budget ran out")
        try:
            with self.breaker.calling():
                outcome = self._run(operation)
                if isinstance(outcome, SourceError):
                    # Raised outside the `except` that caught the original: the client's own
                    # exception (whose text may hold a URL with a key) is not chained to it.
                    raise outcome
                return outcome[0]
        except pybreaker.CircuitBreakerError:
            pass
        raise ServiceDown(
            self.source,
            f"circuit breaker open after {self.policy.breaker_fail_max} consecutive failures; "
            f"calls fail fast for up to {self.policy.breaker_reset_seconds:g} s",
        )

    def _run(self, operation: Callable[[], T]) -> tuple[T] | SourceError:
        """``(result,)``, or the typed error the operation's failure translates to."""
        try:
            return (operation(),)
        except Exception as exc:
            error = self._translate(exc)
            if error is None:
                raise
        return error

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        # Retry-After 0 (or a negative value or a past date, read as 0) gives no wait to honour;
        # taken literally it retries at once, a burst of 429s in milliseconds: back off instead.
        if isinstance(exc, RateLimited) and exc.retry_after is not None and exc.retry_after > 0:
            return exc.retry_after
        return float(self._backoff(state))

    def _stop(self, state: RetryCallState) -> bool:
        if self._closed or state.attempt_number >= self.policy.max_attempts:
            return True
        exc = state.outcome.exception() if state.outcome else None
        if (
            isinstance(exc, RateLimited)
            and state.upcoming_sleep > self.policy.max_retry_after_seconds
        ):
            return True
        left = budget.remaining()
        return left is not None and state.upcoming_sleep >= left

    def _log_retry(self, what: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.warning(
            "%s %s failed (%s); attempt %d/%d, retrying in %.2f s",
            self.source,
            what,
            exc.reason if isinstance(exc, SourceError) else type(exc).__name__,
            state.attempt_number,
            self.policy.max_attempts,
            state.upcoming_sleep,
        )
