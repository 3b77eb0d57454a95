"""Concurrent tool calls for scanners that must ask a source once per symbol (or filing).

Finnhub's recommendation trends and company news have no batch endpoint, so a scanner over a
500-symbol universe makes 500 calls. :func:`fan_out` runs them on a small thread pool, each
one a separate logged tool call (so the tool log shows exactly what was asked and what
failed), each task in a copy of the submitting thread's ``contextvars`` context so deadlines
and other context travel with it. The source's shared rate limiter paces the calls; the pool
only overlaps their latency.

The fan-out stops asking a little before the scanner's deadline (:data:`RESERVE_FRACTION`
of the budget left when it starts, within :data:`RESERVE_BOUNDS`), so a scanner whose
budget cannot cover every call (a free-tier key against a large universe) still returns what
it found, and reports the rest as unchecked instead of timing out with nothing.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tradingagents.scanners.base import ScannerParam
from tradingagents.scanners.coverage import Coverage
from tradingagents.scanners.tool_context import ToolContext
from tradingagents.sources import budget
from tradingagents.sources.errors import DeadlineExceeded, SourceError, SourceUnavailable

#: The ``workers`` parameter every fan-out scanner declares.
WORKERS_PARAM = ScannerParam(
    int, 16, "concurrent per-symbol calls (the source's rate limit still applies)", ge=1, le=32
)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

#: Share of the remaining budget kept back to rank and return what was fetched.
RESERVE_FRACTION = 0.1
#: Bounds of that reserve in seconds.
RESERVE_BOUNDS = (0.25, 3.0)
#: A call is not started with less time than this before the stop: it could not finish.
MIN_CALL_SECONDS = 0.05


class _Unchecked:
    """Marks a key that was never asked because the budget ran out first."""


_UNCHECKED = _Unchecked()


@dataclass
class FanOut(Generic[K, T]):
    """What a fan-out gathered, in the order the keys were given."""

    results: dict[K, T] = field(default_factory=dict)
    failures: dict[K, SourceError] = field(default_factory=dict)
    unchecked: list[K] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failures and not self.unchecked

    def coverage(self, unit: str) -> Coverage:
        """What was asked, in ``unit`` (e.g. "symbols"), for the scanner's report."""
        return Coverage.of(
            unit, ok=len(self.results), failures=self.failures, unchecked=len(self.unchecked)
        )

    def shortfall(self, what: str) -> str:
        """One line on what is missing, e.g. "3 of 500 symbols failed (...); 20 of 500 symbols
        not asked before the time budget ran out"."""
        return self.coverage(what).failure_text() or ""

    def failure_summary(self) -> str | None:
        """For the tool log when a fan-out is a tool's output: what it left out, if anything."""
        return None if self.complete else self.shortfall("items")


def fan_out(
    tools: ToolContext,
    tool: str,
    fn: Callable[..., T],
    keys: Sequence[K],
    params: Callable[[K], Mapping[str, Any]],
    *,
    workers: int,
) -> FanOut[K, T]:
    """Call ``tools.call(tool, fn, **params(key))`` for every key on ``workers`` threads.

    Per-key :class:`SourceError` failures are collected, and tolerated while at least half of
    the asked keys answered; beyond that the first failure is raised, as it is at once for a
    source that cannot be used at all (:class:`SourceUnavailable`) and for cancellation.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    stop_at = _stop_at(tools.remaining())

    def ask(key: K) -> T | _Unchecked:
        with budget.deadline(stop_at):
            if stop_at is not None and stop_at - time.monotonic() < MIN_CALL_SECONDS:
                return _UNCHECKED
            try:
                return tools.call(tool, fn, **params(key))
            except DeadlineExceeded:
                return _UNCHECKED

    answers: dict[K, T | _Unchecked] = {}
    failures: dict[K, SourceError] = {}
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(workers, len(keys))), thread_name_prefix=f"{tools.scanner}-fan"
    )
    try:
        futures: dict[Future[T | _Unchecked], K] = {
            pool.submit(contextvars.copy_context().run, ask, key): key for key in keys
        }
        for future in as_completed(futures):
            key = futures[future]
            try:
                answers[key] = future.result()
            except SourceUnavailable:
                raise
            except SourceError as exc:
                failures[key] = exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

    outcome: FanOut[K, T] = FanOut()
    for key in keys:
        if key in failures:
            outcome.failures[key] = failures[key]
            continue
        answer = answers[key]
        if isinstance(answer, _Unchecked):
            outcome.unchecked.append(key)
        else:
            outcome.results[key] = answer
    if outcome.failures and 2 * len(outcome.failures) > len(outcome.failures) + len(
        outcome.results
    ):
        raise next(iter(outcome.failures.values()))
    return outcome


def _stop_at(remaining: float | None) -> float | None:
    """The monotonic time after which no new call starts (``None``: no deadline)."""
    if remaining is None:
        return None
    low, high = RESERVE_BOUNDS
    reserve = min(max(remaining * RESERVE_FRACTION, low), high)
    return time.monotonic() + max(remaining - reserve, 0.0)
