"""The test session never writes to the user's real cache folder: a run without
``data.cache_dir`` (in this process or a child) uses the session's temporary one."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.cli_kit import FAST_SANDBOX, cli, write_config
from tradingagents.history import configured_history_path
from tradingagents.sources.config import default_cache_dir


def test_the_default_cache_dir_of_the_session_is_a_temporary_one(
    isolated_cache_dir: Path, real_cache_dir: Path
) -> None:
    assert default_cache_dir() == isolated_cache_dir != real_cache_dir
    assert configured_history_path(None) == isolated_cache_dir / "history.sqlite"
    assert Path(os.environ["XDG_CACHE_HOME"]) == isolated_cache_dir.parent


def _runs_in(db: Path, results: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT results_dir FROM runs").fetchall()
    return [r[0] for r in rows if r[0] and Path(r[0]).is_relative_to(results)]


@pytest.mark.timeout(300)
def test_a_discover_without_cache_dir_records_in_the_session_cache_only(
    tmp_path: Path, isolated_cache_dir: Path, real_cache_dir: Path
) -> None:
    sandbox = {"data": {"sandbox": {"services": FAST_SANDBOX}}}  # no cache_dir
    config = write_config(tmp_path / "config.json", sandbox)
    results = tmp_path / "results"
    run = cli(
        "discover",
        "--sandbox",
        "--date",
        "2026-11-20",
        "--config",
        str(config),
        "--results-dir",
        str(results),
        "--json",
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["scan_summary"]["scanners"] > 0
    assert len(_runs_in(isolated_cache_dir / "history.sqlite", results)) == 1
    assert _runs_in(real_cache_dir / "history.sqlite", results) == []
