"""``tradingagents history`` and ``tradingagents track``: the run history and its record.

The history is ``<cache dir>/history.sqlite`` (the cache dir is ``data.cache_dir`` of the
config, default ``~/.cache/tradingagents``), or the file ``--history-db`` names.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from tradingagents.cli import UsageError, load_config_file
from tradingagents.cli.arguments import (
    HelpParser,
    add_config_option,
    add_store_option,
    positive_int,
)
from tradingagents.history.statistics import HORIZONS


def register(commands: Any, help_parser: HelpParser) -> None:
    """Add the ``history`` and ``track`` commands to the CLI's subcommands."""
    history = help_parser(
        commands,
        "history",
        help="show recorded discover runs and each scanner's realised record",
        description=(
            "Every discover run is recorded in the run history (<cache dir>/history.sqlite)."
            " This shows the newest runs and, over their picks, each scanner's record per"
            " horizon (sessions): picks, realised picks, hit rate (share of returns above"
            " zero), mean and median forward return, mean excess return over the store's"
            " equal-weight universe, its t-statistic, and the share of sessions with at least"
            " one pick. Returns appear once `tradingagents track` has filled them in."
        ),
        examples=(
            "  tradingagents history\n"
            "  tradingagents history --last 30 --scanner rsi_oversold\n"
            "  tradingagents history --json\n"
        ),
    )
    history.add_argument(
        "--last", type=positive_int, default=20, metavar="N", help="newest N runs (default 20)"
    )
    history.add_argument("--scanner", metavar="NAME", help="only runs and picks of this scanner")
    history.add_argument(
        "--horizon",
        type=int,
        choices=HORIZONS,
        default=5,
        help="the horizon (sessions) of the record table (default 5; --json has them all)",
    )
    history.add_argument(
        "--by-priority",
        action="store_true",
        help="one row per scanner and priority (in runs recorded before each scanner's own"
        " priority was kept, a scanner that was not a candidate's lead: 'priority unknown')",
    )
    history.add_argument("--json", action="store_true", help="print everything as JSON")
    history_options(history)
    history.set_defaults(handler=_history)

    track = help_parser(
        commands,
        "track",
        help="fill in the realised forward returns of recorded picks from the market store",
        description=(
            "For every pick in the run history, compute the forward return from close(D) to"
            " close(D+h sessions) for h in 1, 5, 10, 20 (split-aware) and its excess over the"
            " equal-weight return of every symbol in the store, from the local market store"
            " (fill it with `tradingagents data update`). Returns already stored are kept;"
            " run it after each data update."
        ),
        examples="  tradingagents track\n  tradingagents track --store ~/market\n",
    )
    history_options(track)
    add_store_option(track)
    track.set_defaults(handler=_track)


def history_options(parser: argparse.ArgumentParser, *, with_config: bool = True) -> None:
    if with_config:
        add_config_option(parser)
    parser.add_argument(
        "--history-db",
        type=Path,
        metavar="PATH",
        help="the run-history file (default: <cache dir>/history.sqlite)",
    )


def history_file(given: Path | None, data: Any) -> Path:
    """``--history-db``, else ``history.sqlite`` in the cache dir of the ``data`` section."""
    if given is not None:
        return Path(given).expanduser()
    from tradingagents.history import configured_history_path
    from tradingagents.sources.problems import ConfigError

    try:
        return configured_history_path(data if isinstance(data, dict) else None)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _history(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tradingagents.history import HistoryError
    from tradingagents.history.view import load_history

    path = history_file(args.history_db, load_config_file(args.config).get("data"))
    if not path.exists():
        if args.json:
            empty = {"history": str(path), "runs": [], "by_scanner": [], "by_priority": []}
            print(json.dumps(empty, indent=2))
        else:
            print(f"no runs recorded yet in {path}")
        return 0
    try:
        view = load_history(path, last=args.last, scanner=args.scanner)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps({"history": str(path), **view.as_dict()}, indent=2, default=str))
        return 0
    show_history(
        Console(), view.as_dict(), path, horizon=args.horizon, by_priority=args.by_priority
    )
    return 0


def show_history(
    console: Any, view: dict[str, Any], path: Path, *, horizon: int, by_priority: bool = False
) -> None:
    """The runs, then each scanner's record at ``horizon``; every cell is data, not markup,
    and nothing but the folder paths (listed under the table) is wider than a column."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console.print(f"run history: {path}", highlight=False, markup=False, soft_wrap=True)
    runs = Table(title=f"Runs ({len(view['runs'])} newest)", title_justify="left")
    right = ("id", "exit", "wall s", "ok", "picks")
    for column in ("id", "trade date", "session", "mode", "exit", "wall s", "ok", "picks"):
        runs.add_column(column, no_wrap=True, justify="right" if column in right else "left")
    for run in view["runs"]:
        wall = run["wall_seconds"]
        runs.add_row(
            str(run["id"]),
            run["trade_date"],
            run["session_date"],
            Text(str(run["data_mode"] or "-")),
            str(run["exit_code"]),
            "-" if wall is None else f"{wall:.1f}",
            f"{run['scanners_ok']}/{run['scanners']}",
            str(run["candidates"]),
        )
    console.print(runs)
    for run in view["runs"]:
        folder = run["results_dir"] or "(results not written)"
        console.print(f"  {run['id']}: {folder}", highlight=False, markup=False, soft_wrap=True)

    record = Table(
        title=(
            f"Realised record at {horizon} session(s), over {view['sessions']} session(s) scanned"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,  # no column rules: 8 columns fit in 80 characters
    )
    record.add_column("scanner", overflow="fold")
    for column in ("picks", "hit", "mean", "median", "excess", "t", "sessions"):
        record.add_column(column, justify="right", no_wrap=True)
    for row in view["by_priority" if by_priority else "by_scanner"]:
        if row["horizon"] != horizon:
            continue
        record.add_row(
            Text(_group(row, by_priority)),
            f"{row['realised']}/{row['picks']}",
            _percent(row["hit_rate"]),
            _percent(row["mean_return"], signed=True),
            _percent(row["median_return"], signed=True),
            _percent(row["mean_excess_return"], signed=True),
            "-" if row["t_stat"] is None else f"{row['t_stat']:.2f}",
            _percent(row["session_share"]),
        )
    console.print(record)
    console.print(
        "picks: realised/all; hit: share of realised returns above zero; mean, median:"
        " forward return; excess: mean return over the store's equal-weight universe;"
        " t: of the mean excess; sessions: share of sessions with a pick",
        highlight=False,
        markup=False,
    )
    if not any(row["realised"] for row in view["by_scanner"]):
        console.print("no realised returns yet: run `tradingagents track` after a data update")


def _group(row: dict[str, Any], by_priority: bool) -> str:
    if not by_priority:
        return str(row["scanner"])
    return f"{row['scanner']} ({row['priority'] or 'priority unknown'})"


def _percent(value: float | None, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:+.2%}" if signed else f"{value:.1%}"


def _track(args: argparse.Namespace) -> int:
    from tradingagents.cli.data import store_folder
    from tradingagents.history import HistoryError
    from tradingagents.history.tracking import track
    from tradingagents.store import MarketStore, StoreError

    path = history_file(args.history_db, load_config_file(args.config).get("data"))
    if not path.exists():
        print(f"no runs recorded yet in {path}")
        return 0
    try:
        result = track(path, MarketStore(store_folder(args)))
    except (HistoryError, StoreError) as exc:
        raise UsageError(str(exc)) from None
    print(result.describe())
    return 0
