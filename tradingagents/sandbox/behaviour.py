"""How one emulated service behaves on the wire: latency, rate limits and injected faults.

Everything random is drawn from generators seeded by (server seed, service[, endpoint]), so
a run with the same seed and the same request order per endpoint sees the same delays and
the same faults.
"""

from __future__ import annotations

import enum
import math
import random
import threading

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.services.base import stable_seed
from tradingagents.sandbox.windows import SlidingWindowLimiter


class Fault(enum.Enum):
    """What goes wrong with one request (at most one thing)."""

    RESET = "reset"  # socket closed with RST, no response
    HANG = "hang"  # headers sent, body never comes (until hang_seconds or stop)
    ERROR = "error"  # a 5xx answer
    MALFORMED = "malformed"  # a 200 whose JSON is cut short
    DRIP = "drip"  # headers sent, then the body trickles out a few bytes at a time


class Behaviour:
    """Knobs plus the random streams and limiter derived from them, for one service."""

    def __init__(self, seed: int, service: str, knobs: ServiceKnobs) -> None:
        self._seed = seed
        self._service = service
        self._lock = threading.Lock()
        self.knobs = knobs
        self._latency_rng = random.Random(stable_seed(seed, service, "latency"))
        self._fault_rngs: dict[str, random.Random] = {}
        self.limiter = self._limiter_for(knobs)

    def reconfigure(self, knobs: ServiceKnobs) -> None:
        """New knobs; the fault streams and the rate-limit log start afresh."""
        with self._lock:
            self.knobs = knobs
            self._fault_rngs.clear()
            self.limiter = self._limiter_for(knobs)

    @staticmethod
    def _limiter_for(knobs: ServiceKnobs) -> SlidingWindowLimiter | None:
        if knobs.rate_limit is None:
            return None
        return SlidingWindowLimiter(knobs.rate_limit.windows())

    def latency_seconds(self) -> float:
        latency = self.knobs.latency
        if latency.median_ms <= 0:
            return 0.0
        with self._lock:
            gauss = self._latency_rng.gauss(0.0, 1.0)
        delay_ms = latency.median_ms * math.exp(latency.sigma * gauss)
        return min(delay_ms, latency.max_ms) / 1000.0

    def draw_fault(self, endpoint: str) -> Fault | None:
        faults = self.knobs.faults
        thresholds = (
            (faults.reset_rate, Fault.RESET),
            (faults.hang_rate, Fault.HANG),
            (faults.error_rate, Fault.ERROR),
            (faults.malformed_rate, Fault.MALFORMED),
            (faults.drip_rate, Fault.DRIP),
        )
        if all(rate == 0 for rate, _ in thresholds):
            return None
        with self._lock:
            rng = self._fault_rngs.get(endpoint)
            if rng is None:
                rng = random.Random(stable_seed(self._seed, self._service, endpoint, "faults"))
                self._fault_rngs[endpoint] = rng
            draw = rng.random()
        cumulative = 0.0
        for rate, fault in thresholds:
            cumulative += rate
            if draw < cumulative:
                return fault
        return None
