"""Config problems as (dotted key path, reason) pairs, and the one error that lists them.

Reasons never echo a long string the user typed (a key pasted into the wrong field would be
printed back): inputs are described (``a 40-character string``) unless they are short, and
every known key is scrubbed from the text. The message stays bounded however many problems
a config has; :attr:`ConfigError.problems` keeps them all.
"""

from __future__ import annotations

import difflib
import math
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from tradingagents.sources.redaction import MASK, scrub

Problem = tuple[str, str]

#: Problems printed in the message; the rest are counted.
MAX_SHOWN: Final = 20
MAX_REASON_CHARS: Final = 300
#: Longer strings are described by their length, never shown.
MAX_SHOWN_STRING: Final = 8
_MIN_SECRET_CHARS: Final = 4
_QUOTED_INPUT: Final = re.compile(
    r"""got (?P<literal>'(?:[^'\\\x00]|\\.)*'|"(?:[^"\\\x00]|\\.)*")"""
)
_SEPARATOR: Final = "\x00"


class ConfigError(ValueError):
    """Invalid configuration; ``problems`` lists every (dotted key path, reason)."""

    def __init__(self, problems: Sequence[Problem], *, secrets: Iterable[str] = ()) -> None:
        hidden = sorted(
            {s for s in secrets if len(s) >= _MIN_SECRET_CHARS}, key=len, reverse=True
        )
        self.problems = _cleaned(problems, hidden)
        count = len(self.problems)
        lines = [f"  {path}: {reason}" for path, reason in self.problems[:MAX_SHOWN]]
        if count > MAX_SHOWN:
            lines.append(f"  ... and {count - MAX_SHOWN:,} more")
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid configuration ({count:,} {noun}):\n" + "\n".join(lines))


def _cleaned(problems: Sequence[Problem], secrets: Sequence[str]) -> list[Problem]:
    """``problems`` with secrets masked and long quoted inputs described, each bounded."""
    # One pass over all the text at once: 300,000 problems cleaned one by one take seconds.
    if not problems:
        return []
    text = _SEPARATOR.join(
        part.replace(_SEPARATOR, "\\x00") for problem in problems for part in problem
    )
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    parts = [
        part if len(part) <= MAX_REASON_CHARS else part[: MAX_REASON_CHARS - 1] + "…"
        for part in _QUOTED_INPUT.sub(_describe_quoted, scrub(text)).split(_SEPARATOR)
    ]
    return list(zip(parts[::2], parts[1::2], strict=True))


def _describe_quoted(match: re.Match[str]) -> str:
    content = match["literal"][1:-1]
    if len(content) <= MAX_SHOWN_STRING:
        return match[0]
    return f"got a {len(content)}-character string"


def describe_input(value: Any) -> str:
    """What the user gave, safe to print: short scalars as written, anything else described."""
    if isinstance(value, str):
        if len(value) <= MAX_SHOWN_STRING:
            return repr(value)
        return f"a {len(value)}-character string"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        # Not str(value): Python refuses to print ints of more than 4300 digits.
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return f"a dict of {len(value)} key(s)"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item(s)"
    return f"a {type(value).__name__}"


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss among ``known``, else ``""``."""
    candidates = [str(k) for k in known]
    if not candidates:
        return ""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown(name: str, known: Iterable[str]) -> str:
    return "unknown key" + did_you_mean(name, known)


def problems_of(exc: ValidationError, prefix: str, model: type[BaseModel]) -> list[Problem]:
    """``exc``'s errors as problems located under ``prefix``; unknown keys get a hint."""
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        path = ".".join([prefix, *(str(part) for part in loc)])
        if error["type"] == "extra_forbidden":
            # Hints for the shown problems only: difflib over 300,000 typos is slow.
            known = _fields_at(model, loc[:-1]) if len(problems) < MAX_SHOWN else ()
            reason = unknown(str(loc[-1]), known)
        elif error["type"] == "missing":
            reason = error["msg"]
        else:
            reason = f"{error['msg']} (got {describe_input(error.get('input'))})"
        problems.append((path, reason))
    return problems


def _fields_at(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model`` (``[]`` if none)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation
