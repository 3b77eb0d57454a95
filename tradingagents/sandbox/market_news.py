"""Company and general market news (Finnhub ``company-news`` and ``news``).

Background headlines are drawn per calendar day from a stream keyed by (seed, day) and never
contain a catalyst keyword; planted catalyst headlines and decoys belong to the trade date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_names import NEWS_SOURCES, person_name, pick
from tradingagents.sandbox.market_records import NewsArticle
from tradingagents.sandbox.universe import Listing

NEWS_TAG = 0x4E455753  # "NEWS"
HISTORY_DAYS = 21
GENERAL_DAYS = 3
GENERAL_PER_DAY = 24
URL_ROOT = "https://news.sandbox.tradingagents.example"

BACKGROUND = (
    "{name} shares edge {updown} in {mood} trading",
    "Is {name} ({sym}) stock a buy right now?",
    "{name} to present at the {conference} conference",
    "{name} declares quarterly dividend of ${dividend} per share",
    "Why {name} stock is moving today",
    "{sym} stock: what analysts are saying ahead of earnings",
    "{name} names {person} as chief operating officer",
    "3 reasons to keep an eye on {name}",
    "{name} ({exchange}:{sym}) short interest update",
    "{name} schedules quarterly results release and conference call",
    "Institutional investor trims stake in {name}",
    "{name} CEO {person} discusses strategy in interview",
    "Options traders bet on a big move in {sym}",
    "{name}: valuation check after a {updown} run",
    "{name} stock underperforms peers on {weekday}",
    "{name} opens new facility in {city}",
)
SUMMARIES = (
    "Shares of {name} traded {updown} as investors weighed the outlook for the {industry} "
    "industry.",
    "{name} ({sym}) was in focus on {weekday}; analysts pointed to margins and demand trends.",
    "The {sector} company has drawn attention from investors in recent sessions.",
    "Market participants are watching {name} ahead of its next quarterly report.",
)
CATALYSTS = (
    "{name} receives FDA approval for {drug}",
    "{name} to acquire {other} for ${billions} billion",
    "{name} agrees to merger with {other}",
    "{name} beats estimates as revenue climbs {percent}%",
    "{name} raises guidance after a strong quarter",
    "{name} announces strategic partnership with {other}",
    "{name} unveils ${billions} billion buyback",
    "{name} approves ${billions} billion share repurchase program",
    "{name} lands contract win worth ${millions} million",
)
GENERAL = {
    "general": (
        "Stocks drift as traders await the Fed's next move",
        "Treasury yields climb after strong jobs data",
        "Oil prices slip on demand worries",
        "Wall Street closes mixed as tech cools",
        "Consumer confidence falls to a {n}-month low",
        "Small caps rally as rate-cut bets grow",
        "Dollar steadies ahead of inflation report",
        "Retail sales beat forecasts, lifting consumer stocks",
    ),
    "forex": ("Euro edges higher against the dollar", "Yen weakens past key level"),
    "crypto": ("Bitcoin swings as ETF flows slow", "Ether rises on network upgrade hopes"),
    "merger": (
        "Deal talk: {company} said to explore merger options, sources say",
        "M&A volume rebounds as buyers return",
    ),
}
_WORDS = {
    "updown": ("higher", "lower"),
    "mood": ("heavy", "light", "volatile", "active", "quiet"),
    "conference": ("Needham Growth", "J.P. Morgan Healthcare", "Goldman Sachs Communacopia",
                   "Morgan Stanley TMT", "Barclays Industrial Select"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "city": ("Austin", "Raleigh", "Phoenix", "Columbus", "Salt Lake City", "Nashville"),
    "drug": ("its lead oncology drug", "a once-weekly injection", "a new heart device",
             "its gene therapy"),
}


class _Placeholders(dict[str, str]):
    """Values for a headline template, each drawn only when the template asks for it."""

    def __init__(self, rng: np.random.Generator, listings: tuple[Listing, ...], column: int):
        super().__init__()
        self.rng, self.listings, self.listing = rng, listings, listings[column]

    def __missing__(self, key: str) -> str:
        rng, listing = self.rng, self.listing
        if key in _WORDS:
            return pick(rng, _WORDS[key])
        draws: dict[str, Callable[[], str]] = {
            "name": lambda: listing.name,
            "sym": lambda: listing.symbol,
            "exchange": lambda: listing.exchange,
            "industry": lambda: listing.industry.lower(),
            "sector": lambda: listing.sector.lower(),
            "other": lambda: pick(rng, self.listings).name,
            "person": lambda: person_name(rng),
            "dividend": lambda: f"{rng.uniform(0.05, 1.5):.2f}",
            "billions": lambda: f"{rng.uniform(0.5, 12):.1f}",
            "millions": lambda: str(int(rng.integers(50, 900))),
            "percent": lambda: str(int(rng.integers(8, 40))),
        }
        return draws[key]()


def _epoch(day: dt.date, seconds: float) -> int:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return int(midnight.timestamp() + seconds)


@dataclass(slots=True)
class NewsDesk:
    listings: tuple[Listing, ...]
    trade_date: dt.date
    articles: dict[str, list[NewsArticle]] = field(default_factory=dict)

    def fill(self, rng: np.random.Generator, template: str, column: int) -> str:
        """`template` with its placeholders drawn on demand (in template order)."""
        return template.format_map(_Placeholders(rng, self.listings, column))

    def article(
        self,
        rng: np.random.Generator,
        ident: int,
        column: int,
        day: dt.date,
        headline: str,
        summary: str | None = None,
    ) -> NewsArticle:
        latest = signals.REDDIT_AS_OF_HOUR_UTC * 3600 if day == self.trade_date else 86_000
        when = _epoch(day, float(rng.uniform(7 * 3600, latest)))
        source = pick(rng, NEWS_SOURCES)
        article = NewsArticle(
            id=ident,
            datetime=when,
            headline=headline,
            summary=summary or self.fill(rng, pick(rng, SUMMARIES), column),
            source=source,
            url=f"{URL_ROOT}/{source.lower().replace(' ', '-')}/{ident}",
            category="company",
            related=self.listings[column].symbol,
            image=f"{URL_ROOT}/img/{ident % 40}.jpg" if rng.random() < 0.7 else "",
        )
        self.articles.setdefault(article.related, []).append(article)
        return article


def _article_id(day: dt.date, serial: int) -> int:
    return (day.toordinal() - 730_000) * 100_000 + serial


def background(seed: int, desk: NewsDesk) -> None:
    caps = np.array([item.shares_outstanding * item.base_price for item in desk.listings])
    rates = 0.15 + 0.1 * np.log10(np.maximum(caps, 1e8) / 1e8)  # big caps make more news
    for back in range(HISTORY_DAYS, -1, -1):
        day = desk.trade_date - dt.timedelta(days=back)
        rng = np.random.Generator(np.random.PCG64([seed, NEWS_TAG, day.toordinal()]))
        counts = rng.poisson(rates)
        serial = 0
        for column in np.flatnonzero(counts):
            for _ in range(int(counts[column])):
                headline = desk.fill(rng, pick(rng, BACKGROUND), int(column))
                desk.article(rng, _article_id(day, serial), int(column), day, headline)
                serial += 1


@dataclass(slots=True)
class NewsPlan:
    company: dict[str, tuple[NewsArticle, ...]]
    general: tuple[NewsArticle, ...]
    planted: list[str]
    decoys: list[tuple[str, str]]


def _general_article(
    rng: np.random.Generator, desk: NewsDesk, day: dt.date, serial: int, category: str,
    headline: str,
) -> NewsArticle:
    ident = _article_id(day, 90_000 + serial)
    source = pick(rng, NEWS_SOURCES)
    latest = signals.REDDIT_AS_OF_HOUR_UTC * 3600 if day == desk.trade_date else 86_000
    return NewsArticle(
        id=ident,
        datetime=_epoch(day, float(rng.uniform(3600, latest))),
        headline=headline,
        summary="Markets digested the latest data and company updates.",
        source=source,
        url=f"{URL_ROOT}/{source.lower().replace(' ', '-')}/{ident}",
        category=category,
        related="",
        image="",
    )


def _general(seed: int, desk: NewsDesk, rng: np.random.Generator, deal_column: int
             ) -> list[NewsArticle]:
    """General news of the last days, newest first; one "deal talk" item on the trade date
    names the company at `deal_column` in its headline (``related`` stays empty)."""
    categories = list(GENERAL)
    articles = []
    for back in range(GENERAL_DAYS):
        day = desk.trade_date - dt.timedelta(days=back)
        day_rng = np.random.Generator(np.random.PCG64([seed, NEWS_TAG, day.toordinal(), 1]))
        for serial in range(GENERAL_PER_DAY):
            category = str(day_rng.choice(categories, p=[0.6, 0.15, 0.15, 0.1]))
            headline = pick(day_rng, GENERAL[category]).format(
                n=int(day_rng.integers(3, 14)), company="a mid-cap rival"
            )
            articles.append(_general_article(day_rng, desk, day, serial, category, headline))
    deal = GENERAL["merger"][0].format(company=desk.listings[deal_column].name)
    articles.append(
        _general_article(rng, desk, desk.trade_date, GENERAL_PER_DAY, "merger", deal)
    )
    articles.sort(key=lambda a: (a.datetime, a.id), reverse=True)
    return articles


def build_news(
    seed: int, rng: np.random.Generator, listings: tuple[Listing, ...], trade_date: dt.date
) -> NewsPlan:
    desk = NewsDesk(listings, trade_date)
    background(seed, desk)
    order = [int(i) for i in rng.permutation(len(listings))]
    serial = iter(range(95_000, 100_000))
    window = [trade_date - dt.timedelta(days=back) for back in range(signals.NEWS_WINDOW_DAYS)]
    planted = order[: int(rng.integers(3, 6))]
    for column in planted:
        day = window[int(rng.integers(len(window)))]
        headline = desk.fill(rng, pick(rng, CATALYSTS), column)
        desk.article(rng, _article_id(trade_date, next(serial)), column, day, headline)
    decoys: list[tuple[str, str]] = []
    pool = iter(order[len(planted) :])

    def decoy(day: dt.date, headline: str, why: str, summary: str | None = None) -> None:
        column = next(pool)
        name = listings[column].name
        desk.article(rng, _article_id(trade_date, next(serial)), column, day,
                     headline.format(name=name), summary and summary.format(name=name))
        decoys.append((listings[column].symbol, why))

    stale = trade_date - dt.timedelta(days=signals.NEWS_WINDOW_DAYS + int(rng.integers(0, 3)))
    decoy(stale, "{name} agrees to merger with a larger rival",
          "catalyst headline 2-4 days before the 2-day window")
    decoy(trade_date, "FDA extends review of {name}'s lead drug application",
          "mentions the FDA but is not an FDA approval")
    decoy(trade_date, "{name} misses estimates as margins shrink", "an earnings miss")
    decoy(trade_date, "{name} shares jump in late trading",
          "catalyst keyword only in the summary, not the headline",
          "{name} rallied after announcing a merger agreement and a new buyback.")
    deal_column = next(pool)
    general = _general(seed, desk, rng, deal_column)
    decoys.append((listings[deal_column].symbol, "named in general market news (related is "
                   "empty)"))
    company = {
        symbol: tuple(sorted(rows, key=lambda a: (a.datetime, a.id), reverse=True))
        for symbol, rows in desk.articles.items()
    }
    return NewsPlan(
        company=company,
        general=tuple(general),
        planted=[listings[c].symbol for c in planted],
        decoys=decoys,
    )
