"""The sandbox API emulator: one threaded HTTP server on loopback speaking five services' APIs.

    with SandboxServer(seed=7, trade_date="2026-11-24") as server:
        server.base_urls["finnhub"]   # "http://127.0.0.1:PORT/api/v1"

Each request goes through the same pipeline: route -> injected latency -> injected fault
(reset, hang, 5xx, malformed) -> the service's credential check -> server-side rate limit ->
the service's answer from the market. Everything served is counted per service, endpoint and
status. Answers depend only on (seed, trade date, request), so they are byte-identical across
runs and may be cached.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import socket
import struct
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from tradingagents.sandbox.behaviour import Behaviour, Fault
from tradingagents.sandbox.knobs import ServiceKnobs, apply_changes, parse_services
from tradingagents.sandbox.services.base import Reply, Request, Route, Service
from tradingagents.sources.redaction import scrub
from tradingagents.sources.specs import load_object, source_spec, source_specs

if TYPE_CHECKING:
    from tradingagents.sandbox.market import Market

logger = logging.getLogger(__name__)

Status = int | str  # an HTTP status, or a pseudo-status: "reset", "hang", "malformed"
IDLE_CONNECTION_SECONDS: Final = 30.0
REPLY_CACHE_SIZE: Final = 2048
_MULTIPLE_SLASHES: Final = re.compile(r"/{2,}")


class Counters:
    """Thread-safe tally: service -> endpoint -> status -> count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, dict[Status, int]]] = {}

    def record(self, service: str, endpoint: str, status: Status) -> None:
        with self._lock:
            by_status = self._counts.setdefault(service, {}).setdefault(endpoint, {})
            by_status[status] = by_status.get(status, 0) + 1

    def snapshot(self) -> dict[str, dict[str, dict[Status, int]]]:
        with self._lock:
            return {
                service: {endpoint: dict(statuses) for endpoint, statuses in endpoints.items()}
                for service, endpoints in self._counts.items()
            }

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class _ReplyCache:
    """A small thread-safe LRU of replies keyed by everything a handler may look at."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._replies: OrderedDict[Hashable, Reply] = OrderedDict()

    def get(self, key: Hashable) -> Reply | None:
        with self._lock:
            reply = self._replies.get(key)
            if reply is not None:
                self._replies.move_to_end(key)
            return reply

    def put(self, key: Hashable, reply: Reply) -> None:
        with self._lock:
            self._replies[key] = reply
            while len(self._replies) > self._size:
                self._replies.popitem(last=False)


def _service_classes() -> dict[str, type[Service]]:
    """Every registered source's emulator service, in the specs' order (routes match in it)."""
    return {spec.name: load_object(spec.sandbox.service) for spec in source_specs()}


class SandboxServer:
    """Serve the sandbox market through the real services' wire formats on 127.0.0.1."""

    def __init__(
        self,
        seed: int = 7,
        trade_date: dt.date | str | None = None,
        services: Mapping[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        from tradingagents.sandbox.market import generate_market, latest_trading_day

        knobs = parse_services(services)
        day = latest_trading_day(dt.date.today()) if trade_date is None else trade_date
        self.market: Market = generate_market(seed, day)
        self.seed = seed
        self._host = host
        self._port = port
        self._services = {name: cls(self.market) for name, cls in _service_classes().items()}
        self._behaviours = {name: Behaviour(seed, name, knobs[name]) for name in self._services}
        self._routes: list[tuple[str, int, Route]] = [
            (name, index, route)
            for name, service in self._services.items()
            for index, route in enumerate(service.routes())
        ]
        self._counters = Counters()
        self._cache = _ReplyCache(REPLY_CACHE_SIZE)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("SandboxServer is already started")
        if self._stopping.is_set():
            raise RuntimeError("SandboxServer was stopped; create a new one")
        httpd = _HTTPServer((self._host, self._port), _Handler, self)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-server-{httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        logger.info("sandbox emulator serving %s (seed=%s, trade_date=%s)",
                    self.url, self.seed, self.market.trade_date)
        return self

    def stop(self) -> None:
        """Stop serving; wakes hanging and delayed requests and drops open connections."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("SandboxServer is not running: call start() or use `with`")
        return f"http://{self._host}:{self._httpd.server_address[1]}"

    @property
    def base_urls(self) -> dict[str, str]:
        """What goes in ``config["data"]["sources"][name]["base_url"]`` for each service."""
        root = self.url
        return {name: root + source_spec(name).sandbox.path for name in self._services}

    # -- observation and control ----------------------------------------------------------
    def counters(self) -> dict[str, dict[str, dict[Status, int]]]:
        return self._counters.snapshot()

    def reset_counters(self) -> None:
        self._counters.reset()

    def knobs(self, service: str) -> ServiceKnobs:
        """The knobs `service` runs with now."""
        return self._behaviour(service).knobs

    def configure(self, service: str, **knobs: Any) -> None:
        """Change `service`'s knobs at runtime; its fault streams and rate window restart."""
        behaviour = self._behaviour(service)
        behaviour.reconfigure(apply_changes(behaviour.knobs, service, knobs))

    def revoke_tokens(self) -> None:
        """Forget every Reddit access token issued so far (clients must fetch new ones)."""
        from tradingagents.sandbox.services.reddit import Reddit

        reddit = self._services["reddit"]
        assert isinstance(reddit, Reddit)
        reddit.revoke_tokens()

    def _behaviour(self, service: str) -> Behaviour:
        behaviour = self._behaviours.get(service)
        if behaviour is None:
            raise ValueError(
                f"unknown sandbox service {service!r} (valid: {', '.join(self._behaviours)})"
            )
        return behaviour

    # -- the request pipeline ---------------------------------------------------------------
    def _dispatch(self, handler: _Handler) -> None:
        request = handler.parse_request_line()
        found = self._match(request)
        if found is None:
            service_name, reply = self._unrouted(request)
            self._counters.record(service_name, request.path, reply.status)
            handler.send_reply(reply)
            return
        name, index, route, match = found
        service, behaviour = self._services[name], self._behaviours[name]
        knobs = behaviour.knobs
        endpoint = route.label(request, match)

        delay = behaviour.latency_seconds()
        if delay and self._stopping.wait(delay):
            handler.drop()
            return
        fault = behaviour.draw_fault(endpoint)
        if fault is Fault.RESET:
            self._counters.record(name, endpoint, "reset")
            handler.reset()
            return
        if fault is Fault.ERROR:
            reply = self._with_retry_after(service.server_error(knobs.faults.error_status), knobs)
        else:
            reply = self._answer(name, index, route, match, request, knobs)
        if fault is Fault.HANG:
            self._counters.record(name, endpoint, "hang")
            handler.hang(reply, knobs.faults.hang_seconds, self._stopping)
            return
        if fault is Fault.DRIP:
            self._counters.record(name, endpoint, "drip")
            faults = knobs.faults
            handler.drip(reply, faults.drip_bytes, faults.drip_interval_seconds, self._stopping)
            return
        status: Status = reply.status
        if fault is Fault.MALFORMED and reply.status == 200:
            reply = Reply(200, reply.body[: len(reply.body) // 2], reply.content_type,
                          reply.headers)
            status = "malformed"
        self._counters.record(name, endpoint, status)
        handler.send_reply(reply)

    def _answer(
        self,
        name: str,
        index: int,
        route: Route,
        match: re.Match[str],
        request: Request,
        knobs: ServiceKnobs,
    ) -> Reply:
        service, behaviour = self._services[name], self._behaviours[name]
        denied = service.check_access(request, knobs)
        if denied is not None and denied.status == 401 and knobs.faults.echo_query_on_401:
            denied = _echoing_query(denied, request)
        if denied is not None:
            return service.finish(denied, None) if route.rate_limited else denied
        if not route.rate_limited:
            return self._render(name, index, route, match, request)
        verdict = None
        limiter = behaviour.limiter
        if limiter is not None:
            verdict = limiter.acquire()
            if not verdict.allowed:
                limited = service.rate_limited(request, verdict, knobs)
                return service.finish(self._with_retry_after(limited, knobs), verdict)
        return service.finish(self._render(name, index, route, match, request), verdict)

    def _render(
        self, name: str, index: int, route: Route, match: re.Match[str], request: Request
    ) -> Reply:
        service = self._services[name]
        if not route.cacheable:
            return self._call(service, route, match, request)
        params = tuple(sorted(
            (key, value) for key, value in request.query.items()
            if key not in service.secret_params
        ))
        key = (name, index, request.path, params)
        reply = self._cache.get(key)
        if reply is None:
            reply = self._call(service, route, match, request)
            self._cache.put(key, reply)
        return reply

    @staticmethod
    def _call(service: Service, route: Route, match: re.Match[str], request: Request) -> Reply:
        try:
            return route.handler(request, match)
        except Exception:
            logger.exception("sandbox %s handler failed for %s", service.name, request.path)
            return service.server_error(500)

    @staticmethod
    def _with_retry_after(reply: Reply, knobs: ServiceKnobs) -> Reply:
        retry_after = knobs.faults.retry_after
        if retry_after is None or reply.status not in (429, 503):
            return reply
        text = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        return reply.with_headers(("Retry-After", text))

    def _match(self, request: Request) -> tuple[str, int, Route, re.Match[str]] | None:
        for name, index, route in self._routes:
            if route.method != request.method:
                continue
            match = route.pattern.fullmatch(request.path)
            if match is not None:
                return name, index, route, match
        return None

    def _unrouted(self, request: Request) -> tuple[str, Reply]:
        for name, service in self._services.items():
            if service.claims(request.path):
                return name, service.not_found(request)
        return "unknown", Reply(404, b"Not Found", "text/plain; charset=utf-8")


def _echoing_query(reply: Reply, request: Request) -> Reply:
    """``reply`` whose body quotes the request's query string, keys and all."""
    query = urllib.parse.urlencode(dict(request.query))
    body = json.dumps({"error": f"Invalid API key in request ?{query}"}).encode()
    return Reply(reply.status, body, "application/json", reply.headers)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers open connections so stop() can drop them."""

    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not delay stop()
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], emulator: SandboxServer
    ) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that vanish mid-request are routine here (timeouts, injected resets).
        logger.debug("sandbox connection from %s ended abnormally", client_address,
                     exc_info=True)

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real services
    server_version = "sandbox"
    sys_version = ""
    timeout = IDLE_CONNECTION_SECONDS
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle's algorithm meets the
        # client's delayed ACK and every keep-alive answer waits ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.server.emulator._dispatch(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        # The request line carries clients' keys (?token=, &apikey=): mask them like any log.
        logger.debug("%s %s", self.address_string(), scrub(format % args))

    def parse_request_line(self) -> Request:
        parts = urllib.parse.urlsplit(self.path)
        query: dict[str, str] = {}
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(key, value)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path = _MULTIPLE_SLASHES.sub("/", parts.path) or "/"
        return Request(self.command, path, query, self.headers, body)

    def send_reply(self, reply: Reply, *, body: bool = True) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            if self.close_connection:
                # Say so, as real servers do: a client that asked to close (prawcore's token
                # request sends "Connection: close") would otherwise pool the connection and
                # send its next request into the server's close: "connection failed".
                self.send_header("Connection", "close")
            self.end_headers()
            if body:
                self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError as exc:  # the client went away (timed out, reset)
            logger.debug("sandbox client gone before the reply was sent: %s", exc)
            self.close_connection = True

    def hang(self, reply: Reply, seconds: float, stopping: threading.Event) -> None:
        """Send the headers, then stall the body until `seconds` pass or the server stops."""
        self.close_connection = True
        self.send_reply(reply, body=False)
        stopping.wait(seconds)
        self.close_connection = True

    def drip(self, reply: Reply, chunk: int, interval: float, stopping: threading.Event) -> None:
        """Send the headers, then the body ``chunk`` bytes every ``interval`` seconds."""
        self.close_connection = True
        self.send_reply(reply, body=False)
        try:
            for start in range(0, len(reply.body), chunk):
                if stopping.wait(interval):
                    break
                self.wfile.write(reply.body[start : start + chunk])
                self.wfile.flush()
        except OSError as exc:  # the client gave up
            logger.debug("sandbox client gone while a body was dripping: %s", exc)
        self.close_connection = True

    def drop(self) -> None:
        """Close without answering (the server is stopping)."""
        self.close_connection = True

    def reset(self) -> None:
        """Abort the connection with a TCP RST: SO_LINGER 0, then close at once."""
        self.close_connection = True
        connection = self.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drop the makefile reference so close() really closes the fd
        connection.close()
