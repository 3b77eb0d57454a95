"""Which sources run live, with which keys: from the config dict first, then the environment.

``mode`` sandbox: every source talks to the embedded emulator with fake keys. live: every
source talks to its configured ``base_url``; a source without its key is *unavailable* (its
scanners are skipped with "FINNHUB_API_KEY is not set"), the others still run. auto: live for
each source whose key is present, sandbox for the rest; sources without keys (prices) follow
the others: live when their local files (``local_dir``) are set or any keyed source is live,
so fictional sandbox symbols are never looked up on a real price server. Every key is
registered for redaction on sight. The keys and their variables come from the source specs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from tradingagents.sources.config import DataConfig
from tradingagents.sources.errors import MissingCredentials
from tradingagents.sources.redaction import MASK, is_secret_name, register_secret
from tradingagents.sources.specs import Mode, SourceSpec, source_specs

logger = logging.getLogger(__name__)


class SecretDict(dict[str, str]):
    """A plain dict whose repr masks the values under secret names (``token``, ``api_key``,
    ``client_secret``...): request parameters and credentials a user may print or inspect.
    Its contents are untouched, so requests and the clients still send the real values."""

    def __repr__(self) -> str:
        return repr({key: MASK if is_secret_name(key) else value for key, value in self.items()})

    __str__ = __repr__


@dataclass(frozen=True)
class SourceAccess:
    """How one source runs: its mode, its credentials, and what is missing for live use."""

    source: str
    mode: Mode
    credentials: Mapping[str, str] = field(default_factory=SecretDict)
    missing: tuple[str, ...] = ()
    """Environment variable names of required keys that are not set (live mode only)."""

    def __post_init__(self) -> None:
        # Masked in this dataclass's repr (and anyone else's) however they were given.
        object.__setattr__(self, "credentials", SecretDict(self.credentials))

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
    specs = source_specs()
    found = {spec.name: _lookup(data, spec, environ) for spec in specs}
    modes: dict[str, Mode] = {}
    if data.mode != "auto":
        modes = {spec.name: data.mode for spec in specs}
    else:
        for spec in specs:
            deciding = [key.field for key in spec.keys if key.decides]
            if deciding:
                present = all(field in found[spec.name] for field in deciding)
                modes[spec.name] = "live" if present else "sandbox"
        for spec in specs:  # sources without keys follow the others
            if spec.name not in modes:
                local = spec.local_field is not None and getattr(
                    data.sources.section(spec.name), spec.local_field
                ) is not None
                modes[spec.name] = "live" if local or "live" in modes.values() else "sandbox"
    return {spec.name: _access(spec, modes[spec.name], found[spec.name]) for spec in specs}


def _lookup(data: DataConfig, spec: SourceSpec, env: Mapping[str, str]) -> dict[str, str]:
    section = data.sources.section(spec.name)
    values: dict[str, str] = {}
    for key in spec.keys:
        value = getattr(section, key.field) or key.from_env(env) or None
        if value is None:
            continue
        value = value.strip()
        if key.secret:
            register_secret(value)
        if value:
            values[key.field] = value
    return values


def _access(spec: SourceSpec, mode: Mode, found: dict[str, str]) -> SourceAccess:
    if mode == "sandbox":
        return SourceAccess(spec.name, mode, spec.sandbox_credentials())
    missing = tuple(key.env for key in spec.keys if key.field not in found)
    if spec.name == "sec" and "user_agent" in found and "@" not in found["user_agent"]:
        logger.warning(
            "SEC_USER_AGENT should name you and give a contact email ('Jane Doe jane@example.com');"
            " SEC EDGAR answers 403 to anonymous-looking user agents"
        )
    return SourceAccess(spec.name, mode, found, missing)
