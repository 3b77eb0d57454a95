"""Backend ``dask``: chunks of items as tasks on a ``distributed`` cluster, either a
``LocalCluster`` of worker processes started here (and closed by ``close``), or an existing
scheduler given by ``address`` (e.g. ``"tcp://scheduler:8786"``; the cluster is left running).

What a timeout means here: Dask cannot kill a running task. Each chunk runs its items on a
helper thread inside the worker (``soft_timeouts``), so an overdue item is reported ``timeout``
at its deadline, its result is discarded, and the chunk goes on; but the item's thread keeps
running in that worker until its function returns, holding CPU and memory there.

Decision, a worker-side process pool (each Dask task running its items in a pebble pool) is
not used: Dask worker processes are daemonic by default and may not have children, and
nesting a pool in every worker would double the processes per core and hide them from Dask's
memory accounting and restarts. When a hung item must be killed, use backend ``processes``;
on a cluster, keep ``timeout_per_item`` as the reporting deadline and rely on restarting the
workers (``Client.restart``) to clear abandoned work.

A worker that dies (segfault) takes its whole chunk with it: the scheduler re-runs the chunk
on another worker up to ``distributed.scheduler.allowed-failures`` times (3 by default), then
every item of the chunk is reported ``error`` (``KilledWorker``). Use a small ``chunk_size``
when crashes are expected.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from tradingagents.batch.chunking import index_chunks, with_items
from tradingagents.batch.execution import failed
from tradingagents.batch.job import ProcessingJob
from tradingagents.batch.results import ItemResult, Outcome
from tradingagents.batch.soft_timeouts import run_chunk_soft

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

CHUNKS_IN_FLIGHT_PER_WORKER = 2


class DaskBackend:
    name = "dask"

    def __init__(self, workers: int, address: str | None = None) -> None:
        self._local_workers = workers
        self._address = address
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    @property
    def workers(self) -> int:
        """Worker threads: those of the LocalCluster started here, or, on an existing
        cluster, those its scheduler knows now (connecting if needed)."""
        return self._local_workers if self._address is None else self.worker_threads()

    @property
    def address(self) -> str:
        """The scheduler's address (starting the LocalCluster if needed)."""
        scheduler = self.client().scheduler
        if scheduler is None:
            raise RuntimeError("the Dask client has no scheduler connection")
        return str(scheduler.address)

    def client(self) -> Client:
        if self._client is None:
            from distributed import Client, LocalCluster

            if self._address is None:
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=self._local_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.WARNING,
                )
                self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
            else:
                self._client = Client(self._address)  # type: ignore[no-untyped-call]
        return self._client

    def worker_threads(self) -> int:
        threads = sum(self.client().nthreads().values())  # type: ignore[no-untyped-call]
        return max(1, threads)

    def stream(self, job: ProcessingJob, chunk_size: int) -> Generator[ItemResult, None, None]:
        from distributed import as_completed

        client = self.client()
        limit = self.worker_threads() * CHUNKS_IN_FLIGHT_PER_WORKER
        chunks = index_chunks(len(job.items), chunk_size)
        pending: dict[Any, list[int]] = {}

        def submit_next() -> Any | None:
            indices = next(chunks, None)
            if indices is None:
                return None
            future = client.submit(
                run_chunk_soft,
                job.fn,
                with_items(indices, job.items),
                job.timeout_per_item,
                pure=False,
            )
            pending[future] = indices
            return future

        first = [f for f in (submit_next() for _ in range(limit)) if f is not None]
        completed = as_completed(first)  # type: ignore[no-untyped-call]
        try:
            for future in completed:
                indices = pending.pop(future)
                ready: deque[ItemResult] = deque()
                for index, outcome in self._outcomes(future, indices):
                    ready.append(ItemResult.from_outcome(index, job.items[index], outcome))
                following = submit_next()
                if following is not None:
                    completed.add(following)  # type: ignore[no-untyped-call]
                yield from ready
        finally:
            for future in pending:
                future.cancel()

    @staticmethod
    def _outcomes(future: Any, indices: list[int]) -> list[tuple[int, Outcome]]:
        try:
            result: list[tuple[int, Outcome]] = future.result()
        except Exception as error:
            outcome = failed(type(error).__name__, str(error) or type(error).__name__)
            return [(index, outcome) for index in indices]
        return result

    def close(self) -> None:
        if self._client is not None:
            self._client.close()  # type: ignore[no-untyped-call]
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
