"""Typed records of Finnhub's REST answers (field aliases are Finnhub's wire names)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from tradingagents.sources.records import EpochSeconds, OptionalDate, Record


def _month_period(value: Any) -> Any:
    """Recommendation periods: "2026-05-01" now, "Sep 2019" in older answers."""
    if isinstance(value, str) and not value[:1].isdigit():
        return dt.datetime.strptime(value, "%b %Y").date()
    return value


class Quote(Record):
    """``/quote`` as of the last trade; an unknown symbol never becomes a Quote."""

    symbol: str
    price: float = Field(alias="c")
    change: float | None = Field(default=None, alias="d")
    change_percent: float | None = Field(default=None, alias="dp")
    high: float = Field(alias="h")
    low: float = Field(alias="l")
    open: float = Field(alias="o")
    previous_close: float = Field(alias="pc")
    timestamp: EpochSeconds = Field(default=None, alias="t")


class NewsArticle(Record):
    id: int
    published: EpochSeconds = Field(alias="datetime")
    headline: str
    summary: str = ""
    source: str = ""
    url: str = ""
    category: str = ""
    related: str = ""
    image: str = ""


class InsiderTransaction(Record):
    """One row of ``/stock/insider-transactions`` (Finnhub's digest of Form 4 filings)."""

    symbol: str
    name: str
    shares_after: float | None = Field(default=None, alias="share")
    change: float
    filing_date: OptionalDate = Field(default=None, alias="filingDate")
    transaction_date: OptionalDate = Field(default=None, alias="transactionDate")
    code: str = Field(alias="transactionCode")
    price: float | None = Field(default=None, alias="transactionPrice")
    is_derivative: bool = Field(default=False, alias="isDerivative")
    filing_id: str = Field(default="", alias="id")


class EarningsEvent(Record):
    symbol: str
    date: dt.date
    hour: str = ""
    quarter: int | None = None
    year: int | None = None
    eps_estimate: float | None = Field(default=None, alias="epsEstimate")
    eps_actual: float | None = Field(default=None, alias="epsActual")
    revenue_estimate: float | None = Field(default=None, alias="revenueEstimate")
    revenue_actual: float | None = Field(default=None, alias="revenueActual")


class RecommendationTrend(Record):
    symbol: str
    period: Annotated[dt.date, BeforeValidator(_month_period)]
    strong_buy: int = Field(alias="strongBuy")
    buy: int
    hold: int
    sell: int
    strong_sell: int = Field(alias="strongSell")


class UpgradeDowngrade(Record):
    """One analyst rating change (a premium endpoint: free keys get :class:`NoAccess`)."""

    symbol: str
    company: str = ""
    from_grade: str = Field(default="", alias="fromGrade")
    to_grade: str = Field(default="", alias="toGrade")
    action: str = ""
    """up, down, main(tain), init(iate) or reit(erate)."""
    grade_time: EpochSeconds = Field(default=None, alias="gradeTime")


class StockSymbol(Record):
    symbol: str
    display_symbol: str = Field(alias="displaySymbol")
    description: str
    type: str = ""
    mic: str = ""
    currency: str = ""
    figi: str = ""


class CompanyProfile(Record):
    ticker: str
    name: str
    exchange: str = ""
    industry: str = Field(default="", alias="finnhubIndustry")
    country: str = ""
    currency: str = ""
    ipo: OptionalDate = None
    market_cap_millions: float | None = Field(default=None, alias="marketCapitalization")
    shares_outstanding_millions: float | None = Field(default=None, alias="shareOutstanding")
    weburl: str = ""
    logo: str = ""
    phone: str = ""
