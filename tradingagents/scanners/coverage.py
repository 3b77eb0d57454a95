"""How much of its data a scanner actually got.

A scanner that asks a source about 500 symbols and hears back about 498 found what it found
in 498: its report says so (``coverage``), so a thin result is never mistaken for a quiet
market. A scanner whose every call failed is an error, never ``ok, 0 candidates``: the
engine turns a coverage with nothing answered into status ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradingagents.sources.redaction import scrub

#: Reasons kept per coverage (the first distinct ones), and the length of each.
MAX_REASONS = 3
REASON_CHARS = 200


@dataclass(frozen=True)
class Coverage:
    """``total`` items (symbols, filings...) asked for: ``ok`` answered, ``failed`` failed,
    ``unchecked`` never asked (the time budget ran out first)."""

    unit: str
    total: int
    ok: int
    failed: int = 0
    unchecked: int = 0
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        counts = {"total": self.total, "ok": self.ok, "failed": self.failed}
        counts["unchecked"] = self.unchecked
        negative = [name for name, value in counts.items() if value < 0]
        if negative:
            raise ValueError(f"coverage counts must not be negative: {', '.join(negative)}")
        if self.ok + self.failed + self.unchecked != self.total:
            raise ValueError(
                f"coverage of {self.unit}: ok {self.ok} + failed {self.failed} + unchecked "
                f"{self.unchecked} must add up to total {self.total}"
            )

    @classmethod
    def of(
        cls,
        unit: str,
        *,
        ok: int,
        failures: Mapping[Any, BaseException | str] | None = None,
        unchecked: int = 0,
    ) -> Coverage:
        """A coverage from the items that answered and the failure of each one that did not;
        the reasons are the first :data:`MAX_REASONS` distinct failures, ``"KEY: why"``."""
        failures = failures or {}
        reasons: list[str] = []
        seen: set[str] = set()
        for key, error in failures.items():
            why = str(error)
            if why in seen:
                continue
            seen.add(why)
            reasons.append(scrub(f"{key}: {why}")[:REASON_CHARS])
            if len(reasons) == MAX_REASONS:
                break
        return cls(
            unit,
            total=ok + len(failures) + unchecked,
            ok=ok,
            failed=len(failures),
            unchecked=unchecked,
            reasons=tuple(reasons),
        )

    @property
    def all_failed(self) -> bool:
        """Something was asked for and nothing answered (every item failed or was never
        asked): the scanner had no data to work with."""
        return self.total > 0 and self.ok == 0

    @property
    def complete(self) -> bool:
        return self.failed == 0 and self.unchecked == 0

    def failure_text(self) -> str | None:
        """One line on what failed or went unchecked, ``None`` when nothing did."""
        parts = []
        if self.failed:
            first = f" (first: {self.reasons[0]})" if self.reasons else ""
            parts.append(f"{self.failed} of {self.total} {self.unit} failed{first}")
        if self.unchecked:
            parts.append(
                f"{self.unchecked} of {self.total} {self.unit} not asked before the time "
                "budget ran out"
            )
        return "; ".join(parts) or None

    def summary(self) -> str:
        """One human line, e.g. ``"498 of 500 symbols; 2 failed (first: XYZ: ...)"``."""
        line = f"{self.ok} of {self.total} {self.unit}"
        if self.failed:
            first = f" (first: {self.reasons[0]})" if self.reasons else ""
            line += f"; {self.failed} failed{first}"
        if self.unchecked:
            line += f"; {self.unchecked} not asked (time budget ran out)"
        return line

    def as_dict(self) -> dict[str, Any]:
        """The plain dict a scanner report carries (``ScannerReport.coverage``)."""
        return {
            "unit": self.unit,
            "total": self.total,
            "ok": self.ok,
            "failed": self.failed,
            "unchecked": self.unchecked,
            "reasons": list(self.reasons),
            "summary": self.summary(),
        }
