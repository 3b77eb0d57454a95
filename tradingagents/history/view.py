"""What ``tradingagents history`` shows: the latest runs and each scanner's realised record
over them (statistics from :mod:`tradingagents.history.statistics`)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tradingagents.history.database import connect
from tradingagents.history.statistics import (
    HORIZONS,
    excess_column,
    record_statistics,
    return_column,
)


@dataclass(frozen=True)
class HistoryView:
    runs: list[dict[str, Any]]
    """Newest first: id, dates, mode, exit code, wall time, scanner counts, results folder."""
    sessions: int
    """Distinct sessions the runs scanned (the denominator of the session share)."""
    by_scanner: pd.DataFrame
    by_priority: pd.DataFrame

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "sessions": self.sessions,
            "by_scanner": _records(self.by_scanner),
            "by_priority": _records(self.by_priority),
        }


def load_history(
    path: Path,
    *,
    last: int = 20,
    scanner: str | None = None,
    horizons: Sequence[int] = HORIZONS,
) -> HistoryView:
    """The ``last`` newest runs (those in which ``scanner`` ran, when given) and the record
    of their picks."""
    if last < 1:
        raise ValueError(f"last must be at least 1, not {last}")
    with connect(path) as connection:
        connection.row_factory = _dict_row
        filter_sql = (
            " WHERE id IN (SELECT run_id FROM scanner_reports WHERE name = :scanner)"
            if scanner
            else ""
        )
        runs = connection.execute(
            "SELECT id, recorded_at, trade_date, session_date, data_mode, execution,"
            " config_hash, wall_seconds, exit_code, status, incomplete, results_dir,"
            " (SELECT COUNT(*) FROM scanner_reports s WHERE s.run_id = runs.id) AS scanners,"
            " (SELECT COUNT(*) FROM scanner_reports s WHERE s.run_id = runs.id"
            "  AND s.status = 'ok') AS scanners_ok,"
            " (SELECT COUNT(DISTINCT ticker) FROM picks p WHERE p.run_id = runs.id)"
            "  AS candidates"
            f" FROM runs{filter_sql} ORDER BY id DESC LIMIT :last",
            {"scanner": scanner, "last": last},
        ).fetchall()
        ids = [run["id"] for run in runs]
        marks = ", ".join("?" * len(ids))
        pick_rows = connection.execute(
            "SELECT r.session_date AS session, p.ticker, p.scanner, p.priority,"
            " f.horizon, f.fwd_return, f.excess_return"
            " FROM picks p JOIN runs r ON r.id = p.run_id"
            " LEFT JOIN forward_returns f"
            "  ON f.session_date = r.session_date AND f.ticker = p.ticker"
            f" WHERE p.run_id IN ({marks})" + (" AND p.scanner = ?" if scanner else ""),
            [*ids, scanner] if scanner else ids,
        ).fetchall()
    sessions = len({run["session_date"] for run in runs})
    picks = _wide_picks(pick_rows, horizons)
    return HistoryView(
        runs=runs,
        sessions=sessions,
        by_scanner=record_statistics(picks, sessions=sessions, horizons=horizons),
        by_priority=record_statistics(
            picks, sessions=sessions, horizons=horizons, by=("scanner", "priority")
        ),
    )


def _wide_picks(rows: list[dict[str, Any]], horizons: Sequence[int]) -> pd.DataFrame:
    """One row per pick (a scanner's ticker on a session; two runs of one session picking
    the same ticker count once), with its returns per horizon (NaN: not realised)."""
    keys = ["session", "ticker", "scanner"]
    base = pd.DataFrame(rows, columns=[*keys, "priority", "horizon", "fwd_return", "excess_return"])
    picks = base[[*keys, "priority"]].drop_duplicates(keys).reset_index(drop=True)
    for h in horizons:
        at = base[base["horizon"] == h].drop_duplicates(keys)[
            [*keys, "fwd_return", "excess_return"]
        ]
        at = at.rename(columns={"fwd_return": return_column(h), "excess_return": excess_column(h)})
        picks = picks.merge(at, on=keys, how="left")
    return picks


def _dict_row(cursor: Any, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in records
    ]
