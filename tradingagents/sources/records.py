"""The base of every typed record a source returns, and parsing that fails with a clear error.

Records are frozen pydantic models: wire names live in field aliases, so parsing a service's
JSON is validation, and ``to_dict()`` gives JSON-ready data with our field names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from tradingagents.sources.errors import MalformedResponse

R = TypeVar("R", bound="Record")


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _epoch_seconds(value: Any) -> Any:
    """Unix seconds to an aware UTC datetime; 0 and null (Finnhub's "no data") to ``None``."""
    if value in (None, 0, "", "0"):
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return value


def _empty_to_none(value: Any) -> Any:
    return None if value == "" else value


EpochSeconds = Annotated[dt.datetime | None, BeforeValidator(_epoch_seconds)]
OptionalDate = Annotated[dt.date | None, BeforeValidator(_empty_to_none)]


def parse_one(source: str, model: type[R], raw: Any, what: str) -> R:
    """``raw`` validated as ``model``, or :class:`MalformedResponse` naming the bad field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise MalformedResponse(source, f"{what}: {_first_problem(exc)}") from None


def parse_many(source: str, model: type[R], raw: Any, what: str) -> list[R]:
    """A JSON list validated item by item as ``model`` (the error names the item's index)."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise MalformedResponse(source, f"{what}: expected a list, got {type(raw).__name__}")
    try:
        return TypeAdapter(list[model]).validate_python(raw)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise MalformedResponse(source, f"{what}: {_first_problem(exc)}") from None


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_input=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "(root)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"field {where}: {first['msg']}{more}"
