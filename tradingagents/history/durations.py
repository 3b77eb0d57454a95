"""Each scanner's recent durations, for the engine's scheduler (longest first, say)."""

from __future__ import annotations

import logging
import sqlite3
import statistics
from collections.abc import Iterable
from pathlib import Path

from tradingagents.history.database import HistoryError, connect

logger = logging.getLogger(__name__)

#: How many of a scanner's latest ok runs :func:`recent_durations` looks at by default.
RECENT_RUNS = 10


def recent_durations(
    path: Path, names: Iterable[str], *, last: int = RECENT_RUNS
) -> dict[str, float]:
    """The median duration in seconds of each named scanner's last ``last`` ok runs.

    The median, so one run slowed by a busy machine does not move it. A scanner without an
    ok run in the history is left out, and so is everything when the history does not exist
    or cannot be read (one warning): a schedule is a hint, never a reason to fail a run."""
    if last < 1:
        raise ValueError(f"last must be at least 1, not {last}")
    wanted = list(dict.fromkeys(names))
    if not wanted or not path.exists():
        return {}
    found: dict[str, float] = {}
    try:
        with connect(path) as connection:
            for name in wanted:
                rows = connection.execute(
                    "SELECT duration_seconds FROM scanner_reports WHERE name = ? AND"
                    " status = 'ok' AND duration_seconds IS NOT NULL"
                    " ORDER BY run_id DESC LIMIT ?",
                    (name, last),
                ).fetchall()
                if rows:
                    found[name] = float(statistics.median(float(r[0]) for r in rows))
    except (sqlite3.Error, HistoryError, OSError) as exc:
        logger.warning("scanner durations not read from the run history %s: %s", path, exc)
        return {}
    return found
