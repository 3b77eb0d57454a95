"""The one place a trade date is checked: parsed, bounded, and mapped to its market session.

Both the CLI and :meth:`DiscoveryGraph.run` call :func:`resolve_trade_date` before anything
runs, so a bad date is one clear error instead of one error per scanner.

* A date that is not ``YYYY-MM-DD`` (or a ``date``) is refused.
* A date in the future is refused: there is no market data for it yet.
* A date before the data is refused. The sandbox market generates its history from
  :data:`tradingagents.sandbox.market_bars.MIN_TRADE_DATE`; live data is bounded by the
  first session of the exchange calendar, :data:`EARLIEST_LIVE_DATE`.
* A day without a session is scanned as the last session before it, and both dates are
  kept so every output can name them. Live data follows the NYSE calendar
  (:mod:`tradingagents.store.sessions`: weekends and holidays); the sandbox market trades
  every weekday, so only its weekends move.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: The first session of the exchange calendar live dates are checked against.
EARLIEST_LIVE_DATE = dt.date(1990, 1, 2)


class TradeDateError(ValueError):
    """A trade date that cannot be scanned, with the reason."""


@dataclass(frozen=True)
class TradeDate:
    """The date a user asked for and the market session that is scanned for it."""

    requested: dt.date
    session: dt.date

    @property
    def shifted(self) -> bool:
        return self.requested != self.session

    def describe(self) -> str:
        """``2026-11-20``, or ``2026-11-21 (no session; scanned as Friday 2026-11-20)``."""
        if not self.shifted:
            return self.session.isoformat()
        return (
            f"{self.requested.isoformat()} (no session; scanned as "
            f"{self.session.strftime('%A')} {self.session.isoformat()})"
        )


def last_session(day: dt.date, data_mode: str = "sandbox") -> dt.date:
    """The last market session on or before ``day`` for ``data_mode``'s data (see the
    module docstring); ``day`` must not be before :func:`earliest_date`."""
    if data_mode == "live":
        from tradingagents.store.sessions import sessions_ending

        return sessions_ending(day, 1)[0]
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def earliest_date(data_mode: str) -> dt.date:
    """The first trade date the data of ``data_mode`` can serve."""
    if data_mode == "live":
        return EARLIEST_LIVE_DATE
    # "sandbox" and "auto" (which may fall back to the sandbox) share the sandbox's bound.
    from tradingagents.sandbox.market_bars import MIN_TRADE_DATE

    return MIN_TRADE_DATE


def parse_trade_date(value: str | dt.date | None, *, today: dt.date | None = None) -> dt.date:
    """``value`` as a date (``None`` is today); refuses anything that is not ``YYYY-MM-DD``."""
    if value is None:
        return today or dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise TradeDateError(f"trade_date must be a date or 'YYYY-MM-DD', got {value!r}")


def resolve_trade_date(
    value: str | dt.date | None,
    *,
    data_mode: str = "sandbox",
    today: dt.date | None = None,
) -> TradeDate:
    """Check ``value`` (``None`` is today) against ``data_mode``'s data and find the session
    it scans; see the module docstring."""
    today = today or dt.date.today()
    requested = parse_trade_date(value, today=today)
    if requested > today:
        raise TradeDateError(
            f"trade_date {requested.isoformat()} is in the future (today is {today.isoformat()})"
        )
    earliest = earliest_date(data_mode)
    # The calendar cannot look before its first session, so the requested date is checked
    # first; a weekend just after the first data day can still map to before it.
    session = last_session(requested, data_mode) if requested >= earliest else requested
    if session < earliest:
        raise TradeDateError(
            f"trade_date {requested.isoformat()} is before the data: the earliest date "
            f"{data_mode} data can scan is {earliest.isoformat()}"
        )
    return TradeDate(requested=requested, session=session)
