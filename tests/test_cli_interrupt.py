"""Ctrl-C: one line, exit 130 at once, partial results written and marked incomplete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_kit import ROOT

# Realistic (default) sandbox latency, so the run is still going when it is interrupted.


def start(tmp_path: Path, log: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradingagents",
            "--log-file",
            str(log),
            "discover",
            "--sandbox",
            "--date",
            "2026-11-20",
            "--results-dir",
            str(tmp_path / "results"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=ROOT,
    )


def wait_for(process: subprocess.Popen[str], log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared in the log")


def interrupt(process: subprocess.Popen[str]) -> tuple[float, str, str]:
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    return time.monotonic() - sent, stdout, stderr


@pytest.mark.timeout(120)
def test_ctrl_c_during_the_scanners_is_one_line_and_fast(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    process = start(tmp_path, log)
    wait_for(process, log, "sandbox emulator serving", timeout=60)
    time.sleep(1.5)  # the scanners are mid-flight, with requests in progress
    took, _stdout, stderr = interrupt(process)
    assert process.returncode == 130, stderr
    assert stderr == "tradingagents: interrupted\n"
    assert took < 3.0  # generous on a shared machine; it is well under 1 s alone
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


@pytest.mark.timeout(120)
def test_ctrl_c_after_the_scanners_writes_partial_results_marked_incomplete(
    tmp_path: Path,
) -> None:
    log = tmp_path / "run.log"
    process = start(tmp_path, log)
    wait_for(process, log, "scanners: 12 in", timeout=90)  # the scanner node's closing line
    took, _stdout, stderr = interrupt(process)
    assert process.returncode == 130, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tradingagents: interrupted; partial results in")
    assert took < 3.0
    folder = Path(lines[0].split("partial results in ", 1)[1].rstrip("/"))
    result = json.loads((folder / "discovery_result.json").read_text())
    assert result["incomplete"] is True
    assert result["status"] in ("scanned", "filtered")
    assert len(result["scanner_reports"]) == 12
    assert "Incomplete: the run was interrupted" in (folder / "report.md").read_text()
