"""``ProcessingEngine``: runs a ``ProcessingJob`` on a backend, reports progress, and returns
results in submission order (``run``) or as they complete (``stream``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator
from multiprocessing import get_all_start_methods
from types import TracebackType
from typing import Literal, Protocol

from tradingagents.batch.chunking import auto_chunk_size
from tradingagents.batch.job import ProcessingJob
from tradingagents.batch.results import ItemResult, ProcessingResult, summarise

BackendName = Literal["processes", "threads", "dask"]
BACKENDS: tuple[BackendName, ...] = ("processes", "threads", "dask")
ProgressCallback = Callable[[int, int, ItemResult], None]


class Backend(Protocol):
    name: str

    @property
    def workers(self) -> int: ...

    def stream(
        self, job: ProcessingJob, chunk_size: int
    ) -> Generator[ItemResult, None, None]: ...

    def close(self) -> None: ...


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ProcessingEngine:
    """Runs jobs on ``backend``: ``"processes"`` (default; CPU-bound work, timeouts kill),
    ``"threads"`` (I/O-bound work) or ``"dask"`` (a ``LocalCluster``, or the scheduler at
    ``address``). ``progress(done, total, last_result)`` is called in the caller's thread after
    every item. Use as a context manager, or call ``close``, to release a Dask cluster.
    """

    def __init__(
        self,
        backend: BackendName = "processes",
        *,
        max_workers: int | None = None,
        progress: ProgressCallback | None = None,
        address: str | None = None,
        start_method: str | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(
                f"unknown batch backend {backend!r}; choose one of {', '.join(BACKENDS)}"
            )
        if max_workers is not None and (
            not isinstance(max_workers, int) or isinstance(max_workers, bool) or max_workers < 1
        ):
            raise ValueError(f"max_workers must be a positive integer, got {max_workers!r}")
        if address is not None and backend != "dask":
            raise ValueError(f"address= is for the dask backend, not {backend!r}")
        if address is not None and max_workers is not None:
            raise ValueError(
                "max_workers= does not apply to an existing Dask cluster: its workers are "
                "started where the cluster runs"
            )
        if start_method is not None and backend != "processes":
            raise ValueError(f"start_method= is for the processes backend, not {backend!r}")
        if start_method is not None and start_method not in get_all_start_methods():
            raise ValueError(
                f"unknown start_method {start_method!r}; choose one of "
                f"{', '.join(get_all_start_methods())}"
            )
        self.progress = progress
        self._backend = _make_backend(
            backend, max_workers or usable_cores(), address, start_method
        )

    @property
    def backend(self) -> str:
        return self._backend.name

    @property
    def workers(self) -> int:
        return self._backend.workers

    @property
    def address(self) -> str | None:
        """The Dask scheduler's address (e.g. to find its dashboard); None on other backends."""
        from tradingagents.batch.dask_backend import DaskBackend

        return self._backend.address if isinstance(self._backend, DaskBackend) else None

    def chunk_size(self, job: ProcessingJob) -> int:
        if job.chunk_size is not None:
            return job.chunk_size
        if self.backend == "threads":
            return 1  # nothing is pickled, so nothing to amortise; results stream per item
        return auto_chunk_size(len(job.items), self.workers)

    def stream(self, job: ProcessingJob) -> Generator[ItemResult, None, None]:
        """Item results in completion order (each carries its ``index``); nothing is kept,
        so results too big to hold together can be written out one at a time."""
        total = len(job.items)
        results = self._backend.stream(job, self.chunk_size(job))
        try:
            for done, result in enumerate(results, start=1):
                if self.progress is not None:
                    self.progress(done, total, result)
                yield result
        finally:
            results.close()

    def run(self, job: ProcessingJob) -> ProcessingResult:
        """All item results, in submission order, with a summary."""
        started = time.perf_counter()
        ordered: list[ItemResult | None] = [None] * len(job.items)
        results = self.stream(job)
        try:
            for result in results:
                ordered[result.index] = result
        finally:
            results.close()
        wall = time.perf_counter() - started
        items = [r for r in ordered if r is not None]
        if len(items) != len(ordered):
            raise RuntimeError(
                f"batch backend {self.backend!r} returned {len(items)} of {len(ordered)} results"
            )
        summary = summarise(
            items,
            backend=self.backend,
            workers=self.workers,
            chunk_size=self.chunk_size(job),
            wall_seconds=wall,
        )
        return ProcessingResult(items=items, summary=summary)

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> ProcessingEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _make_backend(
    name: BackendName, workers: int, address: str | None, start_method: str | None
) -> Backend:
    if name == "threads":
        from tradingagents.batch.threads import ThreadBackend

        return ThreadBackend(workers)
    if name == "dask":
        from tradingagents.batch.dask_backend import DaskBackend

        return DaskBackend(workers, address)
    from tradingagents.batch.processes import ProcessBackend

    return ProcessBackend(workers, start_method)
