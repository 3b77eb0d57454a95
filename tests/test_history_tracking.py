"""`tradingagents track`: realised forward returns of recorded picks, from a market store
with a planted split, checked against figures computed by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tests.cli_kit import cli
from tests.history_kit import final_state, report
from tradingagents.history import connect, record_run
from tradingagents.history.tracking import track
from tradingagents.history.view import load_history
from tradingagents.store import MarketStore

SESSIONS = [d.date() for d in pd.bdate_range("2024-01-02", periods=25)]
SPLIT_AT = 3  # A splits 2-for-1 on its fourth session: as traded, its close halves there


def _close(symbol: str, i: int) -> float:
    """As the market saw it: A +1 % a session, B flat, C -1 % a session."""
    if symbol == "A":
        return 100 * 1.01**i / (2 if i >= SPLIT_AT else 1)
    return 50.0 if symbol == "B" else 10 * 0.99**i


def _store(root: Path) -> MarketStore:
    store = MarketStore(root)
    with store.writer() as writer:
        for i, day in enumerate(SESSIONS):
            closes = np.array([_close(s, i) for s in "ABC"])
            writer.write_session(
                day,
                pa.table(
                    {
                        "symbol": ["A", "B", "C"],
                        "open": closes,
                        "high": closes,
                        "low": closes,
                        "close": closes,
                        "volume": np.full(3, 1000.0),
                        "vwap": closes,
                        "transactions": np.full(3, 7, dtype=np.int64),
                    }
                ),
                "test",
            )
        writer.add_splits(
            pd.DataFrame({"symbol": ["A"], "ex_date": [SESSIONS[SPLIT_AT]], "ratio": [2.0]})
        )
    return store


def _run(db: Path, session: dt.date, picks: list[tuple[str, str, str]]) -> int:
    """Record a run on ``session`` whose candidates are (ticker, scanner, priority)."""
    state = final_state(
        [report(name) for name in sorted({s for _, s, _ in picks})],
        session_date=session.isoformat(),
        trade_date=session.isoformat(),
        candidate_metadata=[
            {"ticker": t, "scanner": s, "scanners": [s], "priority": p, "context": ""}
            for t, s, p in picks
        ],
    )
    return record_run(db, state, config={}, wall_seconds=1.0, exit_code=0, results_dir=None)


def _universe(h: int) -> float:
    return ((1.01**h - 1) + 0.0 + (0.99**h - 1)) / 3


def test_track_fills_split_aware_forward_and_excess_returns(tmp_path: Path) -> None:
    store = _store(tmp_path / "market")
    db = tmp_path / "history.sqlite"
    _run(db, SESSIONS[0], [("A", "momentum", "high"), ("B", "flat", "low")])
    _run(db, SESSIONS[0], [("A", "momentum", "high")])  # a rerun of the same session
    _run(db, SESSIONS[10], [("C", "momentum", "medium"), ("NOPE", "flat", "low")])
    first = track(db, store)
    # Session 0: A and B at 1, 5, 10, 20 (8). Session 10: C at 1, 5, 10 (3); 20 sessions
    # after it are not in the store yet (1 pending); NOPE has no bars (4 unpriced).
    assert (first.filled, first.pending, first.unpriced) == (11, 1, 4)
    assert first.last_session == SESSIONS[-1]
    with connect(db) as connection:
        rows = {
            (s, t, h): (end, r, u, e)
            for s, t, h, end, r, u, e in connection.execute(
                "SELECT session_date, ticker, horizon, end_session, fwd_return, universe_return,"
                " excess_return FROM forward_returns"
            )
        }
    start = SESSIONS[0].isoformat()
    for h in (1, 5, 10, 20):
        end, ret, universe, excess = rows[(start, "A", h)]
        assert end == SESSIONS[h].isoformat()
        # Across the split: +1 % a session, never the -50 % the as-traded closes show.
        assert ret == pytest.approx(1.01**h - 1)
        assert universe == pytest.approx(_universe(h))
        assert excess == pytest.approx(1.01**h - 1 - _universe(h))
        assert rows[(start, "B", h)][1] == pytest.approx(0.0)
    assert rows[(SESSIONS[10].isoformat(), "C", 10)][1] == pytest.approx(0.99**10 - 1)
    assert (SESSIONS[10].isoformat(), "C", 20) not in rows

    again = track(db, store)  # nothing new until the store grows
    assert (again.filled, again.pending, again.unpriced) == (0, 1, 4)

    view = load_history(db, last=10)
    assert view.sessions == 2 and len(view.runs) == 3
    momentum = view.by_scanner[
        (view.by_scanner["scanner"] == "momentum") & (view.by_scanner["horizon"] == 5)
    ].iloc[0]
    # Two picks: A on session 0 (the rerun counts once) and C on session 10.
    assert (momentum["picks"], momentum["realised"]) == (2, 2)
    assert momentum["mean_return"] == pytest.approx(((1.01**5 - 1) + (0.99**5 - 1)) / 2)
    assert momentum["hit_rate"] == pytest.approx(0.5)
    assert momentum["session_share"] == pytest.approx(1.0)
    twenty = view.by_scanner[
        (view.by_scanner["scanner"] == "momentum") & (view.by_scanner["horizon"] == 20)
    ].iloc[0]
    assert (twenty["picks"], twenty["realised"]) == (2, 1)


def test_track_and_history_commands(tmp_path: Path) -> None:
    _store(tmp_path / "market")
    db = tmp_path / "history.sqlite"
    _run(db, SESSIONS[0], [("A", "momentum", "high"), ("B", "flat", "low")])
    run = cli("track", "--history-db", str(db), "--store", str(tmp_path / "market"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"8 forward return(s) filled (store ends {SESSIONS[-1]})"
    shown = cli("history", "--history-db", str(db), "--scanner", "momentum", "--json")
    assert shown.returncode == 0, shown.stderr
    payload = json.loads(shown.stdout)
    assert payload["history"] == str(db) and len(payload["runs"]) == 1
    assert {row["scanner"] for row in payload["by_scanner"]} == {"momentum"}
    one = next(row for row in payload["by_scanner"] if row["horizon"] == 1)
    assert one["mean_return"] == pytest.approx(0.01) and one["t_stat"] is None
    assert one["mean_excess_return"] == pytest.approx(0.01 - _universe(1))
    assert [row["priority"] for row in payload["by_priority"]] == ["high"] * 4
    table = cli("history", "--history-db", str(db), "--horizon", "1")
    assert table.returncode == 0, table.stderr
    assert "Realised record at 1 session(s), over 1 session(s) scanned" in table.stdout
    momentum = next(line for line in table.stdout.splitlines() if "momentum" in line)
    # 1 of 1 realised, a hit, +1.00 % mean and median, no t from one pick, every session.
    excess = f"{0.01 - _universe(1):+.2%}"
    assert momentum.split() == [
        "momentum",
        "1/1",
        "100.0%",
        "+1.00%",
        "+1.00%",
        excess,
        "-",
        "100.0%",
    ]
    by_priority = cli("history", "--history-db", str(db), "--horizon", "1", "--by-priority")
    assert by_priority.returncode == 0, by_priority.stderr
    rows = [line.split() for line in by_priority.stdout.splitlines() if "momentum" in line]
    assert [row[:3] for row in rows] == [["momentum", "(high)", "1/1"]]
