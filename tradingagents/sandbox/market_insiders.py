"""Form 4 insider transactions: background activity plus planted purchase clusters.

Every company has a fixed roster of insiders (seed-level). Background transactions are drawn
per calendar day from a stream keyed by (seed, day), so a day's background is the same in
every market that contains it; planted clusters and their decoys belong to the trade date.
A transaction is visible only once filed (filing date <= the trade date).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_bars import Bars
from tradingagents.sandbox.market_names import person_name, pick
from tradingagents.sandbox.market_records import InsiderTransaction, TransactionCode
from tradingagents.sandbox.universe import Listing

INSIDER_TAG = 0x494E5344  # "INSD"
HISTORY_DAYS = 120  # calendar days of Form 4 history before the trade date
DAILY_RATE = 0.04  # background transactions per company per trading day
CODE_WEIGHTS: dict[TransactionCode, float] = {
    "S": 0.40, "A": 0.17, "F": 0.17, "M": 0.16, "G": 0.05, "P": 0.05,
}
ROSTER_TITLES = (
    ("Chief Executive Officer", True, False, False),
    ("Chief Financial Officer", True, False, False),
    ("President and COO", True, False, False),
    ("EVP, General Counsel", True, False, False),
    ("Director", False, True, False),
    ("Director", False, True, False),
    ("Director", False, True, False),
    ("10% Owner", False, False, True),
)


@dataclass(frozen=True, slots=True)
class Insider:
    name: str
    cik: int
    title: str
    is_officer: bool
    is_director: bool
    is_ten_percent_owner: bool
    holding: int  # typical shares owned


@functools.lru_cache(maxsize=8)
def roster(seed: int, listings: tuple[Listing, ...]) -> tuple[tuple[Insider, ...], ...]:
    """Each company's insiders (officers first, then directors, then a 10% owner)."""
    rng = np.random.Generator(np.random.PCG64([seed, INSIDER_TAG]))
    rosters = []
    for index, listing in enumerate(listings):
        insiders = []
        for slot, (title, officer, director, owner) in enumerate(ROSTER_TITLES):
            fraction = 0.1 if owner else float(rng.uniform(0.0002, 0.004))
            insiders.append(
                Insider(
                    name=person_name(rng) if not owner else f"{listing.name.split()[0]} "
                    f"Partners {['LP', 'LLC', 'Fund II'][slot % 3]}",
                    cik=1_700_000 + index * 16 + slot,
                    title=title,
                    is_officer=officer,
                    is_director=director,
                    is_ten_percent_owner=owner,
                    holding=max(int(listing.shares_outstanding * fraction), 1_000),
                )
            )
        rosters.append(tuple(insiders))
    return tuple(rosters)


@dataclass(slots=True)
class InsiderBook:
    """Builds transaction records against a market's bars."""

    listings: tuple[Listing, ...]
    rosters: tuple[tuple[Insider, ...], ...]
    dates: pd.DatetimeIndex
    bars: Bars
    trade_date: dt.date
    row_of: dict[dt.date, int] = field(init=False)

    def __post_init__(self) -> None:
        self.row_of = {stamp.date(): row for row, stamp in enumerate(self.dates)}

    def close_on(self, day: dt.date, column: int) -> float:
        return float(self.bars.close[self.row_of[day], column])

    def record(
        self,
        rng: np.random.Generator,
        column: int,
        insider: Insider,
        day: dt.date,
        code: TransactionCode,
        value: float | None = None,
    ) -> InsiderTransaction | None:
        """One transaction on trading day `day`; None when not filed by the trade date."""
        filing = day + dt.timedelta(days=pick(rng, (0, 1, 1, 2, 2, 2)))
        while filing.weekday() > 4:  # the SEC accepts filings on business days
            filing += dt.timedelta(days=1)
        if filing > self.trade_date:
            return None
        close = self.close_on(day, column)
        price = {
            "P": round(close * (1 + rng.normal(0, 0.004)), 2),
            "S": round(close * (1 + rng.normal(0, 0.004)), 2),
            "F": close,
            "M": round(close * float(rng.uniform(0.3, 0.8)), 2),
            "A": 0.0,
            "G": 0.0,
        }[code]
        if value is not None:
            shares = max(int(value / price), 1)
        elif code == "P":
            shares = max(int(float(rng.uniform(5e3, 6e4)) / close), 10)
        else:
            shares = max(int(insider.holding * float(rng.uniform(0.01, 0.15))), 10)
        acquired = code in ("P", "A", "M")
        after = int(insider.holding * float(rng.uniform(0.8, 1.2)))
        after = after + shares if acquired else max(after - shares, 0)
        return InsiderTransaction(
            symbol=self.listings[column].symbol,
            cik=self.listings[column].cik,
            insider_name=insider.name,
            insider_cik=insider.cik,
            title=insider.title,
            is_director=insider.is_director,
            is_officer=insider.is_officer,
            is_ten_percent_owner=insider.is_ten_percent_owner,
            transaction_date=day,
            filing_date=filing,
            code=code,
            acquired_disposed="A" if acquired else "D",
            shares=shares,
            price=price,
            shares_owned_after=after,
            accession_number=(
                f"{insider.cik:010d}-{filing.year % 100:02d}-"
                f"{filing.timetuple().tm_yday * 100 + column % 100:06d}"
            ),
        )


def background(seed: int, book: InsiderBook) -> list[InsiderTransaction]:
    """Routine sales, grants, exercises, tax withholdings, gifts and rare lone purchases."""
    first = book.trade_date - dt.timedelta(days=HISTORY_DAYS)
    codes = list(CODE_WEIGHTS)
    cumulative = np.cumsum(list(CODE_WEIGHTS.values()))
    rows = []
    for stamp in book.dates[book.dates >= pd.Timestamp(first)]:
        day = stamp.date()
        rng = np.random.Generator(np.random.PCG64([seed, INSIDER_TAG, day.toordinal()]))
        active = np.flatnonzero(rng.random(len(book.listings)) < DAILY_RATE)
        for column in active:
            insiders = book.rosters[int(column)]
            insider = insiders[int(rng.integers(len(insiders)))]
            code = codes[int(np.searchsorted(cumulative, rng.random() * cumulative[-1]))]
            row = book.record(rng, int(column), insider, day, code)
            if row is not None:
                rows.append(row)
    return rows


def _window_days(book: InsiderBook, first_offset: int, last_offset: int) -> list[dt.date]:
    """Trading days from D-first_offset to D-last_offset calendar days."""
    start = pd.Timestamp(book.trade_date - dt.timedelta(days=first_offset))
    end = pd.Timestamp(book.trade_date - dt.timedelta(days=last_offset))
    return [stamp.date() for stamp in book.dates[(book.dates >= start) & (book.dates <= end)]]


def _purchases(
    book: InsiderBook,
    rng: np.random.Generator,
    column: int,
    insiders: list[Insider],
    days: list[dt.date],
    value: tuple[float, float],
) -> list[InsiderTransaction]:
    rows = []
    for insider in insiders:
        day = days[int(rng.integers(len(days)))]
        row = book.record(rng, column, insider, day, "P", float(rng.uniform(*value)))
        if row is not None:
            rows.append(row)
    return rows


@dataclass(slots=True)
class InsiderPlan:
    rows: list[InsiderTransaction]
    planted: list[str]
    decoys: list[tuple[str, str]]  # ticker, why


def plant(book: InsiderBook, rng: np.random.Generator) -> InsiderPlan:
    """Purchase clusters (3-5 distinct insiders, each >= $40k, on trading days D-11..D-3 so
    they are filed by D) and the decoys a sloppy scanner falls for."""
    symbols = [listing.symbol for listing in book.listings]
    order = [int(i) for i in rng.permutation(len(symbols))]
    recent = _window_days(book, signals.INSIDER_WINDOW_DAYS - 3, 3)
    plan = InsiderPlan(rows=[], planted=[], decoys=[])

    def roster_of(column: int) -> list[Insider]:
        return list(book.rosters[column][:7])  # officers and directors

    for column in order[: int(rng.integers(2, 5))]:
        people = roster_of(column)
        chosen = [people[int(i)] for i in rng.choice(len(people), size=int(rng.integers(3, 6)),
                                                     replace=False)]
        rows = _purchases(book, rng, column, chosen, recent, (40_000, 400_000))
        plan.rows.extend(rows)
        plan.planted.append(symbols[column])
    decoys = iter(order[5:])

    def decoy(rows: list[InsiderTransaction], why: str, column: int) -> None:
        plan.rows.extend(rows)
        plan.decoys.append((symbols[column], why))

    column = next(decoys)
    decoy(_purchases(book, rng, column, roster_of(column)[:2], recent, (80_000, 500_000)),
          "only 2 distinct insiders bought", column)
    column = next(decoys)
    decoy(_purchases(book, rng, column, [roster_of(column)[0]] * 3, recent, (60_000, 300_000)),
          "one insider (the CEO) bought 3 times", column)
    column = next(decoys)
    people = roster_of(column)
    grant_codes: tuple[TransactionCode, ...] = ("A", "M", "A", "M")
    grants = [
        row
        for insider, code in zip(people[:4], grant_codes, strict=True)
        if (row := book.record(rng, column, insider, recent[int(rng.integers(len(recent)))],
                               code)) is not None
    ]
    decoy(grants, "4 insiders acquired shares by grant (A) or exercise (M), not purchase (P)",
          column)
    column = next(decoys)
    people = roster_of(column)
    stale = _window_days(book, 24, signals.INSIDER_WINDOW_DAYS + 1)
    decoy(
        _purchases(book, rng, column, people[:2], recent, (60_000, 300_000))
        + _purchases(book, rng, column, people[4:5], stale, (60_000, 300_000)),
        "3 insiders bought but one of them 15-24 days ago (outside the 14-day window)",
        column,
    )
    column = next(decoys)
    decoy(_purchases(book, rng, column, roster_of(column)[2:5], recent, (8_000, 30_000)),
          "3 insiders bought but less than $100k in total", column)
    column = next(decoys)
    decoy(_purchases(book, rng, column, roster_of(column)[:1], recent, (1_000_000, 3_000_000)),
          "a single large CEO purchase, not a cluster", column)
    return plan


def build_insider_transactions(
    seed: int,
    rng: np.random.Generator,
    listings: tuple[Listing, ...],
    dates: pd.DatetimeIndex,
    bars: Bars,
    trade_date: dt.date,
) -> InsiderPlan:
    """All visible transactions, newest filing first, with what was planted."""
    book = InsiderBook(listings, roster(seed, listings), dates, bars, trade_date)
    rows = background(seed, book)
    plan = plant(book, rng)
    rows.extend(plan.rows)
    rows.sort(
        key=lambda row: (row.filing_date, row.transaction_date, row.symbol, row.insider_cik),
        reverse=True,
    )
    plan.rows = rows
    return plan
