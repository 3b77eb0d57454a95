"""Progress events and the terminal display: queued is not running, and the filter and rank
nodes say what they are doing."""

from __future__ import annotations

import io
import operator
import threading
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from rich.console import Console

from tests.scanner_kit import FOREVER, config, make_scanner
from tradingagents.cli.progress import ScannerProgress
from tradingagents.graph.discovery_graph import DiscoveryGraph

TRADE_DATE = "2026-11-24"


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (e["event"], e.get("name") or e.get("node") or e["report"]["name"]) for e in events
    ]


EXPECTED = [
    ("scanner_started", "a"),
    ("scanner_finished", "a"),
    ("scanner_started", "b"),
    ("scanner_finished", "b"),
    ("node_started", "filter"),
    ("node_finished", "filter"),
    ("node_started", "rank"),
    ("node_finished", "rank"),
]


def two_scanner_graph(**kwargs: Any) -> DiscoveryGraph:
    # One worker: b is queued until a finishes, so the order of events is fixed.
    scanners = [make_scanner("a", delay=0.05), make_scanner("b", delay=0.05)]
    return DiscoveryGraph(config(max_workers=1), scanners=scanners, **kwargs)


def test_custom_stream_has_scanner_started_and_node_events() -> None:
    graph = two_scanner_graph()
    events = [e for e in graph.graph.stream({"trade_date": TRADE_DATE}, stream_mode="custom")]
    assert kinds(events) == EXPECTED
    started = events[0]
    assert started["started"] <= events[1]["report"]["finished"]


def test_on_event_receives_the_same_events_under_invoke() -> None:
    received: list[dict[str, Any]] = []
    graph = two_scanner_graph(on_event=received.append)
    graph.graph.invoke({"trade_date": TRADE_DATE})
    assert kinds(received) == EXPECTED


def test_a_failing_event_sink_does_not_break_the_run() -> None:
    def broken(event: dict[str, Any]) -> None:
        raise RuntimeError("terminal closed")

    final = two_scanner_graph(on_event=broken).graph.invoke({"trade_date": TRADE_DATE})
    assert final["status"] == "ranked"


class Parent(TypedDict, total=False):
    trade_date: str
    tool_logs: Annotated[list[dict[str, Any]], operator.add]
    status: str


def test_parent_graph_sees_the_events_with_subgraphs_true() -> None:
    parent: StateGraph[Any, Any, Any, Any] = StateGraph(Parent)
    parent.add_node("discovery", two_scanner_graph().graph)
    parent.add_edge(START, "discovery")
    parent.add_edge("discovery", END)
    compiled = parent.compile()
    chunks = list(
        compiled.stream({"trade_date": TRADE_DATE}, stream_mode="custom", subgraphs=True)
    )
    assert kinds([event for _namespace, event in chunks]) == EXPECTED


# -- the display ----------------------------------------------------------------------------


def shown(progress: ScannerProgress) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(progress.render())
    return out.getvalue()


def row(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if f" {name} " in f" {line} ")


def test_display_shows_queued_running_then_filtering_and_ranking() -> None:
    progress = ScannerProgress(Console(file=io.StringIO()), ["alpha", "beta"])
    text = shown(progress)
    assert "queued" in row(text, "alpha") and "queued" in row(text, "beta")
    assert "running" not in text

    progress.on_event({"event": "scanner_started", "name": "alpha", "started": "t"})
    text = shown(progress)
    assert "running" in row(text, "alpha") and "queued" in row(text, "beta")

    report = {"name": "alpha", "status": "ok", "duration_seconds": 1.5, "candidates": 3}
    progress.on_event({"event": "scanner_finished", "completed": 1, "total": 2, "report": report})
    text = shown(progress)
    assert "ok" in row(text, "alpha") and "3 candidates" in row(text, "alpha")
    assert text.startswith("scanning 1/2 scanners done")

    progress.on_event({"event": "node_started", "node": "filter"})
    assert shown(progress).startswith("filtering")
    progress.on_event({"event": "node_finished", "node": "filter"})
    progress.on_event({"event": "node_started", "node": "rank"})
    assert shown(progress).startswith("ranking")


@pytest.mark.timeout(30)
def test_display_is_fed_by_a_real_run() -> None:
    """The CLI's wiring: ``graph.on_event = progress.on_event``; a hung scanner holding the
    only worker leaves the other one queued, never running."""
    release = threading.Event()

    def held(scanner: Any, state: dict[str, Any]) -> list[dict[str, Any]]:
        release.wait(5)
        return []

    scanners = [make_scanner("first", action=held), make_scanner("second")]
    graph = DiscoveryGraph(config(max_workers=1), scanners=scanners)
    progress = ScannerProgress(Console(file=io.StringIO()), ["first", "second"])
    graph.on_event = progress.on_event
    runner = threading.Thread(target=graph.graph.invoke, args=({"trade_date": TRADE_DATE},))
    runner.start()
    try:
        for _ in range(100):
            text = shown(progress)
            if "running" in row(text, "first"):
                break
            FOREVER.wait(0.02)
        assert "running" in row(text, "first") and "queued" in row(text, "second")
    finally:
        release.set()
        runner.join(10)
    assert shown(progress).startswith("done 2/2 scanners done")
