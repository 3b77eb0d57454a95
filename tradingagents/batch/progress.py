"""A rich progress bar for the engine's ``progress`` callback, so a CLI command shows one with
a single ``with``:

    with rich_progress("Scanning") as progress:
        result = ProcessingEngine(progress=progress).run(job)

It shows done/total, items/s and the estimated time remaining, and counts failed items.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from tradingagents.batch.engine import ProgressCallback
from tradingagents.batch.results import ItemResult


class ItemsPerSecondColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- items/s" if speed is None else f"{speed:,.1f} items/s")


@contextmanager
def rich_progress(
    description: str, *, console: Console | None = None
) -> Iterator[ProgressCallback]:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        ItemsPerSecondColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task_id = bar.add_task(description, total=None, failed=0)
        failed = 0

        def update(done: int, total: int, last: ItemResult) -> None:
            nonlocal failed
            failed += not last.ok
            bar.update(task_id, completed=done, total=total, failed=failed)

        yield update
