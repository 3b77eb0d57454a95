"""Write one run's outputs: discovery_result.json, tool_execution_logs.json, report.md.

Everything written passes :func:`redact` (secret-named fields masked, every registered key
scrubbed from text), and every file is written to a temporary name and renamed, so a full
disk or a crash never leaves a truncated result behind.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tradingagents.atomic_files import write_text_atomically
from tradingagents.sources.redaction import redact
from tradingagents.trade_dates import TradeDate

#: The state fields a user sees, in the order they are written to discovery_result.json.
#: The CLI and report.md read the same fields; nothing shown is missing from the file.
RESULT_KEYS = (
    "trade_date",
    "session_date",
    "status",
    "incomplete",
    "tickers",
    "final_ranking",
    "ranking_error",
    "filtered_candidates",
    "dropped_candidates",
    "filter_error",
    "candidate_metadata",
    "scanner_reports",
    "scan_summary",
)


class ResultsDirError(Exception):
    """A ``--results-dir`` that cannot hold run folders, with the reason."""


def check_results_dir(results_dir: str | Path) -> Path:
    """Create ``results_dir`` if needed and prove a file can be written there, before the
    run (so a bad folder costs one line, not a finished run)."""
    path = Path(results_dir)
    if path.exists() and not path.is_dir():
        raise ResultsDirError(f"results dir {path} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ResultsDirError(
            f"results dir {path} is not writable: {exc.strerror or exc}"
        ) from None
    return path


def run_folder(
    results_dir: str | Path,
    trade_date: str,
    now: datetime | None = None,
    *,
    session_date: str | None = None,
) -> Path:
    """A new folder ``<results_dir>/<trade_date>_run_<HH_MM_SS>`` (suffixed ``_2``, ``_3``...
    when taken). When the date had no session the name holds both dates:
    ``2026-11-21_session_2026-11-20_run_...``.

    Each candidate name is claimed with one atomic ``mkdir``, so simultaneous runs never
    share a folder nor fail on each other's.
    """
    stamp = (now or datetime.now()).strftime("%H_%M_%S")
    dates = trade_date
    if session_date and session_date != trade_date:
        dates = f"{trade_date}_session_{session_date}"
    parent = Path(results_dir)
    parent.mkdir(parents=True, exist_ok=True)
    name, n = f"{dates}_run_{stamp}", 1
    while True:
        folder = parent / (name if n == 1 else f"{name}_{n}")
        try:
            folder.mkdir()
        except FileExistsError:
            n += 1
            continue
        return folder


def result_fields(final: dict[str, Any]) -> dict[str, Any]:
    """The user-visible fields of a final state (:data:`RESULT_KEYS`), redacted."""
    shown: dict[str, Any] = redact({key: final[key] for key in RESULT_KEYS if key in final})
    return shown


def write_results(folder: Path, final: dict[str, Any]) -> dict[str, Path]:
    """Write the run's files into ``folder``; returns them by kind."""
    paths = {
        "result": folder / "discovery_result.json",
        "tool_logs": folder / "tool_execution_logs.json",
        "report": folder / "report.md",
    }
    shown = result_fields(final)
    _write_atomically(paths["result"], json.dumps(shown, indent=2, default=str) + "\n")
    _write_atomically(
        paths["tool_logs"],
        json.dumps(redact(final.get("tool_logs", [])), indent=2, default=str) + "\n",
    )
    _write_atomically(paths["report"], markdown_report(shown))
    return paths


def _write_atomically(path: Path, text: str) -> None:
    """``path`` holds all of ``text`` or is untouched."""
    write_text_atomically(path, text, prefix=f".{path.name}.", suffix=".tmp")


def date_title(final: dict[str, Any]) -> str:
    """``2026-11-20``, or ``2026-11-21 (no session; scanned as Friday 2026-11-20)``."""
    trade_date, session = final.get("trade_date"), final.get("session_date")
    if not session or session == trade_date:
        return str(trade_date)
    requested, scanned = (date.fromisoformat(str(day)) for day in (trade_date, session))
    return TradeDate(requested, scanned).describe()


def summary_line(summary: dict[str, Any], reports: list[dict[str, Any]] | None = None) -> str:
    """One honest line about the scanner node: each figure is what its label says.

    ``12 scanners (concurrent, 8 workers): wall 9.60 s; sum of scanner times 64.75 s
    (6.7 running at once); CPU 17.1 s (1.78 CPU/wall); CPU-bound: ...; ok 12``
    """
    wall = float(summary.get("wall_seconds", 0.0))
    scanner_sum = summary.get("scanner_seconds_sum")
    if scanner_sum is None:  # a summary from before the field existed: same definition
        scanner_sum = sum(r.get("duration_seconds", 0.0) for r in reports or [])
    concurrency = summary.get("concurrency")
    if concurrency is None:
        concurrency = scanner_sum / wall if wall > 0 else 0.0
    parts = [
        f"{summary.get('scanners', 0)} scanners ({summary.get('mode')}, "
        f"{summary.get('workers')} workers): wall {wall:.2f} s",
        f"sum of scanner times {scanner_sum:.2f} s ({concurrency:.1f} running at once)",
    ]
    cpu = summary.get("cpu_seconds")
    if cpu is not None:
        parts.append(f"CPU {cpu:.1f} s ({summary.get('cpu_per_wall', 0.0):.2f} CPU/wall)")
    if summary.get("note"):
        parts.append(str(summary["note"]))
    abandoned = summary.get("abandoned_threads") or 0
    if abandoned:
        parts.append(f"{abandoned} abandoned scanner thread(s) still running")
    counts = ", ".join(f"{k} {v}" for k, v in summary.get("counts", {}).items() if v)
    parts.append(counts or "no scanners ran")
    return "; ".join(parts)


def coverage_text(report: dict[str, Any]) -> str:
    coverage = report.get("coverage")
    if isinstance(coverage, dict):
        return str(coverage.get("summary") or "")
    return ""


def markdown_report(final: dict[str, Any], top: int = 20) -> str:
    """report.md for a final state (pass it through :func:`result_fields` first)."""
    lines = [f"# Discovery report for {date_title(final)}", ""]
    if final.get("incomplete"):
        lines += ["**Incomplete: the run was interrupted; these are partial results.**", ""]
    lines += [
        summary_line(final.get("scan_summary", {}), final.get("scanner_reports")),
        "",
        "## Top candidates",
        "",
    ]
    if final.get("filter_error"):
        lines += [f"Filter: {_cell(str(final['filter_error']), limit=1000)}", ""]
    if final.get("ranking_error"):
        lines += [f"Ranking: {_cell(str(final['ranking_error']), limit=1000)}", ""]
    lines += [
        "| rank | ticker | score | price | strategies | why |",
        "|---:|---|---:|---:|---|---|",
    ]
    for row in final.get("final_ranking", [])[:top]:
        price = row.get("current_price")
        shown_price = "" if price is None else f"{price:,.2f}"
        strategies = ", ".join(row.get("strategies", []))
        lines.append(
            f"| {row['rank']} | {row['ticker']} | {row.get('score')} | {shown_price} | "
            f"{strategies} | {_cell(row.get('context', ''))} |"
        )
    lines += [
        "",
        "## Scanners",
        "",
        "| scanner | status | seconds | candidates | coverage | error |",
        "|---|---|---:|---:|---|---|",
    ]
    for report in final.get("scanner_reports", []):
        lines.append(
            f"| {report['name']} | {report['status']} | {report['duration_seconds']:.2f} | "
            f"{report['candidates']} | {_cell(coverage_text(report))} | "
            f"{_cell(report.get('error') or '')} |"
        )
    dropped = final.get("dropped_candidates", [])
    if dropped:
        lines += ["", f"## Dropped by the filter ({len(dropped)})", ""]
        lines += [f"- {d['ticker']}: {d['reason']}" for d in dropped]
    return "\n".join(lines) + "\n"


def _cell(text: str, limit: int = 200) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:limit]
