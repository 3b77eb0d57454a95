"""The backtest on real bars: a slice of the S&P 500 fixture, across AAPL's 4:1 and TSLA's
5:1 splits of 2020-08-31 (forward returns must be the economic ones, not -75 %)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingagents.backtest import run_backtest
from tradingagents.store import MarketStore
from tradingagents.store.importer import import_folder

BARS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "ohlcv"
BARS = BARS / "sp500_daily_2019_2021"
pytestmark = pytest.mark.skipif(
    not BARS.is_dir(), reason=f"the S&P 500 fixture is not at {BARS} (../shared/fixtures)"
)
SYMBOLS = [
    "AAPL", "TSLA", "LRCX", "AMZN", "MSFT", "AMD", "PYPL", "NFLX", "ADBE", "CRM",
    "XOM", "KO", "PFE", "JPM", "WMT", "DIS", "INTC", "CSCO", "T", "F",
]  # fmt: skip
HORIZONS = (1, 5, 10)


def _economic_return(bars: pd.DataFrame, session: pd.Timestamp, h: int) -> float:
    """close(D+h) x the split coefficients after D up to D+h, / close(D) - 1, from the CSV."""
    position = bars.index.get_loc(session)
    later = bars.iloc[position + 1 : position + h + 1]
    ratio = float(np.prod(later["split_coefficient"]))
    return float(later["close"].iloc[-1] * ratio / bars["close"].iloc[position] - 1)


@pytest.mark.timeout(120)
def test_picks_across_real_splits_have_economic_forward_returns(tmp_path: Path) -> None:
    folder = tmp_path / "bars"
    folder.mkdir()
    for symbol in SYMBOLS:
        shutil.copy(BARS / f"{symbol}.csv", folder / f"{symbol}.csv")
    store = MarketStore(tmp_path / "market")
    with store.writer() as writer:
        import_folder(writer, folder)

    result = run_backtest(
        store,
        pd.Timestamp("2020-08-24").date(),
        pd.Timestamp("2020-08-28").date(),
        scanners=["trend_template", "high_52w_breakout", "unusual_volume"],
        horizons=HORIZONS,
        backend="threads",
        workers=2,
    )
    assert not result.failed and len(result.sessions) == 5
    picks = result.picks
    assert {"AAPL", "TSLA"} <= set(picks["ticker"])  # the split path is exercised
    for row in picks.itertuples(index=False):
        bars = pd.read_csv(BARS / f"{row.ticker}.csv", index_col="timestamp", parse_dates=True)
        # The close a trader saw on D (no later split applied).
        assert row.close == pytest.approx(bars.loc[row.session, "close"])
        for h in HORIZONS:
            expected = _economic_return(bars, row.session, h)
            assert getattr(row, f"fwd_return_{h}") == pytest.approx(expected, rel=1e-9)
