"""Scanner registration: the class attribute style users have, decorators, entry points."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner, ScannerRegistry
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.scanners.registry import ScannerRegistrationError


class MyScanner(BaseScanner):
    name = "my_scanner"
    pipeline = "momentum"
    strategy = "momentum"

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"ticker": "NVDA", "context": "why", "priority": "high"}]


def only(*names: str, **entries: dict[str, Any]) -> dict[str, Any]:
    """A config that disables every registered scanner except ``names`` (the built-in ones
    are registered too once any test imported them)."""
    scanners: dict[str, dict[str, Any]] = {
        n: {"enabled": False} for n in SCANNER_REGISTRY.names() if n not in names
    }
    scanners.update(entries)
    return {"discovery": {"scanners": scanners}}


def test_users_existing_scanner_style_registers_and_runs() -> None:
    SCANNER_REGISTRY.register(MyScanner)
    try:
        assert "my_scanner" in SCANNER_REGISTRY
        graph = DiscoveryGraph(only("my_scanner", my_scanner={"limit": 3}))
        update = graph.scanner_node({"trade_date": "2026-11-24"})
        report = next(r for r in update["scanner_reports"] if r["name"] == "my_scanner")
        assert report["status"] == "ok"
        nvda = next(c for c in update["candidate_metadata"] if c["ticker"] == "NVDA")
        assert "my_scanner" in nvda["scanners"]
    finally:
        SCANNER_REGISTRY.unregister("my_scanner")


def test_decorator_registration_and_order() -> None:
    registry = ScannerRegistry(entry_point_group=None)

    @registry.register
    class Second(MyScanner):
        name = "second"

    registry.register(MyScanner)
    registry.register(MyScanner)  # the same class again is a no-op
    assert registry.names() == ["second", "my_scanner"]


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"name": ""}, "name must be a lowercase identifier"),
        ({"name": "Bad Name"}, "name must be a lowercase identifier"),
        ({"pipeline": None}, "pipeline must be a lowercase identifier"),
        ({"scan": BaseScanner.scan}, "does not implement scan"),
    ],
)
def test_invalid_scanner_classes_are_refused(attrs: dict[str, Any], message: str) -> None:
    broken = type("Broken", (MyScanner,), attrs)
    with pytest.raises(ScannerRegistrationError, match=message):
        ScannerRegistry(entry_point_group=None).register(broken)


def test_name_clash_is_refused() -> None:
    registry = ScannerRegistry(entry_point_group=None)
    registry.register(MyScanner)
    with pytest.raises(ScannerRegistrationError, match="'my_scanner' is taken by"):
        registry.register(type("Impostor", (MyScanner,), {}))


def _install_plugin(site: Path, dist: str, entry_points: str, module: str, source: str) -> None:
    """A real installed distribution (dist-info with entry_points.txt) on sys.path."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[tradingagents.scanners]\n{entry_points}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(source))


def test_entry_point_plugins_load_and_broken_ones_are_reported(tmp_path: Path) -> None:
    _install_plugin(
        tmp_path,
        "ta_plugin_good",
        "plugin_scanner = ta_plugin_good_mod:PluginScanner",
        "ta_plugin_good_mod",
        """
        from tradingagents.discovery import BaseScanner
        class PluginScanner(BaseScanner):
            name = "plugin_scanner"; pipeline = "edge"
            def scan(self, state):
                return [{"ticker": "PLUG", "context": "from a plugin"}]
        """,
    )
    _install_plugin(
        tmp_path,
        "ta_plugin_bad",
        "broken_plugin = ta_plugin_bad_mod:Missing",
        "ta_plugin_bad_mod",
        "X = 1\n",
    )
    sys.path.insert(0, str(tmp_path))
    try:
        registry = ScannerRegistry()
        assert "plugin_scanner" in registry.names()
        errors = registry.load_errors()
        assert "broken_plugin" in errors and "AttributeError" in errors["broken_plugin"]
        # The graph reports the broken plugin as a failed scanner instead of losing it.
        SCANNER_REGISTRY.reload_plugins()
        update = DiscoveryGraph(only("plugin_scanner")).scanner_node({"trade_date": "2026-11-24"})
        reports = {r["name"]: r for r in update["scanner_reports"]}
        assert reports["plugin_scanner"]["status"] == "ok"
        assert reports["broken_plugin"]["status"] == "error"
        assert "PLUG" in update["tickers"]
    finally:
        sys.path.remove(str(tmp_path))
        SCANNER_REGISTRY.unregister("plugin_scanner")
        SCANNER_REGISTRY.reload_plugins()
