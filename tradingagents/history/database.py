"""The run-history database: one SQLite file (stdlib ``sqlite3``) next to the HTTP cache.

Several processes may write at once (a cron job and a user's shell): the file is in WAL
mode, so readers never wait for a writer, and a writer waits up to :data:`BUSY_TIMEOUT_S`
for another one's transaction instead of failing. Writes go through :func:`transaction`
(``BEGIN IMMEDIATE``: the write lock is taken up front, so two writers never deadlock on
an upgrade).

The schema version is ``PRAGMA user_version``. :data:`MIGRATIONS` holds one script per
version; opening the file applies the missing ones in order, inside one write transaction
that re-reads the version, so two processes opening an old file migrate it once.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 10.0

#: The file's name in the cache folder.
FILE_NAME = "history.sqlite"

_V1 = """
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    recorded_at     TEXT NOT NULL,      -- UTC, ISO 8601
    trade_date      TEXT NOT NULL,
    session_date    TEXT NOT NULL,      -- the session scanned
    data_mode       TEXT,               -- sandbox, live or auto
    execution       TEXT,               -- concurrent or sequential
    config_hash     TEXT,               -- sha256 of the resolved config, secrets masked
    wall_seconds    REAL,               -- the whole command, start to results written
    exit_code       INTEGER,
    status          TEXT,               -- the graph's last status (scanned/filtered/ranked)
    incomplete      INTEGER NOT NULL DEFAULT 0,
    ranking_error   TEXT,
    scan_summary    TEXT,               -- JSON
    results_dir     TEXT                -- the run folder, NULL when it was not written
);
CREATE INDEX runs_session ON runs (session_date);

CREATE TABLE scanner_reports (
    run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    pipeline          TEXT,
    status            TEXT NOT NULL,
    duration_seconds  REAL,
    candidates        INTEGER,
    tool_calls        INTEGER,
    error             TEXT,
    coverage          TEXT,             -- JSON, NULL when the scanner reports none
    PRIMARY KEY (run_id, name)
);
CREATE INDEX scanner_reports_name ON scanner_reports (name, status, run_id);

-- One row per (ticker, scanner that found it). priority is the scanner's own; NULL for a
-- non-lead scanner in runs recorded before merged candidates kept every scanner's priority.
CREATE TABLE picks (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ticker    TEXT NOT NULL,
    scanner   TEXT NOT NULL,
    priority  TEXT,
    context   TEXT,
    PRIMARY KEY (run_id, ticker, scanner)
);
CREATE INDEX picks_scanner ON picks (scanner);

CREATE TABLE rankings (
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rank           INTEGER NOT NULL,
    ticker         TEXT NOT NULL,
    score          REAL,
    priority       TEXT,
    current_price  REAL,
    scanners       TEXT,                -- JSON list
    PRIMARY KEY (run_id, rank)
);

-- Realised forward returns, filled by `tradingagents track`; one row per session, ticker
-- and horizon, shared by every run that picked the ticker on that session.
CREATE TABLE forward_returns (
    session_date     TEXT NOT NULL,
    ticker           TEXT NOT NULL,
    horizon          INTEGER NOT NULL,
    end_session      TEXT NOT NULL,
    fwd_return       REAL,
    universe_return  REAL,
    excess_return    REAL,
    tracked_at       TEXT NOT NULL,
    PRIMARY KEY (session_date, ticker, horizon)
);
"""

#: ``MIGRATIONS[i]`` takes the file from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history file cannot be used (newer schema, not a database...), with the reason."""


def history_path(cache_dir: Path) -> Path:
    """Where the history lives by default: next to the HTTP cache in ``cache_dir``."""
    return cache_dir / FILE_NAME


def configured_history_path(data: Mapping[str, Any] | None) -> Path:
    """The history file of a config's ``data`` section (``<data.cache_dir>/history.sqlite``,
    default ``~/.cache/tradingagents/history.sqlite``), as the engine's scheduler finds it.
    A bad section raises the sources' ``ConfigError`` naming the problem."""
    from tradingagents.sources.specs import load_data_config

    return history_path(load_data_config(data).cache_path())


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """An open, migrated connection (autocommit; write with :func:`transaction`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        try:
            _retry_while_busy(lambda: _set_up(connection))
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"run history {path} is not usable: {exc}") from None
        connection.execute("PRAGMA foreign_keys = ON")
        yield connection
    finally:
        connection.close()


def _set_up(connection: sqlite3.Connection) -> None:
    (mode,) = connection.execute("PRAGMA journal_mode").fetchall()[0]
    if mode != "wal":  # WAL is a property of the file: set once, kept
        connection.execute("PRAGMA journal_mode = WAL").fetchall()
    migrate(connection)


def _retry_while_busy(step: Callable[[], None]) -> None:
    """Run ``step`` until it is not refused as busy, for up to :data:`BUSY_TIMEOUT_S`.

    Opening a WAL file while the last other connection closes (and checkpoints, holding the
    file exclusively for a moment) is refused at once, without SQLite's busy wait."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(random.uniform(0.005, 0.05))


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def version(connection: sqlite3.Connection) -> int:
    # fetchall, not fetchone: a statement left unfinished keeps a read snapshot open, and a
    # write that follows it fails at once ("database is locked", no busy wait) when another
    # process committed in between.
    (row,) = connection.execute("PRAGMA user_version").fetchall()
    return int(row[0])


def migrate(connection: sqlite3.Connection, migrations: tuple[str, ...] = MIGRATIONS) -> int:
    """Apply the scripts the file lacks; returns the version it ends at."""
    if version(connection) == len(migrations):
        return len(migrations)
    with transaction(connection):
        current = version(connection)  # another process may have migrated meanwhile
        if current > len(migrations):
            raise HistoryError(
                f"the run history has schema version {current}; this version of "
                f"tradingagents reads up to {len(migrations)} (upgrade tradingagents)"
            )
        for number in range(current, len(migrations)):
            for statement in _statements(migrations[number]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number + 1}")
    return version(connection)


def _statements(script: str) -> list[str]:
    """A script's statements, so they run inside the caller's transaction
    (``executescript`` would commit it first)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
