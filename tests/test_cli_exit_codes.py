"""Exit codes a cron job can trust (shared decision 5), and output that fits 80 columns.

Live mode against an in-process sandbox emulator: with no keys every scanner is skipped; with
a fake Finnhub key (and no Alpha Vantage key, no SEC user agent) some succeed and some are
skipped.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_kit import ROOT, cli, write_config
from tests.sandbox_fixtures import INSTANT
from tradingagents.cli.discover import exit_code
from tradingagents.sandbox.server import SandboxServer

TRADE_DATE = "2026-11-24"
NAMES = (
    "analyst_upgrades",
    "earnings_calendar",
    "high_52w_breakout",
    "insider_buying",
    "market_movers",
    "news_catalyst",
    "reddit_dd",
    "reddit_trending",
    "rsi_oversold",
    "trend_template",
    "unusual_volume",
    "volume_accumulation",
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[SandboxServer]:
    with SandboxServer(seed=7, trade_date=TRADE_DATE, services=INSTANT) as server:
        yield server


def live_config(tmp_path: Path, server: SandboxServer) -> Path:
    urls = server.base_urls
    return write_config(
        tmp_path / "live.json",
        {
            "data": {
                "mode": "live",
                "cache_dir": str(tmp_path / "cache"),
                "sources": {
                    name: {"base_url": urls[name], "rate_limit": None}
                    | ({"oauth_url": urls[name]} if name == "reddit" else {})
                    | ({"data_url": urls[name]} if name == "sec" else {})
                    for name in ("finnhub", "reddit", "alpha_vantage", "sec", "prices")
                },
            }
        },
    )


def no_keys() -> dict[str, str]:
    return {"SEC_USER_AGENT": "", "REDDIT_USER_AGENT": ""}


def discover(tmp_path: Path, server: SandboxServer, *extra: str, env: dict[str, str]) -> Any:
    return cli(
        "discover",
        "--live",
        "--date",
        TRADE_DATE,
        "--config",
        str(live_config(tmp_path, server)),
        "--results-dir",
        str(tmp_path / "results"),
        *extra,
        env=env,
    )


def test_exit_code_rule() -> None:
    ok, skipped = {"status": "ok"}, {"status": "skipped"}
    plugin = {"name": "broken_plugin", "status": "error"}
    assert exit_code([ok, skipped], strict=False) == 0
    assert exit_code([ok, skipped], strict=True) == 1
    assert exit_code([ok, ok], strict=True) == 0
    assert exit_code([skipped, {"status": "timeout"}, plugin], strict=False) == 1
    assert exit_code([plugin], strict=False) == 1
    assert exit_code([], strict=False) == 1


@pytest.mark.timeout(120)
def test_no_scanner_succeeded_exits_1_and_says_so(
    tmp_path: Path, emulator: SandboxServer
) -> None:
    run = discover(tmp_path, emulator, "--json", env=no_keys())
    assert run.returncode == 1, run.stderr
    payload = json.loads(run.stdout)
    assert {r["status"] for r in payload["scanner_reports"]} == {"skipped"}
    # the results are still written, for the post-mortem
    assert (Path(payload["results_dir"]) / "discovery_result.json").exists()


@pytest.mark.timeout(180)
def test_some_ok_exits_0_and_strict_exits_1(tmp_path: Path, emulator: SandboxServer) -> None:
    env = {**no_keys(), "FINNHUB_API_KEY": "fake-finnhub-key-123"}
    run = discover(tmp_path, emulator, "--json", env=env)
    assert run.returncode == 0, run.stderr
    statuses = {r["name"]: r["status"] for r in json.loads(run.stdout)["scanner_reports"]}
    assert statuses["market_movers"] == "skipped" and statuses["insider_buying"] == "skipped"
    assert "ok" in statuses.values()
    strict = discover(tmp_path, emulator, "--json", "--strict", env=env)
    assert strict.returncode == 1, strict.stderr


def test_exit_codes_are_documented_in_help() -> None:
    run = cli("discover", "--help")
    assert run.returncode == 0
    for line in ("exit codes:", "  0 ", "  1 ", "  2 ", "  130 "):
        assert line in run.stdout


# -- item 10: narrow terminals and pipes ----------------------------------------------------


def _words(text: str) -> str:
    """The visible text with ANSI codes and table borders removed, whitespace collapsed."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    text = re.sub(r"[│┃┏┓┗┛┡┩└┘━─┳┻╇╈┼╋┠┨]", " ", text)
    return re.sub(r"\s+", " ", text)


def _assert_nothing_essential_cut(output: str) -> None:
    assert "…" not in output.split("Top ")[0], output  # nothing truncated in the reports
    words = _words(output)
    for name in NAMES:
        assert f" {name} " in words, (name, output)
    assert "FINNHUB_API_KEY is not set" in words, output
    assert "ALPHA_VANTAGE_API_KEY is not set" in words, output
    assert "SEC_USER_AGENT is not set" in words, output
    for line in output.splitlines():
        visible = _words(line).strip()
        # only the results folder, one unbreakable path, may be wider than the terminal
        assert len(visible) <= 80 or " " not in visible, line


@pytest.mark.timeout(120)
def test_piped_output_cuts_nothing(tmp_path: Path, emulator: SandboxServer) -> None:
    run = discover(tmp_path, emulator, env={**no_keys(), "COLUMNS": ""})
    assert run.returncode == 1
    _assert_nothing_essential_cut(run.stdout)


@pytest.mark.timeout(120)
def test_an_80_column_terminal_cuts_nothing(tmp_path: Path, emulator: SandboxServer) -> None:
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith(("_API_KEY", "CLIENT_ID", "CLIENT_SECRET", "USER_AGENT"))
    }
    environment.update({"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"})
    environment.pop("COLUMNS", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradingagents",
            "discover",
            "--live",
            "--date",
            TRADE_DATE,
            "--config",
            str(live_config(tmp_path, emulator)),
            "--results-dir",
            str(tmp_path / "results"),
        ],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=environment,
        cwd=ROOT,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 100
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(main)
    output = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    assert process.returncode == 1, output
    final = output[output.rfind("Scanners on") :]  # after the live display
    _assert_nothing_essential_cut(final)


@pytest.mark.timeout(120)
def test_results_that_cannot_be_written_after_the_run_are_one_line_and_exit_2(
    tmp_path: Path,
    emulator: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tradingagents.cli import main

    def disk_full(folder: Path, final: Any) -> Any:
        raise OSError(28, "No space left on device")

    for key in ("FINNHUB_API_KEY", "ALPHA_VANTAGE_API_KEY", "SEC_USER_AGENT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr("tradingagents.cli.discover.write_results", disk_full)
    args = ["discover", "--live", "--date", TRADE_DATE, "--config"]
    args += [str(live_config(tmp_path, emulator)), "--results-dir", str(tmp_path / "results")]
    root = logging.getLogger()
    handlers, levels = root.handlers[:], (root.level, logging.getLogger("tradingagents").level)
    try:
        code = main(args)
    finally:  # main() configured logging for a process; this is a test's process
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
        root.setLevel(levels[0])
        logging.getLogger("tradingagents").setLevel(levels[1])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.endswith(": No space left on device\n")
    assert captured.err.startswith("tradingagents: cannot write results in ")
    assert "Scanners on" in captured.out and "results:" not in captured.out
