"""The built-in scanners, one module each.

Importing this package imports every module in it (sorted by name, so registration order is
stable), and each module registers its scanner with ``@SCANNER_REGISTRY.register``.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if not _module.startswith("_"):
        importlib.import_module(f"{__name__}.{_module}")
