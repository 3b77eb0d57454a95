"""Write one run's outputs: discovery_result.json, tool_execution_logs.json, report.md."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

RESULT_KEYS = (
    "trade_date",
    "status",
    "tickers",
    "final_ranking",
    "filtered_candidates",
    "dropped_candidates",
    "candidate_metadata",
    "scanner_reports",
    "scan_summary",
)


def run_folder(results_dir: str | Path, trade_date: str, now: datetime | None = None) -> Path:
    """A new folder ``<results_dir>/<trade_date>_run_<HH_MM_SS>`` (suffixed if it exists)."""
    stamp = (now or datetime.now()).strftime("%H_%M_%S")
    base = Path(results_dir) / f"{trade_date}_run_{stamp}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}_{n}")
    folder.mkdir(parents=True)
    return folder


def write_results(folder: Path, final: dict[str, Any]) -> dict[str, Path]:
    """Write the run's files into ``folder``; returns them by kind."""
    result = {key: final[key] for key in RESULT_KEYS if key in final}
    paths = {
        "result": folder / "discovery_result.json",
        "tool_logs": folder / "tool_execution_logs.json",
        "report": folder / "report.md",
    }
    paths["result"].write_text(json.dumps(result, indent=2, default=str) + "\n")
    paths["tool_logs"].write_text(
        json.dumps(final.get("tool_logs", []), indent=2, default=str) + "\n"
    )
    paths["report"].write_text(markdown_report(final))
    return paths


def markdown_report(final: dict[str, Any], top: int = 20) -> str:
    summary = final.get("scan_summary", {})
    lines = [
        f"# Discovery report for {final.get('trade_date')}",
        "",
        f"{summary.get('scanners', 0)} scanners in {summary.get('wall_seconds', 0):.2f} s "
        f"({summary.get('mode')}, {summary.get('workers')} workers); sequential estimate "
        f"{summary.get('sequential_seconds_estimated', 0):.2f} s, speedup "
        f"{summary.get('speedup', 0):.2f}x. Status counts: "
        + ", ".join(f"{k} {v}" for k, v in summary.get("counts", {}).items()),
        "",
        "## Top candidates",
        "",
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
        "| scanner | status | seconds | candidates | error |",
        "|---|---|---:|---:|---|",
    ]
    for report in final.get("scanner_reports", []):
        lines.append(
            f"| {report['name']} | {report['status']} | {report['duration_seconds']:.2f} | "
            f"{report['candidates']} | {_cell(report.get('error') or '')} |"
        )
    dropped = final.get("dropped_candidates", [])
    if dropped:
        lines += ["", f"## Dropped by the filter ({len(dropped)})", ""]
        lines += [f"- {d['ticker']}: {d['reason']}" for d in dropped]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:200]
