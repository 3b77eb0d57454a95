"""Scanners: the base class, the registry, the tool context and the built-in scanners."""

from tradingagents.scanners.base import BaseScanner, ScannerParam, ScannerSkipped
from tradingagents.scanners.candidate import Candidate, Priority
from tradingagents.scanners.registry import SCANNER_REGISTRY, ScannerRegistry
from tradingagents.scanners.tool_context import ScannerCancelled, ToolContext

__all__ = [
    "SCANNER_REGISTRY",
    "BaseScanner",
    "Candidate",
    "Priority",
    "ScannerCancelled",
    "ScannerParam",
    "ScannerRegistry",
    "ScannerSkipped",
    "ToolContext",
]
