"""Run the enabled scanners and turn what they did into graph-state updates.

Each scanner runs on its own thread (see :mod:`tradingagents.discovery.pool`) with its own
deep copy of the state, its own tool context and its own timeout. Everything it produced,
candidates, tool-call logs and its failure if any, is collected in the supervising thread
and merged in registration order, so concurrent and sequential runs agree. Only the order
they are queued in may differ: longest expected first when the caller knows how long each
takes (``expected_seconds``, from the run history; see :mod:`tradingagents.discovery.schedule`).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tradingagents.config import Settings
from tradingagents.discovery.merge import merge_candidates
from tradingagents.discovery.pool import DeadlinePool, Outcome
from tradingagents.discovery.reports import ScannerReport, summarise
from tradingagents.discovery.schedule import longest_first
from tradingagents.scanners import abandoned
from tradingagents.scanners.base import BaseScanner
from tradingagents.scanners.candidate import validate_candidates
from tradingagents.scanners.coverage import Coverage
from tradingagents.scanners.errors import ScannerSkipped
from tradingagents.scanners.rendering import describe_error, safe_str, type_name
from tradingagents.scanners.tool_context import SourcesProvider, ToolContext
from tradingagents.sources.errors import SourceUnavailable

if TYPE_CHECKING:
    from tradingagents.sources.hub import Sources

logger = logging.getLogger(__name__)

#: ``(completed, total, report)``, called once per finished scanner in the supervising thread.
ProgressCallback = Callable[[int, int, dict[str, Any]], None]
#: Receives progress events as dicts (the graph passes LangGraph's custom stream writer):
#: ``scanner_started`` (from the scanner's thread, as it starts) and ``scanner_finished``
#: (from the supervising thread).
EventSink = Callable[[dict[str, Any]], None]

_Validated = tuple[list[dict[str, Any]], int, list[str]]

# Exceptions that mean "could not run here" (e.g. live mode without the source's key),
# reported as skipped rather than error.
SKIP_EXCEPTIONS: tuple[type[BaseException], ...] = (ScannerSkipped, SourceUnavailable)


class ScannerInitError(Exception):
    """A scanner's constructor raised."""


class ScannerFailed(Exception):
    """How a scanner run failed, described in the scanner's own thread.

    The supervisor never calls ``str()`` on a scanner's exception: a user's ``__str__`` may
    raise, block or return megabytes. Describing it (guarded and bounded) in the scanner's
    thread means a blocking ``__str__`` only hangs that thread, which then times out.
    """

    def __init__(self, description: str, *, skipped: bool) -> None:
        super().__init__(description)
        self.description = description
        self.skipped = skipped


def run_scanners(
    settings: Settings,
    state: Mapping[str, Any],
    *,
    sources: Sources | SourcesProvider | None = None,
    load_errors: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
    emit: EventSink | None = None,
    expected_seconds: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Run every enabled scanner; return the scanner node's state update.

    ``expected_seconds``: each scanner's expected duration by name (the run history's
    recent median). With ``scanner_execution.schedule`` ``"longest_first"`` (the default)
    the scanners are queued longest first; without it, in registration order. The update
    is the same either way.
    """
    classes = settings.enabled_scanners()
    execution = settings.execution
    order = None
    if expected_seconds and execution.schedule == "longest_first":
        order = longest_first([cls.name for cls in classes], expected_seconds)
    workers = execution.max_workers if execution.concurrent else 1
    timeout = float(execution.timeout_seconds)
    contexts = [
        ToolContext(cls.name, sources=sources, preview_chars=settings.preview_chars, owner=cls)
        for cls in classes
    ]
    load_failures = dict(load_errors or {})
    total = len(classes) + len(load_failures)
    reports: list[dict[str, Any] | None] = [None] * len(classes)
    logs: list[list[dict[str, Any]]] = [[] for _ in classes]
    candidates: list[list[dict[str, Any]]] = [[] for _ in classes]
    instances: list[BaseScanner | None] = [None] * len(classes)
    completed = 0
    wall_offset = time.time() - time.monotonic()

    def iso(monotonic: float | None) -> str | None:
        if monotonic is None:
            return None
        return datetime.fromtimestamp(wall_offset + monotonic, UTC).isoformat(
            timespec="milliseconds"
        )

    def job(index: int) -> Callable[[], _Validated]:
        cls, ctx = classes[index], contexts[index]

        def run() -> _Validated:
            # A scanner whose previous run is still running (hung or spinning since it was
            # abandoned) is not started again: abandoned threads stay bounded.
            refusal = abandoned.still_running(cls)
            if refusal is not None:
                raise ScannerFailed(refusal, skipped=False)
            if emit is not None:
                # From the scanner's own thread, as it starts: a queued scanner is not running.
                started = {"event": "scanner_started", "name": cls.name}
                _call_safely(emit, {**started, "started": iso(time.monotonic())})
            try:
                ctx.begin(time.monotonic() + timeout)
                scanner = _construct(cls, settings.raw)
                scanner.tools = ctx
                instances[index] = scanner
                raw = scanner.scan(copy.deepcopy(dict(state)))
                return validate_candidates(raw, scanner=cls.name, strategy=cls.strategy)
            except BaseException as exc:
                skipped = isinstance(exc, SKIP_EXCEPTIONS)
                raise ScannerFailed(_describe(exc), skipped=skipped) from None

        return run

    def publish(report: dict[str, Any]) -> None:
        nonlocal completed
        completed += 1
        _log_report(report, timeout)
        event = {
            "event": "scanner_finished",
            "completed": completed,
            "total": total,
            "report": report,
        }
        if on_progress is not None:
            _call_safely(on_progress, completed, total, report)
        if emit is not None:
            _call_safely(emit, event)

    def on_timeout(index: int) -> None:
        contexts[index].cancel(f"scanner timed out after {timeout:g} s")

    def on_done(outcome: Outcome[_Validated]) -> None:
        index, cls = outcome.index, classes[outcome.index]
        ctx = contexts[index]
        entries = ctx.cancel("scanner run ended")
        report = ScannerReport(
            name=cls.name,
            pipeline=cls.pipeline,
            status="ok",
            started=iso(outcome.started),
            finished=iso(outcome.finished),
            duration_seconds=round(outcome.duration, 6),
            tool_calls=len(entries),
        )
        if outcome.status == "ok" and outcome.value is not None:
            valid, invalid, reasons = outcome.value
            candidates[index] = valid
            report.candidates = len(valid)
            report.invalid_candidates = invalid
            report.invalid_examples = reasons
        elif outcome.status == "timeout":
            report.status = "timeout"
            report.error = f"timed out after {timeout:g} s"
            abandoned.abandon(pool.workers[index], cls, "after timeout")
        elif isinstance(outcome.error, ScannerFailed):
            report.status = "skipped" if outcome.error.skipped else "error"
            report.error = outcome.error.description
        else:  # not raised by a scanner (run() wraps those): never str() it here either
            report.status = "error"
            report.error = f"engine error: {type_name(outcome.error)}"
        _apply_coverage(report, instances[index])
        if report.status == "error":
            candidates[index] = []
        if report.status in ("error", "timeout"):
            entries.append(_failure_entry(report, iso(outcome.finished)))
        logs[index] = entries
        reports[index] = report.model_dump()
        publish(reports[index])  # type: ignore[arg-type]

    started = time.monotonic()
    cpu_started = time.process_time()
    for name, reason in load_failures.items():
        publish(
            ScannerReport(name=name, pipeline="unknown", status="error", error=reason).model_dump()
        )
    pool: DeadlinePool[_Validated] = DeadlinePool(
        max_workers=workers, timeout=timeout, name="scanner"
    )
    threads_before = set(threading.enumerate())
    abandoned.begin_run()
    try:
        pool.run(
            [job(i) for i in range(len(classes))],
            on_timeout=on_timeout,
            on_done=on_done,
            order=order,
        )
    finally:
        for index, thread in pool.workers.items():
            if reports[index] is None and thread.is_alive():  # the run was interrupted
                abandoned.abandon(thread, classes[index], "when its run was interrupted")
        # Whatever scanners started (their own executors, threads) must not block exit.
        abandoned.release_leftover_threads(threads_before)
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu_started

    plugin_reports = [
        ScannerReport(name=n, pipeline="unknown", status="error", error=r).model_dump()
        for n, r in load_failures.items()
    ]
    all_reports = plugin_reports + [r for r in reports if r is not None]
    merged = merge_candidates(candidates)
    summary = summarise(
        all_reports,
        concurrent=execution.concurrent,
        workers=workers,
        wall_seconds=wall,
        cpu_seconds=cpu,
        candidates=len(merged),
        abandoned_threads=len(abandoned.alive()),
    )
    logger.info(
        "scanners: %d in %.2f s wall (sum of scanner times %.2f s, %.2f at once on average; "
        "CPU %.2f s, %.2f per wall second): %s%s",
        summary["scanners"],
        summary["wall_seconds"],
        summary["scanner_seconds_sum"],
        summary["concurrency"],
        summary["cpu_seconds"],
        summary["cpu_per_wall"],
        ", ".join(f"{k} {v}" for k, v in summary["counts"].items() if v),
        f" ({summary['note']})" if summary["note"] else "",
    )
    return {
        "tickers": [entry["ticker"] for entry in merged],
        "candidate_metadata": merged,
        "tool_logs": [entry for scanner_logs in logs for entry in scanner_logs],
        "scanner_reports": all_reports,
        "scan_summary": summary,
        "status": "scanned",
    }


def _construct(cls: type[BaseScanner], config: dict[str, Any]) -> BaseScanner:
    try:
        # Each scanner gets its own copy of the config too: nothing it changes leaks.
        return cls(copy.deepcopy(config))
    except Exception as exc:
        raise ScannerInitError(f"{cls.__name__}() raised {describe_error(exc)}") from exc


def _describe(error: BaseException) -> str:
    """Bounded, scrubbed, guarded: call it in the thread that raised ``error``."""
    if isinstance(error, (*SKIP_EXCEPTIONS, ScannerInitError)):
        return safe_str(error)
    return describe_error(error)


def _apply_coverage(report: ScannerReport, scanner: BaseScanner | None) -> None:
    """Copy the scanner's coverage into its report; a scan in which no data call succeeded
    (all failed, or the budget ran out before any was asked) is an error, whatever it
    returned."""
    coverage = getattr(scanner, "coverage", None)
    if not isinstance(coverage, Coverage):
        return
    report.coverage = coverage.as_dict()
    if report.status == "ok" and coverage.all_failed:
        report.status = "error"
        report.candidates = 0
        report.error = f"no data call succeeded: {coverage.summary()}"


def _failure_entry(report: ScannerReport, when: str | None) -> dict[str, Any]:
    """The tool-log line that records a scanner's failure or timeout."""
    return {
        "timestamp": when,
        "type": f"scanner_{report.status}",
        "node": "scanner",
        "scanner": report.name,
        "tool": "",
        "parameters": {},
        "output_preview": "",
        "output_length": 0,
        "output_type": "",
        "duration_seconds": report.duration_seconds,
        "error": report.error,
    }


def _log_report(report: Mapping[str, Any], timeout: float) -> None:
    name, status = report["name"], report["status"]
    if status == "ok":
        logger.info(
            "✓ %s: %d candidates (%.2f s)", name, report["candidates"], report["duration_seconds"]
        )
    elif status == "timeout":
        logger.warning("⏱ %s: timeout after %g s", name, timeout)
    elif status == "skipped":
        logger.info("⏭ %s: skipped: %s", name, report["error"])
    else:
        logger.warning("⚠ %s: error: %s", name, report["error"])


def _call_safely(callback: Callable[..., object], *args: Any) -> None:
    """A user's progress callback must not be able to break the run it reports on."""
    try:
        callback(*args)
    except Exception:
        logger.exception("progress callback %r failed (the run goes on)", callback)
