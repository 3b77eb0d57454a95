"""Which market sessions exist: the NYSE calendar of ``exchange-calendars`` (XNYS), with its
holidays and early closes, not weekday arithmetic."""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from typing import Any

import pandas as pd

CALENDAR = "XNYS"
PUBLISHED_AFTER_CLOSE = dt.timedelta(hours=1)
"""End-of-day bars are complete this long after the close (the bulk feeds publish then)."""


@functools.cache
def _calendar() -> Any:
    import exchange_calendars

    with warnings.catch_warnings():
        # exchange-calendars 4.13 builds its schedule with Series.values, which pandas 3.1
        # deprecates for tz-aware data (a warning only; the values are the UTC nanoseconds
        # it wants).
        warnings.filterwarnings("ignore", "Series.values returning an ndarray", Warning)
        return exchange_calendars.get_calendar(CALENDAR, start="1990-01-02")


def sessions_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every session from ``first`` to ``last``, both included."""
    if last < first:
        return []
    found = _calendar().sessions_in_range(pd.Timestamp(first), pd.Timestamp(last))
    return [stamp.date() for stamp in found]


def last_completed_session(now: dt.datetime | None = None) -> dt.date:
    """The latest session whose end-of-day bars are published as of ``now`` (UTC; default:
    the current time): its close (an early close on a half day) plus an hour."""
    calendar = _calendar()
    moment = pd.Timestamp(now or dt.datetime.now(dt.UTC))
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC")
    session = calendar.date_to_session(moment.tz_convert(None).normalize(), direction="previous")
    while calendar.session_close(session) + PUBLISHED_AFTER_CLOSE > moment:
        session = calendar.previous_session(session)
    return pd.Timestamp(session).date()


def sessions_ending(last: dt.date, count: int) -> list[dt.date]:
    """The ``count`` sessions up to ``last`` (included when it is a session)."""
    calendar = _calendar()
    end = calendar.date_to_session(pd.Timestamp(last), direction="previous")
    position = calendar.sessions.get_loc(end)
    chosen = calendar.sessions[max(position - count + 1, 0) : position + 1]
    return [stamp.date() for stamp in chosen]
