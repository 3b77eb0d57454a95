"""Keep secrets out of logs, tool logs, results and exception text.

Two complementary rules: values under secret-looking names are masked wherever they appear
(parameters, headers, URLs' query strings), and known secret values (API keys from the
config or the environment) are scrubbed from any text, whatever name they travel under.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

_SECRET_NAME = re.compile(
    r"(token|secret|password|passwd|api[_-]?key|apikey|authorization|auth|credential|client_id)",
    re.IGNORECASE,
)
_QUERY_SECRET = re.compile(
    r"(?P<name>[?&](?:token|apikey|api_key|access_token|key|secret|client_secret)=)(?P<value>[^&#\s]+)",
    re.IGNORECASE,
)

# `key=abc`, `token: abc`, `client_secret="abc"` in free text (exception messages, a user
# ranker's error): the value is masked whatever the surrounding text is.
_ASSIGNED_SECRET = re.compile(
    r"(?P<name>\b[\w-]*(?:token|secret|password|passwd|api[_-]?key|apikey|key)[\w-]*"
    r"\s*[=:]\s*[\"']?)(?P<value>[^\s&#\"',;)}\]]+)",
    re.IGNORECASE,
)

# Values shorter than this are not scrubbed as free text: masking "a" everywhere would wreck
# every message while protecting nothing real.
_MIN_SECRET_LENGTH = 4

_lock = threading.Lock()
_known_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret value so :func:`scrub` removes it from any text from now on."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known_secrets.add(value)


def register_secrets(values: Iterable[str | None]) -> None:
    for value in values:
        register_secret(value)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def scrub(text: str) -> str:
    """``text`` with every known secret value and every secret-looking query value masked."""
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _QUERY_SECRET.sub(lambda m: m.group("name") + MASK, text)
    return _ASSIGNED_SECRET.sub(lambda m: m.group("name") + MASK, text)


def redact(value: Any) -> Any:
    """A copy of ``value`` (JSON-like data) safe to log: secret names masked, text scrubbed."""
    if isinstance(value, Mapping):
        return {
            scrub(str(k)): (MASK if is_secret_name(str(k)) and v not in (None, "") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value
