"""The sandbox's fictional listing universe: ~500 common stocks with names, sectors and CIKs.

The universe depends on the seed only (never on the trade date), so a symbol means the same
company on every day of a seeded market.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np

from tradingagents.sandbox.market_records import Exchange
from tradingagents.sandbox.signals import REDDIT_STOP_WORDS

UNIVERSE_TAG = 0x554E4956  # "UNIV": keeps this stream apart from the others of the same seed

# GICS sectors with a few industries each and a company count close to the S&P 500's mix.
SECTORS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Information Technology": (
        72,
        ("Semiconductors", "Application Software", "Systems Software", "IT Services",
         "Communications Equipment", "Electronic Components"),
    ),
    "Health Care": (
        62,
        ("Biotechnology", "Pharmaceuticals", "Health Care Equipment", "Managed Health Care",
         "Life Sciences Tools"),
    ),
    "Financials": (
        66,
        ("Diversified Banks", "Regional Banks", "Asset Management", "Insurance Brokers",
         "Property & Casualty Insurance", "Consumer Finance"),
    ),
    "Consumer Discretionary": (
        58,
        ("Internet Retail", "Restaurants", "Automobile Manufacturers", "Apparel Retail",
         "Homebuilding", "Hotels & Resorts"),
    ),
    "Industrials": (
        70,
        ("Aerospace & Defense", "Industrial Machinery", "Railroads", "Airlines",
         "Building Products", "Electrical Equipment"),
    ),
    "Communication Services": (
        26,
        ("Interactive Media", "Integrated Telecom", "Movies & Entertainment", "Broadcasting"),
    ),
    "Consumer Staples": (
        34,
        ("Packaged Foods", "Beverages", "Household Products", "Food Retail", "Tobacco"),
    ),
    "Energy": (
        24,
        ("Integrated Oil & Gas", "Oil & Gas Exploration", "Oil & Gas Equipment", "Refining"),
    ),
    "Utilities": (
        28,
        ("Electric Utilities", "Multi-Utilities", "Water Utilities", "Gas Utilities"),
    ),
    "Real Estate": (
        30,
        ("Office REITs", "Residential REITs", "Industrial REITs", "Data Center REITs"),
    ),
    "Materials": (
        30,
        ("Specialty Chemicals", "Metals & Mining", "Paper Packaging", "Construction Materials"),
    ),
}

# Words that flavour a company name per sector; names are "<root> <flavour> <suffix>".
_FLAVOURS: dict[str, tuple[str, ...]] = {
    "Information Technology": ("Micro", "Data", "Logic", "Cloud", "Silicon", "Quantum", "Cyber"),
    "Health Care": ("Thera", "Bio", "Gen", "Medi", "Cura", "Vita", "Onco"),
    "Financials": ("Capital", "Trust", "Bancorp", "Financial", "Assurance", "Credit"),
    "Consumer Discretionary": ("Brands", "Motors", "Outfitters", "Homes", "Resorts", "Kitchens"),
    "Industrials": ("Dynamics", "Aero", "Machines", "Rail", "Systems", "Works"),
    "Communication Services": ("Media", "Telecom", "Networks", "Studios", "Broadcast"),
    "Consumer Staples": ("Foods", "Beverage", "Farms", "Goods", "Provisions"),
    "Energy": ("Petroleum", "Energy", "Drilling", "Resources", "Pipeline"),
    "Utilities": ("Power", "Electric", "Water", "Gas & Light", "Utilities"),
    "Real Estate": ("Realty", "Properties", "REIT", "Land", "Estates"),
    "Materials": ("Chemical", "Minerals", "Steel", "Materials", "Packaging"),
}
_ROOTS = (
    "Apex", "Boreal", "Cobalt", "Delta", "Ember", "Fulcrum", "Granite", "Harbor", "Ionic",
    "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Orion", "Pinnacle", "Quarry",
    "Redwood", "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Xenon", "Yardley", "Zephyr",
    "Atlas", "Beacon", "Cascade", "Dorado", "Evergreen", "Falcon", "Glacier", "Horizon",
    "Iris", "Jasper", "Kestrel", "Lattice", "Monarch", "Northstar", "Onyx", "Prairie",
    "Quill", "Riverton", "Sterling", "Tundra", "Unity", "Vanguard", "Westbrook", "Yukon",
    "Zenith", "Alder", "Birch", "Crescent", "Drift", "Echo", "Fable", "Grove", "Halcyon",
    "Indigo", "Jetstream", "Kinetic", "Lark", "Mosaic", "Nova", "Oakmont", "Pioneer",
    "Radiant", "Solstice", "Tempest", "Upland", "Vireo", "Wren", "Axiom", "Bastion",
)
_SUFFIXES = (
    "Inc.", "Corp.", "Holdings Inc.", "Group Inc.", "Co.", "Ltd.", "plc", "Technologies Inc.",
)

# Real-looking symbols that are also everyday words (all in signals.REDDIT_STOP_WORDS): a bare
# "ALL" or "IT" in a Reddit post is a word, only "$ALL" is a mention. Other symbols never
# collide with the stop-list.
WORD_SYMBOLS = ("A", "ALL", "IT", "NOW", "ON")

MIN_PENNY_STOCKS = 12  # universe stocks trading under $5 (decoys for the price filters)


@dataclass(frozen=True, slots=True)
class Listing:
    """Seed-level facts about one company (its market cap depends on the trade date)."""

    symbol: str
    name: str
    sector: str
    industry: str
    cik: int
    exchange: Exchange
    shares_outstanding: int
    ipo: dt.date
    base_price: float  # price level the simulation starts from
    base_volume: float  # typical daily share volume
    beta: float  # loading on the market factor
    sector_loading: float  # loading on the sector factor
    idio_vol: float  # daily idiosyncratic volatility


def _symbol_for(name: str, taken: set[str], rng: np.random.Generator) -> str:
    """A 2-4 letter symbol derived from the name, unique within `taken`."""
    letters = "".join(ch for ch in name.upper() if ch.isalpha())
    candidates = [letters[:3], letters[:4], letters[0] + letters[2:4], letters[:2]]
    for candidate in candidates:
        if candidate not in taken and candidate not in REDDIT_STOP_WORDS:
            return candidate
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    while True:
        size = int(rng.integers(3, 5))
        candidate = letters[0] + "".join(rng.choice(alphabet, size=size - 1))
        if candidate not in taken and candidate not in REDDIT_STOP_WORDS:
            return candidate


@functools.lru_cache(maxsize=8)
def build_universe(seed: int) -> tuple[Listing, ...]:
    """The universe of a seed, sorted by symbol."""
    rng = np.random.Generator(np.random.PCG64([seed, UNIVERSE_TAG]))
    total = sum(count for count, _ in SECTORS.values())
    penny = set(rng.choice(total, size=MIN_PENNY_STOCKS, replace=False).tolist())
    word_slots = dict(
        zip(rng.choice(total, size=len(WORD_SYMBOLS), replace=False).tolist(), WORD_SYMBOLS,
            strict=True)
    )
    taken: set[str] = set()
    names: set[str] = set()
    listings: list[Listing] = []
    index = 0
    for sector, (count, industries) in SECTORS.items():
        flavours = _FLAVOURS[sector]
        for _ in range(count):
            while True:
                name = (
                    f"{rng.choice(_ROOTS)} {rng.choice(flavours)} {rng.choice(_SUFFIXES)}"
                )
                if name not in names:
                    names.add(name)
                    break
            symbol = word_slots.get(index) or _symbol_for(name, taken, rng)
            taken.add(symbol)
            if index in penny:
                price = float(np.exp(rng.uniform(np.log(1.5), np.log(4.5))))
                market_cap = float(np.exp(rng.normal(np.log(4e8), 0.5)))
            else:
                price = float(np.clip(np.exp(rng.normal(np.log(85.0), 0.6)), 8.0, 1500.0))
                market_cap = float(np.exp(rng.normal(np.log(3.0e10), 0.8)))
            shares = max(int(market_cap / price), 5_000_000)
            # Turnover ~0.5-1.5% of shares a day, with the wide spread of real listings.
            turnover = float(np.exp(rng.normal(np.log(0.0062), 0.35)))
            ipo = dt.date(int(rng.integers(1965, 2004)), int(rng.integers(1, 13)),
                          int(rng.integers(1, 29)))
            listings.append(
                Listing(
                    symbol=symbol,
                    name=name,
                    sector=sector,
                    industry=str(rng.choice(industries)),
                    cik=int(1_000_000 + index * 1_733 + rng.integers(0, 1_700)),
                    exchange="NASDAQ" if rng.random() < 0.45 else "NYSE",
                    shares_outstanding=shares,
                    ipo=ipo,
                    base_price=price,
                    base_volume=max(shares * turnover, 150_000.0),
                    beta=float(np.clip(rng.normal(1.0, 0.3), 0.3, 2.0)),
                    sector_loading=float(np.clip(rng.normal(1.0, 0.25), 0.3, 1.8)),
                    idio_vol=float(np.exp(rng.normal(np.log(0.0225), 0.35))),
                )
            )
            index += 1
    return tuple(sorted(listings, key=lambda listing: listing.symbol))
