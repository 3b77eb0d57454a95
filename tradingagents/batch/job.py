"""``ProcessingJob``: what to run (a function over items) and its limits, checked up front."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any

DEFAULT_TIMEOUT_PER_ITEM = 60.0


@dataclass(frozen=True)
class ProcessingJob:
    """``fn(item)`` for every item.

    ``timeout_per_item`` (seconds, or ``None`` for no limit) bounds each item on its own, not
    the chunk it travels in. ``chunk_size`` is how many items one task carries to a worker;
    ``None`` lets the engine choose (see ``chunking.auto_chunk_size``). For the processes
    backend ``fn`` must be picklable (a module-level function), and so must items and values.
    """

    items: Sequence[Any]
    fn: Callable[[Any], Any]
    _: KW_ONLY
    timeout_per_item: float | None = DEFAULT_TIMEOUT_PER_ITEM
    chunk_size: int | None = None

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise TypeError(f"ProcessingJob fn must be callable, got {type(self.fn).__name__}")
        items: object = self.items
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            raise TypeError(
                f"ProcessingJob items must be a sequence of items, got {type(items).__name__}"
            )
        if not isinstance(items, Sequence):
            object.__setattr__(self, "items", list(items))
        timeout = self.timeout_per_item
        if timeout is not None and not (
            isinstance(timeout, int | float)
            and not isinstance(timeout, bool)
            and math.isfinite(timeout)
            and timeout > 0
        ):
            raise ValueError(
                "ProcessingJob timeout_per_item must be a positive number of seconds or None, "
                f"got {timeout!r}"
            )
        size = self.chunk_size
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 1):
            raise ValueError(
                f"ProcessingJob chunk_size must be a positive integer or None, got {size!r}"
            )
