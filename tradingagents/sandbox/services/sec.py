"""SEC EDGAR (www.sec.gov and data.sec.gov on one host) for Form 4 insider filings.

Served: ``/files/company_tickers.json``, ``/submissions/CIK##########.json`` (columnar
``filings.recent``), each filing's ``index.json`` / ``-index.htm`` / ``form4.xml``
(the ownershipDocument schema) / ``xslF345X05/form4.xml`` (rendered HTML), and the
latest-filings Atom feed ``/cgi-bin/browse-edgar?action=getcurrent&type=4&output=atom``.
Like the real site, a request without a User-Agent that names a contact gets 403, and so
does one over the rate limit. Links inside bodies point at https://www.sec.gov, as the real
ones do; clients rebase them onto their configured base URL.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Final
from xml.sax.saxutils import escape

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.market_records import Company, InsiderTransaction
from tradingagents.sandbox.services.base import (
    DIGITS,
    Reply,
    Request,
    Route,
    Service,
    json_reply,
    route,
    stable_seed,
    stable_token,
)
from tradingagents.sandbox.windows import Verdict

if TYPE_CHECKING:
    from tradingagents.sandbox.market import Market

SEC_WWW: Final = "https://www.sec.gov"
NEW_YORK: Final = zoneinfo.ZoneInfo("America/New_York")
FEED_DEFAULT_COUNT: Final = 40
FEED_MAX_COUNT: Final = 100
PRIMARY_XML: Final = "form4.xml"
XSL_FOLDER: Final = "xslF345X05"
ATOM_CONTENT: Final = "application/atom+xml"
XML_CONTENT: Final = "text/xml"
HTML_CONTENT: Final = "text/html; charset=utf-8"
# A declared automated tool names a contact ("Sample Company AdminContact@example.com").
_CONTACT: Final = re.compile(r"\S+@\S+\.\S+")

# Sector -> (SIC code, SIC description) for the submissions header.
_SIC: Final = {
    "Information Technology": ("7372", "Services-Prepackaged Software"),
    "Health Care": ("2834", "Pharmaceutical Preparations"),
    "Financials": ("6022", "State Commercial Banks"),
    "Consumer Discretionary": ("5961", "Retail-Catalog & Mail-Order Houses"),
    "Consumer Staples": ("2000", "Food and Kindred Products"),
    "Industrials": ("3560", "General Industrial Machinery & Equipment"),
    "Energy": ("1311", "Crude Petroleum & Natural Gas"),
    "Materials": ("2800", "Chemicals & Allied Products"),
    "Utilities": ("4911", "Electric Services"),
    "Real Estate": ("6798", "Real Estate Investment Trusts"),
    "Communication Services": ("4841", "Cable & Other Pay Television Services"),
}


def _html_page(title: str, body: str, status: int) -> Reply:
    page = (f"<!DOCTYPE html>\n<html><head><title>{escape(title)}</title></head>"
            f"<body>{body}</body></html>\n")
    return Reply(status, page.encode(), HTML_CONTENT)


UNDECLARED_TOOL: Final = _html_page(
    "SEC.gov | Your Request Originates from an Undeclared Automated Tool",
    "<h1>Your Request Originates from an Undeclared Automated Tool</h1><p>To allow for "
    "equitable access to all users, SEC reserves the right to limit requests originating "
    "from undeclared automated tools. Please declare your traffic by updating your user "
    "agent to include company specific information.</p>",
    403,
)
RATE_THRESHOLD: Final = _html_page(
    "SEC.gov | Request Rate Threshold Exceeded",
    "<h1>Request Rate Threshold Exceeded</h1><p>Your request rate has exceeded the SEC's "
    "fair access threshold of 10 requests per second. Please slow down and retry.</p>",
    403,
)
NO_SUCH_KEY: Final = Reply(
    404,
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
    b"<Message>The specified key does not exist.</Message></Error>",
    "application/xml",
)


class Filing:
    """One Form 4 accession: a reporting owner's transactions in one issuer."""

    def __init__(self, transactions: list[InsiderTransaction], company: Company) -> None:
        self.transactions = transactions
        self.company = company
        first = transactions[0]
        self.accession = first.accession_number
        self.folder = self.accession.replace("-", "")
        self.owner_cik = first.insider_cik
        self.owner_name = first.insider_name
        self.filing_date = first.filing_date
        self.period = min(t.transaction_date for t in transactions)
        seconds = 6 * 3600 + stable_seed(self.accession, "accepted") % (16 * 3600)
        midnight = dt.datetime.combine(self.filing_date, dt.time(), tzinfo=NEW_YORK)
        self.accepted = midnight + dt.timedelta(seconds=seconds)
        self.xml = _form4_xml(self)

    @property
    def size_kb(self) -> int:
        return len(self.xml) // 1024 + 1


class Sec(Service):
    name = "sec"
    claim_prefixes: ClassVar[tuple[str, ...]] = ("/files/", "/submissions/", "/Archives/",
                                                 "/cgi-bin/")

    def __init__(self, market: Market) -> None:
        super().__init__(market)
        self._by_cik = {company.cik: company for company in market.companies}
        grouped: dict[str, list[InsiderTransaction]] = {}
        for transaction in market.insider_transactions():
            grouped.setdefault(transaction.accession_number, []).append(transaction)
        filings = [
            Filing(rows, self._by_cik[rows[0].cik])
            for rows in grouped.values()
            if rows[0].cik in self._by_cik
        ]
        self._filings = sorted(filings, key=lambda f: (f.accepted, f.accession), reverse=True)
        self._by_accession = {filing.accession: filing for filing in self._filings}
        self._owner_names = {filing.owner_cik: filing.owner_name for filing in self._filings}

    def routes(self) -> list[Route]:
        filing = r"/Archives/edgar/data/(?P<cik>\d{1,10})/(?P<folder>\d{18})"
        return [
            route("GET", r"/files/company_tickers\.json", "/files/company_tickers.json",
                  self.company_tickers),
            route("GET", r"/submissions/CIK(?P<cik>\d{10})\.json", "/submissions",
                  self.submissions),
            route("GET", filing + r"/index\.json", "/Archives/edgar/data/index.json",
                  self.filing_index),
            route("GET", filing + r"/(?P<accession>\d{10}-\d{2}-\d{6})-index\.html?",
                  "/Archives/edgar/data/-index.htm", self.filing_index_html),
            route("GET", filing + rf"/{PRIMARY_XML}", "/Archives/edgar/data/form4.xml",
                  self.form4),
            route("GET", filing + rf"/{XSL_FOLDER}/{PRIMARY_XML}",
                  f"/Archives/edgar/data/{XSL_FOLDER}/form4.xml", self.form4_html),
            route("GET", r"/cgi-bin/browse-edgar", "/cgi-bin/browse-edgar", self.current_feed),
        ]

    # -- transport quirks -----------------------------------------------------------------
    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        agent = request.header("User-Agent") or ""
        return None if _CONTACT.search(agent) else UNDECLARED_TOOL

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        return RATE_THRESHOLD

    def server_error(self, status: int) -> Reply:
        return _html_page(f"{status}", f"<h1>{status}</h1>", status)

    def not_found(self, request: Request) -> Reply:
        return NO_SUCH_KEY

    # -- reference data -------------------------------------------------------------------
    def company_tickers(self, _request: Request, _match: re.Match[str]) -> Reply:
        ranked = sorted(self.market.companies, key=lambda c: (-c.market_cap, c.symbol))
        return json_reply({
            str(rank): {"cik_str": company.cik, "ticker": company.symbol, "title": company.name}
            for rank, company in enumerate(ranked)
        })

    def submissions(self, _request: Request, match: re.Match[str]) -> Reply:
        cik = int(match["cik"])
        company = self._by_cik.get(cik)
        if company is not None:
            own = [f for f in self._filings if f.company.cik == cik]
            return json_reply(_submissions(cik, company.name, company, own))
        if cik in self._owner_names:
            own = [f for f in self._filings if f.owner_cik == cik]
            return json_reply(_submissions(cik, self._owner_names[cik], None, own))
        return NO_SUCH_KEY

    # -- filings --------------------------------------------------------------------------
    def _filing(self, match: re.Match[str]) -> Filing | None:
        folder = match["folder"]
        accession = f"{folder[:10]}-{folder[10:12]}-{folder[12:]}"
        filing = self._by_accession.get(accession)
        if filing is None or int(match["cik"]) not in (filing.company.cik, filing.owner_cik):
            return None
        return filing

    def filing_index(self, _request: Request, match: re.Match[str]) -> Reply:
        filing = self._filing(match)
        if filing is None:
            return NO_SUCH_KEY
        modified = filing.accepted.strftime("%Y-%m-%d %H:%M:%S")
        items = [
            {"last-modified": modified, "name": f"{filing.accession}-index-headers.html",
             "type": "text.gif", "size": ""},
            {"last-modified": modified, "name": f"{filing.accession}-index.html",
             "type": "text.gif", "size": ""},
            {"last-modified": modified, "name": f"{filing.accession}.txt",
             "type": "text.gif", "size": ""},
            {"last-modified": modified, "name": PRIMARY_XML, "type": "text.gif",
             "size": str(len(filing.xml))},
            {"last-modified": modified, "name": XSL_FOLDER, "type": "folder.gif", "size": ""},
        ]
        base = f"/Archives/edgar/data/{match['cik']}"
        return json_reply({"directory": {"item": items, "name": f"{base}/{filing.folder}",
                                         "parent-dir": base}})

    def filing_index_html(self, _request: Request, match: re.Match[str]) -> Reply:
        filing = self._filing(match)
        if filing is None or match["accession"] != filing.accession:
            return NO_SUCH_KEY
        folder = f"/Archives/edgar/data/{match['cik']}/{filing.folder}"
        rows = "".join(
            f'<tr><td>{description}</td><td><a href="{folder}/{document}">{document}</a></td>'
            f"<td>4</td></tr>"
            for description, document in (
                ("PRIMARY DOCUMENT", f"{XSL_FOLDER}/{PRIMARY_XML}"),
                ("PRIMARY DOCUMENT", PRIMARY_XML),
            )
        )
        body = (f"<h2>Form 4 - Statement of changes in beneficial ownership of securities</h2>"
                f"<p>Accession Number: {filing.accession}</p>"
                f"<p>Filing Date: {filing.filing_date.isoformat()}</p>"
                f'<table class="tableFile" summary="Document Format Files">{rows}</table>')
        return _html_page(f"EDGAR Filing Documents for {filing.accession}", body, 200)

    def form4(self, _request: Request, match: re.Match[str]) -> Reply:
        filing = self._filing(match)
        if filing is None:
            return NO_SUCH_KEY
        return Reply(200, filing.xml.encode(), XML_CONTENT)

    def form4_html(self, _request: Request, match: re.Match[str]) -> Reply:
        filing = self._filing(match)
        if filing is None:
            return NO_SUCH_KEY
        rows = "".join(
            f"<tr><td>{t.transaction_date.isoformat()}</td><td>{t.code}</td>"
            f"<td>{t.shares}</td><td>{t.acquired_disposed}</td><td>{_number(t.price)}</td>"
            f"<td>{t.shares_owned_after}</td></tr>"
            for t in filing.transactions
        )
        body = (f"<h1>FORM 4</h1><p>{escape(filing.owner_name)} - "
                f"{escape(filing.company.name)} [{filing.company.symbol}]</p>"
                f"<table>{rows}</table>")
        return _html_page("SEC FORM 4", body, 200)

    # -- the latest-filings feed ----------------------------------------------------------
    def current_feed(self, request: Request, _match: re.Match[str]) -> Reply:
        query = request.query
        if query.get("action") != "getcurrent" or query.get("output") != "atom":
            return _html_page("EDGAR", "<p>The sandbox serves browse-edgar only as "
                              "action=getcurrent&amp;output=atom.</p>", 400)
        try:
            start = max(int(query.get("start") or 0), 0)
            count = min(max(int(query.get("count") or FEED_DEFAULT_COUNT), 1), FEED_MAX_COUNT)
        except ValueError:
            return _html_page("EDGAR", "<p>start and count must be integers.</p>", 400)
        form = query.get("type", "")
        entries = [entry for filing in self._filings for entry in _feed_entries(filing)]
        if form not in ("", "4"):
            entries = []
        return Reply(200, self._feed(entries[start:start + count]).encode("iso-8859-1",
                                                                          "xmlcharrefreplace"),
                     ATOM_CONTENT)

    def _feed(self, entries: Iterable[str]) -> str:
        as_of = dt.datetime.combine(self.market.trade_date, dt.time(18, 3, 57), tzinfo=NEW_YORK)
        title = f"Latest Filings - {as_of.strftime('%a, %d %b %Y %H:%M:%S %Z')}"
        return (
            '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"<title>{title}</title>\n"
            '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
            '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
            f"<id>{SEC_WWW}/cgi-bin/browse-edgar?action=getcurrent</id>\n"
            "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>\n"
            f"<updated>{as_of.isoformat()}</updated>\n"
            + "".join(entries)
            + "</feed>\n"
        )


def _feed_entries(filing: Filing) -> list[str]:
    parties = ((filing.owner_name, filing.owner_cik, "Reporting"),
               (filing.company.name, filing.company.cik, "Issuer"))
    summary = (f" &lt;b&gt;Filed:&lt;/b&gt; {filing.filing_date.isoformat()} "
               f"&lt;b&gt;AccNo:&lt;/b&gt; {filing.accession} "
               f"&lt;b&gt;Size:&lt;/b&gt; {filing.size_kb} KB")
    return [
        "<entry>\n"
        f"<title>4 - {escape(name)} ({cik:010d}) ({role})</title>\n"
        f'<link rel="alternate" type="text/html" href="{SEC_WWW}/Archives/edgar/data/{cik}/'
        f'{filing.folder}/{filing.accession}-index.htm"/>\n'
        f'<summary type="html">\n{summary}\n</summary>\n'
        f"<updated>{filing.accepted.isoformat()}</updated>\n"
        '<category scheme="https://www.sec.gov/" label="form type" term="4"/>\n'
        f"<id>urn:tag:sec.gov,2008:accession-number={filing.accession}</id>\n"
        "</entry>\n"
        for name, cik, role in parties
    ]


def _submissions(
    cik: int, name: str, company: Company | None, filings: list[Filing]
) -> dict[str, Any]:
    sic, sic_description = _SIC.get(company.sector, ("", "")) if company else ("", "")
    address = {"street1": "1 SANDBOX WAY", "street2": None, "city": "WILMINGTON",
               "stateOrCountry": "DE", "zipCode": "19801", "stateOrCountryDescription": "DE"}
    columns: dict[str, list[Any]] = {
        "accessionNumber": [f.accession for f in filings],
        "filingDate": [f.filing_date.isoformat() for f in filings],
        "reportDate": [f.period.isoformat() for f in filings],
        "acceptanceDateTime": [
            f.accepted.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z") for f in filings
        ],
        "act": ["" for _ in filings],
        "form": ["4" for _ in filings],
        "fileNumber": ["" for _ in filings],
        "filmNumber": ["" for _ in filings],
        "items": ["" for _ in filings],
        "size": [len(f.xml) for f in filings],
        "isXBRL": [0 for _ in filings],
        "isInlineXBRL": [0 for _ in filings],
        "primaryDocument": [f"{XSL_FOLDER}/{PRIMARY_XML}" for _ in filings],
        "primaryDocDescription": ["PRIMARY DOCUMENT" for _ in filings],
    }
    return {
        "cik": str(cik),
        "entityType": "operating" if company else "other",
        "sic": sic,
        "sicDescription": sic_description,
        "insiderTransactionForOwnerExists": 0 if company else 1,
        "insiderTransactionForIssuerExists": 1 if company and filings else 0,
        "name": name,
        "tickers": [company.symbol] if company else [],
        "exchanges": [{"NASDAQ": "Nasdaq", "NYSE": "NYSE"}[company.exchange]] if company else [],
        "ein": stable_token(cik, "ein", length=9, alphabet=DIGITS) if company else None,
        "description": "",
        "website": "",
        "investorWebsite": "",
        "category": "Large accelerated filer" if company else "",
        "fiscalYearEnd": "1231" if company else None,
        "stateOfIncorporation": "DE" if company else "",
        "stateOfIncorporationDescription": "DE" if company else "",
        "addresses": {"mailing": address, "business": address},
        "phone": "302-555-0100" if company else None,
        "flags": "",
        "formerNames": [],
        "filings": {"recent": columns, "files": []},
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _form4_xml(filing: Filing) -> str:
    company = filing.company
    first = filing.transactions[0]
    officer_title = (f"            <officerTitle>{escape(first.title)}</officerTitle>\n"
                     if first.is_officer else "")
    transactions = "".join(_transaction_xml(t) for t in filing.transactions)
    return (
        '<?xml version="1.0"?>\n'
        "<ownershipDocument>\n\n"
        "    <schemaVersion>X0508</schemaVersion>\n\n"
        "    <documentType>4</documentType>\n\n"
        f"    <periodOfReport>{filing.period.isoformat()}</periodOfReport>\n\n"
        "    <issuer>\n"
        f"        <issuerCik>{company.cik:010d}</issuerCik>\n"
        f"        <issuerName>{escape(company.name)}</issuerName>\n"
        f"        <issuerTradingSymbol>{company.symbol}</issuerTradingSymbol>\n"
        "    </issuer>\n\n"
        "    <reportingOwner>\n"
        "        <reportingOwnerId>\n"
        f"            <rptOwnerCik>{filing.owner_cik:010d}</rptOwnerCik>\n"
        f"            <rptOwnerName>{escape(filing.owner_name)}</rptOwnerName>\n"
        "        </reportingOwnerId>\n"
        "        <reportingOwnerAddress>\n"
        f"            <rptOwnerStreet1>C/O {escape(company.name.upper())}</rptOwnerStreet1>\n"
        "            <rptOwnerStreet2></rptOwnerStreet2>\n"
        "            <rptOwnerCity>WILMINGTON</rptOwnerCity>\n"
        "            <rptOwnerState>DE</rptOwnerState>\n"
        "            <rptOwnerZipCode>19801</rptOwnerZipCode>\n"
        "            <rptOwnerStateDescription></rptOwnerStateDescription>\n"
        "        </reportingOwnerAddress>\n"
        "        <reportingOwnerRelationship>\n"
        f"            <isDirector>{_flag(first.is_director)}</isDirector>\n"
        f"            <isOfficer>{_flag(first.is_officer)}</isOfficer>\n"
        f"            <isTenPercentOwner>{_flag(first.is_ten_percent_owner)}</isTenPercentOwner>\n"
        "            <isOther>0</isOther>\n"
        f"{officer_title}"
        "        </reportingOwnerRelationship>\n"
        "    </reportingOwner>\n\n"
        "    <aff10b5One>0</aff10b5One>\n\n"
        "    <nonDerivativeTable>\n"
        f"{transactions}"
        "    </nonDerivativeTable>\n\n"
        "    <ownerSignature>\n"
        f"        <signatureName>/s/ {escape(filing.owner_name)}</signatureName>\n"
        f"        <signatureDate>{filing.filing_date.isoformat()}</signatureDate>\n"
        "    </ownerSignature>\n"
        "</ownershipDocument>\n"
    )


def _value(tag: str, value: str, indent: int) -> str:
    pad = " " * indent
    return f"{pad}<{tag}>\n{pad}    <value>{value}</value>\n{pad}</{tag}>\n"


def _transaction_xml(t: InsiderTransaction) -> str:
    return (
        "        <nonDerivativeTransaction>\n"
        + _value("securityTitle", "Common Stock", 12)
        + _value("transactionDate", t.transaction_date.isoformat(), 12)
        + "            <transactionCoding>\n"
        "                <transactionFormType>4</transactionFormType>\n"
        f"                <transactionCode>{t.code}</transactionCode>\n"
        "                <equitySwapInvolved>0</equitySwapInvolved>\n"
        "            </transactionCoding>\n"
        "            <transactionAmounts>\n"
        + _value("transactionShares", str(t.shares), 16)
        + _value("transactionPricePerShare", _number(t.price), 16)
        + _value("transactionAcquiredDisposedCode", t.acquired_disposed, 16)
        + "            </transactionAmounts>\n"
        "            <postTransactionAmounts>\n"
        + _value("sharesOwnedFollowingTransaction", str(t.shares_owned_after), 16)
        + "            </postTransactionAmounts>\n"
        "            <ownershipNature>\n"
        + _value("directOrIndirectOwnership", "D", 16)
        + "            </ownershipNature>\n"
        "        </nonDerivativeTransaction>\n"
    )
