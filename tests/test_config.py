"""Config validation: every bad value is rejected up front, by its key path; nothing runs."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest

from tests.scanner_kit import make_scanner
from tradingagents.config import ConfigError, load_config
from tradingagents.default_config import DEFAULT_CONFIG, default_config
from tradingagents.discovery import BaseScanner, ScannerParam
from tradingagents.graph.discovery_graph import DiscoveryGraph

RAN: list[str] = []


def _record(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
    RAN.append(scanner.name)
    return []


RECORDER = make_scanner("recorder", action=_record)


class Thresholds(BaseScanner):
    name = "thresholds"
    pipeline = "technical"
    params: ClassVar[dict[str, ScannerParam]] = {
        "min_price": ScannerParam(float, 5.0, "Ignore stocks below this price", ge=0),
        "lookback": ScannerParam(int, 20, "Sessions in the volume average", ge=2, le=260),
        "include_losers": ScannerParam(bool, False, "Also report top losers"),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"ticker": "AAPL", "context": f"{self.param('min_price')} {self.param('lookback')}"}
        ]


def test_default_config_has_the_documented_execution_block() -> None:
    assert DEFAULT_CONFIG["discovery"]["scanner_execution"] == {
        "concurrent": True,
        "max_workers": 8,
        "timeout_seconds": 30,
        "schedule": "longest_first",
    }


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("max_workers", 0, "greater than or equal to 1"),
        ("max_workers", "8", "valid integer"),
        ("timeout_seconds", -1, "greater than 0"),
        ("timeout_seconds", float("nan"), "finite number"),
        ("concurrent", "yes", "valid boolean"),
        ("concurrent", 1, "valid boolean"),
        ("workers", 4, "unknown key"),
    ],
)
def test_bad_execution_values_are_rejected_by_key_path(key: str, value: Any, reason: str) -> None:
    cfg = default_config()
    cfg["discovery"]["scanner_execution"][key] = value
    RAN.clear()
    with pytest.raises(ConfigError) as caught:
        DiscoveryGraph(cfg, scanners=[RECORDER])
    message = str(caught.value)
    assert f"discovery.scanner_execution.{key}" in message
    assert reason in message
    assert RAN == []  # nothing started on a bad config


def test_unregistered_scanner_name_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        DiscoveryGraph(
            {"discovery": {"scanners": {"recorderr": {"enabled": True}}}}, scanners=[RECORDER]
        )
    assert "discovery.scanners.recorderr: no scanner named 'recorderr' is registered" in str(
        caught.value
    )
    assert "recorder" in str(caught.value).split("registered: ")[1]


def test_unknown_pipeline_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"discovery\.pipelines\.momentun: unknown pipeline"):
        DiscoveryGraph(
            {"discovery": {"pipelines": {"momentun": {"enabled": False}}}}, scanners=[RECORDER]
        )


def test_declared_scanner_params_are_validated() -> None:
    cfg = {
        "discovery": {
            "scanners": {"thresholds": {"min_price": -1, "lookbak": 10, "include_losers": "no"}}
        }
    }
    with pytest.raises(ConfigError) as caught:
        DiscoveryGraph(cfg, scanners=[Thresholds])
    problems = dict(caught.value.problems)
    assert "greater than or equal to 0" in problems["discovery.scanners.thresholds.min_price"]
    assert problems["discovery.scanners.thresholds.lookbak"].startswith("unknown key")
    assert "valid boolean" in problems["discovery.scanners.thresholds.include_losers"]


def test_all_problems_are_reported_in_one_error() -> None:
    cfg = {"discovery": {"scanners": {"ghost": {}, "thresholds": {"lookback": 1}}}}
    with pytest.raises(ConfigError) as caught:
        DiscoveryGraph(cfg, scanners=[Thresholds])
    paths = [path for path, _ in caught.value.problems]
    assert paths == ["discovery.scanners.ghost", "discovery.scanners.thresholds.lookback"]


def test_declared_defaults_reach_the_scanner_and_overrides_win() -> None:
    graph = DiscoveryGraph(
        {"discovery": {"scanners": {"thresholds": {"lookback": 50}}}}, scanners=[Thresholds]
    )
    assert graph.config["discovery"]["scanners"]["thresholds"] == {
        "enabled": True,
        "limit": 10,
        "min_price": 5.0,
        "lookback": 50,
        "include_losers": False,
    }
    update = graph.scanner_node({"trade_date": "2026-11-24"})
    assert update["candidate_metadata"][0]["context"] == "5.0 50"


def test_scanner_without_declarations_keeps_free_form_keys() -> None:
    class Legacy(BaseScanner):
        name = "legacy"
        pipeline = "edge"

        def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
            assert self.is_enabled()
            return [
                {
                    "ticker": "IBM",
                    "context": str(self.scanner_config["watchlist"]),
                    "priority": "low",
                }
            ][: self.limit]

    cfg = {"discovery": {"scanners": {"legacy": {"limit": 1, "watchlist": ["IBM"]}}}}
    update = DiscoveryGraph(cfg, scanners=[Legacy]).scanner_node({"trade_date": "2026-11-24"})
    assert update["candidate_metadata"][0]["context"] == "['IBM']"


def test_partial_config_is_completed_and_the_defaults_are_never_mutated() -> None:
    before = copy.deepcopy(DEFAULT_CONFIG)
    graph = DiscoveryGraph(
        {"discovery": {"scanner_execution": {"concurrent": False}}}, scanners=[RECORDER]
    )
    assert graph.settings.execution.concurrent is False
    assert graph.settings.execution.max_workers == 8
    graph.config["discovery"]["scanner_execution"]["max_workers"] = 99
    assert before == DEFAULT_CONFIG


def test_plain_dict_toggle_as_users_write_it() -> None:
    cfg = default_config()
    cfg["discovery"]["scanner_execution"]["concurrent"] = False
    update = DiscoveryGraph(cfg, scanners=[RECORDER]).scanner_node({"trade_date": "2026-11-24"})
    assert update["scan_summary"]["mode"] == "sequential"


def test_non_dict_config_is_rejected() -> None:
    with pytest.raises(ConfigError, match="expected a dict, got list"):
        load_config([], [])  # type: ignore[arg-type]


def test_bad_trade_date_names_the_problem() -> None:
    graph = DiscoveryGraph(None, scanners=[RECORDER])
    with pytest.raises(
        ValueError, match=r"trade_date must be a date or 'YYYY-MM-DD', got '24/11/2026'"
    ):
        graph.run("24/11/2026")


def test_default_config_lists_every_builtin_scanner_and_its_limit_comes_from_the_class() -> None:
    import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
    from tradingagents.discovery import SCANNER_REGISTRY

    builtin = {
        cls.name: cls
        for cls in SCANNER_REGISTRY.classes()
        if cls.__module__.startswith("tradingagents.scanners.builtin.")
    }
    entries = DEFAULT_CONFIG["discovery"]["scanners"]
    assert set(entries) == set(builtin)
    for name, cls in builtin.items():
        assert entries[name] == {"enabled": True}, name  # the limit is stated in the class
        assert cls.pipeline in DEFAULT_CONFIG["discovery"]["pipelines"], name
    settings = load_config(DEFAULT_CONFIG, list(builtin.values()))  # the defaults validate
    for name, cls in builtin.items():
        assert settings.raw["discovery"]["scanners"][name]["limit"] == cls.default_limit, name


def test_problems_in_discovery_and_data_come_in_one_error() -> None:
    import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
    from tradingagents.discovery import SCANNER_REGISTRY

    cfg = {"discovery": {"scanner_execution": {"max_workers": 0}}, "data": {"mode": "lve"}}
    with pytest.raises(ConfigError) as caught:
        load_config(cfg, SCANNER_REGISTRY.classes())
    assert [path for path, _ in caught.value.problems] == [
        "discovery.scanner_execution.max_workers",
        "data.mode",
    ]
