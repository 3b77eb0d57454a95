"""Concurrent tool calls for scanners that must ask a source once per symbol (or filing).

Finnhub's recommendation trends and company news have no batch endpoint, so a scanner over a
500-symbol universe makes 500 calls. :func:`fan_out` runs them on a few daemon threads, each
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
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tradingagents.scanners import abandoned
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

    The workers are daemon threads that are never joined: a call that hangs past the stop
    time (a body that drips forever) is abandoned, its key reported unchecked, so it can
    block neither the scanner nor interpreter exit.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    stop_at, reserve = _stop_at(tools.remaining())
    # Calls in flight at the stop end by their deadline (stop_at) if they honour it; wait
    # half the reserve for them, then give up on the rest.
    give_up_at = None if stop_at is None else stop_at + reserve / 2

    def ask(key: K) -> T | _Unchecked:
        with budget.deadline(stop_at):
            if stop_at is not None and stop_at - time.monotonic() < MIN_CALL_SECONDS:
                return _UNCHECKED
            try:
                return tools.call(tool, fn, **params(key))
            except DeadlineExceeded:
                return _UNCHECKED

    pending = deque(enumerate(keys))
    inbox: queue.SimpleQueue[tuple[int, object, BaseException | None]] = queue.SimpleQueue()
    stop = threading.Event()
    context = contextvars.copy_context()

    def work() -> None:
        while not stop.is_set():
            try:
                position, key = pending.popleft()
            except IndexError:
                return
            try:
                # Each call in its own copy of the submitting thread's context.
                inbox.put((position, context.copy().run(ask, key), None))
            except BaseException as exc:  # handed to the scanner's thread, which decides
                inbox.put((position, None, exc))

    threads = [
        threading.Thread(target=work, name=f"{tools.scanner}-fan-{n}", daemon=True)
        for n in range(max(1, min(workers, len(keys))))
    ]
    answers: dict[K, T | _Unchecked] = {}
    failures: dict[K, SourceError] = {}
    received = 0
    try:
        for thread in threads:
            thread.start()
        while received < len(keys):
            wait = None if give_up_at is None else give_up_at - time.monotonic()
            if wait is not None and wait <= 0:
                break
            try:
                position, answer, error = inbox.get(timeout=wait)
            except queue.Empty:
                break
            received += 1
            key = keys[position]
            if error is None:
                answers[key] = answer  # type: ignore[assignment]
            elif isinstance(error, SourceError) and not isinstance(error, SourceUnavailable):
                failures[key] = error
            else:
                raise error
    finally:
        stop.set()
        for thread in threads if received < len(keys) else ():
            if thread.is_alive():
                abandoned.abandon(thread, tools.owner, "in a fan-out call past its deadline")

    outcome: FanOut[K, T] = FanOut()
    for key in keys:
        if key in failures:
            outcome.failures[key] = failures[key]
            continue
        answer = answers.get(key, _UNCHECKED)
        if isinstance(answer, _Unchecked):
            outcome.unchecked.append(key)
        else:
            outcome.results[key] = answer
    if outcome.failures and 2 * len(outcome.failures) > len(outcome.failures) + len(
        outcome.results
    ):
        raise next(iter(outcome.failures.values()))
    return outcome


def _stop_at(remaining: float | None) -> tuple[float | None, float]:
    """(The monotonic time after which no new call starts (``None``: no deadline), the
    seconds kept back after it)."""
    if remaining is None:
        return None, 0.0
    low, high = RESERVE_BOUNDS
    reserve = min(max(remaining * RESERVE_FRACTION, low), high)
    return time.monotonic() + max(remaining - reserve, 0.0), reserve
