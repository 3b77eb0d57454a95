"""One parser of vendor bar files serves the price sources and the store's importer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingagents.sources.bars import BarsError, normalise_bars, vendor_bars
from tradingagents.store.importer import read_as_traded

VENDOR_CSV = """\
Timestamp,1. Open,2. High,3. Low,4. Close,5. Volume,VWAP,trade_count
2021-01-05T16:00:00-05:00,10,12,9,11,1000,10.5,70
2021-01-04T16:00:00-05:00,9,11,8,10,900,9.5,60
2021-01-06T16:00:00-05:00,11,13,10,oops,800,11.5,50
2021-01-05T16:00:00-05:00,10,12,9,11.5,1100,10.6,71
"""


def test_vendor_names_dates_and_repeats_read_the_same_in_both(tmp_path: Path) -> None:
    path = tmp_path / "ABC.csv"
    path.write_text(VENDOR_CSV)
    shared = vendor_bars(pd.read_csv(path), optional=("vwap", "transactions"))
    assert [str(d.date()) for d in shared.index] == ["2021-01-04", "2021-01-05", "2021-01-06"]
    assert shared.loc["2021-01-05", "close"] == 11.5  # the last row of a repeated date wins
    assert np.isnan(shared.loc["2021-01-06", "close"])

    imported, splits = read_as_traded(path)
    priced = normalise_bars(pd.read_csv(path))
    columns = ["open", "high", "low", "close"]
    pd.testing.assert_frame_equal(
        imported[columns], priced[columns], check_names=False, check_freq=False, check_dtype=False
    )
    assert imported["transactions"].tolist() == [60, 71] and splits.empty


def test_a_missing_column_is_named_with_what_the_file_has(tmp_path: Path) -> None:
    path = tmp_path / "ABC.csv"
    path.write_text("date,open,high,low,volume\n2021-01-04,1,2,0.5,10\n")
    for read in (lambda: read_as_traded(path), lambda: normalise_bars(pd.read_csv(path))):
        with pytest.raises(BarsError, match=r"missing column\(s\) close \(have: date, open"):
            read()
