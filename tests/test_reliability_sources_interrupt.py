"""Ctrl-C during a live run closes the sources safely and quietly (issue 8, item 1).

A real ``tradingagents discover --live`` process against ``tradingagents sandbox serve`` in
another process, with a slow endpoint so that fan-out threads are mid-request (and in the
requests-cache SQLite file) when SIGINT arrives. Closing the hub used to close that SQLite
connection under them: the process died with SIGSEGV in most runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_kit import served_emulator

ROOT = Path(__file__).resolve().parents[1]
TRADE_DATE = "2026-11-20"
SERVICES = ("finnhub", "reddit", "alpha_vantage", "sec", "prices")
# Most answers come at once, so fan-out workers spend their time in the cache's SQLite file;
# one slow service keeps the run going until the interruption.
SLOW = {name: {"latency": {"median_ms": 0}} for name in SERVICES} | {
    "alpha_vantage": {"latency": {"median_ms": 3000, "max_ms": 5000}}
}
KEYS = {
    "FINNHUB_API_KEY": "fake-finnhub-key-123",
    "REDDIT_CLIENT_ID": "fake-reddit-id",
    "REDDIT_CLIENT_SECRET": "fake-reddit-secret-456",
    "REDDIT_USER_AGENT": "tradingagents-tests/1.0 by tester",
    "ALPHA_VANTAGE_API_KEY": "fake-av-key-789",
    "SEC_USER_AGENT": "tradingagents tests tester@example.com",
}
RUNS = 4


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **(extra or {})}


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    with served_emulator(TRADE_DATE, SLOW) as urls:
        yield urls


def _live_config(path: Path, urls: dict[str, str], cache_dir: Path) -> Path:
    sources = {
        name: {"base_url": urls[name], "rate_limit": None}
        | ({"oauth_url": urls[name]} if name == "reddit" else {})
        | ({"data_url": urls[name]} if name == "sec" else {})
        for name in SERVICES
    }
    config = {"data": {"mode": "live", "cache_dir": str(cache_dir), "sources": sources}}
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


# A user's script: a graph in a ``with`` block, interrupted mid-run. Leaving the block closes
# the sources while scanner threads (abandoned by the engine) are still using them.
PYTHON_RUN = """
import json, sys
from tradingagents.graph.discovery_graph import DiscoveryGraph
graph = DiscoveryGraph(json.load(open(sys.argv[1])))
graph.sources_for(sys.argv[2])
print("data sources: open", file=sys.stderr, flush=True)
try:
    with graph:
        graph.run(sys.argv[2])
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr, flush=True)
    sys.exit(130)
"""


def _interrupted_run(command: list[str]) -> tuple[int, float, str]:
    """(return code, seconds from SIGINT to exit, stderr) of one run stopped mid-flight."""
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(KEYS)
    )
    assert child.stderr is not None
    lines: list[str] = []
    started = threading.Event()

    def read_stderr() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            lines.append(line)
            if "data sources:" in line:
                started.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    assert started.wait(60), "".join(lines)
    time.sleep(1.0)  # the scanners are now fanning out over the sources
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    child.wait(timeout=30)
    took = time.monotonic() - sent
    reader.join(timeout=5)
    assert child.stdout is not None
    child.stdout.close()
    return child.returncode, took, "".join(lines)


def _check(run: str, code: int, took: float, stderr: str) -> None:
    assert code != -signal.SIGSEGV, f"{run} crashed with SIGSEGV:\n{stderr[-3000:]}"
    assert code == 130, f"{run} exited {code}:\n{stderr[-3000:]}"
    assert took < 5.0, f"{run} took {took:.1f} s to exit after SIGINT"
    after = stderr.split("interrupted", 1)[-1]
    noisy = [line for line in after.splitlines() if "retrying" in line or "circuit breaker" in line]
    assert not noisy, f"{run} logged after the interruption: {noisy}"


@pytest.mark.timeout(300)
def test_ctrl_c_while_sources_close_under_running_threads_never_crashes(
    served: dict[str, str], tmp_path: Path
) -> None:
    # One cache for every run: it warms up, so ever more answers come straight from SQLite.
    config = _live_config(tmp_path / "live.json", served, tmp_path / "cache")
    for run in range(RUNS):
        command = [sys.executable, "-c", PYTHON_RUN, str(config), TRADE_DATE]
        _check(f"run {run}", *_interrupted_run(command))


@pytest.mark.timeout(120)
def test_ctrl_c_during_discover_live_exits_130_quietly(
    served: dict[str, str], tmp_path: Path
) -> None:
    config = _live_config(tmp_path / "live.json", served, tmp_path / "cache")
    command = [
        sys.executable, "-m", "tradingagents", "-v", "discover", "--live", "--date", TRADE_DATE,
        "--config", str(config), "--results-dir", str(tmp_path / "results"),
    ]
    _check("discover --live", *_interrupted_run(command))
