"""The CLI's shared argument types and options behave the same in every command."""

from __future__ import annotations

import pytest

from tradingagents.cli import _parser


def _refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        _parser().parse_args(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("discover", "--workers", "0"), "argument --workers: must be at least 1, got 0"),
        (("history", "--last", "0"), "argument --last: must be at least 1, got 0"),
        (("data", "update", "--sessions", "0"), "argument --sessions: must be at least 1, got 0"),
        (("history", "--last", "1.5"), "argument --last: not a whole number: '1.5'"),
        (("data", "update", "--sessions", "x"), "argument --sessions: not a whole number: 'x'"),
        (("discover", "--timeout", "x"), "argument --timeout: not a number: 'x'"),
        (
            ("data", "update", "--since", "2020-13-01"),
            "argument --since: '2020-13-01' is not a date (YYYY-MM-DD)",
        ),
    ],
)
def test_bad_numbers_and_dates_get_one_wording_in_every_command(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    assert message in _refusal(capsys, *argv)


@pytest.mark.parametrize(
    "argv",
    [("discover", "--sandbox", "--live"), ("data", "update", "--live", "--sandbox")],
)
def test_data_mode_flags_exclude_each_other(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    assert "not allowed with argument" in _refusal(capsys, *argv)


@pytest.mark.parametrize(
    ("argv", "mode"),
    [
        (("discover", "--auto"), "auto"),
        (("discover",), None),
        (("data", "update", "--sandbox"), "sandbox"),
    ],
)
def test_data_mode_flags_set_data_mode(argv: tuple[str, ...], mode: str | None) -> None:
    assert _parser().parse_args(list(argv)).data_mode == mode


def test_shared_config_and_store_options_parse_to_paths() -> None:
    for argv in (
        ["data", "status", "--config", "c.toml", "--store", "s"],
        ["track", "--config", "c.toml", "--store", "s"],
    ):
        args = _parser().parse_args(argv)
        assert (str(args.config), str(args.store)) == ("c.toml", "s")
