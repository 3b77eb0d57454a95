"""The schema of ``config["data"]``: strict, closed (unknown keys are errors), typed.

:class:`DataConfig` is what the top-level validator calls (``DataConfig.model_validate(data)``,
errors located relative to ``data``); :func:`load_data_config` fills a partial section from
:data:`~tradingagents.default_config.DEFAULT_CONFIG` first, for callers holding a bare dict.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from tradingagents.default_config import DEFAULT_CONFIG

SOURCE_NAMES = ("finnhub", "reddit", "alpha_vantage", "sec", "prices")

Seconds = Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)]
TtlSeconds = Annotated[float, Field(ge=0, le=365 * 86_400, allow_inf_nan=False)]
"""A cache lifetime; 0 means "never cache"."""
Rate = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"must start with http:// or https://, got {value!r}")
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


class _HttpSource(_Section):
    base_url: HttpUrl
    rate_limit: RateLimit | None
    """``None`` disables client-side limiting (only sensible for your own server)."""
    timeout_seconds: Seconds


class FinnhubTtl(_Section):
    quote: TtlSeconds
    news: TtlSeconds
    calendar: TtlSeconds
    reference: TtlSeconds


class FinnhubConfig(_HttpSource):
    api_key: str | None
    cache_ttl: FinnhubTtl


class RedditTtl(_Section):
    listing: TtlSeconds


class RedditConfig(_HttpSource):
    oauth_url: HttpUrl
    client_id: str | None
    client_secret: str | None
    user_agent: str | None
    cache_ttl: RedditTtl


class AlphaVantageTtl(_Section):
    movers: TtlSeconds
    daily: TtlSeconds
    quote: TtlSeconds


class AlphaVantageConfig(_HttpSource):
    api_key: str | None
    cache_ttl: AlphaVantageTtl


class SecTtl(_Section):
    tickers: TtlSeconds
    feed: TtlSeconds
    filing: TtlSeconds


class SecConfig(_HttpSource):
    data_url: HttpUrl
    user_agent: str | None
    cache_ttl: SecTtl


class PricesTtl(_Section):
    daily: TtlSeconds


class PricesConfig(_HttpSource):
    local_dir: str | None
    cache_ttl: PricesTtl


class SourcesConfig(_Section):
    finnhub: FinnhubConfig
    reddit: RedditConfig
    alpha_vantage: AlphaVantageConfig
    sec: SecConfig
    prices: PricesConfig


class SandboxConfig(_Section):
    seed: int
    services: dict[Literal["finnhub", "reddit", "alpha_vantage", "sec", "prices"], dict[str, Any]]
    """Emulator knobs per service (latency, rate_limit, faults, valid_keys)."""

    @field_validator("services")
    @classmethod
    def _knobs_are_valid(cls, services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
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


class DataConfig(_Section):
    mode: Literal["sandbox", "live", "auto"]
    cache_dir: str | None
    sandbox: SandboxConfig
    resilience: ResilienceConfig
    sources: SourcesConfig

    def cache_path(self) -> Path:
        """The HTTP cache folder: ``cache_dir``, else ``$XDG_CACHE_HOME`` or ``~/.cache``."""
        if self.cache_dir is not None:
            return Path(self.cache_dir).expanduser()
        return default_cache_dir()


def contradictions(data: DataConfig) -> list[tuple[str, str]]:
    """Settings that validate one by one but cannot work together, located under ``data``."""
    problems = []
    if data.mode == "sandbox" and data.sources.prices.local_dir is not None:
        problems.append(
            (
                "sources.prices.local_dir",
                "your price files are never read in sandbox mode (the sandbox serves its own"
                " made-up market); set data.mode to 'live' or 'auto', or remove local_dir",
            )
        )
    return problems


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "tradingagents"


def load_data_config(data: Mapping[str, Any] | None = None) -> DataConfig:
    """Validate ``data`` deep-merged over the default ``data`` section (inputs untouched)."""
    merged = _deep_merge(DEFAULT_CONFIG["data"], data or {})
    return DataConfig.model_validate(merged)


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
