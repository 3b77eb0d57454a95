"""Alpha Vantage through requests: market movers, daily bars, global quotes.

Alpha Vantage reports most failures as HTTP 200: ``{"Note": ...}`` / ``{"Information": ...}``
for rate limits (and premium-only functions) and ``{"Error Message": ...}`` for bad calls;
those become typed errors here and are never cached. Numbers arrive as strings
(``"201.1364%"``); the records hold real numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import pandas as pd
import requests
from pydantic import BeforeValidator, Field, SecretStr

from tradingagents.sources.bars import BarsError, normalise_bars
from tradingagents.sources.classify import error_from_exception, error_from_response
from tradingagents.sources.config import AlphaVantageConfig, ResilienceConfig
from tradingagents.sources.errors import (
    BadRequest,
    InvalidCredentials,
    MalformedResponse,
    NoAccess,
    NotFound,
    RateLimited,
    SourceError,
)
from tradingagents.sources.http import SourceSession, json_cacheable
from tradingagents.sources.records import Record, parse_one
from tradingagents.sources.resilience import Guard

NAME = "alpha_vantage"
T = TypeVar("T")
_ERROR_KEYS = ("Note", "Information", "Error Message")
_PER_MINUTE_WINDOW_SECONDS = 60.0
_BURST_WINDOW_SECONDS = 1.0

TTL_RULES = (
    (r"[?&]function=TOP_GAINERS_LOSERS(&|$)", "movers"),
    (r"[?&]function=TIME_SERIES_DAILY(&|$)", "daily"),
    (r"[?&]function=GLOBAL_QUOTE(&|$)", "quote"),
)
cacheable = json_cacheable(_ERROR_KEYS)


def _number(value: Any) -> Any:
    """ "201.1364%" -> 201.1364, "1.5" -> 1.5; Alpha Vantage sends numbers as strings."""
    if isinstance(value, str):
        return value.strip().rstrip("%").replace(",", "") or None
    return value


Number = Annotated[float, BeforeValidator(_number)]
Count = Annotated[int, BeforeValidator(lambda v: round(float(_number(v))))]


class Mover(Record):
    ticker: str
    price: Number
    change_amount: Number
    change_percentage: Number
    """In percent: 12.5 means +12.5 %."""
    volume: Count


class Movers(Record):
    """TOP_GAINERS_LOSERS as sent: warrants, units, rights and penny stocks included."""

    last_updated: str = ""
    top_gainers: list[Mover]
    top_losers: list[Mover]
    most_actively_traded: list[Mover]


class GlobalQuote(Record):
    symbol: str = Field(alias="01. symbol")
    open: Number = Field(alias="02. open")
    high: Number = Field(alias="03. high")
    low: Number = Field(alias="04. low")
    price: Number = Field(alias="05. price")
    volume: Count = Field(alias="06. volume")
    latest_trading_day: dt.date = Field(alias="07. latest trading day")
    previous_close: Number = Field(alias="08. previous close")
    change: Number = Field(alias="09. change")
    change_percent: Number = Field(alias="10. change percent")


def translate(exc: BaseException) -> SourceError | None:
    return error_from_exception(NAME, exc)


def error_in_body(body: Any) -> SourceError | None:
    """The typed error hiding in a 200 answer, if any."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("Note"), str):
        return RateLimited(NAME, body["Note"], retry_after=_PER_MINUTE_WINDOW_SECONDS)
    if isinstance(body.get("Information"), str):
        text = body["Information"]
        lowered = text.lower()
        if "this is a premium endpoint" in lowered:
            return NoAccess(NAME, text)
        if "per second" in lowered:
            return RateLimited(NAME, text, retry_after=_BURST_WINDOW_SECONDS)
        # The daily allowance is spent: waiting a few seconds will not help.
        return RateLimited(NAME, text, retryable=False)
    if isinstance(body.get("Error Message"), str):
        text = body["Error Message"]
        if "apikey" in text.lower():
            return InvalidCredentials(NAME, text)
        return BadRequest(NAME, text)
    return None


class AlphaVantageSource:
    name = NAME

    def __init__(
        self,
        settings: AlphaVantageConfig,
        api_key: str,
        session: SourceSession,
        resilience: ResilienceConfig,
    ) -> None:
        self.session = session
        self.guard = Guard(NAME, resilience, translate)
        self._url = f"{settings.base_url}/query"
        self._api_key = SecretStr(api_key)  # masked in vars() and reprs

    def top_gainers_losers(self) -> Movers:
        return self._query(
            "TOP_GAINERS_LOSERS",
            {},
            lambda body: parse_one(NAME, Movers, body, "TOP_GAINERS_LOSERS"),
        )

    def global_quote(self, symbol: str) -> GlobalQuote | None:
        """The latest quote, or ``None`` for an unknown symbol (Alpha Vantage answers ``{}``)."""

        def parse(body: dict[str, Any]) -> GlobalQuote | None:
            quote = body.get("Global Quote")
            if not quote:
                return None
            return parse_one(NAME, GlobalQuote, quote, "GLOBAL_QUOTE")

        return self._query("GLOBAL_QUOTE", {"symbol": symbol}, parse)

    def daily(
        self, symbol: str, outputsize: Literal["compact", "full"] = "compact"
    ) -> pd.DataFrame:
        """TIME_SERIES_DAILY as bars in the common schema (see :mod:`bars`), oldest first."""

        def parse(body: dict[str, Any]) -> pd.DataFrame:
            series = body.get("Time Series (Daily)")
            if not isinstance(series, dict):
                raise MalformedResponse(
                    NAME, f"TIME_SERIES_DAILY {symbol}: no 'Time Series (Daily)'"
                )
            if not series:
                raise NotFound(NAME, f"TIME_SERIES_DAILY {symbol}: no bars")
            try:
                return normalise_bars(pd.DataFrame.from_dict(series, orient="index"))
            except BarsError as exc:
                raise MalformedResponse(NAME, f"TIME_SERIES_DAILY {symbol}: {exc}") from None

        return self._query("TIME_SERIES_DAILY", {"symbol": symbol, "outputsize": outputsize}, parse)

    def close(self) -> None:
        self.guard.close()
        self.session.close()

    def _query(
        self, function: str, params: dict[str, str], parse: Callable[[dict[str, Any]], T]
    ) -> T:
        query = {"function": function, **params, "apikey": self._api_key.get_secret_value()}

        def attempt() -> T:
            response = self.session.get(self._url, params=query)
            if not response.ok:
                raise error_from_response(NAME, response)
            body = _json(response, function)
            error = error_in_body(body)
            if error is not None:
                raise error
            return parse(body)

        return self.guard.call(function, attempt)


def _json(response: requests.Response, function: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise MalformedResponse(NAME, f"{function}: the answer is not valid JSON") from None
    if not isinstance(body, dict):
        raise MalformedResponse(NAME, f"{function}: expected a JSON object")
    return body
