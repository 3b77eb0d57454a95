"""The store's tables, its schema version and the migrations between versions.

Version history:

* 0: the unversioned prototype layout: ``bars/<session>.parquet`` with symbol, open, high,
  low, close and volume only, no version file and no record of where a session came from.
* 1: bars gain ``vwap`` and ``transactions`` (null where the source has none), each session
  file's footer records its source and ingest time, and ``store.json`` holds the version.

A migration takes the store from version N to N+1 in place. Each file it rewrites is replaced
atomically and the version file is written last, so a migration that is killed is simply run
again by the next writer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq

from tradingagents.store import layout
from tradingagents.store.errors import StoreVersionError

logger = logging.getLogger(__name__)

SCHEMA_VERSION: Final = 1

PRICE_FIELDS: Final = ("open", "high", "low", "close")
BAR_FIELDS: Final = (*PRICE_FIELDS, "volume", "vwap", "transactions")

BARS: Final = pa.schema(
    [
        pa.field("symbol", pa.string(), nullable=False),
        pa.field("open", pa.float64()),
        pa.field("high", pa.float64()),
        pa.field("low", pa.float64()),
        pa.field("close", pa.float64()),
        pa.field("volume", pa.float64()),  # Massive's volume may be fractional
        pa.field("vwap", pa.float64()),
        pa.field("transactions", pa.int64()),
    ]
)

SPLITS: Final = pa.schema(
    [
        pa.field("symbol", pa.string(), nullable=False),
        pa.field("ex_date", pa.date32(), nullable=False),
        # New shares per old share: 4.0 for a 4-for-1, 0.1 for a 1-for-10 reverse split.
        pa.field("ratio", pa.float64(), nullable=False),
    ]
)

LISTING: Final = pa.schema(
    [
        pa.field("symbol", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("type", pa.string()),  # the source's type code: CS, ADRC, ETF, WARRANT, ...
        pa.field("primary_exchange", pa.string()),  # a MIC: XNYS, XNAS, XASE, ARCX, BATS
        pa.field("active", pa.bool_(), nullable=False),
        pa.field("first_seen", pa.date32(), nullable=False),
        pa.field("last_seen", pa.date32(), nullable=False),
    ]
)

# Footer keys of a session file: where its bars came from and when they were written.
SOURCE_KEY: Final = "tradingagents.source"
INGESTED_KEY: Final = "tradingagents.ingested_at"


def read_version(root: Path) -> int | None:
    """The store's schema version; 0 for the unversioned layout; None for no store yet."""
    path = root / layout.VERSION_FILE
    if not path.exists():
        return 0 if (root / layout.BARS_DIR).is_dir() else None
    try:
        version = json.loads(path.read_text(encoding="utf-8"))["schema_version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreVersionError(
            f"the market store's version file {path} is unreadable: {exc}"
        ) from exc
    if not isinstance(version, int) or version < 0:
        raise StoreVersionError(f"the market store's version file {path} holds {version!r}")
    return version


def write_version(root: Path, version: int) -> None:
    layout.write_text(root / layout.VERSION_FILE, json.dumps({"schema_version": version}) + "\n")


def check_readable(root: Path, version: int | None) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the market store {root} has schema version {version}, newer than this program"
            f" knows ({SCHEMA_VERSION}); upgrade tradingagents"
        )


def migrate(root: Path, version: int) -> int:
    """Bring the store from ``version`` up to :data:`SCHEMA_VERSION` (caller holds the write
    lock); returns the number of migrations run."""
    check_readable(root, version)
    ran = 0
    while version < SCHEMA_VERSION:
        logger.info("migrating the market store %s from schema %d", root, version)
        MIGRATIONS[version](root)
        version += 1
        write_version(root, version)
        ran += 1
    return ran


def conform_bars(table: pa.Table) -> pa.Table:
    """``table`` with exactly the :data:`BARS` columns: missing optional ones as nulls."""
    columns = []
    for field in BARS:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=BARS)


def _v0_to_v1(root: Path) -> None:
    migrated_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for path in layout.day_files(root).values():  # schema 0 had no month files
        table = pq.read_table(path)
        metadata = table.schema.metadata or {}
        if SOURCE_KEY.encode() in metadata:
            continue  # rewritten by an earlier, interrupted run of this migration
        layout.write_table(
            path,
            conform_bars(table),
            {SOURCE_KEY: "unknown (schema 0 store)", INGESTED_KEY: migrated_at},
        )


MIGRATIONS: Final[dict[int, Callable[[Path], None]]] = {0: _v0_to_v1}
"""From version N to N+1."""
