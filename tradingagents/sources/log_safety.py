"""Keep keys out of the HTTP libraries' own log lines.

urllib3 logs every request line at DEBUG (``GET /api/v1//quote?symbol=X&token=<key>``), and
requests-cache logs URLs too. A user who turns on DEBUG logging must still never see a key, so
every logger of those libraries gets a filter that scrubs each record's message.
"""

from __future__ import annotations

import logging

from tradingagents.sources.redaction import scrub

_LIBRARIES = (
    "urllib3",
    "requests",
    "requests_cache",
    "requests_ratelimiter",
    "pyrate_limiter",
    "prawcore",
    "praw",
    "finnhub",
    "tenacity",
    "pybreaker",
)


class ScrubSecrets(logging.Filter):
    """Rewrites a record's message with known secrets and secret-looking query values masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = ScrubSecrets()


def protect_library_loggers() -> None:
    """Attach the scrubbing filter to every logger of the HTTP stack (idempotent)."""
    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if name.split(".", 1)[0] in _LIBRARIES
    ]
    for name in {*names, *_LIBRARIES}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
