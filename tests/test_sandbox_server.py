"""The emulator as a server: lifecycle, prompt stop, counters, determinism, CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.sandbox_fixtures import INSTANT, SEC_AGENT, SEED, TRADE_DATE
from tradingagents.sandbox import SandboxServer
from tradingagents.sandbox.__main__ import main


def test_base_urls_share_one_port(sandbox_server: SandboxServer) -> None:
    root = sandbox_server.url
    assert root.startswith("http://127.0.0.1:") and not root.endswith(":0")
    assert sandbox_server.base_urls == {"finnhub": f"{root}/api/v1", "reddit": root,
                                        "alpha_vantage": root, "sec": root, "prices": root,
                                        "massive": root}
    assert sandbox_server.market.trade_date.isoformat() == TRADE_DATE


def test_lifecycle_errors_are_clear() -> None:
    server = SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    with server:
        with pytest.raises(RuntimeError, match="already started"):
            server.start()
        assert requests.get(f"{server.url}/q/d/l/?s=a.us&i=d", timeout=5).status_code == 200
    server.stop()  # idempotent
    with pytest.raises(RuntimeError, match="stopped"):
        server.start()


@pytest.mark.parametrize("knobs", [
    {"faults": {"hang_rate": 1.0, "hang_seconds": 60}},
    {"latency": {"median_ms": 60_000, "sigma": 0, "max_ms": 60_000}},
])
def test_stop_is_prompt_while_a_request_hangs(knobs: dict[str, object]) -> None:
    server = SandboxServer(seed=SEED, trade_date=TRADE_DATE, services={"sec": knobs})
    server.start()
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            answer = requests.get(f"{server.url}/files/company_tickers.json", headers=SEC_AGENT,
                                  timeout=30)
            outcome.append(answer.status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    client = threading.Thread(target=call)
    client.start()
    deadline = time.monotonic() + 5
    while not server.counters().get("sec") and "latency" not in knobs:
        assert time.monotonic() < deadline, "the hanging request never arrived"
        time.sleep(0.01)
    time.sleep(0.1)
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 1.0
    client.join(timeout=5)
    assert not client.is_alive(), "the client is still waiting after stop()"
    assert outcome and isinstance(outcome[0], requests.RequestException)


def test_stop_drops_idle_keep_alive_connections() -> None:
    server = SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT).start()
    with requests.Session() as session:
        session.get(f"{server.url}/q/d/l/?s=a.us&i=d", timeout=5).raise_for_status()
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 1.0


def test_counters_are_exact_under_concurrency(sandbox_server: SandboxServer) -> None:
    sandbox_server.reset_counters()
    url = f"{sandbox_server.base_urls['finnhub']}/quote"

    def burst(worker: int) -> None:
        with requests.Session() as session:
            for _ in range(25):
                session.get(url, params={"symbol": "A", "token": f"k{worker}"}, timeout=5)
            session.get(url, params={"symbol": "A"}, timeout=5)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(burst, range(8)))
    assert sandbox_server.counters()["finnhub"] == {"/quote": {200: 200, 401: 8}}
    sandbox_server.reset_counters()
    assert sandbox_server.counters() == {}


def test_unknown_paths_are_404(sandbox_server: SandboxServer) -> None:
    sandbox_server.reset_counters()
    assert requests.get(f"{sandbox_server.url}/nothing/here", timeout=5).status_code == 404
    reddit = requests.get(f"{sandbox_server.url}/r/stocks/gilded", timeout=5)
    assert reddit.status_code == 404 and reddit.json() == {"message": "Not Found", "error": 404}
    assert sandbox_server.counters() == {"unknown": {"/nothing/here": {404: 1}},
                                         "reddit": {"/r/stocks/gilded": {404: 1}}}


def snapshot_bodies(server: SandboxServer) -> dict[str, bytes]:
    """The bytes of one answer of every kind (Reddit needs a token first)."""
    symbol = server.market.companies[0].symbol
    cik = server.market.companies[0].cik
    paths = [
        f"/api/v1//quote?symbol={symbol}&token=k",
        f"/api/v1/stock/recommendation?symbol={symbol}&token=k",
        "/api/v1/news?category=general&token=k",
        "/api/v1/stock/insider-transactions?token=k",
        "/api/v1/calendar/earnings?from=2026-11-01&to=2026-12-31&symbol=&token=k",
        "/api/v1/stock/symbol?exchange=US&token=k",
        f"/api/v1/stock/profile2?symbol={symbol}&token=k",
        "/query?function=TOP_GAINERS_LOSERS&apikey=k",
        f"/query?function=TIME_SERIES_DAILY&symbol={symbol}&outputsize=full&apikey=k",
        f"/query?function=GLOBAL_QUOTE&symbol={symbol}&apikey=k",
        "/files/company_tickers.json",
        f"/submissions/CIK{cik:010d}.json",
        "/cgi-bin/browse-edgar?action=getcurrent&type=4&output=atom&count=100",
        f"/q/d/l/?s={symbol.lower()}.us&i=d",
    ]
    bodies = {path: requests.get(server.url + path, headers=SEC_AGENT, timeout=5).content
              for path in paths}
    token = requests.post(f"{server.url}/api/v1/access_token", auth=("app", "s"), timeout=5,
                          data={"grant_type": "client_credentials"}).json()["access_token"]
    for sort in ("hot", "new", "top?t=all"):
        path = f"/r/wallstreetbets/{sort}"
        bodies[path] = requests.get(server.url + path, timeout=5,
                                    headers={"Authorization": f"bearer {token}"}).content
    return bodies


def test_same_seed_and_date_give_byte_identical_answers(sandbox_server: SandboxServer) -> None:
    with SandboxServer(seed=SEED, trade_date=TRADE_DATE, services=INSTANT) as twin:
        assert twin.url != sandbox_server.url
        assert snapshot_bodies(twin) == snapshot_bodies(sandbox_server)


def test_another_date_moves_the_market_on(sandbox_server: SandboxServer) -> None:
    with SandboxServer(seed=SEED, trade_date="2026-11-23", services=INSTANT) as earlier:
        before, after = snapshot_bodies(earlier), snapshot_bodies(sandbox_server)
    symbol = sandbox_server.market.companies[0].symbol
    quote = f"/api/v1//quote?symbol={symbol}&token=k"
    assert json.loads(before[quote])["t"] < json.loads(after[quote])["t"]
    csv_path = f"/q/d/l/?s={symbol.lower()}.us&i=d"
    assert before[csv_path].splitlines()[-1].startswith(b"2026-11-23")
    assert after[csv_path].splitlines()[-1].startswith(TRADE_DATE.encode())
    assert before["/query?function=TOP_GAINERS_LOSERS&apikey=k"] != after[
        "/query?function=TOP_GAINERS_LOSERS&apikey=k"]


def test_importing_the_package_stays_cheap() -> None:
    probe = ("import sys, tradingagents.sandbox as s; "
             "print('pandas' in sys.modules, s.SandboxServer.__name__, 'pandas' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60).stdout.split()
    assert output == ["False", "SandboxServer", "False"]


def test_cli_prints_base_urls_and_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tradingagents.sandbox", "serve", "--seed", str(SEED),
         "--date", TRADE_DATE, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        announced = json.loads(process.stdout.readline())
        assert announced["trade_date"] == TRADE_DATE and announced["seed"] == SEED
        assert announced["finnhub"] == announced["url"] + "/api/v1"
        answer = requests.get(f"{announced['finnhub']}/quote",
                              params={"symbol": "A", "token": "k"}, timeout=10)
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_cli_rejects_bad_knobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--date", TRADE_DATE, "--services", '{"finnhub": {"x": 1}}']) == 2
    assert "unknown knob 'x'" in capsys.readouterr().err
    assert main(["serve", "--date", "2026-11-28"]) == 2
    assert "Saturday" in capsys.readouterr().err


def test_request_log_masks_client_keys(
    sandbox_server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="tradingagents.sandbox.server")
    requests.get(f"{sandbox_server.base_urls['finnhub']}/quote",
                 params={"symbol": "A", "token": "fh-key-31337"}, timeout=5)
    requests.get(f"{sandbox_server.url}/query",
                 params={"function": "GLOBAL_QUOTE", "symbol": "A", "apikey": "av-key-31337"},
                 timeout=5)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/quote?symbol=A&token=***" in logged
    assert "fh-key-31337" not in logged and "av-key-31337" not in logged
