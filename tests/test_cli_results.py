"""The run folder and its files: one list of fields, scrubbed, created and written atomically."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli_kit import cli
from tests.scanner_kit import config, make_scanner
from tradingagents.cli.results import (
    RESULT_KEYS,
    ResultsDirError,
    check_results_dir,
    markdown_report,
    run_folder,
    summary_line,
    write_results,
)
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sources.redaction import register_secret

SECRET = "sk-results-secret-4711"


def final_state(**extra: Any) -> dict[str, Any]:
    return {
        "trade_date": "2026-11-20",
        "session_date": "2026-11-20",
        "status": "ranked",
        "tickers": ["AAA"],
        "final_ranking": [
            {
                "rank": 1,
                "ticker": "AAA",
                "score": 30.0,
                "strategies": ["momentum"],
                "context": "AAA moved",
                "current_price": 12.5,
            }
        ],
        "filtered_candidates": [],
        "dropped_candidates": [],
        "candidate_metadata": [],
        "scanner_reports": [
            {
                "name": "alpha",
                "pipeline": "momentum",
                "status": "ok",
                "duration_seconds": 1.5,
                "candidates": 1,
                "invalid_candidates": 0,
                "invalid_examples": [],
                "error": None,
                "coverage": {
                    "unit": "symbols",
                    "total": 500,
                    "ok": 498,
                    "failed": 2,
                    "unchecked": 0,
                    "reasons": ["HTTP 500"],
                    "summary": "498 of 500 symbols; 2 failed (first: HTTP 500)",
                },
            }
        ],
        "scan_summary": {
            "mode": "concurrent",
            "workers": 8,
            "scanners": 12,
            "wall_seconds": 9.6,
            "scanner_seconds_sum": 64.75,
            "concurrency": 6.745,
            "cpu_seconds": 17.1,
            "cpu_per_wall": 1.78,
            "cpu_bound": True,
            "note": "CPU-bound: more workers will not help",
            "counts": {"ok": 12, "error": 0, "timeout": 0, "skipped": 0},
        },
        **extra,
    }


# -- item 1 (display): the honest summary line and coverage ---------------------------------


def test_summary_line_says_what_was_measured_and_claims_no_speedup() -> None:
    line = summary_line(final_state()["scan_summary"])
    assert line == (
        "12 scanners (concurrent, 8 workers): wall 9.60 s; sum of scanner times 64.75 s "
        "(6.7 running at once); CPU 17.1 s (1.78 CPU/wall); "
        "CPU-bound: more workers will not help; ok 12"
    )
    report = markdown_report(final_state())
    assert line in report
    for word in ("speedup", "sequential estimate", "time saved"):
        assert word not in report.lower()
    assert "498 of 500 symbols; 2 failed (first: HTTP 500)" in report


def test_summary_line_reads_an_older_summary_without_the_new_keys() -> None:
    old = {"mode": "sequential", "workers": 1, "scanners": 2, "wall_seconds": 3.0, "counts": {}}
    reports = [{"duration_seconds": 1.0}, {"duration_seconds": 2.0}]
    assert summary_line(old, reports) == (
        "2 scanners (sequential, 1 workers): wall 3.00 s; sum of scanner times 3.00 s "
        "(1.0 running at once); no scanners ran"
    )


# -- item 6: ranking_error and the one list of fields ---------------------------------------


def test_every_shown_field_is_written_including_ranking_error(tmp_path: Path) -> None:
    final = final_state(
        ranking_error="custom ranker failed, default ranking used: boom",
        filter_error="no price data for any of the 3 candidates (first: down)",
    )
    paths = write_results(tmp_path, final)
    result = json.loads(paths["result"].read_text())
    assert result["ranking_error"] == final["ranking_error"]
    assert result["filter_error"] == final["filter_error"]
    report = paths["report"].read_text()
    assert "custom ranker failed, default ranking used: boom" in report
    assert "no price data for any of the 3 candidates" in report
    assert set(RESULT_KEYS) - set(result) == {"incomplete"}


def test_a_rankers_error_text_is_masked(tmp_path: Path) -> None:
    def leaky(candidates: list[dict[str, Any]], state: Any) -> list[dict[str, Any]]:
        raise RuntimeError("LLM refused: api_key=abc123def token: zz99 at https://x?key=k1k2")

    scanner = make_scanner("alpha", tickers=("AAA",))
    with DiscoveryGraph(config(), scanners=[scanner], ranker=leaky) as graph:
        final = graph.run("2026-11-20")
    error = final["ranking_error"]
    for secret in ("abc123def", "zz99", "k1k2"):
        assert secret not in error
    assert "RuntimeError: LLM refused" in error


def test_a_short_ranker_answer_keeps_every_candidate_after_its_picks() -> None:
    def picks_one(candidates: list[dict[str, Any]], state: Any) -> list[dict[str, Any]]:
        return [{"ticker": "EAI", "score": 99, "reasons": ["the LLM likes it"]}]

    # real sandbox tickers, so the filter keeps them
    scanners = [
        make_scanner("alpha", tickers=("RDI", "EGOH", "EAI"), priority="low"),
        make_scanner("beta", tickers=("EGOH",), priority="high"),
    ]
    with DiscoveryGraph(config(), scanners=scanners, ranker=picks_one) as graph:
        final = graph.run("2026-11-20")
        default = DiscoveryGraph(config(), scanners=scanners).rank_node(final)["final_ranking"]  # type: ignore[arg-type]
    ranking = final["final_ranking"]
    assert len(default) == 3
    assert [r["ticker"] for r in ranking] == ["EAI"] + [
        r["ticker"] for r in default if r["ticker"] != "EAI"
    ]
    assert [r["rank"] for r in ranking] == list(range(1, len(ranking) + 1))
    assert ranking[1]["reasons"][0].startswith("not ranked by the custom ranker")
    assert "ranking_error" not in final


# -- issue 8 item 8: everything written is scrubbed ------------------------------------------


def test_results_files_are_scrubbed_of_every_known_key(tmp_path: Path) -> None:
    register_secret(SECRET)
    final = final_state(
        candidate_metadata=[
            {"ticker": "AAA", "context": f"seen with {SECRET}", "api_key": "plain-value-1"}
        ],
        tool_logs=[{"tool": "x", "params": {"q": SECRET}, "error": f"failed {SECRET}"}],
    )
    final["scanner_reports"][0]["invalid_examples"] = [f"{SECRET}: not a ticker"]
    final["scanner_reports"][0]["error"] = f"boom {SECRET}"
    final["final_ranking"][0]["context"] = f"why {SECRET}"
    final["tickers"] = [SECRET]
    paths = write_results(tmp_path, final)
    everything = "".join(p.read_text() for p in paths.values())
    assert SECRET not in everything
    assert "plain-value-1" not in everything
    assert "***" in everything


# -- issue 8 item 12: the folder is claimed atomically; files are never truncated -------------


def test_simultaneous_runs_each_get_their_own_folder(tmp_path: Path) -> None:
    now = datetime(2026, 11, 20, 9, 30, 0)
    folders: list[Path] = []
    errors: list[BaseException] = []
    start = threading.Barrier(24)

    def claim() -> None:
        start.wait()
        try:
            folders.append(run_folder(tmp_path, "2026-11-20", now))
        except BaseException as exc:  # the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(folders)) == 24


def test_a_failed_write_leaves_no_truncated_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = write_results(tmp_path, final_state())
    before = paths["result"].read_text()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_results(tmp_path, final_state(tickers=["ZZZ"] * 1000))
    assert paths["result"].read_text() == before  # the old, complete file
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["discovery_result.json", "tool_execution_logs.json", "report.md"]
    )


def test_unusable_results_dirs_are_found_before_the_run(tmp_path: Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(ResultsDirError, match="is not a directory"):
        check_results_dir(a_file)
    with pytest.raises(ResultsDirError, match="is not writable"):
        check_results_dir(a_file / "below")
    with pytest.raises(ResultsDirError, match="is not writable"):
        check_results_dir("/proc/tradingagents-results")
    assert check_results_dir(tmp_path / "new" / "dir").is_dir()


@pytest.mark.parametrize("kind", ["file", "read-only"])
def test_cli_bad_results_dir_is_one_line_and_exit_2(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "a_file"
    target.write_text("x")
    results_dir = str(target) if kind == "file" else "/proc/tradingagents-results"
    run = cli("discover", "--date", "2026-11-20", "--results-dir", results_dir)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("tradingagents: results dir")
    assert "Traceback" not in run.stderr


# -- issue 8 item 16: one clear line and exit 2 for unusable config files ---------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.json", '{"results_dir": "r\xe9sultats"}'.encode("latin-1"), "is not UTF-8"),
        ("deep.json", b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        ("deep.toml", b"a = " + b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        ("huge.json", b" " * 2_000_000, "is larger than"),
    ],
)
def test_unusable_config_files_are_one_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    run = cli("discover", "--config", str(path), "--results-dir", str(tmp_path / "results"))
    assert run.returncode == 2, run.stderr[-2000:]
    assert message in run.stderr
    assert run.stderr.count("\n") == 1, run.stderr[-2000:]


@pytest.mark.parametrize("command", [["discover"], ["scanners"], ["config", "show"]])
def test_a_config_that_parses_but_nests_too_deeply_is_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"discovery": {"scanners": {"x": ' + "[" * 950 + "]" * 950 + "}}}")
    run = cli(*command, "--config", str(path))
    assert run.returncode == 2, run.stderr[-2000:]
    assert run.stderr == "tradingagents: the config is nested too deeply\n"


@pytest.mark.timeout(30)
def test_dev_zero_as_config_is_refused_quickly() -> None:
    run = cli("config", "show", "--config", "/dev/zero")
    assert run.returncode == 2
    assert "is larger than" in run.stderr and run.stderr.count("\n") == 1


def test_sandbox_serve_bad_port_is_one_line_and_exit_2() -> None:
    run = cli("sandbox", "serve", "--port", "99999")
    assert run.returncode == 2
    assert "argument --port: must be 0..65535, got 99999" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_terminal_shows_texts_as_data_not_markup() -> None:
    import io

    from rich.console import Console

    from tradingagents.cli.discover import show_run

    final = final_state()
    final["final_ranking"][0]["context"] = "RSI [oversold] and [bold]loud[/bold]"
    final["scanner_reports"][0]["coverage"]["summary"] = "498 of 500 [red]symbols[/red]"
    final["scanner_reports"][0]["error"] = "failed: [dim]why[/dim]"
    out = io.StringIO()
    show_run(Console(file=out, width=80, color_system=None), final, top=5)
    text = " ".join(out.getvalue().split())
    assert "[oversold]" in text and "[bold]loud[/bold]" in text
    assert "[red]symbols[/red]" in text.replace("│ ", "").replace(" │", "")
    assert "failed: [dim]why[/dim]" in text


@pytest.mark.parametrize("width", [80, 120])
def test_no_word_of_the_ranking_is_split_at_80_or_120_columns(width: int) -> None:
    import io

    from rich.console import Console

    from tradingagents.cli.discover import show_run

    final = final_state()
    final["final_ranking"][0]["strategies"] = ["reversal", "mean_reversion", "trend_following"]
    final["final_ranking"][0]["context"] = (
        "RSI(14) 26.7 while close $113.92 is +1.31% above its 200-day average $112.45"
    )
    out = io.StringIO()
    show_run(Console(file=out, width=width, color_system=None), final, top=5)
    lines = out.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)
    cells = [word for line in lines for word in re.split(r"[\s│┃,]+", line) if word]
    for word in ["mean_reversion", "trend_following", "$113.92", "+1.31%", "$112.45"]:
        assert word in cells, (word, out.getvalue())
