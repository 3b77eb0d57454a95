"""Massive's failures end as typed source errors: its own (urllib3, BadResponse) in
sources/massive.py, the rest through the classification every source shares."""

from __future__ import annotations

import urllib3

from tradingagents.sources import budget
from tradingagents.sources.errors import DeadlineExceeded, RateLimited, TransientError
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
