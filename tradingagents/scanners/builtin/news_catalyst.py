"""news_catalyst: companies with a catalyst headline (deal, approval, buyback...) in the news.

Definition (the sandbox's ``news_catalyst``): an article about the company (Finnhub company
news; its ticker is the symbol it was asked for) published on D-1 or D (``window_days`` = 2
calendar days, UTC date of the timestamp) whose *headline* contains a ``keywords`` phrase
(case-insensitive substring; the summary does not count). General market news is read too,
but it names a company only through its ``related`` field: an article with an empty
``related`` (most of them) never makes a ticker a catalyst.

Company news has no batch endpoint: one logged ``get_company_news`` call per universe symbol,
``workers`` at a time (see :mod:`tradingagents.scanners.fanout`), plus one
``get_general_news`` call.

Ranking: more distinct catalyst headlines first, then the newest. Priority: ``high`` with
two or more distinct catalyst headlines (corroborated), ``medium`` with one published on the
trade date, ``low`` with one from the day before.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.fanout import WORKERS_PARAM, fan_out
from tradingagents.scanners.registry import SCANNER_REGISTRY
from tradingagents.scanners.universe import load_universe
from tradingagents.sources.finnhub_records import NewsArticle

logger = logging.getLogger(__name__)

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
Keyword = Annotated[str, StringConstraints(min_length=2, strip_whitespace=True, to_lower=True)]


@dataclass
class _Catalysts:
    """A ticker's catalyst headlines in the window (distinct headlines, newest kept)."""

    headlines: dict[str, dt.datetime] = field(default_factory=dict)
    keywords: set[str] = field(default_factory=set)

    def add(self, headline: str, published: dt.datetime, keywords: Iterable[str]) -> None:
        seen = self.headlines.get(headline)
        self.headlines[headline] = published if seen is None else max(seen, published)
        self.keywords.update(keywords)

    @property
    def newest(self) -> dt.datetime:
        return max(self.headlines.values())


@SCANNER_REGISTRY.register
class NewsCatalystScanner(BaseScanner):
    name = "news_catalyst"
    pipeline = "events"
    strategy = "news_catalyst"
    source = "finnhub"
    description = "Company headlines with catalyst keywords (deals, approvals, buybacks) in 2 days"
    default_limit = 15
    params: ClassVar[dict[str, ScannerParam]] = {
        "window_days": ScannerParam(
            int, 2, "calendar days of news up to the trade date (UTC dates)", ge=1, le=30
        ),
        "keywords": ScannerParam(
            Annotated[tuple[Keyword, ...], Field(min_length=1)],
            CATALYST_KEYWORDS,
            "phrases that make a headline a catalyst (case-insensitive substrings)",
        ),
        "include_general_news": ScannerParam(
            bool, True, "also read general market news (only articles naming a ticker count)"
        ),
        "workers": WORKERS_PARAM,
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        trade_date = dt.date.fromisoformat(state["trade_date"])
        first_day = trade_date - dt.timedelta(days=self.param("window_days", int) - 1)
        universe = load_universe(self)
        # General news first: one call, and the per-symbol fan-out below may use the budget up
        # to its own stop, leaving no slot for a call after it.
        general: list[tuple[str, NewsArticle]] = []
        if self.param("include_general_news", bool):
            known = frozenset(universe)
            articles = self.tools.call(
                "get_general_news", self.sources.finnhub.general_news, category="general"
            )
            general = [(s, a) for a in articles for s in _related_symbols(a, known)]
        news = fan_out(
            self.tools,
            "get_company_news",
            self.sources.finnhub.company_news,
            universe,
            lambda symbol: {"symbol": symbol, "start": first_day, "end": trade_date},
            workers=self.param("workers", int),
        )
        self.report_coverage(news.coverage("symbols"))
        if not news.complete:
            logger.info("%s: %s", self.name, news.shortfall("symbols"))
        tagged: list[tuple[str, NewsArticle]] = [
            (symbol, article) for symbol, articles in news.results.items() for article in articles
        ]
        tagged.extend(general)
        keywords = self.param("keywords", tuple)
        catalysts: dict[str, _Catalysts] = defaultdict(_Catalysts)
        for symbol, article in tagged:
            published = article.published
            if published is None or not first_day <= published.date() <= trade_date:
                continue
            lowered = article.headline.lower()
            matched = [keyword for keyword in keywords if keyword in lowered]
            if matched:
                catalysts[symbol].add(article.headline, published, matched)
        ranked = sorted(
            catalysts.items(),
            key=lambda item: (-len(item[1].headlines), -item[1].newest.timestamp(), item[0]),
        )
        return [
            self._candidate(symbol, found, trade_date) for symbol, found in ranked[: self.limit]
        ]

    def _candidate(self, symbol: str, found: _Catalysts, trade_date: dt.date) -> dict[str, Any]:
        headline = max(found.headlines, key=lambda text: (found.headlines[text], text))
        newest = found.newest
        return {
            "ticker": symbol,
            "priority": _priority(len(found.headlines), newest.date() == trade_date),
            "context": (
                f"{len(found.headlines)} catalyst headline(s) "
                f"({', '.join(sorted(found.keywords))}); latest {newest:%Y-%m-%d %H:%M} UTC: "
                f'"{headline}"'
            ),
            "catalyst_headlines": len(found.headlines),
            "keywords": ", ".join(sorted(found.keywords)),
            "headline": headline,
            "published": newest.isoformat(),
            "signal_date": newest.date().isoformat(),
        }


def _related_symbols(article: NewsArticle, universe: frozenset[str]) -> list[str]:
    """Universe symbols in a general article's comma-separated ``related`` field."""
    return [symbol for part in article.related.split(",") if (symbol := part.strip()) in universe]


def _priority(headlines: int, on_trade_date: bool) -> Priority:
    if headlines >= 2:
        return "high"
    return "medium" if on_trade_date else "low"
