"""Massive (formerly Polygon.io) REST, as the ``massive`` client sees it.

* ``GET /v2/aggs/grouped/locale/us/market/stocks/{date}``: every instrument's bar of one
  session (``T, o, h, l, c, v, vw, t, n``); a day without a session (weekend, a date past the
  sandbox's trade date) answers ``resultsCount: 0`` with no ``results`` key, like the real one.
  ``adjusted=false`` serves prices as traded: before a planted split's ex-date they are in
  pre-split shares.
* ``GET /v3/reference/tickers``: the listing, paginated by ``limit`` (at most 1000) and a
  ``next_url`` cursor. Besides the market's common stocks (``CS``) it lists the instruments the
  grouped rows really mix in: ETFs on ARCX, warrants (``ABCw``), rights (``ABCr``), units
  (``ABC.U``), preferreds (``ABCpA``) and exchange test tickers (``ZTST``, ``ZVZZT``...), which
  the reference gives no ``type``. Only ``type`` tells a stock from the rest.
* ``GET /v3/reference/splits``: the planted splits (``execution_date, split_from, split_to,
  ticker``) up to the trade date; ratio = split_to / split_from.

The key travels as ``Authorization: Bearer <key>`` (or ``apiKey=``); a missing key is 401
``API Key was not provided``, a key outside ``valid_keys`` 401 ``Unknown API Key``, and over
the rate limit (the free tier's 5/min is the knob ``rate_limit: {per_minute: 5}``) 429.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.services.base import (
    Reply,
    Request,
    Route,
    Service,
    json_reply,
    route,
    stable_seed,
    stable_token,
)
from tradingagents.sandbox.windows import Verdict

GROUPED: Final = r"/v2/aggs/grouped/locale/us/market/stocks/(?P<date>[^/]+)"
TICKERS: Final = "/v3/reference/tickers"
SPLITS: Final = "/v3/reference/splits"
MICS: Final = {"NASDAQ": "XNAS", "NYSE": "XNYS"}
NEW_YORK: Final = "America/New_York"
TEST_TICKERS: Final = ("ZTST", "ZVZZT", "ZBZX", "ZXZZT", "NTEST", "ATEST")
ETFS: Final = (("SPY", 1.0), ("QQQ", 1.3), ("IWM", 0.6), ("XLF", 0.12), ("DIA", 1.1))
# Shares of the common stocks that also have a warrant, right, unit or preferred listed.
DERIVED: Final = (
    ("WARRANT", "w", 0.04, 0.08),
    ("RIGHT", "r", 0.02, 0.01),
    ("UNIT", ".U", 0.02, 0.0),
    ("PFD", "pA", 0.03, 0.0),
)
SPLIT_SHARE: Final = 0.01  # of the common stocks get planted splits
SPLIT_PERIOD_DAYS: Final = 500  # calendar days between one stock's splits
SPLIT_RATIOS: Final = ((1, 2), (1, 3), (1, 4), (10, 1))  # (from, to); 10-for-1 is reverse
MAX_LIMIT: Final = 1000
NOT_PROVIDED: Final = "API Key was not provided"
UNKNOWN_KEY: Final = "Unknown API Key"
EXCEEDED: Final = (
    "You've exceeded the maximum requests per minute, please wait or upgrade your"
    " subscription to continue. https://massive.com/pricing"
)


@dataclass(frozen=True)
class Instrument:
    ticker: str
    name: str
    type: str | None  # None: the reference gives no type (exchange test tickers)
    exchange: str
    underlying: str | None  # the common stock whose bars it follows (scaled), if any
    scale: float


@dataclass(frozen=True)
class PlantedSplit:
    ticker: str
    execution_date: dt.date
    split_from: int
    split_to: int

    @property
    def ratio(self) -> float:
        return self.split_to / self.split_from


class Massive(Service):
    name = "massive"
    secret_params: ClassVar[frozenset[str]] = frozenset({"apiKey"})
    claim_prefixes: ClassVar[tuple[str, ...]] = ("/v2/aggs/", "/v3/reference/")

    def routes(self) -> list[Route]:
        return [
            route("GET", GROUPED, "/v2/aggs/grouped", self.grouped_daily),
            route("GET", TICKERS + "/?", TICKERS, self.tickers),
            route("GET", SPLITS + "/?", SPLITS, self.splits),
        ]

    # -- the real service's refusals ------------------------------------------------------
    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        header = request.header("Authorization") or ""
        key = header.removeprefix("Bearer ").strip() or request.query.get("apiKey", "")
        if not key:
            return _error(NOT_PROVIDED, 401, request)
        if knobs.valid_keys is not None and key not in knobs.valid_keys:
            return _error(UNKNOWN_KEY, 401, request)
        return None

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        return _error(EXCEEDED, 429, request)

    def server_error(self, status: int) -> Reply:
        return json_reply({"status": "ERROR", "error": "Internal Server Error"}, status=status)

    def not_found(self, request: Request) -> Reply:
        return json_reply({"status": "NOT_FOUND", "message": "Not found"}, status=404)

    # -- endpoints ------------------------------------------------------------------------
    def grouped_daily(self, request: Request, match: re.Match[str]) -> Reply:
        try:
            day = dt.date.fromisoformat(match.group("date"))
        except ValueError:
            return json_reply(
                {
                    "status": "ERROR",
                    "request_id": _request_id(request),
                    "error": f"Could not parse the date {match.group('date')!r}",
                },
                status=400,
            )
        adjusted = request.query.get("adjusted", "true").lower() != "false"
        body: dict[str, Any] = {
            "queryCount": 0,
            "resultsCount": 0,
            "adjusted": adjusted,
            "status": "OK",
            "request_id": _request_id(request),
        }
        rows = self._rows(day, adjusted)
        if rows:
            body.update(queryCount=len(rows), resultsCount=len(rows), count=len(rows), results=rows)
        return json_reply(body)

    def tickers(self, request: Request, _match: re.Match[str]) -> Reply:
        query = request.query
        try:
            limit = min(int(query.get("limit", "100")), MAX_LIMIT)
            start = int(query.get("cursor", "0"))
        except ValueError:
            return json_reply(
                {
                    "status": "ERROR",
                    "request_id": _request_id(request),
                    "error": "limit and cursor must be integers",
                },
                status=400,
            )
        listed = [
            i
            for i in self.instruments()
            if query.get("type") in (None, i.type)
            and query.get("exchange") in (None, i.exchange)
            and query.get("ticker") in (None, i.ticker)
            and query.get("market", "stocks") == "stocks"
            and query.get("active", "true").lower() == "true"
        ]
        page = listed[start : start + max(limit, 1)]
        body: dict[str, Any] = {
            "results": [self._reference(i) for i in page],
            "status": "OK",
            "request_id": _request_id(request),
            "count": len(page),
        }
        if start + len(page) < len(listed):
            rest = {k: v for k, v in query.items() if k not in ("cursor", "apiKey")}
            body["next_url"] = (
                f"http://{request.header('Host') or '127.0.0.1'}{TICKERS}?"
                + urlencode({**rest, "cursor": str(start + len(page))})
            )
        return json_reply(body)

    def splits(self, request: Request, _match: re.Match[str]) -> Reply:
        ticker = request.query.get("ticker")
        try:
            since = dt.date.fromisoformat(request.query.get("execution_date.gte", "0001-01-01"))
        except ValueError:
            return _error("execution_date.gte must be a date (YYYY-MM-DD)", 400, request)
        results = [
            {
                "id": stable_token("split", s.ticker, s.execution_date, length=12),
                "execution_date": s.execution_date.isoformat(),
                "split_from": s.split_from,
                "split_to": s.split_to,
                "ticker": s.ticker,
            }
            for s in self.planted_splits()
            if ticker in (None, s.ticker) and s.execution_date >= since
        ]
        return json_reply({"results": results, "status": "OK", "request_id": _request_id(request)})

    # -- the market as Massive lists it ---------------------------------------------------
    @functools.cached_property
    def _instruments(self) -> tuple[Instrument, ...]:
        seed = self.market.seed
        found = [
            Instrument(c.symbol, c.name, "CS", MICS[c.exchange], c.symbol, 1.0)
            for c in self.market.companies
        ]
        for kind, suffix, share, scale in DERIVED:
            for company in self.market.companies:
                if stable_seed(seed, kind, company.symbol) % 1000 < share * 1000:
                    found.append(
                        Instrument(
                            company.symbol + suffix,
                            f"{company.name} {kind.title()}",
                            kind,
                            MICS[company.exchange],
                            company.symbol if scale else None,
                            scale,
                        )
                    )
        for ticker, scale in ETFS:
            found.append(Instrument(ticker, f"{ticker} Trust", "ETF", "ARCX", None, scale))
        for ticker in TEST_TICKERS:
            found.append(Instrument(ticker, f"{ticker} Test Ticker", None, "XNAS", None, 0.0))
        return tuple(sorted(found, key=lambda i: i.ticker))

    def instruments(self) -> tuple[Instrument, ...]:
        return self._instruments

    @functools.cached_property
    def _splits(self) -> tuple[PlantedSplit, ...]:
        seed, last = self.market.seed, self.market.trade_date
        first = self.market.dates[0].date()
        planted = []
        for company in self.market.companies:
            draw = stable_seed(seed, "split", company.symbol)
            if draw % 1000 >= SPLIT_SHARE * 1000:
                continue
            # Absolute dates: a stock's splits do not move with the sandbox's trade date.
            day = dt.date(2000, 1, 3) + dt.timedelta(days=int((draw >> 32) % SPLIT_PERIOD_DAYS))
            ratio = SPLIT_RATIOS[(draw >> 16) % len(SPLIT_RATIOS)]
            while day <= last:
                session = _next_session(self.market.dates, day) if day >= first else None
                if session is not None and session <= last:
                    planted.append(PlantedSplit(company.symbol, session, *ratio))
                day += dt.timedelta(days=SPLIT_PERIOD_DAYS)
        return tuple(sorted(planted, key=lambda s: (s.execution_date, s.ticker)))

    def planted_splits(self) -> tuple[PlantedSplit, ...]:
        return self._splits

    def _reference(self, instrument: Instrument) -> dict[str, Any]:
        record: dict[str, Any] = {
            "ticker": instrument.ticker,
            "name": instrument.name,
            "market": "stocks",
            "locale": "us",
            "primary_exchange": instrument.exchange,
            "active": True,
            "currency_name": "usd",
            "last_updated_utc": f"{self.market.trade_date.isoformat()}T00:00:00Z",
        }
        if instrument.type is not None:
            record["type"] = instrument.type
            record["composite_figi"] = "BBG" + stable_token("figi", instrument.ticker, length=9)
        return record

    def _rows(self, day: dt.date, adjusted: bool) -> list[dict[str, Any]]:
        stamp = pd.Timestamp(day)
        if day > self.market.trade_date or stamp not in self.market.dates:
            return []
        position = int(self.market.dates.searchsorted(stamp))
        millis = int(pd.Timestamp(day, tz=NEW_YORK).timestamp() * 1000)
        factors = {} if adjusted else _as_traded_factors(self.planted_splits(), day)
        closes = self.market.close.iloc[position]
        rows = []
        for instrument in self.instruments():
            bar = self._bar(instrument, position, closes)
            if bar is None:
                continue
            o, h, lo, c, v = bar
            factor = factors.get(instrument.ticker, 1.0)
            o, h, lo, c, v = o * factor, h * factor, lo * factor, c * factor, v / factor
            row: dict[str, Any] = {
                "T": instrument.ticker,
                "v": round(v, 4) if v % 1 else int(v),
                "o": round(o, 4),
                "c": round(c, 4),
                "h": round(h, 4),
                "l": round(lo, 4),
                "t": millis,
            }
            if instrument.type is not None:  # test tickers come without vwap or trades
                row["vw"] = round((h + lo + 2 * c) / 4, 4)
                row["n"] = max(int(v / 180), 1)
            rows.append(row)
        return rows

    def _bar(
        self, instrument: Instrument, position: int, closes: pd.Series
    ) -> tuple[float, float, float, float, float] | None:
        market = self.market
        if instrument.underlying is not None:
            symbol, scale = instrument.underlying, instrument.scale
            values = [
                float(f[symbol].iloc[position])
                for f in (market.open, market.high, market.low, market.close, market.volume)
            ]
            if not np.isfinite(values).all():
                return None
            o, h, lo, c, v = values
            return o * scale, h * scale, lo * scale, c * scale, v / 40 if scale != 1 else v
        if instrument.type == "ETF":
            level = float(np.nanmedian(closes.to_numpy())) * instrument.scale * 4
            return level * 0.998, level * 1.006, level * 0.994, level, 2.5e7 * instrument.scale
        if instrument.type is None:  # exchange test tickers: odd fixed prices
            return 12345.0, 12345.0, 12345.0, 12345.0, 100.0
        # Units and preferreds trade near their issue price.
        par = 10.0 if instrument.type == "UNIT" else 25.0
        wobble = 1 + 0.002 * np.sin(position + stable_seed(instrument.ticker) % 7)
        return par, par * 1.001, par * 0.999, par * wobble, 12_000.0


def _as_traded_factors(splits: tuple[PlantedSplit, ...], day: dt.date) -> Mapping[str, float]:
    """Per ticker: what an adjusted price on ``day`` is multiplied by to be as traded, i.e.
    the product of the ratios of the splits after ``day``."""
    factors: dict[str, float] = {}
    for split in splits:
        if split.execution_date > day:
            factors[split.ticker] = factors.get(split.ticker, 1.0) * split.ratio
    return factors


def _next_session(dates: pd.DatetimeIndex, day: dt.date) -> dt.date | None:
    position = int(dates.searchsorted(pd.Timestamp(day)))
    return None if position >= len(dates) else dates[position].date()


def _request_id(request: Request) -> str:
    return stable_token(
        "massive",
        request.path,
        sorted(request.query.items()),
        length=32,
        alphabet="0123456789abcdef",
    )


def _error(message: str, status: int, request: Request) -> Reply:
    return json_reply(
        {"status": "ERROR", "request_id": _request_id(request), "error": message},
        status=status,
    )
