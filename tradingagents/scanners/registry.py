"""The scanner registry: built-in scanners, user scanners and entry-point plugins.

Registration order is meaningful: it is the order sequential runs use and the order in
which results are merged, whatever order scanners finish in.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import TypeVar

from tradingagents.scanners.base import BaseScanner

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "tradingagents.scanners"
BUILTIN_PACKAGE = "tradingagents.scanners.builtin"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

S = TypeVar("S", bound=type[BaseScanner])


class ScannerRegistrationError(ValueError):
    """A class that cannot be registered as a scanner, with the reason."""


def check_scanner_class(cls: object) -> None:
    """Raise :class:`ScannerRegistrationError` unless ``cls`` is a usable scanner class."""
    if not (isinstance(cls, type) and issubclass(cls, BaseScanner)):
        raise ScannerRegistrationError(f"{cls!r} is not a subclass of BaseScanner")
    for attribute in ("name", "pipeline"):
        value = getattr(cls, attribute, "")
        if not isinstance(value, str) or not _NAME.match(value):
            raise ScannerRegistrationError(
                f"{cls.__name__}.{attribute} must be a lowercase identifier like 'my_scanner', "
                f"got {value!r}"
            )
    if cls.scan is BaseScanner.scan:
        raise ScannerRegistrationError(f"{cls.__name__} does not implement scan(self, state)")


class ScannerRegistry:
    """Name -> scanner class, in registration order. The built-in scanners, then entry-point
    plugins, load on first use (``None`` for either leaves it out, e.g. in tests)."""

    def __init__(
        self,
        *,
        entry_point_group: str | None = ENTRY_POINT_GROUP,
        builtin_package: str | None = BUILTIN_PACKAGE,
    ) -> None:
        self._classes: dict[str, type[BaseScanner]] = {}
        self._load_errors: dict[str, str] = {}
        self._group = entry_point_group
        self._builtin_package = builtin_package
        self._plugins_loaded = entry_point_group is None and builtin_package is None
        self._lock = threading.RLock()

    def register(self, cls: S) -> S:
        """Register a scanner class; usable as a decorator. Re-registering the same class is
        a no-op; another class under a taken name is an error."""
        check_scanner_class(cls)
        with self._lock:
            existing = self._classes.get(cls.name)
            if existing is not None and existing is not cls:
                raise ScannerRegistrationError(
                    f"scanner name {cls.name!r} is taken by {existing.__module__}."
                    f"{existing.__qualname__}"
                )
            self._classes[cls.name] = cls
        return cls

    def unregister(self, name: str) -> None:
        with self._lock:
            self._classes.pop(name, None)

    def get(self, name: str) -> type[BaseScanner]:
        self._load_plugins()
        try:
            return self._classes[name]
        except KeyError:
            raise KeyError(f"no scanner named {name!r} is registered") from None

    def classes(self) -> list[type[BaseScanner]]:
        """Every registered scanner class in registration order."""
        self._load_plugins()
        with self._lock:
            return list(self._classes.values())

    def names(self) -> list[str]:
        return [cls.name for cls in self.classes()]

    def load_errors(self) -> dict[str, str]:
        """Entry points that failed to load: entry-point name -> reason."""
        self._load_plugins()
        with self._lock:
            return dict(self._load_errors)

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def __iter__(self) -> Iterator[type[BaseScanner]]:
        return iter(self.classes())

    def __len__(self) -> int:
        return len(self.classes())

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        with self._lock:
            if self._plugins_loaded:
                return
            self._plugins_loaded = True
            if self._builtin_package is not None:
                # Each built-in module registers itself here as it is imported.
                importlib.import_module(self._builtin_package)
            if self._group is None:
                return
            for ep in entry_points(group=self._group):
                try:
                    loaded = ep.load()
                    # An entry point may name a scanner class, or a module whose import
                    # registers its scanners (a decorator at class definition).
                    if isinstance(loaded, type):
                        self.register(loaded)
                except Exception as exc:
                    reason = f"entry point {ep.value!r} failed to load: {type(exc).__name__}: {exc}"
                    self._load_errors[ep.name] = reason
                    logger.error("scanner plugin %s: %s", ep.name, reason)

    def reload_plugins(self) -> None:
        """Load entry points again (after installing a plugin in a running process)."""
        with self._lock:
            self._plugins_loaded = self._group is None and self._builtin_package is None
            self._load_errors.clear()
        self._load_plugins()


SCANNER_REGISTRY = ScannerRegistry()
