"""--help, flag checks, verbosity, --log-file, `scanners --json` and `config show`."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_kit import cli, write_config
from tradingagents.cli import configure_logging


@pytest.mark.parametrize(
    "command",
    [[], ["discover"], ["scanners"], ["config"], ["config", "show"], ["sandbox"]],
)
def test_every_command_has_a_description_and_examples(command: list[str]) -> None:
    run = cli(*command, "--help")
    assert run.returncode == 0, run.stderr
    assert "examples:" in run.stdout
    _usage, _, rest = run.stdout.partition("\n\n")
    assert rest.split("\n\n")[0].strip(), "no description"


def test_discover_help_shows_the_defaults() -> None:
    text = " ".join(cli("discover", "--help").stdout.split())
    assert "--workers N concurrent scanner threads (default: 8)" in text
    assert "--timeout SECONDS per-scanner timeout (default: 30)" in text
    assert "--top N ranked candidates to show (default: 10" in text


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--top", "-1", "argument --top: must be at least 1, got -1"),
        ("--top", "0", "argument --top: must be at least 1, got 0"),
        ("--workers", "0", "argument --workers: must be at least 1, got 0"),
        ("--workers", "two", "argument --workers: not a whole number: 'two'"),
        ("--timeout", "0", "argument --timeout: must be greater than 0, got 0"),
        ("--timeout", "nan", "argument --timeout: must be a finite number, got nan"),
    ],
)
def test_bad_flag_values_are_rejected_with_the_flags_name(
    flag: str, value: str, message: str
) -> None:
    run = cli("discover", flag, value)
    assert run.returncode == 2
    assert message in run.stderr


@pytest.mark.parametrize("global_options", [[], ["-vv", "--log-file", "sandbox"]])
def test_sandbox_serve_help_names_the_real_command(
    global_options: list[str], tmp_path: Path
) -> None:
    run = cli(*global_options, "sandbox", "serve", "--help", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: tradingagents sandbox serve")
    assert "python -m" not in run.stdout
    assert "examples:" in run.stdout


# -- item 9: verbosity ----------------------------------------------------------------------


@pytest.fixture
def clean_logging() -> Iterator[None]:
    root, project = logging.getLogger(), logging.getLogger("tradingagents")
    saved = (root.handlers[:], root.level, project.level)
    yield
    for handler in root.handlers[:]:
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[1])
    project.setLevel(saved[2])


def emitted(verbose: int, monkeypatch: pytest.MonkeyPatch, log_file: Path | None = None) -> str:
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    configure_logging(verbose, log_file)
    for name in ("tradingagents.discovery.engine", "requests_cache.session", "urllib3"):
        logger = logging.getLogger(name)
        logger.debug("%s debug", name)
        logger.info("%s info", name)
        logger.warning("%s warning", name)
    return stderr.getvalue()


@pytest.mark.parametrize(
    ("verbose", "shown", "hidden"),
    [
        (
            0,
            ["tradingagents.discovery.engine warning", "requests_cache.session warning"],
            ["engine info", "engine debug", "session info"],
        ),
        (1, ["engine info"], ["engine debug", "session info", "session debug", "urllib3 info"]),
        (2, ["engine info", "engine debug"], ["session info", "session debug", "urllib3 debug"]),
        (3, ["engine debug", "session debug", "urllib3 debug"], []),
    ],
)
def test_verbosity_levels(
    verbose: int,
    shown: list[str],
    hidden: list[str],
    monkeypatch: pytest.MonkeyPatch,
    clean_logging: None,
) -> None:
    text = emitted(verbose, monkeypatch)
    for piece in shown:
        assert piece in text
    for piece in hidden:
        assert piece not in text


def test_log_file_gets_the_projects_info_without_verbose_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_logging: None
) -> None:
    log = tmp_path / "run.log"
    stderr = emitted(0, monkeypatch, log)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.flush()
    text = log.read_text()
    assert "engine info" in text and "session info" not in text
    assert "engine info" not in stderr


def test_unwritable_log_file_is_a_usage_error(tmp_path: Path) -> None:
    run = cli("--log-file", str(tmp_path / "missing" / "run.log"), "scanners")
    assert run.returncode == 2
    assert run.stderr.startswith("tradingagents: cannot write log file")


# -- item 12: --json everywhere, config show ------------------------------------------------


def test_scanners_json_lists_scanners_and_their_params() -> None:
    run = cli("scanners", "--json")
    assert run.returncode == 0, run.stderr
    listing = json.loads(run.stdout)
    by_name = {s["name"]: s for s in listing["scanners"]}
    assert len(by_name) == 12
    market_movers = by_name["market_movers"]
    assert market_movers["pipeline"] and market_movers["source"] and market_movers["enabled"]
    assert market_movers["params"]["limit"]["type"] == "int"
    assert "default" in market_movers["params"]["enabled"]
    assert listing["load_errors"] == {}


def test_config_show_prints_the_validated_config_with_secrets_masked(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "c.json",
        {
            "discovery": {"scanner_execution": {"max_workers": 3}},
            "data": {"sources": {"finnhub": {"api_key": "very-secret-finnhub-key"}}},
        },
    )
    run = cli("config", "show", "--config", str(path))
    assert run.returncode == 0, run.stderr
    assert "very-secret-finnhub-key" not in run.stdout
    shown = json.loads(run.stdout)
    assert shown["discovery"]["scanner_execution"] == {
        "concurrent": True,
        "max_workers": 3,
        "timeout_seconds": 30,
        "schedule": "longest_first",
    }
    assert shown["data"]["sources"]["finnhub"]["api_key"] == "***"
    bad = write_config(
        tmp_path / "bad.json", {"discovery": {"scanner_execution": {"max_workers": 0}}}
    )
    refused = cli("config", "show", "--config", str(bad))
    assert refused.returncode == 2
    assert "discovery.scanner_execution.max_workers" in refused.stderr
