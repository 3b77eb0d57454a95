"""Record one ``discover`` run in the run history.

Everything stored passes :func:`redact` first (secret-named fields masked, every known key
scrubbed from text). Recording is a side job: :func:`record_safely` turns any failure into
one warning line on stderr, so a full disk or a locked file never changes a run's outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tradingagents.history.database import connect, transaction
from tradingagents.sources.redaction import redact

#: The fields of a final state the history keeps (the tool logs stay in the run folder).
_RECORDED = (
    "trade_date",
    "session_date",
    "status",
    "incomplete",
    "ranking_error",
    "scan_summary",
    "scanner_reports",
    "candidate_metadata",
    "final_ranking",
)


def config_hash(config: Mapping[str, Any]) -> str:
    """sha256 (first 16 hex digits) of the resolved config with its secrets masked, so two
    runs with the same settings share it whatever keys they used."""
    text = json.dumps(redact(dict(config)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record_run(
    path: Path,
    final: Mapping[str, Any],
    *,
    config: Mapping[str, Any],
    wall_seconds: float,
    exit_code: int,
    results_dir: Path | None,
) -> int:
    """Store one run (its final state ``final``); returns its id in the history."""
    state: dict[str, Any] = redact({key: final[key] for key in _RECORDED if key in final})
    summary = state.get("scan_summary") or {}
    trade_date = str(state.get("trade_date"))
    data = config.get("data")
    run = {
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "trade_date": trade_date,
        "session_date": str(state.get("session_date") or trade_date),
        "data_mode": data.get("mode") if isinstance(data, Mapping) else None,
        "execution": summary.get("mode"),
        "config_hash": config_hash(config),
        "wall_seconds": wall_seconds,
        "exit_code": exit_code,
        "status": state.get("status"),
        "incomplete": int(bool(state.get("incomplete"))),
        "ranking_error": state.get("ranking_error"),
        "scan_summary": json.dumps(summary, default=str) if summary else None,
        "results_dir": None if results_dir is None else str(results_dir),
    }
    with connect(path) as connection, transaction(connection):
        cursor = connection.execute(
            f"INSERT INTO runs ({', '.join(run)}) VALUES ({', '.join('?' * len(run))})",
            list(run.values()),
        )
        run_id = int(cursor.lastrowid or 0)
        connection.executemany(
            "INSERT OR REPLACE INTO scanner_reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_report_row(run_id, r) for r in state.get("scanner_reports", [])],
        )
        connection.executemany(
            "INSERT OR IGNORE INTO picks VALUES (?, ?, ?, ?, ?)",
            [row for c in state.get("candidate_metadata", []) for row in _pick_rows(run_id, c)],
        )
        connection.executemany(
            "INSERT OR REPLACE INTO rankings VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_ranking_row(run_id, r) for r in state.get("final_ranking", [])],
        )
    return run_id


def record_safely(path: Path, final: Mapping[str, Any], **fields: Any) -> int | None:
    """:func:`record_run`, with any failure one warning line on stderr (and ``None``)."""
    try:
        return record_run(path, final, **fields)
    except Exception as exc:  # recording must never fail the run
        text = redact(str(exc)) or type(exc).__name__
        print(f"tradingagents: warning: run not recorded in {path}: {text}", file=sys.stderr)
        return None


def _report_row(run_id: int, report: Mapping[str, Any]) -> tuple[Any, ...]:
    coverage = report.get("coverage")
    return (
        run_id,
        str(report.get("name")),
        report.get("pipeline"),
        str(report.get("status")),
        report.get("duration_seconds"),
        report.get("candidates"),
        report.get("tool_calls"),
        report.get("error"),
        None if coverage is None else json.dumps(coverage, default=str),
    )


def _pick_rows(run_id: int, candidate: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """One row per scanner that found the candidate, with that scanner's own priority
    (``priorities``). A candidate merged before each scanner's priority was kept has only
    its lead scanner's (the highest): the others' is unknown (NULL)."""
    lead = candidate.get("scanner")
    scanners = candidate.get("scanners") or candidate.get("all_sources") or [lead]
    priorities = candidate.get("priorities")
    if not isinstance(priorities, Mapping):
        only = scanners[0] if len(scanners) == 1 else lead
        priorities = {only: candidate.get("priority")}
    return [
        (
            run_id,
            str(candidate.get("ticker")),
            str(scanner),
            priorities.get(scanner),
            candidate.get("context"),
        )
        for scanner in scanners
        if scanner
    ]


def _ranking_row(run_id: int, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        run_id,
        row.get("rank"),
        str(row.get("ticker")),
        row.get("score"),
        row.get("priority"),
        row.get("current_price"),
        json.dumps(list(row.get("scanners") or row.get("sources") or [])),
    )
