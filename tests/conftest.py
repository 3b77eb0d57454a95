"""Project-wide pytest fixtures: the emulators and sandbox hubs several test modules share.

Setup that must be torn down (servers, hubs) lives here as fixtures. Plain helpers
(constants, config builders, small scanner classes) live in the helper modules
``tests/sandbox_fixtures.py`` and ``tests/scanner_kit.py``, which test modules import; a test
module never imports from another test module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox_fixtures import INSTANT, SEED, TRADE_DATE, sandbox_data
from tests.scanner_kit import SCANNER_TRADE_DATE
from tradingagents.sandbox.market import Market
from tradingagents.sandbox.server import SandboxServer
from tradingagents.sources.config import default_cache_dir
from tradingagents.sources.hub import Sources

# The user's real cache folder, taken before the session isolates it.
_REAL_CACHE_DIR = default_cache_dir()


@pytest.fixture(scope="session", autouse=True)
def isolated_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every default cache folder of this test session, and of the processes it starts (they
    inherit the environment), is a temporary one: a run without ``data.cache_dir`` must not
    add to the user's HTTP cache, market store or run history."""
    base = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base))
        yield default_cache_dir()


@pytest.fixture(scope="session")
def real_cache_dir() -> Path:
    """The user's real default cache folder (tests check that nothing reaches it)."""
    return _REAL_CACHE_DIR


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """One emulator for read-only tests (zero latency, no limits, no faults)."""
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as server:
        yield server


@pytest.fixture(scope="module")
def sources() -> Iterator[Sources]:
    """A sandbox hub on ``SCANNER_TRADE_DATE`` (zero latency), one per module, for the
    scanner tests. A module that needs another market defines its own ``sources``."""
    hub = Sources.from_config({"data": sandbox_data()}, trade_date=SCANNER_TRADE_DATE)
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture(scope="module")
def market(sources: Sources) -> Market:
    """The market ``sources`` serves: the ground truth the scanner tests compare with."""
    assert sources.sandbox is not None
    return sources.sandbox.market
