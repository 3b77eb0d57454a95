"""Reddit's OAuth API as praw/prawcore use it in read-only (application-only) mode.

``POST /api/v1/access_token`` (HTTP Basic client credentials) issues bearer tokens;
``GET /r/{sub}/hot|new|top`` returns ``Listing`` objects of ``t3`` children carrying every
field a live listing does (a missing attribute would make praw fetch ``/comments/<id>``),
paged with ``limit``/``after``/``count``. Every API answer carries ``x-ratelimit-*``
headers; a bad bearer token gets 401 with the ``www-authenticate`` header prawcore needs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import math
import re
import threading
import urllib.parse
from typing import TYPE_CHECKING, Any, ClassVar, Final

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.market import CLOSE_HOUR_UTC, REDDIT_SUBREDDITS
from tradingagents.sandbox.market_records import RedditPost
from tradingagents.sandbox.services.base import (
    Reply,
    Request,
    Route,
    Service,
    json_reply,
    route,
    stable_token,
)
from tradingagents.sandbox.windows import SlidingWindowLimiter, Verdict

if TYPE_CHECKING:
    from tradingagents.sandbox.market import Market

TOKEN_PATH: Final = "/api/v1/access_token"
JSON_CONTENT: Final = "application/json; charset=UTF-8"
GRANT_TYPES: Final = frozenset({
    "client_credentials",
    "password",
    "refresh_token",
    "https://oauth.reddit.com/grants/installed_client",
})
TOKEN_LIFETIME: Final = 86400
DEFAULT_LIMIT: Final = 25
MAX_LIMIT: Final = 100
# prawcore paces requests to remaining/reset over a 600 s window, so with Reddit's real
# budget (1000) it would sleep ~0.6 s per call; without a configured limit the emulator
# advertises a budget large enough that prawcore never waits.
ADVERTISED_WINDOW: Final = (100_000, 600.0)
TOP_PERIODS: Final = {"hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400,
                      "year": 365 * 86400, "all": None}
HOT_EPOCH: Final = 1134028003  # reddit's hot-ranking epoch
SUBSCRIBERS: Final = {"wallstreetbets": 19_400_000, "stocks": 9_100_000}
INVALID_TOKEN_CHALLENGE: Final = 'Bearer realm="reddit", error="invalid_token"'


def _json(payload: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return json_reply(payload, status=status, style="python", content_type=JSON_CONTENT,
                      headers=headers)


def _error(status: int, message: str) -> Reply:
    return _json({"message": message, "error": status}, status)


class Reddit(Service):
    name = "reddit"
    claim_prefixes: ClassVar[tuple[str, ...]] = ("/r/", "/comments/", "/api/")

    def __init__(self, market: Market) -> None:
        super().__init__(market)
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._generation = 0
        self._advertised = SlidingWindowLimiter((ADVERTISED_WINDOW,))
        self._posts = {post.id: post for sub in REDDIT_SUBREDDITS
                       for post in market.reddit_posts(sub)}
        self._now = dt.datetime.combine(
            market.trade_date, dt.time(CLOSE_HOUR_UTC), tzinfo=dt.UTC
        ).timestamp()

    def routes(self) -> list[Route]:
        return [
            route("POST", re.escape(TOKEN_PATH), TOKEN_PATH, self.access_token,
                  rate_limited=False, cacheable=False),
            route("GET", r"/r/(?P<sub>[A-Za-z0-9_]{2,21})/(?P<sort>hot|new|top)(?:\.json)?/?",
                  lambda _r, m: f"/r/{m['sub'].lower()}/{m['sort']}", self.listing),
            route("GET", r"/comments/(?P<id>[a-z0-9]+)(?:/[^/]*)?/?(?:\.json)?", "/comments",
                  self.comments),
        ]

    # -- OAuth ----------------------------------------------------------------------------
    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._generation += 1

    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        if request.path == TOKEN_PATH:
            client_id = _basic_client_id(request.header("Authorization"))
            if client_id is None or (
                knobs.valid_keys is not None and client_id not in knobs.valid_keys
            ):
                return _error(401, "Unauthorized")
            return None
        authorization = request.header("Authorization") or ""
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            valid = scheme.lower() == "bearer" and token in self._tokens
        if valid:
            return None
        return _error(401, "Unauthorized").with_headers(
            ("www-authenticate", INVALID_TOKEN_CHALLENGE)
        )

    def access_token(self, request: Request, _match: re.Match[str]) -> Reply:
        form = dict(urllib.parse.parse_qsl(request.body.decode("utf-8", "replace")))
        if form.get("grant_type") not in GRANT_TYPES:
            return _json({"error": "unsupported_grant_type"})
        client_id = _basic_client_id(request.header("Authorization")) or ""
        with self._lock:
            token = f"{self._generation}-" + stable_token(
                self.market.seed, client_id, self._generation, "token", length=27,
                alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            )
            self._tokens.add(token)
        return _json({"access_token": token, "token_type": "bearer",
                      "expires_in": TOKEN_LIFETIME, "scope": "*"})

    # -- transport quirks -----------------------------------------------------------------
    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        return _error(429, "Too Many Requests")

    def server_error(self, status: int) -> Reply:
        return _error(status, "Service Unavailable" if status == 503 else "Server Error")

    def not_found(self, request: Request) -> Reply:
        return _error(404, "Not Found")

    def finish(self, reply: Reply, verdict: Verdict | None) -> Reply:
        verdict = verdict or self._advertised.acquire()
        return reply.with_headers(
            ("x-ratelimit-remaining", f"{float(verdict.remaining):.1f}"),
            ("x-ratelimit-used", str(verdict.used)),
            ("x-ratelimit-reset", str(math.ceil(verdict.reset_seconds))),
        )

    # -- listings -------------------------------------------------------------------------
    def listing(self, request: Request, match: re.Match[str]) -> Reply:
        query = request.query
        sort = match["sort"]
        posts = self.market.reddit_posts(match["sub"])
        if sort == "top":
            period = query.get("t", "day")
            if period not in TOP_PERIODS:
                return _error(400, f"invalid t={period!r} (hour, day, week, month, year, all)")
            posts = self._top(posts, TOP_PERIODS[period])
        elif sort == "hot":
            posts = sorted(posts, key=lambda post: (not post.stickied, -_hot(post)))
        try:
            limit = int(query.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            return _error(400, f"limit must be an integer, got {query.get('limit')!r}")
        limit = min(max(limit, 1), MAX_LIMIT)
        names = ["t3_" + post.id for post in posts]
        after, before = query.get("after"), query.get("before")
        if after:
            start = names.index(after) + 1 if after in names else len(names)
            stop = start + limit
        elif before:
            stop = names.index(before) if before in names else 0
            start = max(stop - limit, 0)
        else:
            start, stop = 0, limit
        page = posts[start:stop]
        has_more = stop < len(posts)
        paged = bool(after or before) or int(query.get("count") or 0) > 0
        data = {
            "after": "t3_" + page[-1].id if page and has_more else None,
            "dist": len(page),
            "modhash": None,
            "geo_filter": None,
            "children": [{"kind": "t3", "data": self._t3(post)} for post in page],
            "before": "t3_" + page[0].id if page and paged and start > 0 else None,
        }
        return _json({"kind": "Listing", "data": data})

    def comments(self, request: Request, match: re.Match[str]) -> Reply:
        post = self._posts.get(match["id"])
        if post is None:
            return _error(404, "Not Found")
        submission = {"after": None, "dist": 1, "modhash": None, "geo_filter": None,
                      "children": [{"kind": "t3", "data": self._t3(post)}], "before": None}
        replies: dict[str, Any] = {"after": None, "dist": None, "modhash": None, "geo_filter": None,
                   "children": [], "before": None}
        return _json([{"kind": "Listing", "data": submission},
                      {"kind": "Listing", "data": replies}])

    def _top(self, posts: list[RedditPost], period: int | None) -> list[RedditPost]:
        recent = [p for p in posts if period is None or p.created_utc >= self._now - period]
        return sorted(recent, key=lambda post: (-post.score, -post.created_utc))

    def _t3(self, post: RedditPost) -> dict[str, Any]:
        sub = post.subreddit
        flair = post.link_flair_text
        is_self = post.url == "https://www.reddit.com" + post.permalink
        domain = f"self.{sub}" if is_self else urllib.parse.urlsplit(post.url).netloc
        return {
            "approved_at_utc": None,
            "subreddit": sub,
            "selftext": post.selftext,
            "author_fullname": "t2_" + stable_token(post.author, "t2", length=8,
                                                    alphabet=_BASE36),
            "saved": False,
            "mod_reason_title": None,
            "gilded": 0,
            "clicked": False,
            "title": post.title,
            "link_flair_richtext": [{"e": "text", "t": flair}] if flair else [],
            "subreddit_name_prefixed": f"r/{sub}",
            "hidden": False,
            "pwls": 6,
            "link_flair_css_class": flair.lower().replace(" ", "") if flair else None,
            "downs": 0,
            "thumbnail_height": None,
            "top_awarded_type": None,
            "hide_score": False,
            "name": "t3_" + post.id,
            "quarantine": False,
            "link_flair_text_color": "dark" if flair else None,
            "upvote_ratio": post.upvote_ratio,
            "author_flair_background_color": None,
            "subreddit_type": "public",
            "ups": post.score,
            "total_awards_received": 0,
            "media_embed": {},
            "thumbnail_width": None,
            "author_flair_template_id": None,
            "is_original_content": False,
            "user_reports": [],
            "secure_media": None,
            "is_reddit_media_domain": False,
            "is_meta": False,
            "category": None,
            "secure_media_embed": {},
            "link_flair_text": flair,
            "can_mod_post": False,
            "score": post.score,
            "approved_by": None,
            "is_created_from_ads_ui": False,
            "author_premium": False,
            "thumbnail": "self" if is_self else "default",
            "edited": False,
            "author_flair_css_class": None,
            "author_flair_richtext": [],
            "gildings": {},
            "content_categories": None,
            "is_self": is_self,
            "mod_note": None,
            "created": post.created_utc,
            "link_flair_type": "richtext" if flair else "text",
            "wls": 6,
            "removed_by_category": None,
            "banned_by": None,
            "author_flair_type": "text",
            "domain": domain,
            "allow_live_comments": False,
            "selftext_html": _markdown_html(post.selftext),
            "likes": None,
            "suggested_sort": None,
            "banned_at_utc": None,
            "view_count": None,
            "archived": False,
            "no_follow": False,
            "is_crosspostable": True,
            "pinned": False,
            "over_18": post.over_18,
            "all_awardings": [],
            "awarders": [],
            "media_only": False,
            "link_flair_template_id": _uuid(sub, flair) if flair else None,
            "can_gild": False,
            "spoiler": False,
            "locked": False,
            "author_flair_text": None,
            "treatment_tags": [],
            "visited": False,
            "removed_by": None,
            "num_reports": None,
            "distinguished": "moderator" if post.stickied else None,
            "subreddit_id": "t5_" + stable_token(sub, "t5", length=5, alphabet=_BASE36),
            "author_is_blocked": False,
            "mod_reason_by": None,
            "removal_reason": None,
            "link_flair_background_color": "#ffd635" if flair else "",
            "id": post.id,
            "is_robot_indexable": True,
            "report_reasons": None,
            "author": post.author,
            "discussion_type": None,
            "num_comments": post.num_comments,
            "send_replies": True,
            "contest_mode": False,
            "mod_reports": [],
            "author_patreon_flair": False,
            "author_flair_text_color": None,
            "permalink": post.permalink,
            "stickied": post.stickied,
            "url": post.url,
            "subreddit_subscribers": SUBSCRIBERS.get(sub, 100_000),
            "created_utc": post.created_utc,
            "num_crossposts": 0,
            "media": None,
            "is_video": False,
        }


_BASE36: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


def _hot(post: RedditPost) -> float:
    order = math.log10(max(abs(post.score), 1))
    sign = (post.score > 0) - (post.score < 0)
    return sign * order + (post.created_utc - HOT_EPOCH) / 45000


def _markdown_html(text: str) -> str | None:
    if not text:
        return None
    paragraphs = "".join(
        f"<p>{html.escape(part, quote=False)}</p>\n" for part in text.split("\n\n") if part
    )
    return f'<!-- SC_OFF --><div class="md">{paragraphs}</div><!-- SC_ON -->'


def _uuid(*parts: object) -> str:
    hexdigits = stable_token(*parts, "uuid", length=32, alphabet="0123456789abcdef")
    return "-".join((hexdigits[:8], hexdigits[8:12], hexdigits[12:16], hexdigits[16:20],
                     hexdigits[20:]))


def _basic_client_id(authorization: str | None) -> str | None:
    """The client id of an HTTP Basic ``Authorization`` header, else None."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, _secret = decoded.partition(":")
    return client_id if separator and client_id else None
