"""Massive's failures end as typed source errors: its own (urllib3, BadResponse) in
sources/massive.py, the rest through the classification every source shares."""

from __future__ import annotations

import pytest
import urllib3

from tradingagents.sources import budget
from tradingagents.sources.errors import (
    DeadlineExceeded,
    MalformedResponse,
    RateLimited,
    TransientError,
)
from tradingagents.sources.hub import Sources
from tradingagents.sources.massive import translate


def test_an_exhausted_budget_is_a_deadline_worded_as_for_every_source() -> None:
    error = translate(budget.BudgetExhausted())
    assert isinstance(error, DeadlineExceeded) and error.source == "massive"
    assert "the scanner's time budget ran out" in str(error)


def test_urllib3_failures_stay_massives_own() -> None:
    refused = urllib3.exceptions.MaxRetryError(
        None, "/v2/x", urllib3.exceptions.NewConnectionError(None, "refused")  # type: ignore[arg-type]
    )
    assert isinstance(translate(refused), TransientError)
    limited = urllib3.exceptions.MaxRetryError(
        None, "/v2/x", urllib3.exceptions.ResponseError("too many 429 error responses")  # type: ignore[arg-type]
    )
    assert isinstance(translate(limited), RateLimited)


def test_a_bug_is_not_translated() -> None:
    assert translate(ZeroDivisionError()) is None


@pytest.mark.timeout(60)
def test_a_garbled_reference_answer_is_an_error_never_an_empty_result() -> None:
    # The massive client logs and returns [] when a list page is not JSON; an empty splits
    # table would then be stored as "no splits" and every later read mis-adjusted.
    config = {
        "data": {
            "mode": "sandbox",
            "resilience": {"max_attempts": 1},
            "sandbox": {
                "services": {
                    "massive": {"faults": {"malformed_rate": 1.0}, "latency": {"median_ms": 0}}
                }
            },
        }
    }
    with Sources.from_config(config, trade_date="2026-11-20") as sources:
        massive = sources.source("massive")
        with pytest.raises(MalformedResponse):
            massive.splits()
        with pytest.raises(MalformedResponse):
            massive.listing()
