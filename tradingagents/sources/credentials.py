"""Which sources run live, with which keys: from the config dict first, then the environment.

``mode`` sandbox: every source talks to the embedded emulator with fake keys. live: every
source talks to its configured ``base_url``; a source without its key is *unavailable* (its
scanners are skipped with "FINNHUB_API_KEY is not set"), the others still run. auto: live for
each source whose key is present, sandbox for the rest; prices (no key) follow the others:
live when ``local_dir`` is set or any keyed source is live, so fictional sandbox symbols are
never looked up on a real price server. Every key is registered for redaction on sight.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tradingagents.sources.config import DataConfig
from tradingagents.sources.errors import MissingCredentials
from tradingagents.sources.redaction import register_secret

logger = logging.getLogger(__name__)

Mode = Literal["live", "sandbox"]

# (secret name in the config section, environment variable, is it a secret?)
_KEYS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "finnhub": (("api_key", "FINNHUB_API_KEY", True),),
    "reddit": (
        ("client_id", "REDDIT_CLIENT_ID", True),
        ("client_secret", "REDDIT_CLIENT_SECRET", True),
        ("user_agent", "REDDIT_USER_AGENT", False),
    ),
    "alpha_vantage": (("api_key", "ALPHA_VANTAGE_API_KEY", True),),
    "sec": (("user_agent", "SEC_USER_AGENT", False),),
    "prices": (),
}

# What "the key is present" means for auto mode (Reddit's user agent alone is not a key).
_DECIDING_KEYS: dict[str, tuple[str, ...]] = {
    "finnhub": ("api_key",),
    "reddit": ("client_id", "client_secret"),
    "alpha_vantage": ("api_key",),
    "sec": ("user_agent",),
}

SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "finnhub": {"api_key": "sandbox-finnhub-key"},
    "reddit": {
        "client_id": "sandbox-reddit-client",
        "client_secret": "sandbox-reddit-secret",
        "user_agent": "tradingagents-sandbox/0.1 (by tradingagents)",
    },
    "alpha_vantage": {"api_key": "sandbox-alpha-vantage-key"},
    "sec": {"user_agent": "tradingagents sandbox sandbox@example.com"},
    "prices": {},
}


@dataclass(frozen=True)
class SourceAccess:
    """How one source runs: its mode, its credentials, and what is missing for live use."""

    source: str
    mode: Mode
    credentials: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    """Environment variable names of required keys that are not set (live mode only)."""

    @property
    def unavailable_reason(self) -> str | None:
        if not self.missing:
            return None
        verb = "is" if len(self.missing) == 1 else "are"
        return f"{' and '.join(self.missing)} {verb} not set"

    def require(self) -> Mapping[str, str]:
        """The credentials, or :class:`MissingCredentials` naming the unset variables."""
        reason = self.unavailable_reason
        if reason is not None:
            raise MissingCredentials(self.source, reason)
        return self.credentials


def resolve_access(
    data: DataConfig, env: Mapping[str, str] | None = None
) -> dict[str, SourceAccess]:
    """One :class:`SourceAccess` per source, following ``data.mode`` (see module docstring)."""
    environ = os.environ if env is None else env
    found = {name: _lookup(data, name, environ) for name in _KEYS}
    modes: dict[str, Mode] = {}
    for name, deciding in _DECIDING_KEYS.items():
        if data.mode == "auto":
            modes[name] = "live" if all(k in found[name] for k in deciding) else "sandbox"
        else:
            modes[name] = data.mode
    if data.mode == "auto":
        live_prices = data.sources.prices.local_dir is not None or "live" in modes.values()
        modes["prices"] = "live" if live_prices else "sandbox"
    else:
        modes["prices"] = data.mode
    return {name: _access(name, modes[name], found[name]) for name in _KEYS}


def configured_keys(data: Any, env: Mapping[str, str] | None = None) -> list[str]:
    """Every key value a raw (unvalidated) ``data`` section or the environment holds, so
    config errors can scrub them whatever field they were pasted into."""
    environ = os.environ if env is None else env
    sources = data.get("sources") if isinstance(data, Mapping) else None
    found = []
    for source, keys in _KEYS.items():
        section = sources.get(source) if isinstance(sources, Mapping) else None
        for attribute, variable, _ in keys:
            for value in (
                section.get(attribute) if isinstance(section, Mapping) else None,
                environ.get(variable),
            ):
                if isinstance(value, str) and value.strip():
                    found.append(value.strip())
    return found


def _lookup(data: DataConfig, source: str, env: Mapping[str, str]) -> dict[str, str]:
    section = getattr(data.sources, source)
    values: dict[str, str] = {}
    for attribute, variable, secret in _KEYS[source]:
        value = getattr(section, attribute) or env.get(variable) or None
        if value is None:
            continue
        value = value.strip()
        if secret:
            register_secret(value)
        if value:
            values[attribute] = value
    return values


def _access(source: str, mode: Mode, found: dict[str, str]) -> SourceAccess:
    if mode == "sandbox":
        return SourceAccess(source, mode, SANDBOX_CREDENTIALS[source])
    missing = tuple(variable for attribute, variable, _ in _KEYS[source] if attribute not in found)
    if source == "sec" and "user_agent" in found and "@" not in found["user_agent"]:
        logger.warning(
            "SEC_USER_AGENT should name you and give a contact email ('Jane Doe jane@example.com');"
            " SEC EDGAR answers 403 to anonymous-looking user agents"
        )
    return SourceAccess(source, mode, found, missing)
