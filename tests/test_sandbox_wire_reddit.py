"""The real praw/prawcore against the emulator: token, listings, paging, auth and headers."""

from __future__ import annotations

import datetime as dt

import praw
import prawcore
import pytest
import requests
from praw.models import ListingGenerator

from tradingagents.sandbox.market import CLOSE_HOUR_UTC
from tradingagents.sandbox.server import SandboxServer


def make_reddit(server: SandboxServer, client_id: str = "sandbox-app") -> praw.Reddit:
    url = server.base_urls["reddit"]
    return praw.Reddit(client_id=client_id, client_secret="sandbox-secret",
                       user_agent="sandbox-tests/1.0", check_for_updates=False,
                       oauth_url=url, reddit_url=url)


def bearer(server: SandboxServer) -> dict[str, str]:
    answer = requests.post(f"{server.url}/api/v1/access_token",
                           data={"grant_type": "client_credentials"},
                           auth=("sandbox-app", "sandbox-secret"), timeout=5)
    answer.raise_for_status()
    return {"Authorization": f"bearer {answer.json()['access_token']}"}


def test_praw_reads_new_with_paging_and_no_lazy_fetches(sandbox_server: SandboxServer) -> None:
    reddit = make_reddit(sandbox_server)
    assert reddit.read_only
    expected = sandbox_server.market.reddit_posts("wallstreetbets")
    page_size = 10
    assert len(expected) > 2 * page_size, "paging needs several pages of posts"
    sandbox_server.reset_counters()
    posts = list(ListingGenerator(reddit, "r/wallstreetbets/new", limit=None,
                                  request_limit=page_size))
    assert [post.id for post in posts] == [post.id for post in expected]
    for post, record in zip(posts[:20], expected, strict=False):
        assert post.title == record.title and post.selftext == record.selftext
        assert post.score == record.score and post.num_comments == record.num_comments
        assert post.created_utc == record.created_utc
        assert post.link_flair_text == record.link_flair_text
        assert post.author.name == record.author and post.stickied == record.stickied
        assert post.upvote_ratio == record.upvote_ratio and post.permalink == record.permalink
    served = sandbox_server.counters()["reddit"]
    pages = -(-len(expected) // page_size)
    assert served["/r/wallstreetbets/new"] == {200: pages}
    assert "/comments" not in served, "praw fetched a post lazily: a t3 field is missing"


def test_praw_hot_puts_stickies_first_and_top_filters_by_time(
    sandbox_server: SandboxServer,
) -> None:
    reddit = make_reddit(sandbox_server)
    hot = list(reddit.subreddit("stocks").hot(limit=50))
    stickied = [post.stickied for post in hot]
    assert stickied == sorted(stickied, reverse=True)
    top_all = list(reddit.subreddit("stocks").top(time_filter="all", limit=None))
    assert len(top_all) == len(sandbox_server.market.reddit_posts("stocks"))
    scores = [post.score for post in top_all]
    assert scores == sorted(scores, reverse=True)
    close = dt.datetime.combine(sandbox_server.market.trade_date, dt.time(CLOSE_HOUR_UTC),
                                tzinfo=dt.UTC).timestamp()
    top_day = list(reddit.subreddit("stocks").top(time_filter="day", limit=None))
    assert {post.id for post in top_day} == {
        post.id for post in top_all if post.created_utc >= close - 86400
    }


def test_paging_by_hand_follows_after_and_count(sandbox_server: SandboxServer) -> None:
    headers = bearer(sandbox_server)
    url = f"{sandbox_server.url}/r/wallstreetbets/new"
    first = requests.get(url, params={"limit": 10, "raw_json": 1}, headers=headers,
                         timeout=5).json()["data"]
    assert first["dist"] == 10 and first["before"] is None and first["after"]
    second = requests.get(url, params={"limit": 10, "after": first["after"], "count": 10},
                          headers=headers, timeout=5).json()["data"]
    names = [child["data"]["name"] for child in first["children"] + second["children"]]
    expected = ["t3_" + p.id for p in sandbox_server.market.reddit_posts("wallstreetbets")][:20]
    assert names == expected
    assert second["before"] == names[10]


def test_unknown_subreddit_is_an_empty_listing(sandbox_server: SandboxServer) -> None:
    reddit = make_reddit(sandbox_server)
    assert list(reddit.subreddit("nosuchsubhere").new(limit=10)) == []


def test_listing_carries_ratelimit_headers(sandbox_server: SandboxServer) -> None:
    answer = requests.get(f"{sandbox_server.url}/r/stocks/hot", headers=bearer(sandbox_server),
                          timeout=5)
    assert answer.status_code == 200
    assert float(answer.headers["x-ratelimit-remaining"]) > 0
    assert int(answer.headers["x-ratelimit-used"]) >= 1
    assert int(answer.headers["x-ratelimit-reset"]) >= 0


def test_token_endpoint_answers_like_reddit(sandbox_server: SandboxServer) -> None:
    url = f"{sandbox_server.url}/api/v1/access_token"
    good = requests.post(url, data={"grant_type": "client_credentials"},
                         auth=("app", "secret"), timeout=5)
    assert good.status_code == 200
    body = good.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 86400
    assert body["scope"] == "*" and body["access_token"]
    no_auth = requests.post(url, data={"grant_type": "client_credentials"}, timeout=5)
    assert no_auth.status_code == 401
    bad_grant = requests.post(url, data={"grant_type": "magic"}, auth=("app", "s"), timeout=5)
    assert bad_grant.status_code == 200 and bad_grant.json() == {"error": "unsupported_grant_type"}


def test_bad_bearer_token_is_401_with_www_authenticate(sandbox_server: SandboxServer) -> None:
    answer = requests.get(f"{sandbox_server.url}/r/stocks/new",
                          headers={"Authorization": "bearer not-a-token"}, timeout=5)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="reddit", error="invalid_token"'


def test_praw_fetches_a_new_token_after_revocation(sandbox_server: SandboxServer) -> None:
    reddit = make_reddit(sandbox_server, client_id="revocation-test")
    assert next(iter(reddit.subreddit("stocks").new(limit=1)))
    sandbox_server.revoke_tokens()
    sandbox_server.reset_counters()
    assert next(iter(reddit.subreddit("stocks").new(limit=1)))
    served = sandbox_server.counters()["reddit"]
    assert served["/r/stocks/new"] == {401: 1, 200: 1}
    assert served["/api/v1/access_token"] == {200: 1}


def test_comments_endpoint_serves_a_submission(sandbox_server: SandboxServer) -> None:
    record = sandbox_server.market.reddit_posts("stocks")[0]
    submission = make_reddit(sandbox_server).submission(record.id)
    assert submission.title == record.title
    with pytest.raises(prawcore.exceptions.NotFound):
        make_reddit(sandbox_server).submission("zzzzzzz").title  # noqa: B018
