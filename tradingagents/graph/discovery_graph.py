"""The discovery graph: scanner -> filter -> rank -> END.

``DiscoveryGraph(config)`` validates the config before anything runs, exposes each node as
a plain method (so it can be called or embedded directly) and the compiled LangGraph graph
as ``.graph``. Data sources, sessions and the sandbox live on this object, never in state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from tradingagents.config import Settings, load_config
from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner, ToolContext, run_scanners
from tradingagents.discovery.engine import EventSink, ProgressCallback
from tradingagents.discovery.facts import fetch_facts
from tradingagents.discovery.filtering import apply_filter
from tradingagents.discovery.ranking import Ranker, RankerError, apply_ranker, default_rank
from tradingagents.graph.state import DiscoveryInput, DiscoveryResult, DiscoveryState
from tradingagents.history.database import configured_history_path
from tradingagents.history.durations import recent_durations
from tradingagents.scanners.registry import check_scanner_class
from tradingagents.sources.redaction import scrub
from tradingagents.trade_dates import TradeDate, resolve_trade_date

if TYPE_CHECKING:
    from tradingagents.sources.hub import Sources

logger = logging.getLogger(__name__)


class _Node(Protocol):
    def __call__(self, state: DiscoveryState) -> dict[str, Any]: ...


class DiscoveryGraph:
    """A validated discovery pipeline.

    * ``scanners``: scanner classes replacing the registry for this graph, so a caller can
      run an exact set without touching global state.
    * ``sources``: the data hub scanners reach through their tool context. When omitted,
      the graph opens one from ``config["data"]`` on first use (in sandbox mode that starts
      the built-in emulator) and closes it in :meth:`close` (or at the end of a ``with``).
    * ``ranker``: replaces the default score (e.g. an LLM); see
      :mod:`tradingagents.discovery.ranking`.
    * ``on_progress``: ``(completed, total, report)`` per finished scanner.
    * ``on_event``: every progress event as a dict, the same ones the graph streams as
      LangGraph custom events: ``scanner_started`` (from the scanner's thread),
      ``scanner_finished``, ``node_started``/``node_finished`` for the filter and rank nodes.
    * ``checkpointer``: passed to LangGraph's ``compile``.
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        scanners: Sequence[type[BaseScanner]] | None = None,
        sources: Sources | None = None,
        ranker: Ranker | None = None,
        on_progress: ProgressCallback | None = None,
        on_event: EventSink | None = None,
        checkpointer: Any = None,
    ) -> None:
        registered = SCANNER_REGISTRY.classes()
        plugin_errors = SCANNER_REGISTRY.load_errors()
        if scanners is None:
            classes = registered
            self._load_errors = plugin_errors
        else:
            for cls in scanners:
                check_scanner_class(cls)
            classes = list(scanners)
            self._load_errors = {}
        self.settings: Settings = load_config(
            config, classes, also_known=registered, unloadable=plugin_errors
        )
        self.config: dict[str, Any] = self.settings.raw
        self.ranker = ranker
        self.on_progress = on_progress
        self.on_event = on_event
        self._given_sources = sources
        self._own_sources: Sources | None = None
        self._own_sources_date: str | None = None
        self._sources_lock = threading.Lock()
        self.graph: CompiledStateGraph[Any, Any, Any, Any] = self._build().compile(
            checkpointer=checkpointer
        )

    def _build(self) -> StateGraph[Any, Any, Any, Any]:
        builder: StateGraph[Any, Any, Any, Any] = StateGraph(
            DiscoveryState, input_schema=DiscoveryInput
        )
        builder.add_node("scanner", self.scanner_node)
        builder.add_node("filter", self._announced("filter", self.filter_node))
        builder.add_node("rank", self._announced("rank", self.rank_node))
        builder.add_edge(START, "scanner")
        builder.add_edge("scanner", "filter")
        builder.add_edge("filter", "rank")
        builder.add_edge("rank", END)
        return builder

    def _emitter(self) -> EventSink | None:
        """Sends an event to the LangGraph custom stream (inside a run) and to ``on_event``;
        neither can break the run it reports on."""
        sinks = [sink for sink in (_stream_writer(), self.on_event) if sink is not None]
        if not sinks:
            return None

        def emit(event: dict[str, Any]) -> None:
            for sink in sinks:
                try:
                    sink(event)
                except Exception:
                    logger.exception("progress event sink %r failed (the run goes on)", sink)

        return emit

    def _announced(self, node: str, run: _Node) -> _Node:
        """``run`` as a graph node that emits ``node_started`` and ``node_finished``, so a
        progress display shows what the run is doing after the scanners."""

        def announced(state: DiscoveryState) -> dict[str, Any]:
            emit = self._emitter()
            if emit is not None:
                emit({"event": "node_started", "node": node})
            update = run(state)
            if emit is not None:
                emit({"event": "node_finished", "node": node})
            return update

        return announced

    # -- nodes -------------------------------------------------------------------------------

    def scanner_node(self, state: DiscoveryState) -> dict[str, Any]:
        """Run every enabled scanner on its own copy of ``state``; return the update."""
        trade_date = self.session_date(state)
        return run_scanners(
            self.settings,
            {**state, "trade_date": trade_date},
            sources=lambda: self.sources_for(trade_date),
            load_errors=self._load_errors,
            on_progress=self.on_progress,
            emit=self._emitter(),
            expected_seconds=self.expected_durations(),
        )

    def expected_durations(self) -> dict[str, float] | None:
        """Each enabled scanner's recent median duration from the run history, for the
        longest-first schedule; ``None`` when the schedule is ``"registration"`` or only one
        scanner runs at a time (the order cannot shorten the run then). An unreadable or
        missing history gives no durations: the scanners are queued as registered."""
        execution = self.settings.execution
        if execution.schedule != "longest_first" or not execution.concurrent:
            return None
        if execution.max_workers < 2:
            return None
        path = configured_history_path(self.config["data"])
        names = [cls.name for cls in self.settings.enabled_scanners()]
        return recent_durations(path, names) or None

    def filter_node(self, state: DiscoveryState) -> dict[str, Any]:
        """Drop candidates failing the liquidity/price rules; record why each was dropped."""
        trade_date = self.session_date(state)
        candidates = state.get("candidate_metadata", [])
        rules = self.settings.filter_rules
        tools = ToolContext(
            "filter",
            sources=lambda: self.sources_for(trade_date),
            preview_chars=self.settings.preview_chars,
            node="filter",
        )
        tools.begin(time.monotonic() + float(self.settings.execution.timeout_seconds))
        facts = fetch_facts(
            tools,
            [c["ticker"] for c in candidates],
            trade_date=trade_date,
            volume_days=rules.average_volume_days,
        )
        kept, dropped = apply_filter(candidates, facts, rules)
        logger.info("filter: kept %d of %d candidates", len(kept), len(candidates))
        update: dict[str, Any] = {
            "filtered_candidates": kept,
            "dropped_candidates": dropped,
            "tool_logs": tools.cancel("filter done"),
            "status": "filtered",
        }
        errors = [fact["error"] for fact in facts.values() if "error" in fact]
        if candidates and len(errors) == len(candidates):
            # Not one price arrived: an empty ranking here is a failure, not a quiet market.
            update["filter_error"] = scrub(
                f"no price data for any of the {len(candidates)} candidates "
                f"(first: {errors[0][:300]})"
            )
            logger.warning("filter: %s", update["filter_error"])
        return update

    def rank_node(self, state: DiscoveryState) -> dict[str, Any]:
        """Order the filtered candidates by the default score or the user's ranker."""
        trade_date = self.session_date(state)
        candidates = list(state.get("filtered_candidates", []))
        ranking = default_rank(
            candidates,
            trade_date=trade_date,
            strategy_weights=self.settings.ranking.strategy_weights,
        )
        ranker_error: str | None = None
        if self.ranker is not None:
            try:
                ranking = apply_ranker(self.ranker, candidates, state, default=ranking)
            except Exception as exc:
                reason = exc if isinstance(exc, RankerError) else f"{type(exc).__name__}: {exc}"
                ranker_error = scrub(f"custom ranker failed, default ranking used: {reason}")
                logger.warning("%s", ranker_error)
        update: dict[str, Any] = {
            "final_ranking": ranking[: self.settings.ranking.top_n],
            "status": "ranked",
        }
        if ranker_error is not None:
            update["ranking_error"] = ranker_error
        return update

    # -- running -----------------------------------------------------------------------------

    def run(
        self, trade_date: str | date | None = None, **invoke_kwargs: Any
    ) -> DiscoveryResult:
        """Run the whole graph for ``trade_date`` (default: today); return the final state.

        The date is checked first (:mod:`tradingagents.trade_dates`): a future date, a date
        before the data or a malformed one raises :class:`TradeDateError` before any scanner
        runs. A weekend is scanned as the session before it; the result keeps both dates
        (``trade_date`` as asked, ``session_date`` as scanned).
        """
        day = self.check_trade_date(trade_date)
        initial: DiscoveryInput = {
            "trade_date": day.requested.isoformat(),
            "session_date": day.session.isoformat(),
        }
        return DiscoveryResult(self.graph.invoke(initial, **invoke_kwargs))

    def check_trade_date(self, trade_date: str | date | None) -> TradeDate:
        """``trade_date`` checked against this graph's data (:mod:`tradingagents.trade_dates`)."""
        return resolve_trade_date(trade_date, data_mode=self.config["data"]["mode"])

    def session_date(self, state: Mapping[str, Any]) -> str:
        """The session a node works on: the state's ``session_date``, else its checked
        ``trade_date`` (when the compiled graph is invoked directly)."""
        given = state.get("session_date") or state.get("trade_date")
        return self.check_trade_date(given).session.isoformat()

    def sources_for(self, trade_date: str) -> Sources:
        """The data sources for a run on ``trade_date``: the ones given, or our own, opened
        once (and reopened when a sandbox run moves to another date)."""
        if self._given_sources is not None:
            return self._given_sources
        with self._sources_lock:
            own = self._own_sources
            if own is not None and own.sandbox is not None and self._own_sources_date != trade_date:
                own.close()
                own = self._own_sources = None
            if own is None:
                from tradingagents.sources.hub import Sources

                own = self._own_sources = Sources.from_config(self.config, trade_date=trade_date)
                self._own_sources_date = trade_date
            return own

    def close(self) -> None:
        """Close the sources this graph opened itself (idempotent)."""
        with self._sources_lock:
            own, self._own_sources = self._own_sources, None
        if own is not None:
            own.close()

    def __enter__(self) -> DiscoveryGraph:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def normalise_trade_date(value: str | date | None, data_mode: str = "sandbox") -> str:
    """The session ``YYYY-MM-DD`` scanned for ``value`` (a date, an ISO string or ``None``
    for today); raises :class:`TradeDateError` for a date that cannot be scanned."""
    return resolve_trade_date(value, data_mode=data_mode).session.isoformat()


def _stream_writer() -> EventSink | None:
    """LangGraph's custom-stream writer when running inside a graph, else ``None``."""
    from langgraph.config import get_stream_writer

    try:
        writer: EventSink = get_stream_writer()
    except RuntimeError:  # called directly, outside a LangGraph run
        return None
    return writer
