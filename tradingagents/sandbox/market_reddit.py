"""Reddit posts of r/wallstreetbets and r/stocks over the 72 hours before the sandbox's "now".

Posts mention tickers the way real ones do: ``$TICKER`` and bare ``TICKER``, lower-case
names that do not count, slang and acronyms that look like tickers (YOLO, DD, CEO, ATH), and
symbols that are also words ("ALL", "IT"). Ticker popularity is Zipf-like and seed-level, so
the same few names dominate every day, as on the real subreddits. Background posts are drawn
per hour from a stream keyed by (seed, subreddit, hour); planted trending tickers, DD posts
and decoys belong to the trade date.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_names import base36, pick, reddit_handle
from tradingagents.sandbox.market_records import RedditPost
from tradingagents.sandbox.universe import WORD_SYMBOLS, Listing

REDDIT_TAG = 0x52454444  # "REDD"
HISTORY_HOURS = 72
POSTS_PER_HOUR = {"wallstreetbets": 4.0, "stocks": 1.7}
ZIPF_EXPONENT = 1.1
CASHTAG_SHARE = 0.4

FLAIRS = {
    "wallstreetbets": (("Discussion", 0.34), ("YOLO", 0.14), ("Gain", 0.1), ("Loss", 0.1),
                       ("Meme", 0.14), ("News", 0.1), ("Chart", 0.06), ("DD", 0.02)),
    "stocks": (("Company Discussion", 0.4), ("Advice Request", 0.25),
               ("Broad market news", 0.15), ("Company Analysis", 0.12),
               ("Rate My Portfolio", 0.08)),
}
TITLES = {
    "wallstreetbets": (
        "{t} YOLO update: {pct}% and still holding",
        "Loaded up on {t} calls before earnings, wish me luck",
        "{t} to the moon",
        "Why is nobody talking about {t}?",
        "Down {pct}% on {t}. Ask me anything",
        "Gain porn: {t} puts printed",
        "Is {t} the next big squeeze?",
        "My wife's boyfriend told me to buy {t}",
        "{t} vs {t2}: which one are you holding?",
        "What are your moves tomorrow?",
        "Fed day. Cash gang or full send?",
    ),
    "stocks": (
        "What do you think about {t} at these levels?",
        "{t} earnings next week - thoughts?",
        "Long-term hold: {t} or {t2}?",
        "Rate my portfolio: {t}, {t2} and index funds",
        "Why did {t} drop today?",
        "Is it too late to buy {t}?",
        "Best dividend stocks to hold for ten years?",
        "How are you positioning for the next rate decision?",
    ),
}
BODIES = (
    "Been watching {t} for a while. Volume is picking up and IMO the chart looks good.",
    "Not financial advice. I went ALL in on {t} after the last dip, {pct}% down so far lol.",
    "{t} CEO said on the call that margins will improve. Anyone buying the dip?",
    "Position: 40 {t} calls expiring Friday. If IT works out I'm buying my wife a boyfriend.",
    "ATH incoming? {t} and {t2} both look strong to me. FOMO is real.",
    "Sold my {t2} and rotated into {t}. YOLO.",
    "Honestly the whole market is a casino right NOW. A few of you need to touch grass.",
    "I don't get the hype. {t} trades at 40x earnings and the CEO keeps selling.",
    "",
)
NOISE_WORDS = ("tendies", "stonks", "bagholder", "diamond hands", "paper hands", "theta gang")


@dataclass(frozen=True, slots=True)
class Mentions:
    """Draws mention strings of tickers (``$ABC`` or ``ABC``)."""

    symbols: list[str]
    cumulative: npt.NDArray[np.float64]  # cumulative popularity, ends at 1.0

    def pick(self, rng: np.random.Generator) -> str:
        index = int(np.searchsorted(self.cumulative, rng.random(), side="right"))
        return self.symbols[min(index, len(self.symbols) - 1)]

    @staticmethod
    def render(rng: np.random.Generator, symbol: str) -> str:
        return f"${symbol}" if rng.random() < CASHTAG_SHARE else symbol


@functools.lru_cache(maxsize=8)
def popularity(seed: int, listings: tuple[Listing, ...]) -> Mentions:
    """Seed-level Zipf popularity over the universe's tradable (non-word) symbols."""
    rng = np.random.Generator(np.random.PCG64([seed, REDDIT_TAG]))
    symbols = [item.symbol for item in listings if item.symbol not in WORD_SYMBOLS]
    order = [symbols[int(i)] for i in rng.permutation(len(symbols))]
    weights = 1.0 / np.arange(1, len(order) + 1) ** ZIPF_EXPONENT
    return Mentions(order, np.cumsum(weights / weights.sum()))


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50]


@dataclass(slots=True)
class Draft:
    """A post before it gets its id."""

    subreddit: str
    title: str
    selftext: str
    author: str
    score: int
    upvote_ratio: float
    num_comments: int
    created_utc: float
    link_flair_text: str | None
    stickied: bool


@dataclass(slots=True)
class Board:
    """Posts being assembled for both subreddits."""

    as_of: float
    drafts: list[Draft] = field(default_factory=list)

    def add(
        self,
        rng: np.random.Generator,
        subreddit: str,
        created: float,
        title: str,
        selftext: str,
        flair: str | None,
        stickied: bool = False,
    ) -> None:
        score = int(np.exp(rng.normal(3.0, 1.6)))
        self.drafts.append(
            Draft(
                subreddit=subreddit,
                title=title,
                selftext=selftext,
                author=reddit_handle(rng),
                score=score,
                upvote_ratio=round(float(rng.uniform(0.55, 0.99)), 2),
                num_comments=int(score * float(rng.uniform(0.2, 1.5))),
                created_utc=float(int(created)),
                link_flair_text=flair,
                stickied=stickied,
            )
        )

    def finish(self) -> dict[str, tuple[RedditPost, ...]]:
        """Assign ids (unique per creation second) and sort each subreddit newest first."""
        ordered = sorted(self.drafts, key=lambda d: (d.created_utc, d.subreddit, d.title))
        seen: dict[int, int] = {}
        out: dict[str, list[RedditPost]] = {sub: [] for sub in signals.REDDIT_SUBREDDITS}
        for draft in ordered:
            second = int(draft.created_utc)
            serial = seen.get(second, 0)
            seen[second] = serial + 1
            ident = base36(second * 64 + serial)
            permalink = f"/r/{draft.subreddit}/comments/{ident}/{_slug(draft.title)}/"
            out[draft.subreddit].append(
                RedditPost(
                    id=ident,
                    subreddit=draft.subreddit,
                    title=draft.title,
                    selftext=draft.selftext,
                    author=draft.author,
                    score=draft.score,
                    upvote_ratio=draft.upvote_ratio,
                    num_comments=draft.num_comments,
                    created_utc=draft.created_utc,
                    link_flair_text=draft.link_flair_text,
                    permalink=permalink,
                    url=f"https://www.reddit.com{permalink}",
                    over_18=False,
                    stickied=draft.stickied,
                )
            )
        return {sub: tuple(reversed(posts)) for sub, posts in out.items()}


DD_BODY = (
    "**Thesis**\n\n{t} has been left for dead by the market but the numbers tell another "
    "story. Revenue grew {pct}% last quarter, gross margin expanded for the third quarter in a "
    "row and the balance sheet carries more cash than debt. At the current price you are "
    "paying roughly {multiple}x forward earnings for a business that compounds.\n\n"
    "**Catalysts**\n\n1. New product cycle ramps over the next two quarters.\n"
    "2. Management guided to buy back stock with free cash flow.\n"
    "3. Short interest is elevated, so any good news forces covering.\n\n"
    "**Risks**\n\nCompetition is real and the sector trades with rates. If the macro turns, "
    "this goes down with everything else. Do your own research.\n\n"
    "**Position**: {shares} shares and a few calls expiring in {months} months.\n\n"
    "TL;DR: {t} is cheap, growing and nobody is paying attention yet."
)


def dd_text(rng: np.random.Generator, mention: str) -> str:
    return DD_BODY.format(
        t=mention, pct=int(rng.integers(8, 45)), multiple=int(rng.integers(9, 22)),
        shares=int(rng.integers(50, 2000)), months=int(rng.integers(2, 9)),
    )


@dataclass(slots=True)
class Writer:
    """Fills post templates with mentions."""

    mentions: Mentions
    universe: list[str]

    def title_and_body(self, rng: np.random.Generator, subreddit: str, ticker: str | None
                       ) -> tuple[str, str]:
        first = ticker or self.mentions.pick(rng)
        second = self.mentions.pick(rng)
        while second == first:
            second = self.mentions.pick(rng)
        pct = int(rng.integers(5, 95))
        title = pick(rng, TITLES[subreddit]).format(
            t=Mentions.render(rng, first), t2=Mentions.render(rng, second), pct=pct
        )
        body_ticker = first if rng.random() < 0.7 else self.mentions.pick(rng)
        body = pick(rng, BODIES).format(
            t=Mentions.render(rng, body_ticker), t2=Mentions.render(rng, second), pct=pct
        )
        if rng.random() < 0.3:
            lowered = pick(rng, self.universe).lower()
            body += f" Also picked up some {lowered} and {pick(rng, NOISE_WORDS)}."
        return title, body.strip()


def _flair(rng: np.random.Generator, subreddit: str) -> str:
    draw, total = rng.random(), 0.0
    for name, weight in FLAIRS[subreddit]:
        total += weight
        if draw < total:
            return name
    return FLAIRS[subreddit][0][0]


def background(seed: int, board: Board, writer: Writer) -> None:
    """Hourly background posts plus each day's stickied discussion thread."""
    first_hour = int(board.as_of // 3600) - HISTORY_HOURS
    for subreddit in signals.REDDIT_SUBREDDITS:
        sub_key = signals.REDDIT_SUBREDDITS.index(subreddit)
        for hour in range(first_hour, first_hour + HISTORY_HOURS):
            rng = np.random.Generator(np.random.PCG64([seed, REDDIT_TAG, sub_key, hour]))
            if hour % 24 == 11:
                _discussion_thread(rng, board, subreddit, hour)
            for _ in range(int(rng.poisson(POSTS_PER_HOUR[subreddit]))):
                created = hour * 3600 + float(rng.uniform(0, 3600))
                flair = _flair(rng, subreddit)
                if flair == signals.DD_FLAIR:
                    ticker = writer.mentions.pick(rng)
                    mention = Mentions.render(rng, ticker)
                    title = f"DD: why {mention} is still undervalued"
                    board.add(rng, subreddit, created, title, dd_text(rng, mention), flair)
                else:
                    title, body = writer.title_and_body(rng, subreddit, None)
                    board.add(rng, subreddit, created, title, body, flair)


def _discussion_thread(rng: np.random.Generator, board: Board, subreddit: str, hour: int
                       ) -> None:
    day = dt.datetime.fromtimestamp(hour * 3600, tz=dt.UTC)
    if subreddit == "wallstreetbets":
        title = f"Daily Discussion Thread for {day:%B} {day.day}, {day.year}"
        flair = "Daily Discussion"
    else:
        title = f"r/Stocks Daily Discussion {day:%A} - {day:%b} {day.day}, {day.year}"
        flair = None
    body = "Your daily trading discussion thread. Please keep the shitposting to a minimum."
    board.add(rng, subreddit, hour * 3600 + 60, title, body, flair, stickied=True)


@dataclass(slots=True)
class RedditPlan:
    posts: dict[str, tuple[RedditPost, ...]]
    trending: list[str]
    dd: list[str]
    decoys: list[tuple[str, str, str]]  # signal, ticker, why


def _in_window(rng: np.random.Generator, board: Board) -> float:
    """A creation time safely inside the 24 h window."""
    window = signals.REDDIT_WINDOW_HOURS * 3600
    return board.as_of - float(rng.uniform(600, window - 600))


def _before_window(rng: np.random.Generator, board: Board) -> float:
    window = signals.REDDIT_WINDOW_HOURS * 3600
    return board.as_of - float(rng.uniform(window + 1800, HISTORY_HOURS * 3600 - 600))


def _sub(rng: np.random.Generator) -> str:
    return signals.REDDIT_SUBREDDITS[0] if rng.random() < 0.7 else signals.REDDIT_SUBREDDITS[1]


def _chatter(rng: np.random.Generator, board: Board, writer: Writer, ticker: str,
             created: float) -> None:
    subreddit = _sub(rng)
    title, body = writer.title_and_body(rng, subreddit, ticker)
    board.add(rng, subreddit, created, title, body, _flair(rng, subreddit))


def plant_trending(rng: np.random.Generator, board: Board, writer: Writer, quiet: list[str]
                   ) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Surges of 6-10 in-window posts on 3-5 quiet tickers, and the trending decoys."""
    planted = quiet[: int(rng.integers(3, 6))]
    for ticker in planted:
        for _ in range(int(rng.integers(signals.REDDIT_MIN_POSTS + 1,
                                        signals.REDDIT_MIN_POSTS + 6))):
            _chatter(rng, board, writer, ticker, _in_window(rng, board))
    spare = iter(quiet[len(planted) :])
    decoys = []
    repeated = next(spare)
    for _ in range(signals.REDDIT_MIN_POSTS - 2):
        text = " ".join(f"{repeated}" for _ in range(int(rng.integers(4, 9))))
        board.add(rng, "wallstreetbets", _in_window(rng, board), f"{repeated} {repeated} "
                  f"{repeated}!!!", f"{text} to the moon", "Meme")
    decoys.append(("reddit_trending", repeated,
                   "mentioned many times but in only 3 posts (once per post)"))
    lower = next(spare)
    for _ in range(signals.REDDIT_MIN_POSTS + 3):
        subreddit = _sub(rng)
        board.add(rng, subreddit, _in_window(rng, board), f"anyone else buying {lower.lower()}?",
                  f"thinking about {lower.lower()} here, thoughts", _flair(rng, subreddit))
    decoys.append(("reddit_trending", lower, "8 posts but only in lower case"))
    stale = next(spare)
    for created in [_in_window(rng, board) for _ in range(2)] + [
        _before_window(rng, board) for _ in range(6)
    ]:
        _chatter(rng, board, writer, stale, created)
    decoys.append(("reddit_trending", stale, "8 posts but 6 of them older than 24 hours"))
    word = str(rng.choice(WORD_SYMBOLS[1:]))  # ALL, IT, NOW, ON: real symbols, common words
    for _ in range(signals.REDDIT_MIN_POSTS + 4):
        subreddit = _sub(rng)
        board.add(rng, subreddit, _in_window(rng, board),
                  f"{word} IN: this market is wild RIGHT NOW",
                  f"Went {word} in on index calls. {word} or nothing.", _flair(rng, subreddit))
    decoys.append(("reddit_trending", word,
                   f"the word {word} (a universe symbol on the stop-list) used bare"))
    for slang in ("YOLO", "ATH"):
        decoys.append(("reddit_trending", slang, f"{slang} is slang, not a universe symbol"))
    return planted, decoys


def plant_dd(rng: np.random.Generator, board: Board, quiet: list[str]
             ) -> tuple[list[str], list[tuple[str, str, str]]]:
    """2-3 qualifying DD posts, and DD look-alikes that fail one condition each."""
    planted = quiet[: int(rng.integers(2, 4))]
    for ticker in planted:
        mention = Mentions.render(rng, ticker)
        board.add(rng, "wallstreetbets", _in_window(rng, board),
                  f"{mention} deep dive: the market is mispricing this", dd_text(rng, mention),
                  signals.DD_FLAIR)
    spare = iter(quiet[len(planted) :])
    decoys = []
    short = next(spare)
    board.add(rng, "wallstreetbets", _in_window(rng, board), f"DD on ${short}",
              f"${short} is going up. Trust me bro.", signals.DD_FLAIR)
    decoys.append(("reddit_dd", short, "DD flair but selftext under 500 characters"))
    analysis = next(spare)
    board.add(rng, "stocks", _in_window(rng, board), f"{analysis}: a long look at the numbers",
              dd_text(rng, analysis), "Company Analysis")
    decoys.append(("reddit_dd", analysis, "long analysis without the DD flair"))
    left, right = next(spare), next(spare)
    board.add(rng, "wallstreetbets", _in_window(rng, board), f"${left} vs ${right}: full DD",
              dd_text(rng, f"${left}"), signals.DD_FLAIR)
    decoys.append(("reddit_dd", right, "DD title names two tickers (no single primary)"))
    decoys.append(("reddit_dd", left, "DD title names two tickers (no single primary)"))
    old = next(spare)
    board.add(rng, "wallstreetbets", _before_window(rng, board), f"{old} DD: still cheap",
              dd_text(rng, old), signals.DD_FLAIR)
    decoys.append(("reddit_dd", old, "DD post older than 24 hours"))
    lowered = next(spare)
    board.add(rng, "wallstreetbets", _in_window(rng, board), f"dd on {lowered.lower()}",
              dd_text(rng, f"${lowered}"), signals.DD_FLAIR)
    decoys.append(("reddit_dd", lowered, "DD title mentions the ticker only in lower case"))
    return planted, decoys


def build_reddit(
    seed: int, rng: np.random.Generator, listings: tuple[Listing, ...], trade_date: dt.date
) -> RedditPlan:
    board = Board(as_of=signals.reddit_as_of(trade_date))
    mentions = popularity(seed, listings)
    writer = Writer(mentions, [listing.symbol for listing in listings])
    background(seed, board, writer)
    # Quiet names (outside the 60 most talked-about) carry plants and decoys.
    quiet = [mentions.symbols[60 + int(i)] for i in
             rng.permutation(len(mentions.symbols) - 60)]
    trending, trending_decoys = plant_trending(rng, board, writer, quiet[:20])
    dd, dd_decoys = plant_dd(rng, board, quiet[20:40])
    return RedditPlan(
        posts=board.finish(),
        trending=trending,
        dd=dd,
        decoys=trending_decoys + dd_decoys,
    )
