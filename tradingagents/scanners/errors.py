"""Signals a scanner run can end with, other than returning candidates."""

from __future__ import annotations


class ScannerSkipped(Exception):
    """Raise from a scanner (or a source) to report the run as ``skipped`` with a reason,
    e.g. a live source whose key is not set."""


class ScannerCancelled(BaseException):
    """Raised inside a scanner whose run the engine has ended.

    A ``BaseException`` (like ``asyncio.CancelledError``) so a scanner's own broad
    ``except Exception`` cannot swallow it and carry on.
    """
