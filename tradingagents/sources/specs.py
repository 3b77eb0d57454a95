"""One declared spec per data source; the config, credentials, hub and sandbox iterate them.

A spec names the source, its config model (``data.sources.<name>``), the environment
variables of its keys, its client factory and the sandbox service that emulates it. Its
default rate limits, timeouts and cache lifetimes are its section of
:data:`~tradingagents.default_config.DEFAULT_CONFIG` (:attr:`SourceSpec.defaults`).

Adding a source is a spec here (or :func:`register_source` from a plugin), a default-config
section and its client module. The factory and the sandbox service are named by import
path, so validating a config imports neither the clients nor the sandbox.
"""

from __future__ import annotations

import copy
import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from pydantic import ValidationError, create_model

from tradingagents.default_config import DEFAULT_CONFIG
from tradingagents.sources.config import (
    AlphaVantageConfig,
    DataConfig,
    FinnhubConfig,
    MassiveConfig,
    PricesConfig,
    RedditConfig,
    ResilienceConfig,
    SecConfig,
    SourcesConfig,
    SourceSettings,
)
from tradingagents.sources.problems import ConfigError, problems_of

if TYPE_CHECKING:
    import requests

    from tradingagents.sources.http import SourceSession

Mode = Literal["live", "sandbox"]


class Client(Protocol):
    def close(self) -> None: ...


@dataclass(frozen=True)
class KeySpec:
    """One credential: its field in the source's section and its environment variable."""

    field: str
    env: str
    #: What the source sends to the sandbox emulator instead.
    sandbox_value: str
    #: Secrets are registered for redaction on sight (a user agent is not a secret).
    secret: bool = True
    #: In auto mode the source runs live when every deciding key is present.
    decides: bool = True
    #: Older names of the environment variable, read when ``env`` is not set.
    env_aliases: tuple[str, ...] = ()

    def from_env(self, environ: Mapping[str, str]) -> str | None:
        for name in (self.env, *self.env_aliases):
            if environ.get(name):
                return environ[name]
        return None


@dataclass(frozen=True)
class SandboxSpec:
    """The emulator service that stands in for the source."""

    #: ``"module:Class"`` of a :class:`tradingagents.sandbox.services.base.Service`.
    service: str
    #: Median latency the emulator adds by default (milliseconds).
    latency_ms: float
    #: The source's ``base_url`` under the emulator's root, e.g. ``"/api/v1"``.
    path: str = ""


@dataclass(frozen=True)
class ClientContext:
    """What a client factory receives from the hub."""

    name: str
    mode: Mode
    #: The validated section; in sandbox mode its ``*_url`` fields point at the emulator.
    settings: Any
    credentials: Mapping[str, str] = field(repr=False)
    resilience: ResilienceConfig
    make_session: Callable[
        [Sequence[tuple[str, str]], Callable[[requests.Response], bool] | None], SourceSession
    ]

    def session(
        self,
        ttl_rules: Sequence[tuple[str, str]],
        cacheable: Callable[[requests.Response], bool] | None = None,
    ) -> SourceSession:
        """The source's cached, rate-limited session; ``ttl_rules`` map URL regexes to
        ``cache_ttl`` keys."""
        return self.make_session(ttl_rules, cacheable)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    #: The pydantic model of ``data.sources.<name>`` (a :class:`SourceSettings`).
    settings: type[SourceSettings]
    #: ``"module:function"`` taking a :class:`ClientContext` and returning the client.
    client: str
    sandbox: SandboxSpec
    keys: tuple[KeySpec, ...] = ()
    #: A settings field naming local files that replace the service (read in live mode);
    #: when set in auto mode the source runs live.
    local_field: str | None = None

    @property
    def defaults(self) -> Mapping[str, Any]:
        """The default section: base URL, rate limit, timeout and cache lifetimes."""
        section: Mapping[str, Any] = DEFAULT_CONFIG["data"]["sources"][self.name]
        return section

    @property
    def keyed(self) -> bool:
        """Whether the real service authenticates with a secret key."""
        return any(key.secret for key in self.keys)

    def sandbox_credentials(self) -> dict[str, str]:
        return {key.field: key.sandbox_value for key in self.keys}

    def build_client(self, context: ClientContext) -> Client:
        factory: Callable[[ClientContext], Client] = load_object(self.client)
        return factory(context)


def load_object(path: str) -> Any:
    """The object named by ``"package.module:attribute"``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


_SERVICES = "tradingagents.sandbox.services"
_CLIENTS = "tradingagents.sources.clients"

# Reddit first: the emulator routes in this order, and Reddit's POST /api/v1/access_token
# sits under Finnhub's /api/v1 prefix. Emulator latencies are realistic but quick: a median of
# a few hundred ms at most (with a long lognormal tail), so that concurrency visibly matters
# without making a sandbox run slow.
SOURCE_SPECS: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            "reddit",
            RedditConfig,
            f"{_CLIENTS}:reddit",
            SandboxSpec(f"{_SERVICES}.reddit:Reddit", latency_ms=250.0),
            keys=(
                KeySpec("client_id", "REDDIT_CLIENT_ID", "sandbox-reddit-client"),
                KeySpec("client_secret", "REDDIT_CLIENT_SECRET", "sandbox-reddit-secret"),
                KeySpec(
                    "user_agent",
                    "REDDIT_USER_AGENT",
                    "tradingagents-sandbox/0.1 (by tradingagents)",
                    secret=False,
                    decides=False,
                ),
            ),
        ),
        SourceSpec(
            "finnhub",
            FinnhubConfig,
            f"{_CLIENTS}:finnhub",
            SandboxSpec(f"{_SERVICES}.finnhub:Finnhub", latency_ms=120.0, path="/api/v1"),
            keys=(KeySpec("api_key", "FINNHUB_API_KEY", "sandbox-finnhub-key"),),
        ),
        SourceSpec(
            "alpha_vantage",
            AlphaVantageConfig,
            f"{_CLIENTS}:alpha_vantage",
            SandboxSpec(f"{_SERVICES}.alpha_vantage:AlphaVantage", latency_ms=300.0),
            keys=(KeySpec("api_key", "ALPHA_VANTAGE_API_KEY", "sandbox-alpha-vantage-key"),),
        ),
        SourceSpec(
            "sec",
            SecConfig,
            f"{_CLIENTS}:sec",
            SandboxSpec(f"{_SERVICES}.sec:Sec", latency_ms=80.0),
            keys=(
                KeySpec(
                    "user_agent",
                    "SEC_USER_AGENT",
                    "tradingagents sandbox sandbox@example.com",
                    secret=False,
                ),
            ),
        ),
        SourceSpec(
            "prices",
            PricesConfig,
            f"{_CLIENTS}:prices",
            SandboxSpec(f"{_SERVICES}.prices:Prices", latency_ms=40.0),
            local_field="local_dir",
        ),
        SourceSpec(
            "massive",
            MassiveConfig,
            "tradingagents.sources.massive:from_context",
            SandboxSpec(f"{_SERVICES}.massive:Massive", latency_ms=150.0),
            keys=(
                KeySpec(
                    "api_key",
                    "MASSIVE_API_KEY",
                    "sandbox-massive-key",
                    env_aliases=("POLYGON_API_KEY",),  # Massive was Polygon.io
                ),
            ),
        ),
    )
}


def register_source(spec: SourceSpec) -> None:
    """Add a data source (it also needs a section in DEFAULT_CONFIG["data"]["sources"])."""
    if spec.name in SOURCE_SPECS:
        raise ValueError(f"a data source named {spec.name!r} is already registered")
    if spec.name not in DEFAULT_CONFIG["data"]["sources"]:
        raise ValueError(
            f"data source {spec.name!r} has no defaults: add its section to "
            f'DEFAULT_CONFIG["data"]["sources"][{spec.name!r}] first'
        )
    SOURCE_SPECS[spec.name] = spec


def source_specs() -> tuple[SourceSpec, ...]:
    return tuple(SOURCE_SPECS.values())


def source_names() -> tuple[str, ...]:
    return tuple(SOURCE_SPECS)


def source_spec(name: str) -> SourceSpec:
    spec = SOURCE_SPECS.get(name)
    if spec is None:
        raise KeyError(f"no data source named {name!r} (known: {', '.join(SOURCE_SPECS)})")
    return spec


_DATA_MODELS: dict[tuple[tuple[str, type[SourceSettings]], ...], type[DataConfig]] = {}


def data_model() -> type[DataConfig]:
    """The model of a whole ``data`` section, with one ``sources`` field per registered spec."""
    key = tuple((spec.name, spec.settings) for spec in SOURCE_SPECS.values())
    model = _DATA_MODELS.get(key)
    if model is None:
        fields: dict[str, Any] = {name: (settings, ...) for name, settings in key}
        sources = create_model("SourcesConfig", __base__=SourcesConfig, **fields)
        model = cast(
            type[DataConfig],
            create_model("DataConfig", __base__=DataConfig, sources=(sources, ...)),
        )
        _DATA_MODELS[key] = model
    return model


def data_problems(data: Any) -> list[tuple[str, str]]:
    """Every problem of a complete ``data`` section, located under ``data.``."""
    model = data_model()
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        return problems_of(exc, "data", model)
    return contradictions(validated)


def contradictions(data: DataConfig) -> list[tuple[str, str]]:
    """Settings that validate one by one but cannot work together."""
    problems = []
    for spec in SOURCE_SPECS.values():
        if spec.local_field is None or data.mode != "sandbox":
            continue
        if getattr(data.sources.section(spec.name), spec.local_field) is not None:
            problems.append(
                (
                    f"data.sources.{spec.name}.{spec.local_field}",
                    "your local files are never read in sandbox mode (the sandbox serves its"
                    " own made-up market); set data.mode to 'live' or 'auto', or remove"
                    f" {spec.local_field}",
                )
            )
    return problems


def load_data_config(data: Mapping[str, Any] | None = None) -> DataConfig:
    """Validate ``data`` deep-merged over the default ``data`` section (inputs untouched);
    raise :class:`ConfigError` naming every problem."""
    merged = _deep_merge(DEFAULT_CONFIG["data"], data or {})
    problems = data_problems(merged)
    if problems:
        raise ConfigError(problems, secrets=configured_keys(merged))
    return data_model().model_validate(merged)


def configured_keys(data: Any, env: Mapping[str, str] | None = None) -> list[str]:
    """Every key value a raw (unvalidated) ``data`` section or the environment holds, so
    config errors can scrub them whatever field they were pasted into."""
    environ = os.environ if env is None else env
    sources = data.get("sources") if isinstance(data, Mapping) else None
    found = []
    for spec in SOURCE_SPECS.values():
        section = sources.get(spec.name) if isinstance(sources, Mapping) else None
        for key in spec.keys:
            configured = section.get(key.field) if isinstance(section, Mapping) else None
            for value in (configured, *(environ.get(n) for n in (key.env, *key.env_aliases))):
                if isinstance(value, str) and value.strip():
                    found.append(value.strip())
    return found


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
