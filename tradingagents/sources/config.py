"""The models of ``config["data"]``: strict, closed (unknown keys are errors), typed.

Each source's section is its own model (a :class:`SourceSettings`); the ``sources`` container
is assembled from the registered source specs by
:func:`tradingagents.sources.specs.data_model`, which is what validates a ``data`` section.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Seconds = Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)]
TtlSeconds = Annotated[float, Field(ge=0, le=365 * 86_400, allow_inf_nan=False)]
"""A cache lifetime; 0 means "never cache"."""
Rate = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RateLimit(_Section):
    """Requests allowed per window; every window given is enforced at once."""

    per_second: Rate | None = None
    per_minute: Rate | None = None
    per_hour: Rate | None = None
    per_day: Rate | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> RateLimit:
        if not any(self.windows().values()):
            raise ValueError("set at least one of per_second, per_minute, per_hour, per_day")
        return self

    def windows(self) -> dict[str, float | None]:
        return {
            "second": self.per_second,
            "minute": self.per_minute,
            "hour": self.per_hour,
            "day": self.per_day,
        }


class CacheTtl(_Section):
    """Cache lifetimes in seconds, one per group of endpoints (the source's own keys)."""


class SourceSettings(_Section):
    """What every source's section has; each source's model adds its own keys."""

    base_url: HttpUrl
    rate_limit: RateLimit | None
    """``None`` disables client-side limiting (only sensible for your own server)."""
    timeout_seconds: Seconds
    cache_ttl: CacheTtl


class FinnhubTtl(CacheTtl):
    quote: TtlSeconds
    news: TtlSeconds
    calendar: TtlSeconds
    reference: TtlSeconds


#: A key or client secret: validated like any string, never shown in the model's repr.
SecretValue = Annotated[str | None, Field(repr=False)]


class FinnhubConfig(SourceSettings):
    api_key: SecretValue
    cache_ttl: FinnhubTtl


class RedditTtl(CacheTtl):
    listing: TtlSeconds


class RedditConfig(SourceSettings):
    oauth_url: HttpUrl
    client_id: SecretValue
    client_secret: SecretValue
    user_agent: str | None
    cache_ttl: RedditTtl


class AlphaVantageTtl(CacheTtl):
    movers: TtlSeconds
    daily: TtlSeconds
    quote: TtlSeconds


class AlphaVantageConfig(SourceSettings):
    api_key: SecretValue
    cache_ttl: AlphaVantageTtl


class SecTtl(CacheTtl):
    tickers: TtlSeconds
    feed: TtlSeconds
    filing: TtlSeconds


class SecConfig(SourceSettings):
    data_url: HttpUrl
    user_agent: str | None
    cache_ttl: SecTtl


class PricesTtl(CacheTtl):
    daily: TtlSeconds


class PricesConfig(SourceSettings):
    local_dir: str | None
    cache_ttl: PricesTtl


class MassiveConfig(SourceSettings):
    api_key: SecretValue


class SourcesConfig(_Section):
    """``data.sources``: one field per registered source (see ``specs.data_model``)."""

    def section(self, name: str) -> SourceSettings:
        settings: SourceSettings = getattr(self, name)
        return settings


class SandboxConfig(_Section):
    seed: int
    services: dict[str, dict[str, Any]]
    """Emulator knobs per service (latency, rate_limit, faults, valid_keys)."""

    @field_validator("services")
    @classmethod
    def _knobs_are_valid(cls, services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if not services:
            return services  # nothing to check: a live-mode config never loads the sandbox
        # The emulator owns the knob schema; imported here, not at module level, so that
        # loading the sources never loads the sandbox.
        from tradingagents.sandbox.knobs import KnobError, parse_services

        try:
            parse_services(services)
        except KnobError as exc:
            raise ValueError(str(exc)) from None
        return services


class ResilienceConfig(_Section):
    max_attempts: int = Field(ge=1, le=20)
    backoff_max_seconds: Seconds
    max_retry_after_seconds: Seconds
    max_wait_seconds: Seconds
    breaker_fail_max: int = Field(ge=1, le=1000)
    breaker_reset_seconds: Seconds


class StoreConfig(_Section):
    """``data.store``: the local market store (see :mod:`tradingagents.store`)."""

    path: str | None
    """A folder; relative paths are under the cache dir; None = ``<cache dir>/market``."""


class DataConfig(_Section):
    mode: Literal["sandbox", "live", "auto"]
    cache_dir: str | None
    store: StoreConfig
    sandbox: SandboxConfig
    resilience: ResilienceConfig
    sources: SourcesConfig

    def cache_path(self) -> Path:
        """The HTTP cache folder: ``cache_dir``, else ``$XDG_CACHE_HOME`` or ``~/.cache``."""
        if self.cache_dir is not None:
            return Path(self.cache_dir).expanduser()
        return default_cache_dir()

    def store_path(self) -> Path:
        """The market store's folder: ``store.path`` (relative to the cache dir), else
        ``<cache dir>/market``."""
        if self.store.path is None:
            return self.cache_path() / "market"
        path = Path(self.store.path).expanduser()
        return path if path.is_absolute() else self.cache_path() / path


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "tradingagents"
