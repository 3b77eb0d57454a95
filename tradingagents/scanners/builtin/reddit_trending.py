"""reddit_trending: tickers many distinct Reddit posts talk about within the last day.

Definition (the sandbox's ``reddit_trending``): a universe ticker mentioned (title or
selftext; see :mod:`tradingagents.scanners.mentions`) in at least ``min_posts`` distinct
posts of the configured subreddits together, inside the Reddit window (24 h up to the trade
date's close). A post repeating a ticker counts once; lower-case names and stop-listed bare
words never count.

Ranking: a post that cashtags the ticker (``$XYZ``) counts ``cashtag_weight`` instead of 1,
since a cashtag is a deliberate pick rather than a passing word: ``weighted_mentions`` =
bare-only posts + cashtag posts x cashtag_weight; strongest first.

Priority: ``high`` when weighted_mentions >= 3 x min_posts, ``medium`` when >= 2 x
min_posts, ``low`` otherwise (social buzz alone is never ``critical``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.builtin._reddit_window import WINDOW_PARAMS, window_posts
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.mentions import find_mentions
from tradingagents.scanners.registry import SCANNER_REGISTRY
from tradingagents.scanners.universe import load_universe

logger = logging.getLogger(__name__)


@dataclass
class _Tally:
    posts: int = 0
    cashtag_posts: int = 0
    upvotes: int = 0
    comments: int = 0
    subreddits: set[str] = field(default_factory=set)

    def weighted(self, cashtag_weight: float) -> float:
        return (self.posts - self.cashtag_posts) + self.cashtag_posts * cashtag_weight


@SCANNER_REGISTRY.register
class RedditTrendingScanner(BaseScanner):
    name = "reddit_trending"
    pipeline = "social"
    strategy = "social_momentum"
    source = "reddit"
    description = "Tickers mentioned in many distinct Reddit posts in the last 24 hours"
    default_limit = 15
    params: ClassVar[dict[str, ScannerParam]] = {
        **WINDOW_PARAMS,
        "min_posts": ScannerParam(int, 5, "distinct posts that must mention the ticker", ge=1),
        "cashtag_weight": ScannerParam(
            float, 2.0, "how much a $TICKER post counts against a bare mention (ranking)", ge=1
        ),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        trade_date = dt.date.fromisoformat(state["trade_date"])
        universe = frozenset(load_universe(self))
        stop_words = frozenset(self.param("stop_words", tuple))
        posts = window_posts(self, trade_date)
        tallies: dict[str, _Tally] = defaultdict(_Tally)
        for post in posts:
            mentions = find_mentions(f"{post.title}\n{post.selftext}", universe, stop_words)
            for ticker in mentions.tickers:
                tally = tallies[ticker]
                tally.posts += 1
                tally.cashtag_posts += ticker in mentions.cashtagged
                tally.upvotes += post.score
                tally.comments += post.num_comments
                tally.subreddits.add(post.subreddit)
        min_posts = self.param("min_posts", int)
        weight = self.param("cashtag_weight", float)
        hits = sorted(
            ((ticker, tally) for ticker, tally in tallies.items() if tally.posts >= min_posts),
            key=lambda item: (-item[1].weighted(weight), -item[1].posts, item[0]),
        )
        logger.info(
            "%s: %d posts in the window, %d tickers mentioned, %d trending",
            self.name,
            len(posts),
            len(tallies),
            len(hits),
        )
        return [
            self._candidate(ticker, tally, weight, min_posts, trade_date)
            for ticker, tally in hits[: self.limit]
        ]

    def _candidate(
        self, ticker: str, tally: _Tally, weight: float, min_posts: int, trade_date: dt.date
    ) -> dict[str, Any]:
        weighted = round(tally.weighted(weight), 2)
        subreddits = ", ".join(f"r/{sub}" for sub in sorted(tally.subreddits))
        return {
            "ticker": ticker,
            "priority": _priority(weighted, min_posts),
            "context": (
                f"mentioned in {tally.posts} posts in {self.param('window_hours', int)}h "
                f"({tally.cashtag_posts} as ${ticker}) on {subreddits}; "
                f"weighted mentions {weighted:g}, {tally.upvotes} upvotes"
            ),
            "posts": tally.posts,
            "cashtag_posts": tally.cashtag_posts,
            "weighted_mentions": weighted,
            "upvotes": tally.upvotes,
            "comments": tally.comments,
            "subreddits": subreddits,
            "signal_date": trade_date.isoformat(),
        }


def _priority(weighted: float, min_posts: int) -> Priority:
    if weighted >= 3 * min_posts:
        return "high"
    if weighted >= 2 * min_posts:
        return "medium"
    return "low"
