"""Walk-forward backtests of the scanners on the market store.

``run_backtest(store, start, end, ...)`` runs the selected scanners as of every session in
the range on exactly what was known then (store reads adjusted as of that session, no later
bar), records every pick, adds its forward returns and summarises each scanner's record with
:mod:`tradingagents.history.statistics` (the module ``tradingagents history`` uses too).
``write_run(result, folder)`` writes ``picks.parquet``, ``summary.csv``, ``summary.json`` and
``report.html``.
"""

from tradingagents.backtest.capability import Unsupported, split_backtestable
from tradingagents.backtest.output import write_run
from tradingagents.backtest.run import BacktestResult, run_backtest

__all__ = ["BacktestResult", "Unsupported", "run_backtest", "split_backtestable", "write_run"]
