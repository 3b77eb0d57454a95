"""``tradingagents discover``, ``tradingagents scanners`` and ``tradingagents config show``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tradingagents.cli import UsageError
from tradingagents.cli.history import history_file
from tradingagents.cli.progress import STATUS_STYLE, ScannerProgress
from tradingagents.cli.results import (
    ResultsDirError,
    check_results_dir,
    coverage_text,
    date_title,
    result_fields,
    run_folder,
    summary_line,
    write_results,
)
from tradingagents.config import ConfigError, load_config, scanner_settings_model
from tradingagents.discovery import SCANNER_REGISTRY
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.graph.state import DiscoveryInput, DiscoveryResult
from tradingagents.history import record_safely
from tradingagents.sources.redaction import redact

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def exit_code(
    reports: list[dict[str, Any]], *, strict: bool, filter_error: str | None = None
) -> int:
    """0 when at least one scanner is ok (with ``strict``: all of them) and the filter got
    price data, else 1."""
    statuses = [r.get("status") for r in reports]
    if "ok" not in statuses or filter_error:
        return EXIT_FAILED
    if strict and any(s != "ok" for s in statuses):
        return EXIT_FAILED
    return EXIT_OK


def run_discover(args: argparse.Namespace, config: dict[str, Any]) -> int:
    # Human output goes to stderr with --json, so stdout stays machine-readable.
    console = Console(stderr=args.json)
    started = time.monotonic()
    try:
        graph = DiscoveryGraph(config)
        day = graph.check_trade_date(args.date)
        results_dir = check_results_dir(graph.config["results_dir"])
        history = history_file(getattr(args, "history_db", None), graph.config["data"])
    except (ValueError, ResultsDirError) as exc:  # ConfigError, TradeDateError, bad plugins
        raise UsageError(str(exc)) from None
    except RecursionError:
        raise UsageError("the config is nested too deeply") from None
    names = [cls.name for cls in graph.settings.enabled_scanners()]
    initial: DiscoveryInput = {
        "trade_date": day.requested.isoformat(),
        "session_date": day.session.isoformat(),
    }
    latest: dict[str, Any] = dict(initial)

    def record(final: dict[str, Any], code: int, folder: Path | None) -> None:
        # The run history indexes the run folders; a failure there is one warning line.
        wall = time.monotonic() - started
        record_safely(
            history, final, config=graph.config, wall_seconds=wall, exit_code=code,
            results_dir=folder,
        )
    try:
        if console.is_terminal:
            with ScannerProgress(console, names) as progress:
                graph.on_event = progress.on_event
                _stream(graph, initial, latest)
        else:
            _stream(graph, initial, latest)
    except KeyboardInterrupt:
        _interrupted(results_dir, latest, record)  # never returns
    finally:
        graph.close()
    final = DiscoveryResult(latest)
    shown = result_fields(final)
    folder: Path | None = None
    write_error: str | None = None
    try:
        folder = run_folder(results_dir, final.trade_date, session_date=final.session_date)
        write_results(folder, final)
    except OSError as exc:  # the disk filled up, or the folder vanished, during the run
        write_error = f"cannot write results in {folder or results_dir}: {exc.strerror or exc}"
    if args.json:
        print(json.dumps({"results_dir": folder and str(folder), **shown}, indent=2, default=str))
    else:
        show_run(console, shown, top=args.top)
        if write_error is None:
            # The folder on a line of its own, never wrapped, so it can be copied whole.
            console.print(
                "\nresults: discovery_result.json, tool_execution_logs.json, report.md in"
            )
            console.print(f"{folder}/", highlight=False, soft_wrap=True)
    code = EXIT_USAGE if write_error is not None else exit_code(
        final.scanner_reports, strict=args.strict, filter_error=final.get("filter_error")
    )
    record(final, code, None if write_error is not None else folder)
    if write_error is not None:
        raise UsageError(write_error)
    return code


def _stream(graph: DiscoveryGraph, initial: DiscoveryInput, latest: dict[str, Any]) -> None:
    """Run the graph, keeping the newest complete state in ``latest`` (updated in place, so
    an interruption still sees what the finished nodes produced)."""
    for state in graph.graph.stream(initial, stream_mode="values"):
        latest.clear()
        latest.update(state)


def _interrupted(
    results_dir: Path,
    latest: dict[str, Any],
    record: Callable[[dict[str, Any], int, Path | None], None],
) -> NoReturn:
    """Ctrl-C: one line, the partial results (if a node finished), exit 130 at once.

    Scanner threads abandoned mid-call may still be inside a library that would log its
    failures as the sources close, so nothing is closed: the process ends here.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C kills outright
    logging.disable(logging.CRITICAL)
    line = "tradingagents: interrupted"
    if "status" in latest:  # at least the scanner node finished
        partial = DiscoveryResult({**latest, "incomplete": True})
        folder: Path | None = None
        try:
            folder = run_folder(results_dir, partial.trade_date, session_date=partial.session_date)
            write_results(folder, partial)
            line += f"; partial results in {folder}/"
        except OSError as exc:
            folder = None
            line += f"; partial results not written: {exc.strerror or exc}"
        record(partial, EXIT_INTERRUPTED, folder)
    sys.stdout.flush()
    print(line, file=sys.stderr, flush=True)
    os._exit(EXIT_INTERRUPTED)


def show_run(console: Console, final: dict[str, Any], *, top: int) -> None:
    """The scanner table, the summary and the top candidates; every column folds (never
    truncates), so an 80-column terminal or a pipe loses nothing."""
    reports = Table(title=f"Scanners on {date_title(final)}", title_justify="left")
    longest = max((len(r["name"]) for r in final["scanner_reports"]), default=7)
    reports.add_column("scanner", min_width=longest, overflow="fold")
    reports.add_column("status", no_wrap=True)
    reports.add_column("seconds", justify="right", no_wrap=True)
    reports.add_column("candidates", justify="right", no_wrap=True)
    reports.add_column("coverage", overflow="fold", ratio=1)
    problems = []
    for r in final["scanner_reports"]:
        reports.add_row(
            r["name"],
            STATUS_STYLE.get(r["status"], r["status"]),
            f"{r['duration_seconds']:.2f}",
            str(r["candidates"]),
            Text(coverage_text(r)),  # data, not markup: "[...]" must print as is
        )
        if r.get("error"):
            problems.append((r["name"], r["status"], r["error"]))
    console.print(reports)
    for name, status, error in problems:
        console.print(f"  {name} ({status}): {error}", highlight=False, markup=False)

    console.print(
        "\n" + summary_line(final["scan_summary"], final["scanner_reports"]),
        highlight=False,
        markup=False,
    )
    kept, dropped = (
        len(final.get("filtered_candidates", [])),
        len(final.get("dropped_candidates", [])),
    )
    console.print(
        f"candidates: {len(final.get('tickers', []))} found, {kept} passed the filter, "
        f"{dropped} dropped\n"
    )
    if final.get("incomplete"):
        console.print("[yellow]incomplete: the run was interrupted[/]")

    ranking_rows = final.get("final_ranking", [])
    # Expanded, so "why" (the only ratio column) gets the width the others leave.
    ranking = Table(
        title=f"Top {min(top, len(ranking_rows))} candidates", title_justify="left", expand=True
    )
    # A strategy name is one word, so its column is never narrower than the longest shown;
    # otherwise it takes up to a third of the width the fixed columns leave, "why" the rest.
    shown_rows = ranking_rows[:top]
    strategies = [row.get("strategies", []) for row in shown_rows]
    longest_word = max((len(name) for names in strategies for name in names), default=10)
    longest_line = max((len(", ".join(names)) for names in strategies), default=10)
    flexible = console.width - 40  # rank, ticker, score, price and the borders
    strategies_width = max(longest_word + 1, min(longest_line, flexible // 3))  # + ","
    for column in ("rank", "ticker", "score", "price", "strategies", "why"):
        ranking.add_column(
            column,
            justify="right" if column in ("rank", "score", "price") else "left",
            overflow="fold",
            no_wrap=column in ("rank", "ticker"),
            width=strategies_width if column == "strategies" else None,
            ratio=1 if column == "why" else None,
        )
    for row in shown_rows:
        price = row.get("current_price")
        ranking.add_row(
            str(row["rank"]),
            row["ticker"],
            f"{row['score']}",
            "" if price is None else f"{price:,.2f}",
            Text(", ".join(row.get("strategies", []))),
            Text(textwrap.shorten(row.get("context", ""), 120, placeholder=" …")),
        )
    console.print(ranking)
    if final.get("filter_error"):
        console.print(f"filter: {final['filter_error']}", style="red", markup=False)
    if final.get("ranking_error"):
        console.print(f"ranking: {final['ranking_error']}", style="yellow", markup=False)


def list_scanners(config: dict[str, Any], *, with_params: bool, as_json: bool = False) -> int:
    classes = SCANNER_REGISTRY.classes()
    try:
        settings = load_config(config, classes)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    except RecursionError:
        raise UsageError("the config is nested too deeply") from None
    load_errors = SCANNER_REGISTRY.load_errors()
    if as_json:
        listing = {
            "scanners": [
                {
                    "name": cls.name,
                    "pipeline": cls.pipeline,
                    "strategy": cls.strategy,
                    "source": cls.source,
                    "enabled": settings.is_enabled(cls),
                    "description": cls.description,
                    "params": _params(cls),
                }
                for cls in classes
            ],
            "load_errors": load_errors,
        }
        print(json.dumps(redact(listing), indent=2, default=str))
        return 0
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
    for name, reason in load_errors.items():
        console.print(f"[red]plugin {name} failed to load:[/] {reason}")
    if with_params:
        for cls in classes:
            params = Table(title=f"discovery.scanners.{cls.name}", title_justify="left")
            for column in ("parameter", "type", "default", "help"):
                params.add_column(column, overflow="fold")
            for key, param in _params(cls).items():
                params.add_row(key, param["type"], repr(param["default"]), param["help"])
            console.print(params)
    return 0


def _params(cls: Any) -> dict[str, dict[str, Any]]:
    """A scanner's settings: type name, default and help for each."""
    return {
        key: {
            "type": getattr(field.annotation, "__name__", str(field.annotation)),
            "default": field.default,
            "help": field.description or _BUILTIN_HELP.get(key, ""),
        }
        for key, field in scanner_settings_model(cls).model_fields.items()
    }


def show_config(config: dict[str, Any]) -> int:
    """Print the resolved, validated config as JSON with every secret masked."""
    try:
        settings = load_config(config, SCANNER_REGISTRY.classes())
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    except RecursionError:
        raise UsageError("the config is nested too deeply") from None
    print(json.dumps(redact(settings.raw), indent=2, default=str))
    return 0


_BUILTIN_HELP = {
    "enabled": "run this scanner (its pipeline must be enabled too)",
    "limit": "most candidates the scanner returns",
}
