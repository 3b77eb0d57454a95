"""Backend ``processes``: a pebble ``ProcessPool`` whose workers run chunks of items.

* Timeouts kill. Workers report each item's start and outcome through a shared pipe, so the
  parent knows which item of a chunk is running and since when. When one item passes its
  timeout the parent reports it ``timeout`` and cancels the chunk's task: pebble terminates
  that worker (SIGTERM at once, SIGKILL after pebble's 3 s grace if the worker is stuck in C
  code that does not return to the interpreter) and starts a replacement. The chunk's
  finished items are kept and its unstarted items re-queued.
* A worker that dies (segfault, ``os._exit``) costs only the item it was running, reported
  ``error`` with its exit code; the rest of its chunk is re-queued.
* The pool starts on the first run and is kept for the next ones, until ``close`` (or the
  engine is garbage-collected). A run that ends early (Ctrl-C, an exception in the consumer or
  the progress callback, a stream closed before its end) stops the pool at once: pebble's
  workers ignore SIGINT and ``pool.stop()`` terminates them, so no worker outlives the run.

Workers are started with ``forkserver`` by default: forking the parent directly is unsafe once
it runs threads (pebble's own, or a LangGraph node's), and ``forkserver`` still makes
replacements cheap. ``fn`` must therefore be importable (a module-level function).
"""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
import select
import time
import weakref
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from pebble import ProcessExpired, ProcessFuture, ProcessPool

from tradingagents.batch.chunking import index_chunks, with_items
from tradingagents.batch.execution import failed, timed_out
from tradingagents.batch.job import ProcessingJob
from tradingagents.batch.results import ItemResult, Outcome
from tradingagents.batch.worker import init_worker, run_chunk

FUTURE_CHECK_SECONDS = 0.05
CHUNKS_IN_FLIGHT_PER_WORKER = 2


def default_start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


@dataclass
class _Chunk:
    id: int
    pending: deque[int]
    future: ProcessFuture[None]
    started_at: float | None = None  # when its current item started, by the parent's clock


class _PipeWaiter:
    """Waits for data on the report pipe with one registered ``select.poll``:
    ``Connection.poll`` builds a new selector on every call, a cost paid for every item."""

    def __init__(self, reader: Connection) -> None:
        self._reader = reader
        self._poll = select.poll() if hasattr(select, "poll") else None
        if self._poll is not None:
            self._poll.register(reader.fileno(), select.POLLIN)

    def ready(self, seconds: float) -> bool:
        if self._poll is None:  # Windows
            return self._reader.poll(seconds)
        return bool(self._poll.poll(seconds * 1000))


@dataclass
class _Run:
    """The parent's bookkeeping for one job on one pool."""

    job: ProcessingJob
    pool: ProcessPool
    reader: Connection
    waiter: _PipeWaiter
    chunk_size: int
    in_flight_limit: int
    ids: Iterator[int]  # unique across runs on one pool: late reports of old chunks are ignored
    requeued: deque[list[int]] = field(default_factory=deque)
    in_flight: dict[int, _Chunk] = field(default_factory=dict)
    ready: deque[ItemResult] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._fresh = index_chunks(len(self.job.items), self.chunk_size)

    def results(self) -> Generator[ItemResult, None, None]:
        while True:
            self._fill()
            if not self.in_flight:
                return
            self._read(self._wait_seconds())
            self._expire_overdue()
            self._settle_finished_tasks()
            while self.ready:
                yield self.ready.popleft()

    def _fill(self) -> None:
        while len(self.in_flight) < self.in_flight_limit:
            indices = self.requeued.popleft() if self.requeued else next(self._fresh, None)
            if indices is None:
                return
            chunk_id = next(self.ids)
            future = self.pool.schedule(
                run_chunk, args=(self.job.fn, chunk_id, with_items(indices, self.job.items))
            )
            self.in_flight[chunk_id] = _Chunk(chunk_id, deque(indices), future)

    def _wait_seconds(self) -> float:
        wait = FUTURE_CHECK_SECONDS
        timeout = self.job.timeout_per_item
        if timeout is not None:
            now = time.monotonic()
            for chunk in self.in_flight.values():
                if chunk.started_at is not None:
                    wait = min(wait, chunk.started_at + timeout - now)
        return max(0.0, wait)

    def _read(self, wait: float) -> None:
        if not self.waiter.ready(wait):
            return
        while True:
            self._handle(pickle.loads(self.reader.recv_bytes()))
            if not self.waiter.ready(0):
                return

    def _handle(self, message: tuple[Any, ...]) -> None:
        chunk = self.in_flight.get(message[1])
        if chunk is None:
            return  # from a chunk already given up on (timed out): its results are discarded
        now = time.monotonic()
        if message[0] == "start":
            chunk.started_at = now
            return
        _, _, index, outcome = message
        if chunk.pending and chunk.pending[0] == index:
            chunk.pending.popleft()
            self._finish(index, Outcome.from_tuple(outcome))
            chunk.started_at = now
        if not chunk.pending:
            del self.in_flight[chunk.id]

    def _finish(self, index: int, outcome: Outcome) -> None:
        self.ready.append(ItemResult.from_outcome(index, self.job.items[index], outcome))

    def _expire_overdue(self) -> None:
        timeout = self.job.timeout_per_item
        if timeout is None:
            return
        now = time.monotonic()
        for chunk in list(self.in_flight.values()):
            if chunk.started_at is None or now - chunk.started_at < timeout:
                continue
            self._finish(chunk.pending.popleft(), timed_out(timeout, now - chunk.started_at))
            # pebble terminates the worker and starts a new one
            chunk.future.cancel()  # type: ignore[no-untyped-call]
            self._give_up(chunk)

    def _give_up(self, chunk: _Chunk) -> None:
        del self.in_flight[chunk.id]
        if chunk.pending:
            self.requeued.appendleft(list(chunk.pending))

    def _settle_finished_tasks(self) -> None:
        finished = [c for c in self.in_flight.values() if c.future.done()]
        if not finished:
            return
        self._read(0)  # a finished task's item reports are already in the pipe
        for chunk in finished:
            if chunk.id in self.in_flight:
                self._settle(chunk)

    def _settle(self, chunk: _Chunk) -> None:
        error = chunk.future.exception()
        if isinstance(error, ProcessExpired) and chunk.started_at is not None:
            index = chunk.pending.popleft()
            self._finish(
                index,
                failed(
                    "WorkerDied",
                    f"the worker process died while running this item (exit code "
                    f"{error.exitcode})",
                    time.monotonic() - chunk.started_at,
                ),
            )
            self._give_up(chunk)
            return
        # Nothing of the chunk ran (it could not be sent, or its worker died at once): its
        # items fail with that error rather than being retried forever.
        error_type = type(error).__name__ if error is not None else "ResultLost"
        message = str(error) if error is not None else "the worker finished without reporting"
        for index in chunk.pending:
            self._finish(index, failed(error_type, message or error_type))
        del self.in_flight[chunk.id]


@dataclass
class _Workers:
    """A pebble pool and the pipe its workers report on."""

    pool: ProcessPool
    reader: Connection
    writer: Connection
    waiter: _PipeWaiter

    @classmethod
    def start(cls, workers: int, start_method: str) -> _Workers:
        context = multiprocessing.get_context(start_method)
        reader, writer = context.Pipe(duplex=False)
        pool = ProcessPool(
            max_workers=workers,
            initializer=init_worker,
            initargs=(writer, context.Lock()),
            context=context,
        )
        return cls(pool, reader, writer, _PipeWaiter(reader))

    def stop(self) -> None:
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join()
        self.reader.close()
        self.writer.close()


class ProcessBackend:
    name = "processes"

    def __init__(self, workers: int, start_method: str | None = None) -> None:
        self.workers = workers
        self.start_method = start_method or default_start_method()
        self._workers: _Workers | None = None
        self._stop_at_collection: weakref.finalize[[], ProcessBackend] | None = None
        self._chunk_ids = itertools.count()
        self._running = False

    def stream(self, job: ProcessingJob, chunk_size: int) -> Generator[ItemResult, None, None]:
        if self._running:
            # Its workers report on one pipe, read by the run that owns it.
            raise RuntimeError(
                "this processes engine is already running a job: finish or close that stream "
                "first, or use another ProcessingEngine"
            )
        self._running = True
        if self._workers is None:
            self._workers = _Workers.start(self.workers, self.start_method)
            self._stop_at_collection = weakref.finalize(self, self._workers.stop)
        workers = self._workers
        limit = self.workers * CHUNKS_IN_FLIGHT_PER_WORKER
        run = _Run(
            job, workers.pool, workers.reader, workers.waiter, chunk_size, limit, self._chunk_ids
        )
        finished = False
        try:
            yield from run.results()
            finished = True
        finally:
            self._running = False
            if not finished:
                self.close()  # its workers may still be running this run's items

    def close(self) -> None:
        if self._stop_at_collection is not None:
            self._stop_at_collection()  # stops the pool once, and detaches the finalizer
        self._workers = None
        self._stop_at_collection = None
