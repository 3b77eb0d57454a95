"""What the two Reddit scanners share: their window parameters and the posts inside it.

The window is the ``window_hours`` up to ``as_of`` = the trade date at ``as_of_hour_utc``
(21:00 UTC is 16:00 New York, the close): ``as_of - window < created_utc <= as_of``. Posts
come from each subreddit's ``new`` listing (newest first, up to ``max_posts``; Reddit itself
serves at most 1000), one logged call per subreddit, run concurrently.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.fanout import fan_out
from tradingagents.scanners.mentions import STOP_WORDS
from tradingagents.sources.reddit import RedditPost

logger = logging.getLogger(__name__)

Subreddit = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{2,21}$")]
StopWord = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,5}$")]

WINDOW_PARAMS: dict[str, ScannerParam] = {
    "subreddits": ScannerParam(
        Annotated[tuple[Subreddit, ...], Field(min_length=1)],
        ("wallstreetbets", "stocks"),
        "subreddits read (their 'new' listings), counted together",
    ),
    "window_hours": ScannerParam(int, 24, "hours of posts up to as_of", ge=1, le=168),
    "as_of_hour_utc": ScannerParam(
        int, 21, "the window ends on the trade date at this UTC hour (21 = the close)", ge=0, le=23
    ),
    "max_posts": ScannerParam(
        int, 1000, "newest posts read per subreddit (Reddit lists at most 1000)", ge=1, le=1000
    ),
    "stop_words": ScannerParam(
        tuple[StopWord, ...],
        STOP_WORDS,
        "upper-case words never taken as bare tickers ($-cashtags still count)",
    ),
}


def window_bounds(scanner: BaseScanner, trade_date: dt.date) -> tuple[float, float]:
    """(start, end) of the window in epoch seconds: start excluded, end included."""
    as_of = dt.datetime.combine(
        trade_date, dt.time(scanner.param("as_of_hour_utc", int)), tzinfo=dt.UTC
    ).timestamp()
    return as_of - scanner.param("window_hours", int) * 3600.0, as_of


def window_posts(scanner: BaseScanner, trade_date: dt.date) -> list[RedditPost]:
    """Every post of the configured subreddits inside the window, each once, newest first."""
    subreddits: tuple[str, ...] = scanner.param("subreddits", tuple)
    listings = fan_out(
        scanner.tools,
        "get_subreddit_posts",
        scanner.sources.reddit.listing,
        subreddits,
        lambda sub: _listing_params(sub, scanner.param("max_posts", int)),
        workers=len(subreddits),
    )
    scanner.report_coverage(listings.coverage("subreddits"))
    if not listings.complete:
        logger.info("%s: %s", scanner.name, listings.shortfall("subreddits"))
    start, end = window_bounds(scanner, trade_date)
    seen: dict[str, RedditPost] = {}
    for posts in listings.results.values():
        for post in posts:
            if start < post.created_utc.timestamp() <= end:
                seen.setdefault(post.id, post)
    return sorted(seen.values(), key=lambda post: (-post.created_utc.timestamp(), post.id))


def _listing_params(subreddit: str, limit: int) -> dict[str, Any]:
    return {"subreddit": subreddit, "sort": "new", "limit": limit}
