"""The scanner node: concurrency, timeouts, isolation, merging, logs and reports.

Real threads and real sleeps; timing assertions are generous bounds (the machine is shared),
exact timing claims live in benchmarks/scanner_node.py.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

import pytest

from tests.scanner_kit import config, hang, make_scanner
from tradingagents.discovery import BaseScanner, ScannerCancelled
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sources.redaction import register_secret


def run_node(
    scanners: list[type[BaseScanner]], state: dict[str, Any] | None = None, **execution: Any
) -> dict[str, Any]:
    graph = DiscoveryGraph(config(**execution), scanners=scanners)
    return graph.scanner_node(state or {"trade_date": "2026-11-24"})  # type: ignore[arg-type]


def report_of(update: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in update["scanner_reports"] if r["name"] == name)


# -- seed users' promises ------------------------------------------------------------------


def test_concurrent_execution_overlaps_scanners() -> None:
    scanners = [make_scanner(f"s{i}", delay=0.4, tickers=(f"T{i}",)) for i in range(4)]
    started = time.monotonic()
    update = run_node(scanners, max_workers=4)
    wall = time.monotonic() - started
    assert wall < 1.2, f"4 x 0.4 s on 4 workers took {wall:.2f} s: they did not overlap"
    assert update["tickers"] == ["T0", "T1", "T2", "T3"]
    assert update["scan_summary"]["mode"] == "concurrent"
    assert update["scan_summary"]["concurrency"] > 1.5


def test_sequential_fallback_runs_one_at_a_time_in_registration_order() -> None:
    events: list[tuple[str, str]] = []
    lock = threading.Lock()

    def recorder(name: str) -> Any:
        def act(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
            with lock:
                events.append(("start", name))
            time.sleep(0.05)
            with lock:
                events.append(("end", name))
            return []

        return act

    names = ["c", "a", "b"]
    update = run_node([make_scanner(n, action=recorder(n)) for n in names], concurrent=False)
    assert events == [(kind, n) for n in names for kind in ("start", "end")]
    assert update["scan_summary"]["mode"] == "sequential"
    assert update["scan_summary"]["workers"] == 1


def test_timeout_is_reported_and_others_finish() -> None:
    scanners = [
        make_scanner("stuck", action=hang),
        make_scanner("fine", delay=0.05, tickers=("AAPL",)),
    ]
    started = time.monotonic()
    update = run_node(scanners, timeout_seconds=0.3)
    assert time.monotonic() - started < 1.5
    assert report_of(update, "stuck")["status"] == "timeout"
    assert report_of(update, "stuck")["error"] == "timed out after 0.3 s"
    assert report_of(update, "fine")["status"] == "ok"
    assert update["tickers"] == ["AAPL"]


def test_error_isolation() -> None:
    def boom(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        raise RuntimeError("data source exploded")

    scanners = [make_scanner("broken", action=boom), make_scanner("healthy", tickers=("MSFT",))]
    update = run_node(scanners)
    assert report_of(update, "broken")["status"] == "error"
    assert report_of(update, "broken")["error"] == "RuntimeError: data source exploded"
    assert report_of(update, "healthy")["status"] == "ok"
    assert update["tickers"] == ["MSFT"]


def test_same_candidates_in_both_modes() -> None:
    scanners = [
        make_scanner("slow", delay=0.2, tickers=("NVDA", "AMD"), priority="low"),
        make_scanner("fast", delay=0.01, tickers=("AMD", "TSLA"), priority="high"),
        make_scanner("mid", delay=0.1, tickers=("NVDA",), priority="critical"),
    ]
    concurrent = run_node(scanners, concurrent=True)
    sequential = run_node(scanners, concurrent=False)
    assert concurrent["candidate_metadata"] == sequential["candidate_metadata"]
    assert concurrent["tickers"] == sequential["tickers"] == ["NVDA", "AMD", "TSLA"]


# -- 1. which scanners run -----------------------------------------------------------------


def test_enabled_follows_pipeline_and_scanner_flags() -> None:
    scanners = [
        make_scanner("on", pipeline="momentum", tickers=("A",)),
        make_scanner("off_by_entry", pipeline="momentum", tickers=("B",)),
        make_scanner("off_by_pipeline", pipeline="social", tickers=("C",)),
    ]
    cfg = {
        "discovery": {
            "pipelines": {"social": {"enabled": False}},
            "scanners": {"off_by_entry": {"enabled": False}},
        }
    }
    graph = DiscoveryGraph(cfg, scanners=scanners)
    update = graph.scanner_node({"trade_date": "2026-11-24"})
    assert [r["name"] for r in update["scanner_reports"]] == ["on"]
    assert update["tickers"] == ["A"]


def test_constructor_failure_is_reported_not_fatal() -> None:
    class Fragile(BaseScanner):
        name = "fragile"
        pipeline = "edge"

        def __init__(self, config: Any) -> None:
            raise ValueError("missing watchlist")

        def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
            return []

    update = run_node([Fragile, make_scanner("ok", tickers=("IBM",))])
    report = report_of(update, "fragile")
    assert report["status"] == "error"
    assert "Fragile() raised ValueError: missing watchlist" in report["error"]
    assert update["tickers"] == ["IBM"]


# -- 2. worker bound -----------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_at_most_max_workers_run_at_once(workers: int) -> None:
    lock = threading.Lock()
    active = 0
    peak = 0

    def act(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return []

    run_node([make_scanner(f"w{i}", action=act) for i in range(7)], max_workers=workers)
    assert peak == workers


def test_sequential_mode_still_enforces_the_timeout() -> None:
    started = time.monotonic()
    update = run_node(
        [make_scanner("stuck", action=hang), make_scanner("next", tickers=("GE",))],
        concurrent=False,
        timeout_seconds=0.2,
    )
    assert time.monotonic() - started < 1.5
    assert [r["status"] for r in update["scanner_reports"]] == ["timeout", "ok"]


# -- 3. state isolation --------------------------------------------------------------------


def test_each_scanner_gets_its_own_deep_copy_of_the_state() -> None:
    seen: dict[str, list[str]] = {}

    def vandal(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        state["watchlist"].append("VANDAL")
        state["nested"]["key"] = "changed"
        state["trade_date"] = "1999-01-01"
        return []

    def observer(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        time.sleep(0.1)  # run after the vandal has done its damage
        seen["watchlist"] = list(state["watchlist"])
        seen["nested"] = [state["nested"]["key"], state["trade_date"]]
        return []

    shared = {"trade_date": "2026-11-24", "watchlist": ["AAPL"], "nested": {"key": "original"}}
    run_node(
        [make_scanner("vandal", action=vandal), make_scanner("observer", action=observer)],
        state=shared,
    )
    assert seen == {"watchlist": ["AAPL"], "nested": ["original", "2026-11-24"]}
    assert shared == {
        "trade_date": "2026-11-24",
        "watchlist": ["AAPL"],
        "nested": {"key": "original"},
    }


# -- 4. timeouts ---------------------------------------------------------------------------


def test_timeout_counts_from_each_scanners_own_start_not_from_submission() -> None:
    # One worker, three 0.25 s scanners, 0.4 s timeout: the third starts at ~0.5 s and ends at
    # ~0.75 s, past 0.4 s since submission; charged from its own start it is fine.
    scanners = [make_scanner(f"q{i}", delay=0.25, tickers=(f"Q{i}",)) for i in range(3)]
    update = run_node(scanners, max_workers=1, timeout_seconds=0.4)
    assert [r["status"] for r in update["scanner_reports"]] == ["ok", "ok", "ok"]


def test_timed_out_scanner_frees_its_slot_for_the_next() -> None:
    scanners = [make_scanner("stuck", action=hang), make_scanner("queued", tickers=("X",))]
    update = run_node(scanners, max_workers=1, timeout_seconds=0.3)
    stuck, queued = update["scanner_reports"]
    assert stuck["status"] == "timeout" and stuck["duration_seconds"] == pytest.approx(0.3)
    assert queued["status"] == "ok"
    assert queued["started"] >= stuck["finished"]  # it got the abandoned scanner's slot


def test_tool_context_refuses_calls_from_a_timed_out_scanner() -> None:
    calls: list[float] = []
    stopped = threading.Event()
    outcome: dict[str, BaseException] = {}

    def chatty(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            while True:
                # A scanner that swallows ordinary exceptions must still be stopped.
                with contextlib.suppress(Exception):
                    scanner.tools.call("poll", lambda: _tick(calls))
        except BaseException as exc:
            outcome["exc"] = exc
            stopped.set()
            raise

    update = run_node([make_scanner("chatty", action=chatty)], timeout_seconds=0.2)
    assert report_of(update, "chatty")["status"] == "timeout"
    assert stopped.wait(2.0), "the timed-out scanner kept calling tools"
    assert isinstance(outcome["exc"], ScannerCancelled)
    count = len(calls)
    time.sleep(0.1)
    assert len(calls) == count


def _tick(calls: list[float]) -> None:
    calls.append(time.monotonic())
    time.sleep(0.01)


# -- 5. failures of every kind -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (ValueError("bad"), "ValueError: bad"),
        (SystemExit(2), "SystemExit: 2"),
        (KeyboardInterrupt(), "KeyboardInterrupt"),
        (GeneratorExit(), "GeneratorExit"),
    ],
)
def test_any_exception_inside_a_scanner_is_contained(raised: BaseException, expected: str) -> None:
    def act(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        raise raised

    update = run_node([make_scanner("bad", action=act), make_scanner("good", tickers=("KO",))])
    assert report_of(update, "bad")["status"] == "error"
    assert report_of(update, "bad")["error"] == expected
    assert update["tickers"] == ["KO"]


def test_non_list_return_is_an_error() -> None:
    update = run_node([make_scanner("dicty", action=lambda s, st: {"ticker": "AAPL"})])
    assert report_of(update, "dicty")["status"] == "error"
    assert "returned dict, expected list[dict]" in report_of(update, "dicty")["error"]


def test_invalid_candidates_are_dropped_and_counted() -> None:
    junk = [
        {"ticker": "nvda", "priority": "HIGH"},  # normalised, valid
        {"ticker": "not a ticker"},
        {"no_ticker": True},
        "AAPL",
        {"ticker": "MSFT", "priority": "urgent"},
        {"ticker": "$amd", "context": "dollar sign stripped"},
    ]
    update = run_node([make_scanner("messy", action=lambda s, st: junk)])
    report = report_of(update, "messy")
    assert report["status"] == "ok"
    assert (report["candidates"], report["invalid_candidates"]) == (2, 4)
    assert len(report["invalid_examples"]) == 4
    assert update["tickers"] == ["NVDA", "AMD"]
    assert update["candidate_metadata"][0]["priority"] == "high"
    assert update["scan_summary"]["invalid_candidates"] == 4


# -- 6. merging ----------------------------------------------------------------------------


def test_merge_by_ticker() -> None:
    scanners = [
        make_scanner(
            "low_one", strategy="social", tickers=("NVDA",), priority="low", context="chatter"
        ),
        make_scanner(
            "high_one",
            strategy="insider",
            tickers=("NVDA", "AMD"),
            priority="high",
            context="CEO bought",
        ),
        make_scanner(
            "dup", strategy="social", tickers=("NVDA",), priority="medium", context="chatter"
        ),
    ]
    merged = {m["ticker"]: m for m in run_node(scanners)["candidate_metadata"]}
    nvda = merged["NVDA"]
    assert nvda["priority"] == "high"
    assert nvda["scanners"] == ["low_one", "high_one", "dup"]
    assert nvda["contexts"] == ["CEO bought", "chatter"]
    assert nvda["context"] == "CEO bought; chatter"
    assert nvda["scanner"] == "high_one" and nvda["strategy"] == "insider"
    assert nvda["strategies"] == ["social", "insider"]
    assert merged["AMD"]["scanners"] == ["high_one"]


def test_extra_candidate_fields_are_kept_as_evidence() -> None:
    def act(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"ticker": "AAPL", "context": "volume", "volume_ratio": 3.2, "close": 190.5}]

    merged = run_node([make_scanner("vol", action=act)])["candidate_metadata"]
    assert merged[0]["evidence"] == {"vol": {"volume_ratio": 3.2, "close": 190.5}}


# -- 7. tool logs --------------------------------------------------------------------------


def test_tool_calls_are_logged_with_secrets_redacted_and_previews_capped() -> None:
    secret = "sk-live-7d1c9e"
    register_secret(secret)

    def act(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        scanner.tools.call(
            "echo", lambda text, api_key: text, text="x" * 50 + secret, api_key=secret
        )
        with pytest.raises(ConnectionError):
            scanner.tools.call("fail", _fail_with, message=f"GET /quote?token={secret} refused")
        return []

    cfg = config()
    cfg["discovery"]["tool_log_preview_chars"] = 20
    graph = DiscoveryGraph(cfg, scanners=[make_scanner("logger", action=act)])
    logs = graph.scanner_node({"trade_date": "2026-11-24"})["tool_logs"]
    echo, fail = logs
    assert echo["tool"] == "echo" and echo["scanner"] == "logger" and echo["type"] == "tool"
    assert echo["parameters"]["api_key"] == "***"
    assert secret not in str(echo["parameters"])
    assert len(echo["output_preview"]) == 20
    assert echo["output_length"] == 50 + len(secret)
    assert echo["error"] is None and echo["duration_seconds"] >= 0
    assert fail["error"].startswith("ConnectionError:")
    assert secret not in str(logs)
    for key in (
        "timestamp",
        "tool",
        "parameters",
        "output_preview",
        "output_length",
        "duration_seconds",
        "error",
    ):
        assert key in echo and key in fail


def _fail_with(message: str) -> None:
    raise ConnectionError(message)


def test_logs_of_failed_and_timed_out_scanners_are_kept_with_a_failure_entry() -> None:
    def fails_after_a_call(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        scanner.tools.call("lookup", lambda: "ok")
        raise RuntimeError("parse error")

    def hangs_in_a_call(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        scanner.tools.call("fast", lambda: "ok")
        scanner.tools.call("slow", wait_forever)
        return []

    update = run_node(
        [
            make_scanner("failing", action=fails_after_a_call),
            make_scanner("hanging", action=hangs_in_a_call),
        ],
        timeout_seconds=0.3,
    )
    rows = [(e["scanner"], e["type"], e["tool"], e["error"]) for e in update["tool_logs"]]
    assert rows == [
        ("failing", "tool", "lookup", None),
        ("failing", "scanner_error", "", "RuntimeError: parse error"),
        ("hanging", "tool", "fast", None),
        ("hanging", "tool", "slow", "abandoned: scanner timed out after 0.3 s"),
        ("hanging", "scanner_timeout", "", "timed out after 0.3 s"),
    ]


def wait_forever() -> None:
    threading.Event().wait()


# -- 8. the node's update ------------------------------------------------------------------


def test_node_update_has_reports_summary_and_status() -> None:
    update = run_node(
        [make_scanner("a", delay=0.05, tickers=("A",)), make_scanner("b", tickers=("B", "A"))]
    )
    assert set(update) == {
        "tickers",
        "candidate_metadata",
        "tool_logs",
        "scanner_reports",
        "scan_summary",
        "status",
    }
    assert update["status"] == "scanned"
    report = report_of(update, "a")
    assert set(report) >= {
        "name",
        "pipeline",
        "status",
        "started",
        "finished",
        "duration_seconds",
        "candidates",
        "invalid_candidates",
        "error",
    }
    assert report["pipeline"] == "momentum" and report["candidates"] == 1
    assert report["started"] <= report["finished"]
    summary = update["scan_summary"]
    assert summary["counts"] == {"ok": 2, "error": 0, "timeout": 0, "skipped": 0}
    assert summary["scanner_seconds_sum"] == pytest.approx(
        sum(r["duration_seconds"] for r in update["scanner_reports"]), abs=1e-3
    )
    assert summary["workers"] == 8 and summary["scanners"] == 2


def test_scanner_skipped_signal_is_reported_as_skipped() -> None:
    from tradingagents.scanners import ScannerSkipped

    def act(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        raise ScannerSkipped("FINNHUB_API_KEY is not set")

    update = run_node([make_scanner("needs_key", action=act)])
    assert report_of(update, "needs_key")["status"] == "skipped"
    assert report_of(update, "needs_key")["error"] == "FINNHUB_API_KEY is not set"
    assert update["scan_summary"]["counts"]["skipped"] == 1
    assert all(e["type"] == "tool" for e in update["tool_logs"])


# -- 9. progress ---------------------------------------------------------------------------


def test_progress_callback_is_called_once_per_scanner_from_the_calling_thread() -> None:
    calls: list[tuple[int, int, str, str]] = []

    def progress(completed: int, total: int, report: dict[str, Any]) -> None:
        calls.append((completed, total, report["name"], threading.current_thread().name))

    scanners = [make_scanner(n, delay=d) for n, d in (("slow", 0.2), ("fast", 0.0), ("mid", 0.1))]
    graph = DiscoveryGraph(config(), scanners=scanners, on_progress=progress)
    graph.scanner_node({"trade_date": "2026-11-24"})
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(c[2] for c in calls) == ["fast", "mid", "slow"]
    assert {c[3] for c in calls} == {threading.current_thread().name}


def test_a_failing_progress_callback_does_not_break_the_run() -> None:
    def progress(completed: int, total: int, report: dict[str, Any]) -> None:
        raise RuntimeError("terminal closed")

    graph = DiscoveryGraph(
        config(), scanners=[make_scanner("a", tickers=("A",))], on_progress=progress
    )
    assert graph.scanner_node({"trade_date": "2026-11-24"})["tickers"] == ["A"]


def test_progress_is_streamed_as_langgraph_custom_events() -> None:
    scanners = [make_scanner("x", delay=0.05, tickers=("X",)), make_scanner("y", tickers=("Y",))]
    graph = DiscoveryGraph(config(), scanners=scanners)
    events = list(graph.graph.stream({"trade_date": "2026-11-24"}, stream_mode="custom"))
    events = [e for e in events if e["event"] == "scanner_finished"]
    assert [(e["event"], e["completed"], e["total"]) for e in events] == [
        ("scanner_finished", 1, 2),
        ("scanner_finished", 2, 2),
    ]
    assert {e["report"]["name"] for e in events} == {"x", "y"}


# -- 11. log lines -------------------------------------------------------------------------


def test_one_log_line_per_finished_scanner(caplog: pytest.LogCaptureFixture) -> None:
    def boom(scanner: BaseScanner, state: dict[str, Any]) -> Any:
        raise RuntimeError("nope")

    caplog.set_level(logging.INFO, logger="tradingagents.discovery.engine")
    run_node(
        [
            make_scanner("good", tickers=("A", "B")),
            make_scanner("slow", action=hang),
            make_scanner("bad", action=boom),
        ],
        timeout_seconds=0.2,
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "tradingagents.discovery.engine"]
    assert any(line.startswith("✓ good: 2 candidates (") and line.endswith(" s)") for line in lines)
    assert "⏱ slow: timeout after 0.2 s" in lines
    assert "⚠ bad: error: RuntimeError: nope" in lines
