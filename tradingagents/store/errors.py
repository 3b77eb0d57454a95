"""Errors of the market store, each naming the store and what is wrong."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot do what was asked (bad input, unreadable file, ...)."""


class StoreBusy(StoreError):
    """Another process holds the store's write lock."""


class StoreVersionError(StoreError):
    """The store's schema is newer than this program, or its version file is unreadable."""
