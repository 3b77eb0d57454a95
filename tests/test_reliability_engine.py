"""Reliability of the scanner node (issue 8): hung threads never keep the process alive, a
scanner's exception or output can neither crash nor hang the node, state stays plain data.

Process-exit guarantees run a real child interpreter, because interpreter exit is what is
tested. Everything else runs the real node on real threads.
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
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from tests.scanner_kit import config, make_scanner
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.scanners import abandoned
from tradingagents.scanners.candidate import normalise_ticker, validate_candidates

ROOT = Path(__file__).resolve().parents[1]
# An error text may carry a short "[N characters, cut to M]" note and a type name.
BOUND = 2_000 + 200  # the limit is 2,000 characters


def run_node(scanners: list[type[BaseScanner]], **execution: Any) -> dict[str, Any]:
    graph = DiscoveryGraph(config(**execution), scanners=scanners)
    return graph.scanner_node({"trade_date": "2026-11-24"})  # type: ignore[arg-type]


def report_of(update: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in update["scanner_reports"] if r["name"] == name)


def run_child(code: str, *, within: float = 60.0) -> tuple[str, float]:
    """Run ``code`` in a fresh interpreter; (its stdout, seconds from its RETURNED line to
    its exit). Fails if it does not exit within ``within`` seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out, err = child.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"the child process did not exit within {within} s; it printed {out!r}")
    exited = time.time()
    assert child.returncode == 0, err
    returned = float(out.split("RETURNED ")[1].split()[0])
    return out, exited - returned


# -- item 2: a hung fan-out or a user's executor never keeps the process alive ----------------

HUNG_FAN_OUT = """
import threading, time
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.scanners.fanout import fan_out

def fetch(n):
    if n == 3:
        threading.Event().wait()   # a call that never returns (a body dripping forever)
    return n * n

class Fanning(BaseScanner):
    name = "fanning"; pipeline = "momentum"
    def scan(self, state):
        got = fan_out(self.tools, "fetch", fetch, list(range(8)), lambda n: {"n": n}, workers=4)
        return [{"ticker": "AAPL", "context": f"unchecked {got.unchecked}"}]

cfg = {"discovery": {"scanner_execution": {"timeout_seconds": 2}}}
update = DiscoveryGraph(cfg, scanners=[Fanning]).scanner_node({"trade_date": "2026-11-24"})
report = update["scanner_reports"][0]
print("STATUS", report["status"], update["candidate_metadata"][0]["context"], flush=True)
print("RETURNED", time.time(), flush=True)
"""


@pytest.mark.timeout(90)
def test_a_hung_fan_out_call_blocks_neither_the_scanner_nor_process_exit() -> None:
    out, exit_seconds = run_child(HUNG_FAN_OUT)
    assert "STATUS ok unchecked [3]" in out, out
    assert exit_seconds < 5.0, f"process took {exit_seconds:.2f} s to exit after the node"


USER_EXECUTOR = """
import threading, time
from concurrent.futures import ThreadPoolExecutor
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

class Pooled(BaseScanner):
    name = "pooled"; pipeline = "momentum"
    def scan(self, state):
        with ThreadPoolExecutor(max_workers=2) as pool:
            pool.submit(threading.Event().wait).result()   # hangs in the executor's worker
        return []

class Quick(BaseScanner):
    name = "quick"; pipeline = "momentum"
    def scan(self, state):
        return [{"ticker": "AAPL"}]

cfg = {"discovery": {"scanner_execution": {"timeout_seconds": 0.5}}}
update = DiscoveryGraph(cfg, scanners=[Pooled, Quick]).scanner_node({"trade_date": "2026-11-24"})
print("STATUSES", [r["status"] for r in update["scanner_reports"]], flush=True)
print("RETURNED", time.time(), flush=True)
"""


@pytest.mark.timeout(90)
def test_a_user_thread_pool_inside_a_hung_scanner_does_not_block_exit() -> None:
    out, exit_seconds = run_child(USER_EXECUTOR)
    assert "STATUSES ['timeout', 'ok']" in out, out
    assert exit_seconds < 5.0, f"process took {exit_seconds:.2f} s to exit after the node"


LATE_EXECUTOR = """
import threading, time
from concurrent.futures import ThreadPoolExecutor
from tradingagents.discovery import BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

pool_started = threading.Event()

class Late(BaseScanner):
    name = "late"; pipeline = "momentum"
    def scan(self, state):
        time.sleep(1.0)  # still running when the node has returned
        with ThreadPoolExecutor(max_workers=1) as pool:
            hung = pool.submit(threading.Event().wait)
            pool_started.set()
            hung.result()
        return []

cfg = {"discovery": {"scanner_execution": {"timeout_seconds": 0.3}}}
update = DiscoveryGraph(cfg, scanners=[Late]).scanner_node({"trade_date": "2026-11-24"})
assert pool_started.wait(10), "the abandoned scanner never started its executor"
print("STATUSES", [r["status"] for r in update["scanner_reports"]], flush=True)
print("RETURNED", time.time(), flush=True)
"""


@pytest.mark.timeout(90)
def test_an_executor_started_by_an_abandoned_scanner_after_the_node_does_not_block_exit() -> None:
    out, exit_seconds = run_child(LATE_EXECUTOR)
    assert "STATUSES ['timeout']" in out, out
    assert exit_seconds < 5.0, f"process took {exit_seconds:.2f} s to exit after the node"


@pytest.mark.timeout(30)
def test_a_non_daemon_thread_left_by_a_scanner_is_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = threading.Event()

    def start_thread(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        threading.Thread(target=release.wait, name="lingering", daemon=False).start()
        return []

    try:
        with caplog.at_level(logging.WARNING):
            run_node([make_scanner("starter", action=start_thread)], timeout_seconds=5)
    finally:
        release.set()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'lingering'" in w and "daemon=True" in w for w in warnings), warnings


# -- item 4: a scanner's exception can neither crash nor hang the node ------------------------


class StrRaises(Exception):
    def __str__(self) -> str:
        raise RuntimeError("my __str__ is broken")


BLOCK_STR = threading.Event()


class StrBlocks(Exception):
    def __str__(self) -> str:
        BLOCK_STR.wait()
        return "finally"


def _raise(error: BaseException) -> Any:
    def action(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        raise error

    return action


@pytest.mark.timeout(30)
def test_an_exception_whose_str_raises_is_reported_and_the_others_kept() -> None:
    update = run_node(
        [
            make_scanner("broken", action=_raise(StrRaises())),
            make_scanner("healthy", tickers=("NVDA",)),
        ],
        timeout_seconds=5,
    )
    broken = report_of(update, "broken")
    assert broken["status"] == "error"
    assert "StrRaises" in broken["error"] and "RuntimeError" in broken["error"]
    assert report_of(update, "healthy")["status"] == "ok" and update["tickers"] == ["NVDA"]


@pytest.mark.timeout(30)
def test_an_exception_whose_str_blocks_only_hangs_its_own_thread() -> None:
    try:
        started = time.monotonic()
        update = run_node(
            [
                make_scanner("blocking", action=_raise(StrBlocks())),
                make_scanner("healthy", tickers=("NVDA",)),
            ],
            timeout_seconds=1,
        )
        elapsed = time.monotonic() - started
    finally:
        BLOCK_STR.set()
    assert elapsed < 10, f"the node took {elapsed:.1f} s"
    assert report_of(update, "blocking")["status"] == "timeout"
    assert update["tickers"] == ["NVDA"]


def _huge(scanner: BaseScanner, state: dict[str, Any]) -> Any:
    scanner.tools.call("explode", _explode)


def _explode() -> None:
    raise ValueError("x" * 50_000_000)


@pytest.mark.timeout(60)
def test_error_text_is_bounded_in_the_report_the_tool_log_and_the_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        update = run_node([make_scanner("huge", action=_huge)], timeout_seconds=20)
    report = report_of(update, "huge")
    assert report["status"] == "error" and report["error"].startswith("ValueError: xxx")
    assert "50,000,000 characters" in report["error"]
    assert len(report["error"]) < BOUND
    assert update["tool_logs"], "the failed call and the failure are logged"
    for entry in update["tool_logs"]:
        assert entry["error"] and len(entry["error"]) < BOUND
    assert max(len(r.getMessage()) for r in caplog.records) < BOUND


# -- item 15: an output that cannot be printed is still a successful call ---------------------


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __str__(self) -> str:
        raise RuntimeError("no str")


def _use_unprintable(scanner: BaseScanner, state: dict[str, Any]) -> Any:
    answer = scanner.tools.call("odd", Unprintable)
    assert isinstance(answer, Unprintable)
    return [{"ticker": "NVDA"}]


@pytest.mark.timeout(30)
def test_a_successful_call_whose_output_cannot_be_printed_is_logged_as_success() -> None:
    update = run_node([make_scanner("odd", action=_use_unprintable)], timeout_seconds=5)
    assert report_of(update, "odd")["status"] == "ok"
    (entry,) = update["tool_logs"]
    assert entry["error"] is None
    assert entry["output_type"] == "Unprintable"
    assert "could not be rendered" in entry["output_preview"]


# -- item 9: state stays checkpointable whatever a tool is given --------------------------------


def _call_with_a_lock(scanner: BaseScanner, state: dict[str, Any]) -> Any:
    scanner.tools.call("locked", _locked_lookup, lock=threading.Lock(), day=date(2026, 11, 20))
    return [{"ticker": "NVDA"}]


def _locked_lookup(lock: Any, day: date) -> str:
    with lock:
        return day.isoformat()


@pytest.mark.timeout(120)
def test_the_graph_runs_under_sqlite_saver_with_non_plain_tool_parameters(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "checkpoints.sqlite", check_same_thread=False)
    scanners = [make_scanner("locking", action=_call_with_a_lock)]
    graph = DiscoveryGraph(
        config(timeout_seconds=30), scanners=scanners, checkpointer=SqliteSaver(conn)
    )
    run_config = {"configurable": {"thread_id": "locks"}}
    try:
        with graph:
            final = graph.run("2026-11-24", config=run_config)
        stored = graph.graph.get_state(run_config).values
    finally:
        conn.close()
    logs = final["tool_logs"]
    assert {entry["node"] for entry in logs} == {"scanner", "filter"}
    scanner_call = next(entry for entry in logs if entry["tool"] == "locked")
    assert scanner_call["parameters"]["day"] == "2026-11-20"
    assert "lock" in scanner_call["parameters"]["lock"]
    # Plain JSON data all the way down: the filter node's dates included.
    assert json.loads(json.dumps(logs)) == logs
    assert stored["tool_logs"] == logs


# -- item 10: numpy numbers are kept, only ASCII tickers are valid -----------------------------


def _numpy_fields(scanner: BaseScanner, state: dict[str, Any]) -> Any:
    return [
        {"ticker": "NVDA", "volume": np.int64(1_234_567), "ratio": np.float32(2.5)},
        {"ticker": "AMD", "nested": {"days": [np.int32(3), np.float64(0.25)]}},
    ]


def test_candidates_with_numpy_numbers_are_kept_as_python_numbers() -> None:
    update = run_node([make_scanner("frames", action=_numpy_fields)], timeout_seconds=5)
    report = report_of(update, "frames")
    assert report["invalid_candidates"] == 0, report["invalid_examples"]
    evidence = {c["ticker"]: c["evidence"]["frames"] for c in update["candidate_metadata"]}
    assert evidence["NVDA"] == {"volume": 1_234_567, "ratio": 2.5}
    assert type(evidence["NVDA"]["volume"]) is int and type(evidence["NVDA"]["ratio"]) is float
    assert evidence["AMD"] == {"nested": {"days": [3, 0.25]}}


@pytest.mark.parametrize("text", ["ıbm", "ß", "ﬀ", "ＮＶＤＡ", "nvdа"])  # last: Cyrillic a
def test_non_ascii_tickers_are_rejected_not_upper_cased_into_others(text: str) -> None:
    with pytest.raises(ValueError, match="not a ticker symbol"):
        normalise_ticker(text)
    valid, invalid, reasons = validate_candidates([{"ticker": text}], scanner="s", strategy="x")
    assert valid == [] and invalid == 1 and "not a ticker symbol" in reasons[0]


def test_ascii_tickers_are_normalised() -> None:
    assert normalise_ticker(" $nvda ") == "NVDA"
    assert normalise_ticker("brk.b") == "BRK.B"


# -- shared decision 4: the scanner that found a candidate is `scanner` ------------------------


def test_candidates_name_their_scanners_not_sources() -> None:
    update = run_node(
        [
            make_scanner("first", tickers=("NVDA",)),
            make_scanner("second", tickers=("NVDA",), priority="high"),
        ],
        timeout_seconds=5,
    )
    (nvda,) = update["candidate_metadata"]
    assert nvda["scanner"] == "second" and nvda["scanners"] == ["first", "second"]
    assert "source" not in nvda and "all_sources" not in nvda


# -- item 14: abandoned threads stay bounded in a long-lived process ---------------------------


@pytest.mark.timeout(60)
def test_a_scanner_still_running_from_an_earlier_run_is_not_started_again() -> None:
    release = threading.Event()

    def hang_until_released(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        release.wait()
        return [{"ticker": "NVDA"}]

    stuck = make_scanner("stuck_across_runs", action=hang_until_released)
    healthy = make_scanner("healthy", tickers=("AMD",))
    graph = DiscoveryGraph(config(timeout_seconds=0.3), scanners=[stuck, healthy])
    base = threading.active_count()
    try:
        updates = [graph.scanner_node({"trade_date": "2026-11-24"}) for _ in range(4)]  # type: ignore[arg-type]
        after = threading.active_count()
    finally:
        release.set()
    statuses = [[r["status"] for r in u["scanner_reports"]] for u in updates]
    assert statuses == [["timeout", "ok"]] + [["error", "ok"]] * 3
    errors = [report_of(u, "stuck_across_runs")["error"] for u in updates[1:]]
    assert errors == [
        f"previous run of this scanner is still running (abandoned {n} run{'s' if n > 1 else ''}"
        " ago after timeout); not started"
        for n in (1, 2, 3)
    ]
    # Other tests in this process may have left hung threads of their own: count ours.
    assert all(u["scan_summary"]["abandoned_threads"] >= 1 for u in updates)
    assert [entry.owner for entry in abandoned.alive()].count(stuck) == 1
    assert after - base <= 1, "one hung thread, however many runs"
    # Once the hung run ends, the scanner runs again and nothing is left abandoned.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        update = graph.scanner_node({"trade_date": "2026-11-24"})  # type: ignore[arg-type]
        if report_of(update, "stuck_across_runs")["status"] == "ok":
            break
        time.sleep(0.05)
    assert report_of(update, "stuck_across_runs")["status"] == "ok"
    assert stuck not in [entry.owner for entry in abandoned.alive()]
    assert (
        update["scan_summary"]["abandoned_threads"]
        < updates[-1]["scan_summary"]["abandoned_threads"]
    )


# -- item 6: a scanner holding the GIL does not make healthy ones time out ---------------------


def _gil_hog_size(seconds: float) -> int:
    """How many numbers ``sum(range(n))`` (one C call, the GIL held throughout) adds up in
    about ``seconds`` on this machine now."""
    n = 2_000_000
    started = time.perf_counter()
    sum(range(n))
    return int(n * seconds / max(time.perf_counter() - started, 1e-6))


@pytest.mark.timeout(120)
def test_a_gil_holding_scanner_times_out_but_the_healthy_one_it_froze_does_not() -> None:
    size = _gil_hog_size(3.0)

    def hog(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        sum(range(size))
        return [{"ticker": "HOG"}]

    update = run_node(
        [
            make_scanner("healthy", delay=0.2, tickers=("NVDA",)),
            make_scanner("hog", action=hog),
        ],
        timeout_seconds=1.0,
        max_workers=2,
    )
    healthy, hogging = report_of(update, "healthy"), report_of(update, "hog")
    assert hogging["status"] == "timeout"
    assert hogging["duration_seconds"] == pytest.approx(1.0, abs=0.05), "charged in full"
    assert healthy["status"] == "ok", healthy
    assert update["tickers"] == ["NVDA"]


def test_reasons_for_invalid_candidates_are_bounded() -> None:
    valid, invalid, reasons = validate_candidates(
        [{"ticker": "Y" * 1_000_000}, {"ticker": "NVDA", "why": Unprintable()}],
        scanner="s",
        strategy="x",
    )
    assert valid == [] and invalid == 2
    assert all(len(reason) < 400 for reason in reasons), [len(r) for r in reasons]
