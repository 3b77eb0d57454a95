"""Backend ``threads``: for I/O-bound functions (network calls, files). Threads share the GIL,
so CPU-bound work belongs on ``processes``. A timeout cannot kill a thread: the item is
reported ``timeout`` on time and its thread abandoned (see ``soft_timeouts``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from threading import Event

from tradingagents.batch.chunking import index_chunks, with_items
from tradingagents.batch.job import ProcessingJob
from tradingagents.batch.results import ItemResult, Outcome
from tradingagents.batch.soft_timeouts import run_chunk_soft

CHUNKS_IN_FLIGHT_PER_WORKER = 2


class ThreadBackend:
    name = "threads"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def stream(self, job: ProcessingJob, chunk_size: int) -> Generator[ItemResult, None, None]:
        chunks = index_chunks(len(job.items), chunk_size)
        in_flight: set[Future[list[tuple[int, Outcome]]]] = set()
        executor = ThreadPoolExecutor(self.workers, thread_name_prefix="batch-chunk")
        stop = Event()
        try:
            while True:
                while len(in_flight) < self.workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                    indices = next(chunks, None)
                    if indices is None:
                        break
                    in_flight.add(
                        executor.submit(
                            run_chunk_soft,
                            job.fn,
                            with_items(indices, job.items),
                            job.timeout_per_item,
                            stop,
                        )
                    )
                if not in_flight:
                    return
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                ready: deque[ItemResult] = deque()
                for future in done:
                    in_flight.discard(future)
                    for index, outcome in future.result():
                        ready.append(ItemResult.from_outcome(index, job.items[index], outcome))
                yield from ready
        finally:
            # On Ctrl-C or an abandoned stream: running chunks end after their current item
            # (the executor's threads are joined at interpreter exit).
            stop.set()
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Nothing outlives a run."""
