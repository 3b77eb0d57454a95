"""The run history: every ``discover`` run, its scanners' reports, picks and ranking, in one
SQLite file next to the HTTP cache (``<cache dir>/history.sqlite``); the realised forward
returns of the picks (``tradingagents track``); the record statistics that ``tradingagents
history`` and the backtest share; and each scanner's recent durations for the scheduler.

The run folders stay the full record; the database is the index over them (each run keeps
its folder's path).
"""

from tradingagents.history.database import (
    HistoryError,
    configured_history_path,
    connect,
    history_path,
)
from tradingagents.history.durations import recent_durations
from tradingagents.history.recording import config_hash, record_run, record_safely

__all__ = [
    "HistoryError",
    "config_hash",
    "configured_history_path",
    "connect",
    "history_path",
    "recent_durations",
    "record_run",
    "record_safely",
]
