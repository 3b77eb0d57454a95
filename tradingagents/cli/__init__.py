"""The ``tradingagents`` command: ``discover``, ``scanners`` and ``sandbox serve``.

Heavy modules (LangGraph, pandas) are imported inside the commands that need them, so
``tradingagents --help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tomllib
from pathlib import Path
from typing import Any

from tradingagents import __version__

logger = logging.getLogger("tradingagents")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["sandbox", "serve"]:
        # The sandbox owns its options (and their help); hand them over untouched.
        from tradingagents.sandbox.__main__ import main as sandbox_main

        return sandbox_main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        code: int = args.handler(args)
        return code
    except UsageError as exc:
        print(f"tradingagents: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tradingagents: interrupted", file=sys.stderr)
        return 130


class UsageError(Exception):
    """Bad command-line input or config file: printed without a traceback, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradingagents",
        description="Discovery of tickers worth your trading agents' attention.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    discover = commands.add_parser("discover", help="run the discovery graph and write a report")
    discover.add_argument("--date", help="trade date YYYY-MM-DD (default: today)")
    discover.add_argument(
        "--config", type=Path, help="a JSON or TOML config file (merged over the defaults)"
    )
    mode = discover.add_mutually_exclusive_group()
    mode.add_argument("--sequential", action="store_true", help="run scanners one at a time")
    mode.add_argument(
        "--concurrent", action="store_true", help="run scanners concurrently (default)"
    )
    discover.add_argument("--workers", type=int, help="concurrent scanner threads")
    discover.add_argument("--timeout", type=float, help="per-scanner timeout in seconds")
    data = discover.add_mutually_exclusive_group()
    data.add_argument(
        "--sandbox",
        dest="data_mode",
        action="store_const",
        const="sandbox",
        help="use the built-in sandbox market (no keys, no internet)",
    )
    data.add_argument(
        "--live",
        dest="data_mode",
        action="store_const",
        const="live",
        help="use the real services (keys from the environment or config)",
    )
    data.add_argument(
        "--auto",
        dest="data_mode",
        action="store_const",
        const="auto",
        help="live where a key is set, sandbox elsewhere",
    )
    discover.add_argument(
        "--results-dir", type=Path, help="where run folders go (default: ./results)"
    )
    discover.add_argument("--top", type=int, default=10, help="ranked candidates to show")
    discover.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    discover.set_defaults(handler=_discover)

    scanners = commands.add_parser("scanners", help="list scanners with pipeline, source and state")
    scanners.add_argument("--config", type=Path, help="a JSON or TOML config file")
    scanners.add_argument(
        "--params", action="store_true", help="also list each scanner's parameters"
    )
    scanners.set_defaults(handler=_scanners)

    sandbox = commands.add_parser("sandbox", help="the offline sandbox market")
    sandbox_commands = sandbox.add_subparsers(
        dest="sandbox_command", required=True, metavar="ACTION"
    )
    # Listed for --help only: main() hands `sandbox serve ...` to the sandbox's own parser.
    sandbox_commands.add_parser(
        "serve", help="serve the emulator until Ctrl-C (--seed, --date, --port, --services)"
    )
    return parser


def load_config_file(path: Path | None) -> dict[str, Any]:
    """A user's JSON or TOML config file as a dict (empty when no path is given)."""
    if path is None:
        return {}
    try:
        text = path.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        loaded: Any = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"config file {path} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}"
        ) from None
    if not isinstance(loaded, dict):
        raise UsageError(
            f"config file {path} must hold a table/object, not {type(loaded).__name__}"
        )
    return loaded


def _with_overrides(args: argparse.Namespace) -> dict[str, Any]:
    config = load_config_file(args.config)
    discovery = config.setdefault("discovery", {})
    execution = discovery.setdefault("scanner_execution", {})
    if args.sequential:
        execution["concurrent"] = False
    if args.concurrent:
        execution["concurrent"] = True
    if args.workers is not None:
        execution["max_workers"] = args.workers
    if args.timeout is not None:
        execution["timeout_seconds"] = args.timeout
    if args.data_mode is not None:
        config.setdefault("data", {})["mode"] = args.data_mode
    if args.results_dir is not None:
        config["results_dir"] = str(args.results_dir)
    return config


def _discover(args: argparse.Namespace) -> int:
    from tradingagents.cli.discover import run_discover

    return run_discover(args, _with_overrides(args))


def _scanners(args: argparse.Namespace) -> int:
    from tradingagents.cli.discover import list_scanners

    return list_scanners(load_config_file(args.config), with_params=args.params)
