"""insider_buying: clusters of insiders buying their own company's stock on the open market.

Definition (the sandbox's ``insider_buying``, over SEC Form 4 filings): among Form 4
transactions with code P (open-market purchase; never A grants, M exercises, S/F/G
disposals) dated within the ``window_days`` (14) calendar days D-13 .. D, at least
``min_insiders`` (3) distinct insiders (by reporting-owner CIK) bought, for at least
``min_value`` ($100k) in total (shares x price). One insider buying several times counts
once; a lone purchase, however large, is not a cluster.

Source: SEC EDGAR only, in three steps that keep the request count small:

1. the latest-filings Atom feed for form 4, page by page until it reaches filings older than
   the window (a Form 4 is filed on or after its transactions, so nothing older matters);
2. issuers with at least ``min_insiders`` distinct reporting owners filing in the window are
   the only possible clusters: one ``submissions`` call each lists their Form 4 filings with
   the document names (the feed does not name them);
3. one fetch per such filing in the window parses the Form 4 XML.

A sandbox date needs about 6 feed pages, 7 submissions and 30 documents. Steps 2 and 3 run
``workers`` calls at a time within EDGAR's shared rate limit. The feed lists only recent
filings, so on the live service a trade date far in the past finds nothing.

Ranking: CEO/CFO weighting: each distinct buyer counts 1, a CEO or CFO counts
``ceo_cfo_weight``; ``weighted_insiders`` first, then the dollar value. Priority:
``critical`` when the CEO or CFO is among the buyers and the cluster bought at least 10 x
``min_value``; ``high`` when the CEO or CFO is among them, or at least ``min_insiders`` + 2
insiders bought; ``medium`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.fanout import fan_out
from tradingagents.scanners.registry import SCANNER_REGISTRY
from tradingagents.sources.sec import Filing
from tradingagents.sources.sec_form4 import Form4, Form4Transaction

logger = logging.getLogger(__name__)

FORM = "4"
_CEO = re.compile(r"\b(ceo|chief executive)\b", re.IGNORECASE)
_CFO = re.compile(r"\b(cfo|chief financial)\b", re.IGNORECASE)
#: A cluster this many times the minimum value, with the CEO or CFO in it, is critical.
CRITICAL_VALUE_MULTIPLE = 10


@dataclass(frozen=True)
class _Buyer:
    name: str
    role: str

    @property
    def top_officer(self) -> str | None:
        """The buyer's top-officer role, "CEO" or "CFO", if any."""
        if _CEO.search(self.role):
            return "CEO"
        if _CFO.search(self.role):
            return "CFO"
        return None


@dataclass
class _Cluster:
    """One issuer's open-market purchases in the window."""

    buyers: dict[int, _Buyer] = field(default_factory=dict)
    value: float = 0.0
    purchases: int = 0
    first: dt.date | None = None
    last: dt.date | None = None

    def add(self, purchase: Form4Transaction, day: dt.date, value: float) -> None:
        self.buyers.setdefault(
            int(purchase.owner_cik), _Buyer(purchase.owner_name, purchase.owner_role)
        )
        self.value += value
        self.purchases += 1
        self.first = day if self.first is None else min(self.first, day)
        self.last = day if self.last is None else max(self.last, day)

    @property
    def top_officers(self) -> list[str]:
        return sorted({role for b in self.buyers.values() if (role := b.top_officer)})

    def weighted_insiders(self, ceo_cfo_weight: float) -> float:
        return sum(ceo_cfo_weight if b.top_officer else 1.0 for b in self.buyers.values())


@SCANNER_REGISTRY.register
class InsiderBuyingScanner(BaseScanner):
    name = "insider_buying"
    pipeline = "edge"
    strategy = "insider_buying"
    source = "sec"
    description = "Clusters of 3+ insiders buying on the open market (Form 4, code P) in 14 days"
    default_limit = 10
    params: ClassVar[dict[str, ScannerParam]] = {
        "window_days": ScannerParam(
            int, 14, "calendar days of transactions, the trade date included", ge=1, le=90
        ),
        "min_insiders": ScannerParam(int, 3, "distinct insiders who must have bought", ge=1),
        "min_value": ScannerParam(
            float, 100_000.0, "least total dollar value of their purchases", ge=0
        ),
        "ceo_cfo_weight": ScannerParam(
            float, 2.0, "how much a CEO's or CFO's purchase counts in the ranking", ge=1
        ),
        "feed_page_size": ScannerParam(
            int,
            100,
            "entries per latest-filings feed page (EDGAR serves at most 100)",
            ge=10,
            le=100,
        ),
        "max_feed_pages": ScannerParam(
            int, 40, "feed pages read at most while looking for the window's start", ge=1
        ),
        "workers": ScannerParam(
            int, 4, "concurrent EDGAR calls (EDGAR's rate limit still applies)", ge=1, le=10
        ),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        trade_date = dt.date.fromisoformat(state["trade_date"])
        start = trade_date - dt.timedelta(days=self.param("window_days", int) - 1)
        issuers = self._busy_issuers(start, trade_date)
        if not issuers:
            return []
        clusters = self._clusters(self._read_forms(issuers, start, trade_date), start, trade_date)
        min_insiders = self.param("min_insiders", int)
        min_value = self.param("min_value", float)
        weight = self.param("ceo_cfo_weight", float)
        hits = sorted(
            (
                (symbol, cluster)
                for symbol, cluster in clusters.items()
                if len(cluster.buyers) >= min_insiders and cluster.value >= min_value
            ),
            key=lambda item: (-item[1].weighted_insiders(weight), -item[1].value, item[0]),
        )
        logger.info(
            "%s: %d issuers with %d+ filers, %d with purchases, %d clusters",
            self.name,
            len(issuers),
            min_insiders,
            len(clusters),
            len(hits),
        )
        return [self._candidate(symbol, cluster, weight) for symbol, cluster in hits[: self.limit]]

    # -- step 1: the feed ----------------------------------------------------------------
    def _busy_issuers(self, start: dt.date, trade_date: dt.date) -> list[int]:
        """Issuer CIKs with ``min_insiders`` distinct reporting owners filing in the window."""
        issuer_of: dict[str, int] = {}
        owner_of: dict[str, int] = {}
        filed_on: dict[str, dt.date] = {}
        page_size = self.param("feed_page_size", int)
        for page in range(self.param("max_feed_pages", int)):
            self.tools.check()
            entries = self.tools.call(
                "get_latest_form4_filings",
                self.sources.sec.latest_filings,
                form=FORM,
                count=page_size,
                start=page * page_size,
            )
            if not entries:
                break
            # A filing's issuer and reporting entries may fall on two pages: merge by accession.
            for entry in entries:
                if entry.form != FORM:
                    continue
                accession = entry.accession_number
                if entry.issuer_cik is not None:
                    issuer_of[accession] = entry.issuer_cik
                if entry.reporting_cik is not None:
                    owner_of[accession] = entry.reporting_cik
                filed_on[accession] = entry.filed or entry.updated.date()
            if min(entry.filed or entry.updated.date() for entry in entries) < start:
                break
        else:
            logger.info(
                "%s: %d feed pages did not reach %s; older filings were not seen",
                self.name,
                self.param("max_feed_pages", int),
                start.isoformat(),
            )
        owners: dict[int, set[int]] = defaultdict(set)
        for accession, issuer in issuer_of.items():
            if start <= filed_on[accession] <= trade_date and accession in owner_of:
                owners[issuer].add(owner_of[accession])
        least = self.param("min_insiders", int)
        return sorted(cik for cik, who in owners.items() if len(who) >= least)

    # -- steps 2 and 3: the filings and their documents -------------------------------------
    def _read_forms(self, issuers: list[int], start: dt.date, trade_date: dt.date) -> list[Form4]:
        sec = self.sources.sec
        listed = fan_out(
            self.tools,
            "get_company_form4_filings",
            sec.filings,
            issuers,
            lambda cik: {"cik": cik, "forms": [FORM]},
            workers=self.param("workers", int),
        )
        self.report_coverage(listed.coverage("issuers"))
        if not listed.complete:
            logger.info("%s: %s", self.name, listed.shortfall("issuers"))
        in_window: dict[str, Filing] = {
            filing.accession_number: filing
            for filings in listed.results.values()
            for filing in filings
            if start <= filing.filing_date <= trade_date
        }

        def read_form4(accession_number: str) -> Form4:
            return sec.form4(in_window[accession_number])

        documents = fan_out(
            self.tools,
            "get_form4",
            read_form4,
            sorted(in_window),
            lambda accession: {"accession_number": accession},
            workers=self.param("workers", int),
        )
        if not documents.complete:
            # The documents' shortfall is what the report needs to show; the issuers' step
            # is logged above.
            self.report_coverage(documents.coverage("Form 4 documents"))
            logger.info("%s: %s", self.name, documents.shortfall("Form 4 documents"))
        return list(documents.results.values())

    def _clusters(
        self, forms: list[Form4], start: dt.date, trade_date: dt.date
    ) -> dict[str, _Cluster]:
        watchlist = set(self.config["discovery"]["universe"]["symbols"])
        clusters: dict[str, _Cluster] = defaultdict(_Cluster)
        for form in forms:
            if not form.symbol or (watchlist and form.symbol not in watchlist):
                continue
            for purchase in form.purchases():
                day, value = purchase.transaction_date, purchase.value
                if purchase.is_derivative or day is None or value is None:
                    continue
                if start <= day <= trade_date:
                    clusters[form.symbol].add(purchase, day, value)
        return clusters

    def _candidate(self, symbol: str, cluster: _Cluster, weight: float) -> dict[str, Any]:
        officers = cluster.top_officers
        assert cluster.first is not None and cluster.last is not None  # a cluster has purchases
        who = f" incl. {' and '.join(officers)}" if officers else ""
        return {
            "ticker": symbol,
            "priority": self._priority(cluster),
            "context": (
                f"{len(cluster.buyers)} insiders{who} bought ${cluster.value:,.0f} on the open "
                f"market (Form 4 code P, {cluster.purchases} purchases) between "
                f"{cluster.first.isoformat()} and {cluster.last.isoformat()}"
            ),
            "insiders": len(cluster.buyers),
            "weighted_insiders": cluster.weighted_insiders(weight),
            "total_value": round(cluster.value, 2),
            "purchases": cluster.purchases,
            "ceo_cfo": ", ".join(officers),
            "buyers": "; ".join(f"{b.name} ({b.role})" for b in cluster.buyers.values()),
            "first_purchase": cluster.first.isoformat(),
            "signal_date": cluster.last.isoformat(),
        }

    def _priority(self, cluster: _Cluster) -> Priority:
        min_value = self.param("min_value", float)
        officers = bool(cluster.top_officers)
        if officers and cluster.value >= CRITICAL_VALUE_MULTIPLE * min_value:
            return "critical"
        if officers or len(cluster.buyers) >= self.param("min_insiders", int) + 2:
            return "high"
        return "medium"
