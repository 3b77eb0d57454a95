"""Alpha Vantage's ``GET /query?function=...&apikey=...``.

Quirks kept from the real service: every number is a string (``"change_percentage":
"12.3%"``, ``"05. price": "112.1300"``), numbered keys, 4-space indented JSON, and every
refusal (missing key, rate limit, bad symbol) is an HTTP 200 whose body carries
``"Error Message"``, ``"Note"`` or ``"Information"`` instead of data.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

import pandas as pd

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.market_records import MoverRow
from tradingagents.sandbox.services.bars import bar_rows
from tradingagents.sandbox.services.base import (
    Reply,
    Request,
    Route,
    Service,
    json_reply,
    plain_number,
    route,
)
from tradingagents.sandbox.windows import Verdict

FUNCTIONS: Final = ("TOP_GAINERS_LOSERS", "TIME_SERIES_DAILY", "GLOBAL_QUOTE")
COMPACT_ROWS: Final = 100
QUOTE_CSV_HEADER: Final = (
    "symbol,open,high,low,price,volume,latestDay,previousClose,change,changePercent"
)
CSV_CONTENT: Final = "text/csv; charset=utf-8"
DOCS: Final = "https://www.alphavantage.co/documentation/"
MISSING_KEY: Final = (
    "the parameter apikey is invalid or missing. Please claim your free API key on "
    "(https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds."
)
DAILY_LIMIT: Final = (
    "Thank you for using Alpha Vantage! Our standard API rate limit is {limit} requests per "
    "day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/"
    " to instantly remove all daily rate limits."
)
BURST_LIMIT: Final = (
    "Thank you for using Alpha Vantage! Please consider spreading out your free API requests "
    "more sparingly ({limit} request per second). You may subscribe to any of the premium "
    "plans at https://www.alphavantage.co/premium/ to lift the free key rate limit and "
    "instantly unlock all premium endpoints"
)
MINUTE_LIMIT: Final = (
    "Thank you for using Alpha Vantage! Our standard API call frequency is {limit} calls per "
    "minute. Please visit https://www.alphavantage.co/premium/ if you would like to target a "
    "higher API call frequency."
)


def _pretty(payload: Any) -> Reply:
    return json_reply(payload, style="pretty")


def _invalid_call(function: str) -> Reply:
    return _pretty({"Error Message": f"Invalid API call. Please retry or visit the "
                                     f"documentation ({DOCS}) for {function}."})


def _price(value: float) -> str:
    return f"{value:.4f}"


class AlphaVantage(Service):
    name = "alpha_vantage"
    secret_params: ClassVar[frozenset[str]] = frozenset({"apikey"})
    claim_prefixes: ClassVar[tuple[str, ...]] = ("/query",)

    def routes(self) -> list[Route]:
        return [route("GET", r"/query/?", _endpoint, self.query)]

    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        key = request.query.get("apikey", "")
        if not key or (knobs.valid_keys is not None and key not in knobs.valid_keys):
            return _pretty({"Error Message": MISSING_KEY})
        return None

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        window = verdict.blocked_window_seconds or 0.0
        if window >= 86400:
            return _pretty({"Information": DAILY_LIMIT.format(limit=verdict.limit)})
        if window <= 1:
            return _pretty({"Information": BURST_LIMIT.format(limit=verdict.limit)})
        return _pretty({"Note": MINUTE_LIMIT.format(limit=verdict.limit)})

    def server_error(self, status: int) -> Reply:
        body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"
        return Reply(status, body.encode(), "text/html; charset=utf-8")

    def query(self, request: Request, _match: re.Match[str]) -> Reply:
        function = request.query.get("function", "")
        if function == "TOP_GAINERS_LOSERS":
            return self.movers()
        if function == "TIME_SERIES_DAILY":
            return self.daily(request)
        if function == "GLOBAL_QUOTE":
            return self.global_quote(request)
        return _pretty({"Error Message": f"This API function ({function}) does not exist."})

    def movers(self) -> Reply:
        movers = self.market.movers()
        return _pretty({
            "metadata": "Top gainers, losers, and most actively traded US tickers",
            "last_updated": f"{self.market.trade_date.isoformat()} 16:15:59 US/Eastern",
            "top_gainers": [_mover(row) for row in movers.top_gainers],
            "top_losers": [_mover(row) for row in movers.top_losers],
            "most_actively_traded": [_mover(row) for row in movers.most_actively_traded],
        })

    def daily(self, request: Request) -> Reply:
        symbol = request.query.get("symbol", "")
        if self.market.company(symbol) is None:
            return _invalid_call("TIME_SERIES_DAILY")
        full = request.query.get("outputsize") == "full"
        bars = self.market.bars(symbol).iloc[::-1]
        if not full:
            bars = bars.iloc[:COMPACT_ROWS]
        if request.query.get("datatype") == "csv":
            return Reply(200, _daily_csv(bars).encode(), CSV_CONTENT)
        series = {
            day: {
                "1. open": _price(open_),
                "2. high": _price(high),
                "3. low": _price(low),
                "4. close": _price(close),
                "5. volume": str(volume),
            }
            for day, open_, high, low, close, volume in bar_rows(bars)
        }
        return _pretty({
            "Meta Data": {
                "1. Information": "Daily Prices (open, high, low, close) and Volumes",
                "2. Symbol": symbol,
                "3. Last Refreshed": self.market.trade_date.isoformat(),
                "4. Output Size": "Full size" if full else "Compact",
                "5. Time Zone": "US/Eastern",
            },
            "Time Series (Daily)": series,
        })

    def global_quote(self, request: Request) -> Reply:
        symbol = request.query.get("symbol", "")
        if not symbol:
            return _invalid_call("GLOBAL_QUOTE")
        quote = self.market.quote(symbol)
        fields: dict[str, str] = {}
        if quote is not None:
            volume = int(self.market.volume[symbol].iloc[-1])
            fields = {
                "01. symbol": symbol,
                "02. open": _price(quote.o),
                "03. high": _price(quote.h),
                "04. low": _price(quote.l),
                "05. price": _price(quote.c),
                "06. volume": str(volume),
                "07. latest trading day": self.market.trade_date.isoformat(),
                "08. previous close": _price(quote.pc),
                "09. change": _price(quote.d),
                "10. change percent": f"{quote.dp:.4f}%",
            }
        if request.query.get("datatype") == "csv":
            rows = [QUOTE_CSV_HEADER] + ([",".join(fields.values())] if fields else [])
            return Reply(200, ("\r\n".join(rows) + "\r\n").encode(), CSV_CONTENT)
        return _pretty({"Global Quote": fields})


def _endpoint(request: Request, _match: re.Match[str]) -> str:
    function = request.query.get("function", "")
    return f"/query?function={function if function in FUNCTIONS else '<invalid>'}"


def _mover(row: MoverRow) -> dict[str, str]:
    return {
        "ticker": row.ticker,
        "price": plain_number(row.price),
        "change_amount": plain_number(row.change_amount),
        "change_percentage": plain_number(row.change_percentage) + "%",
        "volume": str(row.volume),
    }


def _daily_csv(bars: pd.DataFrame) -> str:
    lines = ["timestamp,open,high,low,close,volume"]
    lines.extend(
        f"{day},{_price(open_)},{_price(high)},{_price(low)},{_price(close)},{volume}"
        for day, open_, high, low, close, volume in bar_rows(bars)
    )
    return "\r\n".join(lines) + "\r\n"
