"""What a scanner returns: candidate tickers, validated one by one.

A scanner's output is checked here, in the scanner's own thread, so one scanner's bad
output never costs the others anything: invalid entries are dropped and counted, each
with a reason the report keeps.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tradingagents.scanners.rendering import (
    MAX_DEPTH,
    bounded,
    is_numpy_scalar,
    safe_repr,
    safe_str,
    type_name,
)

Priority = Literal["critical", "high", "medium", "low"]

# Higher wins when two scanners disagree about a ticker.
PRIORITY_RANK: dict[str, int] = {"critical": 3, "high": 2, "medium": 1, "low": 0}

# NVDA, BRK.B, BF-B, RDS.A; at most 6 letters/digits before an optional class suffix.
TICKER_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,5}([.\-][A-Z0-9]{1,3})?$")

# How many invalid entries a report quotes; the count is always exact.
MAX_INVALID_EXAMPLES = 5
# Longest reason quoted for one invalid entry.
MAX_REASON_CHARS = 300


def normalise_ticker(text: str) -> str:
    """``text`` as a ticker symbol (``" $nvda "`` -> ``"NVDA"``), or :class:`ValueError`.

    Only ASCII is accepted, checked before upper-casing: Unicode upper-casing would turn
    ``"ıbm"`` into ``"IBM"``, ``"ß"`` into ``"SS"`` and ``"ﬀ"`` into ``"FF"``.
    """
    value = text.strip().lstrip("$")
    if not value.isascii():
        raise ValueError(
            f"{safe_repr(value, 40)} is not a ticker symbol (only ASCII letters, digits, "
            "'.' and '-')"
        )
    value = value.upper()
    if not TICKER_PATTERN.match(value):
        raise ValueError(f"{safe_repr(value, 40)} is not a ticker symbol")
    return value


class Candidate(BaseModel):
    """One ticker proposed by one scanner; extra keys (the numbers behind it) are kept."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    ticker: str
    scanner: str = ""  # the scanner that found it (set by the engine)
    context: str = ""
    priority: Priority = "medium"
    strategy: str = ""

    @field_validator("ticker", mode="before")
    @classmethod
    def _normalise_ticker(cls, value: Any) -> Any:
        return normalise_ticker(value) if isinstance(value, str) else value

    @field_validator("priority", mode="before")
    @classmethod
    def _normalise_priority(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


def validate_candidates(
    raw: Any, *, scanner: str, strategy: str
) -> tuple[list[dict[str, Any]], int, list[str]]:
    """Split a scanner's return value into (valid candidates as JSON data, invalid count, reasons).

    Raises :class:`TypeError` when ``raw`` is not a list at all: that is a broken scanner,
    not a bad candidate.
    """
    if not isinstance(raw, list):
        raise TypeError(f"scan() returned {type(raw).__name__}, expected list[dict]")
    valid: list[dict[str, Any]] = []
    reasons: list[str] = []
    invalid = 0
    for position, item in enumerate(raw):
        try:
            if not isinstance(item, dict):
                raise TypeError(f"expected a dict, got {type(item).__name__}")
            candidate = Candidate.model_validate(_numbers_as_python(item))
            candidate.scanner = scanner
            candidate.strategy = candidate.strategy or strategy
            # mode="json" proves the candidate is plain data a checkpointer can store.
            valid.append(candidate.model_dump(mode="json"))
        except (ValidationError, TypeError, ValueError) as exc:
            invalid += 1
            if len(reasons) < MAX_INVALID_EXAMPLES:
                reasons.append(f"#{position}: {_one_line(exc)}")
    return valid, invalid, reasons


def _numbers_as_python(value: Any, depth: int = 0) -> Any:
    """``value`` with numpy scalars (``numpy.int64`` from a DataFrame) as Python numbers."""
    if is_numpy_scalar(value):
        return value.item()
    if depth > MAX_DEPTH:  # deeper (or cyclic) data is left to the validator to reject
        return value
    if isinstance(value, dict):
        return {key: _numbers_as_python(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_numbers_as_python(item, depth + 1) for item in value]
    return value


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "candidate"
        text = f"{where}: {first['msg']}"
    else:
        text = (safe_str(exc, MAX_REASON_CHARS).splitlines() or [type_name(exc)])[0]
    return bounded(text, MAX_REASON_CHARS)
