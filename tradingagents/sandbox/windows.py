"""A sliding-window request log that can say what Finnhub and Reddit put in their headers."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The limiter's answer for one request.

    `limit`/`used`/`remaining` describe the longest window (the plan's headline limit);
    when the request is refused, `remaining` is 0 and `reset_seconds` counts down to a free
    slot in the longest window that is full (`blocked_window_seconds`).
    """

    allowed: bool
    limit: int
    used: int
    remaining: int
    reset_seconds: float
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
            full = None
            for index, ((limit, seconds), log) in enumerate(
                zip(self._windows, self._logs, strict=True)
            ):
                while log and log[0] <= now - seconds:
                    log.popleft()
                if len(log) >= limit:
                    full = index  # windows are sorted: the last full one is the longest
            if full is None:
                for log in self._logs:
                    log.append(now)
            return self._verdict(now, full)

    def _verdict(self, now: float, full: int | None) -> Verdict:
        limit, _seconds = self._windows[-1]
        used = len(self._logs[-1])
        reset_index = len(self._windows) - 1 if full is None else full
        reset_log = self._logs[reset_index]
        reset_window = self._windows[reset_index][1]
        reset = (reset_log[0] + reset_window - now) if reset_log else reset_window
        return Verdict(
            allowed=full is None,
            limit=limit,
            used=used,
            remaining=0 if full is not None else max(limit - used, 0),
            reset_seconds=max(reset, 0.0),
            blocked_window_seconds=None if full is None else reset_window,
        )
