"""A shared on-disk cache never costs a scanner its call (issue 8, item 11).

Processes share ``~/.cache/tradingagents`` (cron and a user's shell overlap). The cache file
is created under a file lock, and a cache that cannot be read or written right now is a miss
(or a skipped write) with a warning, never an exception in the caller.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox_fixtures import INSTANT, SEED, TRADE_DATE
from tradingagents.sandbox.server import SandboxServer
from tradingagents.sources import http
from tradingagents.sources.http import SourceSession, cache_file
from tradingagents.sources.prices import StooqPrices
from tradingagents.sources.specs import load_data_config, source_spec

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as emulator:
        yield emulator


def _prices(server: SandboxServer, cache_dir: Path) -> StooqPrices:
    spec = source_spec("prices")
    settings = spec.settings.model_validate({**spec.defaults, "base_url": server.url})
    resilience = load_data_config(None).resilience.model_copy(update={"max_attempts": 1})
    session = SourceSession(
        "prices",
        cache_file=cache_file(cache_dir, "prices"),
        ttl_rules=[(r"/q/d/l/\?", 3600.0)],
        cacheable=None,
        limiter=None,
        timeout=2.0,
        max_wait=2.0,
    )
    return StooqPrices(settings, session, resilience)  # type: ignore[arg-type]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.timeout(60)
def test_a_cache_that_fails_to_read_and_write_is_a_miss_not_an_error(
    server: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    prices = _prices(server, tmp_path)
    # Something else broke the file under the session (another version, a manual clean-up).
    other = sqlite3.connect(cache_file(tmp_path, "prices"), isolation_level=None)
    other.execute("DROP TABLE responses")
    other.close()
    try:
        bars = prices.daily_bars(server.market.companies[0].symbol)
    finally:
        prices.close()
    assert len(bars) > 250, "the answer came from the service"
    assert any("prices cache: read failed" in w for w in _warnings(caplog)), _warnings(caplog)
    assert any("prices cache: answer not stored" in w for w in _warnings(caplog))


@pytest.mark.timeout(60)
def test_an_unusable_cache_file_runs_on_a_memory_cache(
    server: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_file(tmp_path, "prices").write_bytes(b"not a database" * 100)
    prices = _prices(server, tmp_path)
    try:
        symbol = server.market.companies[0].symbol
        assert prices.daily_bars(symbol).equals(prices.daily_bars(symbol))
    finally:
        prices.close()
    assert any("in memory for this run" in w for w in _warnings(caplog)), _warnings(caplog)


# One process of a pair: its own session on the shared cache file, eight threads of
# requests, half of the symbols shared with the other process.
PROCESS = """
import json, sys, threading, time
from pathlib import Path
from tests.test_reliability_sources_cache import _prices
from tradingagents.sandbox.server import SandboxServer

url, cache_dir, start, me = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
class Served:  # what _prices needs of a server: its URL
    pass
served = Served(); served.url = url
symbols = json.loads(sys.argv[5])
while time.time() < start:
    time.sleep(0.001)
prices = _prices(served, cache_dir)
errors = []
def work(part):
    for symbol in part:
        try:
            prices.daily_bars(symbol)
        except BaseException as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
mine = symbols[me::2] + symbols[: len(symbols) // 2]
threads = [threading.Thread(target=work, args=(mine[i::8],)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
prices.close()
print(json.dumps(errors))
"""


@pytest.mark.timeout(240)
def test_two_processes_on_a_cold_shared_cache_lose_nothing(
    server: SandboxServer, tmp_path: Path
) -> None:
    symbols = [company.symbol for company in server.market.companies[:40]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(3):
        cache_dir = tmp_path / f"cache{round_}"  # a fresh, cold cache every round
        start = time.time() + 3.0  # both open the new cache file at the same moment
        children = [
            subprocess.Popen(
                [sys.executable, "-c", PROCESS, server.url, str(cache_dir), str(start),
                 str(me), json.dumps(symbols)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            )
            for me in range(2)
        ]
        for me, child in enumerate(children):
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err[-2000:]
            assert json.loads(out) == [], f"round {round_}, process {me}: {out[:2000]}"
            # Under load SQLite may refuse a write to the other process's busy file: that
            # answer is then not cached (one warning), but it was still returned; every other
            # cache problem (a failed read, a broken file) must not happen here.
            problems = [
                line
                for line in err.splitlines()
                if "cache:" in line and "answer not stored" not in line
            ]
            assert problems == [], err[-2000:]


@pytest.mark.timeout(60)
def test_a_write_locked_by_another_process_is_skipped_not_waited_for(
    server: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # requests-cache's writers retried BEGIN IMMEDIATE forever while holding the table's lock,
    # so a file another process was writing froze every writer of this one (and its close()).
    monkeypatch.setattr(http, "_SQLITE_BUSY_TIMEOUT_MS", 200)
    prices = _prices(server, tmp_path)
    holder = sqlite3.connect(cache_file(tmp_path, "prices"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO redirects (key, value) VALUES ('held', 'by another process')")
    done = threading.Event()

    def call() -> None:
        prices.daily_bars(server.market.companies[1].symbol)
        done.set()

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    try:
        assert done.wait(10), "the call froze on the locked cache"
    finally:
        holder.rollback()
        holder.close()
    prices.close()
    assert any("prices cache: answer not stored" in w for w in _warnings(caplog))
