"""``tradingagents track``: fill in the realised forward returns of recorded picks from the
market store, with the definitions of :mod:`tradingagents.history.statistics`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tradingagents.history.database import connect, transaction
from tradingagents.history.statistics import HORIZONS, excess_column, pick_returns, return_column
from tradingagents.store import MarketStore


@dataclass(frozen=True)
class TrackResult:
    filled: int
    """(session, ticker, horizon) returns stored by this call."""
    pending: int
    """Wanted returns whose ``D + h`` session the store does not hold yet."""
    unpriced: int
    """Wanted returns the store cannot give: no bar for the ticker or no session ``D``."""
    last_session: dt.date | None

    def describe(self) -> str:
        text = f"{self.filled:,} forward return(s) filled"
        if self.pending:
            text += f"; {self.pending:,} wait for later sessions"
        if self.unpriced:
            text += f"; {self.unpriced:,} have no bars in the store (ticker or session missing)"
        ends = self.last_session.isoformat() if self.last_session else "no sessions"
        return f"{text} (store ends {ends})"


def track(path: Path, store: MarketStore, horizons: Sequence[int] = HORIZONS) -> TrackResult:
    """Store every forward return a recorded pick lacks and the store can now give.

    Closes come from one store read adjusted as of its last session (so a split between a
    pick and its horizon is on both sides of the ratio), over every symbol in the store (the
    universe of the excess return)."""
    sessions = store.sessions()
    last = sessions[-1] if sessions else None
    with connect(path) as connection:
        picked = connection.execute(
            "SELECT DISTINCT r.session_date, p.ticker FROM picks p JOIN runs r ON r.id = p.run_id"
        ).fetchall()
        done = {
            (s, t, int(h))
            for s, t, h in connection.execute(
                "SELECT session_date, ticker, horizon FROM forward_returns"
            )
        }
    wanted = [(s, t) for s, t in picked if any((s, t, h) not in done for h in horizons)]
    if not wanted or last is None:
        return TrackResult(0, 0, len(wanted) * len(horizons) if last is None else 0, last)
    picks = pd.DataFrame(wanted, columns=["session", "ticker"])
    first = min(dt.date.fromisoformat(s) for s in picks["session"])
    closes = store.read(last, start=first, fields=("close",))["close"]
    valued = pick_returns(picks, closes, horizons)
    index = pd.DatetimeIndex(closes.index)
    positions = index.get_indexer(pd.DatetimeIndex(valued["session"]))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows: list[tuple[object, ...]] = []
    pending = unpriced = 0
    columns = closes.columns.get_indexer(pd.Index(valued["ticker"]))
    values = closes.to_numpy(dtype=float)
    for row, at, column in zip(valued.itertuples(index=False), positions, columns, strict=True):
        session, ticker = str(row.session), str(row.ticker)
        priced = at >= 0 and column >= 0 and not np.isnan(values[at, column])
        for h in horizons:
            if (session, ticker, h) in done:
                continue
            if not priced:
                unpriced += 1
                continue
            if at + h >= len(index):
                pending += 1
                continue
            value = float(getattr(row, return_column(h)))
            if np.isnan(value):
                unpriced += 1
                continue
            universe = float(getattr(row, f"universe_return_{h}"))
            rows.append(
                (
                    session,
                    ticker,
                    h,
                    index[int(at) + h].date().isoformat(),
                    value,
                    universe,
                    float(getattr(row, excess_column(h))),
                    now,
                )
            )
    with connect(path) as connection, transaction(connection):
        connection.executemany(
            "INSERT OR REPLACE INTO forward_returns VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    return TrackResult(len(rows), pending, unpriced, last)
