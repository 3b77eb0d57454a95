"""The `tradingagents` command as a user runs it: real processes, real files, real sockets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_kit import FAST_SANDBOX, cli, served_emulator, write_config

TRADE_DATE = "2026-11-20"


def test_discover_on_the_sandbox_writes_results_and_prints_json(tmp_path: Path) -> None:
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
        "--json",
    )
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["trade_date"] == TRADE_DATE
    folder = Path(payload["results_dir"])
    assert folder.parent == tmp_path / "results" and folder.name.startswith(f"{TRADE_DATE}_run_")
    result = json.loads((folder / "discovery_result.json").read_text())
    assert result["status"] == "ranked"
    assert result["scan_summary"] == payload["scan_summary"]
    logs = json.loads((folder / "tool_execution_logs.json").read_text())
    assert isinstance(logs, list)
    report = (folder / "report.md").read_text()
    assert report.startswith(f"# Discovery report for {TRADE_DATE}")
    assert all(r["status"] == "ok" for r in payload["scanner_reports"]), payload["scanner_reports"]


def test_discover_human_output_has_reports_summary_and_ranking(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.json", {"data": {"sandbox": {"services": FAST_SANDBOX}}}
    )
    run = cli(
        "discover",
        "--date",
        TRADE_DATE,
        "--config",
        str(config),
        "--sequential",
        "--results-dir",
        str(tmp_path / "results"),
    )
    assert run.returncode == 0, run.stderr
    assert f"Scanners on {TRADE_DATE}" in run.stdout
    assert "(sequential, 1 workers)" in run.stdout
    assert "results:" in run.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid json"),
        ('["a list"]', "must hold a table/object, not list"),
        (
            '{"discovery": {"scanner_execution": {"max_workers": 0}}}',
            "discovery.scanner_execution.max_workers: Input should be greater than or equal to 1",
        ),
    ],
)
def test_bad_config_files_fail_clearly_before_running(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    run = cli("discover", "--config", str(path), "--results-dir", str(tmp_path / "results"))
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "results").exists()


def test_missing_config_file_and_bad_date_are_usage_errors(tmp_path: Path) -> None:
    missing = cli("discover", "--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "cannot read config file" in missing.stderr
    bad_date = cli("discover", "--date", "yesterday")
    assert (
        bad_date.returncode == 2 and "trade_date must be a date or 'YYYY-MM-DD'" in bad_date.stderr
    )


def test_scanners_command_lists_scanners_and_params() -> None:
    run = cli("scanners", "--params")
    assert run.returncode == 0, run.stderr
    assert "Scanners" in run.stdout


@pytest.fixture
def served_sandbox() -> Iterator[dict[str, str]]:
    """`tradingagents sandbox serve` as a separate process; yields the URLs it printed."""
    with served_emulator(TRADE_DATE, FAST_SANDBOX) as urls:
        yield urls


def test_live_mode_with_fake_keys_against_a_separately_served_sandbox(
    tmp_path: Path, served_sandbox: dict[str, str]
) -> None:
    urls = served_sandbox
    config = write_config(
        tmp_path / "live.json",
        {
            "data": {
                "mode": "live",
                "cache_dir": str(tmp_path / "cache"),
                # The emulator enforces no limits, so neither does the client: the free
                # tiers' 60 calls/min would leave the per-symbol scanners partial.
                "sources": {
                    name: {"base_url": urls[name], "rate_limit": None}
                    | ({"oauth_url": urls[name]} if name == "reddit" else {})
                    | ({"data_url": urls[name]} if name == "sec" else {})
                    for name in ("finnhub", "reddit", "alpha_vantage", "sec", "prices")
                },
            }
        },
    )
    fake_keys = {
        "FINNHUB_API_KEY": "fake-finnhub-key-123",
        "REDDIT_CLIENT_ID": "fake-reddit-id",
        "REDDIT_CLIENT_SECRET": "fake-reddit-secret-456",
        "REDDIT_USER_AGENT": "tradingagents-tests/1.0 by tester",
        "ALPHA_VANTAGE_API_KEY": "fake-av-key-789",
        "SEC_USER_AGENT": "tradingagents tests tester@example.com",
    }
    run = cli(
        "discover",
        "--live",
        "--date",
        TRADE_DATE,
        "--config",
        str(config),
        "--results-dir",
        str(tmp_path / "results"),
        "--json",
        env=fake_keys,
    )
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert all(r["status"] == "ok" for r in payload["scanner_reports"]), payload["scanner_reports"]
    everything = (
        run.stdout
        + run.stderr
        + "".join(p.read_text() for p in Path(payload["results_dir"]).iterdir())
    )
    for secret in ("fake-finnhub-key-123", "fake-reddit-secret-456", "fake-av-key-789"):
        assert secret not in everything
