"""``tradingagents data update`` against the sandbox's Massive emulator, through the real
``massive`` client: a separate emulator process with a fake key, the types of the listing,
the splits, the rate-limit knob, and honest failures."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_kit import served_emulator
from tradingagents.cli import main as cli_main
from tradingagents.sources.errors import InvalidCredentials
from tradingagents.sources.hub import Sources
from tradingagents.store import MarketStore
from tradingagents.store.sessions import sessions_ending
from tradingagents.store.update import update_store

ROOT = Path(__file__).resolve().parents[1]
KEY = "fake-massive-key-0123456789"
TRADE_DATE = "2026-11-27"  # the day after Thanksgiving: 2026-11-26 has no session


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    """The sandbox emulator in its own process, accepting only KEY for Massive."""
    knobs = {"massive": {"valid_keys": [KEY], "latency": {"median_ms": 0}}}
    with served_emulator(TRADE_DATE, knobs) as urls:
        yield urls


def _live_config(tmp_path: Path, base_url: str) -> Path:
    config = {
        "data": {
            "mode": "live",
            "cache_dir": str(tmp_path / "cache"),
            "sources": {
                "massive": {
                    "base_url": base_url,
                    "rate_limit": {"per_second": 20, "per_minute": None},
                }
            },
        }
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.timeout(120)
def test_update_from_a_separate_emulator_with_a_fake_key(
    emulator: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MASSIVE_API_KEY", KEY)
    config = _live_config(tmp_path, emulator["massive"])
    store_dir = tmp_path / "store"
    args = [
        "data",
        "update",
        "--config",
        str(config),
        "--store",
        str(store_dir),
        "--until",
        TRADE_DATE,
        "--sessions",
        "4",
    ]
    assert cli_main(args) == 0
    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    store = MarketStore(store_dir)
    # XNYS sessions: Thanksgiving is not one, so the four are 11-23, 24, 25 and 27.
    assert store.sessions() == [dt.date(2026, 11, d) for d in (23, 24, 25, 27)]
    assert set(store.ingest_log()["source"]) == {"massive grouped daily (as traded)"}

    listing = store.listing().set_index("symbol")
    types = listing["type"].value_counts(dropna=False)
    for kind in ("CS", "ETF", "WARRANT", "RIGHT", "UNIT", "PFD"):
        assert types.get(kind, 0) > 0, kind
    assert pd.isna(listing.loc["ZTST", "type"])  # exchange test tickers come without a type
    assert listing.loc["SPY", "primary_exchange"] == "ARCX"
    warrants = listing.index[listing["type"] == "WARRANT"]
    assert all(symbol.endswith("w") for symbol in warrants)
    # The grouped rows mix them all in; only the listing's type tells a stock.
    day = store.session_table(dt.date(2026, 11, 27)).to_pandas().set_index("symbol")
    assert {"ZTST", "SPY", warrants[0]} <= set(day.index)
    assert day.loc["ZTST", "close"] == 12345.0 and day["vwap"].isna().sum() == 6

    # Idempotent: a second run asks for nothing and changes nothing.
    before = store.ingest_log()
    assert cli_main(args) == 0
    assert "0 session(s) stored" in capsys.readouterr().out
    assert store.ingest_log().equals(before)


@pytest.mark.timeout(120)
def test_splits_make_point_in_time_reads_of_the_emulated_market(
    emulator: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASSIVE_API_KEY", KEY)
    config = _live_config(tmp_path, emulator["massive"])
    store_dir = tmp_path / "store"
    # 2026-06-15: a planted 1-for-3 split of TQKH in the seed-7 market.
    assert (
        cli_main(
            [
                "data",
                "update",
                "--config",
                str(config),
                "--store",
                str(store_dir),
                "--since",
                "2026-06-10",
                "--until",
                "2026-06-17",
            ]
        )
        == 0
    )
    store = MarketStore(store_dir)
    split = store.splits().set_index("symbol").loc["TQKH"]
    assert (split["ex_date"], split["ratio"]) == (dt.date(2026, 6, 15), 3.0)
    raw_before = store.session_table(dt.date(2026, 6, 12)).to_pandas().set_index("symbol")
    raw_after = store.session_table(dt.date(2026, 6, 15)).to_pandas().set_index("symbol")
    as_traded_jump = raw_after.loc["TQKH", "open"] / raw_before.loc["TQKH", "close"]
    assert as_traded_jump == pytest.approx(1 / 3, rel=0.15)
    before = store.read(dt.date(2026, 6, 12), symbols=["TQKH"])["close"]["TQKH"]
    after = store.read(dt.date(2026, 6, 17), symbols=["TQKH"])["close"]["TQKH"]
    assert before.iloc[-1] == raw_before.loc["TQKH", "close"]  # as traded on D
    assert after.loc["2026-06-12"] == pytest.approx(before.iloc[-1] / 3)
    assert after.loc["2026-06-15"] / after.loc["2026-06-12"] == pytest.approx(1, abs=0.15)


@pytest.mark.timeout(60)
def test_a_rejected_key_fails_plainly_and_stores_nothing(
    emulator: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "wrong-massive-key-9876543210"
    monkeypatch.setenv("MASSIVE_API_KEY", wrong)
    config = _live_config(tmp_path, emulator["massive"])
    store_dir = tmp_path / "store"
    code = cli_main(
        [
            "data",
            "update",
            "--config",
            str(config),
            "--store",
            str(store_dir),
            "--until",
            TRADE_DATE,
            "--sessions",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "key was rejected" in err and "Unknown API Key" in err
    assert wrong not in err
    assert MarketStore(store_dir).sessions() == []


@pytest.mark.timeout(120)
def test_the_sandbox_rate_limit_knob_is_respected_without_429(tmp_path: Path) -> None:
    config = {
        "data": {
            "mode": "sandbox",
            "sandbox": {
                "services": {
                    "massive": {"rate_limit": {"per_second": 2}, "latency": {"median_ms": 0}}
                }
            },
        }
    }
    wanted = sessions_ending(dt.date.fromisoformat(TRADE_DATE), 5)
    store = MarketStore(tmp_path / "store")
    with Sources.from_config(config, trade_date=TRADE_DATE) as sources:
        assert sources.sandbox is not None
        started = time.monotonic()
        result = update_store(store, sources.source("massive"), wanted)
        elapsed = time.monotonic() - started
        counts = sources.sandbox.counters()["massive"]
    assert result.bars.written == wanted
    requests = sum(sum(by_status.values()) for by_status in counts.values())
    assert requests >= 7  # splits + 5 sessions + listing
    assert all(429 not in by_status for by_status in counts.values()), counts
    assert elapsed >= (requests - 2) / 2 - 0.5  # 2 per second: the client waited its turn


def test_translate_names_a_rejected_key() -> None:
    from massive.exceptions import BadResponse

    from tradingagents.sources.massive import translate

    error = translate(BadResponse('{"status":"ERROR","error":"Unknown API Key"}'))
    assert isinstance(error, InvalidCredentials) and "Unknown API Key" in str(error)


def test_the_key_comes_from_massive_or_polygon_env_names() -> None:
    from tradingagents.sources.credentials import resolve_access
    from tradingagents.sources.redaction import scrub
    from tradingagents.sources.specs import configured_keys, load_data_config

    data = load_data_config({"mode": "live"})
    polygon = resolve_access(data, env={"POLYGON_API_KEY": "poly-key-4321"})["massive"]
    assert polygon.credentials == {"api_key": "poly-key-4321"}
    assert scrub("key poly-key-4321") == "key ***"
    both = {"MASSIVE_API_KEY": "massive-key-1234", "POLYGON_API_KEY": "poly-key-4321"}
    assert resolve_access(data, env=both)["massive"].credentials == {"api_key": "massive-key-1234"}
    assert "poly-key-4321" in configured_keys({}, env={"POLYGON_API_KEY": "poly-key-4321"})
    missing = resolve_access(data, env={})["massive"]
    assert missing.unavailable_reason == "MASSIVE_API_KEY is not set"


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[dict[str, str]]:
    """An emulator allowing Massive 4 requests a second, so an update takes a few seconds."""
    knobs = {
        "massive": {
            "valid_keys": [KEY],
            "latency": {"median_ms": 0},
            "rate_limit": {"per_second": 4},
        }
    }
    with served_emulator(TRADE_DATE, knobs) as urls:
        yield urls


def _update_process(config: Path, store_dir: Path, sessions: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradingagents",
            "data",
            "update",
            "--config",
            str(config),
            "--store",
            str(store_dir),
            "--until",
            TRADE_DATE,
            "--sessions",
            str(sessions),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MASSIVE_API_KEY": KEY},
    )


def _wait_for_sessions(store: MarketStore, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(store.sessions()) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the update stored nothing in 60 s"
        time.sleep(0.05)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("stop", ["kill", "interrupt"])
def test_an_update_stopped_midway_resumes_without_duplicate_or_gap(
    slow_emulator: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "data": {
                    "mode": "live",
                    "sources": {
                        "massive": {
                            "base_url": slow_emulator["massive"],
                            # per_minute: None drops the default free-tier 5/min.
                            "rate_limit": {"per_second": 4, "per_minute": None},
                        }
                    },
                }
            }
        )
    )
    store_dir = tmp_path / "store"
    store = MarketStore(store_dir)
    wanted = sessions_ending(dt.date.fromisoformat(TRADE_DATE), 16)
    process = _update_process(config, store_dir, 16)
    _wait_for_sessions(store, 3, process)
    process.send_signal(signal.SIGKILL if stop == "kill" else signal.SIGINT)
    _, err = process.communicate(timeout=30)
    if stop == "interrupt":
        assert process.returncode == 130
        assert "interrupted;" in err and "run it again to resume" in err
    held = store.sessions()
    assert 3 <= len(held) < 16
    assert held == wanted[: len(held)]  # oldest first: no gap
    first_log = store.ingest_log().set_index("session")

    monkeypatch.setenv("MASSIVE_API_KEY", KEY)
    assert (
        cli_main(
            [
                "data",
                "update",
                "--config",
                str(config),
                "--store",
                str(store_dir),
                "--until",
                TRADE_DATE,
                "--sessions",
                "16",
            ]
        )
        == 0
    )
    assert store.sessions() == wanted
    log = store.ingest_log().set_index("session")
    # The sessions stored before the stop were not fetched again.
    pd.testing.assert_series_equal(log.loc[held, "ingested_at"], first_log.loc[held, "ingested_at"])
    assert not list(store_dir.rglob(".tmp-*"))
    for day in wanted:
        symbols = store.session_table(day).column("symbol").to_pylist()
        assert len(symbols) == len(set(symbols)) > 500


@pytest.mark.timeout(120)
def test_update_without_a_mode_uses_the_real_service_and_sandbox_bars_are_labelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The project-wide default mode is the sandbox; a plain `data update` must not quietly
    # fill the user's store with the emulator's made-up market.
    monkeypatch.delenv("MASSIVE_API_KEY", raising=False)
    monkeypatch.delenv("POLYGON_API_KEY", raising=False)
    store_dir = tmp_path / "store"
    plain = ["data", "update", "--sessions", "2", "--until", TRADE_DATE, "--store", str(store_dir)]
    assert cli_main(plain) == 2
    assert "MASSIVE_API_KEY is not set" in capsys.readouterr().err
    assert MarketStore(store_dir).sessions() == []
    assert cli_main([*plain, "--sandbox"]) == 0
    assert "made-up market" in capsys.readouterr().err
    labels = set(MarketStore(store_dir).ingest_log()["source"])
    assert labels == {"sandbox emulator of massive grouped daily (made-up market)"}


def test_an_update_that_stored_nothing_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    from tradingagents.cli.data import update_exit_code
    from tradingagents.store.ingest import IngestResult
    from tradingagents.store.update import UpdateResult

    day = dt.date(2026, 11, 27)
    nothing = UpdateResult(bars=IngestResult(wanted=1, empty=[day]))
    assert update_exit_code(nothing) == 1
    assert "stored nothing" in capsys.readouterr().err
    some = UpdateResult(bars=IngestResult(wanted=2, written=[day], empty=[dt.date(2026, 11, 30)]))
    assert update_exit_code(some) == 0
    assert update_exit_code(UpdateResult(bars=IngestResult(wanted=1, already=1))) == 0
