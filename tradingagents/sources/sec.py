"""SEC EDGAR through requests: ticker/CIK map, recent filings, Form 4 documents.

EDGAR needs no key but refuses anonymous clients: every request carries the descriptive
``User-Agent`` (``SEC_USER_AGENT``, e.g. "Jane Doe jane@example.com"). Two ways to find
Form 4 filings: a company's ``submissions`` JSON (``filings.recent``, columnar) or the
"latest filings" Atom feed for all companies; :meth:`SecSource.form4` then fetches and parses
the ownership document (:mod:`sec_form4`).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import requests

from tradingagents.sources.classify import error_from_exception, error_from_response
from tradingagents.sources.config import ResilienceConfig, SecConfig
from tradingagents.sources.errors import (
    InvalidCredentials,
    MalformedResponse,
    RateLimited,
    SourceError,
)
from tradingagents.sources.http import SourceSession, json_cacheable
from tradingagents.sources.records import Record
from tradingagents.sources.resilience import Guard
from tradingagents.sources.sec_form4 import Form4, Form4Error, parse_form4

NAME = "sec"
T = TypeVar("T")

TTL_RULES = (
    (r"/files/company_tickers\.json", "tickers"),
    (r"/cgi-bin/browse-edgar\?", "feed"),
    (r"/submissions/CIK\d+\.json", "feed"),
    (r"/Archives/edgar/data/", "filing"),
)
_ATOM = "{http://www.w3.org/2005/Atom}"
_FEED_TITLE = re.compile(r"^(?P<form>\S+) - (?P<name>.*) \((?P<cik>\d+)\) \((?P<role>[^)]+)\)$")
_ACCESSION = re.compile(r"accession-number=(\d{10}-\d{2}-\d{6})")
_FILED = re.compile(r"Filed:</b>\s*(\d{4}-\d{2}-\d{2})")
# submissions' primaryDocument points at the XSL-rendered HTML ("xslF345X05/doc4.xml"); the
# raw XML sits beside it without the prefix.
_XSL_PREFIX = re.compile(r"^xsl[^/]*/")
_whole_json = json_cacheable()


def cacheable(response: requests.Response) -> bool:
    """Only whole documents are cached: complete JSON, or XML/SGML that ends its last tag."""
    body = response.content.strip()
    if body[:1] in (b"{", b"["):
        return _whole_json(response)
    return bool(getattr(response, "from_cache", False) or body.endswith(b">"))


class CompanyTicker(Record):
    cik: int
    ticker: str
    title: str


class Filing(Record):
    """One filing from a company's submissions JSON."""

    cik: int
    accession_number: str
    form: str
    filing_date: dt.date
    report_date: dt.date | None
    primary_document: str
    """The raw document's file name inside the filing folder."""


class FeedFiling(Record):
    """One filing of the latest-filings feed (its Issuer and Reporting entries merged)."""

    accession_number: str
    form: str
    filed: dt.date | None
    updated: dt.datetime
    issuer_cik: int | None
    issuer_name: str
    reporting_owners: tuple[str, ...]
    reporting_cik: int | None
    """The filer whose folder holds the documents when no issuer entry came with it."""


def parse_company_tickers(raw: Any) -> dict[str, CompanyTicker]:
    """``company_tickers.json`` (``{"0": {"cik_str", "ticker", "title"}, ...}``) by ticker."""
    if not isinstance(raw, dict):
        raise MalformedResponse(NAME, "company_tickers.json: expected a JSON object")
    tickers: dict[str, CompanyTicker] = {}
    for row in raw.values():
        if not isinstance(row, dict) or "ticker" not in row or "cik_str" not in row:
            raise MalformedResponse(NAME, f"company_tickers.json: unexpected row {row!r:.80}")
        entry = CompanyTicker(
            cik=int(row["cik_str"]), ticker=row["ticker"], title=row.get("title", "")
        )
        tickers.setdefault(entry.ticker.upper(), entry)
    return tickers


def parse_submissions(raw: Any, forms: Collection[str] = ("4",)) -> list[Filing]:
    """Recent filings of ``forms`` from ``submissions/CIK##########.json``, newest first."""
    try:
        cik = int(raw["cik"])
        recent = raw["filings"]["recent"]
        columns = [recent[name] for name in _SUBMISSION_COLUMNS]
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedResponse(NAME, f"submissions JSON lacks {exc}") from None
    filings = []
    for accession, form, filed, reported, document in zip(*columns, strict=True):
        if form not in forms:
            continue
        filings.append(
            Filing(
                cik=cik,
                accession_number=accession,
                form=form,
                filing_date=dt.date.fromisoformat(filed),
                report_date=dt.date.fromisoformat(reported) if reported else None,
                primary_document=_XSL_PREFIX.sub("", document),
            )
        )
    return filings


_SUBMISSION_COLUMNS = ("accessionNumber", "form", "filingDate", "reportDate", "primaryDocument")


def parse_current_feed(xml: str | bytes) -> list[FeedFiling]:
    """EDGAR's latest-filings Atom feed, one record per accession number, in feed order."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise MalformedResponse(NAME, f"latest-filings feed is not XML: {exc}") from None
    merged: dict[str, dict[str, Any]] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        title = _FEED_TITLE.match((entry.findtext(f"{_ATOM}title") or "").strip())
        accession = _ACCESSION.search(entry.findtext(f"{_ATOM}id") or "")
        if title is None or accession is None:
            raise MalformedResponse(NAME, "latest-filings feed: an entry lacks its title or id")
        filed = _FILED.search(entry.findtext(f"{_ATOM}summary") or "")
        item = merged.setdefault(
            accession.group(1),
            {
                "accession_number": accession.group(1),
                "form": title["form"],
                "filed": filed.group(1) if filed else None,
                "updated": entry.findtext(f"{_ATOM}updated"),
                "issuer_cik": None,
                "issuer_name": "",
                "reporting_owners": (),
                "reporting_cik": None,
            },
        )
        if title["role"] == "Issuer":
            item["issuer_cik"], item["issuer_name"] = int(title["cik"]), title["name"]
        else:
            item["reporting_owners"] = (*item["reporting_owners"], title["name"])
            item["reporting_cik"] = item["reporting_cik"] or int(title["cik"])
    return [FeedFiling.model_validate(item) for item in merged.values()]


def translate(exc: BaseException) -> SourceError | None:
    return error_from_exception(NAME, exc)


class SecSource:
    name = NAME

    def __init__(
        self,
        settings: SecConfig,
        user_agent: str,
        session: SourceSession,
        resilience: ResilienceConfig,
    ) -> None:
        self.session = session
        self.session.headers["User-Agent"] = user_agent
        self.guard = Guard(NAME, resilience, translate)
        self._www = settings.base_url
        self._data = settings.data_url

    def company_tickers(self) -> dict[str, CompanyTicker]:
        """Every listed company by ticker (upper case)."""
        return self._get(
            f"{self._www}/files/company_tickers.json", lambda r: parse_company_tickers(_json(r))
        )

    def filings(self, cik: int, forms: Collection[str] = ("4",)) -> list[Filing]:
        """A company's recent filings of ``forms`` (its submissions JSON), newest first."""
        return self._get(
            f"{self._data}/submissions/CIK{cik:010d}.json",
            lambda r: parse_submissions(_json(r), forms),
        )

    def latest_filings(
        self, form: str = "4", *, count: int = 100, start: int = 0
    ) -> list[FeedFiling]:
        """One page of EDGAR's latest-filings feed for ``form``, newest first."""
        params = {
            "action": "getcurrent",
            "type": form,
            "company": "",
            "dateb": "",
            "owner": "include",
            "start": str(start),
            "count": str(count),
            "output": "atom",
        }
        return self._get(
            f"{self._www}/cgi-bin/browse-edgar", lambda r: parse_current_feed(r.content), params
        )

    def form4(self, filing: Filing | FeedFiling) -> Form4:
        """The parsed Form 4 of a filing. A feed entry does not name its document, so the
        filing folder's ``index.json`` is read first to find the raw XML."""
        if isinstance(filing, Filing):
            folder = _folder(self._www, filing.cik, filing.accession_number)
            url = f"{folder}/{filing.primary_document}"
        else:
            cik = filing.issuer_cik or filing.reporting_cik or 0
            folder = _folder(self._www, cik, filing.accession_number)
            url = f"{folder}/{self._get(f'{folder}/index.json', _xml_document_name)}"

        def parse(response: requests.Response) -> Form4:
            try:
                return parse_form4(response.content, filing.accession_number)
            except Form4Error as exc:
                raise MalformedResponse(NAME, f"Form 4 {filing.accession_number}: {exc}") from None

        return self._get(url, parse)

    def close(self) -> None:
        self.guard.close()
        self.session.close()

    def _get(
        self,
        url: str,
        parse: Callable[[requests.Response], T],
        params: dict[str, str] | None = None,
    ) -> T:
        def attempt() -> T:
            response = self.session.get(url, params=params)
            if not response.ok:
                raise _sec_error(response)
            return parse(response)

        return self.guard.call(url.removeprefix(self._www).removeprefix(self._data), attempt)


def _sec_error(response: requests.Response) -> SourceError:
    """EDGAR answers both a missing User-Agent and its fair-access limit with an HTML 403."""
    if response.status_code == 403:
        page = response.text
        if "Undeclared Automated Tool" in page:
            return InvalidCredentials(
                NAME, "EDGAR refused the User-Agent: set SEC_USER_AGENT to 'Name email@domain'"
            )
        if "Rate Threshold" in page:
            return RateLimited(
                NAME, "EDGAR's fair-access threshold (10 requests/s) was exceeded", retryable=False
            )
    return error_from_response(NAME, response)


def _folder(base: str, cik: int, accession_number: str) -> str:
    return f"{base}/Archives/edgar/data/{cik}/{accession_number.replace('-', '')}"


def _xml_document_name(response: requests.Response) -> str:
    """The raw XML document listed in a filing folder's ``index.json``."""
    try:
        items = _json(response)["directory"]["item"]
        names = [item["name"] for item in items if item.get("type") != "folder.gif"]
    except (KeyError, TypeError) as exc:
        raise MalformedResponse(NAME, f"filing index.json lacks {exc}") from None
    for name in names:
        if name.endswith(".xml"):
            return str(name)
    raise MalformedResponse(NAME, f"filing index lists no XML document ({', '.join(names)})")


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise MalformedResponse(NAME, f"{response.url}: the answer is not valid JSON") from None
