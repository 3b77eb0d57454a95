"""earnings_calendar: companies reporting within days that have a habit of beating estimates.

Definition (the sandbox's ``earnings_calendar``): a report dated D+1 .. D+``window_days``
(the trade date D itself excluded: that report is already out), and among the
``history_quarters`` (4) most recent reports dated <= D that carry an actual EPS, all of
them exist and at least ``min_beats`` (4: every one) have actual > estimate (strictly:
meeting is not beating).

Two logged calls to Finnhub's earnings calendar (all symbols at once): the upcoming window,
then the history over the last ``history_days``; only universe symbols count.

Ranking: beats first, then the average EPS surprise (in % of |estimate|), then the sooner
report. Priority: ``high`` for a perfect record (every looked-at quarter beaten) by an
average surprise of at least 5% (beats by a real margin, not by a cent), ``medium``
otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.registry import SCANNER_REGISTRY
from tradingagents.scanners.universe import load_universe
from tradingagents.sources.finnhub_records import EarningsEvent

logger = logging.getLogger(__name__)

#: Average EPS surprise (% of |estimate|) that makes a perfect beat record high priority.
STRONG_SURPRISE_PCT = 5.0


@dataclass(frozen=True)
class _Record:
    """A symbol's next report and its recent track record."""

    upcoming: EarningsEvent
    reported: tuple[EarningsEvent, ...]

    @property
    def beats(self) -> int:
        return sum(1 for event in self.reported if _beat(event))

    @property
    def average_surprise_pct(self) -> float:
        surprises = [
            (event.eps_actual - event.eps_estimate) / abs(event.eps_estimate) * 100.0
            for event in self.reported
            if event.eps_actual is not None and event.eps_estimate
        ]
        return round(sum(surprises) / len(surprises), 2) if surprises else 0.0


def _beat(event: EarningsEvent) -> bool:
    return (
        event.eps_actual is not None
        and event.eps_estimate is not None
        and event.eps_actual > event.eps_estimate
    )


@SCANNER_REGISTRY.register
class EarningsCalendarScanner(BaseScanner):
    name = "earnings_calendar"
    pipeline = "events"
    strategy = "earnings_play"
    source = "finnhub"
    description = "Earnings within days from companies that usually beat estimates"
    default_limit = 15
    params: ClassVar[dict[str, ScannerParam]] = {
        "window_days": ScannerParam(
            int,
            7,
            "report dated within this many calendar days after the trade date",
            ge=1,
            le=90,
        ),
        "history_quarters": ScannerParam(
            int, 4, "most recent reported quarters looked at (all must exist)", ge=1, le=12
        ),
        "min_beats": ScannerParam(
            int, 4, "of those quarters, how many must beat the EPS estimate", ge=0, le=12
        ),
        "history_days": ScannerParam(
            int,
            400,
            "calendar days of past reports fetched for the track record",
            ge=90,
            le=1500,
        ),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        trade_date = dt.date.fromisoformat(state["trade_date"])
        quarters = self.param("history_quarters", int)
        min_beats = self.param("min_beats", int)
        if min_beats > quarters:
            raise ValueError(
                f"{self.name}: min_beats={min_beats} can never be met with "
                f"history_quarters={quarters}"
            )
        last_day = trade_date + dt.timedelta(days=self.param("window_days", int))
        upcoming = self.tools.call(
            "get_earnings_calendar",
            self.sources.finnhub.earnings_calendar,
            start=trade_date + dt.timedelta(days=1),
            end=last_day,
        )
        universe = frozenset(load_universe(self))
        next_report: dict[str, EarningsEvent] = {}
        for event in sorted(upcoming, key=lambda e: e.date):
            if event.symbol in universe and trade_date < event.date <= last_day:
                next_report.setdefault(event.symbol, event)
        if not next_report:
            return []
        history = self.tools.call(
            "get_earnings_calendar",
            self.sources.finnhub.earnings_calendar,
            start=trade_date - dt.timedelta(days=self.param("history_days", int)),
            end=trade_date,
        )
        past: dict[str, list[EarningsEvent]] = defaultdict(list)
        for event in history:
            if (
                event.symbol in next_report
                and event.date <= trade_date
                and event.eps_actual is not None
            ):
                past[event.symbol].append(event)
        records = {
            symbol: _Record(event, tuple(sorted(past[symbol], key=lambda e: e.date)[-quarters:]))
            for symbol, event in next_report.items()
        }
        hits = sorted(
            (
                (symbol, record)
                for symbol, record in records.items()
                if len(record.reported) == quarters and record.beats >= min_beats
            ),
            key=lambda item: (
                -item[1].beats,
                -item[1].average_surprise_pct,
                item[1].upcoming.date,
                item[0],
            ),
        )
        logger.info(
            "%s: %d universe companies report by %s, %d with a beat record",
            self.name,
            len(next_report),
            last_day.isoformat(),
            len(hits),
        )
        return [
            self._candidate(symbol, record, trade_date) for symbol, record in hits[: self.limit]
        ]

    def _candidate(self, symbol: str, record: _Record, trade_date: dt.date) -> dict[str, Any]:
        upcoming, quarters = record.upcoming, len(record.reported)
        days = (upcoming.date - trade_date).days
        when = {"bmo": " before the open", "amc": " after the close"}.get(upcoming.hour, "")
        candidate: dict[str, Any] = {
            "ticker": symbol,
            "priority": _priority(record),
            "context": (
                f"reports on {upcoming.date.isoformat()}{when} (in {days} day(s)); beat EPS "
                f"estimates in {record.beats} of the last {quarters} quarters, average "
                f"surprise {record.average_surprise_pct:+.1f}%"
            ),
            "report_date": upcoming.date.isoformat(),
            "report_hour": upcoming.hour,
            "days_until_report": days,
            "beats": record.beats,
            "quarters": quarters,
            "average_surprise_pct": record.average_surprise_pct,
            "signal_date": trade_date.isoformat(),
        }
        if upcoming.eps_estimate is not None:
            candidate["eps_estimate"] = upcoming.eps_estimate
        return candidate


def _priority(record: _Record) -> Priority:
    perfect = record.beats == len(record.reported)
    return "high" if perfect and record.average_surprise_pct >= STRONG_SURPRISE_PCT else "medium"
