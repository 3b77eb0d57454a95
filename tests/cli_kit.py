"""Plain helpers for the CLI tests: run `tradingagents` in a real process, write a config.

Not a test module: the CLI test modules import from here, never from one another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FAST_SANDBOX = {
    s: {"latency": {"median_ms": 0}}
    for s in ("finnhub", "reddit", "alpha_vantage", "sec", "prices")
}


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for key in (
        "FINNHUB_API_KEY",
        "REDDIT_CLIENT_ID",
        "REDDIT_CLIENT_SECRET",
        "ALPHA_VANTAGE_API_KEY",
    ):
        if env is None or key not in env:
            environment.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "tradingagents", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd or ROOT,
        timeout=180,
    )


def write_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config))
    return path


@contextmanager
def served_emulator(trade_date: str, knobs: dict[str, Any]) -> Iterator[dict[str, str]]:
    """`tradingagents sandbox serve` in its own process with ``knobs``; yields the base URLs
    it printed and stops it afterwards."""
    server = subprocess.Popen(
        [
            sys.executable, "-m", "tradingagents", "sandbox", "serve",
            "--date", trade_date, "--services", json.dumps(knobs),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line, server.stderr.read() if server.stderr else "no output"
        yield json.loads(line)
    finally:
        server.terminate()
        server.wait(timeout=30)
