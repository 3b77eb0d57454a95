"""SEC Form 4 ownership documents (the ``ownershipDocument`` XML schema) as typed records.

Accepts the bare XML document or a full SGML submission (``<SEC-DOCUMENT>`` with the XML
inside ``<XML>...</XML>``). A filing can list several reporting owners (joint filers such as
a fund and its manager); their transactions are the same shares, so each transaction is
reported once, attributed to the first owner, with the others in ``co_owners``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from pydantic import Field

from tradingagents.sources.records import Record

_XML_IN_SUBMISSION = re.compile(r"<XML>\s*(.*?)\s*</XML>", re.DOTALL | re.IGNORECASE)
_ACCESSION_IN_HEADER = re.compile(r"ACCESSION NUMBER:\s*([0-9-]+)")

OPEN_MARKET_PURCHASE = "P"


class Form4Error(ValueError):
    """Text that is not a Form 4 ownership document; the message says what is wrong."""


class ReportingOwner(Record):
    cik: str
    name: str
    is_director: bool = False
    is_officer: bool = False
    is_ten_percent_owner: bool = False
    is_other: bool = False
    officer_title: str = ""

    @property
    def role(self) -> str:
        """The officer title, else "Director", "10% Owner" or "Other"."""
        if self.officer_title:
            return self.officer_title
        if self.is_director:
            return "Director"
        if self.is_ten_percent_owner:
            return "10% Owner"
        return "Other"


class Form4Transaction(Record):
    accession_number: str
    symbol: str
    issuer_cik: str
    owner_cik: str
    owner_name: str
    owner_role: str
    is_director: bool
    is_officer: bool
    is_ten_percent_owner: bool
    co_owners: tuple[str, ...] = ()
    security_title: str
    is_derivative: bool
    transaction_date: dt.date | None
    code: str = Field(description="P purchase, S sale, A award, M option exercise, G gift, F tax")
    acquired_disposed: str = Field(description="A acquired, D disposed")
    shares: float | None
    price: float | None
    shares_owned_after: float | None
    direct_or_indirect: str = ""

    @property
    def is_open_market_purchase(self) -> bool:
        return self.code == OPEN_MARKET_PURCHASE and self.acquired_disposed == "A"

    @property
    def value(self) -> float | None:
        """Shares times price, when both are known."""
        if self.shares is None or self.price is None:
            return None
        return self.shares * self.price


class Form4(Record):
    accession_number: str
    document_type: str
    period_of_report: dt.date | None
    issuer_cik: str
    issuer_name: str
    symbol: str
    owners: list[ReportingOwner]
    transactions: list[Form4Transaction]

    def purchases(self) -> list[Form4Transaction]:
        """Open-market purchases (code P) only."""
        return [t for t in self.transactions if t.is_open_market_purchase]


def parse_form4(text: str | bytes, accession_number: str = "") -> Form4:
    """Parse a Form 4 (bare XML or full submission); raises :class:`Form4Error` if it is not one."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not accession_number and (header := _ACCESSION_IN_HEADER.search(text)):
        accession_number = header.group(1)
    if embedded := _XML_IN_SUBMISSION.search(text):
        text = embedded.group(1)
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise Form4Error(f"not well-formed XML: {exc}") from None
    if root.tag != "ownershipDocument":
        raise Form4Error(f"expected an ownershipDocument, got <{root.tag}>")
    owners = [_owner(node) for node in root.findall("reportingOwner")]
    if not owners:
        raise Form4Error("the document names no reporting owner")
    issuer = root.find("issuer")
    if issuer is None:
        raise Form4Error("the document has no <issuer>")
    symbol = _text(issuer, "issuerTradingSymbol").upper()
    issuer_cik = _text(issuer, "issuerCik")
    transactions = [
        _transaction(node, derivative, accession_number, symbol, issuer_cik, owners)
        for derivative, path in (
            (False, "nonDerivativeTable/nonDerivativeTransaction"),
            (True, "derivativeTable/derivativeTransaction"),
        )
        for node in root.findall(path)
    ]
    return Form4(
        accession_number=accession_number,
        document_type=_text(root, "documentType"),
        period_of_report=_date(_text(root, "periodOfReport")),
        issuer_cik=issuer_cik,
        issuer_name=_text(issuer, "issuerName"),
        symbol=symbol,
        owners=owners,
        transactions=transactions,
    )


def _owner(node: ET.Element) -> ReportingOwner:
    relation = node.find("reportingOwnerRelationship")
    flags = relation if relation is not None else ET.Element("none")
    return ReportingOwner(
        cik=_text(node, "reportingOwnerId/rptOwnerCik"),
        name=_text(node, "reportingOwnerId/rptOwnerName"),
        is_director=_flag(flags, "isDirector"),
        is_officer=_flag(flags, "isOfficer"),
        is_ten_percent_owner=_flag(flags, "isTenPercentOwner"),
        is_other=_flag(flags, "isOther"),
        officer_title=_text(flags, "officerTitle"),
    )


def _transaction(
    node: ET.Element,
    derivative: bool,
    accession_number: str,
    symbol: str,
    issuer_cik: str,
    owners: list[ReportingOwner],
) -> Form4Transaction:
    first = owners[0]
    return Form4Transaction(
        accession_number=accession_number,
        symbol=symbol,
        issuer_cik=issuer_cik,
        owner_cik=first.cik,
        owner_name=first.name,
        owner_role=first.role,
        is_director=first.is_director,
        is_officer=first.is_officer,
        is_ten_percent_owner=first.is_ten_percent_owner,
        co_owners=tuple(owner.name for owner in owners[1:]),
        security_title=_value(node, "securityTitle"),
        is_derivative=derivative,
        transaction_date=_date(_value(node, "transactionDate")),
        code=_text(node, "transactionCoding/transactionCode"),
        acquired_disposed=_value(node, "transactionAmounts/transactionAcquiredDisposedCode"),
        shares=_number(_value(node, "transactionAmounts/transactionShares")),
        price=_number(_value(node, "transactionAmounts/transactionPricePerShare")),
        shares_owned_after=_number(
            _value(node, "postTransactionAmounts/sharesOwnedFollowingTransaction")
        ),
        direct_or_indirect=_value(node, "ownershipNature/directOrIndirectOwnership"),
    )


def _text(node: ET.Element, path: str) -> str:
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


def _value(node: ET.Element, path: str) -> str:
    """Most Form 4 fields wrap their content in ``<value>`` (next to optional footnote ids)."""
    return _text(node, f"{path}/value")


def _flag(node: ET.Element, path: str) -> bool:
    return _text(node, path).lower() in ("1", "true")


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise Form4Error(f"not a number: {text!r}") from None


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise Form4Error(f"not a date: {text!r}") from None
