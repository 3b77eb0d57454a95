"""The one place that builds a source's HTTP session: TTL cache, shared rate limit, timeouts.

Every client (finnhub-python, prawcore, plain requests) gets a :class:`SourceSession`, a
requests-cache ``CachedSession`` whose transport adapter is a requests-ratelimiter
``LimiterAdapter`` on the source's one pyrate-limiter ``Limiter``. So cache hits cost no
rate-limit slot, every thread and scanner shares the source's limit, and the adapter caps
connect/read timeouts (and the wait for a slot) by the calling scanner's remaining budget.
"""

from __future__ import annotations

import bisect
import fcntl
import io
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
import urllib3
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate, RateItem
from requests.adapters import HTTPAdapter
from requests_cache import DO_NOT_CACHE, CachedSession
from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache, SQLiteDict
from requests_cache.policy import DEFAULT_CACHE_NAME
from requests_cache.policy.settings import DEFAULT_IGNORED_PARAMS
from requests_ratelimiter import LimiterMixin

from tradingagents.sources import budget
from tradingagents.sources.config import RateLimit
from tradingagents.sources.errors import DeadlineExceeded, RateLimited, SourceUnavailable

logger = logging.getLogger(__name__)

_WINDOW_MS = {
    "second": int(Duration.SECOND),
    "minute": int(Duration.MINUTE),
    "hour": int(Duration.HOUR),
    "day": int(Duration.DAY),
}
# Secrets that must never be part of a cache key or a stored request (Finnhub sends `token`).
_IGNORED_PARAMS = (*DEFAULT_IGNORED_PARAMS, "token", "client_secret")
_SQLITE_BUSY_TIMEOUT_MS = 5_000
# Extra wait after a window frees a slot: only rounding slack now that requests are stamped
# when their answer arrives (_RequestLog), not the 50 ms (5 % of a 1 s window) guess that
# pyrate-limiter defaults to and that a busy machine's jitter still beat.
_SLOT_BUFFER_MS = 5

TimeoutArg = float | tuple[float | None, float | None] | None


def build_limiter(rate_limit: RateLimit | None) -> Limiter | None:
    """One sliding-window limiter enforcing every window of ``rate_limit`` at once."""
    if rate_limit is None:
        return None
    rates = [
        _rate(limit, _WINDOW_MS[window])
        for window, limit in rate_limit.windows().items()
        if limit is not None
    ]
    return Limiter(_RequestLog(binding_rates(rates)), buffer_ms=_SLOT_BUFFER_MS)


class _RequestLog(InMemoryBucket):
    """The sliding-window log of one source's requests, each stamped when its answer came.

    A server counts a request when it arrives, which is after we let it through and before
    its answer reaches us. Stamping at admission (pyrate-limiter's way) lets a request that
    travelled slowly (a busy machine, a slow network) sit later in the server's window than in
    ours, so our next window opens early and the server answers 429. Moving each stamp to the
    moment the answer arrived keeps our window a superset of the server's.
    """

    def __init__(self, rates: list[Rate]) -> None:
        super().__init__(rates)
        self._admitted = threading.local()

    def put(self, item: RateItem) -> bool:
        # pyrate-limiter stamps a waiter with its planned wake-up time; use the real one.
        item.timestamp = self.now()  # type: ignore[no-untyped-call]
        admitted: bool = super().put(item)
        if admitted:
            self._admitted.item = item
        return admitted

    def answered(self) -> None:
        """Re-stamp this thread's last admitted request now that its answer (or failure) came."""
        item: RateItem | None = getattr(self._admitted, "item", None)
        self._admitted.item = None
        if item is None:
            return
        with self._lock:
            position = next((i for i, kept in enumerate(self.items) if kept is item), None)
            if position is None:  # already leaked out of every window
                return
            del self.items[position]
            item.timestamp = self.now()  # type: ignore[no-untyped-call]
            bisect.insort(self.items, item, key=lambda kept: kept.timestamp)


def _rate(limit: float, interval_ms: int) -> Rate:
    # pyrate-limiter counts whole requests: 0.5/s becomes 1 per 2 s.
    if limit >= 1:
        return Rate(int(limit), interval_ms)
    return Rate(1, round(interval_ms / limit))


def binding_rates(rates: list[Rate]) -> list[Rate]:
    """The rates that can ever bind, shortest window first.

    pyrate-limiter rejects a list where a short window is not strictly looser than a long one,
    and config merging easily yields one (the default 30/s under a user's 1/min). A rate is
    redundant when another one already caps its window at or below its limit.
    """

    def implied_cap(other: Rate, window: int) -> int:
        # At most other.limit per other.interval, so at most this many in `window`.
        if other.interval >= window:
            return int(other.limit)
        return int(other.limit) * -(-window // int(other.interval))

    kept = [
        rate
        for rate in rates
        if not any(
            other is not rate and implied_cap(other, int(rate.interval)) <= rate.limit
            for other in rates
        )
    ]
    dropped = len(rates) - len(kept)
    if dropped:
        logger.debug("ignoring %d rate window(s) that another window makes redundant", dropped)
    return sorted(kept, key=lambda rate: rate.interval)


# Connections kept per host. Requests in flight on one source add up across scanners: the
# default run has two 16-worker fan-outs on Finnhub plus its other scanners (33 measured), and
# 8 scanners x 16 workers is 128. A pool smaller than the peak discards a connection each time
# one too many comes back (urllib3's "Connection pool is full" warning) and opens a new one on
# the next burst. Connections are opened only when needed, so the size costs nothing.
POOL_SIZE = 128
#: Less budget than this left: do not even queue for a rate-limit slot.
MIN_LIMITER_WAIT_SECONDS = 0.05


class _BudgetedAdapter(HTTPAdapter):
    """Caps connect and read timeouts by the source's timeout and the caller's budget, and
    reads the whole body here, under that budget.

    requests has no total timeout: its read timeout bounds each socket read, so a body that
    trickles in a few bytes at a time can take minutes. Reading the body in the adapter, with
    ``read1`` (whatever has arrived, never waiting to fill a buffer) and the socket timeout
    re-capped by the remaining budget before each read, ends every request by the caller's
    deadline, body included.
    """

    def __init__(self, *, source: str, timeout: float, **kwargs: Any) -> None:
        self._source = source
        self._timeout = timeout
        super().__init__(pool_maxsize=POOL_SIZE, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        timeout = kwargs["timeout"] = self._capped(kwargs.get("timeout"))
        response = super().send(request, **kwargs)
        if not kwargs.get("stream"):
            try:
                _preload_body(response, read_timeout=timeout[1], source=self._source)
            except BaseException:
                response.close()
                raise
        return response

    def _capped(self, timeout: TimeoutArg) -> tuple[float, float]:
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        try:
            return (
                budget.bounded(min(connect or self._timeout, self._timeout)),
                budget.bounded(min(read or self._timeout, self._timeout)),
            )
        except budget.BudgetExhausted:
            raise DeadlineExceeded(self._source, "no time left to send the request") from None


_BODY_CHUNK = 64 * 1024


def _preload_body(response: requests.Response, *, read_timeout: float, source: str) -> None:
    """Read ``response``'s raw body now, ending by the caller's deadline, and put it back in
    memory so requests (and requests-cache) decode and store it as if read from the socket."""
    raw = response.raw
    if not isinstance(raw, urllib3.HTTPResponse):
        return
    chunks: list[bytes] = []
    with _as_requests_errors(response.request):
        while True:
            left = budget.remaining()
            if left is not None:
                if left <= 0.0:
                    raise DeadlineExceeded(source, "the answer was still arriving at the deadline")
                _set_read_timeout(raw, min(read_timeout, left))
            chunk = raw.read1(_BODY_CHUNK, decode_content=False)
            if not chunk:
                break
            chunks.append(chunk)
    body = b"".join(chunks)
    # What requests-cache does to a response it has read: the body, replayable from memory.
    raw._fp = io.BytesIO(body)  # type: ignore[assignment]
    raw._fp_bytes_read = 0
    raw.length_remaining = len(body)


def _set_read_timeout(raw: urllib3.HTTPResponse, seconds: float) -> None:
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


@contextmanager
def _as_requests_errors(request: requests.PreparedRequest) -> Iterator[None]:
    """urllib3's body-reading errors as requests raises them from ``Response.content``."""
    try:
        yield
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc, request=request) from None
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc, request=request) from None
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc, request=request) from None


class _LimitedAdapter(LimiterMixin, _BudgetedAdapter):
    """requests-ratelimiter's adapter whose wait for a slot never outlasts the caller's budget."""

    def __init__(self, *, source: str, limiter: Limiter, timeout: float, max_wait: float) -> None:
        self._max_wait = max_wait
        (log,) = limiter.buckets()
        if not isinstance(log, _RequestLog):
            raise TypeError("a source's limiter must be built by build_limiter()")
        self._log = log
        super().__init__(
            limiter=limiter,
            per_host=False,
            bucket_name=source,
            max_delay=max_wait,
            source=source,
            timeout=timeout,
        )

    @property
    def max_delay(self) -> float:
        left = budget.remaining()
        return self._max_wait if left is None else min(self._max_wait, left)

    @max_delay.setter
    def max_delay(self, value: float) -> None:
        self._max_wait = value

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        left = budget.remaining()
        if left is not None and left < MIN_LIMITER_WAIT_SECONDS:
            # pyrate-limiter does not honour a near-zero timeout under contention (measured:
            # 0.8 s past it), so a caller with no time left must not enter the limiter at all.
            raise DeadlineExceeded(self._source, "no time left to wait for a rate-limit slot")
        try:
            response: requests.Response = super().send(request, **kwargs)
        except requests.exceptions.Timeout as exc:
            # The transport raises only the ConnectTimeout/ReadTimeout subclasses; the plain
            # class is requests-ratelimiter's "no slot within max_delay".
            if type(exc) is not requests.exceptions.Timeout:
                raise
            raise self._no_slot() from None
        finally:
            self._log.answered()
        return response

    def _no_slot(self) -> DeadlineExceeded | RateLimited:
        left = budget.remaining()
        if left is not None and left < self._max_wait:
            return DeadlineExceeded(
                self._source, "no rate-limit slot before the scanner's time budget ran out"
            )
        return RateLimited(
            self._source,
            f"no slot under the configured rate limit within {self._max_wait:g} s",
            retryable=False,
        )


class _KeyedLocks:
    """One lock per cache key in use, so identical concurrent misses go out once (no dogpile)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str, source: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            left = budget.remaining()
            if not lock.acquire(timeout=-1 if left is None else left):
                raise DeadlineExceeded(source, "budget ran out waiting for an identical request")
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


class _SQLiteTable(SQLiteDict):
    """requests-cache's SQLite table, whose writers give up instead of spinning.

    requests-cache retries ``BEGIN IMMEDIATE`` forever, holding the table's lock: while another
    process holds the file's write lock, every writer (and ``close``) in this one waits with
    it. Here the write waits ``busy_timeout`` and then fails, which :class:`_TolerantCache`
    turns into a skipped write.
    """

    @contextmanager
    def _acquire_sqlite_lock(self) -> Iterator[None]:
        with self._lock:
            connection = self._connection
            assert connection is not None, "connection() opens it before any write"
            connection.execute("BEGIN IMMEDIATE")
            self._active_transaction = True
            try:
                yield
                connection.commit()
            except sqlite3.OperationalError:
                connection.rollback()
                raise
            finally:
                self._active_transaction = False


class _TolerantCache(SQLiteCache):
    """The SQLite cache of one source, where a failed read is a miss and a failed write is
    skipped, each with a warning: a cache in trouble (another process holding the file, a
    damaged file) costs a network request, never the scanner's call."""

    def __init__(self, db_path: Path, source: str, busy_timeout: int) -> None:
        BaseCache.__init__(self, cache_name=str(db_path))
        self.source = source
        self.responses = _SQLiteTable(
            db_path, table_name="responses", wal=True, busy_timeout=busy_timeout
        )
        self.redirects = _SQLiteTable(
            db_path,
            table_name="redirects",
            lock=self.responses._lock,
            serializer=None,
            wal=True,
            busy_timeout=busy_timeout,
        )

    def get_response(self, key: str, default: Any = None) -> Any:
        try:
            return super().get_response(key, default)
        except sqlite3.Error as exc:
            logger.warning("%s cache: read failed (%s); asking the service", self.source, exc)
            return default

    def save_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        try:
            super().save_response(response, *args, **kwargs)
        except sqlite3.Error as exc:
            logger.warning("%s cache: answer not stored (%s)", self.source, exc)

    def delete(self, *keys: str, **kwargs: Any) -> None:
        try:
            super().delete(*keys, **kwargs)
        except sqlite3.Error as exc:
            logger.warning("%s cache: stale answer not deleted (%s)", self.source, exc)


def open_cache(path: Path, source: str) -> BaseCache:
    """The source's SQLite cache file, created (tables, WAL mode) under an exclusive file lock.

    Two processes opening a new cache file at once (cron and a user's shell) race on creating
    its tables and switching it to WAL, and one of them can lose a call to a SQLite error. The
    lock serialises that setup; afterwards WAL mode lets the processes share the file.
    """
    lock_path = path.with_name(path.name + ".lock")
    with lock_path.open("a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            return _TolerantCache(path, source, _SQLITE_BUSY_TIMEOUT_MS)
        except sqlite3.Error as exc:
            logger.warning(
                "%s cache: cannot use %s (%s); caching in memory for this run",
                source, path, exc,
            )
            return BaseCache()
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


class SourceSession(CachedSession):
    """A source's cached, rate-limited, budget-aware session (thread-safe).

    :meth:`close` may come while other threads are still inside :meth:`send` (scanners
    abandoned at a timeout or Ctrl-C). Closing the SQLite cache under a thread that is reading
    it crashes the interpreter, so the session counts the requests in flight and the last one
    out releases the cache ("close when idle"); a request that starts after :meth:`close`
    fails at once with :class:`SourceUnavailable`.
    """

    def __init__(
        self,
        source: str,
        *,
        cache_file: Path | None,
        ttl_rules: Sequence[tuple[str, float]],
        cacheable: Callable[[requests.Response], bool] | None,
        limiter: Limiter | None,
        timeout: float,
        max_wait: float,
        trust_env: bool = True,
    ) -> None:
        super().__init__(
            DEFAULT_CACHE_NAME,
            backend=BaseCache() if cache_file is None else open_cache(cache_file, source),
            expire_after=DO_NOT_CACHE,
            # A timedelta, because requests-cache truncates a float of seconds to an int.
            urls_expire_after={
                re.compile(pattern): timedelta(seconds=ttl) if ttl > 0 else DO_NOT_CACHE
                for pattern, ttl in ttl_rules
            },
            allowable_codes=(200,),
            allowable_methods=("GET",),
            ignored_parameters=list(_IGNORED_PARAMS),
            cache_control=False,
            stale_if_error=False,
            filter_fn=cacheable or (lambda _response: True),
        )
        self.source = source
        self.limiter = limiter
        # requests scans the environment for proxies and CA bundles twice per request (~15% of
        # a cached call); only live sessions need that (a corporate HTTPS_PROXY, say).
        self.trust_env = trust_env
        self._key_locks = _KeyedLocks()
        self._use_lock = threading.Lock()
        self._in_flight = 0
        self._closed = False
        adapter = (
            _LimitedAdapter(source=source, limiter=limiter, timeout=timeout, max_wait=max_wait)
            if limiter is not None
            else _BudgetedAdapter(source=source, timeout=timeout)
        )
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    @property
    def closed(self) -> bool:
        return self._closed

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:  # type: ignore[override]
        with self._in_use():
            if request.method != "GET":
                return super().send(request, **kwargs)
            with self._key_locks.hold(self.cache.create_key(request), self.source):
                return super().send(request, **kwargs)

    def close(self) -> None:
        """Refuse new requests; release the cache and pools now, or when the last request in
        flight ends (idempotent)."""
        with self._use_lock:
            if self._closed:
                return
            self._closed = True
            idle = self._in_flight == 0
        if idle:
            self._release()

    @contextmanager
    def _in_use(self) -> Iterator[None]:
        with self._use_lock:
            if self._closed:
                raise SourceUnavailable(self.source, "the data sources are closed (the run ended)")
            self._in_flight += 1
        try:
            yield
        finally:
            with self._use_lock:
                self._in_flight -= 1
                last_out = self._closed and self._in_flight == 0
            if last_out:
                self._release()

    def _release(self) -> None:
        super().close()  # type: ignore[no-untyped-call]
        if self.limiter is not None:
            self.limiter.close()


def cache_file(cache_dir: Path, source: str) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    return cache_dir / f"{source}.sqlite"


def clear_cache(cache_dir: Path, sources: Iterable[str]) -> list[Path]:
    """Delete the cached answers of ``sources`` (their SQLite files and WAL/SHM side files);
    returns the files removed. Run it while no run is using the cache."""
    removed = []
    for source in sources:
        for path in cache_dir.glob(f"{source}.sqlite*"):
            path.unlink()
            removed.append(path)
    return removed


def json_cacheable(
    reject_keys: Collection[str] = (),
) -> Callable[[requests.Response], bool]:
    """A cache filter: store only whole JSON documents without any of ``reject_keys`` at the top.

    A truncated body, or a 200 that is really an error (Alpha Vantage's ``Note``), must never
    be cached. requests-cache runs the filter on every hit too; those were checked when stored.
    """

    def cacheable(response: requests.Response) -> bool:
        if getattr(response, "from_cache", False):
            return True
        try:
            body = json.loads(response.content)
        except ValueError:
            return False
        return not (isinstance(body, dict) and any(key in body for key in reject_keys))

    return cacheable
