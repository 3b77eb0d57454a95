"""The discovery engine: runs scanners concurrently with per-scanner timeouts and merges
what they found. Scanner authors need only ``BaseScanner`` and ``SCANNER_REGISTRY``."""

from tradingagents.discovery.engine import run_scanners
from tradingagents.discovery.pool import DeadlinePool, Outcome
from tradingagents.scanners import (
    SCANNER_REGISTRY,
    BaseScanner,
    Candidate,
    ScannerCancelled,
    ScannerParam,
    ScannerRegistry,
    ScannerSkipped,
    ToolContext,
)

__all__ = [
    "SCANNER_REGISTRY",
    "BaseScanner",
    "Candidate",
    "DeadlinePool",
    "Outcome",
    "ScannerCancelled",
    "ScannerParam",
    "ScannerRegistry",
    "ScannerSkipped",
    "ToolContext",
    "run_scanners",
]
