"""The discovery graph: scanner -> (filter -> rank, as they land) -> END.

``DiscoveryGraph(config)`` validates the config before anything runs, exposes the scanner
node as a plain method (so it can be called or embedded directly) and the compiled
LangGraph graph as ``.graph``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from tradingagents.config import Settings, load_config
from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner, run_scanners
from tradingagents.discovery.engine import EventSink, ProgressCallback
from tradingagents.graph.state import DiscoveryInput, DiscoveryState

logger = logging.getLogger(__name__)


class DiscoveryGraph:
    """A validated discovery pipeline.

    ``scanners`` (a list of scanner classes) replaces the registry for this graph, so a
    caller can run an exact set without touching global state. ``sources`` is the data
    hub scanners reach through their tool context; it lives here, never in state.
    ``checkpointer`` is passed to LangGraph's ``compile``.
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        scanners: Sequence[type[BaseScanner]] | None = None,
        sources: Any = None,
        on_progress: ProgressCallback | None = None,
        checkpointer: Any = None,
    ) -> None:
        if scanners is None:
            classes = SCANNER_REGISTRY.classes()
            self._load_errors = SCANNER_REGISTRY.load_errors()
        else:
            from tradingagents.scanners.registry import check_scanner_class

            for cls in scanners:
                check_scanner_class(cls)
            classes = list(scanners)
            self._load_errors = {}
        self.settings: Settings = load_config(config, classes)
        self.config: dict[str, Any] = self.settings.raw
        self.sources = sources
        self.on_progress = on_progress
        self.graph: CompiledStateGraph[Any, Any, Any, Any] = self._build().compile(
            checkpointer=checkpointer
        )

    def _build(self) -> StateGraph[Any, Any, Any, Any]:
        builder: StateGraph[Any, Any, Any, Any] = StateGraph(
            DiscoveryState, input_schema=DiscoveryInput
        )
        builder.add_node("scanner", self.scanner_node)
        builder.add_edge(START, "scanner")
        builder.add_edge("scanner", END)
        return builder

    def scanner_node(self, state: DiscoveryState) -> dict[str, Any]:
        """Run every enabled scanner on its own copy of ``state``; return the update."""
        return run_scanners(
            self.settings,
            state,
            sources=self.sources,
            load_errors=self._load_errors,
            on_progress=self.on_progress,
            emit=_stream_writer(),
        )

    def run(self, trade_date: str | date | None = None, **invoke_kwargs: Any) -> dict[str, Any]:
        """Run the whole graph for ``trade_date`` (default: today); return the final state."""
        initial: DiscoveryInput = {"trade_date": normalise_trade_date(trade_date)}
        result: dict[str, Any] = self.graph.invoke(initial, **invoke_kwargs)
        return result


def normalise_trade_date(value: str | date | None) -> str:
    """``YYYY-MM-DD`` for a date, an ISO string or ``None`` (today)."""
    if value is None:
        return date.today().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValueError(f"trade_date must be a date or 'YYYY-MM-DD', got {value!r}") from None


def _stream_writer() -> EventSink | None:
    """LangGraph's custom-stream writer when running inside a graph, else ``None``."""
    from langgraph.config import get_stream_writer

    try:
        writer: EventSink = get_stream_writer()
    except RuntimeError:  # called directly, outside a LangGraph run
        return None
    return writer
