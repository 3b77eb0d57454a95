"""Where each session's bars are, and reading and writing them.

A session starts in its own file (``bars/YYYY-MM-DD.parquet``, written whole by one atomic
rename). Once its month is over, the month's sessions are packed into one file
(``bars/YYYY-MM.parquet``, sorted by session then symbol, with a ``session`` column), because
opening a Parquet file costs about a millisecond whatever its size: a 300-session read opens
about 15 files instead of 300 (``benchmarks/market_store.py``).

A month file is authoritative for its month: session files of a packed month are leftovers
of a writer killed between packing and deleting them, ignored by readers and deleted by the
next writer. A session's provenance (source, ingest time) is in its file's footer: the
session file's own keys, or a JSON map in the month file's.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tradingagents.store import layout, schema
from tradingagents.store.errors import StoreError

T = TypeVar("T")
PACKED_KEY = "tradingagents.sessions"
"""Footer key of a month file: JSON ``{session: [source, ingested_at]}``."""
_RETRIES = 3


@dataclass(frozen=True)
class Place:
    path: Path
    packed: bool  # in a month file


@dataclass(frozen=True)
class Provenance:
    source: str
    ingested_at: str
    rows: int


def locate(root: Path) -> dict[dt.date, Place]:
    """Where every session is, oldest first."""
    found: dict[dt.date, Place] = {}
    months = layout.month_files(root)
    for path in months.values():
        for session in _packed(path):
            found[session] = Place(path, True)
    for day, path in layout.day_files(root).items():
        if f"{day:%Y-%m}" not in months:
            found[day] = Place(path, False)
    return dict(sorted(found.items()))


def provenance(root: Path) -> dict[dt.date, Provenance]:
    """Where each session's bars came from and when they were written."""
    found: dict[dt.date, Provenance] = {}
    for session, place in locate(root).items():
        meta = pq.read_metadata(place.path)
        footer = meta.metadata or {}
        if place.packed:
            source, ingested, rows = json.loads(footer[PACKED_KEY.encode()])[session.isoformat()]
            found[session] = Provenance(source, ingested, rows)
        else:
            found[session] = Provenance(
                footer.get(schema.SOURCE_KEY.encode(), b"").decode(),
                footer.get(schema.INGESTED_KEY.encode(), b"").decode(),
                meta.num_rows,
            )
    return found


def read_sessions(
    root: Path, wanted: Callable[[list[dt.date]], list[dt.date]], columns: Sequence[str]
) -> tuple[list[dt.date], list[pa.Table]]:
    """The sessions ``wanted`` picks from the stored ones (oldest first), one table each.

    A writer may pack a month between our listing and our reading (its session files are
    then gone): the listing is taken again, a few times at most."""
    for attempt in range(_RETRIES):
        places = locate(root)
        chosen = wanted(list(places))
        try:
            return chosen, _read(places, chosen, columns)
        except FileNotFoundError:
            if attempt == _RETRIES - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _read(
    places: Mapping[dt.date, Place], chosen: Sequence[dt.date], columns: Sequence[str]
) -> list[pa.Table]:
    tables: list[pa.Table] = []
    month: tuple[Path, dict[dt.date, pa.Table]] | None = None
    for session in chosen:
        place = places[session]
        if not place.packed:
            tables.append(_read_file(place.path, ["symbol", *columns]))
            continue
        if month is None or month[0] != place.path:
            month = (
                place.path,
                _split_month(_read_file(place.path, ["session", "symbol", *columns])),
            )
        tables.append(month[1][session])
    return tables


def _split_month(table: pa.Table) -> dict[dt.date, pa.Table]:
    """A month file's rows (sorted by session) as one zero-copy slice per session."""
    days = table.column("session").to_numpy().astype("datetime64[D]")
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    ends = [*starts[1:], len(days)]
    body = table.drop_columns(["session"])
    return {
        days[start].astype(dt.date): body.slice(start, end - start)
        for start, end in zip(starts, ends, strict=True)
    }


def _read_file(path: Path, columns: Sequence[str]) -> pa.Table:
    try:
        # ParquetFile.read costs half of read_table per file (no dataset discovery).
        return pq.ParquetFile(path, memory_map=True).read(columns=columns, use_threads=False)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowInvalid) as exc:
        raise StoreError(f"cannot read the market store file {path}: {exc}") from exc


def _packed(path: Path) -> list[dt.date]:
    footer = pq.read_metadata(path).metadata or {}
    try:
        return [dt.date.fromisoformat(day) for day in json.loads(footer[PACKED_KEY.encode()])]
    except (KeyError, ValueError) as exc:
        raise StoreError(f"the market store file {path} lacks its list of sessions") from exc


# -- writing (the caller holds the write lock) ------------------------------------------------


def write_session(root: Path, session: dt.date, table: pa.Table, source: str) -> None:
    """Store one session's bars (``table`` already checked), replacing any earlier copy."""
    ingested = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    packed = layout.month_file(root, session)
    if packed.exists():
        _pack(root, packed, {session: (table, Provenance(source, ingested, table.num_rows))})
        return
    layout.write_table(
        layout.session_file(root, session),
        table,
        {schema.SOURCE_KEY: source, schema.INGESTED_KEY: ingested},
    )


def pack_months(root: Path, before: dt.date) -> int:
    """Pack the session files of every month that ends before ``before``'s month into month
    files; returns how many months were packed."""
    by_month: dict[str, dict[dt.date, Path]] = {}
    for day, path in layout.day_files(root).items():
        if (day.year, day.month) < (before.year, before.month):
            by_month.setdefault(f"{day:%Y-%m}", {})[day] = path
    known = provenance(root)
    for days in by_month.values():
        first = next(iter(days))
        incoming = {
            day: (_read_file(path, schema.BARS.names), known[day]) for day, path in days.items()
        }
        _pack(root, layout.month_file(root, first), incoming)
        for path in days.values():
            path.unlink(missing_ok=True)
    return len(by_month)


def _pack(root: Path, path: Path, incoming: Mapping[dt.date, tuple[pa.Table, Provenance]]) -> None:
    """Merge ``incoming`` sessions into month file ``path`` (created if absent)."""
    sessions: dict[dt.date, tuple[pa.Table, Provenance]] = {}
    if path.exists():
        footer = pq.read_metadata(path).metadata or {}
        stored = json.loads(footer[PACKED_KEY.encode()])
        for day, table in _split_month(_read_file(path, ["session", *schema.BARS.names])).items():
            sessions[day] = (table, Provenance(*stored[day.isoformat()]))
    sessions.update(incoming)
    ordered = sorted(sessions.items())
    parts = [
        table.select(schema.BARS.names).add_column(
            0, "session", pa.array([day] * table.num_rows, pa.date32())
        )
        for day, (table, _) in ordered
    ]
    listing = {day.isoformat(): [p.source, p.ingested_at, p.rows] for day, (_, p) in ordered}
    combined = pa.concat_tables(parts)
    layout.write_table(path, combined, {PACKED_KEY: json.dumps(listing)})
