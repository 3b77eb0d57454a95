"""Reddit through praw (read-only, client credentials) on the source's shared session.

praw is not thread-safe, so each thread gets its own ``praw.Reddit``; all of them share one
cached, rate-limited session, hence one limit. A ``prawcore.Requestor`` subclass fixes what
praw gets wrong for us: it applies the configured timeout (praw always uses 16 s), drops the
``x-ratelimit-*`` headers of cached answers (stale ones would make prawcore sleep), never lets
prawcore sleep past the caller's budget, and turns 429/5xx/connection failures into typed
errors at once, so the Guard's budget-aware retries replace prawcore's blind ones.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import praw
import prawcore
import requests

from tradingagents.sources import budget
from tradingagents.sources.classify import error_from_exception, error_from_response
from tradingagents.sources.config import RedditConfig, ResilienceConfig
from tradingagents.sources.credentials import SecretDict
from tradingagents.sources.errors import InvalidCredentials, NotFound, SourceError
from tradingagents.sources.http import SourceSession
from tradingagents.sources.records import Record
from tradingagents.sources.resilience import Guard

NAME = "reddit"
Sort = Literal["hot", "new", "top", "rising"]
TimeFilter = Literal["hour", "day", "week", "month", "year", "all"]

TTL_RULES = ((r"/r/[^/]+/(hot|new|top|rising)(\?|$)", "listing"),)
_RATE_HEADERS = ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 522})


class RedditPost(Record):
    id: str
    subreddit: str
    title: str
    selftext: str = ""
    author: str | None = None
    """``None`` for deleted accounts."""
    score: int = 0
    upvote_ratio: float | None = None
    num_comments: int = 0
    created_utc: dt.datetime
    flair: str | None = None
    permalink: str = ""
    url: str = ""
    over_18: bool = False
    stickied: bool = False


def post_from_submission(submission: Any) -> RedditPost:
    """A record from a praw ``Submission`` without touching missing attributes, which would
    make praw fetch the whole comment page of every post."""
    data = vars(submission)
    author = data.get("author")
    return RedditPost(
        id=data["id"],
        subreddit=str(data.get("subreddit") or ""),
        title=data.get("title") or "",
        selftext=data.get("selftext") or "",
        author=str(author) if author is not None else None,
        score=data.get("score") or 0,
        upvote_ratio=data.get("upvote_ratio"),
        num_comments=data.get("num_comments") or 0,
        created_utc=dt.datetime.fromtimestamp(float(data["created_utc"]), tz=dt.UTC),
        flair=data.get("link_flair_text"),
        permalink=data.get("permalink") or "",
        url=data.get("url") or "",
        over_18=bool(data.get("over_18", False)),
        stickied=bool(data.get("stickied", False)),
    )


class BudgetedRequestor(prawcore.Requestor):
    """prawcore's requestor with a real timeout, honest rate-limit headers and typed errors."""

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self.timeout  # praw passes its fixed 16 s; ours is configured
        try:
            response: requests.Response = self._http.request(*args, **kwargs)
        except Exception as exc:
            error = error_from_exception(NAME, exc)
            if error is None:
                raise prawcore.exceptions.RequestException(exc, args, kwargs) from None
            raise error from None
        self._tame_rate_headers(response)
        if response.status_code in _RETRY_STATUSES:
            raise error_from_response(NAME, response)
        return response

    @staticmethod
    def _tame_rate_headers(response: requests.Response) -> None:
        if getattr(response, "from_cache", False):
            for header in _RATE_HEADERS:
                response.headers.pop(header, None)
            return
        reset = response.headers.get("x-ratelimit-reset")
        left = budget.remaining()
        if reset is not None and left is not None:
            # prawcore sleeps until the reset when the window is spent; never past our budget.
            response.headers["x-ratelimit-reset"] = str(int(min(float(reset), left)))


def translate(exc: BaseException) -> SourceError | None:
    """prawcore's exceptions to typed errors."""
    if isinstance(exc, prawcore.exceptions.Redirect):
        return NotFound(NAME, "no such subreddit (or it is private or banned)")
    if isinstance(exc, prawcore.exceptions.OAuthException):
        return InvalidCredentials(NAME, f"the token request was refused: {exc.error}")
    if isinstance(exc, prawcore.exceptions.ResponseException):
        return error_from_response(NAME, exc.response)
    if isinstance(exc, prawcore.exceptions.RequestException):
        return error_from_exception(NAME, exc.original_exception)
    return error_from_exception(NAME, exc)


class RedditSource:
    """Subreddit listings as :class:`RedditPost` records."""

    name = NAME

    def __init__(
        self,
        settings: RedditConfig,
        credentials: dict[str, str],
        session: SourceSession,
        resilience: ResilienceConfig,
    ) -> None:
        self.session = session
        self.guard = Guard(NAME, resilience, translate)
        # Only what praw needs: the settings also hold any keys given in the config.
        self._oauth_url = settings.oauth_url
        self._reddit_url = settings.base_url
        self._timeout = settings.timeout_seconds
        self._credentials = SecretDict(credentials)  # masked in vars() and reprs
        self._local = threading.local()

    def listing(
        self,
        subreddit: str,
        sort: Sort = "hot",
        *,
        limit: int = 100,
        time_filter: TimeFilter = "day",
    ) -> list[RedditPost]:
        """One listing of one subreddit, at most ``limit`` posts (praw pages through them)."""

        def fetch() -> list[RedditPost]:
            sub = self._reddit().subreddit(subreddit)
            found: Iterable[Any] = (
                sub.top(time_filter=time_filter, limit=limit)
                if sort == "top"
                else getattr(sub, sort)(limit=limit)
            )
            return [post_from_submission(submission) for submission in found]

        return self.guard.call(f"/r/{subreddit}/{sort}", fetch)

    def posts(
        self,
        subreddits: Sequence[str],
        sorts: Sequence[Sort] = ("hot", "new"),
        *,
        limit: int = 100,
        time_filter: TimeFilter = "day",
    ) -> list[RedditPost]:
        """Every listing of every subreddit, each post once (first sighting wins)."""
        seen: dict[str, RedditPost] = {}
        for subreddit in subreddits:
            for sort in sorts:
                for post in self.listing(subreddit, sort, limit=limit, time_filter=time_filter):
                    seen.setdefault(post.id, post)
        return list(seen.values())

    def close(self) -> None:
        self.guard.close()
        self.session.close()

    def _reddit(self) -> praw.Reddit:
        reddit: praw.Reddit | None = getattr(self._local, "reddit", None)
        if reddit is None:
            reddit = praw.Reddit(
                client_id=self._credentials["client_id"],
                client_secret=self._credentials["client_secret"],
                user_agent=self._credentials["user_agent"],
                check_for_updates=False,
                oauth_url=self._oauth_url,
                reddit_url=self._reddit_url,
                requestor_class=BudgetedRequestor,
                requestor_kwargs={
                    "session": self.session,
                    "timeout": self._timeout,
                },
            )
            self._local.reddit = reddit
        return reddit
