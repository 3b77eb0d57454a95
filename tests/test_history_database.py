"""The run-history database: recording, secrets, schema migrations, two writing processes,
and the scanner durations the scheduler reads."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_kit import ROOT
from tests.history_kit import SECRET, final_state, report
from tradingagents.history import (
    HistoryError,
    config_hash,
    configured_history_path,
    connect,
    recent_durations,
    record_run,
    record_safely,
)
from tradingagents.history.database import MIGRATIONS, SCHEMA_VERSION, migrate, version
from tradingagents.sources.redaction import register_secret


def _record(path: Path, final: dict[str, Any], **fields: Any) -> int:
    defaults: dict[str, Any] = {
        "config": {"data": {"mode": "sandbox"}},
        "wall_seconds": 3.0,
        "exit_code": 0,
        "results_dir": Path("/tmp/results/run"),
    }
    return record_run(path, final, **{**defaults, **fields})


def test_a_run_is_recorded_with_its_reports_picks_and_ranking(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    coverage = {"unit": "symbols", "total": 500, "ok": 498, "failed": 2, "summary": "498 of 500"}
    final = final_state([report("alpha", coverage=coverage), report("beta", "timeout", 30.0)])
    run_id = _record(db, final, exit_code=0, wall_seconds=4.25)
    with connect(db) as connection:
        run = connection.execute(
            "SELECT trade_date, session_date, data_mode, execution, wall_seconds, exit_code,"
            " results_dir, config_hash FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        reports = connection.execute(
            "SELECT name, status, duration_seconds, coverage FROM scanner_reports ORDER BY name"
        ).fetchall()
        picks = connection.execute(
            "SELECT ticker, scanner, priority FROM picks ORDER BY ticker, scanner"
        ).fetchall()
        ranking = connection.execute(
            "SELECT rank, ticker, score, scanners FROM rankings"
        ).fetchall()
    assert run == (
        "2026-11-21",
        "2026-11-20",
        "sandbox",
        "concurrent",
        4.25,
        0,
        "/tmp/results/run",
        config_hash({"data": {"mode": "sandbox"}}),
    )
    assert [(n, s, d) for n, s, d, _ in reports] == [
        ("alpha", "ok", 1.0),
        ("beta", "timeout", 30.0),
    ]
    assert json.loads(reports[0][3]) == coverage and reports[1][3] is None
    # RDI's merged priority is its lead scanner's (alpha); beta's own priority is unknown.
    assert picks == [("ACQ", "beta", "low"), ("RDI", "alpha", "high"), ("RDI", "beta", None)]
    assert ranking == [(1, "RDI", 55.0, '["alpha", "beta"]')]


def test_secrets_never_reach_the_database(tmp_path: Path) -> None:
    register_secret(SECRET)
    db = tmp_path / "history.sqlite"
    failing = report("alpha", "error", error=f"401 for https://x/?token={SECRET}")
    config = {"data": {"sources": {"finnhub": {"api_key": SECRET}}}}
    _record(db, final_state([failing], ranking_error=f"ranker said {SECRET}"), config=config)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert SECRET.encode() not in stored
    with connect(db) as connection:
        (error,) = connection.execute("SELECT error FROM scanner_reports").fetchone()
    assert error.startswith("401 for https://x/?token=") and SECRET not in error
    # The hash is of the masked config: another key gives the same hash.
    other = {"data": {"sources": {"finnhub": {"api_key": "another-key-123"}}}}
    assert config_hash(config) == config_hash(other) != config_hash({})


def test_a_failed_write_is_one_warning_and_no_exception(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unusable = tmp_path / "not-a-db"
    unusable.write_bytes(b"this is not a sqlite file, it is plain text" * 100)
    result = record_safely(
        unusable, final_state(), config={}, wall_seconds=1.0, exit_code=0, results_dir=None
    )
    assert result is None
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"tradingagents: warning: run not recorded in {unusable}"
    )


def test_an_old_file_is_migrated_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    _record(db, final_state())
    with connect(db) as connection:
        assert version(connection) == SCHEMA_VERSION == len(MIGRATIONS)
        # A future version 2 adds a column; the v1 rows survive it.
        v2 = (
            *MIGRATIONS,
            "ALTER TABLE runs ADD COLUMN host TEXT; CREATE INDEX runs_host ON runs (host);",
        )
        assert migrate(connection, v2) == 2
        assert connection.execute("SELECT COUNT(*), MAX(host) FROM runs").fetchone() == (1, None)
        assert migrate(connection, v2) == 2  # nothing left to apply
    with (
        pytest.raises(
            HistoryError, match="schema version 2; this version of tradingagents reads up to 1"
        ),
        connect(db),
    ):
        pass


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    _record(db, final_state())
    with connect(db) as connection:
        broken = (*MIGRATIONS, "ALTER TABLE runs ADD COLUMN host TEXT; THIS IS NOT SQL;")
        with pytest.raises(sqlite3.OperationalError):
            migrate(connection, broken)
        assert version(connection) == 1
        columns = [row[1] for row in connection.execute("PRAGMA table_info(runs)")]
        assert "host" not in columns


WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from tests.history_kit import final_state
from tradingagents.history import record_run
db, tag = Path(sys.argv[1]), sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()  # both start writing at once
for i in range(60):
    record_run(db, final_state(session_date=f"2026-11-{10 + i % 10}"), config={"tag": tag},
               wall_seconds=float(i), exit_code=0, results_dir=Path(f"/r/{tag}/{i}"))
print("done", flush=True)
"""


@pytest.mark.timeout(90)
def test_two_processes_record_at_the_same_time(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), tag, str(ROOT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("cron", "shell")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outputs = [w.communicate(timeout=80) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and out.strip() == "done", err
    with connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        folders = [r[0] for r in connection.execute("SELECT results_dir FROM runs")]
        assert connection.execute("SELECT COUNT(*) FROM picks").fetchone() == (120 * 3,)
        assert connection.execute("SELECT COUNT(*) FROM scanner_reports").fetchone() == (120,)
    assert sorted(folders) == sorted(f"/r/{t}/{i}" for t in ("cron", "shell") for i in range(60))


def test_recent_durations_are_the_median_of_the_last_ok_runs(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    for alpha, beta in ((9.0, 1.0), (2.0, 1.5), (3.0, 2.0), (4.0, 2.5), (100.0, 3.0)):
        _record(db, final_state([report("alpha", seconds=alpha), report("beta", seconds=beta)]))
    # An error and a timeout are not durations of a completed scan.
    _record(db, final_state([report("alpha", "timeout", 30.0), report("beta", "error", 0.1)]))
    assert recent_durations(db, ["alpha", "beta", "gamma"], last=3) == {
        "alpha": 4.0,  # median of 100, 4, 3: one slow run does not move it
        "beta": 2.5,  # median of 3.0, 2.5, 2.0
    }
    assert recent_durations(db, ["alpha"], last=4) == {"alpha": 3.5}  # 100, 4, 3, 2
    assert recent_durations(tmp_path / "missing.sqlite", ["alpha"]) == {}
    assert not (tmp_path / "missing.sqlite").exists()  # reading never creates the file
    with pytest.raises(ValueError, match="last must be at least 1"):
        recent_durations(db, ["alpha"], last=0)


def test_recent_durations_of_an_unreadable_file_are_empty_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = tmp_path / "history.sqlite"
    garbage.write_bytes(b"not a database at all " * 200)
    assert recent_durations(garbage, ["alpha"]) == {}
    assert "scanner durations not read from the run history" in caplog.text


def test_the_history_lives_next_to_the_http_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert configured_history_path({"cache_dir": str(tmp_path)}) == tmp_path / "history.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "tradingagents" / "history.sqlite"
    assert configured_history_path(None) == expected
