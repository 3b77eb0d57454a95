"""Batch engine for CPU-heavy work over thousands of items (symbols): per-item timeouts that
kill (backend ``processes``), chunking, progress, and Dask for scale-out.

    job = ProcessingJob(symbols, analyse, timeout_per_item=60)
    with ProcessingEngine(max_workers=4) as engine:
        result = engine.run(job)          # items in submission order, with a summary
        for item in engine.stream(job):   # or one at a time, as they complete
            ...
"""

from tradingagents.batch.engine import BACKENDS, ProcessingEngine, ProgressCallback
from tradingagents.batch.job import ProcessingJob
from tradingagents.batch.results import BatchSummary, ItemResult, ItemStatus, ProcessingResult

__all__ = [
    "BACKENDS",
    "BatchSummary",
    "ItemResult",
    "ItemStatus",
    "ProcessingEngine",
    "ProcessingJob",
    "ProcessingResult",
    "ProgressCallback",
]
