"""The market store: round trip, schema migration, point-in-time split adjustment on the real
AAPL 4:1 split, one process writing while another reads, and resuming after a kill."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.store_kit import session_bars, sessions
from tradingagents.cli import main as cli_main
from tradingagents.store import (
    MarketStore,
    StoreBusy,
    StoreError,
    StoreVersionError,
    layout,
    schema,
)
from tradingagents.store.ingest import ingest_sessions, missing_sessions

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT.parent / "shared" / "fixtures" / "ohlcv" / "sp500_daily_2019_2021"
needs_fixture = pytest.mark.skipif(
    not FIXTURE.is_dir(),
    reason=f"the real S&P 500 bars fixture is not at {FIXTURE} (it lives outside the repo)",
)


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_kit", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


# -- round trip -------------------------------------------------------------------------------


def test_round_trip_keeps_bars_as_traded_and_records_the_ingest(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    days = sessions(3)
    with store.writer() as writer:
        for day in days:
            writer.write_session(day, session_bars(day), "unit test")
    assert store.sessions() == days
    assert store.version == schema.SCHEMA_VERSION
    back = store.session_table(days[1])
    assert back.equals(session_bars(days[1]).cast(schema.BARS))
    log = store.ingest_log()
    assert log["session"].tolist() == days
    assert set(log["source"]) == {"unit test"}
    assert (log["rows"] == 40).all()
    assert all(dt.datetime.fromisoformat(t).tzinfo is not None for t in log["ingested_at"])

    wide = store.read(days[-1])
    assert list(wide.symbols[:2]) == ["S000", "S001"]
    assert wide["close"].shape == (3, 40)
    expected = session_bars(days[0]).column("close").to_numpy()
    np.testing.assert_array_equal(wide["close"].iloc[0].to_numpy(), expected)
    assert wide.sessions[-1].date() == days[-1]


def test_read_window_symbols_and_optional_fields(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    days = sessions(5)
    with store.writer() as writer:
        for day in days:
            writer.write_session(day, session_bars(day), "unit test")
    wide = store.read(days[3], sessions=2, symbols=["S002", "NOPE"], fields=("close", "vwap"))
    assert [d.date() for d in wide.sessions] == days[2:4]  # nothing after as_of
    assert list(wide.symbols) == ["S002", "NOPE"]
    assert wide["close"]["NOPE"].isna().all()
    assert wide["vwap"]["S002"].tolist() == wide["close"]["S002"].tolist()
    assert store.read(days[4], start=days[3])["close"].shape == (2, 40)
    with pytest.raises(StoreError, match="no bar field"):
        store.read(days[0], fields=("adjusted_close",))


def test_rewriting_a_session_replaces_it_whole(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    day = sessions(1)[0]
    with store.writer() as writer:
        writer.write_session(day, session_bars(day, symbols=40), "first")
        writer.write_session(day, session_bars(day, symbols=10, version=1), "second")
    table = store.session_table(day)
    assert table.num_rows == 10
    assert store.ingest_log()["source"].tolist() == ["second"]


def test_bad_bars_are_refused_with_the_problem_named(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    day = sessions(1)[0]
    twice = pa.concat_tables([session_bars(day, 3), session_bars(day, 1)])
    no_volume = session_bars(day).drop_columns(["volume"])
    negative = session_bars(day, 3).set_column(4, "close", pa.array([1.0, -2.0, 3.0]))
    with store.writer() as writer:
        with pytest.raises(StoreError, match=r"repeat symbol.*S000"):
            writer.write_session(day, twice, "x")
        with pytest.raises(StoreError, match=r"lack column.*volume"):
            writer.write_session(day, no_volume, "x")
        with pytest.raises(StoreError, match=r"not positive numbers.*S001"):
            writer.write_session(day, negative, "x")
    assert store.sessions() == []


def test_listing_keeps_its_history(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    first = pd.DataFrame(
        {
            "symbol": ["AAA", "BBB"],
            "name": ["Aaa Inc", "Bbb Corp"],
            "type": ["CS", "WARRANT"],
            "primary_exchange": ["XNAS", "XNYS"],
        }
    )
    second = pd.DataFrame(
        {
            "symbol": ["AAA", "CCC"],
            "name": ["Aaa Holdings", "Ccc"],
            "type": ["CS", "ETF"],
            "primary_exchange": ["XNAS", "ARCX"],
        }
    )
    d1, d2 = dt.date(2024, 1, 2), dt.date(2024, 1, 3)
    with store.writer() as writer:
        writer.update_listing(first, d1, complete=True)
        writer.update_listing(second, d2, complete=True)
    listing = store.listing().set_index("symbol")
    assert listing.loc["AAA", "name"] == "Aaa Holdings"
    assert (listing.loc["AAA", "first_seen"], listing.loc["AAA", "last_seen"]) == (d1, d2)
    assert not listing.loc["BBB", "active"] and listing.loc["BBB", "last_seen"] == d1
    assert listing.loc["BBB", "type"] == "WARRANT"
    assert listing.loc["CCC", "active"] and listing.loc["CCC", "first_seen"] == d2


def test_splits_merge_without_duplicates(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    split = pd.DataFrame({"symbol": ["AAA"], "ex_date": ["2024-01-03"], "ratio": [4.0]})
    with store.writer() as writer:
        assert writer.add_splits(split) == 1
        assert writer.add_splits(split) == 0
        with pytest.raises(StoreError, match="positive number; AAA"):
            writer.add_splits(split.assign(ratio=0.0))
    assert store.splits()[["symbol", "ratio"]].values.tolist() == [["AAA", 4.0]]


def test_a_second_writer_is_refused_not_blocked(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    # flock is per open file, so a second open in this process contends like a process.
    with store.writer(), pytest.raises(StoreBusy, match="another process"), store.writer():
        pass


def test_packed_months_read_the_same_and_take_rewrites(tmp_path: Path) -> None:
    store = MarketStore(tmp_path)
    days = sessions(45)  # 2024-01-02 .. 2024-03-04
    with store.writer() as writer:
        for day in days:
            writer.write_session(day, session_bars(day), f"source {day}")
    before = store.read(days[-1])["close"]
    log_before = store.ingest_log()
    with store.writer() as writer:
        assert writer.pack() == 2  # January and February; March is still open
    assert list(layout.month_files(tmp_path)) == ["2024-01", "2024-02"]
    assert [d.month for d in layout.day_files(tmp_path)] == [3, 3]
    pd.testing.assert_frame_equal(store.read(days[-1])["close"], before)
    pd.testing.assert_frame_equal(store.ingest_log(), log_before)
    assert store.session_table(days[5]).equals(session_bars(days[5]).cast(schema.BARS))
    # A rewrite of a packed session goes into its month file.
    with store.writer() as writer:
        writer.write_session(days[5], session_bars(days[5], symbols=3, version=1), "again")
    assert store.session_table(days[5]).num_rows == 3
    assert store.ingest_log().set_index("session").loc[days[5], "source"] == "again"
    assert store.sessions() == days
    # A session file left by a writer killed after packing is ignored, then deleted.
    stale = layout.session_file(tmp_path, days[1])
    pq.write_table(session_bars(days[1], version=9), stale)
    assert (
        store.session_table(days[1]).column("close").equals(session_bars(days[1]).column("close"))
    )
    with store.writer():
        pass
    assert not stale.exists()


# -- schema versions --------------------------------------------------------------------------


def _v0_store(root: Path, days: list[dt.date]) -> None:
    """The unversioned prototype layout: five bar columns, no version file, no provenance."""
    for day in days:
        table = session_bars(day).select(["symbol", "open", "high", "low", "close", "volume"])
        path = layout.session_file(root, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)


def test_a_v0_store_is_migrated_by_the_next_writer(tmp_path: Path) -> None:
    days = sessions(3)
    _v0_store(tmp_path, days)
    store = MarketStore(tmp_path)
    assert store.version == 0
    assert store.read(days[-1])["close"].shape == (3, 40)  # readable before the migration
    with store.writer() as writer:
        writer.write_session(day := sessions(4)[-1], session_bars(day), "new")
    assert json.loads((tmp_path / layout.VERSION_FILE).read_text())["schema_version"] == 1
    assert store.version == schema.SCHEMA_VERSION
    old = store.session_table(days[0])
    assert old.schema.equals(schema.BARS)
    assert old.column("vwap").null_count == 40
    assert old.column("close").equals(session_bars(days[0]).column("close"))
    sources = store.ingest_log().set_index("session")["source"]
    assert sources[days[0]] == "unknown (schema 0 store)" and sources[day] == "new"
    wide = store.read(day, fields=("close", "vwap"))
    assert wide["vwap"].iloc[:3].isna().all().all() and wide["vwap"].iloc[3].notna().all()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    schema.write_version(tmp_path, schema.SCHEMA_VERSION + 1)
    with pytest.raises(StoreVersionError, match="newer than this program"):
        MarketStore(tmp_path)
    (tmp_path / layout.VERSION_FILE).write_text("{not json")
    with pytest.raises(StoreVersionError, match="unreadable"):
        MarketStore(tmp_path)


# -- processes --------------------------------------------------------------------------------


@pytest.mark.timeout(90)
def test_one_process_writes_while_another_reads(tmp_path: Path) -> None:
    days = sessions(30)  # January and February 2024: the writer packs January
    store = MarketStore(tmp_path)
    with store.writer() as writer:
        for day in days:
            writer.write_session(day, session_bars(day), "seed")
    writer_process = _child("write", str(tmp_path), "30", "8")
    try:
        assert writer_process.stdout is not None
        writer_process.stdout.readline()  # at least one full pass rewritten
        reads = 0
        with pytest.raises(StoreBusy), store.writer():
            pass
        while writer_process.poll() is None and reads < 200:
            wide = store.read(days[-1])
            close = wide["close"]
            assert close.shape == (30, 40)
            # Every session read is one whole write: its 40 closes share one version.
            versions = np.floor(close.to_numpy() / 10_000)
            assert (versions == versions[:, :1]).all()
            reads += 1
        assert reads >= 5
        assert layout.month_files(tmp_path)  # packing happened while we read
    finally:
        writer_process.kill()
        writer_process.wait()


@pytest.mark.timeout(90)
def test_an_ingest_killed_midway_resumes_without_duplicate_or_gap(tmp_path: Path) -> None:
    wanted = sessions(60)
    child = _child("ingest", str(tmp_path), "60")
    assert child.stdout is not None
    for _ in range(10):
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()
    store = MarketStore(tmp_path)
    done = store.sessions()
    assert 10 <= len(done) < 60
    assert done == wanted[: len(done)]  # in order, no gap
    missing = missing_sessions(store, wanted)
    assert missing == wanted[len(done) :]

    fetched: list[dt.date] = []

    def fetch(day: dt.date) -> pa.Table:
        fetched.append(day)
        return session_bars(day)

    with store.writer() as writer:
        result = ingest_sessions(writer, wanted, fetch, "resumed")
    assert fetched == missing  # nothing fetched twice
    assert result.already == len(done)
    assert store.sessions() == wanted
    assert not list((tmp_path / layout.BARS_DIR).glob(f"{layout.TEMP_PREFIX}*"))
    close = store.read(wanted[-1])["close"]
    assert close.shape == (60, 40) and close.notna().all().all()
    with store.writer() as writer:  # idempotent: a second run fetches nothing
        again = ingest_sessions(writer, wanted, fetch, "again")
    assert again.written == [] and fetched == missing


# -- the real fixture: import and point-in-time adjustment -----------------------------------


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    if not FIXTURE.is_dir():
        pytest.skip(f"the real S&P 500 bars fixture is not at {FIXTURE}")
    root = tmp_path_factory.mktemp("fixture_store")
    assert cli_main(["data", "import", str(FIXTURE), "--store", str(root)]) == 0
    return MarketStore(root)


@needs_fixture
@pytest.mark.timeout(240)
def test_data_import_loads_the_whole_fixture_as_traded(
    fixture_store: MarketStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store = fixture_store
    sessions_held = store.sessions()
    assert (sessions_held[0], sessions_held[-1]) == (dt.date(2019, 4, 22), dt.date(2021, 4, 21))
    assert len(sessions_held) == 505
    log = store.ingest_log()
    assert log["source"].str.startswith("import ").all()
    aapl = store.session_table(dt.date(2020, 8, 28)).to_pandas().set_index("symbol")
    assert aapl.loc["AAPL", "close"] == 499.23  # as traded, not adjusted
    splits = store.splits().set_index(["symbol", "ex_date"])["ratio"]
    assert splits[("AAPL", dt.date(2020, 8, 31))] == 4.0
    assert splits[("TSLA", dt.date(2020, 8, 31))] == 5.0
    assert len(store.read(dt.date(2021, 4, 21), sessions=1).symbols) >= 500
    assert cli_main(["data", "status", "--store", str(store.root)]) == 0
    out = capsys.readouterr().out
    assert "505 (2019-04-22 .. 2021-04-21)" in out and "splits:    15" in out
    assert "session(s) behind the last completed one" in out  # the fixture ends in 2021


@needs_fixture
@pytest.mark.timeout(240)
def test_reads_are_adjusted_only_for_splits_known_as_of_the_date(
    fixture_store: MarketStore,
) -> None:
    before = fixture_store.read(dt.date(2020, 8, 28), sessions=60, symbols=["AAPL", "MSFT"])
    after = fixture_store.read(dt.date(2020, 9, 1), sessions=60, symbols=["AAPL", "MSFT"])
    # As of the Friday before the split: unadjusted levels, and no bar from after it.
    assert before.sessions[-1] == pd.Timestamp("2020-08-28")
    assert before["close"].loc["2020-08-28", "AAPL"] == pytest.approx(499.23)
    assert before["close"]["AAPL"].min() > 250
    assert before["volume"].loc["2020-08-28", "AAPL"] == 46_907_479
    # As of the day after: every level in post-split shares, and the split day as traded.
    assert after.sessions[-1] == pd.Timestamp("2020-09-01")
    assert after["close"].loc["2020-08-28", "AAPL"] == pytest.approx(499.23 / 4)
    assert after["close"].loc["2020-08-31", "AAPL"] == pytest.approx(129.04)
    assert after["close"].loc["2020-09-01", "AAPL"] == pytest.approx(134.18)
    assert after["high"]["AAPL"].max() < 140
    assert after["volume"].loc["2020-08-28", "AAPL"] == 46_907_479 * 4
    # A symbol without a split is the same in both reads.
    shared = before["close"].index.intersection(after["close"].index)
    assert len(shared) == 58
    pd.testing.assert_series_equal(
        before["close"]["MSFT"].loc[shared], after["close"]["MSFT"].loc[shared]
    )
