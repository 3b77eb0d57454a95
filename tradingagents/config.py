"""A validated, typed view of the plain config dict.

Users keep working with a plain dict (``config["discovery"]["scanner_execution"]
["concurrent"] = False``); :func:`load_config` checks all of it before anything runs and
raises one :class:`ConfigError` that names every bad key by its dotted path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
    field_validator,
)

from tradingagents.default_config import DEFAULT_CONFIG
from tradingagents.scanners.base import BaseScanner
from tradingagents.scanners.candidate import TICKER_PATTERN
from tradingagents.sources.config import DataConfig
from tradingagents.sources.redaction import is_secret_name


class ConfigError(ValueError):
    """Invalid configuration; ``problems`` lists (dotted key path, reason)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {path}: {reason}" for path, reason in self.problems)
        super().__init__(f"invalid configuration ({len(self.problems)} problem(s)):\n{lines}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScannerExecution(_Section):
    concurrent: StrictBool = True
    max_workers: StrictInt = Field(8, ge=1, le=512)
    timeout_seconds: Annotated[float, Strict()] = Field(30.0, gt=0, le=86_400, allow_inf_nan=False)


class PipelineSettings(_Section):
    enabled: StrictBool = True


class FilterRules(_Section):
    """``discovery.filter``: what a candidate needs to reach the ranking."""

    min_price: Annotated[float, Strict()] = Field(5.0, ge=0, allow_inf_nan=False)
    max_price: Annotated[float, Strict()] | None = Field(None, gt=0, allow_inf_nan=False)
    min_average_volume: Annotated[float, Strict()] = Field(300_000, ge=0, allow_inf_nan=False)
    average_volume_days: StrictInt = Field(20, ge=1, le=260)


class UniverseSettings(_Section):
    symbols: list[StrictStr] = []
    max_symbols: StrictInt = Field(1000, ge=1)

    @field_validator("symbols")
    @classmethod
    def _tickers(cls, symbols: list[str]) -> list[str]:
        normalised = [s.strip().upper() for s in symbols]
        bad = [s for s in normalised if not TICKER_PATTERN.match(s)]
        if bad:
            raise ValueError(f"not ticker symbols: {', '.join(map(repr, bad[:5]))}")
        return normalised


class RankingSettings(_Section):
    strategy_weights: dict[str, Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]] = {}
    top_n: StrictInt = Field(20, ge=1, le=10_000)


class DiscoverySection(_Section):
    scanner_execution: ScannerExecution = ScannerExecution()
    tool_log_preview_chars: StrictInt = Field(500, ge=0, le=1_000_000)
    universe: UniverseSettings = UniverseSettings()
    filter: FilterRules = FilterRules()
    ranking: RankingSettings = RankingSettings()
    pipelines: dict[str, PipelineSettings] = {}
    scanners: dict[str, dict[str, Any]] = {}


# Strict versions of the plain types scanners declare, so "yes" is not a bool and "8" not an int.
_STRICT_TYPES: dict[Any, Any] = {
    bool: StrictBool,
    int: StrictInt,
    str: StrictStr,
    float: Annotated[float, Strict()],
}


_SETTINGS_MODELS: dict[type[BaseScanner], type[BaseModel]] = {}


def scanner_settings_model(cls: type[BaseScanner]) -> type[BaseModel]:
    """The pydantic model of ``discovery.scanners.<cls.name>``, built from its declarations."""
    cached = _SETTINGS_MODELS.get(cls)
    if cached is not None:
        return cached
    fields: dict[str, Any] = {
        "enabled": (StrictBool, True),
        "limit": (StrictInt, Field(cls.default_limit, ge=1)),
    }
    for key, param in cls.params.items():
        fields[key] = (
            _STRICT_TYPES.get(param.type, param.type),
            Field(param.default, description=param.help, ge=param.ge, le=param.le),
        )
    extra: Literal["forbid", "allow"] = "forbid" if cls.params else "allow"
    model: type[BaseModel] = create_model(
        f"{cls.__name__}Settings", __config__=ConfigDict(extra=extra), **fields
    )
    _SETTINGS_MODELS[cls] = model
    return model


@dataclass(frozen=True)
class Settings:
    """The validated configuration: the normalised plain dict plus typed views of it."""

    #: The full config as a plain dict, defaults filled in; what scanners see as ``self.config``.
    raw: dict[str, Any]
    execution: ScannerExecution
    preview_chars: int
    filter_rules: FilterRules
    ranking: RankingSettings
    #: Every known scanner class, in registration order.
    scanners: tuple[type[BaseScanner], ...]

    def scanner_entry(self, name: str) -> dict[str, Any]:
        entry: dict[str, Any] = self.raw["discovery"]["scanners"][name]
        return entry

    def is_enabled(self, cls: type[BaseScanner]) -> bool:
        discovery = self.raw["discovery"]
        return bool(
            discovery["pipelines"][cls.pipeline]["enabled"]
            and discovery["scanners"][cls.name]["enabled"]
        )

    def enabled_scanners(self) -> list[type[BaseScanner]]:
        return [cls for cls in self.scanners if self.is_enabled(cls)]


def merge_over_defaults(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """``config`` deep-merged over :data:`DEFAULT_CONFIG` (user values win; inputs untouched)."""
    merged = copy.deepcopy(DEFAULT_CONFIG)
    if config is not None:
        _merge_into(merged, config)
    return merged


def _merge_into(target: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def load_config(
    config: Mapping[str, Any] | None,
    scanners: Iterable[type[BaseScanner]],
    *,
    also_known: Iterable[type[BaseScanner]] = (),
    unloadable: Iterable[str] = (),
) -> Settings:
    """Validate ``config`` (partial configs are completed from the defaults); raise
    :class:`ConfigError` listing every problem.

    ``scanners`` are the ones this run may use. Entries for ``also_known`` scanners (the rest
    of the registry) are validated too, and names in ``unloadable`` (plugins that failed to
    load, reported elsewhere) are accepted as they are.
    """
    if config is not None and not isinstance(config, Mapping):
        raise ConfigError([("<config>", f"expected a dict, got {type(config).__name__}")])
    run = tuple(scanners)
    known = tuple({cls.name: cls for cls in (*also_known, *run)}.values())
    unloadable = set(unloadable)
    raw = merge_over_defaults(config)
    problems: list[tuple[str, str]] = []

    try:
        discovery = DiscoverySection.model_validate(raw.get("discovery"))
    except ValidationError as exc:
        # Report the other sections' problems in the same error.
        raise ConfigError(
            _problems(exc, "discovery") + _validate_data_section(raw.get("data"))
        ) from None

    by_name = {cls.name: cls for cls in known}
    known_pipelines = set(DEFAULT_CONFIG["discovery"]["pipelines"]) | {c.pipeline for c in known}
    for name in discovery.pipelines:
        if name not in known_pipelines:
            problems.append(
                (
                    f"discovery.pipelines.{name}",
                    f"unknown pipeline (known: {_list(known_pipelines)})",
                )
            )
    for name in discovery.scanners:
        if name not in by_name and name not in unloadable:
            problems.append(
                (
                    f"discovery.scanners.{name}",
                    f"no scanner named {name!r} is registered (registered: {_list(by_name)})",
                )
            )

    scanner_entries: dict[str, dict[str, Any]] = {}
    for cls in known:
        try:
            model = scanner_settings_model(cls).model_validate(discovery.scanners.get(cls.name, {}))
            scanner_entries[cls.name] = model.model_dump()
        except ValidationError as exc:
            problems.extend(_problems(exc, f"discovery.scanners.{cls.name}"))

    problems.extend(_validate_data_section(raw.get("data")))
    if not isinstance(raw.get("results_dir"), str) or not raw["results_dir"]:
        problems.append(("results_dir", "must be a non-empty string (a folder path)"))
    if problems:
        raise ConfigError(problems)

    pipelines = {name: {"enabled": True} for name in sorted(known_pipelines)}
    pipelines.update({name: p.model_dump() for name, p in discovery.pipelines.items()})
    raw["discovery"] = {
        **discovery.model_dump(exclude={"pipelines", "scanners"}),
        "pipelines": pipelines,
        "scanners": {**discovery.scanners, **scanner_entries},
    }
    return Settings(
        raw=raw,
        execution=discovery.scanner_execution,
        preview_chars=discovery.tool_log_preview_chars,
        filter_rules=discovery.filter,
        ranking=discovery.ranking,
        scanners=run,
    )


def _validate_data_section(data: Any) -> list[tuple[str, str]]:
    try:
        DataConfig.model_validate(data)
    except ValidationError as exc:
        return _problems(exc, "data")
    return []


def _problems(exc: ValidationError, prefix: str) -> list[tuple[str, str]]:
    problems = []
    for error in exc.errors():
        path = ".".join([prefix, *(str(part) for part in error["loc"])])
        if error["type"] == "extra_forbidden":
            reason = "unknown key"
        else:
            reason = error["msg"]
            if error["type"] != "missing":
                value = error.get("input")
                shown = "***" if is_secret_name(path) else repr(value)
                reason = f"{reason} (got {shown})"
        problems.append((path, reason))
    return problems


def _list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"
