"""The twelve sandbox signals: one exact definition each, and a reference implementation.

Every definition uses only what a scanner sees on the wire: daily bars (the full history the
emulator serves, oldest first, last bar = the trade date D), Alpha Vantage's
TOP_GAINERS_LOSERS lists, Form 4 transactions, Finnhub's earnings calendar, recommendation
trends and company news, and Reddit posts. ``Market.truth(signal)`` is exactly the set these
functions return for the market's data, so a scanner that implements a definition gets
recall and precision 1.0.

Conventions shared by all definitions:

* D is the trade date; "the prior N-day average volume" is the mean volume of the N bars
  before D's bar (D excluded); SMA(n) is the mean close of the last n bars including D.
* "The universe" is the set of listed common stocks: Finnhub ``stock/symbol`` (and SEC
  ``company_tickers.json``). Alpha Vantage rows outside it (ETFs, warrants, units, rights,
  sub-dollar shells) are never signals.
* Calendar windows are inclusive at both ends and use UTC dates of epoch timestamps.
* The sandbox's "now" for Reddit is D at 21:00 UTC (16:00 New York, EST), see ``reddit_as_of``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradingagents.sandbox.market_records import (
    EarningsEvent,
    InsiderTransaction,
    Movers,
    NewsArticle,
    RecommendationTrend,
    RedditPost,
)

SIGNALS: tuple[str, ...] = (
    "market_movers",
    "unusual_volume",
    "volume_accumulation",
    "high_52w_breakout",
    "rsi_oversold",
    "trend_template",
    "insider_buying",
    "earnings_calendar",
    "analyst_upgrades",
    "news_catalyst",
    "reddit_trending",
    "reddit_dd",
)

# market_movers
MOVERS_MIN_PRICE = 5.0
# unusual_volume
UNUSUAL_VOLUME_LOOKBACK = 20
UNUSUAL_VOLUME_MIN_RATIO = 3.0
UNUSUAL_VOLUME_MIN_PRICE = 5.0
# volume_accumulation
ACCUMULATION_RECENT_DAYS = 5
ACCUMULATION_BASELINE_DAYS = 20
ACCUMULATION_MIN_VOLUME_RATIO = 2.0
ACCUMULATION_MAX_PRICE_CHANGE = 0.02
# high_52w_breakout
BREAKOUT_LOOKBACK = 252
BREAKOUT_VOLUME_LOOKBACK = 20
BREAKOUT_MIN_VOLUME_RATIO = 1.5
# rsi_oversold
RSI_PERIOD = 14
RSI_OVERSOLD = 30.0
RSI_TREND_SMA = 200
# trend_template
TREND_SMAS = (50, 150, 200)
TREND_SMA200_RISING_DAYS = 20
TREND_RANGE_DAYS = 252
TREND_MAX_BELOW_HIGH = 0.25
TREND_MIN_ABOVE_LOW = 0.30
# insider_buying
INSIDER_WINDOW_DAYS = 14
INSIDER_CODE = "P"
INSIDER_MIN_INSIDERS = 3
INSIDER_MIN_VALUE = 100_000.0
# earnings_calendar
EARNINGS_WINDOW_DAYS = 7
EARNINGS_HISTORY_QUARTERS = 4
EARNINGS_MIN_BEATS = 4
# analyst_upgrades
ANALYST_MIN_SHIFT = 3
# news_catalyst
NEWS_WINDOW_DAYS = 2
CATALYST_KEYWORDS: tuple[str, ...] = (
    "fda approval",
    "acquire",
    "acquisition",
    "merger",
    "beats",
    "raises guidance",
    "partnership",
    "buyback",
    "share repurchase",
    "contract win",
)
# reddit_trending / reddit_dd
REDDIT_SUBREDDITS: tuple[str, ...] = ("wallstreetbets", "stocks")
REDDIT_AS_OF_HOUR_UTC = 21
REDDIT_WINDOW_HOURS = 24
REDDIT_MIN_POSTS = 5
REDDIT_STOP_WORDS: frozenset[str] = frozenset(
    {
        "A", "I", "AM", "AN", "ALL", "AND", "ANY", "ARE", "AS", "AT", "BE", "BY", "DO", "GO", "IF",
        "IN", "IS", "IT", "ME", "MY", "NO", "NOT", "NOW", "OF", "OK", "ON", "OR", "SO", "TO", "UP",
        "US", "WE", "THE", "FOR", "OUT", "NEW", "BIG", "ONE", "TWO", "BUY", "SELL", "HOLD", "CALL",
        "CALLS", "PUT", "PUTS", "LONG", "SHORT", "MOON", "APE", "APES", "YOLO", "DD", "CEO", "CFO",
        "CTO", "COO", "ATH", "ATL", "IMO", "IMHO", "TLDR", "FYI", "EPS", "PE", "PT", "IV", "OTM",
        "ITM", "ATM", "EOD", "EOW", "FOMO", "HODL", "LFG", "LOL", "WSB", "USA", "USD", "EU", "UK",
        "FDA", "SEC", "IPO", "ETF", "GDP", "CPI", "FOMC", "FED", "AI", "EV", "TV", "CNBC", "ER",
        "OP", "RH", "BTFD", "GAIN", "LOSS", "PSA", "WTF", "EDIT", "TA", "FA",
    }
)
DD_FLAIR = "DD"
DD_MIN_SELFTEXT_CHARS = 500

_CASHTAG = re.compile(r"\$([A-Za-z]{1,5})\b")
_BARE_UPPER = re.compile(r"(?<![$\w])([A-Z]{1,5})\b")


# -- indicators (last value per ticker; frames are dates x tickers, oldest first) -----------
def prior_mean(frame: pd.DataFrame, days: int, skip: int = 1) -> pd.Series:
    """Mean of the `days` rows ending `skip` rows before the last row."""
    return frame.iloc[-(days + skip) : len(frame) - skip].mean()


def sma(close: pd.DataFrame, days: int, ending_rows_before_last: int = 0) -> pd.Series:
    """SMA(days) of close, ending `ending_rows_before_last` rows before the last row."""
    return prior_mean(close, days, skip=ending_rows_before_last)


def wilder_rsi(close: pd.DataFrame, period: int = RSI_PERIOD) -> pd.Series:
    """Wilder's RSI of the last bar over the whole series, exactly as TA-Lib's RSI(period):
    the first averages are simple means of the first `period` gains/losses, then
    avg = (avg * (period - 1) + today) / period."""
    values = close.to_numpy(dtype=np.float64)
    change = np.diff(values, axis=0)
    gains = np.clip(change, 0.0, None)
    losses = np.clip(-change, 0.0, None)
    avg_gain = gains[:period].mean(axis=0)
    avg_loss = losses[:period].mean(axis=0)
    for t in range(period, len(change)):
        avg_gain = (avg_gain * (period - 1) + gains[t]) / period
        avg_loss = (avg_loss * (period - 1) + losses[t]) / period
    total = avg_gain + avg_loss
    rsi: npt.NDArray[np.float64] = np.divide(
        100.0 * avg_gain, total, out=np.zeros_like(total), where=total > 0
    )
    return pd.Series(rsi, index=close.columns)


# -- price and volume signals ------------------------------------------------------------
def market_movers(movers: Movers, universe: Collection[str]) -> frozenset[str]:
    """market_movers: tickers in Alpha Vantage's ``top_gainers`` or ``top_losers`` list that
    are universe common stocks with ``price >= MOVERS_MIN_PRICE`` ($5). ETFs, warrants
    (``..W``, ``..+``), units (``..U``), rights (``..R``) and other non-universe listings,
    and sub-$5 stocks, are not movers. ``most_actively_traded`` is not part of the signal."""
    return frozenset(
        row.ticker
        for row in (*movers.top_gainers, *movers.top_losers)
        if row.ticker in universe and row.price >= MOVERS_MIN_PRICE
    )


def unusual_volume_metrics(close: pd.DataFrame, volume: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "close": close.iloc[-1],
            "volume_ratio": volume.iloc[-1] / prior_mean(volume, UNUSUAL_VOLUME_LOOKBACK),
        }
    )


def unusual_volume(close: pd.DataFrame, volume: pd.DataFrame) -> frozenset[str]:
    """unusual_volume: volume(D) >= UNUSUAL_VOLUME_MIN_RATIO (3.0) x the prior
    UNUSUAL_VOLUME_LOOKBACK (20)-day average volume, and close(D) >= $5."""
    metrics = unusual_volume_metrics(close, volume)
    hit = (metrics["volume_ratio"] >= UNUSUAL_VOLUME_MIN_RATIO) & (
        metrics["close"] >= UNUSUAL_VOLUME_MIN_PRICE
    )
    return frozenset(metrics.index[hit])


def accumulation_metrics(close: pd.DataFrame, volume: pd.DataFrame) -> pd.DataFrame:
    recent = volume.iloc[-ACCUMULATION_RECENT_DAYS:].mean()
    baseline = prior_mean(volume, ACCUMULATION_BASELINE_DAYS, skip=ACCUMULATION_RECENT_DAYS)
    return pd.DataFrame(
        {
            "volume_ratio": recent / baseline,
            "price_change": close.iloc[-1] / close.iloc[-1 - ACCUMULATION_RECENT_DAYS] - 1.0,
        }
    )


def volume_accumulation(close: pd.DataFrame, volume: pd.DataFrame) -> frozenset[str]:
    """volume_accumulation: the average volume of the last ACCUMULATION_RECENT_DAYS (5) bars
    (D included) >= ACCUMULATION_MIN_VOLUME_RATIO (2.0) x the average of the
    ACCUMULATION_BASELINE_DAYS (20) bars before them, while the price is flat:
    |close(D) / close(D-5 bars) - 1| <= ACCUMULATION_MAX_PRICE_CHANGE (2%)."""
    metrics = accumulation_metrics(close, volume)
    hit = (metrics["volume_ratio"] >= ACCUMULATION_MIN_VOLUME_RATIO) & (
        metrics["price_change"].abs() <= ACCUMULATION_MAX_PRICE_CHANGE
    )
    return frozenset(metrics.index[hit])


def breakout_metrics(
    close: pd.DataFrame, high: pd.DataFrame, volume: pd.DataFrame
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "close": close.iloc[-1],
            "prior_52w_high": prior_max(high, BREAKOUT_LOOKBACK),
            "volume_ratio": volume.iloc[-1] / prior_mean(volume, BREAKOUT_VOLUME_LOOKBACK),
        }
    )


def prior_max(frame: pd.DataFrame, days: int) -> pd.Series:
    """Max of the `days` rows before the last row."""
    return frame.iloc[-(days + 1) : -1].max()


def high_52w_breakout(
    close: pd.DataFrame, high: pd.DataFrame, volume: pd.DataFrame
) -> frozenset[str]:
    """high_52w_breakout: close(D) > the highest high of the BREAKOUT_LOOKBACK (252) bars
    before D (D excluded), on volume(D) >= BREAKOUT_MIN_VOLUME_RATIO (1.5) x the prior
    BREAKOUT_VOLUME_LOOKBACK (20)-day average volume."""
    metrics = breakout_metrics(close, high, volume)
    hit = (metrics["close"] > metrics["prior_52w_high"]) & (
        metrics["volume_ratio"] >= BREAKOUT_MIN_VOLUME_RATIO
    )
    return frozenset(metrics.index[hit])


def rsi_metrics(close: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"rsi": wilder_rsi(close), "close": close.iloc[-1], "sma200": sma(close, RSI_TREND_SMA)}
    )


def rsi_oversold(close: pd.DataFrame) -> frozenset[str]:
    """rsi_oversold: Wilder RSI(RSI_PERIOD=14) of the close at D, computed over the full
    served history (TA-Lib's RSI on every bar), is < RSI_OVERSOLD (30) while close(D) >
    SMA(RSI_TREND_SMA=200): an oversold dip inside a long-term uptrend."""
    metrics = rsi_metrics(close)
    hit = (metrics["rsi"] < RSI_OVERSOLD) & (metrics["close"] > metrics["sma200"])
    return frozenset(metrics.index[hit])


def trend_metrics(close: pd.DataFrame, high: pd.DataFrame, low: pd.DataFrame) -> pd.DataFrame:
    fast, middle, slow = TREND_SMAS
    return pd.DataFrame(
        {
            "close": close.iloc[-1],
            "sma50": sma(close, fast),
            "sma150": sma(close, middle),
            "sma200": sma(close, slow),
            "sma200_before": sma(close, slow, ending_rows_before_last=TREND_SMA200_RISING_DAYS),
            "high_52w": high.iloc[-TREND_RANGE_DAYS:].max(),
            "low_52w": low.iloc[-TREND_RANGE_DAYS:].min(),
        }
    )


def trend_conditions(metrics: pd.DataFrame) -> pd.DataFrame:
    """The five boolean conditions of the trend template, one column each."""
    return pd.DataFrame(
        {
            "close_above_sma50": metrics["close"] > metrics["sma50"],
            "smas_stacked": (metrics["sma50"] > metrics["sma150"])
            & (metrics["sma150"] > metrics["sma200"]),
            "sma200_rising": metrics["sma200"] > metrics["sma200_before"],
            "near_high": metrics["close"] >= (1.0 - TREND_MAX_BELOW_HIGH) * metrics["high_52w"],
            "above_low": metrics["close"] >= (1.0 + TREND_MIN_ABOVE_LOW) * metrics["low_52w"],
        }
    )


def trend_template(close: pd.DataFrame, high: pd.DataFrame, low: pd.DataFrame) -> frozenset[str]:
    """trend_template (Minervini): close(D) > SMA50 > SMA150 > SMA200; SMA200(D) > SMA200 as
    of TREND_SMA200_RISING_DAYS (20) bars earlier; close(D) >= (1 - 25%) x the 52-week high
    and >= (1 + 30%) x the 52-week low, where the 52-week high/low are the max high / min
    low of the last TREND_RANGE_DAYS (252) bars including D."""
    conditions = trend_conditions(trend_metrics(close, high, low))
    return frozenset(conditions.index[conditions.all(axis=1)])


# -- event signals -----------------------------------------------------------------------
def insider_metrics(
    transactions: Iterable[InsiderTransaction], trade_date: dt.date
) -> dict[str, tuple[int, float]]:
    """symbol -> (distinct insiders with code P, total P value) within the window."""
    start = trade_date - dt.timedelta(days=INSIDER_WINDOW_DAYS - 1)
    insiders: dict[str, set[int]] = defaultdict(set)
    value: dict[str, float] = defaultdict(float)
    for row in transactions:
        if row.code == INSIDER_CODE and start <= row.transaction_date <= trade_date:
            insiders[row.symbol].add(row.insider_cik)
            value[row.symbol] += row.shares * row.price
    return {symbol: (len(insiders[symbol]), value[symbol]) for symbol in insiders}


def insider_buying(
    transactions: Iterable[InsiderTransaction], trade_date: dt.date
) -> frozenset[str]:
    """insider_buying: a cluster of open-market purchases. Among Form 4 transactions with
    code == "P" (only P: not A/M grants and exercises, not S/F/G) and a transaction date in
    the INSIDER_WINDOW_DAYS (14) calendar days D-13..D, at least INSIDER_MIN_INSIDERS (3)
    distinct insiders (by insider CIK), and sum(shares x price) >= INSIDER_MIN_VALUE
    ($100k). A single insider buying several times counts once; a lone purchase, however
    large (even a CEO's), is not a cluster and not this signal."""
    return frozenset(
        symbol
        for symbol, (insiders, value) in insider_metrics(transactions, trade_date).items()
        if insiders >= INSIDER_MIN_INSIDERS and value >= INSIDER_MIN_VALUE
    )


def earnings_metrics(
    events: Iterable[EarningsEvent], trade_date: dt.date
) -> dict[str, tuple[dt.date, int, int]]:
    """symbol -> (next report date, reported quarters looked at, beats among them) for
    symbols reporting within the window."""
    last_day = trade_date + dt.timedelta(days=EARNINGS_WINDOW_DAYS)
    by_symbol: dict[str, list[EarningsEvent]] = defaultdict(list)
    for event in events:
        by_symbol[event.symbol].append(event)
    metrics = {}
    for symbol, rows in by_symbol.items():
        upcoming = sorted(e.date for e in rows if trade_date < e.date <= last_day)
        if not upcoming:
            continue
        reported = sorted(
            (e for e in rows if e.date <= trade_date and e.eps_actual is not None),
            key=lambda e: e.date,
        )[-EARNINGS_HISTORY_QUARTERS:]
        beats = sum(
            1 for e in reported if e.eps_actual is not None and e.eps_actual > e.eps_estimate
        )
        metrics[symbol] = (upcoming[0], len(reported), beats)
    return metrics


def earnings_calendar(events: Iterable[EarningsEvent], trade_date: dt.date) -> frozenset[str]:
    """earnings_calendar: a report dated D+1..D+EARNINGS_WINDOW_DAYS (7 calendar days; D
    itself excluded), and a history of beats: among the EARNINGS_HISTORY_QUARTERS (4) most
    recent reports dated <= D (those have eps_actual), all 4 exist and at least
    EARNINGS_MIN_BEATS (4, i.e. every one of them) have eps_actual > eps_estimate (strictly:
    meeting is not beating).
    The history comes from the same calendar endpoint queried over the past ~400 days."""
    return frozenset(
        symbol
        for symbol, (_, quarters, beats) in earnings_metrics(events, trade_date).items()
        if quarters == EARNINGS_HISTORY_QUARTERS and beats >= EARNINGS_MIN_BEATS
    )


def analyst_shift(trends: Sequence[RecommendationTrend], trade_date: dt.date) -> int | None:
    """(strong_buy + buy) of D's month minus that of the month before; None if either lacks."""
    latest = trade_date.replace(day=1)
    previous = (latest - dt.timedelta(days=1)).replace(day=1)
    by_period = {trend.period: trend.strong_buy + trend.buy for trend in trends}
    if latest not in by_period or previous not in by_period:
        return None
    return by_period[latest] - by_period[previous]


def analyst_upgrades(
    trends: Mapping[str, Sequence[RecommendationTrend]], trade_date: dt.date
) -> frozenset[str]:
    """analyst_upgrades: in Finnhub recommendation trends, (strong_buy + buy) for the period
    of D's month (period = first day of that month) minus (strong_buy + buy) for the
    previous month's period >= ANALYST_MIN_SHIFT (3). Shifts between older months, toward
    hold/sell, or in strong_buy alone while buy falls by as much, do not count."""
    hits = set()
    for symbol, rows in trends.items():
        shift = analyst_shift(rows, trade_date)
        if shift is not None and shift >= ANALYST_MIN_SHIFT:
            hits.add(symbol)
    return frozenset(hits)


def is_catalyst_headline(headline: str) -> bool:
    """True when any CATALYST_KEYWORDS entry is a substring of the lower-cased headline."""
    lowered = headline.lower()
    return any(keyword in lowered for keyword in CATALYST_KEYWORDS)


def utc_date(epoch_seconds: float) -> dt.date:
    return dt.datetime.fromtimestamp(epoch_seconds, tz=dt.UTC).date()


def news_catalyst(articles: Iterable[NewsArticle], trade_date: dt.date) -> frozenset[str]:
    """news_catalyst: company news (Finnhub ``company-news``; the ticker is the article's
    ``related`` symbol) published on D-1 or D (NEWS_WINDOW_DAYS = 2 calendar days, UTC date
    of ``datetime``) whose *headline* contains a CATALYST_KEYWORDS phrase (case-insensitive
    substring; the summary does not count). General market news (``related`` == "") never
    makes a ticker a catalyst."""
    first_day = trade_date - dt.timedelta(days=NEWS_WINDOW_DAYS - 1)
    return frozenset(
        article.related
        for article in articles
        if article.related
        and first_day <= utc_date(article.datetime) <= trade_date
        and is_catalyst_headline(article.headline)
    )


def reddit_as_of(trade_date: dt.date) -> float:
    """The sandbox's "now" for Reddit: D at REDDIT_AS_OF_HOUR_UTC (21:00 UTC), epoch s."""
    moment = dt.datetime.combine(trade_date, dt.time(REDDIT_AS_OF_HOUR_UTC), tzinfo=dt.UTC)
    return moment.timestamp()


def in_reddit_window(post: RedditPost, trade_date: dt.date) -> bool:
    """as_of - REDDIT_WINDOW_HOURS (24 h) < created_utc <= as_of, in a REDDIT_SUBREDDITS sub."""
    as_of = reddit_as_of(trade_date)
    return (
        post.subreddit.lower() in REDDIT_SUBREDDITS
        and as_of - REDDIT_WINDOW_HOURS * 3600 < post.created_utc <= as_of
    )


def ticker_mentions(text: str, universe: Collection[str]) -> frozenset[str]:
    """Universe tickers a text mentions: a cashtag ``$XYZ`` (1-5 letters, any case, upper-
    cased) that is a universe symbol, or a bare all-uppercase word of 1-5 letters (not glued
    to ``$``, letters, digits or ``_``) that is a universe symbol and not in
    REDDIT_STOP_WORDS. Lower-case words never count; "$ALL" counts, a bare "ALL" does not."""
    cashtags = {match.upper() for match in _CASHTAG.findall(text)}
    bare = {word for word in _BARE_UPPER.findall(text) if word not in REDDIT_STOP_WORDS}
    return frozenset(symbol for symbol in cashtags | bare if symbol in universe)


def post_mentions(post: RedditPost, universe: Collection[str]) -> frozenset[str]:
    """Tickers a post mentions in its title or selftext (each counted once per post)."""
    return ticker_mentions(f"{post.title}\n{post.selftext}", universe)


def reddit_post_counts(
    posts: Iterable[RedditPost], universe: Collection[str], trade_date: dt.date
) -> dict[str, int]:
    """ticker -> number of distinct in-window posts mentioning it."""
    counts: dict[str, int] = defaultdict(int)
    for post in posts:
        if in_reddit_window(post, trade_date):
            for ticker in post_mentions(post, universe):
                counts[ticker] += 1
    return dict(counts)


def reddit_trending(
    posts: Iterable[RedditPost], universe: Collection[str], trade_date: dt.date
) -> frozenset[str]:
    """reddit_trending: tickers mentioned (see ``ticker_mentions``, title + selftext) in at
    least REDDIT_MIN_POSTS (5) distinct posts of r/wallstreetbets and r/stocks together
    within the REDDIT_WINDOW_HOURS (24 h) up to ``reddit_as_of(D)``. A post repeating a
    ticker counts once; $-cashtags and bare mentions count alike for membership."""
    return frozenset(
        ticker
        for ticker, count in reddit_post_counts(posts, universe, trade_date).items()
        if count >= REDDIT_MIN_POSTS
    )


def dd_primary_ticker(post: RedditPost, universe: Collection[str]) -> str | None:
    """The post's primary ticker when it is a qualifying DD post, else None."""
    if post.link_flair_text != DD_FLAIR or len(post.selftext) < DD_MIN_SELFTEXT_CHARS:
        return None
    in_title = ticker_mentions(post.title, universe)
    return next(iter(in_title)) if len(in_title) == 1 else None


def reddit_dd(
    posts: Iterable[RedditPost], universe: Collection[str], trade_date: dt.date
) -> frozenset[str]:
    """reddit_dd: the primary tickers of due-diligence posts within the Reddit window (same
    24 h, same two subreddits): link_flair_text == DD_FLAIR ("DD", exact), len(selftext) >=
    DD_MIN_SELFTEXT_CHARS (500 characters), and the *title* mentions exactly one ticker
    (``ticker_mentions``); that ticker is the post's primary ticker."""
    hits = set()
    for post in posts:
        if in_reddit_window(post, trade_date):
            ticker = dd_primary_ticker(post, universe)
            if ticker is not None:
                hits.add(ticker)
    return frozenset(hits)


