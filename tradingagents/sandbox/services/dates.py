"""Date query parameters (``YYYY-MM-DD`` and Stooq's ``YYYYMMDD``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping


class DateParamError(ValueError):
    """A date parameter that is missing or not a date; the message names it."""


def required_date(query: Mapping[str, str], name: str) -> dt.date:
    """The date in ``query[name]``, which must be there."""
    day = date_param(query, name)
    if day is None:
        raise DateParamError(f"missing required parameter {name!r} (YYYY-MM-DD)")
    return day


def date_param(query: Mapping[str, str], name: str, *, compact: bool = False) -> dt.date | None:
    """The date in ``query[name]``; None when absent."""
    text = query.get(name, "")
    if not text:
        return None
    try:
        if compact:
            return dt.datetime.strptime(text, "%Y%m%d").date()
        return dt.date.fromisoformat(text)
    except ValueError:
        shape = "YYYYMMDD" if compact else "YYYY-MM-DD"
        raise DateParamError(f"parameter {name!r} is not a date ({shape}): {text!r}") from None
