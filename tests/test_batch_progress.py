"""The rich progress-bar adapter a CLI command plugs into the engine."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.batch_kit import behave
from tradingagents.batch import ProcessingEngine, ProcessingJob
from tradingagents.batch.progress import rich_progress


@pytest.mark.timeout(30)
def test_rich_progress_shows_done_total_rate_eta_and_failures() -> None:
    out = io.StringIO()
    console = Console(file=out, width=160, force_terminal=True, color_system=None)
    items = [("sleep", 0.05, i) for i in range(11)] + [("raise", "broken")]
    with rich_progress("Symbols", console=console) as progress:
        result = ProcessingEngine("threads", max_workers=3, progress=progress).run(
            ProcessingJob(items, behave, chunk_size=1)
        )
    assert result.summary.total == 12
    final = out.getvalue().rsplit("\r", 1)[-1]
    assert "Symbols" in final
    assert "12/12" in final
    assert "items/s" in final and "-- items/s" not in final
    assert "1 failed" in final
    assert "ETA" in final
