"""``Sources``: every data source of one run, built from ``config["data"]``, closed together.

    with Sources.from_config(config, trade_date="2026-11-24") as sources:
        sources.finnhub.quote("AAPL")

The hub builds one client per registered source spec (:mod:`tradingagents.sources.specs`):
it resolves the keys, points the spec's ``*_url`` settings at the emulator in sandbox mode,
prepares the cached, rate-limited session and calls the spec's client factory. In sandbox
(and, per source, auto) mode the hub starts an in-process sandbox emulator for its own
lifetime and points those sources at it. Sessions, limiters and breakers live here, never
in graph state: the engine receives the hub and hands it to scanners' tools. A source whose
key is missing in live mode raises :class:`MissingCredentials` when used; the others work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import requests

from tradingagents.sources.alpha_vantage import AlphaVantageSource
from tradingagents.sources.config import DataConfig, RateLimit, SourceSettings
from tradingagents.sources.credentials import SourceAccess, resolve_access
from tradingagents.sources.errors import MissingCredentials, SourceUnavailable
from tradingagents.sources.finnhub import FinnhubSource
from tradingagents.sources.http import SourceSession, build_limiter, cache_file
from tradingagents.sources.log_safety import protect_library_loggers
from tradingagents.sources.prices import PriceSource
from tradingagents.sources.reddit import RedditSource
from tradingagents.sources.sec import SecSource
from tradingagents.sources.specs import (
    Client,
    ClientContext,
    load_data_config,
    source_names,
    source_spec,
)

if TYPE_CHECKING:
    from tradingagents.sandbox.server import SandboxServer

logger = logging.getLogger(__name__)


class Sources:
    """The data sources of one run. Thread-safe to share between scanners; close once."""

    def __init__(
        self,
        data: DataConfig,
        access: Mapping[str, SourceAccess],
        *,
        sandbox: SandboxServer | None = None,
    ) -> None:
        self.config = data
        self.access = dict(access)
        self.sandbox = sandbox
        self._sources: dict[str, Client] = {}
        try:
            protect_library_loggers()
            for name in source_names():
                if self.access[name].unavailable_reason is None:
                    self._sources[name] = self._build(name)
        except BaseException:
            self.close()
            raise
        logger.info("data sources: %s", ", ".join(f"{n}={m}" for n, m in self.modes.items()))

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        trade_date: dt.date | str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Sources:
        """Build from a full config dict (its ``data`` section, defaults filled in).

        ``trade_date`` is the sandbox market's date (default: the latest trading day);
        ``env`` replaces ``os.environ`` for key lookup (tests).
        """
        data = load_data_config(config.get("data"))
        access = resolve_access(data, env)
        needs_sandbox = any(a.mode == "sandbox" for a in access.values())
        server = start_sandbox(data, trade_date) if needs_sandbox else None
        # From here the hub owns the server: it stops it on close, or if building fails.
        return cls(data, access, sandbox=server)

    # -- the sources -------------------------------------------------------------------------
    @property
    def finnhub(self) -> FinnhubSource:
        return cast(FinnhubSource, self._get("finnhub"))

    @property
    def reddit(self) -> RedditSource:
        return cast(RedditSource, self._get("reddit"))

    @property
    def alpha_vantage(self) -> AlphaVantageSource:
        return cast(AlphaVantageSource, self._get("alpha_vantage"))

    @property
    def sec(self) -> SecSource:
        return cast(SecSource, self._get("sec"))

    @property
    def prices(self) -> PriceSource:
        """Stooq-format HTTP bars, or the user's files when ``local_dir`` is set (live mode)."""
        return cast(PriceSource, self._get("prices"))

    def source(self, name: str) -> Any:
        """Any registered source's client by name; the properties above are typed shortcuts."""
        source_spec(name)  # a KeyError naming the known sources
        return self._get(name)

    @property
    def modes(self) -> dict[str, str]:
        """``live`` or ``sandbox`` per source."""
        return {name: self.access[name].mode for name in source_names()}

    def availability(self) -> dict[str, str | None]:
        """Per source: ``None`` when usable, else why not (e.g. "FINNHUB_API_KEY is not set")."""
        return {name: self.access[name].unavailable_reason for name in source_names()}

    def close(self) -> None:
        """Close every session and stop the sandbox emulator (idempotent)."""
        sources, self._sources = self._sources, {}
        sandbox, self.sandbox = self.sandbox, None
        # Every source and the emulator get their close even when one of them fails; the
        # first failure is raised afterwards.
        with contextlib.ExitStack() as closing:
            if sandbox is not None:
                closing.callback(sandbox.stop)
            for source in reversed(list(sources.values())):
                closing.callback(source.close)

    def __enter__(self) -> Sources:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- construction --------------------------------------------------------------------------
    def _get(self, name: str) -> Client:
        source = self._sources.get(name)
        if source is not None:
            return source
        reason = self.access[name].unavailable_reason
        if reason is not None:
            raise MissingCredentials(name, reason)
        raise SourceUnavailable(name, "the Sources hub is closed")

    def _build(self, name: str) -> Client:
        access = self.access[name]
        settings = self._settings(name, access)

        def make_session(
            ttl_rules: Sequence[tuple[str, str]],
            cacheable: Callable[[requests.Response], bool] | None,
        ) -> SourceSession:
            return self._session(name, access, settings, ttl_rules, cacheable)

        context = ClientContext(
            name=name,
            mode=access.mode,
            settings=settings,
            credentials=dict(access.require()),
            resilience=self.config.resilience,
            make_session=make_session,
        )
        return source_spec(name).build_client(context)

    def _settings(self, name: str, access: SourceAccess) -> SourceSettings:
        """The source's section; in sandbox mode every ``*_url`` points at the emulator."""
        settings = self.config.sources.section(name)
        if access.mode == "live":
            return settings
        if self.sandbox is None:
            raise RuntimeError(f"{name} runs in sandbox mode but no sandbox server was started")
        url = self.sandbox.base_urls[name]
        urls = {key: url for key in type(settings).model_fields if key.endswith("_url")}
        return settings.model_copy(update=urls)

    def _rate_limit(
        self, name: str, access: SourceAccess, settings: SourceSettings
    ) -> RateLimit | None:
        """Live: the configured limit (the service's free tier by default). Sandbox: the
        emulator's own limit, so offline runs are as fast as the emulator allows while the
        client still honours whatever limit a rehearsal switches on there."""
        if access.mode == "live" or self.sandbox is None:
            return settings.rate_limit
        return _sandbox_rate_limit(self.sandbox, name)

    def _session(
        self,
        name: str,
        access: SourceAccess,
        settings: SourceSettings,
        ttl_rules: Sequence[tuple[str, str]],
        cacheable: Callable[[requests.Response], bool] | None,
    ) -> SourceSession:
        ttl = settings.cache_ttl
        # The sandbox's port changes every run, so its answers are cached in memory only.
        path: Path | None = (
            cache_file(self.config.cache_path(), name) if access.mode == "live" else None
        )
        return SourceSession(
            name,
            cache_file=path,
            ttl_rules=[(pattern, getattr(ttl, key)) for pattern, key in ttl_rules],
            cacheable=cacheable,
            limiter=build_limiter(self._rate_limit(name, access, settings)),
            timeout=settings.timeout_seconds,
            max_wait=self.config.resilience.max_wait_seconds,
            trust_env=access.mode == "live",
        )


def _sandbox_rate_limit(server: SandboxServer, name: str) -> RateLimit | None:
    """The emulator's own server-side limit for ``name`` (``None``: it enforces none)."""
    limit = server.knobs(name).rate_limit
    if limit is None:
        return None
    return RateLimit(
        per_second=limit.per_second, per_minute=limit.per_minute, per_day=limit.per_day
    )


def start_sandbox(data: DataConfig, trade_date: dt.date | str | None) -> SandboxServer:
    """Start the in-process emulator with the configured seed and service knobs.

    The sandbox market trades Monday to Friday; a weekend trade date is served the Friday
    before, as a real run on Saturday sees Friday's close.
    """
    from tradingagents.sandbox.market import latest_trading_day
    from tradingagents.sandbox.server import SandboxServer

    if trade_date is not None:
        day = dt.date.fromisoformat(trade_date) if isinstance(trade_date, str) else trade_date
        trade_date = latest_trading_day(day)

    server = SandboxServer(
        seed=data.sandbox.seed,
        trade_date=trade_date,
        services={str(name): knobs for name, knobs in data.sandbox.services.items()},
    )
    server.start()
    logger.info("sandbox emulator serving on %s", server.url)
    return server
