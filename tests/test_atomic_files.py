"""tradingagents.atomic_files: a target is replaced whole or left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytest

from tradingagents.atomic_files import replace_atomically, write_text_atomically


def test_text_replaces_the_target_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("old", encoding="utf-8")
    write_text_atomically(target, "nouveau ✓\n", prefix=".tmp-")
    assert target.read_bytes() == "nouveau ✓\n".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_target_untouched_and_deletes_the_temporary_file(
    tmp_path: Path, failure: BaseException
) -> None:
    target = tmp_path / "bars.parquet"
    target.write_bytes(b"old")

    def half_then_fail(sink: BinaryIO) -> None:
        sink.write(b"half")
        assert any(p.name.startswith(".tmp-") for p in tmp_path.iterdir())
        raise failure

    with pytest.raises(type(failure)):
        replace_atomically(target, half_then_fail, prefix=".tmp-", suffix=".parquet")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bars.parquet"]
