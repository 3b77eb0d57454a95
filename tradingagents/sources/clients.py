"""The built-in sources' client factories, named by their specs (``specs.SOURCE_SPECS``).

Each takes the :class:`~tradingagents.sources.specs.ClientContext` the hub prepares and
returns the client, on a session carrying that client's cache lifetimes and cache filter.
"""

from __future__ import annotations

from tradingagents.sources import alpha_vantage as _alpha_vantage
from tradingagents.sources import finnhub as _finnhub
from tradingagents.sources import prices as _prices
from tradingagents.sources import reddit as _reddit
from tradingagents.sources import sec as _sec
from tradingagents.sources.http import json_cacheable
from tradingagents.sources.specs import ClientContext


def finnhub(ctx: ClientContext) -> _finnhub.FinnhubSource:
    session = ctx.session(_finnhub.TTL_RULES, json_cacheable())
    return _finnhub.FinnhubSource(ctx.settings, ctx.credentials["api_key"], session, ctx.resilience)


def reddit(ctx: ClientContext) -> _reddit.RedditSource:
    session = ctx.session(_reddit.TTL_RULES, json_cacheable())
    return _reddit.RedditSource(ctx.settings, dict(ctx.credentials), session, ctx.resilience)


def alpha_vantage(ctx: ClientContext) -> _alpha_vantage.AlphaVantageSource:
    session = ctx.session(_alpha_vantage.TTL_RULES, _alpha_vantage.cacheable)
    return _alpha_vantage.AlphaVantageSource(
        ctx.settings, ctx.credentials["api_key"], session, ctx.resilience
    )


def sec(ctx: ClientContext) -> _sec.SecSource:
    session = ctx.session(_sec.TTL_RULES, _sec.cacheable)
    return _sec.SecSource(ctx.settings, ctx.credentials["user_agent"], session, ctx.resilience)


def prices(ctx: ClientContext) -> _prices.PriceSource:
    """The user's own files when ``local_dir`` is set (live mode), else Stooq-format HTTP."""
    if ctx.mode == "live" and ctx.settings.local_dir is not None:
        return _prices.LocalPrices(ctx.settings.local_dir)
    session = ctx.session(_prices.TTL_RULES, _prices.csv_cacheable)
    return _prices.StooqPrices(ctx.settings, session, ctx.resilience)
