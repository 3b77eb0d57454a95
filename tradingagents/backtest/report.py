"""report.html: one self-contained page (plotly.js inlined, no network) with four charts and
the summary table, built from the same figures as summary.json."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tradingagents.backtest.run import BacktestResult
from tradingagents.history.statistics import STAT_COLUMNS, excess_column, return_column

#: The charts on the page, in order (the browser test counts them).
CHARTS = ("cumulative_excess", "hit_rate", "return_distribution", "picks_per_session")

TABLE_COLUMNS = ("scanner", *STAT_COLUMNS)
_PERCENT = {"hit_rate", "mean_return", "median_return", "mean_excess_return", "session_share"}


def write_report(result: BacktestResult, summary: Mapping[str, Any], path: Path) -> None:
    figures = [
        ("cumulative_excess", _cumulative_excess(result)),
        ("hit_rate", _hit_rate(summary)),
        ("return_distribution", _distribution(result)),
        ("picks_per_session", _picks_per_session(result)),
    ]
    charts = "\n".join(
        f'<section class="chart" id="{name}">'
        + figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"{name}-plot")
        + "</section>"
        for name, figure in figures
    )
    title = f"Backtest {summary['start']} .. {summary['end']}"
    page = _PAGE.format(
        title=html.escape(title),
        plotly=get_plotlyjs(),
        overview=_overview(summary),
        charts=charts,
        table=summary_table_html(summary["by_scanner"]),
    )
    path.write_text(page, encoding="utf-8")


def format_cell(column: str, value: Any) -> str:
    """How the page shows one summary figure (the browser test parses it back)."""
    if value is None:
        return "n/a"
    if column in _PERCENT:
        return f"{value * 100:.2f}%"
    if column == "t_stat":
        return f"{value:.2f}"
    return str(value)


def summary_table_html(rows: Sequence[Mapping[str, Any]]) -> str:
    head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td data-column="{c}">{html.escape(format_cell(c, row[c]))}</td>'
            for c in TABLE_COLUMNS
        )
        + "</tr>"
        for row in rows
    )
    return f'<table id="summary"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _overview(summary: Mapping[str, Any]) -> str:
    lines = [
        f"{summary['sessions']} sessions, {summary['picks']} picks, scanners: "
        + ", ".join(summary["scanners"]),
        f"horizons (sessions): {', '.join(map(str, summary['horizons']))}",
    ]
    lines += [
        f"not backtested: {item['scanner']}: {item['reason']}"
        for item in summary["not_backtested"]
    ]
    lines += [f"failed session {f['session']}: {f['error']}" for f in summary["failed_sessions"]]
    return "".join(f"<li>{html.escape(line)}</li>" for line in lines)


def _cumulative_excess(result: BacktestResult) -> go.Figure:
    horizon = result.horizons[0]
    column = excess_column(horizon)
    figure = go.Figure()
    for scanner in result.scanners:
        picks = result.picks[result.picks["scanner"] == scanner]
        daily = picks.groupby("session")[column].mean().dropna()
        figure.add_trace(go.Scatter(x=daily.index, y=daily.cumsum(), mode="lines", name=scanner))
    figure.update_layout(
        title=(
            f"Cumulative mean excess return per scanner ({horizon}-session horizon; sum over "
            "sessions of the mean excess return of that session's picks)"
        ),
        yaxis_tickformat=".1%",
    )
    return figure


def _hit_rate(summary: Mapping[str, Any]) -> go.Figure:
    rows = pd.DataFrame(summary["by_scanner"])
    figure = go.Figure()
    for horizon in summary["horizons"]:
        at = rows[rows["horizon"] == horizon] if not rows.empty else rows
        figure.add_trace(
            go.Bar(
                x=list(at.get("scanner", [])),
                y=list(at.get("hit_rate", [])),
                text=[format_cell("hit_rate", v) for v in at.get("hit_rate", [])],
                textposition="outside",
                name=f"{horizon} sessions",
            )
        )
    figure.update_layout(
        title="Hit rate (share of realised picks with a positive forward return)",
        barmode="group",
        yaxis_tickformat=".0%",
    )
    return figure


def _distribution(result: BacktestResult) -> go.Figure:
    figure = go.Figure()
    for horizon in result.horizons:
        picks = result.picks.dropna(subset=[return_column(horizon)])
        figure.add_trace(
            go.Box(
                x=picks["scanner"],
                y=picks[return_column(horizon)],
                name=f"{horizon} sessions",
                boxpoints=False,
            )
        )
    figure.update_layout(
        title="Forward return distribution per scanner and horizon",
        boxmode="group",
        yaxis_tickformat=".0%",
    )
    figure.update_xaxes(categoryorder="array", categoryarray=list(result.scanners))
    return figure


def _picks_per_session(result: BacktestResult) -> go.Figure:
    counts = result.picks.groupby(["session", "scanner"]).size().unstack(fill_value=0)
    sessions = pd.to_datetime(pd.Index(result.sessions)).sort_values()
    counts = counts.reindex(index=sessions, columns=list(result.scanners), fill_value=0)
    figure = go.Figure()
    for scanner in result.scanners:
        figure.add_trace(go.Bar(x=counts.index, y=counts[scanner], name=scanner))
    figure.update_layout(title="Picks per session", barmode="stack")
    return figure


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<script>
// Errors while the page runs are kept on the page too, so a headless check can read them.
window.reportErrors = [];
window.addEventListener("error", function (event) {{
  window.reportErrors.push(String(event.message));
}});
</script>
<script>{plotly}</script>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }}
</style>
</head>
<body>
<h1>{title}</h1>
<ul id="overview">{overview}</ul>
{charts}
<h2>Per scanner and horizon</h2>
{table}
<script>
document.body.setAttribute("data-charts-rendered",
  String(document.querySelectorAll(".chart .js-plotly-plot .main-svg").length > 0
    ? document.querySelectorAll(".chart .js-plotly-plot").length : 0));
document.body.setAttribute("data-errors", JSON.stringify(window.reportErrors));
</script>
</body>
</html>
"""
