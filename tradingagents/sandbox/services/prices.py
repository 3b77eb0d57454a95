"""Stooq's daily CSV download: ``GET /q/d/l/?s=aapl.us&i=d[&d1=YYYYMMDD&d2=YYYYMMDD]``.

The body is ``Date,Open,High,Low,Close,Volume`` oldest first (``i=w``/``i=m`` give weekly and
monthly bars); an unknown symbol answers 200 with the body ``No data``, and going over the
rate limit answers 200 with Stooq's ``Exceeded the daily hits limit``.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

import pandas as pd

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.services.bars import bars_csv
from tradingagents.sandbox.services.base import (
    Reply,
    Request,
    Route,
    Service,
    route,
)
from tradingagents.sandbox.services.dates import DateParamError, date_param
from tradingagents.sandbox.windows import Verdict

CSV_CONTENT: Final = "text/csv; charset=utf-8"
TEXT_CONTENT: Final = "text/plain; charset=utf-8"
NO_DATA: Final = Reply(200, b"No data", TEXT_CONTENT)
HITS_LIMIT: Final = Reply(200, b"Exceeded the daily hits limit", TEXT_CONTENT)
# Stooq's interval letter -> pandas resampling rule (None: daily bars as they are).
INTERVALS: Final = {"d": None, "w": "W-FRI", "m": "ME"}


class Prices(Service):
    name = "prices"
    claim_prefixes: ClassVar[tuple[str, ...]] = ("/q/",)

    def routes(self) -> list[Route]:
        return [route("GET", r"/q/d/l/?", "/q/d/l/", self.daily_csv)]

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        return HITS_LIMIT

    def server_error(self, status: int) -> Reply:
        return Reply(status, f"{status} Server Error".encode(), TEXT_CONTENT)

    def not_found(self, request: Request) -> Reply:
        return Reply(404, b"Not Found", TEXT_CONTENT)

    def daily_csv(self, request: Request, _match: re.Match[str]) -> Reply:
        symbol = _universe_symbol(request.query.get("s", ""))
        interval = request.query.get("i", "d")
        if symbol is None or self.market.company(symbol) is None or interval not in INTERVALS:
            return NO_DATA
        try:
            start = date_param(request.query, "d1", compact=True)
            end = date_param(request.query, "d2", compact=True)
        except DateParamError:
            return NO_DATA
        bars = self.market.bars(symbol)
        rule = INTERVALS[interval]
        if rule is not None:
            bars = _resample(bars, rule)
        if start is not None:
            bars = bars[bars.index >= pd.Timestamp(start)]
        if end is not None:
            bars = bars[bars.index <= pd.Timestamp(end)]
        if bars.empty:
            return NO_DATA
        return Reply(200, bars_csv(bars), CSV_CONTENT,
                     (("Content-Disposition",
                       f"attachment; filename={symbol.lower()}_us_{interval}.csv"),))


def _universe_symbol(stooq_symbol: str) -> str | None:
    """``aapl.us`` -> ``AAPL``; Stooq spells class shares with a dash (``brk-b.us``)."""
    base, dot, market = stooq_symbol.lower().rpartition(".")
    if not dot or market != "us" or not base:
        return None
    return base.upper().replace("-", ".")


def _resample(bars: pd.DataFrame, rule: str) -> pd.DataFrame:
    grouped = bars.resample(rule)
    resampled = pd.DataFrame({
        "open": grouped["open"].first(),
        "high": grouped["high"].max(),
        "low": grouped["low"].min(),
        "close": grouped["close"].last(),
        "volume": grouped["volume"].sum(),
    }).dropna()
    # Stooq dates a week or month by its last trading day, not the calendar period end.
    last_days = bars.index.to_series().resample(rule).last().dropna()
    resampled.index = pd.DatetimeIndex(last_days.loc[resampled.index].to_numpy())
    return resampled
