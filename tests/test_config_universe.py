"""``discovery.universe.symbols`` are normalised like scanner tickers: ASCII only, ``$`` dropped."""

from __future__ import annotations

import pytest

from tradingagents.config import ConfigError, load_config
from tradingagents.default_config import DEFAULT_CONFIG

BUILTIN_SCANNERS = list(DEFAULT_CONFIG["discovery"]["scanners"])


def _symbols(symbols: list[str]) -> list[str]:
    config = {"discovery": {"universe": {"symbols": symbols}}}
    settings = load_config(config, [], unloadable=BUILTIN_SCANNERS)
    loaded: list[str] = settings.raw["discovery"]["universe"]["symbols"]
    return loaded


def test_symbols_are_normalised_like_candidate_tickers() -> None:
    assert _symbols([" nvda ", "$aapl", "brk.b"]) == ["NVDA", "AAPL", "BRK.B"]


@pytest.mark.parametrize("symbol", ["ıbm", "ﬀ", "straße", "ＡＡＰＬ"])
def test_unicode_that_upper_cases_into_a_ticker_is_refused(symbol: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _symbols(["MSFT", symbol])
    reason = dict(caught.value.problems)["discovery.universe.symbols"]
    assert "not ticker symbols" in reason
