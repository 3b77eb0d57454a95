"""A sliding-window request log that can say what Finnhub and Reddit put in their headers."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The rate limiter's answer for one request (numbers of its longest window)."""

    allowed: bool
    limit: int
    used: int
    remaining: int
    reset_seconds: float  # until the (blocking or longest) window frees a slot
    blocked_window_seconds: float | None = None


class SlidingWindowLimiter:
    """Sliding-window request log over one or more windows; thread-safe.

    pyrate-limiter only answers yes/no, while the emulator must report used/remaining/reset
    in headers the way Finnhub and Reddit do, so it keeps its own log.
    """

    def __init__(
        self,
        windows: tuple[tuple[int, float], ...],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not windows:
            raise ValueError("a limiter needs at least one (limit, seconds) window")
        self._windows = tuple(sorted(windows, key=lambda window: window[1]))
        self._logs: tuple[deque[float], ...] = tuple(deque() for _ in self._windows)
        self._clock = clock
        self._lock = threading.Lock()

    def acquire(self) -> Verdict:
        """Record one request if every window has room; say what the client may know."""
        with self._lock:
            now = self._clock()
            for (_limit, seconds), log in zip(self._windows, self._logs, strict=True):
                while log and log[0] <= now - seconds:
                    log.popleft()
            for (limit, seconds), log in zip(self._windows, self._logs, strict=True):
                if len(log) >= limit:
                    return self._verdict(now, allowed=False, blocked=seconds)
            for log in self._logs:
                log.append(now)
            return self._verdict(now, allowed=True, blocked=None)

    def _verdict(self, now: float, *, allowed: bool, blocked: float | None) -> Verdict:
        index = len(self._windows) - 1
        if blocked is not None:
            index = [seconds for _, seconds in self._windows].index(blocked)
        limit, seconds = self._windows[index]
        log = self._logs[index]
        reset = (log[0] + seconds - now) if log else seconds
        used = len(log)
        return Verdict(
            allowed=allowed,
            limit=limit,
            used=used,
            remaining=max(limit - used, 0),
            reset_seconds=max(reset, 0.0),
            blocked_window_seconds=blocked,
        )
