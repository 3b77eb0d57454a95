"""Registration order (which decides merge order) does not depend on import timing:
built-ins, then entry-point plugins (by entry-point name), then user registrations in the
order they were made.

The global registry loads the built-ins and plugins once per interpreter, so the scenarios
run in a fresh interpreter each, with real installed distributions (dist-info on sys.path).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner, ScannerRegistry
from tradingagents.scanners.registry import BUILTIN_PACKAGE

ROOT = Path(__file__).resolve().parents[1]

USER_SCANNERS = """
    from tradingagents.discovery import BaseScanner

    class UserScanner(BaseScanner):
        pipeline = "momentum"
        def scan(self, state):
            return []

    def user(name):
        return type(name.title(), (UserScanner,), {"name": name})
"""


def _install_plugin(site: Path, dist: str, entry_point: str, module: str, source: str) -> None:
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[tradingagents.scanners]\n{entry_point}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Two installed plugins: one names its class, one is a module that registers on import."""
    _install_plugin(
        tmp_path,
        "ta_order_class",
        "class_plugin = ta_order_class_mod:ClassPlugin",
        "ta_order_class_mod",
        """
        from tradingagents.discovery import BaseScanner
        class ClassPlugin(BaseScanner):
            name = "class_plugin"; pipeline = "edge"
            def scan(self, state):
                return []
        """,
    )
    _install_plugin(
        tmp_path,
        "ta_order_module",
        "module_plugin = ta_order_module_mod",
        "ta_order_module_mod",
        """
        from tradingagents.discovery import SCANNER_REGISTRY, BaseScanner
        @SCANNER_REGISTRY.register
        class ModulePlugin(BaseScanner):
            name = "module_plugin"; pipeline = "edge"
            def scan(self, state):
                return []
        """,
    )
    (tmp_path / "ta_order_users.py").write_text(textwrap.dedent(USER_SCANNERS))
    return tmp_path


def names_after(site: Path, script: str) -> list[str]:
    """Run ``script`` in a fresh interpreter; it prints the registry's names as JSON."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return names


def builtin_names() -> list[str]:
    return [
        cls.name
        for cls in SCANNER_REGISTRY.classes()
        if cls.__module__.startswith(BUILTIN_PACKAGE + ".")
    ]


@pytest.mark.timeout(90)
def test_user_scanner_registered_before_or_after_first_use_comes_after_builtins_and_plugins(
    site: Path,
) -> None:
    names = names_after(
        site,
        """
        import json
        from tradingagents.discovery import SCANNER_REGISTRY
        from ta_order_users import user
        SCANNER_REGISTRY.register(user("early_user"))      # before the registry is touched
        SCANNER_REGISTRY.names()                           # first use: built-ins, plugins load
        SCANNER_REGISTRY.register(user("late_user"))       # after
        print(json.dumps(SCANNER_REGISTRY.names()))
        """,
    )
    builtins = builtin_names()
    assert names[: len(builtins)] == builtins
    assert names[len(builtins) :] == ["class_plugin", "module_plugin", "early_user", "late_user"]


@pytest.mark.timeout(90)
def test_plugin_imported_by_the_user_first_still_counts_as_a_plugin(site: Path) -> None:
    names = names_after(
        site,
        """
        import json
        import ta_order_module_mod                          # registers module_plugin now
        from ta_order_class_mod import ClassPlugin
        from tradingagents.discovery import SCANNER_REGISTRY
        from ta_order_users import user
        SCANNER_REGISTRY.register(ClassPlugin)             # the user registers it by hand
        SCANNER_REGISTRY.register(user("my_user"))
        print(json.dumps(SCANNER_REGISTRY.names()))
        """,
    )
    builtins = builtin_names()
    assert names[: len(builtins)] == builtins
    # Plugins in entry-point name order, however early the user imported them.
    assert names[len(builtins) :] == ["class_plugin", "module_plugin", "my_user"]


def test_user_registrations_keep_their_order() -> None:
    registry = ScannerRegistry(entry_point_group=None, builtin_package=None)

    def make(name: str) -> type[BaseScanner]:
        attrs = {"name": name, "pipeline": "momentum", "scan": lambda self, state: []}
        return type(name.title(), (BaseScanner,), attrs)

    for name in ("zeta", "alpha", "mid"):
        registry.register(make(name))
    assert registry.names() == ["zeta", "alpha", "mid"]
    registry.unregister("alpha")
    registry.register(make("alpha"))
    assert registry.names() == ["zeta", "mid", "alpha"]
