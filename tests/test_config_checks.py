"""One ConfigError names every problem, with hints for near misses; contradictions are errors."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tradingagents.config import ConfigError, load_config
from tradingagents.discovery import BaseScanner, ScannerParam
from tradingagents.graph.discovery_graph import DiscoveryGraph


class Thresholds(BaseScanner):
    name = "thresholds"
    pipeline = "technical"
    params: ClassVar[dict[str, ScannerParam]] = {
        "lookback": ScannerParam(int, 20, "Sessions in the volume average", ge=2, le=260),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        return []


def _problems(config: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_config(config, [Thresholds], unloadable=_builtin_names())
    return dict(caught.value.problems)


def test_an_unknown_top_level_key_is_an_error_with_a_hint() -> None:
    problems = _problems({"dicsovery": {}})
    assert problems["dicsovery"] == "unknown key (did you mean 'discovery'?)"


def test_every_problem_of_a_four_problem_file_is_named() -> None:
    config = {
        "discovery": {
            "scanner_execution": {"max_workers": 0},
            "scanners": {"thresholds": {"lookback": 1}, "ghost": {}},
        },
        "data": {"mode": "lve"},
    }
    with pytest.raises(ConfigError) as caught:
        load_config(config, [Thresholds], unloadable=_builtin_names())
    assert sorted(path for path, _ in caught.value.problems) == [
        "data.mode",
        "discovery.scanner_execution.max_workers",
        "discovery.scanners.ghost",
        "discovery.scanners.thresholds.lookback",
    ]
    assert str(caught.value).startswith("invalid configuration (4 problems):")


def _builtin_names() -> list[str]:
    from tradingagents.default_config import DEFAULT_CONFIG

    return list(DEFAULT_CONFIG["discovery"]["scanners"])


@pytest.mark.parametrize(
    ("config", "path", "hint"),
    [
        ({"discovery": {"scanner_executon": {}}}, "discovery.scanner_executon",
         "scanner_execution"),
        (
            {"discovery": {"scanner_execution": {"max_worker": 2}}},
            "discovery.scanner_execution.max_worker",
            "max_workers",
        ),
        ({"discovery": {"scanners": {"thresholds": {"lookbak": 9}}}},
         "discovery.scanners.thresholds.lookbak", "lookback"),
        ({"discovery": {"scanners": {"treshholds": {}}}}, "discovery.scanners.treshholds",
         "thresholds"),
        ({"discovery": {"pipelines": {"momentun": {}}}}, "discovery.pipelines.momentun",
         "momentum"),
        ({"data": {"sources": {"finnhub": {"apikey": "k"}}}}, "data.sources.finnhub.apikey",
         "api_key"),
        ({"data": {"resilience": {"max_atempts": 3}}}, "data.resilience.max_atempts",
         "max_attempts"),
    ],
)
def test_near_misses_get_a_did_you_mean_hint(config: dict[str, Any], path: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config, [Thresholds], unloadable=_builtin_names())
    problems = dict(caught.value.problems)
    assert f"did you mean {hint!r}?" in problems[path]


def test_a_far_miss_gets_no_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"discovery": {"zzz": 1}}, [Thresholds], unloadable=_builtin_names())
    assert dict(caught.value.problems)["discovery.zzz"] == "unknown key"


def test_local_price_files_in_sandbox_mode_are_an_error() -> None:
    config = {"data": {"mode": "sandbox", "sources": {"prices": {"local_dir": "/tmp/bars"}}}}
    with pytest.raises(ConfigError) as caught:
        DiscoveryGraph(config, scanners=[Thresholds])
    reason = dict(caught.value.problems)["data.sources.prices.local_dir"]
    assert "sandbox" in reason and "live" in reason
    for mode in ("live", "auto"):
        config["data"]["mode"] = mode
        DiscoveryGraph(config, scanners=[Thresholds])  # local files are used there
