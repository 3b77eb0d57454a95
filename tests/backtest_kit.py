"""A small synthetic market store for the backtest tests: 40 symbols over 340 sessions of
seeded random walks with different drifts and occasional volume spikes, so every technical
scanner fires on some sessions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from tradingagents.store import MarketStore

SYMBOLS = [f"S{i:02d}" for i in range(40)]
SESSIONS = [d.date() for d in pd.bdate_range("2023-01-02", periods=340)]


def market(seed: int = 11) -> dict[str, pd.DataFrame]:
    """Wide frames (sessions x symbols) of open/high/low/close/volume, as traded."""
    rng = np.random.default_rng(seed)
    n, m = len(SESSIONS), len(SYMBOLS)
    drift = np.linspace(-0.002, 0.004, m)
    steps = drift + rng.normal(0.0, 0.018, (n, m))
    # Sharp pull-backs in a few uptrends late in the window: RSI oversold above the SMA200.
    steps[300:306, m - 8 : m - 4] -= 0.03
    close = 20.0 * np.exp(np.cumsum(steps, axis=0))
    spread = np.abs(rng.normal(0.0, 0.01, (n, m)))
    volume = 1e6 * np.exp(rng.normal(0.0, 0.2, (n, m)))
    volume *= np.where(rng.random((n, m)) < 0.04, 5.0, 1.0)
    volume[295:315, : m // 4] *= 2.5  # quiet accumulation in the laggards
    index = pd.DatetimeIndex(pd.to_datetime(SESSIONS), name="date")
    frame = lambda values: pd.DataFrame(values, index=index, columns=SYMBOLS)  # noqa: E731
    opened = np.vstack([close[:1], close[:-1]])
    return {
        "open": frame(opened),
        "high": frame(np.maximum(opened, close) * (1 + spread)),
        "low": frame(np.minimum(opened, close) * (1 - spread)),
        "close": frame(close),
        "volume": frame(np.round(volume)),
    }


def write_store(
    root: Path, frames: dict[str, pd.DataFrame], splits: pd.DataFrame | None = None
) -> MarketStore:
    store = MarketStore(root)
    with store.writer() as writer:
        for day in frames["close"].index:
            table = pd.DataFrame({"symbol": SYMBOLS})
            for name, frame in frames.items():
                table[name] = frame.loc[day].to_numpy()
            writer.write_session(day.date(), table, source="test")
        writer.pack()
        if splits is not None:
            writer.add_splits(splits)
    return store


def session(index: int) -> dt.date:
    return SESSIONS[index]
