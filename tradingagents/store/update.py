"""``data update``: bring the market store up to date from Massive's bulk endpoints.

One grouped-daily request per missing session (only missing ones: idempotent, and resumable
after Ctrl-C or a crash, see :mod:`tradingagents.store.ingest`), the splits executed since the
first wanted session (one request), and the listing once per session date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd
import pyarrow as pa

from tradingagents.store.ingest import IngestResult, ingest_sessions, missing_sessions
from tradingagents.store.market_store import MarketStore

logger = logging.getLogger(__name__)

SOURCE_LABEL = "massive grouped daily (as traded)"
#: The same endpoint served by the sandbox emulator: a made-up market, labelled as one.
SANDBOX_LABEL = "sandbox emulator of massive grouped daily (made-up market)"


class BulkSource(Protocol):
    """What an update needs from a bulk source (:class:`~tradingagents.sources.massive.
    MassiveSource`)."""

    def grouped_daily(self, day: dt.date) -> pa.Table | None: ...
    def listing(self) -> pd.DataFrame: ...
    def splits(self, since: dt.date | None = None) -> pd.DataFrame: ...


@dataclass
class UpdateResult:
    bars: IngestResult = field(default_factory=IngestResult)
    splits: int = 0
    listing: int | None = None  # symbols listed, when the listing was refreshed

    def describe(self) -> str:
        text = f"{self.bars.describe()}; {self.splits} new split(s)"
        if self.listing is not None:
            text += f"; listing refreshed ({self.listing:,} symbols)"
        return text


def update_store(
    store: MarketStore,
    source: BulkSource,
    wanted: list[dt.date],
    *,
    on_plan: Callable[[int], None] | None = None,
    on_session: Callable[[dt.date, int], None] | None = None,
    label: str = SOURCE_LABEL,
) -> UpdateResult:
    """Fetch what the store lacks for the sessions ``wanted``; ``on_plan(n)`` tells how many
    sessions will be fetched, ``on_session(day, rows)`` reports each one stored; ``label``
    names where the bars came from in the ingest log."""
    result = UpdateResult()
    if not wanted:
        return result
    with store.writer() as writer:
        todo = missing_sessions(store, wanted)
        if on_plan is not None:
            on_plan(len(todo))
        if todo:
            # Splits first: a read as of a new session must already know its splits.
            result.splits = writer.add_splits(source.splits(since=min(todo)))
        result.bars = ingest_sessions(
            writer, wanted, source.grouped_daily, label, progress=on_session
        )
        newest = max(wanted)
        listing = store.listing()
        if listing.empty or max(listing["last_seen"]) < newest:
            snapshot = source.listing()
            writer.update_listing(snapshot, newest, complete=True)
            result.listing = len(snapshot)
        writer.pack()
    return result
