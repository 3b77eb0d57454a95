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
from tradingagents.scanners.candidate import normalise_ticker
from tradingagents.sources.problems import ConfigError as ConfigError
from tradingagents.sources.problems import describe_input, did_you_mean, problems_of, unknown
from tradingagents.sources.specs import configured_keys, data_problems

_DEFAULTS: Mapping[str, Any] = DEFAULT_CONFIG["discovery"]
"""Every discovery default is stated once, in DEFAULT_CONFIG; the models take it from there."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


_EXECUTION: Mapping[str, Any] = _DEFAULTS["scanner_execution"]


class ScannerExecution(_Section):
    concurrent: StrictBool = _EXECUTION["concurrent"]
    max_workers: StrictInt = Field(_EXECUTION["max_workers"], ge=1, le=512)
    timeout_seconds: Annotated[float, Strict()] = Field(
        float(_EXECUTION["timeout_seconds"]), gt=0, le=86_400, allow_inf_nan=False
    )
    schedule: Literal["registration", "longest_first"] = _EXECUTION["schedule"]


class PipelineSettings(_Section):
    enabled: StrictBool = True


_FILTER: Mapping[str, Any] = _DEFAULTS["filter"]


class FilterRules(_Section):
    """``discovery.filter``: what a candidate needs to reach the ranking."""

    min_price: Annotated[float, Strict()] = Field(_FILTER["min_price"], ge=0, allow_inf_nan=False)
    max_price: Annotated[float, Strict()] | None = Field(
        _FILTER["max_price"], gt=0, allow_inf_nan=False
    )
    min_average_volume: Annotated[float, Strict()] = Field(
        float(_FILTER["min_average_volume"]), ge=0, allow_inf_nan=False
    )
    average_volume_days: StrictInt = Field(_FILTER["average_volume_days"], ge=1, le=260)


_UNIVERSE: Mapping[str, Any] = _DEFAULTS["universe"]


class UniverseSettings(_Section):
    symbols: list[StrictStr] = list(_UNIVERSE["symbols"])
    max_symbols: StrictInt = Field(_UNIVERSE["max_symbols"], ge=1)

    @field_validator("symbols")
    @classmethod
    def _tickers(cls, symbols: list[str]) -> list[str]:
        normalised, bad = [], []
        for symbol in symbols:
            try:
                normalised.append(normalise_ticker(symbol))
            except ValueError:
                bad.append(symbol.strip())
        if bad:
            # Described here, not by normalise_ticker's message: that quotes what was typed.
            shown = ", ".join(describe_input(s) for s in bad[:5])
            raise ValueError(f"not ticker symbols (ASCII letters, digits, '.' and '-'): {shown}")
        return normalised


_RANKING: Mapping[str, Any] = _DEFAULTS["ranking"]


class RankingSettings(_Section):
    strategy_weights: dict[str, Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]] = (
        dict(_RANKING["strategy_weights"])
    )
    top_n: StrictInt = Field(_RANKING["top_n"], ge=1, le=10_000)


class DiscoverySection(_Section):
    scanner_execution: ScannerExecution = ScannerExecution()
    tool_log_preview_chars: StrictInt = Field(
        _DEFAULTS["tool_log_preview_chars"], ge=0, le=1_000_000
    )
    universe: UniverseSettings = UniverseSettings()
    filter: FilterRules = FilterRules()
    ranking: RankingSettings = RankingSettings()
    pipelines: dict[str, PipelineSettings] = {}
    # Each entry is validated against its scanner's own model (see scanner_settings_model).
    scanners: dict[str, Any] = {}


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
    raw = merge_over_defaults(config)
    problems: list[tuple[str, str]] = [
        (key, unknown(key, DEFAULT_CONFIG)) for key in raw if key not in DEFAULT_CONFIG
    ]

    discovery: DiscoverySection | None = None
    try:
        discovery = DiscoverySection.model_validate(raw["discovery"])
    except ValidationError as exc:
        problems.extend(problems_of(exc, "discovery", DiscoverySection))
    # Scanner entries and names are checked even when other discovery keys are wrong, so
    # one error names every problem.
    section = raw["discovery"] if isinstance(raw["discovery"], Mapping) else {}
    problems.extend(_unknown_names(section, known, set(unloadable)))
    scanner_entries, entry_problems = _scanner_entries(section.get("scanners"), known)
    problems.extend(entry_problems)

    problems.extend(data_problems(raw["data"]))
    if not isinstance(raw["results_dir"], str) or not raw["results_dir"]:
        problems.append(("results_dir", "must be a non-empty string (a folder path)"))
    if problems or discovery is None:
        raise ConfigError(problems, secrets=configured_keys(raw["data"]))

    pipelines = {name: {"enabled": True} for name in sorted(_known_pipelines(known))}
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


def _known_pipelines(known: Iterable[type[BaseScanner]]) -> set[str]:
    return set(DEFAULT_CONFIG["discovery"]["pipelines"]) | {cls.pipeline for cls in known}


def _unknown_names(
    discovery: Mapping[str, Any], known: Sequence[type[BaseScanner]], unloadable: set[str]
) -> list[tuple[str, str]]:
    problems = []
    pipelines = discovery.get("pipelines")
    known_pipelines = _known_pipelines(known)
    for name in pipelines if isinstance(pipelines, Mapping) else ():
        if name not in known_pipelines:
            hint = did_you_mean(str(name), known_pipelines)
            reason = f"unknown pipeline{hint} (known: {_list(known_pipelines)})"
            problems.append((f"discovery.pipelines.{name}", reason))
    entries = discovery.get("scanners")
    names = {cls.name for cls in known}
    for name in entries if isinstance(entries, Mapping) else ():
        if name not in names and name not in unloadable:
            reason = (
                f"no scanner named {name!r} is registered"
                f"{did_you_mean(str(name), names)} (registered: {_list(names)})"
            )
            problems.append((f"discovery.scanners.{name}", reason))
    return problems


def _scanner_entries(
    entries: Any, known: Sequence[type[BaseScanner]]
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """Each known scanner's validated entry (defaults filled in), and the problems found."""
    if not isinstance(entries, Mapping):
        return {}, []  # the discovery model reports the wrong type
    validated: dict[str, dict[str, Any]] = {}
    problems: list[tuple[str, str]] = []
    for cls in known:
        model = scanner_settings_model(cls)
        try:
            validated[cls.name] = model.model_validate(entries.get(cls.name, {})).model_dump()
        except ValidationError as exc:
            problems.extend(problems_of(exc, f"discovery.scanners.{cls.name}", model))
    return validated, problems


def _list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"
