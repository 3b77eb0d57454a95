"""A live per-scanner view in the terminal, fed by the graph's progress events."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table

STATUS_STYLE = {
    "ok": "[green]✓ ok[/]",
    "error": "[red]⚠ error[/]",
    "timeout": "[yellow]⏱ timeout[/]",
    "skipped": "[dim]⏭ skipped[/]",
}

#: What the header says while a node after the scanners runs.
NODE_PHASES = {"filter": "filtering", "rank": "ranking"}


class ScannerProgress:
    """``with ScannerProgress(console, names) as progress:`` and pass ``progress.on_event``
    as the graph's ``on_event``. A scanner is ``queued`` until its thread starts it."""

    def __init__(self, console: Console, names: list[str]) -> None:
        self._console = console
        self._names = names
        self._reports: dict[str, dict[str, Any]] = {}
        self._running: dict[str, float] = {}
        self._phase = "scanning"
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._live = Live(
            console=console, refresh_per_second=8, transient=True, get_renderable=self.render
        )

    def __enter__(self) -> ScannerProgress:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def on_event(self, event: dict[str, Any]) -> None:
        """One progress event (see ``DiscoveryGraph``'s ``on_event``); others are ignored."""
        kind = event.get("event")
        with self._lock:
            if kind == "scanner_started":
                self._running[event["name"]] = time.monotonic()
            elif kind == "scanner_finished":
                report = event["report"]
                self._reports[report["name"]] = report
                self._running.pop(report["name"], None)
            elif kind == "node_started":
                self._phase = NODE_PHASES.get(event["node"], event["node"])
            elif kind == "node_finished" and event["node"] == "rank":
                self._phase = "done"

    def render(self) -> RenderableType:
        """The current view: one row per scanner under a header naming the phase."""
        now = time.monotonic()
        with self._lock:
            reports = dict(self._reports)
            running = dict(self._running)
            phase = self._phase
        table = Table(box=None, show_header=False, pad_edge=False)
        for name in self._names:
            report = reports.get(name)
            if report is not None:
                table.add_row(
                    "",
                    name,
                    STATUS_STYLE[report["status"]],
                    f"{report['duration_seconds']:.2f} s, {report['candidates']} candidates",
                )
            elif name in running:
                table.add_row("[cyan]…[/]", name, "running", f"{now - running[name]:.1f} s")
            else:
                table.add_row("", name, "[dim]queued[/]", "")
        elapsed = now - self._started
        done = f"{len(reports)}/{len(self._names)} scanners done"
        header = f"[bold]{phase}[/] {done}, {elapsed:.1f} s"
        return Group(header, table)
