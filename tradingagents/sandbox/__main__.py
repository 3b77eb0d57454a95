"""``python -m tradingagents.sandbox serve --seed 7 --date 2026-11-24 --port 0``.

Prints the base URLs as one JSON object on stdout, then serves until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
from types import FrameType


def port_number(text: str) -> int:
    """An argparse type: a TCP port 0..65535 (0: any free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535, got {port}")
    return port


def build_parser(prog: str = "python -m tradingagents.sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The offline sandbox: a seeded market behind emulated data-service APIs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the emulator on 127.0.0.1 until Ctrl-C",
        description=(
            "Serve the sandbox emulator until Ctrl-C or SIGTERM. Prints one JSON object on "
            "stdout: the base URL of each emulated service, the seed and the trade date."
        ),
        epilog=(
            "examples:\n"
            f"  {prog} serve --date 2026-11-20\n"
            f"  {prog} serve --seed 7 --port 8765 "
            "--services '{\"finnhub\": {\"latency\": {\"median_ms\": 0}}}'"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--seed", type=int, default=7, help="market seed (default 7)")
    serve.add_argument("--date", default=None,
                       help="trade date YYYY-MM-DD (default: the latest weekday)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=0,
                       help="port 0..65535 (default 0: any free port)")
    serve.add_argument("--services", default=None, metavar="JSON",
                       help='per-service knobs as JSON, e.g. \'{"finnhub": {"latency": '
                            '{"median_ms": 0}}}\'')
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m tradingagents.sandbox") -> int:
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from tradingagents.sandbox.knobs import KnobError
    from tradingagents.sandbox.server import SandboxServer

    try:
        services = json.loads(args.services) if args.services else None
        server = SandboxServer(seed=args.seed, trade_date=args.date, services=services,
                               host=args.host, port=args.port)
    except (KnobError, ValueError, TypeError, RecursionError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, request_stop)
    with server:
        print(json.dumps({"url": server.url, **server.base_urls,
                          "seed": server.seed,
                          "trade_date": server.market.trade_date.isoformat()}), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
