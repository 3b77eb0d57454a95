"""The one schema of daily bars every price source returns.

A ``DataFrame`` indexed by a tz-naive ``DatetimeIndex`` named ``date`` (ascending, unique),
with float64 ``open``/``high``/``low``/``close`` and int64 ``volume``. Column names from any
vendor (``Date``, ``timestamp``, ``Adj Close``, ``5. volume``...) are matched case- and
punctuation-insensitively; a ``split_coefficient`` column is applied (back-adjusted) and
dropped, so a split never looks like a crash.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tradingagents.sources.splits import SPLIT_COLUMN, adjust_for_splits

logger = logging.getLogger(__name__)

PRICE_COLUMNS = ("open", "high", "low", "close")
BAR_COLUMNS = (*PRICE_COLUMNS, "volume")
INDEX_NAME = "date"

_ALIASES = {
    "date": INDEX_NAME,
    "timestamp": INDEX_NAME,
    "datetime": INDEX_NAME,
    "time": INDEX_NAME,
    "day": INDEX_NAME,
    "vol": "volume",
    "splitcoefficient": SPLIT_COLUMN,
    "split": SPLIT_COLUMN,
    "splitfactor": SPLIT_COLUMN,
}


class BarsError(ValueError):
    """Bars that cannot be brought to the schema; the message names the problem."""


def empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame(
        {c: pd.Series(dtype=np.float64) for c in PRICE_COLUMNS}
        | {"volume": pd.Series(dtype=np.int64)},
        index=pd.DatetimeIndex([], name=INDEX_NAME),
    )
    return frame


def normalise_bars(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` in the schema above; raises :class:`BarsError` naming missing/bad columns."""
    frame = vendor_bars(raw, optional=(SPLIT_COLUMN,))
    incomplete = frame[list(BAR_COLUMNS)].isna().any(axis=1)
    if incomplete.any():
        logger.debug("dropping %d bar(s) with missing values", int(incomplete.sum()))
        frame = frame[~incomplete]
    if SPLIT_COLUMN in frame.columns:
        frame = adjust_for_splits(frame.fillna({SPLIT_COLUMN: 1.0})).drop(columns=SPLIT_COLUMN)
    typed = frame[list(PRICE_COLUMNS)].astype(np.float64)
    typed["volume"] = np.rint(frame["volume"].to_numpy(np.float64)).astype(np.int64)
    return typed


def vendor_bars(raw: pd.DataFrame, optional: Iterable[str] = ()) -> pd.DataFrame:
    """Any vendor's bars under the project's column names, before any cleaning: indexed by
    session date (tz-naive midnight, named ``date``, ascending; the last row of a repeated
    date wins), with :data:`BAR_COLUMNS` and whichever ``optional`` columns ``raw`` has, all
    numeric (an unparseable cell is NaN). Raises :class:`BarsError` naming a missing column
    or dates that do not parse."""
    frame = raw.rename(columns={c: _canonical(str(c)) for c in raw.columns})
    if INDEX_NAME in frame.columns:
        frame = frame.set_index(INDEX_NAME)
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise BarsError(
            f"missing column(s) {', '.join(missing)} (have: {', '.join(map(str, raw.columns))})"
        )
    try:
        index = pd.DatetimeIndex(pd.to_datetime(frame.index), name=INDEX_NAME)
    except (ValueError, TypeError) as exc:
        raise BarsError(f"dates do not parse: {exc}") from None
    if index.tz is not None:
        index = index.tz_localize(None)
    keep = [*BAR_COLUMNS, *(c for c in optional if c in frame.columns)]
    frame = frame[keep].set_axis(index.normalize().as_unit("ns"), axis=0)
    frame = frame.apply(pd.to_numeric, errors="coerce")
    unique: pd.DataFrame = frame[~frame.index.duplicated(keep="last")].sort_index()
    return unique


def _canonical(name: str) -> str:
    """ "5. Adj Close" -> "adj_close"; then vendor aliases to our names."""
    words = re.sub(r"^\d+\.\s*", "", name.strip().lower())
    snake = re.sub(r"[^a-z0-9]+", "_", words).strip("_")
    return _ALIASES.get(snake.replace("_", ""), snake)
