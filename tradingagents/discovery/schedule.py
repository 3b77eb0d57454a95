"""The order scanners are queued in: longest expected first (LPT).

With more scanners than workers, the wall time is set by whichever scanner starts last and
runs long; starting the long ones first lets the short ones fill the gaps at the end. The
expected durations come from the run history (the graph reads them); this module only
orders. The merge never sees this order: results stay in registration order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def longest_first(names: Sequence[str], expected_seconds: Mapping[str, float]) -> list[int]:
    """Indices into ``names``, longest expected duration first.

    A scanner with no expected duration (new, or never ok in the history) goes before every
    known one: it may be long, and starting it early bounds what a long one costs, while a
    short one costs little wherever it starts. Ties, and the unknown ones among themselves,
    keep registration order.
    """

    def key(index: int) -> tuple[bool, float, int]:
        expected = expected_seconds.get(names[index])
        known = expected is not None
        return (known, -(expected or 0.0), index)

    return sorted(range(len(names)), key=key)
