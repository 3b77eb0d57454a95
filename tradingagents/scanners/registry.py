"""The scanner registry: built-in scanners, user scanners and entry-point plugins.

Registration order is meaningful: it is the order sequential runs use and the order in
which results are merged, whatever order scanners finish in. So it never depends on import
timing: the built-in scanners come first (in module name order), then entry-point plugins
(in entry-point name order), then the scanners users register, in the order they did.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import re
import threading
from collections.abc import Iterator
from enum import IntEnum
from importlib.metadata import entry_points
from types import ModuleType
from typing import TypeVar

from tradingagents.scanners.base import BaseScanner

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "tradingagents.scanners"
BUILTIN_PACKAGE = "tradingagents.scanners.builtin"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

S = TypeVar("S", bound=type[BaseScanner])


class Origin(IntEnum):
    """Where a scanner came from; the registry lists them in this order."""

    BUILTIN = 0
    PLUGIN = 1
    USER = 2


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
    """Name -> scanner class: built-ins, then entry-point plugins, then user registrations,
    each in registration order. The built-in scanners and the plugins load on first use
    (``None`` for either leaves it out, e.g. in tests)."""

    def __init__(
        self,
        *,
        entry_point_group: str | None = ENTRY_POINT_GROUP,
        builtin_package: str | None = BUILTIN_PACKAGE,
    ) -> None:
        self._classes: dict[str, type[BaseScanner]] = {}
        # name -> (origin, entry-point position, registration number): the listing order.
        self._order: dict[str, tuple[Origin, int, int]] = {}
        self._sequence = itertools.count()
        self._entry_point_position: int | None = None  # set while an entry point loads
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
            origin, position = self._origin_of(cls)
            if existing is None:
                self._classes[cls.name] = cls
                self._order[cls.name] = (origin, position, next(self._sequence))
            else:
                self._promote(cls, origin, position)
        return cls

    def unregister(self, name: str) -> None:
        with self._lock:
            self._classes.pop(name, None)
            self._order.pop(name, None)

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
            names = sorted(self._order, key=self._order.__getitem__)
            return [self._classes[name] for name in names]

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
            # By name, so the plugins' order does not depend on how the installer laid out
            # site-packages either.
            found = sorted(entry_points(group=self._group), key=lambda ep: (ep.name, ep.value))
            try:
                for position, ep in enumerate(found):
                    self._entry_point_position = position
                    try:
                        loaded = ep.load()
                        # An entry point may name a scanner class, or a module whose import
                        # registers its scanners (a decorator at class definition).
                        if isinstance(loaded, type):
                            self.register(loaded)
                        elif isinstance(loaded, ModuleType):
                            self._promote_module(loaded, position)
                    except Exception as exc:
                        reason = (
                            f"entry point {ep.value!r} failed to load: {type(exc).__name__}: {exc}"
                        )
                        self._load_errors[ep.name] = reason
                        logger.error("scanner plugin %s: %s", ep.name, reason)
            finally:
                self._entry_point_position = None

    def _origin_of(self, cls: type[BaseScanner]) -> tuple[Origin, int]:
        package = self._builtin_package
        if package is not None and cls.__module__.startswith(f"{package}."):
            return Origin.BUILTIN, 0
        if self._entry_point_position is not None:
            return Origin.PLUGIN, self._entry_point_position
        return Origin.USER, 0

    def _promote(self, cls: type[BaseScanner], origin: Origin, position: int) -> None:
        """A class registered again from an earlier group (a plugin the user imported and
        registered before the registry loaded it) moves to that group."""
        current, _, sequence = self._order[cls.name]
        if origin < current:
            self._order[cls.name] = (origin, position, sequence)

    def _promote_module(self, module: ModuleType, position: int) -> None:
        """The scanners a plugin module registered on import belong to the plugins, even
        when the user imported that module before the registry loaded it."""
        prefix = f"{module.__name__}."
        for cls in list(self._classes.values()):
            if cls.__module__ == module.__name__ or cls.__module__.startswith(prefix):
                self._promote(cls, Origin.PLUGIN, position)

    def reload_plugins(self) -> None:
        """Load entry points again (after installing a plugin in a running process)."""
        with self._lock:
            self._plugins_loaded = self._group is None and self._builtin_package is None
            self._load_errors.clear()
        self._load_plugins()


SCANNER_REGISTRY = ScannerRegistry()
