"""The earnings calendar: quarterly reports with estimates, actuals and a beat history.

Each company keeps a fixed fiscal calendar, reporting lag, report hour and beat tendency
(seed-level), and each quarter's estimate and surprise come from a stream keyed by
(seed, company, quarter), so the calendar is the same in every market; actuals appear once
the report date is <= the trade date. Planted beat histories and decoys belong to the trade
date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_records import EarningsEvent
from tradingagents.sandbox.universe import Listing

EARNINGS_TAG = 0x4541524E  # "EARN"
HISTORY_DAYS = 500  # reports this far back are listed (>= 4 reported quarters)
FUTURE_DAYS = 100  # and this far ahead
MEET_PROBABILITY = 0.06  # an actual exactly equal to the estimate


@dataclass(frozen=True, slots=True)
class Profile:
    fiscal_shift: int  # months the fiscal quarters end after calendar quarters (0-2)
    lag_days: int  # report date = quarter end + lag (+- a few days)
    hour: Literal["bmo", "amc", ""]
    beat_probability: float
    eps: float  # typical quarterly EPS
    revenue: float  # typical quarterly revenue


@functools.lru_cache(maxsize=8)
def profiles(seed: int, listings: tuple[Listing, ...]) -> tuple[Profile, ...]:
    rng = np.random.Generator(np.random.PCG64([seed, EARNINGS_TAG]))
    out = []
    for listing in listings:
        price = listing.base_price
        earnings_yield = float(rng.uniform(0.025, 0.08)) if price >= 5 else -0.05
        hour: Literal["bmo", "amc", ""] = ("bmo", "amc", "")[
            int(rng.choice(3, p=[0.55, 0.4, 0.05]))
        ]
        out.append(
            Profile(
                fiscal_shift=int(rng.choice(3, p=[0.7, 0.15, 0.15])),
                lag_days=int(rng.integers(18, 62)),
                hour=hour,
                beat_probability=float(rng.beta(4.0, 3.5)),
                eps=price * earnings_yield / 4.0,
                revenue=listing.shares_outstanding * price / float(rng.uniform(1.0, 8.0)) / 4.0,
            )
        )
    return tuple(out)


def _quarter_ends(first: dt.date, last: dt.date, shift: int) -> list[dt.date]:
    """Fiscal quarter ends whose reports (within ~100 days) can fall in first..last."""
    ends = []
    for year in range(first.year - 1, last.year + 1):
        for month in (3 + shift, 6 + shift, 9 + shift, 12 + shift):
            y, m = (year, month) if month <= 12 else (year + 1, month - 12)
            end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            if first - dt.timedelta(days=100) <= end <= last:
                ends.append(end)
    return ends


@dataclass(frozen=True, slots=True)
class QuarterDraws:
    """Random inputs of every company's report for quarters ending in one calendar month."""

    jitter: npt.NDArray[np.int64]
    estimate: npt.NDArray[np.float64]
    surprise: npt.NDArray[np.float64]
    outcome: npt.NDArray[np.float64]
    revenue_estimate: npt.NDArray[np.float64]
    revenue_surprise: npt.NDArray[np.float64]


def quarter_draws(seed: int, month_key: int, companies: int) -> QuarterDraws:
    rng = np.random.Generator(np.random.PCG64([seed, EARNINGS_TAG, month_key]))
    return QuarterDraws(
        jitter=rng.integers(-3, 4, size=companies),
        estimate=np.exp(rng.normal(0, 0.15, size=companies)),
        surprise=rng.uniform(0.01, 0.12, size=companies),
        outcome=rng.random(companies),
        revenue_estimate=np.exp(rng.normal(0, 0.05, size=companies)),
        revenue_surprise=np.exp(rng.normal(0.005, 0.02, size=companies)),
    )


def _report(
    listing: Listing, profile: Profile, quarter_end: dt.date, draws: QuarterDraws, index: int
) -> EarningsEvent:
    """The report for one fiscal quarter, actuals included (callers hide future ones)."""
    date = quarter_end + dt.timedelta(days=profile.lag_days + int(draws.jitter[index]))
    while date.weekday() > 4:
        date += dt.timedelta(days=1)
    estimate = round(profile.eps * float(draws.estimate[index]), 4)
    surprise = abs(estimate) * float(draws.surprise[index]) + 0.01
    outcome = float(draws.outcome[index])
    if outcome < MEET_PROBABILITY:
        actual = estimate
    elif outcome < MEET_PROBABILITY + profile.beat_probability * (1 - MEET_PROBABILITY):
        actual = round(estimate + surprise, 2)
    else:
        actual = round(estimate - surprise, 2)
    revenue_estimate = round(profile.revenue * float(draws.revenue_estimate[index]), 0)
    fiscal_quarter = (quarter_end.month - 1 - profile.fiscal_shift) % 12 // 3 + 1
    return EarningsEvent(
        symbol=listing.symbol,
        date=date,
        hour=profile.hour,
        quarter=fiscal_quarter,
        year=quarter_end.year,
        eps_estimate=estimate,
        eps_actual=actual,
        revenue_estimate=revenue_estimate,
        revenue_actual=round(revenue_estimate * float(draws.revenue_surprise[index]), 0),
    )


def _visible(event: EarningsEvent, trade_date: dt.date) -> EarningsEvent:
    if event.date <= trade_date:
        return event
    return dataclasses.replace(event, eps_actual=None, revenue_actual=None)


def _with_history(
    events: list[EarningsEvent], trade_date: dt.date, outcomes: list[str]
) -> list[EarningsEvent]:
    """Rewrite the latest reported quarters (newest first) to "beat", "meet" or "miss"."""
    reported = sorted((e for e in events if e.date <= trade_date), key=lambda e: e.date)
    replaced = {}
    for event, outcome in zip(reversed(reported), outcomes, strict=False):
        step = abs(event.eps_estimate) * 0.05 + 0.01
        actual = {
            "beat": round(event.eps_estimate + step, 2),
            "meet": event.eps_estimate,
            "miss": round(event.eps_estimate - step, 2),
        }[outcome]
        replaced[event.date] = dataclasses.replace(event, eps_actual=actual)
    return [replaced.get(event.date, event) for event in events]


@dataclass(slots=True)
class EarningsPlan:
    events: list[EarningsEvent]
    planted: list[str]
    decoys: list[tuple[str, str]]


def earnings_schedule(
    seed: int, listings: tuple[Listing, ...], first: dt.date, last: dt.date
) -> dict[str, list[EarningsEvent]]:
    """Every company's reports dated first..last (actuals included), oldest first."""
    by_symbol: dict[str, list[EarningsEvent]] = {}
    draws: dict[int, QuarterDraws] = {}
    for index, (listing, profile) in enumerate(zip(listings, profiles(seed, listings),
                                                   strict=True)):
        reports = []
        for end in _quarter_ends(first, last, profile.fiscal_shift):
            key = end.year * 12 + end.month
            if key not in draws:
                draws[key] = quarter_draws(seed, key, len(listings))
            report = _report(listing, profile, end, draws[key], index)
            if first <= report.date <= last:
                reports.append(report)
        by_symbol[listing.symbol] = reports
    return by_symbol


REACTION = {"beat": 1.0, "miss": -1.0, "meet": 0.3}


def earnings_reactions(
    schedule: dict[str, list[EarningsEvent]],
    symbols: list[str],
    dates: pd.DatetimeIndex,
) -> npt.NDArray[np.float64]:
    """(days, tickers) signed surprise on each report's reaction day, else 0: +1 beat,
    -1 miss, +0.3 meet. A report after the close ("amc") moves the next trading day."""
    reactions = np.zeros((len(dates), len(symbols)))
    days = dates.to_numpy().astype("datetime64[D]")
    for column, symbol in enumerate(symbols):
        for event in schedule[symbol]:
            if event.eps_actual is None:
                continue
            row = int(np.searchsorted(days, np.datetime64(event.date)))
            row += event.hour == "amc"
            if row < len(days):
                outcome = (
                    "beat" if event.eps_actual > event.eps_estimate
                    else "miss" if event.eps_actual < event.eps_estimate else "meet"
                )
                reactions[row, column] = REACTION[outcome]
    return reactions


def build_earnings(
    rng: np.random.Generator, schedule: dict[str, list[EarningsEvent]], trade_date: dt.date
) -> EarningsPlan:
    """The calendar around the trade date (from `schedule`), sorted by date then symbol."""
    first = trade_date - dt.timedelta(days=HISTORY_DAYS)
    last = trade_date + dt.timedelta(days=FUTURE_DAYS)
    by_symbol = {
        symbol: [e for e in events if first <= e.date <= last]
        for symbol, events in schedule.items()
    }

    window_end = trade_date + dt.timedelta(days=signals.EARNINGS_WINDOW_DAYS)
    upcoming = sorted(
        symbol
        for symbol, events in by_symbol.items()
        if any(trade_date < e.date <= window_end for e in events)
    )
    truth_now = signals.earnings_calendar(
        (e for events in by_symbol.values() for e in events), trade_date
    )
    candidates = [s for s in upcoming if s not in truth_now]
    chosen = [str(s) for s in rng.permutation(candidates)]
    planted = chosen[: int(rng.integers(1, 3))]
    for symbol in planted:
        by_symbol[symbol] = _with_history(by_symbol[symbol], trade_date, ["beat"] * 4)
    decoys: list[tuple[str, str]] = []
    meet_pool = chosen[len(planted) : len(planted) + 1]
    for symbol in meet_pool:
        by_symbol[symbol] = _with_history(
            by_symbol[symbol], trade_date, ["beat", "meet", "meet", "beat"]
        )
        decoys.append((symbol, "2 beats and 2 exact meets (meeting is not beating)"))
    events = sorted(
        (_visible(e, trade_date) for rows in by_symbol.values() for e in rows),
        key=lambda e: (e.date, e.symbol),
    )
    decoys.extend(_natural_decoys(events, trade_date, rng))
    return EarningsPlan(events=events, planted=planted, decoys=decoys)


def _natural_decoys(
    events: list[EarningsEvent], trade_date: dt.date, rng: np.random.Generator
) -> list[tuple[str, str]]:
    """Near misses the calendar already holds: a report in the window without a beat
    history, a beat history reporting just after the window, a beat history reporting on D."""
    window = signals.earnings_metrics(events, trade_date)
    no_history = [s for s, (_, _, beats) in window.items() if beats <= 1]
    three_of_four = [
        s for s, (_, quarters, beats) in window.items()
        if quarters == signals.EARNINGS_HISTORY_QUARTERS and beats == quarters - 1
    ]
    later = signals.earnings_metrics(events, trade_date + dt.timedelta(days=7))
    after_window = [
        s
        for s, (day, quarters, beats) in later.items()
        if s not in window
        and day > trade_date + dt.timedelta(days=signals.EARNINGS_WINDOW_DAYS)
        and quarters == signals.EARNINGS_HISTORY_QUARTERS
        and beats >= signals.EARNINGS_MIN_BEATS
    ]
    today = [
        e.symbol
        for e in events
        if e.date == trade_date and e.eps_actual is not None and e.eps_actual > e.eps_estimate
    ]
    picks = [
        (no_history, "reports within 7 days but beat at most 1 of the last 4 quarters"),
        (three_of_four, "reports within 7 days but beat only 3 of the last 4 quarters"),
        (after_window, "beat history but reports 8-14 days out (outside the 7-day window)"),
        (today, "reported on the trade date itself (already out, not upcoming)"),
    ]
    return [
        (str(rng.choice(pool)), why) for pool, why in picks if pool
    ]
