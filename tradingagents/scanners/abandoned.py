"""Threads the engine has given up on, and threads scanners leave behind.

Python cannot kill a thread. A scanner (or one of its fan-out calls) that hangs past its
deadline is abandoned: its thread is a daemon, so it never blocks interpreter exit, but it
lives on. This registry keeps them countable (``scan_summary["abandoned_threads"]``) and
lets the engine refuse to start a scanner again while its previous run is still running,
which bounds how many hung or spinning threads a long-lived process can accumulate: at most
one generation per scanner.

Threads a scanner starts itself are handled by :func:`release_leftover_threads`.
"""

from __future__ import annotations

import concurrent.futures.thread as _futures_thread
import itertools
import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Abandoned:
    thread: threading.Thread
    owner: object  # the scanner (class) it ran for
    run: int  # the scanner-node run (see begin_run) in which it was abandoned
    why: str  # e.g. "after timeout"


_lock = threading.Lock()
_entries: list[Abandoned] = []
_runs = itertools.count(1)
_current_run = 0


def begin_run() -> int:
    """Number the scanner-node run that starts now (1, 2, ... in this process)."""
    global _current_run
    with _lock:
        _current_run = next(_runs)
        return _current_run


def abandon(thread: threading.Thread, owner: object, why: str) -> None:
    """Record that ``thread`` (working for scanner ``owner``) was given up on."""
    with _lock:
        _entries.append(Abandoned(thread, owner, _current_run, why))


def alive() -> list[Abandoned]:
    """Abandoned threads still running (finished ones are forgotten)."""
    with _lock:
        _entries[:] = [entry for entry in _entries if entry.thread.is_alive()]
        return list(_entries)


def still_running(owner: object) -> str | None:
    """Why ``owner`` must not start again (its previous run is still running), or ``None``."""
    for entry in alive():
        if entry.owner == owner:
            ago = _current_run - entry.run
            when = "in this run" if ago <= 0 else f"{ago} run{'s' if ago > 1 else ''} ago"
            return (
                f"previous run of this scanner is still running (abandoned {when} {entry.why}); "
                "not started"
            )
    return None


def _release_at_exit() -> None:
    """At interpreter exit, while scanner threads we abandoned are still alive: they may have
    started executors after their node returned; release those workers from the exit join
    too (daemon workers can only have been started by daemon threads)."""
    executor_workers = getattr(_futures_thread, "_threads_queues", None)
    if executor_workers is None or not alive():
        return
    for thread in list(executor_workers):
        if thread.daemon:
            executor_workers.pop(thread, None)


# Runs before concurrent.futures' own exit hook, which joins every executor worker: this
# module imported that one first, and threading runs its exit hooks last-registered first.
_register_atexit = getattr(threading, "_register_atexit", None)
if _register_atexit is not None:
    _register_atexit(_release_at_exit)


def release_leftover_threads(before: Collection[threading.Thread]) -> list[str]:
    """Make sure threads started since ``before`` (scanners' own threads) cannot block exit.

    ``concurrent.futures.ThreadPoolExecutor`` joins every worker it ever started at
    interpreter exit (``concurrent.futures.thread._python_exit``), daemon or not, so a
    scanner that used one and hung in it would keep the process alive. Workers started from
    a scanner's thread are daemons (a thread inherits its creator's daemon flag, and scanner
    threads are daemons), so a daemon worker still alive here is released from that exit
    join. A non-daemon thread cannot be helped: it is named in a warning, returned.
    """
    executor_workers = getattr(_futures_thread, "_threads_queues", None)
    warnings: list[str] = []
    for thread in threading.enumerate():
        if thread in before or not thread.is_alive():
            continue
        if thread.daemon:
            if executor_workers is not None:
                executor_workers.pop(thread, None)
            continue
        message = (
            f"thread {thread.name!r} was started while the scanners ran and is still running; "
            "it is not a daemon thread, so the process cannot exit until it ends "
            "(start threads in scanners with daemon=True)"
        )
        logger.warning("%s", message)
        warnings.append(message)
    return warnings
