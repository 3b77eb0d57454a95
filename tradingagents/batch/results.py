"""What a batch run returns: one ``ItemResult`` per item and a ``ProcessingResult`` with a
summary. Plain data only, so results can be pickled, logged or written out as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ItemStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Outcome:
    """An item's outcome as a worker produced it (travels back from the worker)."""

    status: ItemStatus
    value: Any
    error_type: str | None
    error: str | None
    duration: float

    # Plain tuples for the worker-to-parent pipe: a dataclass and an enum cost several times
    # more to unpickle, a cost the parent pays once per item.
    def to_tuple(self) -> tuple[str, Any, str | None, str | None, float]:
        return (self.status.value, self.value, self.error_type, self.error, self.duration)

    @classmethod
    def from_tuple(cls, fields: tuple[str, Any, str | None, str | None, float]) -> Outcome:
        status, value, error_type, error, duration = fields
        return cls(ItemStatus(status), value, error_type, error, duration)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's result: ``index`` is its position in the job's items."""

    index: int
    item: Any
    status: ItemStatus
    value: Any
    error_type: str | None
    error: str | None
    duration: float

    @property
    def ok(self) -> bool:
        return self.status is ItemStatus.OK

    @classmethod
    def from_outcome(cls, index: int, item: Any, outcome: Outcome) -> ItemResult:
        return cls(
            index=index,
            item=item,
            status=outcome.status,
            value=outcome.value,
            error_type=outcome.error_type,
            error=outcome.error,
            duration=outcome.duration,
        )


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Counts and timings of one run.

    ``speedup_over_item_time_sum`` is the summed item durations divided by the wall time: the
    mean number of items running at once. The item durations were measured while the items
    shared the machine, so it is not a speedup over a sequential run (none was made).
    """

    backend: str
    workers: int
    chunk_size: int
    total: int
    ok: int
    errors: int
    timeouts: int
    wall_seconds: float
    items_per_second: float
    item_seconds_sum: float
    speedup_over_item_time_sum: float

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def describe(self) -> str:
        return (
            f"{self.total} items on {self.workers} {self.backend} workers: {self.ok} ok, "
            f"{self.errors} errors, {self.timeouts} timeouts in {self.wall_seconds:.2f} s "
            f"({self.items_per_second:.1f} items/s; summed item time / wall = "
            f"{self.speedup_over_item_time_sum:.2f})"
        )


@dataclass(frozen=True, slots=True)
class ProcessingResult:
    """All item results in submission order, and the run's summary."""

    items: list[ItemResult]
    summary: BatchSummary

    @property
    def values(self) -> list[Any]:
        """The values of the items, in order; ``None`` where an item failed."""
        return [r.value for r in self.items]

    def failures(self) -> list[ItemResult]:
        return [r for r in self.items if not r.ok]


def summarise(
    results: Sequence[ItemResult],
    *,
    backend: str,
    workers: int,
    chunk_size: int,
    wall_seconds: float,
) -> BatchSummary:
    counts = {status: 0 for status in ItemStatus}
    for result in results:
        counts[result.status] += 1
    item_seconds = sum(r.duration for r in results)
    wall = max(wall_seconds, 1e-9)
    return BatchSummary(
        backend=backend,
        workers=workers,
        chunk_size=chunk_size,
        total=len(results),
        ok=counts[ItemStatus.OK],
        errors=counts[ItemStatus.ERROR],
        timeouts=counts[ItemStatus.TIMEOUT],
        wall_seconds=wall_seconds,
        items_per_second=len(results) / wall,
        item_seconds_sum=item_seconds,
        speedup_over_item_time_sum=item_seconds / wall,
    )
