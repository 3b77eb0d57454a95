"""The calling scanner's remaining time, visible to every layer below the engine.

The engine's tool context opens a :func:`deadline` scope around each tool call; HTTP code
reads :func:`remaining` to cap its connect/read timeouts and its retry sleeps, so a scanner
that the engine has abandoned stops soon after its timeout instead of running on.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "tradingagents_deadline", default=None
)


class BudgetExhausted(TimeoutError):
    """Raised when work would start after the calling scanner's deadline."""


@contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Run the block with an absolute ``time.monotonic()`` deadline (``None``: unbounded).

    Nested scopes never extend an outer deadline: the earlier of the two wins.
    """
    outer = _deadline.get()
    effective = at if outer is None else (outer if at is None else min(outer, at))
    token = _deadline.set(effective)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline, ``None`` when there is none (never negative)."""
    at = _deadline.get()
    if at is None:
        return None
    return max(0.0, at - time.monotonic())


def bounded(seconds: float) -> float:
    """``seconds`` capped by the remaining budget; raises :class:`BudgetExhausted` at zero."""
    left = remaining()
    if left is None:
        return seconds
    if left <= 0.0:
        raise BudgetExhausted("the calling scanner has no time left")
    return min(seconds, left)
