"""How items are grouped into the tasks sent to workers.

The trade-off: every task costs a fixed overhead (pickling the function, a round trip through
the pool's pipes, about 0.3-1 ms), so one task per item makes cheap items pay more for
transport than for work. Big chunks amortise that, but the last chunks leave workers idle at
the end of a run (a tail of up to one chunk's run time), a crash or a timeout re-queues the
rest of its chunk, and every in-flight chunk holds its items in memory. ``auto_chunk_size``
gives each worker about ``TASKS_PER_WORKER`` chunks, capped at ``MAX_AUTO_CHUNK``.

Timeout precision does not depend on the chunk size on any backend: workers report each item's
start and end, and the deadline is per item (see ``processes`` and ``soft_timeouts``).
``benchmarks/batch.py`` measures the overhead per item against the chunk size.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

TASKS_PER_WORKER = 8
MAX_AUTO_CHUNK = 64


def auto_chunk_size(total: int, workers: int) -> int:
    if total <= 0:
        return 1
    return max(1, min(MAX_AUTO_CHUNK, math.ceil(total / (max(1, workers) * TASKS_PER_WORKER))))


def index_chunks(total: int, size: int) -> Iterator[list[int]]:
    """Consecutive runs of item indices, ``size`` at a time (the last may be shorter)."""
    for start in range(0, total, size):
        yield list(range(start, min(start + size, total)))


def with_items(indices: Sequence[int], items: Sequence[object]) -> list[tuple[int, object]]:
    return [(i, items[i]) for i in indices]
