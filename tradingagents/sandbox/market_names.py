"""Word lists for people, sources and Reddit users (fictional, deterministic by index)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    """One element of `options`, uniformly (much faster than Generator.choice on a tuple)."""
    return options[int(rng.integers(len(options)))]

FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "William",
    "Elizabeth", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Steven",
    "Ashley", "Andrew", "Kimberly", "Kenneth", "Emily", "Joshua", "Donna", "Kevin", "Michelle",
    "Brian", "Carol", "George", "Amanda", "Timothy", "Melissa", "Ronald", "Deborah", "Jason",
    "Stephanie", "Edward", "Rebecca", "Ryan", "Laura", "Gary", "Helen", "Nicholas", "Sharon",
    "Eric", "Cynthia", "Priya", "Wei", "Hiroshi", "Olga", "Rafael", "Amara", "Sven", "Ingrid",
)
LAST_NAMES = (
    "Anderson", "Bennett", "Carlson", "Dawson", "Ellison", "Fischer", "Garrison", "Holloway",
    "Iverson", "Jennings", "Kessler", "Lindqvist", "Mercer", "Nakamura", "Okafor", "Pruitt",
    "Quintero", "Rasmussen", "Sorensen", "Thornton", "Underwood", "Vasquez", "Whitfield",
    "Yamamoto", "Zimmerman", "Abernathy", "Blackwell", "Castellano", "Delgado", "Eastwood",
    "Fairbanks", "Gallagher", "Hargrove", "Ibarra", "Jablonski", "Kowalski", "Lockhart",
    "Montague", "Northcott", "Osei", "Pemberton", "Radcliffe", "Sinclair", "Tremblay",
    "Valentine", "Wexler", "Xu", "Young", "Zhou", "Patel", "Chen", "Ramirez", "Novak", "Brennan",
)
NEWS_SOURCES = ("Reuters", "Bloomberg", "MarketWatch", "Benzinga", "Yahoo", "SeekingAlpha",
                "CNBC", "Barron's", "Zacks", "Motley Fool")
REDDIT_HANDLE_WORDS = (
    "Diamond", "Hands", "Tendie", "Theta", "Gang", "Bull", "Bear", "Rocket", "Paper", "Degen",
    "Value", "Dividend", "Options", "Lambo", "Wife", "Boyfriend", "Bagholder", "Smooth",
    "Brain", "Moon", "Chart", "Guru", "Retail", "Whale", "Gamma", "Squeeze", "Broke", "Rich",
)


def person_name(rng: np.random.Generator) -> str:
    first, last = pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)
    middle = chr(ord("A") + int(rng.integers(26)))
    return f"{first} {middle}. {last}" if rng.random() < 0.4 else f"{first} {last}"


def reddit_handle(rng: np.random.Generator) -> str:
    words = rng.choice(REDDIT_HANDLE_WORDS, size=2, replace=False)
    style = int(rng.integers(3))
    number = int(rng.integers(1, 9999))
    if style == 0:
        return f"{words[0]}{words[1]}{number}"
    if style == 1:
        return f"{words[0]}_{words[1]}_{number}".lower()
    return f"{words[0]}-{words[1]}"


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
