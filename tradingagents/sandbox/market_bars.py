"""Daily OHLCV for the whole universe, vectorised with numpy.

Model (per trading day t, ticker i in sector s):
    r[t, i] = drift + beta_i * m[t] + load_i * f[t, s] + e[t, i]
where the market factor m, the sector factors f and the idiosyncratic terms e each follow a
GARCH(1,1) with unit-variance Student-t innovations (volatility clustering, fat tails).
Log volume = log(typical volume) + a common volume factor + a per-ticker AR(1) noise + a
term rising with |r| (volume follows big moves).

History is stable across trade dates: random numbers come in blocks of BLOCK_DAYS trading
days, each from its own PCG64 stream keyed by (seed, block number), and every window starts
on a block boundary. Two trade dates whose windows start on the same block share their
entire common history bar for bar (the window start moves once every BLOCK_DAYS days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradingagents.sandbox.universe import SECTORS, Listing

FloatArray = npt.NDArray[np.float64]

BARS_TAG = 0x42415253  # "BARS"
EPOCH = dt.date(2000, 1, 3)  # a Monday: business day number 0
BLOCK_DAYS = 256
MIN_HISTORY_DAYS = 2 * 252 + 260  # two years plus the warm-up of 200-day/52-week indicators
MIN_TRADE_DATE = dt.date(2008, 1, 1)

# Calibrated against S&P 500 daily bars 2019-2021 (see MARKET.md).
STUDENT_T_DF = 4.0
MARKET_DRIFT = 0.0003  # per day, ~8% a year
MARKET_GARCH = (0.16, 0.83, 0.0190)  # alpha, beta, unconditional daily vol
SECTOR_GARCH = (0.10, 0.88, 0.0090)
IDIO_GARCH = (0.07, 0.92, 1.0)  # unconditional vol is per ticker (Listing.idio_vol)
REGIME_EXPONENT = 0.7  # idio/sector vol scale with (market vol / its mean) ** this
SHOCK_CAP = 5.0
MAX_VOL_MULTIPLE = 5.0
MAX_DAILY_LOG_RETURN = 0.5
VOLUME_ABS_RETURN_LOADING = 0.38  # log-volume rise per unconditional sigma of |r|
VOLUME_SURPRISE_CAP = 6.0  # in unconditional sigmas of |r|
VOLUME_AR = 0.75
VOLUME_NOISE = 0.22
VOLUME_MARKET_NOISE = 0.12
EARNINGS_JUMP = 2.2  # reaction = this x idio vol x |N(0,1)| in the surprise's direction
EARNINGS_VOLUME_LOG = 0.35  # log-volume lift on a reaction day, plus this size term:
EARNINGS_VOLUME_SIZE = 0.25  # x |N(0,1)| of the same draw (bigger gaps trade more)
OVERNIGHT_SHARE = 0.3  # share of the close-to-close return that happens overnight
RANGE_SCALE = 0.6  # high/low excursion beyond open/close, in daily sigmas


def business_day_number(day: dt.date) -> int:
    """Trading-day number of `day` counted from EPOCH (Mon-Fri calendar, no holidays)."""
    return int(np.busday_count(EPOCH, day))


def window_dates(trade_date: dt.date) -> pd.DatetimeIndex:
    """The trading days of the market for `trade_date`, block-aligned, last == trade_date."""
    last = business_day_number(trade_date)
    first = ((last - MIN_HISTORY_DAYS) // BLOCK_DAYS) * BLOCK_DAYS
    start = np.busday_offset(EPOCH, first, roll="forward")
    end = np.datetime64(trade_date) + np.timedelta64(1, "D")
    days = np.arange(start, end, dtype="datetime64[D]")
    return pd.DatetimeIndex(days[np.is_busday(days)])


@dataclass(slots=True)
class Innovations:
    """The random inputs of a window (days x ...), before any signal is planted."""

    first_block: int
    market: FloatArray  # (T,)
    sector: FloatArray  # (T, S)
    idio: FloatArray  # (T, N)
    volume_market: FloatArray  # (T,)
    volume_idio: FloatArray  # (T, N)
    overnight: FloatArray  # (T, N)
    up_range: FloatArray  # (T, N) >= 0
    down_range: FloatArray  # (T, N) >= 0
    event: FloatArray  # (T, N) >= 0, size of an earnings reaction
    start_level: FloatArray  # (N,) log-price shock of the window start


def _unit_t(rng: np.random.Generator, size: tuple[int, ...]) -> FloatArray:
    scale = np.sqrt(STUDENT_T_DF / (STUDENT_T_DF - 2.0))
    draws: FloatArray = rng.standard_t(STUDENT_T_DF, size=size) / scale
    return draws


def draw_innovations(seed: int, first_day: int, days: int, tickers: int) -> Innovations:
    """Random inputs for `days` trading days from day number `first_day` (block-aligned)."""
    sectors = len(SECTORS)
    first_block = first_day // BLOCK_DAYS
    blocks = -(-days // BLOCK_DAYS)
    parts: list[list[FloatArray]] = [[] for _ in range(9)]
    for block in range(first_block, first_block + blocks):
        rng = np.random.Generator(np.random.PCG64([seed, BARS_TAG, block]))
        parts[0].append(_unit_t(rng, (BLOCK_DAYS,)))
        parts[1].append(_unit_t(rng, (BLOCK_DAYS, sectors)))
        parts[2].append(_unit_t(rng, (BLOCK_DAYS, tickers)))
        parts[3].append(rng.standard_normal(BLOCK_DAYS))
        parts[4].append(rng.standard_normal((BLOCK_DAYS, tickers)))
        parts[5].append(rng.standard_normal((BLOCK_DAYS, tickers)))
        parts[6].append(np.abs(rng.standard_normal((BLOCK_DAYS, tickers))))
        parts[7].append(np.abs(rng.standard_normal((BLOCK_DAYS, tickers))))
        parts[8].append(np.abs(rng.standard_normal((BLOCK_DAYS, tickers))))
    market, sector, idio, volume_market, volume_idio, overnight, up, down, event = (
        np.concatenate(chunks)[:days] for chunks in parts
    )
    level_rng = np.random.Generator(np.random.PCG64([seed, BARS_TAG, first_block, 1]))
    return Innovations(
        first_block=first_block,
        market=market,
        sector=sector,
        idio=idio,
        volume_market=volume_market,
        volume_idio=volume_idio,
        overnight=overnight,
        up_range=up,
        down_range=down,
        event=event,
        start_level=level_rng.normal(0.0, 0.15, size=tickers),
    )


def garch_paths(
    shocks: FloatArray, alpha: FloatArray, beta: FloatArray, unconditional: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """GARCH(1,1) returns and conditional sigmas for unit shocks (T, K), column-wise params.

    Student-t(4) shocks have no fourth moment, so a plain GARCH occasionally explodes; the
    news impact of one shock is capped at SHOCK_CAP sigmas and the conditional sigma at
    MAX_VOL_MULTIPLE x its unconditional level (a crash, not a -99% day)."""
    omega = unconditional**2 * (1.0 - alpha - beta)
    ceiling = (MAX_VOL_MULTIPLE * unconditional) ** 2
    impact = np.minimum(shocks**2, SHOCK_CAP**2)
    sigmas = np.empty_like(shocks)
    variance = unconditional**2
    for t in range(shocks.shape[0]):
        sigmas[t] = np.sqrt(variance)
        variance = np.minimum(omega + (alpha * impact[t] + beta) * variance, ceiling)
    returns = sigmas * shocks
    return returns, sigmas


def ar1_filter(inputs: FloatArray, phi: float, first_scale: float) -> FloatArray:
    """y[t] = phi * y[t-1] + inputs[t], with y[0] = first_scale * inputs[0]."""
    out = np.empty_like(inputs)
    state = first_scale * inputs[0]
    out[0] = state
    for t in range(1, len(inputs)):
        state = phi * state + inputs[t]
        out[t] = state
    return out


@dataclass(slots=True)
class RawMarket:
    """Unrounded per-day ingredients of the bars; planting edits these before rendering."""

    log_return: FloatArray  # (T, N) close-to-close
    sigma: FloatArray  # (T, N) conditional daily sigma of the total return
    overnight_share: FloatArray  # (T, N)
    up_range: FloatArray  # (T, N)
    down_range: FloatArray  # (T, N)
    volume: FloatArray  # (T, N) shares, unrounded
    start_price: FloatArray  # (N,)


def simulate(
    seed: int, listings: tuple[Listing, ...], dates: pd.DatetimeIndex, earnings: FloatArray
) -> RawMarket:
    """The unplanted market over `dates` (block-aligned window); `earnings` (days x tickers)
    holds the signed surprise of each earnings reaction day (+1 beat, -1 miss, 0 none)."""
    tickers = len(listings)
    days = len(dates)
    first_day = business_day_number(dates[0].date())
    shocks = draw_innovations(seed, first_day, days, tickers)
    sector_names = list(SECTORS)
    sector_of = np.array([sector_names.index(listing.sector) for listing in listings])
    beta = np.array([listing.beta for listing in listings])
    loading = np.array([listing.sector_loading for listing in listings])
    idio_vol = np.array([listing.idio_vol for listing in listings])

    factor_shocks = np.column_stack([shocks.market, shocks.sector])
    k = factor_shocks.shape[1]
    alpha = np.r_[MARKET_GARCH[0], np.full(k - 1, SECTOR_GARCH[0])]
    persistence = np.r_[MARKET_GARCH[1], np.full(k - 1, SECTOR_GARCH[1])]
    level = np.r_[MARKET_GARCH[2], np.full(k - 1, SECTOR_GARCH[2])]
    all_shocks = np.column_stack([factor_shocks, shocks.idio])
    all_alpha = np.r_[alpha, np.full(tickers, IDIO_GARCH[0])]
    all_beta = np.r_[persistence, np.full(tickers, IDIO_GARCH[1])]
    all_level = np.r_[level, idio_vol]
    returns, sigmas = garch_paths(all_shocks, all_alpha, all_beta, all_level)
    market, sector = returns[:, 0], returns[:, 1:k]
    market_sigma, sector_sigma = sigmas[:, 0], sigmas[:, 1:k]
    # Idiosyncratic and sector volatility rise with the market's (crises hit everything).
    regime = ((market_sigma / MARKET_GARCH[2]) ** REGIME_EXPONENT)[:, None]
    sector, sector_sigma = sector * regime, sector_sigma * regime
    idio, idio_sigma = returns[:, k:] * regime, sigmas[:, k:] * regime

    # Earnings days gap in the surprise's direction on heavy volume.
    reaction = EARNINGS_JUMP * idio_vol * earnings * shocks.event
    log_return = np.clip(
        MARKET_DRIFT + np.outer(market, beta) + sector[:, sector_of] * loading + idio + reaction,
        -MAX_DAILY_LOG_RETURN,
        MAX_DAILY_LOG_RETURN,
    )
    sigma = np.sqrt(
        np.outer(market_sigma**2, beta**2) + (sector_sigma[:, sector_of] * loading) ** 2
        + idio_sigma**2
    )
    unconditional = np.sqrt(
        (beta * MARKET_GARCH[2]) ** 2 + (loading * SECTOR_GARCH[2]) ** 2 + idio_vol**2
    )
    noise = ar1_filter(
        VOLUME_NOISE * shocks.volume_idio, VOLUME_AR, 1.0 / np.sqrt(1 - VOLUME_AR**2)
    )
    surprise = np.minimum(np.abs(log_return) / unconditional, VOLUME_SURPRISE_CAP) - np.sqrt(
        2 / np.pi
    )
    log_volume = (
        np.log([listing.base_volume for listing in listings])
        + VOLUME_ABS_RETURN_LOADING * surprise
        + (VOLUME_MARKET_NOISE * shocks.volume_market)[:, None]
        + noise
        + (earnings != 0) * (EARNINGS_VOLUME_LOG + EARNINGS_VOLUME_SIZE * shocks.event)
    )
    overnight = OVERNIGHT_SHARE + 0.15 * shocks.overnight
    start_price = np.array([listing.base_price for listing in listings]) * np.exp(
        shocks.start_level
    )
    return RawMarket(
        log_return=log_return,
        sigma=sigma,
        overnight_share=overnight,
        up_range=shocks.up_range,
        down_range=shocks.down_range,
        volume=np.exp(log_volume),
        start_price=start_price,
    )


@dataclass(slots=True)
class Bars:
    """Rendered daily bars (days x tickers), prices rounded to cents."""

    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: npt.NDArray[np.int64]


def render(raw: RawMarket) -> Bars:
    """OHLCV from the raw ingredients; low <= open, close <= high holds after rounding."""
    log_close = np.log(raw.start_price) + np.cumsum(raw.log_return, axis=0)
    close = np.exp(log_close)
    previous = np.vstack([raw.start_price, close[:-1]])
    open_ = previous * np.exp(raw.overnight_share * raw.log_return)
    body_high = np.maximum(open_, close)
    body_low = np.minimum(open_, close)
    high = body_high * np.exp(RANGE_SCALE * raw.sigma * raw.up_range)
    low = body_low * np.exp(-RANGE_SCALE * raw.sigma * raw.down_range)
    cents = [np.maximum(np.round(a, 2), 0.01) for a in (open_, high, low, close)]
    open_c, high_c, low_c, close_c = cents
    high_c = np.maximum(high_c, np.maximum(open_c, close_c))
    low_c = np.minimum(low_c, np.minimum(open_c, close_c))
    volume = np.maximum(np.round(raw.volume), 100).astype(np.int64)
    for array in (open_c, high_c, low_c, close_c, volume):
        array.flags.writeable = False  # the Market's frames share these arrays
    return Bars(open=open_c, high=high_c, low=low_c, close=close_c, volume=volume)
