"""A backtest's run folder: picks.parquet, summary.csv, summary.json and report.html."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from tradingagents.backtest.run import BacktestResult

PICKS_FILE = "picks.parquet"
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
REPORT_FILE = "report.html"


def summary(result: BacktestResult) -> dict[str, Any]:
    """What summary.json holds: the run, the scanners not backtested (with reasons), failed
    sessions, and the statistics per scanner and per scanner and priority."""
    return {
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "horizons": list(result.horizons),
        "scanners": list(result.scanners),
        "not_backtested": [{"scanner": u.scanner, "reason": u.reason} for u in result.unsupported],
        "sessions": len(result.sessions),
        "failed_sessions": [{"session": f.session, "error": f.error} for f in result.failed],
        "picks": len(result.picks),
        "symbols_per_session": {
            "min": min(result.universe_sizes.values(), default=0),
            "max": max(result.universe_sizes.values(), default=0),
        },
        "backend": result.backend,
        "workers": result.workers,
        "wall_seconds": round(result.wall_seconds, 3),
        "sessions_per_second": round(result.sessions_per_second, 3),
        "by_scanner": _records(result.by_scanner),
        "by_priority": _records(result.by_priority),
    }


def summary_table(result: BacktestResult) -> pd.DataFrame:
    """summary.csv: the per-scanner rows (priority ``all``), then the per-priority rows."""
    overall = result.by_scanner.assign(priority="all")
    table = pd.concat([overall, result.by_priority], ignore_index=True)
    keys = ["scanner", "priority"]
    columns = [*keys, *[c for c in table.columns if c not in keys]]
    return table[columns]


def write_run(result: BacktestResult, folder: Path) -> Path:
    """Write the run folder (created if needed); returns it."""
    from tradingagents.backtest.report import write_report

    folder.mkdir(parents=True, exist_ok=True)
    picks = result.picks.copy()
    picks["session"] = picks["session"].dt.date
    picks.to_parquet(folder / PICKS_FILE, index=False)
    summary_table(result).to_csv(folder / SUMMARY_CSV, index=False, float_format="%.6g")
    data = summary(result)
    (folder / SUMMARY_JSON).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    write_report(result, data, folder / REPORT_FILE)
    return folder


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python numbers, NaN as null."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
