"""Running one item inside a worker and turning whatever happens into an ``Outcome``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tradingagents.batch.results import ItemStatus, Outcome

MAX_ERROR_CHARS = 500


def bounded(text: str) -> str:
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def run_item(fn: Callable[[Any], Any], item: Any) -> Outcome:
    started = time.perf_counter()
    try:
        value = fn(item)
    except (Exception, SystemExit) as error:  # sys.exit() in fn fails its item, not the worker
        return Outcome(
            ItemStatus.ERROR,
            None,
            type(error).__name__,
            bounded(str(error)),
            time.perf_counter() - started,
        )
    return Outcome(ItemStatus.OK, value, None, None, time.perf_counter() - started)


def failed(error_type: str, message: str, duration: float = 0.0) -> Outcome:
    return Outcome(ItemStatus.ERROR, None, error_type, bounded(message), duration)


def timed_out(timeout: float, duration: float) -> Outcome:
    return Outcome(
        ItemStatus.TIMEOUT,
        None,
        "TimeoutError",
        f"item ran longer than its {timeout:g} s timeout",
        duration,
    )
