"""The record statistics that `tradingagents history` and the backtest share, on numbers
computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tradingagents.history.statistics import (
    STAT_COLUMNS,
    forward_returns,
    pick_returns,
    record_statistics,
    t_statistic,
    universe_returns,
)

DAYS = pd.to_datetime(["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"])
CLOSES = pd.DataFrame(
    {
        "A": [10.0, 11.0, 12.1, 11.0],
        "B": [20.0, 20.0, 22.0, 22.0],
        "C": [50.0, 45.0, 45.0, np.nan],  # no close on the last session
    },
    index=DAYS,
)


def test_forward_returns_run_from_close_d_to_close_d_plus_h_sessions() -> None:
    forward = forward_returns(CLOSES, (1, 2))
    assert list(forward[1].to_numpy()[0]) == pytest.approx([0.10, 0.0, -0.10])
    assert list(forward[2].to_numpy()[0]) == pytest.approx([0.21, 0.10, -0.10])
    # C has no close D+1 after the third session; nothing has a close 2 sessions after the third.
    assert math.isnan(forward[1].to_numpy()[2, 2])
    assert forward[2].loc[DAYS[2]].isna().all() and forward[1].loc[DAYS[3]].isna().all()
    universe = universe_returns(forward)
    assert universe[1].loc[DAYS[0]] == pytest.approx(0.0)  # (0.10 + 0 - 0.10) / 3
    assert universe[1].loc[DAYS[1]] == pytest.approx((0.10 + 0.10 + 0.0) / 3)
    assert universe[1].loc[DAYS[2]] == pytest.approx((11 / 12.1 - 1 + 0.0) / 2)  # C has none
    assert universe[2].loc[DAYS[0]] == pytest.approx(0.07)  # (0.21 + 0.10 - 0.10) / 3


def test_pick_returns_give_each_pick_its_return_and_excess_over_the_universe() -> None:
    picks = pd.DataFrame(
        {
            "session": ["2026-11-16", "2026-11-17", "2026-11-16", "2026-11-13"],
            "ticker": ["A", "C", "ZZZ", "A"],  # ZZZ: not in the store; 11-13: no session
        }
    )
    valued = pick_returns(picks, CLOSES, (1, 2))
    assert valued["fwd_return_1"].tolist()[:2] == pytest.approx([0.10, 0.0])
    assert valued["universe_return_1"].tolist()[:2] == pytest.approx([0.0, 0.2 / 3])
    assert valued["excess_return_1"].tolist()[:2] == pytest.approx([0.10, -0.2 / 3])
    assert valued["excess_return_2"].iloc[0] == pytest.approx(0.21 - 0.07)
    assert valued["fwd_return_1"].iloc[2:].isna().all()
    assert valued["universe_return_1"].iloc[2] == pytest.approx(0.0)  # the session is known
    assert valued["excess_return_1"].iloc[2:].isna().all()


def _picks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "session": ["d1", "d1", "d2", "d3", "d4"],
            "ticker": ["A", "B", "C", "D", "E"],
            "scanner": ["a", "a", "a", "a", "b"],
            "priority": ["high", "high", "low", None, "medium"],
            "fwd_return_1": [0.10, -0.05, 0.02, 0.03, np.nan],
            "excess_return_1": [0.09, -0.06, 0.02, 0.03, np.nan],
        }
    )


def test_statistics_per_scanner_match_the_hand_computed_figures() -> None:
    stats = record_statistics(_picks(), sessions=5, horizons=(1,))
    assert list(stats.columns) == ["scanner", *STAT_COLUMNS]
    a = stats[stats["scanner"] == "a"].iloc[0]
    assert (a["horizon"], a["picks"], a["realised"]) == (1, 4, 4)
    assert a["hit_rate"] == pytest.approx(0.75)  # 3 of 4 returns above zero
    assert a["mean_return"] == pytest.approx(0.025)  # (0.10 - 0.05 + 0.02 + 0.03) / 4
    assert a["median_return"] == pytest.approx(0.025)  # (0.02 + 0.03) / 2
    assert a["mean_excess_return"] == pytest.approx(0.02)
    # deviations 0.07, -0.08, 0, 0.01: sample variance 0.0114 / 3 = 0.0038
    assert a["t_stat"] == pytest.approx(0.02 / (math.sqrt(0.0038) / 2))  # 0.6489
    assert a["t_stat"] == pytest.approx(0.6489, abs=1e-4)
    assert a["session_share"] == pytest.approx(3 / 5)  # d1, d2, d3
    b = stats[stats["scanner"] == "b"].iloc[0]
    assert (b["picks"], b["realised"]) == (1, 0)  # picked, not realised yet
    assert b[["hit_rate", "mean_return", "t_stat"]].isna().all()
    assert b["session_share"] == pytest.approx(1 / 5)


def test_statistics_per_priority_keep_an_unknown_priority_as_its_own_group() -> None:
    stats = record_statistics(_picks(), sessions=5, horizons=(1,), by=("scanner", "priority"))
    rows = {(r.scanner, r.priority): r for r in stats.itertuples(index=False)}
    assert set(rows) == {("a", "high"), ("a", "low"), ("a", None), ("b", "medium")}
    high = rows[("a", "high")]
    assert high.picks == 2 and high.hit_rate == 0.5
    assert high.mean_return == pytest.approx(0.025)
    assert high.mean_excess_return == pytest.approx(0.015)
    # excess 0.09, -0.06: mean 0.015, sample std 0.15 / sqrt 2, standard error 0.075
    assert high.t_stat == pytest.approx(0.2)
    assert high.session_share == pytest.approx(1 / 5)
    assert rows[("a", None)].mean_return == pytest.approx(0.03)
    assert math.isnan(float(rows[("a", "low")].t_stat))  # type: ignore[arg-type]  # one pick: no t


def test_t_statistic_needs_two_values_and_a_spread() -> None:
    assert t_statistic(np.array([0.1])) is None
    assert t_statistic(np.array([0.1, 0.1, 0.1])) is None
    # mean 0.02, sample std 0.01 * sqrt 2, standard error 0.01
    assert t_statistic(np.array([0.01, 0.03])) == pytest.approx(2.0)


def test_no_picks_give_an_empty_table_with_the_columns() -> None:
    empty = _picks().iloc[:0]
    stats = record_statistics(empty, sessions=0, horizons=(1,))
    assert stats.empty and list(stats.columns) == ["scanner", *STAT_COLUMNS]
