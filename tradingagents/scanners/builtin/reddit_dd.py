"""reddit_dd: due-diligence posts, each about one ticker, from the last day on Reddit.

Definition (the sandbox's ``reddit_dd``): a post inside the Reddit window (24 h up to the
trade date's close, the configured subreddits) whose flair is exactly ``dd_flair`` ("DD"),
whose selftext has at least ``min_selftext_chars`` (500) characters, and whose *title*
mentions exactly one universe ticker (see :mod:`tradingagents.scanners.mentions`): that
ticker is the post's primary ticker.

Score: each post's ``dd_score`` = (upvotes + 2 x comments) x length factor, where the length
factor is selftext characters / min_selftext_chars, capped at 3 (a long write-up that
people engage with ranks first). A ticker's score is its best post's; ties by post count.

Priority: ``high`` when two or more qualifying DD posts name the ticker (independent
write-ups agree), ``low`` when its best post's upvote ratio is under 0.5 (readers reject
it), ``medium`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.builtin._reddit_window import WINDOW_PARAMS, window_posts
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.mentions import find_mentions
from tradingagents.scanners.registry import SCANNER_REGISTRY
from tradingagents.scanners.universe import load_universe
from tradingagents.sources.reddit import RedditPost

MAX_LENGTH_FACTOR = 3.0
REJECTED_UPVOTE_RATIO = 0.5


@SCANNER_REGISTRY.register
class RedditDDScanner(BaseScanner):
    name = "reddit_dd"
    pipeline = "social"
    strategy = "social_dd"
    source = "reddit"
    description = "Long due-diligence (DD-flaired) Reddit posts about a single ticker"
    default_limit = 10
    params: ClassVar[dict[str, ScannerParam]] = {
        **WINDOW_PARAMS,
        "dd_flair": ScannerParam(str, "DD", "the post flair marking due diligence (exact)"),
        "min_selftext_chars": ScannerParam(
            int, 500, "shortest selftext that counts as a write-up", ge=1
        ),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        trade_date = dt.date.fromisoformat(state["trade_date"])
        universe = frozenset(load_universe(self))
        stop_words = frozenset(self.param("stop_words", tuple))
        by_ticker: dict[str, list[RedditPost]] = defaultdict(list)
        for post in window_posts(self, trade_date):
            if post.flair != self.param("dd_flair", str):
                continue
            if len(post.selftext) < self.param("min_selftext_chars", int):
                continue
            named = find_mentions(post.title, universe, stop_words).tickers
            if len(named) == 1:
                by_ticker[next(iter(named))].append(post)
        ranked = sorted(
            by_ticker.items(),
            key=lambda item: (-max(map(self._score, item[1])), -len(item[1]), item[0]),
        )
        return [self._candidate(ticker, posts) for ticker, posts in ranked[: self.limit]]

    def _score(self, post: RedditPost) -> float:
        min_chars = self.param("min_selftext_chars", int)
        length_factor = min(len(post.selftext) / min_chars, MAX_LENGTH_FACTOR)
        return round((post.score + 2 * post.num_comments) * length_factor, 2)

    def _candidate(self, ticker: str, posts: list[RedditPost]) -> dict[str, Any]:
        best = max(posts, key=lambda post: (self._score(post), post.id))
        candidate: dict[str, Any] = {
            "ticker": ticker,
            "priority": _priority(len(posts), best.upvote_ratio),
            "context": (
                f'{len(posts)} DD post(s) on r/{best.subreddit}; best: "{best.title}" '
                f"({len(best.selftext)} chars, {best.score} upvotes, {best.num_comments} "
                f"comments, DD score {self._score(best):g})"
            ),
            "dd_posts": len(posts),
            "dd_score": self._score(best),
            "title": best.title,
            "selftext_chars": len(best.selftext),
            "upvotes": best.score,
            "comments": best.num_comments,
            "subreddit": best.subreddit,
            "permalink": best.permalink,
            "signal_date": best.created_utc.date().isoformat(),
        }
        if best.upvote_ratio is not None:
            candidate["upvote_ratio"] = best.upvote_ratio
        return candidate


def _priority(dd_posts: int, upvote_ratio: float | None) -> Priority:
    if dd_posts >= 2:
        return "high"
    if upvote_ratio is not None and upvote_ratio < REJECTED_UPVOTE_RATIO:
        return "low"
    return "medium"
