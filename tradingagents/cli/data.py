"""``tradingagents data ...``: fill and inspect the local market store.

* ``data import DIR``: load your own per-symbol CSV/Parquet daily bars (as traded; a
  ``split_coefficient`` column becomes the store's splits).
* ``data update``: fetch the sessions the store lacks from Massive's grouped-daily endpoint
  (one request per session; the free tier allows 5 a minute), plus splits and the listing.
* ``data status``: sessions, symbols, last session and size on disk.

The store is ``data.store.path`` of the config (default ``<cache dir>/market``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradingagents.cli import UsageError, load_config_file
from tradingagents.cli.arguments import (
    HelpParser,
    add_config_option,
    add_data_mode_flags,
    add_store_option,
    iso_date,
    positive_int,
)

if TYPE_CHECKING:
    from tradingagents.store.update import UpdateResult

logger = logging.getLogger(__name__)


def register(commands: Any, help_parser: HelpParser) -> None:
    """Add the ``data`` command and its actions to the CLI's subcommands."""
    data = help_parser(
        commands,
        "data",
        help="fill and inspect the local market store",
        description=(
            "The local market store holds daily bars as traded, splits and the listing, and"
            " is read by the backtest and by `tradingagents track` (discover does not read it"
            " yet). It lives in data.store.path (default: <cache dir>/market)."
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

    update = help_parser(
        actions,
        "update",
        help="fetch the sessions the store lacks from Massive (resumable)",
        description=(
            "Fetch every session the store lacks between --since and --until (default: the"
            " last --sessions sessions up to the last completed one) from Massive's grouped"
            " daily endpoint, one request per session, then the splits and the listing."
            " Only missing sessions are fetched: running it again is harmless, and after"
            " Ctrl-C or a crash it resumes where it stopped. At the free tier's 5 requests a"
            " minute a 252-session backfill takes about 51 minutes; a daily update is one"
            " request. The key comes from MASSIVE_API_KEY (or POLYGON_API_KEY) or"
            " data.sources.massive.api_key."
        ),
        examples=(
            "  tradingagents data update                  # the last 252 sessions\n"
            "  tradingagents data update --sessions 5\n"
            "  tradingagents data update --since 2026-01-02 --until 2026-06-30\n"
            "  tradingagents data update --sandbox        # from the offline emulator\n"
        ),
    )
    update.add_argument("--since", type=iso_date, metavar="DATE", help="first session wanted")
    update.add_argument(
        "--until",
        type=iso_date,
        metavar="DATE",
        help="last session wanted (default: the last completed session)",
    )
    update.add_argument(
        "--sessions",
        type=positive_int,
        metavar="N",
        help=f"without --since: the last N sessions up to --until (default {DEFAULT_SESSIONS})",
    )
    add_data_mode_flags(
        update,
        {
            "sandbox": "from the built-in sandbox emulator (no key, no internet)",
            "live": "from the real Massive service (MASSIVE_API_KEY)",
        },
    )
    _common(update)
    update.set_defaults(handler=_update)

    status = help_parser(
        actions,
        "status",
        help="show what the store holds",
        description="Sessions, symbols, the last session, splits, listing and size on disk.",
        examples="  tradingagents data status\n",
    )
    _common(status)
    status.set_defaults(handler=_status)


DEFAULT_SESSIONS = 252


def _common(parser: argparse.ArgumentParser) -> None:
    add_config_option(parser)
    add_store_option(parser)


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


def wanted_sessions(
    since: dt.date | None, until: dt.date | None, count: int | None, today: dt.date
) -> list[dt.date]:
    """The sessions an update asks for; a date in the future is a :class:`UsageError`."""
    from tradingagents.store.sessions import (
        last_completed_session,
        sessions_between,
        sessions_ending,
    )

    completed = last_completed_session()
    for name, day in (("--since", since), ("--until", until)):
        if day is not None and day > today:
            raise UsageError(f"{name} {day} is in the future; there are no bars for it yet")
    last = min(until or completed, completed)
    if since is not None:
        if since > last:
            raise UsageError(f"--since {since} is after the last session wanted ({last})")
        chosen = sessions_between(since, last)
        return chosen[-count:] if count is not None else chosen
    return sessions_ending(last, count or DEFAULT_SESSIONS)


def _update(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from tradingagents.sources.errors import SourceError, SourceUnavailable
    from tradingagents.sources.hub import Sources
    from tradingagents.sources.problems import ConfigError
    from tradingagents.store import MarketStore, StoreError
    from tradingagents.store.update import SANDBOX_LABEL, SOURCE_LABEL, update_store

    config = load_config_file(args.config)
    data = config.get("data", {})
    if isinstance(data, dict):  # anything else is left for the config check to name
        # The real service unless asked otherwise (--sandbox, or data.mode in the config
        # file): the project-wide default, the sandbox, would fill the store with made-up bars.
        config = {**config, "data": {**data, "mode": args.data_mode or data.get("mode", "live")}}
    wanted = wanted_sessions(args.since, args.until, args.sessions, dt.date.today())
    if not wanted:
        raise UsageError("no session in that range")
    console = Console(stderr=True)
    stored: list[dt.date] = []
    try:
        store = MarketStore(store_folder(args))
        with (
            Sources.from_config(config, trade_date=wanted[-1]) as sources,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("sessions"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar,
        ):
            source = sources.source("massive")
            task = bar.add_task(f"massive ({sources.modes['massive']})", total=None)

            def done(day: dt.date, rows: int) -> None:
                stored.append(day)
                bar.update(task, advance=1, description=f"massive: {day} ({rows:,} bars)")

            made_up = sources.modes["massive"] == "sandbox"
            if made_up:
                console.print(
                    "the sandbox emulator's bars are a made-up market: use a store of their"
                    " own (--store) for anything but a demo",
                    markup=False,
                )
            result = update_store(
                store,
                source,
                wanted,
                on_plan=lambda n: bar.update(task, total=n),
                on_session=done,
                label=SANDBOX_LABEL if made_up else SOURCE_LABEL,
            )
    except (ConfigError, SourceUnavailable) as exc:
        raise UsageError(str(exc)) from None  # no key in live mode, a bad config
    except (SourceError, StoreError) as exc:
        print(
            f"tradingagents: data update stopped: {exc}; {len(stored)} session(s) were stored"
            " before it (run it again to resume)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(
            f"tradingagents: interrupted; {len(stored)} session(s) stored, run it again to resume",
            file=sys.stderr,
        )
        return 130
    print(f"{result.describe()}; store {store.root} now ends {store.last_session()}")
    return update_exit_code(result)


def update_exit_code(result: UpdateResult) -> int:
    """1 when sessions were missing and the source had bars for none of them (the run did
    nothing, which must not look like success), else 0."""
    if result.bars.empty and not result.bars.written:
        print(
            f"tradingagents: data update stored nothing: the source had no bars for any of the"
            f" {len(result.bars.empty)} missing session(s) (first: {result.bars.empty[0]})",
            file=sys.stderr,
        )
        return 1
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
    from tradingagents.store.sessions import last_completed_session, sessions_between

    last = store.session_table(sessions[-1])
    completed = last_completed_session()
    behind = len(sessions_between(sessions[-1], completed)) - 1
    print(f"sessions:  {len(sessions):,} ({sessions[0]} .. {sessions[-1]})")
    if behind > 0:
        print(
            f"staleness: {behind:,} session(s) behind the last completed one ({completed});"
            " run tradingagents data update"
        )
    else:
        print(f"staleness: up to date (last completed session: {completed})")
    print(f"symbols:   {last.num_rows:,} on the last session")
    print(f"splits:    {len(splits):,}")
    print(f"listing:   {int(listing['active'].sum()) if len(listing) else 0:,} active symbols")
    print(f"on disk:   {size / 1e6:,.1f} MB")
    return 0
