"""Where the store's files live, how they are replaced atomically, and the writer's lock.

Why a Parquet folder and not one DuckDB file: ``data update`` must run while another process
runs ``discover``, and a DuckDB file is held for writing by one process at a time (readers of
a file opened for writing elsewhere are refused). Here every write goes to a temporary file in
the same folder, is fsynced and renamed over its target; a rename is atomic on POSIX, so a
reader opens either the old file or the new one, never half of one, and needs no lock.
Writers serialise on an advisory ``flock`` that the kernel drops when the process dies, so a
killed ``data update`` never leaves the store locked. ``benchmarks/market_store.py`` measures
the read against a DuckDB-file layout on the same data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tradingagents.atomic_files import replace_atomically, write_text_atomically
from tradingagents.store.errors import StoreBusy

VERSION_FILE = "store.json"
BARS_DIR = "bars"
SPLITS_FILE = "splits.parquet"
LISTING_FILE = "listing.parquet"
LOCK_FILE = "write.lock"
TEMP_PREFIX = ".tmp-"
"""Files being written; readers skip them and the next writer deletes the ones a killed
writer left behind."""


def session_file(root: Path, session: dt.date) -> Path:
    """Where a session's own file goes (before its month is packed)."""
    return root / BARS_DIR / f"{session.isoformat()}.parquet"


def month_file(root: Path, session: dt.date) -> Path:
    """The packed file of a session's month (``bars/YYYY-MM.parquet``)."""
    return root / BARS_DIR / f"{session:%Y-%m}.parquet"


def day_files(root: Path) -> dict[dt.date, Path]:
    """Every session file (``bars/YYYY-MM-DD.parquet``), by session date, oldest first."""
    return {
        dt.date.fromisoformat(stem): path
        for stem, path in _bar_files(root).items()
        if len(stem) == len("YYYY-MM-DD")
    }


def month_files(root: Path) -> dict[str, Path]:
    """Every packed month file (``bars/YYYY-MM.parquet``), by ``YYYY-MM``, oldest first."""
    return {stem: path for stem, path in _bar_files(root).items() if len(stem) == len("YYYY-MM")}


def _bar_files(root: Path) -> dict[str, Path]:
    folder = root / BARS_DIR
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        if path.name.startswith(TEMP_PREFIX) or path.suffix != ".parquet":
            continue
        stem = path.stem
        try:
            dt.date.fromisoformat(stem if len(stem) == 10 else f"{stem}-01")
        except ValueError:
            continue  # not ours: a file the user dropped in
        found[stem] = path
    return dict(sorted(found.items()))


def write_table(path: Path, table: pa.Table, metadata: Mapping[str, str] | None = None) -> None:
    """Write ``table`` to ``path`` atomically (temporary file, fsync, rename)."""
    if metadata:
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata(
            {**existing, **{k.encode(): v.encode() for k, v in metadata.items()}}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(
        path,
        lambda sink: pq.write_table(table, sink, compression="lz4"),
        prefix=TEMP_PREFIX,
        suffix=".parquet",
    )


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, text, prefix=TEMP_PREFIX)


def remove_leftovers(root: Path) -> int:
    """Delete what a killed writer left (temporary files, and session files whose month was
    packed before they were deleted); call only while holding the lock."""
    leftovers = [
        path
        for folder in (root, root / BARS_DIR)
        if folder.is_dir()
        for path in folder.glob(f"{TEMP_PREFIX}*")
    ]
    packed = month_files(root)
    leftovers += [path for day, path in day_files(root).items() if f"{day:%Y-%m}" in packed]
    for path in leftovers:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return len(leftovers)


@contextlib.contextmanager
def write_lock(root: Path, *, wait: bool) -> Iterator[None]:
    """Hold the store's write lock; without ``wait``, raise :class:`StoreBusy` at once when
    another process holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+b") as lock:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(lock.fileno(), flags)
        except BlockingIOError:
            raise StoreBusy(
                f"the market store {root} is being written by another process"
                " (a data update or import); try again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
