"""The walk-forward backtest on a synthetic market store: no look-ahead, split-aware forward
returns, identical results on every backend (processes, threads, dask), the run folder and
the command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.backtest_kit import SESSIONS, SYMBOLS, market, write_store
from tradingagents.backtest import run_backtest, write_run
from tradingagents.backtest.run import PICK_COLUMNS, BacktestError
from tradingagents.backtest.session import plan_sessions, session_bars, window_days
from tradingagents.cli import main
from tradingagents.history.statistics import record_statistics
from tradingagents.store import MarketStore

TECHNICAL = [
    "trend_template",
    "high_52w_breakout",
    "rsi_oversold",
    "unusual_volume",
    "volume_accumulation",
]
D = 305  # the session (index) whose picks must not depend on what came after it
SPLIT_RATIO = 4.0


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return market()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, frames: dict[str, pd.DataFrame]) -> MarketStore:
    return write_store(tmp_path_factory.mktemp("store") / "market", frames)


def _rewritten(
    frames: dict[str, pd.DataFrame], first: int, split_symbols: list[str]
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """``frames`` with every bar from session index ``first`` on changed (prices scaled by
    random factors, volumes too) and a 4:1 split on ``split_symbols`` at ``first``."""
    rng = np.random.default_rng(99)
    changed = {name: frame.copy() for name, frame in frames.items()}
    rows = changed["close"].index[first:]
    factor = rng.uniform(0.6, 1.6, (len(rows), len(SYMBOLS)))
    for name in ("open", "high", "low", "close"):
        changed[name].loc[rows] = changed[name].loc[rows].to_numpy() * factor
    changed["volume"].loc[rows] = changed["volume"].loc[rows].to_numpy() * rng.uniform(
        0.2, 6.0, factor.shape
    )
    for name in ("open", "high", "low", "close"):
        changed[name].loc[rows, split_symbols] /= SPLIT_RATIO
    changed["volume"].loc[rows, split_symbols] *= SPLIT_RATIO
    splits = pd.DataFrame(
        {"symbol": split_symbols, "ex_date": SESSIONS[first], "ratio": SPLIT_RATIO}
    )
    return changed, splits


def _picks(store: MarketStore, first: int, last: int, upto: int | None = None) -> pd.DataFrame:
    """The picks of sessions ``first`` to ``last``, those up to session ``upto`` only."""
    result = run_backtest(
        store, SESSIONS[first], SESSIONS[last], scanners=TECHNICAL, backend="threads", workers=2
    )
    assert not result.failed
    picks = result.picks
    if upto is not None:
        picks = picks[picks["session"] <= pd.Timestamp(SESSIONS[upto])]
    return picks.reset_index(drop=True)


@pytest.mark.timeout(120)
def test_no_look_ahead_picks_of_d_ignore_every_later_bar_and_split(
    tmp_path: Path, store: MarketStore, frames: dict[str, pd.DataFrame]
) -> None:
    # The run goes past D, so the original store's sessions share one read reaching past D.
    before = _picks(store, D - 2, D + 3, upto=D)
    assert set(before["scanner"]) >= {"trend_template", "rsi_oversold", "unusual_volume"}
    picked_on_d = sorted(set(before.loc[before["session"] == pd.Timestamp(SESSIONS[D]), "ticker"]))
    split_symbols = picked_on_d[:3]

    later, splits = _rewritten(frames, D + 1, split_symbols)
    rewritten = write_store(tmp_path / "after_d", later, splits)
    after = _picks(rewritten, D - 2, D + 3, upto=D)

    columns = list(PICK_COLUMNS)
    pd.testing.assert_frame_equal(before[columns], after[columns])
    # The rewrite was real: the same picks now have other forward returns.
    assert not np.allclose(before["fwd_return_5"], after["fwd_return_5"], equal_nan=True)

    # ... and the test can see look-ahead: changing the bars from D itself changes the picks.
    from_d, splits_d = _rewritten(frames, D, split_symbols)
    touched = _picks(write_store(tmp_path / "from_d", from_d, splits_d), D - 2, D + 3, upto=D)
    assert not before[columns].equals(touched[columns])


@pytest.mark.timeout(120)
def test_forward_returns_are_split_aware(
    tmp_path: Path, store: MarketStore, frames: dict[str, pd.DataFrame]
) -> None:
    picks = _picks(store, D, D)
    ticker = picks["ticker"].iloc[0]
    # A 4:1 split two sessions after D, with no other change: the economic return is intact.
    split = {name: frame.copy() for name, frame in frames.items()}
    rows = split["close"].index[D + 2 :]
    for name in ("open", "high", "low", "close"):
        split[name].loc[rows, ticker] /= SPLIT_RATIO
    split["volume"].loc[rows, ticker] *= SPLIT_RATIO
    splits = pd.DataFrame(
        {"symbol": [ticker], "ex_date": [SESSIONS[D + 2]], "ratio": [SPLIT_RATIO]}
    )
    after = _picks(write_store(tmp_path / "split", split, splits), D, D)
    row = after[after["ticker"] == ticker].iloc[0]
    close = frames["close"][ticker]
    for h in (1, 5, 10, 20):
        assert row[f"fwd_return_{h}"] == pytest.approx(close.iloc[D + h] / close.iloc[D] - 1)
    assert row["close"] == pytest.approx(close.iloc[D])


@pytest.mark.timeout(180)
def test_every_backend_gives_identical_results(store: MarketStore) -> None:
    runs = {
        backend: run_backtest(
            store, SESSIONS[300], SESSIONS[311], scanners=TECHNICAL, backend=backend, workers=2
        )
        for backend in ("processes", "threads", "dask")  # dask: a real LocalCluster
    }
    processes = runs["processes"]
    assert len(processes.sessions) == 12 and not processes.failed
    assert len(processes.picks) > 0
    for other in (runs["threads"], runs["dask"]):
        assert not other.failed
        pd.testing.assert_frame_equal(processes.picks, other.picks)
        pd.testing.assert_frame_equal(processes.by_scanner, other.by_scanner)
        pd.testing.assert_frame_equal(processes.by_priority, other.by_priority)


@pytest.mark.timeout(120)
def test_run_folder_holds_picks_and_the_shared_statistics(
    tmp_path: Path, store: MarketStore, frames: dict[str, pd.DataFrame]
) -> None:
    result = run_backtest(
        store,
        SESSIONS[296],
        SESSIONS[303],
        scanners=[*TECHNICAL, "reddit_dd"],
        horizons=(1, 5),
        backend="threads",
        workers=2,
    )
    folder = write_run(result, tmp_path / "run")
    picks = pd.read_parquet(folder / "picks.parquet")
    wanted = ("session", "scanner", "ticker", "priority", "close", "fwd_return_1", "fwd_return_5")
    assert set(wanted) <= set(picks.columns)
    assert picks["priority"].isin(["critical", "high", "medium", "low"]).all()
    # Fractions: close(D + 5 sessions) / close(D) - 1, from the bars themselves.
    row = picks.iloc[0]
    position = frames["close"].index.get_loc(pd.Timestamp(row["session"]))
    close = frames["close"][row["ticker"]]
    assert row["close"] == pytest.approx(close.iloc[position])
    assert row["fwd_return_5"] == pytest.approx(close.iloc[position + 5] / close.iloc[position] - 1)

    summary = json.loads((folder / "summary.json").read_text())
    assert summary["sessions"] == 8 and summary["picks"] == len(picks)
    assert summary["symbols_per_session"] == {"min": len(SYMBOLS), "max": len(SYMBOLS)}
    assert summary["not_backtested"][0]["scanner"] == "reddit_dd"
    assert "reddit" in summary["not_backtested"][0]["reason"]
    assert "reddit_dd" not in set(picks["scanner"])
    # The same numbers as the shared statistics module computes from the picks file.
    picks["session"] = pd.to_datetime(picks["session"])
    expected = record_statistics(picks, sessions=8, horizons=(1, 5), by=("scanner",))
    got = pd.DataFrame(summary["by_scanner"])
    pd.testing.assert_frame_equal(
        got.fillna(np.nan), expected.fillna(np.nan), check_dtype=False, check_exact=False
    )
    table = pd.read_csv(folder / "summary.csv")
    assert len(table) == len(summary["by_scanner"]) + len(summary["by_priority"])
    assert set(table.loc[table["priority"] == "all", "scanner"]) == set(result.scanners)


def test_a_selection_without_any_store_scanner_is_refused(store: MarketStore) -> None:
    with pytest.raises(BacktestError, match="reddit_dd reads reddit"):
        run_backtest(store, SESSIONS[300], SESSIONS[301], scanners=["reddit_dd"])
    with pytest.raises(BacktestError, match="unknown scanner"):
        run_backtest(store, SESSIONS[300], SESSIONS[301], scanners=["nope"])
    with pytest.raises(BacktestError, match="has no session"):
        later = SESSIONS[-1] + pd.Timedelta(days=10)
        run_backtest(store, later, later + pd.Timedelta(days=10))
    with pytest.raises(BacktestError, match="horizons"):
        run_backtest(store, SESSIONS[300], SESSIONS[301], horizons=(0,))


@pytest.mark.timeout(120)
def test_command_writes_the_run_folder_and_lists_unsupported_scanners(
    tmp_path: Path, store: MarketStore, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bt"
    code = main(
        [
            "backtest",
            "--start", SESSIONS[300].isoformat(),
            "--end", SESSIONS[302].isoformat(),
            "--scanners", "trend_template,reddit_dd",
            "--horizons", "1,5",
            "--backend", "threads",
            "--workers", "1",
            "--store", str(store.root),
            "--out", str(out),
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "not backtested: reddit_dd" in captured.err
    assert "3 sessions" in captured.out and "trend_template" in captured.out
    for name in ("picks.parquet", "summary.csv", "summary.json", "report.html"):
        assert (out / name).is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--start", "2024-03-01", "--end", "2024-02-01"], "before --start"),
        (["--start", "2030-01-01", "--end", "2030-02-01"], "has no session"),
        (["--start", "2024-03-01", "--end", "2024-03-05", "--scanners", "nope"], "unknown"),
        (["--start", "2024-03-01", "--end", "2024-03-05", "--address", "tcp://x:1"], "dask"),
    ],
)
def test_command_refuses_bad_input_with_exit_code_2(
    store: MarketStore, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = main(["backtest", *extra, "--store", str(store.root), "--backend", "threads"])
    assert code == 2
    assert message in capsys.readouterr().err


def test_sessions_cut_from_a_shared_read_equal_their_own_read_as_of_d(
    tmp_path: Path, frames: dict[str, pd.DataFrame]
) -> None:
    # Splits inside the range (two on one day), before it and after it.
    changed = {name: frame.copy() for name, frame in frames.items()}
    planted = [("S03", 250), ("S07", 303), ("S08", 303), ("S03", 306), ("S11", 330)]
    for symbol, at in planted:
        rows = changed["close"].index[at:]
        for name in ("open", "high", "low", "close"):
            changed[name].loc[rows, symbol] /= 2.0
        changed["volume"].loc[rows, symbol] *= 2.0
    splits = pd.DataFrame(
        {"symbol": [s for s, _ in planted], "ex_date": [SESSIONS[at] for _, at in planted],
         "ratio": 2.0}
    )  # fmt: skip
    store = write_store(tmp_path / "splits", changed, splits)
    days = window_days([])
    tasks = plan_sessions(SESSIONS[298:312], list(splits["ex_date"]), days)
    anchors = sorted({t.read_as_of for t in tasks})
    assert anchors == [SESSIONS[i].isoformat() for i in (302, 305, 311)]
    for task in tasks:
        day = dt.date.fromisoformat(task.session)
        shared = store.read(
            dt.date.fromisoformat(task.read_as_of), start=dt.date.fromisoformat(task.read_start)
        )
        own = store.read(day, start=day - dt.timedelta(days=days))
        cut, direct = session_bars(shared, day, days), session_bars(own, day, days)
        for name in ("open", "high", "low", "close", "volume"):
            pd.testing.assert_frame_equal(
                getattr(cut, name), getattr(direct, name), check_exact=True
            )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"trend_template": {"fast_sma_days": 300}}, "fast_sma_days < middle_sma_days"),
        ({"rsi_oversold": {"max_rsi": "low"}}, "max_rsi"),
        ({"nope": {}}, "nope"),
    ],
)
def test_command_names_config_problems_with_exit_code_2(
    tmp_path: Path,
    store: MarketStore,
    capsys: pytest.CaptureFixture[str],
    settings: dict[str, object],
    message: str,
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"discovery": {"scanners": settings}}))
    dates = ["--start", SESSIONS[300].isoformat(), "--end", SESSIONS[301].isoformat()]
    code = main(["backtest", *dates, "--store", str(store.root), "--config", str(config)])
    assert code == 2
    assert message in capsys.readouterr().err
