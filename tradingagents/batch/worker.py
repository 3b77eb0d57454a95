"""The worker side of the processes backend: run a chunk of items, reporting each item's
start and outcome to the parent as it happens.

Per-item messages are what keep the timeout precise inside a chunk: the parent knows which
item is running and since when, so it can cancel the chunk's task (pebble then terminates the
worker) the moment that one item is overdue, keep the items the chunk already finished, and
re-queue the ones it had not started.
"""

from __future__ import annotations

import pickle
import signal
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Lock
from typing import Any

from tradingagents.batch.execution import failed, run_item

_channel: tuple[Connection, Lock] | None = None


def init_worker(writer: Connection, lock: Lock) -> None:
    """Pool initializer: remember the pipe every worker shares to report to the parent."""
    global _channel
    _channel = (writer, lock)


def _report(message: tuple[Any, ...]) -> None:
    if _channel is None:
        raise RuntimeError("batch worker used without init_worker")
    writer, lock = _channel
    # Pickled before taking the lock: workers do not wait on each other's pickling, and an
    # unpicklable value fails here, before a byte is written.
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    # A worker terminated while holding the lock would leave it held for good and freeze
    # every other worker: SIGTERM (how pebble stops a worker) waits until the write is done.
    previous = _block_sigterm()
    try:
        with lock:
            writer.send_bytes(payload)
    finally:
        _restore_signals(previous)


def _block_sigterm() -> set[int | signal.Signals] | None:
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})


def _restore_signals(previous: set[int | signal.Signals] | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_chunk(
    fn: Callable[[Any], Any], chunk_id: int, indexed_items: Sequence[tuple[int, Any]]
) -> None:
    _report(("start", chunk_id))
    for index, item in indexed_items:
        outcome = run_item(fn, item)
        try:
            _report(("done", chunk_id, index, outcome.to_tuple()))
        except Exception as error:
            unsendable = failed(
                type(error).__name__,
                f"the item's result could not be sent back: {error}",
                outcome.duration,
            )
            _report(("done", chunk_id, index, unsendable.to_tuple()))
