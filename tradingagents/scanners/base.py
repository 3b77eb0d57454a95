"""The scanner contract: one base class; each scanner is one file that subclasses it.

Like freqtrade's pairlist plugins, a scanner declares its parameters (type, default, help)
in :attr:`BaseScanner.params`, so its `discovery.scanners.<name>` config is validated and
listed from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from tradingagents.scanners.coverage import Coverage
from tradingagents.scanners.tool_context import ToolContext

if TYPE_CHECKING:
    from tradingagents.sources.hub import Sources

P = TypeVar("P")


@dataclass(frozen=True)
class ScannerParam:
    """One declared, validated scanner parameter."""

    type: Any
    default: Any
    help: str
    ge: float | None = None
    le: float | None = None


class _DetachedTools(ToolContext):
    """What ``self.tools`` is outside an engine run: every call is refused with a reason."""

    def __init__(self, scanner: str) -> None:
        super().__init__(scanner)

    def call(self, tool: str, fn: Any, /, **params: Any) -> Any:
        raise RuntimeError(
            f"scanner {self.scanner!r} called tool {tool!r} outside an engine run; "
            "scanners reach data only through the tool context the engine gives them"
        )


class BaseScanner:
    """Subclass, set the class attributes, implement :meth:`scan`, and register the class."""

    name: ClassVar[str] = ""
    pipeline: ClassVar[str] = ""
    strategy: ClassVar[str] = ""
    #: The data source it reads (a key of config["data"]["sources"]), "" for none.
    source: ClassVar[str] = ""
    description: ClassVar[str] = ""
    default_limit: ClassVar[int] = 10
    #: Declared parameters. When a scanner declares any, unknown keys in its config entry are
    #: rejected; a scanner declaring none accepts free-form keys (older scanners read them).
    params: ClassVar[Mapping[str, ScannerParam]] = {}

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        discovery = config.get("discovery", {})
        self.scanner_config: dict[str, Any] = dict(discovery.get("scanners", {}).get(self.name, {}))
        self.limit: int = int(self.scanner_config.get("limit", self.default_limit))
        self.tools: ToolContext = _DetachedTools(self.name)
        #: What share of its data calls answered, when the scanner reports it.
        self.coverage: Coverage | None = None

    def is_enabled(self) -> bool:
        pipelines = self.config.get("discovery", {}).get("pipelines", {})
        pipeline_on = bool(pipelines.get(self.pipeline, {}).get("enabled", True))
        return pipeline_on and bool(self.scanner_config.get("enabled", True))

    @property
    def sources(self) -> Sources:
        """The run's data sources. Reach them inside a logged call, e.g.
        ``self.tools.call("get_quote", self.sources.finnhub.quote, symbol="AAPL")``."""
        return self.tools.require_sources()

    @overload
    def param(self, key: str) -> Any: ...

    @overload
    def param(self, key: str, kind: type[P]) -> P: ...

    def param(self, key: str, kind: type[Any] | None = None) -> Any:
        """A declared parameter's configured value (its default when not configured).

        With ``kind`` the value is returned as that type, checked:
        ``self.param("lookback_days", int)`` is an ``int`` to the type checker and at run
        time (an int is accepted for ``float``, a list for ``tuple``); anything else raises
        ``TypeError`` naming the parameter.
        """
        if key not in self.params:
            raise KeyError(f"scanner {self.name!r} declares no parameter {key!r}")
        value = self.scanner_config.get(key, self.params[key].default)
        if kind is None:
            return value
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is tuple and isinstance(value, list):
            return tuple(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise TypeError(
                f"scanner {self.name!r} parameter {key!r} should be {kind.__name__}, "
                f"got {type(value).__name__} {value!r}"
            )
        return value

    def report_coverage(self, coverage: Coverage) -> None:
        """State how many of the items this scan asked about answered (e.g.
        ``Coverage.of("symbols", ok=498, failures={"XYZ": err, ...})``). The report, the CLI
        and the results file show it; when nothing answered and something failed, the
        scanner is reported ``error`` whatever it returned. A later call replaces it."""
        self.coverage = coverage

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError(f"{type(self).__name__}.scan() is not implemented")
