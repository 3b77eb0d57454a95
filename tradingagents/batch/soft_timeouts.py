"""Running a chunk where items cannot be killed (threads backend, Dask workers).

Each item runs on a helper thread while the chunk's thread waits at most the item's timeout.
An overdue item is reported ``timeout`` on time and its result is discarded when it comes;
its thread cannot be killed, so it is abandoned (a daemon thread, so it never blocks
interpreter exit) and keeps using CPU or its I/O until its function returns. The chunk goes on
with a fresh helper thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from tradingagents.batch.execution import run_item, timed_out
from tradingagents.batch.results import Outcome

_STOP = object()


class _ItemThread:
    """One daemon thread that runs items handed to it, one at a time."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self._fn = fn
        self._inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.outbox: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="batch-item", daemon=True).start()

    def _loop(self) -> None:
        while (item := self._inbox.get()) is not _STOP:
            self.outbox.put(run_item(self._fn, item))

    def submit(self, item: Any) -> None:
        self._inbox.put(item)

    def stop(self) -> None:
        self._inbox.put(_STOP)


def run_chunk_soft(
    fn: Callable[[Any], Any],
    indexed_items: Sequence[tuple[int, Any]],
    timeout: float | None,
    stop: threading.Event | None = None,
) -> list[tuple[int, Outcome]]:
    """Outcomes of the items run so far; ``stop`` (threads backend only: an Event does not
    travel to a Dask worker) ends the chunk after its current item."""
    results: list[tuple[int, Outcome]] = []
    runner = _ItemThread(fn)
    try:
        for index, item in indexed_items:
            if stop is not None and stop.is_set():
                break
            started = time.perf_counter()
            runner.submit(item)
            try:
                outcome = runner.outbox.get(timeout=timeout)
            except queue.Empty:
                assert timeout is not None
                outcome = timed_out(timeout, time.perf_counter() - started)
                runner.stop()  # it exits once its item returns; nobody reads its outbox
                runner = _ItemThread(fn)
            results.append((index, outcome))
    finally:
        runner.stop()
    return results
