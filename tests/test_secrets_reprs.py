"""Found in review: keys stay out of previews cut mid-key, settings and client-context reprs;
closing the hub closes everything even when one source fails."""

from __future__ import annotations

import pytest
import requests

from tradingagents.scanners.tool_context import ToolContext
from tradingagents.sources.hub import Sources
from tradingagents.sources.redaction import register_secret
from tradingagents.sources.specs import ClientContext, load_data_config

KEY = "PREVIEWKEY-0123456789abcdef"


def test_a_key_cut_by_the_preview_limit_is_masked_not_half_shown() -> None:
    register_secret(KEY)
    tools = ToolContext("s", preview_chars=20)
    tools.call("echo", lambda: "x" * 12 + KEY)
    (entry,) = tools.records()
    assert len(entry["output_preview"]) <= 20
    assert KEY[:6] not in entry["output_preview"]


def test_settings_and_client_context_reprs_never_show_keys() -> None:
    data = load_data_config(
        {
            "mode": "live",
            "sources": {
                "finnhub": {"api_key": KEY},
                "reddit": {"client_id": KEY, "client_secret": KEY},
                "alpha_vantage": {"api_key": KEY},
                "massive": {"api_key": KEY},
            },
        }
    )
    assert KEY not in repr(data)
    context = ClientContext(
        name="finnhub",
        mode="live",
        settings=data.sources.finnhub,
        credentials={"api_key": KEY},
        resilience=data.resilience,
        make_session=lambda *_: None,  # type: ignore[arg-type,return-value]
    )
    assert KEY not in repr(context)
    assert data.sources.finnhub.api_key == KEY  # still there for the client


def test_closing_the_hub_closes_everything_even_when_one_source_fails() -> None:
    sources = Sources.from_config({"data": {"mode": "sandbox"}}, trade_date="2026-11-20")
    assert sources.sandbox is not None
    url = sources.sandbox.url
    first = next(iter(sources._sources.values()))

    def broken() -> None:
        raise RuntimeError("close failed")

    first.close = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="close failed"):
        sources.close()
    assert sources.sandbox is None
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)  # the emulator was stopped all the same
