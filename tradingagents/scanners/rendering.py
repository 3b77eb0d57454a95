"""Turn arbitrary objects from scanners into bounded, plain, secret-free text and data.

Scanners are user code: their exceptions can have an ``__str__`` that raises or blocks or
returns 50 MB, their tool parameters can be locks, their outputs can refuse ``repr``. Logs,
reports and graph state (which a LangGraph checkpointer must serialise) only ever receive
what these functions return: strings of bounded length and JSON-like plain data. Nothing here
raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from tradingagents.sources.redaction import scrub

#: Longest error text a report, a tool-log entry or a log line carries.
MAX_ERROR_CHARS = 2_000
#: Longest text one non-plain value in tool parameters is rendered to.
MAX_VALUE_CHARS = 200
#: Nesting deeper than this is rendered as text (it also stops reference cycles).
MAX_DEPTH = 12


def type_name(value: object) -> str:
    try:
        return str(type(value).__qualname__)
    except BaseException:  # a hostile metaclass: still say something
        return "object"


def safe_str(value: object, limit: int = MAX_ERROR_CHARS) -> str:
    """``str(value)`` scrubbed of secrets and cut to ``limit`` characters; a description of
    the failure when ``str`` raises. (A ``str`` that blocks blocks the caller: call this in
    the thread that owns ``value``, never in a supervisor.)"""
    try:
        text = str(value)
    except BaseException as exc:  # the value is broken; its description must not be
        return f"<str() of {type_name(value)} raised {type_name(exc)}>"
    if not isinstance(text, str):  # str() of a str subclass with an odd __str__
        return f"<unprintable {type_name(value)}>"
    # Scrub a window wider than the limit, so a secret cut by the limit is already masked.
    return bounded(scrub(text[: 2 * limit]), limit, total=len(text))


def safe_repr(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    try:
        text = repr(value)
    except BaseException as exc:
        return f"<repr() of {type_name(value)} raised {type_name(exc)}>"
    if not isinstance(text, str):
        return f"<unprintable {type_name(value)}>"
    return bounded(scrub(text[: 2 * limit]), limit, total=len(text))


def bounded(text: str, limit: int, *, total: int | None = None) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was when cut."""
    total = len(text) if total is None else total
    if total <= limit:
        return text
    return f"{text[:limit]}... [{total:,} characters, cut to {limit:,}]"


def describe_error(error: BaseException, limit: int = MAX_ERROR_CHARS) -> str:
    """``"TypeName: message"`` (just the name when the message is empty), bounded and scrubbed."""
    name = type_name(error)[:limit]
    text = safe_str(error, max(limit - len(name) - 2, 0))
    return f"{name}: {text}" if text else name


def plain_data(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-like data (None, bool, int, float, str, lists, str-keyed dicts).

    Dates become ISO strings, numpy scalars Python numbers, enums their value; anything else
    becomes a bounded ``repr``. Used at every boundary into graph state.
    """
    try:
        return _plain(value, depth)
    except BaseException as exc:
        return f"<{type_name(value)}: rendering raised {type_name(exc)}>"


def _plain(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if depth >= MAX_DEPTH:
        return safe_repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain_data(value.value, depth + 1)
    if is_numpy_scalar(value):
        return value.item()
    if isinstance(value, Mapping):
        return {
            key if isinstance(key, str) else safe_str(key, MAX_VALUE_CHARS): plain_data(
                item, depth + 1
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [plain_data(item, depth + 1) for item in value]
    return safe_repr(value)


def is_numpy_scalar(value: object) -> bool:
    """A numpy scalar (``numpy.int64``, ``numpy.float32``...), found without importing numpy."""
    kind = type(value)
    return kind.__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0


def render_output(output: Any) -> tuple[str, int, str]:
    """(text for the preview, full output length, output type) for a tool's return value.

    Tables are described, not serialised: rendering a 500-ticker frame to text on every call
    would cost more than the call. An output that cannot be rendered is described instead.
    """
    kind = type_name(output)
    try:
        shape = getattr(output, "shape", None)
        if shape is not None and hasattr(output, "head"):
            return f"{kind}{tuple(shape)}\n{output.head(5)!r}", int(shape[0]), kind
        if isinstance(output, str):
            return output, len(output), kind
        try:
            text = json.dumps(output, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(output)
        return text, len(text), kind
    except BaseException as exc:
        return f"<{kind} output could not be rendered: {describe_error(exc)}>", 0, kind
