"""Replace a file atomically: its readers see the old content or all of the new, never part.

The new content goes to a temporary file in the target's folder (a rename across file
systems is not atomic), is fsynced, then renamed over the target; on any failure, Ctrl-C
included, the temporary file is deleted and the target is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def replace_atomically(
    path: Path, write: Callable[[BinaryIO], object], *, prefix: str, suffix: str = ""
) -> None:
    """Replace ``path`` with what ``write`` writes to the binary stream it is given; the
    temporary file is named ``prefix...suffix`` (so readers of the folder can skip it)."""
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as sink:
            write(sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text_atomically(path: Path, text: str, *, prefix: str, suffix: str = "") -> None:
    """Replace ``path`` with ``text`` in UTF-8."""
    data = text.encode("utf-8")
    replace_atomically(path, lambda sink: sink.write(data), prefix=prefix, suffix=suffix)
