"""``tradingagents discover`` and ``tradingagents scanners``."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from rich.console import Console
from rich.table import Table

from tradingagents.cli.progress import STATUS_STYLE, ScannerProgress
from tradingagents.cli.results import run_folder, write_results
from tradingagents.config import ConfigError, load_config, scanner_settings_model
from tradingagents.discovery import SCANNER_REGISTRY
from tradingagents.graph.discovery_graph import DiscoveryGraph, normalise_trade_date


def run_discover(args: argparse.Namespace, config: dict[str, Any]) -> int:
    # Human output goes to stderr with --json, so stdout stays machine-readable.
    console = Console(stderr=args.json)
    try:
        trade_date = normalise_trade_date(args.date)
        graph = DiscoveryGraph(config)
    except (ConfigError, ValueError) as exc:
        print(f"tradingagents: {exc}", file=sys.stderr)
        return 2
    names = [cls.name for cls in graph.settings.enabled_scanners()]
    with graph:
        if console.is_terminal:
            with ScannerProgress(console, names) as progress:
                graph.on_progress = progress.update
                final = graph.run(trade_date)
        else:
            final = graph.run(trade_date)
    folder = run_folder(graph.config["results_dir"], trade_date)
    paths = write_results(folder, final)
    if args.json:
        payload = {
            "trade_date": final["trade_date"],
            "results_dir": str(folder),
            "scan_summary": final["scan_summary"],
            "scanner_reports": final["scanner_reports"],
            "final_ranking": final["final_ranking"][: args.top],
        }
        print(json.dumps(payload, indent=2, default=str))
    else:
        show_run(console, final, top=args.top)
        console.print(
            f"\nresults: {paths['result'].parent}/ (discovery_result.json, "
            "tool_execution_logs.json, report.md)"
        )
    return 0


def show_run(console: Console, final: dict[str, Any], *, top: int) -> None:
    reports = Table(title=f"Scanners on {final['trade_date']}", title_justify="left")
    for column in ("scanner", "pipeline", "status", "seconds", "candidates", "error"):
        reports.add_column(
            column, justify="right" if column in ("seconds", "candidates") else "left"
        )
    for r in final["scanner_reports"]:
        reports.add_row(
            r["name"],
            r["pipeline"],
            STATUS_STYLE[r["status"]],
            f"{r['duration_seconds']:.2f}",
            str(r["candidates"]),
            r["error"] or "",
        )
    console.print(reports)

    s = final["scan_summary"]
    counts = ", ".join(f"{k} {v}" for k, v in s["counts"].items() if v)
    console.print(
        f"\n[bold]{s['scanners']} scanners[/] ({s['mode']}, {s['workers']} workers): "
        f"wall {s['wall_seconds']:.2f} s, "
        f"sequential estimate {s['sequential_seconds_estimated']:.2f} s, "
        f"speedup {s['speedup']:.2f}x, time saved {s['time_saved_seconds']:.2f} s; {counts}"
    )
    kept, dropped = (
        len(final.get("filtered_candidates", [])),
        len(final.get("dropped_candidates", [])),
    )
    console.print(
        f"candidates: {len(final['tickers'])} found, {kept} passed the filter, {dropped} dropped\n"
    )

    ranking = Table(
        title=f"Top {min(top, len(final['final_ranking']))} candidates", title_justify="left"
    )
    for column in ("rank", "ticker", "score", "price", "strategies", "why"):
        ranking.add_column(
            column,
            justify="right" if column in ("rank", "score", "price") else "left",
            overflow="fold",
        )
    for row in final["final_ranking"][:top]:
        price = row.get("current_price")
        ranking.add_row(
            str(row["rank"]),
            row["ticker"],
            f"{row['score']}",
            "" if price is None else f"{price:,.2f}",
            ", ".join(row["strategies"]),
            textwrap.shorten(row["context"], 120, placeholder=" …"),
        )
    console.print(ranking)
    if final.get("ranking_error"):
        console.print(f"[yellow]{final['ranking_error']}[/]")


def list_scanners(config: dict[str, Any], *, with_params: bool) -> int:
    classes = SCANNER_REGISTRY.classes()
    try:
        settings = load_config(config, classes)
    except ConfigError as exc:
        print(f"tradingagents: {exc}", file=sys.stderr)
        return 2
    console = Console()
    table = Table(title="Scanners", title_justify="left")
    for column in ("scanner", "pipeline", "source", "enabled", "description"):
        table.add_column(column, overflow="fold")
    for cls in classes:
        table.add_row(
            cls.name,
            cls.pipeline,
            cls.source or "-",
            "yes" if settings.is_enabled(cls) else "no",
            cls.description,
        )
    console.print(table)
    for name, reason in SCANNER_REGISTRY.load_errors().items():
        console.print(f"[red]plugin {name} failed to load:[/] {reason}")
    if with_params:
        for cls in classes:
            params = Table(title=f"discovery.scanners.{cls.name}", title_justify="left")
            for column in ("parameter", "type", "default", "help"):
                params.add_column(column, overflow="fold")
            for key, field in scanner_settings_model(cls).model_fields.items():
                annotation = getattr(field.annotation, "__name__", str(field.annotation))
                params.add_row(
                    key,
                    annotation,
                    repr(field.default),
                    field.description or _BUILTIN_HELP.get(key, ""),
                )
            console.print(params)
    return 0


_BUILTIN_HELP = {
    "enabled": "run this scanner (its pipeline must be enabled too)",
    "limit": "most candidates the scanner returns",
}
