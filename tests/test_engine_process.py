"""Process-level guarantees: a hung scanner never keeps the process alive, Ctrl-C works.

These run a real child interpreter, because interpreter exit and SIGINT are what is tested.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HUNG_RUN = """
import sys, threading, time
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

class Hung(BaseScanner):
    name = "hung"; pipeline = "momentum"
    def scan(self, state):
        threading.Event().wait()   # never returns, ignores everything

class Quick(BaseScanner):
    name = "quick"; pipeline = "momentum"
    def scan(self, state):
        return [{"ticker": "AAPL", "context": "ok"}]

cfg = {"discovery": {"scanner_execution": {"timeout_seconds": 0.3, "max_workers": 2}}}
Hung2 = type("Hung2", (Hung,), {"name": "hung2"})
graph = DiscoveryGraph(cfg, scanners=[Hung, Hung2, Quick])
update = graph.scanner_node({"trade_date": "2026-11-24"})
print("STATUSES", [r["status"] for r in update["scanner_reports"]], flush=True)
print("RETURNED", time.time(), flush=True)
"""

INTERRUPTED_RUN = """
import threading
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

class Hung(BaseScanner):
    name = "hung"; pipeline = "momentum"
    def scan(self, state):
        threading.Event().wait()

cfg = {"discovery": {"scanner_execution": {"timeout_seconds": 600}}}
graph = DiscoveryGraph(cfg, scanners=[Hung])
print("RUNNING", flush=True)
try:
    graph.scanner_node({"trade_date": "2026-11-24"})
except KeyboardInterrupt:
    print("INTERRUPTED", flush=True)
    raise
"""


def _spawn(code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_hung_scanners_do_not_keep_the_process_alive() -> None:
    child = _spawn(HUNG_RUN)
    out, err = child.communicate(timeout=60)
    exited = time.time()
    assert child.returncode == 0, err
    assert "STATUSES ['timeout', 'timeout', 'ok']" in out
    returned = float(out.split("RETURNED ")[1].split()[0])
    assert exited - returned < 3.0, (
        f"process took {exited - returned:.2f} s to exit after the node returned"
    )


def test_ctrl_c_stops_a_run_promptly() -> None:
    child = _spawn(INTERRUPTED_RUN)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "RUNNING"
    time.sleep(0.3)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert time.monotonic() - sent < 5.0
    assert "INTERRUPTED" in out
    assert child.returncode != 0 and "KeyboardInterrupt" in err
