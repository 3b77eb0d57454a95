"""The CLI's argument types and the options several commands share.

Only argparse and the standard library here: every command module imports this one, and
``tradingagents --help`` must stay fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: How the main parser hands its ``add_parser`` helper to each command module's ``register``.
HelpParser = Callable[..., argparse.ArgumentParser]


def _number(kind: Callable[[str], float], minimum: float, *, exclusive: bool = False) -> Any:
    """An argparse ``type`` refusing values below ``minimum``; argparse adds the flag name."""

    wanted = "a whole number" if kind is int else "a number"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {wanted}: {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
        if value < minimum or (exclusive and value == minimum):
            bound = f"greater than {minimum:g}" if exclusive else f"at least {minimum:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


positive_int = _number(int, 1)
positive_float = _number(float, 0, exclusive=True)


def iso_date(text: str) -> dt.date:
    """An argparse ``type`` for a YYYY-MM-DD date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_config_option(
    parser: argparse.ArgumentParser, help: str = "a JSON or TOML config file"
) -> None:
    parser.add_argument("--config", type=Path, help=help)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, metavar="PATH", help="the store folder (overrides data.store.path)"
    )


def add_data_mode_flags(parser: argparse.ArgumentParser, flags: dict[str, str]) -> None:
    """Mutually exclusive ``--<mode>`` flags (name -> help) that set ``args.data_mode``."""
    group = parser.add_mutually_exclusive_group()
    for flag, help_text in flags.items():
        group.add_argument(
            f"--{flag}", dest="data_mode", action="store_const", const=flag, help=help_text
        )
