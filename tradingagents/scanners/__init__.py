"""Scanners: the base class, the registry, the tool context and the built-in scanners."""

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.candidate import Candidate, Priority
from tradingagents.scanners.coverage import Coverage
from tradingagents.scanners.errors import ScannerCancelled, ScannerSkipped
from tradingagents.scanners.registry import SCANNER_REGISTRY, ScannerRegistry
from tradingagents.scanners.tool_context import ToolContext

__all__ = [
    "SCANNER_REGISTRY",
    "BaseScanner",
    "Candidate",
    "Coverage",
    "Priority",
    "ScannerCancelled",
    "ScannerParam",
    "ScannerRegistry",
    "ScannerSkipped",
    "ToolContext",
]
