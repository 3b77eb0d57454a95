"""Ticker mentions in free text (Reddit titles and posts), against a known-symbol universe.

Two ways to name a ticker count: a cashtag ``$XYZ`` (1-5 letters, any case) and a bare
all-uppercase word of 1-5 letters that is not glued to ``$``, letters, digits or ``_``.
Both must be universe symbols; a bare word must also stay off the stop-list, because "ALL",
"IT" or "NOW" are listed symbols and ordinary words (a cashtag is deliberate, so ``$ALL``
counts). Lower-case words never count: "aapl" in a sentence is noise, not a mention.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# Same shapes as the sandbox's definition (tradingagents/sandbox/signals.py).
_CASHTAG = re.compile(r"\$([A-Za-z]{1,5})\b")
_BARE_UPPER = re.compile(r"(?<![$\w])([A-Z]{1,5})\b")

#: Words that look like tickers in trader slang; bare ones are never mentions.
STOP_WORDS: tuple[str, ...] = (
    "A", "I", "AM", "AN", "ALL", "AND", "ANY", "ARE", "AS", "AT", "BE", "BY", "DO", "GO", "IF",
    "IN", "IS", "IT", "ME", "MY", "NO", "NOT", "NOW", "OF", "OK", "ON", "OR", "SO", "TO", "UP",
    "US", "WE", "THE", "FOR", "OUT", "NEW", "BIG", "ONE", "TWO", "BUY", "SELL", "HOLD", "CALL",
    "CALLS", "PUT", "PUTS", "LONG", "SHORT", "MOON", "APE", "APES", "YOLO", "DD", "CEO", "CFO",
    "CTO", "COO", "ATH", "ATL", "IMO", "IMHO", "TLDR", "FYI", "EPS", "PE", "PT", "IV", "OTM",
    "ITM", "ATM", "EOD", "EOW", "FOMO", "HODL", "LFG", "LOL", "WSB", "USA", "USD", "EU", "UK",
    "FDA", "SEC", "IPO", "ETF", "GDP", "CPI", "FOMC", "FED", "AI", "EV", "TV", "CNBC", "ER",
    "OP", "RH", "BTFD", "GAIN", "LOSS", "PSA", "WTF", "EDIT", "TA", "FA",
)  # fmt: skip


@dataclass(frozen=True)
class Mentions:
    """The universe tickers one text names, split by how it names them."""

    cashtagged: frozenset[str]
    bare: frozenset[str]

    @property
    def tickers(self) -> frozenset[str]:
        return self.cashtagged | self.bare


def find_mentions(
    text: str, universe: Collection[str], stop_words: Collection[str] = STOP_WORDS
) -> Mentions:
    """The universe tickers ``text`` mentions (each once, however often it repeats them)."""
    cashtagged = {word.upper() for word in _CASHTAG.findall(text)}
    bare = {word for word in _BARE_UPPER.findall(text) if word not in stop_words}
    return Mentions(
        cashtagged=frozenset(word for word in cashtagged if word in universe),
        bare=frozenset(word for word in bare if word in universe),
    )
