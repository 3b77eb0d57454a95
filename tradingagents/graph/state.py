"""The discovery graph's state schema: plain, serialisable data only.

Sessions, limiters, locks and callables never go in here (a LangGraph checkpointer must be
able to store every value); they live on the :class:`DiscoveryGraph` object instead.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

if TYPE_CHECKING:
    import pandas as pd


class DiscoveryInput(TypedDict, total=False):
    """What a run starts from. ``tool_logs`` is deliberately absent: the graph's logs start
    empty and only its new entries flow out, so a parent graph that shares the
    ``tool_logs`` key never receives its own entries twice."""

    #: The date asked for (``YYYY-MM-DD``).
    trade_date: str
    #: The market session scanned for it: ``trade_date`` itself on a trading day, else the
    #: last session before it (see :mod:`tradingagents.trade_dates`).
    session_date: str


class DiscoveryState(DiscoveryInput, total=False):
    #: Tickers that survived the scanner stage, in merge order.
    tickers: list[str]
    #: One merged entry per ticker (see tradingagents.discovery.merge).
    candidate_metadata: list[dict[str, Any]]
    #: Every tool call and scanner failure; nodes return only their new entries.
    tool_logs: Annotated[list[dict[str, Any]], operator.add]
    scanner_reports: list[dict[str, Any]]
    scan_summary: dict[str, Any]
    #: Filled by the filter node: kept candidates, and dropped ones with the reason.
    filtered_candidates: list[dict[str, Any]]
    dropped_candidates: list[dict[str, Any]]
    #: Set when no candidate's price data arrived (every one dropped for it): a failure.
    filter_error: str
    #: Filled by the rank node; ``ranking_error`` when a custom ranker failed (default used).
    final_ranking: list[dict[str, Any]]
    ranking_error: str
    #: "scanned", then "filtered", then "ranked".
    status: str


class DiscoveryResult(dict[str, Any]):
    """What :meth:`DiscoveryGraph.run` returns: the final state (a plain ``dict``, so every
    key works as before), with typed accessors and :meth:`ranking_frame`."""

    @property
    def trade_date(self) -> str:
        return str(self["trade_date"])

    @property
    def session_date(self) -> str:
        return str(self.get("session_date") or self["trade_date"])

    @property
    def final_ranking(self) -> list[dict[str, Any]]:
        return list(self.get("final_ranking", []))

    @property
    def scanner_reports(self) -> list[dict[str, Any]]:
        return list(self.get("scanner_reports", []))

    @property
    def scan_summary(self) -> dict[str, Any]:
        return dict(self.get("scan_summary", {}))

    @property
    def ranking_error(self) -> str | None:
        error = self.get("ranking_error")
        return None if error is None else str(error)

    def ranking_frame(self) -> pd.DataFrame:
        """The ranking as a pandas DataFrame: one row per ranked ticker, indexed by rank."""
        import pandas as pd

        columns = [
            "rank", "ticker", "score", "priority", "current_price", "strategies", "scanners",
            "reasons", "context",
        ]
        rows = [
            {
                **{key: row.get(key) for key in columns},
                # Rankings written before the `sources` -> `scanners` rename still fill it.
                "scanners": row.get("scanners", row.get("sources")),
            }
            for row in self.final_ranking
        ]
        return pd.DataFrame(rows, columns=columns).set_index("rank")
