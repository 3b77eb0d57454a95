"""``tradingagents data ...``: fill and inspect the local market store.

* ``data import DIR``: load your own per-symbol CSV/Parquet daily bars (as traded; a
  ``split_coefficient`` column becomes the store's splits).
* ``data status``: sessions, symbols, last session and size on disk.

The store is ``data.store.path`` of the config (default ``<cache dir>/market``).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tradingagents.cli import UsageError, load_config_file

logger = logging.getLogger(__name__)

HelpParser = Callable[..., argparse.ArgumentParser]


def register(commands: Any, help_parser: HelpParser) -> None:
    """Add the ``data`` command and its actions to the CLI's subcommands."""
    data = help_parser(
        commands,
        "data",
        help="fill and inspect the local market store",
        description=(
            "The local market store holds daily bars as traded, splits and the listing, and"
            " is read by discovery. It lives in data.store.path (default: <cache dir>/market)."
        ),
        examples=(
            "  tradingagents data import ~/bars\n"
            "  tradingagents data status --config my_config.toml\n"
        ),
    )
    actions = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    load = help_parser(
        actions,
        "import",
        help="load a folder of your own per-symbol CSV/Parquet bars into the store",
        description=(
            "Load DIR/<SYMBOL>.csv or .parquet daily bars (columns named as most vendors do:"
            " date or timestamp, open, high, low, close, volume, optionally vwap and"
            " split_coefficient) into the store. Prices are stored as traded; a"
            " split_coefficient other than 1 is recorded as a split on that date, so reads"
            " adjust for it only from its ex-date on. Sessions already stored keep their other"
            " symbols."
        ),
        examples="  tradingagents data import ../shared/fixtures/ohlcv/sp500_daily_2019_2021\n",
    )
    load.add_argument("dir", type=Path, metavar="DIR", help="folder of <SYMBOL>.csv/.parquet")
    _common(load)
    load.set_defaults(handler=_import)

    status = help_parser(
        actions,
        "status",
        help="show what the store holds",
        description="Sessions, symbols, the last session, splits, listing and size on disk.",
        examples="  tradingagents data status\n",
    )
    _common(status)
    status.set_defaults(handler=_status)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="a JSON or TOML config file")
    parser.add_argument(
        "--store", type=Path, metavar="PATH", help="the store folder (overrides data.store.path)"
    )


def store_folder(args: argparse.Namespace) -> Path:
    """The store folder named by ``--store``, else by the config's ``data.store.path``."""
    if args.store is not None:
        return Path(args.store).expanduser()
    from tradingagents.sources.problems import ConfigError
    from tradingagents.sources.specs import load_data_config

    data = load_config_file(args.config).get("data")
    try:
        return load_data_config(data if isinstance(data, dict) else None).store_path()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _import(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tradingagents.store import MarketStore, StoreError
    from tradingagents.store.importer import import_folder

    folder = Path(args.dir).expanduser()
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    console = Console(stderr=True)
    try:
        store = MarketStore(store_folder(args))
        with (
            store.writer() as writer,
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task("reading bar files", total=None)
            result = import_folder(
                writer,
                folder,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    print(f"{result.describe()} into {store.root}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from tradingagents.store import MarketStore, StoreError

    try:
        store = MarketStore(store_folder(args))
        sessions = store.sessions()
        listing = store.listing()
        splits = store.splits()
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    size = sum(p.stat().st_size for p in store.root.rglob("*") if p.is_file())
    print(f"store:     {store.root} (schema {store.version})")
    if not sessions:
        print("sessions:  none yet (run tradingagents data import DIR)")
        return 0
    last = store.session_table(sessions[-1])
    print(f"sessions:  {len(sessions):,} ({sessions[0]} .. {sessions[-1]})")
    print(f"symbols:   {last.num_rows:,} on the last session")
    print(f"splits:    {len(splits):,}")
    print(f"listing:   {int(listing['active'].sum()) if len(listing) else 0:,} active symbols")
    print(f"on disk:   {size / 1e6:,.1f} MB")
    return 0
