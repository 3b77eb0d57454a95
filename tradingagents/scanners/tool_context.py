"""The only door from a scanner to data: every call is logged, bounded and cancellable.

The engine gives each scanner run its own :class:`ToolContext`. ``ctx.call(tool, fn,
**params)`` runs ``fn`` under the scanner's deadline (visible to HTTP code through
:mod:`tradingagents.sources.budget`), records one log entry per call, and refuses to run
anything once the engine has cancelled the scanner (timeout or Ctrl-C), so an abandoned
scanner stops at its next call.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from tradingagents.scanners.errors import ScannerCancelled, ScannerSkipped
from tradingagents.scanners.rendering import (
    describe_error,
    plain_data,
    render_output,
    safe_str,
)
from tradingagents.sources import budget
from tradingagents.sources.redaction import redact, scrub

if TYPE_CHECKING:
    from tradingagents.sources.hub import Sources

T = TypeVar("T")

#: Opens the run's data sources on first use, so runs whose scanners never touch data
#: never start a sandbox or open a session.
SourcesProvider = Callable[[], "Sources"]

DEFAULT_PREVIEW_CHARS = 500


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ToolContext:
    """Per-scanner-run tool gateway. Thread-safe: the engine cancels and snapshots it from
    the supervising thread while the scanner's thread is calling through it."""

    def __init__(
        self,
        scanner: str,
        *,
        sources: Sources | SourcesProvider | None = None,
        preview_chars: int = DEFAULT_PREVIEW_CHARS,
        node: str = "scanner",
        owner: object = None,
    ) -> None:
        self.scanner = scanner
        #: What threads working for this run are filed under when abandoned (the engine
        #: passes the scanner class); the scanner's name by default.
        self.owner: object = scanner if owner is None else owner
        self.node = node
        self._sources = sources
        self._preview_chars = preview_chars
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._records: dict[int, dict[str, Any]] = {}
        self._in_flight: dict[int, tuple[dict[str, Any], float]] = {}
        self._deadline: float | None = None
        self._cancel_reason: str | None = None
        self._closed_snapshot: list[dict[str, Any]] | None = None

    # -- engine side -------------------------------------------------------------------------

    def begin(self, deadline: float | None) -> None:
        """Called by the engine as the scanner starts: its absolute monotonic deadline."""
        self._deadline = deadline

    def cancel(self, reason: str) -> list[dict[str, Any]]:
        """Refuse every further call and freeze the log; returns the frozen entries.

        Calls still running are logged as abandoned, so nothing disappears even though their
        thread may finish (and be ignored) later.
        """
        with self._lock:
            if self._closed_snapshot is not None:
                return list(self._closed_snapshot)
            self._cancel_reason = reason
            now = time.monotonic()
            for seq, (entry, started) in self._in_flight.items():
                self._records[seq] = {
                    **entry,
                    "duration_seconds": round(now - started, 6),
                    "error": f"abandoned: {reason}",
                }
            self._closed_snapshot = [self._records[k] for k in sorted(self._records)]
            return list(self._closed_snapshot)

    def records(self) -> list[dict[str, Any]]:
        """The log entries so far, in call order (the frozen ones after :meth:`cancel`)."""
        with self._lock:
            if self._closed_snapshot is not None:
                return list(self._closed_snapshot)
            return [self._records[k] for k in sorted(self._records)]

    @property
    def cancelled(self) -> bool:
        return self._cancel_reason is not None

    # -- scanner side ------------------------------------------------------------------------

    @property
    def sources(self) -> Sources | None:
        """The run's data sources (opened on first use), ``None`` when the run has none."""
        if callable(self._sources):
            return self._sources()
        return self._sources

    def require_sources(self) -> Sources:
        """The run's data sources; the scanner is reported ``skipped`` when there are none."""
        sources = self.sources
        if sources is None:
            raise ScannerSkipped("this run has no data sources (DiscoveryGraph was given none)")
        return sources

    def remaining(self) -> float | None:
        """Seconds left before this scanner's timeout (``None``: no timeout)."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - time.monotonic())

    def check(self) -> None:
        """Raise :class:`ScannerCancelled` if the run has ended; long loops may call it."""
        if self._cancel_reason is not None:
            raise ScannerCancelled(self._cancel_reason)
        if self._deadline is not None and time.monotonic() >= self._deadline:
            raise ScannerCancelled("timed out")

    def call(self, tool: str, fn: Callable[..., T], /, **params: Any) -> T:
        """Run ``fn(**params)`` as the logged tool ``tool`` and return its result."""
        entry: dict[str, Any] = {
            "timestamp": utc_now_iso(),
            "type": "tool",
            "node": self.node,
            "scanner": self.scanner,
            "tool": tool,
            # Plain data, so the entry can go into checkpointed graph state whatever was passed.
            "parameters": redact(plain_data(params)),
            "output_preview": "",
            "output_length": 0,
            "output_type": "",
            "duration_seconds": 0.0,
            "error": None,
        }
        with self._lock:
            self.check()
            seq = next(self._seq)
            started = time.monotonic()
            self._in_flight[seq] = (entry, started)
        try:
            with budget.deadline(self._deadline):
                result = fn(**params)
        except BaseException as exc:
            self._finish(seq, entry, started, None, describe_error(exc))
            raise
        self._finish(seq, entry, started, result, None)
        return result

    def _finish(
        self, seq: int, entry: dict[str, Any], started: float, output: Any, error: str | None
    ) -> None:
        duration = time.monotonic() - started
        preview, length, kind = "", 0, ""
        if error is None:
            text, length, kind = render_output(output)
            # Scrub a window wider than the preview, so a key cut by the preview's end is
            # already masked (a cut key no longer matches the known secret).
            preview = scrub(text[: 2 * self._preview_chars])[: self._preview_chars]
            error = _partial_failure(output)
        with self._lock:
            self._in_flight.pop(seq, None)
            if self._closed_snapshot is not None:
                return  # already logged as abandoned when the run was cancelled
            self._records[seq] = {
                **entry,
                "output_preview": preview,
                "output_length": length,
                "output_type": kind,
                "duration_seconds": round(duration, 6),
                "error": error,
            }


def _partial_failure(output: Any) -> str | None:
    """``"partial failure: ..."`` when the output says it swallowed per-item failures."""
    try:
        summary = getattr(type(output), "failure_summary", None)
        if not callable(summary):
            return None
        text = summary(output)
    except BaseException as exc:
        return f"partial failure: failure_summary() raised {describe_error(exc)}"
    return None if text is None else "partial failure: " + safe_str(text)
