"""Trade dates are checked once, up front, by one module the CLI and DiscoveryGraph share."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cli_kit import FAST_SANDBOX, cli, write_config
from tests.scanner_kit import config, make_scanner
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sandbox.market_bars import MIN_TRADE_DATE
from tradingagents.trade_dates import TradeDateError, earliest_date, resolve_trade_date

TODAY = dt.date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01", "is before the data"),
        ("1995-06-01", "is before the data"),
        ("9999-12-31", "is in the future"),
        ("2026-12-03", "is in the future"),
        ("yesterday", "trade_date must be a date or 'YYYY-MM-DD'"),
        ("2026-02-30", "trade_date must be a date or 'YYYY-MM-DD'"),
    ],
)
def test_unscannable_dates_are_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(TradeDateError, match=message):
        resolve_trade_date(value, data_mode="sandbox", today=TODAY)


def test_sandbox_and_live_bounds() -> None:
    assert earliest_date("sandbox") == MIN_TRADE_DATE == earliest_date("auto")
    assert resolve_trade_date("1995-06-01", data_mode="live", today=TODAY)
    with pytest.raises(TradeDateError, match="earliest date sandbox data can scan is 2008"):
        resolve_trade_date("2007-12-31", data_mode="sandbox", today=TODAY)
    with pytest.raises(TradeDateError, match="earliest date live data can scan is 1990-01-02"):
        resolve_trade_date("1989-12-31", data_mode="live", today=TODAY)


def test_live_dates_follow_the_exchange_calendar_and_the_sandbox_trades_every_weekday() -> None:
    thanksgiving = resolve_trade_date("2026-11-26", data_mode="live", today=TODAY)
    assert thanksgiving.session == dt.date(2026, 11, 25)
    assert thanksgiving.describe() == (
        "2026-11-26 (no session; scanned as Wednesday 2026-11-25)"
    )
    assert resolve_trade_date("2026-11-29", data_mode="live", today=TODAY).session == dt.date(
        2026, 11, 27
    )
    sandbox = resolve_trade_date("2026-11-26", data_mode="sandbox", today=TODAY)
    assert sandbox.session == dt.date(2026, 11, 26) and not sandbox.shifted


def test_a_weekend_is_scanned_as_the_session_before_it() -> None:
    saturday = resolve_trade_date("2026-11-21", today=TODAY)
    assert saturday.session == dt.date(2026, 11, 20) and saturday.shifted
    assert saturday.describe() == "2026-11-21 (no session; scanned as Friday 2026-11-20)"
    friday = resolve_trade_date("2026-11-20", today=TODAY)
    assert friday.session == friday.requested and not friday.shifted
    assert resolve_trade_date(None, today=TODAY).session == TODAY


def test_graph_run_refuses_a_date_before_any_scanner_runs() -> None:
    ran: list[str] = []

    def record(scanner: object, state: dict[str, object]) -> list[object]:
        ran.append(str(state["trade_date"]))
        return []

    graph = DiscoveryGraph(config(), scanners=[make_scanner("recorder", action=record)])
    for bad in ("1995-06-01", "0001-01-01", "9999-12-31"):
        with pytest.raises(TradeDateError):
            graph.run(bad)
    assert ran == []


def test_graph_run_on_a_weekend_keeps_both_dates_and_scans_the_session() -> None:
    seen: list[str] = []

    def record(scanner: object, state: dict[str, object]) -> list[object]:
        seen.append(str(state["trade_date"]))
        return []

    with DiscoveryGraph(config(), scanners=[make_scanner("recorder", action=record)]) as graph:
        final = graph.run("2026-11-22")  # a Sunday
    assert seen == ["2026-11-20"]
    assert final["trade_date"] == "2026-11-22" and final["session_date"] == "2026-11-20"


def test_a_live_graph_scans_the_session_before_a_holiday(tmp_path: Path) -> None:
    seen: list[str] = []

    def record(scanner: object, state: dict[str, object]) -> list[object]:
        seen.append(str(state["trade_date"]))
        return []

    live = {**config(), "data": {"mode": "live", "cache_dir": str(tmp_path / "cache")}}
    with DiscoveryGraph(live, scanners=[make_scanner("recorder", action=record)]) as graph:
        final = graph.run("2026-11-26")  # Thanksgiving: the NYSE is closed
    assert seen == ["2026-11-25"]
    assert final["trade_date"] == "2026-11-26" and final["session_date"] == "2026-11-25"


@pytest.mark.parametrize("value", ["1995-06-01", "0001-01-01", "9999-12-31"])
def test_cli_refuses_bad_dates_with_one_line_and_exit_2(tmp_path: Path, value: str) -> None:
    run = cli("discover", "--date", value, "--results-dir", str(tmp_path / "results"))
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("tradingagents: trade_date")
    assert not (tmp_path / "results").exists()


@pytest.mark.timeout(180)
def test_cli_weekend_run_names_both_dates_in_title_folder_and_json(tmp_path: Path) -> None:
    settings = write_config(
        tmp_path / "config.json", {"data": {"sandbox": {"services": FAST_SANDBOX}}}
    )
    run = cli(
        "discover",
        "--sandbox",
        "--date",
        "2026-11-21",
        "--config",
        str(settings),
        "--results-dir",
        str(tmp_path / "results"),
        "--json",
    )
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["trade_date"] == "2026-11-21" and payload["session_date"] == "2026-11-20"
    folder = Path(payload["results_dir"])
    assert folder.name.startswith("2026-11-21_session_2026-11-20_run_")
    report = (folder / "report.md").read_text()
    assert report.startswith(
        "# Discovery report for 2026-11-21 (no session; scanned as Friday 2026-11-20)"
    )
    result = json.loads((folder / "discovery_result.json").read_text())
    assert result["session_date"] == "2026-11-20"
    # --json prints the whole result, not a few keys cut to --top
    assert result.keys() <= payload.keys()
    assert payload["final_ranking"] == result["final_ranking"]
    assert len(payload["final_ranking"]) > 10
    assert payload["candidate_metadata"] and payload["filtered_candidates"]
