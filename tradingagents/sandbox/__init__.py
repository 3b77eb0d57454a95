"""The sandbox: a seeded offline market and a loopback emulator of the real data services.

``from tradingagents.sandbox import SandboxServer`` stays cheap: the server (and the pandas
market behind it) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradingagents.sandbox.server import SandboxServer

__all__ = ["SandboxServer"]


def __getattr__(name: str) -> Any:
    if name == "SandboxServer":
        from tradingagents.sandbox.server import SandboxServer

        return SandboxServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
