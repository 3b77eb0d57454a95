"""``self.param(key, kind)``: a scanner's declared parameters, typed and checked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tradingagents.discovery import BaseScanner, ScannerParam
from tradingagents.scanners.builtin import _technical

BUILTIN = Path(_technical.__file__).parent


class Typed(BaseScanner):
    name = "typed"
    pipeline = "momentum"
    params: ClassVar[dict[str, ScannerParam]] = {
        "days": ScannerParam(int, 20, "days"),
        "ratio": ScannerParam(float, 2.0, "ratio"),
        "words": ScannerParam(tuple, ("A",), "words"),
        "on": ScannerParam(bool, True, "on"),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        return []


def scanner(**entry: Any) -> Typed:
    return Typed({"discovery": {"scanners": {"typed": entry}}})


def test_typed_param_returns_the_declared_type() -> None:
    s = scanner(days=5, ratio=3, words=["X", "Y"])
    days, ratio, words = s.param("days", int), s.param("ratio", float), s.param("words", tuple)
    assert (days, type(days)) == (5, int)
    assert (ratio, type(ratio)) == (3.0, float)  # an int config value for a float param
    assert words == ("X", "Y")
    assert s.param("on", bool) is True
    assert scanner().param("days", int) == 20  # the default when not configured


@pytest.mark.parametrize(
    ("entry", "key", "kind", "message"),
    [
        ({"days": 2.5}, "days", int, "parameter 'days' should be int, got float 2.5"),
        ({"days": True}, "days", int, "parameter 'days' should be int, got bool True"),
        ({"ratio": "2"}, "ratio", float, "parameter 'ratio' should be float, got str '2'"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_clear_error(
    entry: dict[str, Any], key: str, kind: type, message: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        scanner(**entry).param(key, kind)


def test_undeclared_parameter_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="declares no parameter 'nope'"):
        scanner().param("nope", int)


def test_builtin_scanners_read_params_typed_without_casts() -> None:
    casts = re.compile(r"\b(int|float)\((self|scanner)\.param\(")
    untyped = re.compile(r"\.param\((['\"])\w+\1\)")
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(BUILTIN.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if casts.search(line) or untyped.search(line)
    ]
    assert offenders == []
