"""The discovery graph under a checkpointer and embedded in a user's parent graph."""

from __future__ import annotations

import operator
import sqlite3
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph

from tests.scanner_kit import config, make_scanner
from tradingagents.graph.discovery_graph import DiscoveryGraph

SCANNERS = [
    make_scanner("alpha", delay=0.02, tickers=("NVDA", "AMD")),
    make_scanner("beta", tickers=("AMD",), priority="high"),
]


def test_graph_runs_under_sqlite_checkpointer_and_state_round_trips(tmp_path: Any) -> None:
    conn = sqlite3.connect(tmp_path / "checkpoints.sqlite", check_same_thread=False)
    graph = DiscoveryGraph(config(), scanners=SCANNERS, checkpointer=SqliteSaver(conn))
    run_config = {"configurable": {"thread_id": "morning-run"}}
    with graph:
        final = graph.run("2026-11-24", config=run_config)
    assert final["tickers"] == ["NVDA", "AMD"]
    assert final["status"] == "ranked"
    stored = graph.graph.get_state(run_config).values  # read back from SQLite
    assert stored["candidate_metadata"] == final["candidate_metadata"]
    assert stored["tool_logs"] == final["tool_logs"]
    assert stored["scanner_reports"] == final["scanner_reports"]
    conn.close()


class ParentState(TypedDict, total=False):
    trade_date: str
    tickers: list[str]
    candidate_metadata: list[dict[str, Any]]
    tool_logs: Annotated[list[dict[str, Any]], operator.add]
    scan_summary: dict[str, Any]
    decision: str


def test_embeds_as_a_node_of_a_parent_graph_without_duplicating_parent_logs() -> None:
    discovery = DiscoveryGraph(config(), scanners=SCANNERS)

    def research(state: ParentState) -> dict[str, Any]:
        return {"tool_logs": [{"tool": "parent_research", "scanner": "", "type": "tool"}]}

    def decide(state: ParentState) -> dict[str, Any]:
        return {"decision": f"look at {', '.join(state['tickers'])}"}

    parent = StateGraph(ParentState)
    parent.add_node("research", research)
    parent.add_node("discovery", discovery.graph)
    parent.add_node("decide", decide)
    parent.add_edge(START, "research")
    parent.add_edge("research", "discovery")
    parent.add_edge("discovery", "decide")
    parent.add_edge("decide", END)
    final = parent.compile().invoke(
        {"trade_date": "2026-11-24", "tool_logs": [{"tool": "seed", "type": "tool"}]}
    )

    discovery.close()
    tools = [entry["tool"] for entry in final["tool_logs"]]
    # The parent's two entries once, then the scanners' call and the filter node's data call.
    assert tools == ["seed", "parent_research", "wait", "get_daily_bars_batch"], tools
    assert final["decision"] == "look at NVDA, AMD"
    assert final["scan_summary"]["counts"]["ok"] == 2


def test_scanner_node_embeds_directly_as_a_plain_node() -> None:
    discovery = DiscoveryGraph(config(), scanners=SCANNERS)
    parent = StateGraph(ParentState)
    parent.add_node("scan", discovery.scanner_node)
    parent.add_edge(START, "scan")
    parent.add_edge("scan", END)
    final = parent.compile().invoke({"trade_date": "2026-11-24", "tool_logs": [{"tool": "seed"}]})
    assert [e["tool"] for e in final["tool_logs"]] == ["seed", "wait"]
