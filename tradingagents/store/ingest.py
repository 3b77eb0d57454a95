"""Fetch and store the sessions a store lacks: idempotent and resumable.

Each session is written whole (one atomic file), so after a crash or Ctrl-C the store holds
every session finished before it and nothing of the one in flight; running again fetches
exactly the sessions still missing, so nothing is fetched twice and nothing is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from tradingagents.store.market_store import MarketStore, StoreWriter

logger = logging.getLogger(__name__)

Fetch = Callable[[dt.date], pa.Table | None]
"""One session's bars (``None``: the source has no bars for that day, e.g. a holiday)."""


@dataclass
class IngestResult:
    wanted: int = 0
    already: int = 0
    written: list[dt.date] = field(default_factory=list)
    empty: list[dt.date] = field(default_factory=list)
    rows: int = 0

    def describe(self) -> str:
        text = (
            f"{len(self.written)} session(s) stored ({self.rows:,} bars); {self.already} of"
            f" {self.wanted} already in the store"
        )
        if self.empty:
            text += f"; {len(self.empty)} without bars at the source"
        return text


def missing_sessions(store: MarketStore, wanted: Iterable[dt.date]) -> list[dt.date]:
    """The sessions of ``wanted`` the store does not hold, oldest first."""
    held = set(store.sessions())
    return sorted(set(wanted) - held)


def ingest_sessions(
    writer: StoreWriter,
    wanted: Sequence[dt.date],
    fetch: Fetch,
    source: str,
    *,
    progress: Callable[[dt.date, int], None] | None = None,
) -> IngestResult:
    """Fetch and store every session of ``wanted`` the store lacks, oldest first;
    ``progress(session, rows)`` after each."""
    todo = missing_sessions(writer.store, wanted)
    result = IngestResult(wanted=len(set(wanted)), already=len(set(wanted)) - len(todo))
    for session in todo:
        table = fetch(session)
        if table is None or table.num_rows == 0:
            logger.warning("the source has no bars for %s; nothing stored", session)
            result.empty.append(session)
            rows = 0
        else:
            rows = writer.write_session(session, table, source)
            result.written.append(session)
            result.rows += rows
        if progress is not None:
            progress(session, rows)
    return result
