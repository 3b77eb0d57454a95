"""The ``tradingagents`` command: ``discover``, ``scanners``, ``config show`` and
``sandbox serve``.

Heavy modules (LangGraph, pandas) are imported inside the commands that need them, so
``tradingagents --help`` answers at once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import tomllib
from pathlib import Path
from typing import Any

from tradingagents import __version__
from tradingagents.cli.arguments import (
    add_config_option,
    add_data_mode_flags,
    positive_float,
    positive_int,
)
from tradingagents.default_config import DEFAULT_CONFIG

logger = logging.getLogger("tradingagents")

#: A config file larger than this is refused before it is parsed (``/dev/zero`` never ends).
MAX_CONFIG_BYTES = 1_000_000

EXIT_CODES = """\
exit codes:
  0    at least one scanner succeeded (with --strict: every scanner succeeded)
  1    no scanner succeeded: all timed out, errored or were skipped, or a plugin failed
       to load and nothing else succeeded; or the filter got no price data for any
       candidate; with --strict: any scanner not ok
  2    usage or config error (bad flag, config file, date or results dir)
  130  interrupted (Ctrl-C); partial results, if any, are written and marked incomplete
"""


class UsageError(Exception):
    """Bad command-line input or config file: printed without a traceback, exit code 2."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    serve = _sandbox_serve_at(argv)
    if serve is not None:
        # The sandbox owns its options (and their help); hand them over untouched.
        from tradingagents.sandbox.__main__ import main as sandbox_main

        options = _global_options().parse_args(argv[:serve])
        try:
            configure_logging(options.verbose, options.log_file)
        except UsageError as exc:
            print(f"tradingagents: {exc}", file=sys.stderr)
            return 2
        return sandbox_main(argv[serve + 1 :], prog="tradingagents sandbox")
    args = _parser().parse_args(argv)
    try:
        configure_logging(args.verbose, args.log_file)
        code: int = args.handler(args)
        return code
    except UsageError as exc:
        print(f"tradingagents: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tradingagents: interrupted", file=sys.stderr)
        return 130


def _sandbox_serve_at(argv: list[str]) -> int | None:
    """Where ``sandbox serve`` starts in ``argv`` (after any global options), else None."""
    previous = ""
    for index, (word, following) in enumerate(itertools.pairwise(argv)):
        if word == "sandbox" and following == "serve":
            return index
        if not word.startswith("-") and previous != "--log-file":
            return None  # another command
        previous = word
    return None


def _global_options() -> argparse.ArgumentParser:
    """The options that go before the command (shared by every command)."""
    parser = argparse.ArgumentParser(prog="tradingagents", add_help=False)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log on stderr: -v the project's INFO, -vv its DEBUG, -vvv also libraries' DEBUG",
    )
    parser.add_argument(
        "--log-file",
        type=Path,
        metavar="PATH",
        help="also append the log to PATH (at least the project's INFO)",
    )
    return parser


# -- logging ----------------------------------------------------------------------------------


class _VerbosityFilter(logging.Filter):
    """Lets the project's records through from ``project`` level and everyone else's from
    ``others`` level, so ``-v`` shows our INFO without a library's chatter."""

    def __init__(self, project: int, others: int) -> None:
        super().__init__()
        self.project, self.others = project, others

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "tradingagents" or record.name.startswith("tradingagents.")
        return record.levelno >= (self.project if ours else self.others)


def verbosity_levels(verbose: int) -> tuple[int, int]:
    """(project level, third-party level) for ``-v`` given ``verbose`` times."""
    if verbose <= 0:
        return logging.WARNING, logging.WARNING
    if verbose == 1:
        return logging.INFO, logging.WARNING
    if verbose == 2:
        return logging.DEBUG, logging.WARNING
    return logging.DEBUG, logging.DEBUG


def configure_logging(verbose: int, log_file: Path | None = None) -> None:
    """stderr gets what ``-v``... asks for; ``--log-file`` gets at least the project's INFO."""
    stderr_levels = verbosity_levels(verbose)
    handlers: list[tuple[logging.Handler, tuple[int, int]]] = [
        (logging.StreamHandler(sys.stderr), stderr_levels)
    ]
    if log_file is not None:
        try:
            file_handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write log file {log_file}: {exc.strerror or exc}") from None
        handlers.append((file_handler, verbosity_levels(max(verbose, 1))))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler, (project, others) in handlers:
        handler.addFilter(_VerbosityFilter(project, others))
        handler.setFormatter(formatter)
        root.addHandler(handler)
    # Loggers stop records below the lowest level any handler wants, so a library's DEBUG
    # is never even formatted unless -vvv asked for it.
    root.setLevel(min(levels[1] for _, levels in handlers))
    logger.setLevel(min(levels[0] for _, levels in handlers))


# -- the parser -------------------------------------------------------------------------------


def _help_parser(
    commands: Any, name: str, *, help: str, description: str, examples: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _parser() -> argparse.ArgumentParser:
    execution = DEFAULT_CONFIG["discovery"]["scanner_execution"]
    parser = argparse.ArgumentParser(
        prog="tradingagents",
        description="Discovery of tickers worth your trading agents' attention.",
        epilog=(
            "examples:\n"
            "  tradingagents discover --sandbox --date 2026-11-20\n"
            "  tradingagents scanners --params\n"
            "  tradingagents config show --config my_config.toml\n"
            "  tradingagents sandbox serve --date 2026-11-20\n\n"
            "Run `tradingagents COMMAND --help` for a command's options."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options()],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    discover = _help_parser(
        commands,
        "discover",
        help="run the discovery graph and write a report",
        description=(
            "Run every enabled scanner, filter and rank what they found, show the result and "
            "write discovery_result.json, tool_execution_logs.json and report.md into a new "
            "run folder.\n\n"
            "A date without a session (a weekend; with live data also an NYSE holiday) is "
            "scanned as the session before it; a future date or one before the data is "
            "refused."
        ),
        examples=(
            "  tradingagents discover --sandbox --date 2026-11-20\n"
            "  tradingagents discover --live --config my_config.toml --strict\n"
            "  tradingagents discover --sandbox --json > result.json\n\n" + EXIT_CODES
        ),
    )
    discover.add_argument("--date", help="trade date YYYY-MM-DD (default: today)")
    add_config_option(discover, help="a JSON or TOML config file (merged over the defaults)")
    mode = discover.add_mutually_exclusive_group()
    mode.add_argument("--sequential", action="store_true", help="run scanners one at a time")
    mode.add_argument(
        "--concurrent", action="store_true", help="run scanners concurrently (default)"
    )
    discover.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help=f"concurrent scanner threads (default: {execution['max_workers']})",
    )
    discover.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        help=f"per-scanner timeout (default: {execution['timeout_seconds']})",
    )
    add_data_mode_flags(
        discover,
        {
            "sandbox": "use the built-in sandbox market (no keys, no internet; the default)",
            "live": "use the real services (keys from the environment or config)",
            "auto": "live where a key is set, sandbox elsewhere",
        },
    )
    discover.add_argument(
        "--results-dir",
        type=Path,
        metavar="DIR",
        help="where run folders go (default: the config's results_dir, ./results)",
    )
    discover.add_argument(
        "--top",
        type=positive_int,
        default=10,
        metavar="N",
        help="ranked candidates to show (default: 10; the files hold all of them)",
    )
    discover.add_argument(
        "--strict", action="store_true", help="exit 1 unless every scanner is ok"
    )
    discover.add_argument(
        "--json",
        action="store_true",
        help="print the whole result as JSON on stdout (human output goes to stderr)",
    )
    from tradingagents.cli import history as history_commands

    history_commands.history_options(discover, with_config=False)
    discover.set_defaults(handler=_discover)

    scanners = _help_parser(
        commands,
        "scanners",
        help="list scanners with pipeline, source and state",
        description="List every known scanner: its pipeline, data source and whether it runs.",
        examples=(
            "  tradingagents scanners\n"
            "  tradingagents scanners --params --config my_config.toml\n"
            "  tradingagents scanners --json\n"
        ),
    )
    add_config_option(scanners)
    scanners.add_argument(
        "--params", action="store_true", help="also list each scanner's parameters"
    )
    scanners.add_argument(
        "--json", action="store_true", help="print scanners and their parameters as JSON"
    )
    scanners.set_defaults(handler=_scanners)

    config = _help_parser(
        commands,
        "config",
        help="show the resolved config",
        description="Commands about the configuration.",
        examples="  tradingagents config show --config my_config.toml\n",
    )
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    show = _help_parser(
        config_commands,
        "show",
        help="print the resolved, validated config as JSON (secrets masked)",
        description=(
            "Merge the config file over the defaults, validate it and print the result as "
            "JSON, with every secret masked. Exit code 2 names every problem."
        ),
        examples="  tradingagents config show\n  tradingagents config show --config my.toml\n",
    )
    add_config_option(show)
    show.set_defaults(handler=_config_show)

    sandbox = _help_parser(
        commands,
        "sandbox",
        help="the offline sandbox market",
        description="The offline sandbox market and its emulator of the data services.",
        examples="  tradingagents sandbox serve --date 2026-11-20 --port 8765\n",
    )
    sandbox_commands = sandbox.add_subparsers(
        dest="sandbox_command", required=True, metavar="ACTION"
    )
    # Listed for --help only: main() hands `sandbox serve ...` to the sandbox's own parser.
    sandbox_commands.add_parser(
        "serve", help="serve the emulator until Ctrl-C (--seed, --date, --port, --services)"
    )
    from tradingagents.cli import data as data_commands

    data_commands.register(commands, _help_parser)
    history_commands.register(commands, _help_parser)
    from tradingagents.cli import backtest as backtest_commands

    backtest_commands.register(commands, _help_parser)
    return parser


# -- config files -----------------------------------------------------------------------------


def load_config_file(path: Path | None) -> dict[str, Any]:
    """A user's JSON or TOML config file as a dict (empty when no path is given).

    Every way a file can be unusable (unreadable, endless, not UTF-8, not JSON/TOML, nested
    too deeply, not a table) is a :class:`UsageError` naming the file and the problem.
    """
    if path is None:
        return {}
    kind = "TOML" if path.suffix == ".toml" else "JSON"
    if path.is_dir():
        raise UsageError(f"config file {path} is a directory")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"config file {path} is larger than {MAX_CONFIG_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"config file {path} is not UTF-8 text (byte {exc.start}: {data[exc.start]:#04x})"
        ) from None
    try:
        loaded: Any = tomllib.loads(text) if kind == "TOML" else json.loads(text)
    except RecursionError:
        raise UsageError(f"config file {path} is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, TOMLDecodeError, over-long integers
        raise UsageError(f"config file {path} is not valid {kind.lower()}: {exc}") from None
    if not isinstance(loaded, dict):
        raise UsageError(
            f"config file {path} must hold a table/object, not {type(loaded).__name__}"
        )
    return loaded


def _with_overrides(args: argparse.Namespace) -> dict[str, Any]:
    config = load_config_file(args.config)
    discovery = config.setdefault("discovery", {})
    if not isinstance(discovery, dict):
        return config  # the config validator names the problem
    execution = discovery.setdefault("scanner_execution", {})
    if not isinstance(execution, dict):
        return config
    if args.sequential:
        execution["concurrent"] = False
    if args.concurrent:
        execution["concurrent"] = True
    if args.workers is not None:
        execution["max_workers"] = args.workers
    if args.timeout is not None:
        execution["timeout_seconds"] = args.timeout
    if args.data_mode is not None:
        data = config.setdefault("data", {})
        if isinstance(data, dict):
            data["mode"] = args.data_mode
    if args.results_dir is not None:
        config["results_dir"] = str(args.results_dir)
    return config


# -- handlers ---------------------------------------------------------------------------------


def _discover(args: argparse.Namespace) -> int:
    from tradingagents.cli.discover import run_discover

    return run_discover(args, _with_overrides(args))


def _scanners(args: argparse.Namespace) -> int:
    from tradingagents.cli.discover import list_scanners

    return list_scanners(load_config_file(args.config), with_params=args.params, as_json=args.json)


def _config_show(args: argparse.Namespace) -> int:
    from tradingagents.cli.discover import show_config

    return show_config(load_config_file(args.config))
