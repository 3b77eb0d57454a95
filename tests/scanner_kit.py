"""Plain helpers for the engine and scanner tests: small scanner classes (real sleeps, real
threads, no mocks), configs, and one run of the scanner node. Not a test module; the hubs
these runs use are fixtures in conftest.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

if TYPE_CHECKING:
    from tradingagents.sources.hub import Sources

# The sandbox market the scanner tests share: it has planted signals and decoys for every
# built-in scanner.
SCANNER_TRADE_DATE = "2026-06-01"

# A scanner that never returns on its own waits on this; never set, so it truly hangs.
FOREVER = threading.Event()


def make_scanner(
    name: str,
    *,
    pipeline: str = "momentum",
    strategy: str = "",
    delay: float = 0.0,
    tickers: tuple[str, ...] = (),
    priority: str = "medium",
    context: str | None = None,
    action: Callable[[BaseScanner, dict[str, Any]], Any] | None = None,
) -> type[BaseScanner]:
    """A scanner class that sleeps ``delay`` through one logged tool call, then returns
    one candidate per ticker (or whatever ``action`` returns)."""

    def scan(self: BaseScanner, state: dict[str, Any]) -> Any:
        if delay:
            self.tools.call("wait", _sleep, seconds=delay)
        if action is not None:
            return action(self, state)
        return [
            {
                "ticker": t,
                "context": context if context is not None else f"{name} likes {t}",
                "priority": priority,
            }
            for t in tickers
        ]

    attrs = {"name": name, "pipeline": pipeline, "strategy": strategy or pipeline, "scan": scan}
    return type(f"Scanner_{name}", (BaseScanner,), attrs)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return f"slept {seconds}"


def hang(scanner: BaseScanner, state: dict[str, Any]) -> Any:
    FOREVER.wait()
    return []


def config(**execution: Any) -> dict[str, Any]:
    return {"discovery": {"scanner_execution": execution}}


def scan(
    sources: Sources,
    run_config: dict[str, Any],
    *scanners: type[BaseScanner],
    trade_date: str = SCANNER_TRADE_DATE,
) -> dict[str, Any]:
    """The scanner node's update for ``scanners`` alone, through the real engine and hub."""
    return DiscoveryGraph(run_config, scanners=list(scanners), sources=sources).scanner_node(
        {"trade_date": trade_date}
    )
