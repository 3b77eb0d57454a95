"""Daily bars as plain Python rows, for the CSV and JSON encoders."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
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


def bars_csv(bars: pd.DataFrame) -> bytes:
    """Stooq's ``Date,Open,High,Low,Close,Volume`` CSV (CRLF lines) of an OHLCV frame.

    Prices are written as the shortest decimal of the value rounded to 4 places, like
    ``plain_number``, but a column at a time: this body is the emulator's hottest path (a
    technical scan downloads every ticker's history).
    """
    dates = pd.DatetimeIndex(bars.index).strftime("%Y-%m-%d").tolist()
    prices = [
        np.round(bars[column].to_numpy(dtype=float), 4).tolist()
        for column in ("open", "high", "low", "close")
    ]
    volume = bars["volume"].to_numpy(dtype="int64").tolist()
    lines = ["Date,Open,High,Low,Close,Volume"]
    lines.extend(
        f"{day},{o!r},{h!r},{lo!r},{c!r},{v}"
        for day, o, h, lo, c, v in zip(dates, *prices, volume, strict=True)
    )
    return ("\r\n".join(lines) + "\r\n").encode()
