"""Recording real `tradingagents discover --sandbox` runs in the run history, end to end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli_kit import FAST_SANDBOX, cli, write_config
from tradingagents.cli.discover import exit_code
from tradingagents.history import recent_durations

TRADE_DATE = "2026-11-20"


@pytest.mark.timeout(300)
def test_a_discover_run_is_recorded_next_to_the_cache_and_shown_by_history(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    config = write_config(
        tmp_path / "config.json",
        {"data": {"cache_dir": str(cache), "sandbox": {"services": FAST_SANDBOX}}},
    )
    run = cli(
        "discover",
        "--sandbox",
        "--date",
        TRADE_DATE,
        "--config",
        str(config),
        "--results-dir",
        str(tmp_path / "results"),
        "--json",
    )
    assert run.returncode == 0, run.stderr
    assert "not recorded" not in run.stderr
    payload = json.loads(run.stdout)
    db = cache / "history.sqlite"
    with sqlite3.connect(db) as connection:
        runs = connection.execute(
            "SELECT id, trade_date, session_date, data_mode, execution, exit_code, wall_seconds,"
            " results_dir, status FROM runs"
        ).fetchall()
        reports = connection.execute(
            "SELECT name, status, duration_seconds, candidates, coverage FROM scanner_reports"
            " ORDER BY rowid"
        ).fetchall()
        picks = connection.execute("SELECT ticker, scanner FROM picks").fetchall()
        ranking = connection.execute("SELECT ticker FROM rankings ORDER BY rank").fetchall()
    ((run_id, trade, session, mode, execution, code, wall, folder, status),) = runs
    assert (trade, session, mode, execution, code, status) == (
        TRADE_DATE,
        TRADE_DATE,
        "sandbox",
        "concurrent",
        0,
        "ranked",
    )
    assert folder == payload["results_dir"] and Path(folder, "discovery_result.json").exists()
    assert wall >= payload["scan_summary"]["wall_seconds"] > 0
    assert [(n, s, d, c) for n, s, d, c, _ in reports] == [
        (r["name"], r["status"], r["duration_seconds"], r["candidates"])
        for r in payload["scanner_reports"]
    ]
    assert [json.loads(c) if c else None for *_, c in reports] == [
        r.get("coverage") for r in payload["scanner_reports"]
    ]
    assert sorted(picks) == sorted(
        (c["ticker"], s) for c in payload["candidate_metadata"] for s in c["scanners"]
    )
    assert [t for (t,) in ranking] == [r["ticker"] for r in payload["final_ranking"]]
    names = [r["name"] for r in payload["scanner_reports"]]
    assert recent_durations(db, names) == {
        r["name"]: r["duration_seconds"] for r in payload["scanner_reports"] if r["status"] == "ok"
    }

    shown = cli("history", "--config", str(config), "--json")
    assert shown.returncode == 0, shown.stderr
    history = json.loads(shown.stdout)
    assert history["history"] == str(db) and [r["id"] for r in history["runs"]] == [run_id]
    assert history["sessions"] == 1
    found = {row["scanner"]: row for row in history["by_scanner"] if row["horizon"] == 1}
    for report in payload["scanner_reports"]:
        if report["candidates"]:
            assert found[report["name"]]["picks"] >= 1
            assert found[report["name"]]["realised"] == 0  # nothing tracked yet
            assert found[report["name"]]["session_share"] == 1.0
    table = cli("history", "--config", str(config), "--last", "1")
    assert table.returncode == 0, table.stderr
    assert TRADE_DATE in table.stdout and "no realised returns yet" in table.stdout


@pytest.mark.timeout(300)
def test_a_history_that_cannot_be_written_is_one_warning_and_the_exit_code_stays(
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "history.sqlite"
    garbage.write_bytes(b"not a database " * 500)
    config = write_config(
        tmp_path / "config.json", {"data": {"sandbox": {"services": FAST_SANDBOX}}}
    )
    run = cli(
        "discover",
        "--sandbox",
        "--date",
        TRADE_DATE,
        "--config",
        str(config),
        "--results-dir",
        str(tmp_path / "results"),
        "--history-db",
        str(garbage),
        "--timeout",
        "0.05",
        "--json",
    )
    payload = json.loads(run.stdout)
    assert run.returncode == exit_code(payload["scanner_reports"], strict=False)
    warnings = [line for line in run.stderr.splitlines() if "not recorded" in line]
    assert warnings == [
        f"tradingagents: warning: run not recorded in {garbage}: run history {garbage} is not"
        " usable: file is not a database"
    ]
    assert Path(payload["results_dir"], "discovery_result.json").exists()


@pytest.mark.parametrize("command", ["history", "track"])
def test_history_commands_have_a_description_and_examples(command: str) -> None:
    run = cli(command, "--help")
    assert run.returncode == 0, run.stderr
    assert "examples:" in run.stdout and "--history-db" in run.stdout


def test_history_of_a_missing_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    run = cli("history", "--history-db", str(missing))
    assert run.returncode == 0 and run.stdout.strip() == f"no runs recorded yet in {missing}"
    assert not missing.exists()
