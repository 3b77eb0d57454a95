"""Daily bars as plain Python rows, for the CSV and JSON encoders."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

BarRow = tuple[str, float, float, float, float, int]


def bar_rows(bars: pd.DataFrame) -> Iterator[BarRow]:
    """(ISO date, open, high, low, close, volume) per row of an OHLCV frame, in frame order."""
    dates = pd.DatetimeIndex(bars.index).strftime("%Y-%m-%d")
    columns = zip(
        dates,
        bars["open"].to_numpy(dtype=float).tolist(),
        bars["high"].to_numpy(dtype=float).tolist(),
        bars["low"].to_numpy(dtype=float).tolist(),
        bars["close"].to_numpy(dtype=float).tolist(),
        bars["volume"].to_numpy(dtype="int64").tolist(),
        strict=True,
    )
    for day, open_, high, low, close, volume in columns:
        yield str(day), open_, high, low, close, int(volume)
