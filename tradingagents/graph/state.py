"""The discovery graph's state schema: plain, serialisable data only.

Sessions, limiters, locks and callables never go in here (a LangGraph checkpointer must be
able to store every value); they live on the :class:`DiscoveryGraph` object instead.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class DiscoveryInput(TypedDict, total=False):
    """What a run starts from. ``tool_logs`` is deliberately absent: the graph's logs start
    empty and only its new entries flow out, so a parent graph that shares the
    ``tool_logs`` key never receives its own entries twice."""

    trade_date: str


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
    #: Filled by the rank node; ``ranking_error`` when a custom ranker failed (default used).
    final_ranking: list[dict[str, Any]]
    ranking_error: str
    #: "scanned", then "filtered", then "ranked".
    status: str
