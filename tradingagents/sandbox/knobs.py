"""Per-service behaviour knobs of the sandbox emulator, validated with pydantic.

The input is shaped like ``config["data"]["sandbox"]["services"]``::

    {"finnhub": {"latency": {"median_ms": 150, "sigma": 0.6, "max_ms": 3000},
                 "rate_limit": {"per_second": 30, "per_minute": 60},
                 "faults": {"error_rate": 0.1, "error_status": 503, ...},
                 "valid_keys": ["key1"]},
     "reddit": {...}, "alpha_vantage": {...}, "sec": {...}, "prices": {...}}

Every level is partial: what is left out keeps its default. Unknown services or knobs raise
:class:`KnobError` naming the offending key and listing the valid ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradingagents.sources.specs import source_names, source_spec, source_specs

# The built-in services. The emulator serves every registered source spec: each spec names
# its service, its default median latency and whether the real service takes a key.
SERVICE_NAMES: Final = source_names()
DEFAULT_SIGMA: Final = 0.5
DEFAULT_MAX_MS: Final = 2000.0


class KnobError(ValueError):
    """Sandbox knobs that do not validate; the message names every problem."""


class _Knobs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Latency(_Knobs):
    """Lognormal response delay: ``median_ms * exp(sigma * N(0, 1))``, capped at ``max_ms``."""

    median_ms: float = Field(default=0.0, ge=0)
    sigma: float = Field(default=DEFAULT_SIGMA, ge=0)
    max_ms: float = Field(default=DEFAULT_MAX_MS, ge=0)


class RateLimit(_Knobs):
    """Server-side sliding-window limits; every window that is set must have room."""

    per_second: int | None = Field(default=None, gt=0)
    per_minute: int | None = Field(default=None, gt=0)
    per_day: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _at_least_one_window(self) -> RateLimit:
        if self.per_second is None and self.per_minute is None and self.per_day is None:
            raise ValueError(
                "rate_limit needs per_second, per_minute or per_day (use None for no limit)"
            )
        return self

    def windows(self) -> tuple[tuple[int, float], ...]:
        """``(limit, window_seconds)`` pairs, shortest window first."""
        pairs = ((self.per_second, 1.0), (self.per_minute, 60.0), (self.per_day, 86400.0))
        return tuple((limit, seconds) for limit, seconds in pairs if limit is not None)


class Faults(_Knobs):
    """Injected failures. One uniform draw per request picks at most one fault."""

    error_rate: float = Field(default=0.0, ge=0, le=1)
    error_status: int = Field(default=503, ge=500, le=599)
    reset_rate: float = Field(default=0.0, ge=0, le=1)
    hang_rate: float = Field(default=0.0, ge=0, le=1)
    hang_seconds: float = Field(default=30.0, ge=0)
    malformed_rate: float = Field(default=0.0, ge=0, le=1)
    # A dripping answer: headers at once, then the body `drip_bytes` at a time every
    # `drip_interval_seconds`, so every read succeeds well within a read timeout.
    drip_rate: float = Field(default=0.0, ge=0, le=1)
    drip_bytes: int = Field(default=1, ge=1)
    drip_interval_seconds: float = Field(default=0.1, ge=0)
    # Seconds sent as Retry-After on 429 and 503 answers; None leaves the header out. Zero and
    # negative values are sent as they are: real servers send them too.
    retry_after: float | None = Field(default=1)
    # 401 answers quote the request's query string (keys included), as some real APIs do.
    echo_query_on_401: bool = False

    @model_validator(mode="after")
    def _rates_fit(self) -> Faults:
        total = (
            self.error_rate + self.reset_rate + self.hang_rate + self.malformed_rate
            + self.drip_rate
        )
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"error_rate + reset_rate + hang_rate + malformed_rate + drip_rate is {total:g};"
                " it must not exceed 1"
            )
        return self


class ServiceKnobs(_Knobs):
    """Everything that shapes one service's behaviour."""

    latency: Latency = Latency()
    rate_limit: RateLimit | None = None
    faults: Faults = Faults()
    # None: any non-empty key is accepted. A missing key is always refused.
    valid_keys: tuple[str, ...] | None = None

    @field_validator("valid_keys")
    @classmethod
    def _keys_not_blank(cls, keys: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if keys is not None and any(not key for key in keys):
            raise ValueError("valid_keys must not contain empty strings")
        return keys


def default_knobs(service: str) -> ServiceKnobs:
    """The knobs a service has when the configuration says nothing about it."""
    _check_service(service)
    return ServiceKnobs(latency=Latency(median_ms=source_spec(service).sandbox.latency_ms))


def parse_services(raw: Mapping[str, Any] | None) -> dict[str, ServiceKnobs]:
    """Validate a ``services`` mapping; every service gets its defaults merged under it."""
    if raw is not None and not isinstance(raw, Mapping):
        raise KnobError(f"sandbox services must be a mapping, got {type(raw).__name__}")
    raw = raw or {}
    for service in raw:
        _check_service(service)
    return {
        service: apply_changes(default_knobs(service), service, raw.get(service) or {})
        for service in source_names()
    }


def apply_changes(knobs: ServiceKnobs, service: str, changes: Mapping[str, Any]) -> ServiceKnobs:
    """``knobs`` with ``changes`` merged in (nested dicts merge key by key)."""
    if not isinstance(changes, Mapping):
        raise KnobError(f"sandbox {service}: knobs must be a mapping, got {type(changes).__name__}")
    merged = _deep_merge(knobs.model_dump(), changes)
    try:
        validated = ServiceKnobs.model_validate(merged)
    except ValidationError as exc:
        raise KnobError(_describe(service, exc)) from None
    if validated.valid_keys is not None and not source_spec(service).keyed:
        keyed = sorted(spec.name for spec in source_specs() if spec.keyed)
        raise KnobError(
            f"sandbox {service}.valid_keys: {service} has no API key "
            f"(valid_keys applies to {', '.join(keyed)})"
        )
    return validated


def _deep_merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _check_service(service: object) -> None:
    if service not in source_names():
        raise KnobError(
            f"unknown sandbox service {service!r} (valid: {', '.join(source_names())})"
        )


_MODELS_BY_FIELD: Final[Mapping[str, type[BaseModel]]] = {
    "latency": Latency,
    "rate_limit": RateLimit,
    "faults": Faults,
}


def _describe(service: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        where = ".".join([service, *loc])
        if error["type"] == "extra_forbidden":
            model = _MODELS_BY_FIELD.get(loc[0], ServiceKnobs) if len(loc) > 1 else ServiceKnobs
            valid = ", ".join(model.model_fields)
            problems.append(f"{where}: unknown knob {loc[-1]!r} (valid: {valid})")
        else:
            problems.append(f"{where}: {error['msg']} (got {error.get('input')!r})")
    return "invalid sandbox knobs: " + "; ".join(problems)
