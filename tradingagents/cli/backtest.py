"""``tradingagents backtest``: walk-forward backtest of the scanners on the market store."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from tradingagents.cli import UsageError, load_config_file
from tradingagents.cli.arguments import (
    HelpParser,
    add_config_option,
    add_store_option,
    iso_date,
    positive_int,
)

EXIT_CODES = """\
exit codes:
  0    every session was backtested
  1    some sessions failed (listed in summary.json; the others are in the results)
  2    usage or config error (bad flag, date range, scanner name, store)
  130  interrupted (Ctrl-C)
"""


def register(commands: Any, help_parser: HelpParser) -> None:
    """Add the ``backtest`` command to the CLI's subcommands."""
    parser = help_parser(
        commands,
        "backtest",
        help="walk-forward backtest of the scanners on the market store",
        description=(
            "For every stored session from --start to --end, run the selected scanners as of"
            " that session on what was known then (store reads adjusted as of the session, no"
            " later bar), record every pick and its forward returns (close to close, split-"
            "aware) and summarise each scanner's record: hit rate, mean and median return,"
            " mean excess return over the equal-weight universe, t-statistic, share of"
            " sessions with a pick. Writes picks.parquet, summary.csv, summary.json and"
            " report.html into --out. Scanners that need data the store does not hold (news,"
            " filings, social) are listed with the reason."
        ),
        examples=(
            "  tradingagents backtest --start 2020-06-01 --end 2021-03-31\n"
            "  tradingagents backtest --start 2021-01-04 --end 2021-03-31 \\\n"
            "      --scanners trend_template,rsi_oversold --horizons 5,20 --out bt\n\n"
            + EXIT_CODES
        ),
    )
    for flag, help_text in (("--start", "first session"), ("--end", "last session")):
        parser.add_argument(flag, type=iso_date, required=True, metavar="DATE", help=help_text)
    parser.add_argument(
        "--scanners", type=_names, metavar="A,B", help="scanners to run (default: all)"
    )
    parser.add_argument(
        "--horizons",
        type=_horizons,
        default=(1, 5, 10, 20),
        metavar="H,H",
        help="forward-return horizons in sessions (default 1,5,10,20)",
    )
    parser.add_argument(
        "--workers", type=positive_int, metavar="N", help="parallel sessions (default: cores)"
    )
    parser.add_argument(
        "--backend",
        choices=("processes", "threads", "dask"),
        default="processes",
        help="the batch engine's backend (default processes)",
    )
    parser.add_argument(
        "--address", metavar="tcp://HOST:PORT", help="with --backend dask: the scheduler"
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="run folder (default: results/backtest_...)"
    )
    add_config_option(parser)
    add_store_option(parser)
    parser.set_defaults(handler=_backtest)


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise argparse.ArgumentTypeError("name at least one scanner")
    return names


def _horizons(text: str) -> tuple[int, ...]:
    return tuple(int(positive_int(part.strip())) for part in text.split(","))


def _backtest(args: argparse.Namespace) -> int:
    from tradingagents.backtest import write_run
    from tradingagents.backtest.run import BacktestError, run_backtest
    from tradingagents.batch.progress import rich_progress
    from tradingagents.cli.data import store_folder
    from tradingagents.config import merge_over_defaults
    from tradingagents.store import MarketStore, StoreError

    if args.address is not None and args.backend != "dask":
        raise UsageError("--address needs --backend dask")
    config = load_config_file(args.config)
    folder = store_folder(args)
    if not folder.is_dir():
        raise UsageError(f"no market store at {folder} (fill it with tradingagents data import)")
    out = args.out or _default_out(merge_over_defaults(config)["results_dir"], args)
    try:
        with rich_progress("Sessions") as progress:
            result = run_backtest(
                MarketStore(folder),
                args.start,
                args.end,
                scanners=args.scanners,
                horizons=args.horizons,
                config=config,
                backend=args.backend,
                workers=args.workers,
                address=args.address,
                progress=progress,
            )
    except (BacktestError, StoreError) as exc:
        raise UsageError(str(exc)) from None
    write_run(result, out)
    for item in result.unsupported:
        print(f"not backtested: {item.scanner}: {item.reason}", file=sys.stderr)
    first = result.horizons[0]
    print(
        f"{len(result.sessions)} sessions, {len(result.picks)} picks in "
        f"{result.wall_seconds:.1f} s ({result.sessions_per_second:.2f} sessions/s, "
        f"{result.backend} x {result.workers})"
    )
    rows = result.by_scanner[result.by_scanner["horizon"] == first]
    print(
        f"{'scanner':<22}{'picks':>7}{'hit rate':>10}{'mean':>9}{'excess':>9}{'t':>7}"
        f"  ({first}-session horizon)"
    )
    for row in rows.to_dict(orient="records"):
        print(
            f"{row['scanner']:<22}{row['picks']:>7}{_pct(row['hit_rate']):>10}"
            f"{_pct(row['mean_return']):>9}{_pct(row['mean_excess_return']):>9}"
            f"{_num(row['t_stat']):>7}"
        )
    print(f"results: {out}")
    if result.failed:
        print(
            f"tradingagents: {len(result.failed)} session(s) failed (first: "
            f"{result.failed[0].session}: {result.failed[0].error})",
            file=sys.stderr,
        )
        return 1
    return 0


def _default_out(results_dir: str, args: argparse.Namespace) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(results_dir) / f"backtest_{args.start}_{args.end}_{stamp}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
