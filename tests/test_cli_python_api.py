"""DiscoveryGraph.run() from Python: a typed result with a DataFrame view; the README's
scanner example runs as printed and finds something on the sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.scanner_kit import config
from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.graph.state import DiscoveryResult

ROOT = Path(__file__).resolve().parents[1]


def readme_block(heading: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"## {heading}\n", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"no python block under {heading!r}"
    return match.group(1)


@pytest.fixture
def readme_scanner() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(readme_block("Writing a scanner"), "README.md", "exec"), namespace)
    classes = [
        v for v in namespace.values() if isinstance(v, type) and issubclass(v, BaseScanner)
        and hasattr(v, "watchlist")
    ]
    assert len(classes) == 1
    yield classes[0]
    SCANNER_REGISTRY.unregister(classes[0].name)


@pytest.mark.timeout(120)
def test_run_returns_a_typed_result_with_a_ranking_frame(readme_scanner: Any) -> None:
    with DiscoveryGraph(config(), scanners=[readme_scanner]) as graph:
        final = graph.run("2026-11-20")
    assert isinstance(final, DiscoveryResult) and isinstance(final, dict)
    # the README's example finds something on the sandbox
    assert {c["ticker"] for c in final["candidate_metadata"]} == {"RDI", "EGOH"}
    assert final.trade_date == final.session_date == "2026-11-20"
    assert final.final_ranking == final["final_ranking"]
    assert final.ranking_error is None
    frame = final.ranking_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [row["rank"] for row in final["final_ranking"]]
    assert list(frame["ticker"]) == [row["ticker"] for row in final["final_ranking"]]
    assert {"score", "current_price", "strategies", "scanners", "reasons"} <= set(frame.columns)
    assert float(frame.loc[1, "current_price"]) > 0  # type: ignore[arg-type]


def test_an_empty_ranking_is_an_empty_frame() -> None:
    frame = DiscoveryResult({"trade_date": "2026-11-20", "final_ranking": []}).ranking_frame()
    assert frame.empty and "ticker" in frame.columns
