"""Item functions for the batch engine tests. They live in an importable module (not in a test
module) because the processes backend starts its workers with ``forkserver``, which pickles
functions by reference.

An item is a tuple naming what the function does with it:
``("square", x)``, ``("pid",)`` (returns the worker's process id), ``("raise", message)``,
``("sleep", seconds, value)``,
``("hang", pid_dir)`` (writes its process id into ``pid_dir`` then sleeps for a minute),
``("exit", code)`` (``os._exit``), ``("segfault",)``, ``("sysexit", code)`` (``sys.exit``)
and ``("unpicklable",)`` (returns a lambda).
"""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path
from typing import Any


def behave(item: tuple[Any, ...]) -> Any:
    kind = item[0]
    if kind == "square":
        return item[1] * item[1]
    if kind == "pid":
        return os.getpid()
    if kind == "raise":
        raise ValueError(item[1])
    if kind == "sleep":
        time.sleep(item[1])
        return item[2]
    if kind == "hang":
        Path(item[1], str(os.getpid())).touch()
        time.sleep(60)
        return "finished after all"
    if kind == "exit":
        os._exit(item[1])
    if kind == "segfault":
        ctypes.string_at(0)
    if kind == "sysexit":
        raise SystemExit(item[1])
    if kind == "unpicklable":
        return lambda: None
    raise AssertionError(f"unknown test item {item!r}")


def pids_in(directory: Path) -> list[int]:
    return [int(p.name) for p in directory.iterdir()]


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}


def descendants(pid: int) -> set[int]:
    """All processes below ``pid`` (Linux /proc)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
    return found


def report_while_terminated(writer: Any, lock: Any, size: int) -> None:
    """Child process: report one big message the way a batch worker does, exiting on SIGTERM
    the way a pebble worker does."""
    import signal

    from tradingagents.batch import worker

    signal.signal(signal.SIGTERM, lambda *_: os._exit(1))
    worker.init_worker(writer, lock)
    worker._report(("done", 0, 0, b"x" * size))
    time.sleep(60)  # SIGTERM lands here at the latest
