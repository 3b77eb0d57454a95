"""A live per-scanner view in the terminal, fed by the engine's progress callback."""

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


class ScannerProgress:
    """``with ScannerProgress(console, names) as progress:`` and pass ``progress.update`` as
    the graph's ``on_progress``."""

    def __init__(self, console: Console, names: list[str]) -> None:
        self._console = console
        self._names = names
        self._reports: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._live = Live(
            console=console, refresh_per_second=8, transient=True, get_renderable=self._render
        )

    def __enter__(self) -> ScannerProgress:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def update(self, completed: int, total: int, report: dict[str, Any]) -> None:
        with self._lock:
            self._reports[report["name"]] = report

    def _render(self) -> RenderableType:
        with self._lock:
            reports = dict(self._reports)
        table = Table(box=None, show_header=False, pad_edge=False)
        for name in self._names:
            report = reports.get(name)
            if report is None:
                table.add_row("[cyan]…[/]", name, "running", "")
            else:
                table.add_row(
                    "",
                    name,
                    STATUS_STYLE[report["status"]],
                    f"{report['duration_seconds']:.2f} s, {report['candidates']} candidates",
                )
        elapsed = time.monotonic() - self._started
        header = f"[bold]scanning[/] {len(reports)}/{len(self._names)} done, {elapsed:.1f} s"
        return Group(header, table)
