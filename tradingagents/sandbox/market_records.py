"""The immutable records a sandbox :class:`~tradingagents.sandbox.market.Market` hands out.

Every record is a frozen dataclass whose field names follow SANDBOX_API.md; the emulator
turns them into each service's wire format, so nothing here knows about JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Exchange = Literal["NASDAQ", "NYSE"]


@dataclass(frozen=True, slots=True)
class Company:
    """One listed common stock of the sandbox universe."""

    symbol: str
    name: str
    sector: str
    industry: str
    cik: int
    exchange: Exchange
    shares_outstanding: int
    ipo: dt.date
    market_cap: float  # dollars, at the trade date's close


@dataclass(frozen=True, slots=True)
class Quote:
    """Finnhub-style quote as of the trade date's close."""

    c: float  # current (close)
    d: float  # change vs previous close
    dp: float  # percent change vs previous close
    h: float
    l: float  # noqa: E741 - Finnhub's field name
    o: float
    pc: float  # previous close
    t: int  # epoch seconds of the close


@dataclass(frozen=True, slots=True)
class MoverRow:
    """One row of Alpha Vantage's TOP_GAINERS_LOSERS lists (numbers, not strings)."""

    ticker: str
    price: float
    change_amount: float
    change_percentage: float  # percent, e.g. 12.5 for +12.5%
    volume: int


@dataclass(frozen=True, slots=True)
class Movers:
    """The three lists of TOP_GAINERS_LOSERS, 20 rows each, best first."""

    top_gainers: tuple[MoverRow, ...]
    top_losers: tuple[MoverRow, ...]
    most_actively_traded: tuple[MoverRow, ...]


TransactionCode = Literal["P", "S", "A", "M", "G", "F"]


@dataclass(frozen=True, slots=True)
class InsiderTransaction:
    """One non-derivative Form 4 transaction line."""

    symbol: str
    cik: int  # issuer CIK
    insider_name: str
    insider_cik: int
    title: str  # "CEO", "CFO", "Director", "10% Owner", ...
    is_director: bool
    is_officer: bool
    is_ten_percent_owner: bool
    transaction_date: dt.date
    filing_date: dt.date
    code: TransactionCode
    acquired_disposed: Literal["A", "D"]
    shares: int
    price: float  # 0.0 for grants and gifts
    shares_owned_after: int
    accession_number: str  # "0001234567-26-000123"


@dataclass(frozen=True, slots=True)
class EarningsEvent:
    """One quarterly report on the earnings calendar (actuals are None until reported)."""

    symbol: str
    date: dt.date
    hour: Literal["bmo", "amc", ""]
    quarter: int
    year: int
    eps_estimate: float
    eps_actual: float | None
    revenue_estimate: float
    revenue_actual: float | None


@dataclass(frozen=True, slots=True)
class RecommendationTrend:
    """Analyst recommendation counts for one month (period = first day of the month)."""

    symbol: str
    period: dt.date
    strong_buy: int
    buy: int
    hold: int
    sell: int
    strong_sell: int


@dataclass(frozen=True, slots=True)
class NewsArticle:
    """A Finnhub news item (company news has `related` = symbol, general news "")."""

    id: int
    datetime: int  # epoch seconds
    headline: str
    summary: str
    source: str
    url: str
    category: str
    related: str
    image: str


@dataclass(frozen=True, slots=True)
class RedditPost:
    """A Reddit submission with the fields praw's t3 objects carry."""

    id: str  # base36
    subreddit: str
    title: str
    selftext: str
    author: str
    score: int
    upvote_ratio: float
    num_comments: int
    created_utc: float
    link_flair_text: str | None
    permalink: str
    url: str
    over_18: bool
    stickied: bool


@dataclass(frozen=True, slots=True)
class PlantedSignal:
    """A ticker that carries `signal` on `date`, with the numbers that make it so."""

    signal: str
    ticker: str
    date: dt.date
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Decoy:
    """A ticker that looks like `signal` to a sloppy scanner but does not satisfy it."""

    signal: str
    ticker: str
    why: str
