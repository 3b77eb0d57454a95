"""report.html opened in headless Chromium: it renders its charts without console errors, and
the figures on the page are those of summary.json."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.backtest_kit import SESSIONS, market, write_store
from tradingagents.backtest import run_backtest, write_run
from tradingagents.backtest.report import CHARTS, TABLE_COLUMNS, format_cell

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def console_lines(stderr: str) -> list[str]:
    """What the page wrote to the console (messages and uncaught errors)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class _Page(HTMLParser):
    """The rendered page's charts, summary table cells and hit-rate bar labels."""

    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str | None] = {}
        self.section: str | None = None
        self.plots: list[str] = []
        self.svgs: Counter[str] = Counter()
        self.bar_labels: Counter[str] = Counter()
        self.rows: list[dict[str, str]] = []
        self._cell: str | None = None
        self._in_table = False
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        classes = (named.get("class") or "").split()
        if tag == "body":
            self.body = named
        elif tag == "section" and "chart" in classes:
            self.section = named.get("id")
        elif self.section and tag == "div" and "js-plotly-plot" in classes:
            self.plots.append(self.section)
        elif self.section and tag == "svg" and "main-svg" in classes:
            self.svgs[self.section] += 1
        elif self.section == "hit_rate" and tag == "text" and "bartext" in classes:
            self.bar_labels[named.get("data-unformatted") or ""] += 1
        elif tag == "table" and named.get("id") == "summary":
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({})
        elif self._in_table and tag == "td":
            self._cell = named.get("data-column")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.section = None
        elif tag == "table":
            self._in_table = self._in_body = False
        elif tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self.rows[-1][self._cell] = self.rows[-1].get(self._cell, "") + data


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    store = write_store(root / "market", market())
    result = run_backtest(store, SESSIONS[296], SESSIONS[310], backend="threads", workers=2)
    return write_run(result, root / "run")


@pytest.mark.timeout(180)
def test_report_renders_every_chart_without_console_errors(
    run_folder: Path, tmp_path: Path
) -> None:
    report = run_folder / "report.html"
    assert "<script src=" not in report.read_text()  # self-contained: plotly.js inlined
    dumped = chromium(report, tmp_path / "profile", "--dump-dom")
    assert console_lines(dumped.stderr) == []
    page = _Page()
    page.feed(dumped.stdout)
    assert page.body.get("data-errors") == "[]"
    assert page.body.get("data-charts-rendered") == str(len(CHARTS))
    assert page.plots == list(CHARTS)
    assert all(page.svgs[name] >= 1 for name in CHARTS)

    shot = tmp_path / "report.png"
    chromium(report, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1400,2800")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a blank page is a few kB


@pytest.mark.timeout(180)
def test_figures_on_the_page_equal_summary_json(run_folder: Path, tmp_path: Path) -> None:
    summary = json.loads((run_folder / "summary.json").read_text())
    page = _Page()
    page.feed(chromium(run_folder / "report.html", tmp_path / "profile", "--dump-dom").stdout)
    rows = summary["by_scanner"]
    expected = [{c: format_cell(c, row[c]) for c in TABLE_COLUMNS} for row in rows]
    assert page.rows == expected
    assert len(expected) == len(summary["scanners"]) * len(summary["horizons"])
    hit_rates = Counter(
        format_cell("hit_rate", row["hit_rate"])
        for row in summary["by_scanner"]
        if row["hit_rate"] is not None
    )
    assert page.bar_labels == hit_rates and hit_rates


@pytest.mark.timeout(120)
def test_the_console_check_sees_a_broken_page(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('bad'); missing();</script></body></html>")
    lines = console_lines(chromium(broken, tmp_path / "profile", "--dump-dom").stderr)
    assert any("bad" in line for line in lines)
    assert any("missing is not defined" in line for line in lines)
