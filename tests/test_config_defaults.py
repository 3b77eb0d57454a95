"""Each discovery default and each scanner limit is stated once; the other place derives it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
from tradingagents.config import load_config
from tradingagents.default_config import DEFAULT_CONFIG
from tradingagents.discovery import SCANNER_REGISTRY


@pytest.mark.timeout(60)
def test_the_models_take_their_defaults_from_the_default_config() -> None:
    # Change every default before the models are built: each model must follow.
    code = textwrap.dedent(
        """
        from tradingagents.default_config import DEFAULT_CONFIG

        d = DEFAULT_CONFIG["discovery"]
        d["scanner_execution"].update(concurrent=False, max_workers=3, timeout_seconds=12)
        d["tool_log_preview_chars"] = 77
        d["universe"].update(symbols=["IBM"], max_symbols=11)
        d["filter"].update(
            min_price=2.5, max_price=99.0, min_average_volume=1234, average_volume_days=7
        )
        d["ranking"].update(strategy_weights={"momentum": 2.0}, top_n=9)

        from tradingagents.config import DiscoverySection

        dumped = DiscoverySection().model_dump(exclude={"pipelines", "scanners"})
        expected = {k: v for k, v in d.items() if k not in ("pipelines", "scanners")}
        assert dumped == expected, (dumped, expected)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
        cwd=Path(__file__).resolve().parents[1],  # this checkout, not an installed copy
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_scanner_limits_are_stated_only_by_the_scanner_classes() -> None:
    builtin = [
        cls
        for cls in SCANNER_REGISTRY.classes()
        if cls.__module__.startswith("tradingagents.scanners.builtin.")
    ]
    assert builtin
    for entry in DEFAULT_CONFIG["discovery"]["scanners"].values():
        assert "limit" not in entry
    settings = load_config(None, builtin)
    for cls in builtin:
        assert settings.raw["discovery"]["scanners"][cls.name]["limit"] == cls.default_limit
