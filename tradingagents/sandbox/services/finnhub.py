"""Finnhub REST (``/api/v1``) as finnhub-python and the live captures see it.

Quirks kept from the real service: the ``token`` query parameter (or ``X-Finnhub-Token``),
401 ``{"error": ...}`` without it, an unknown symbol's quote made of zeros and nulls, premium
endpoints answering 403, 429 with ``x-ratelimit-*`` headers, compact Go-style JSON (integral
numbers without ``.0``, ``&`` as ``\\u0026``) and alphabetically ordered keys.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any, ClassVar, Final

from tradingagents.sandbox.knobs import ServiceKnobs
from tradingagents.sandbox.market_records import (
    Company,
    EarningsEvent,
    InsiderTransaction,
    NewsArticle,
)
from tradingagents.sandbox.services.base import (
    DIGITS,
    Reply,
    Request,
    Route,
    Service,
    json_reply,
    route,
    stable_token,
)
from tradingagents.sandbox.services.dates import DateParamError, date_param, required_date
from tradingagents.sandbox.windows import Verdict

PREFIX: Final = "/api/v1"

# Free-tier endpoints a free key cannot use (403 on the live service).
PREMIUM_PATHS: Final = (
    "stock/candle",
    "news-sentiment",
    "stock/price-target",
    "stock/upgrade-downgrade",
    "stock/revenue-estimate",
    "stock/eps-estimate",
    "stock/ebitda-estimate",
    "stock/fund-ownership",
    "stock/ownership",
    "stock/social-sentiment",
    "stock/insider-sentiment",
    "stock/transcripts",
    "stock/transcripts/list",
    "scan/pattern",
    "scan/support-resistance",
    "scan/technical-indicator",
    "indicator",
)

NO_KEY: Final = {"error": "Please use an API key."}
BAD_KEY: Final = {"error": "Invalid API key."}
PREMIUM: Final = {"error": "You don't have access to this resource."}
LIMITED: Final = {"error": "API limit reached. Please try again later. Remaining Limit: 0"}
UNKNOWN_QUOTE: Final = {"c": 0, "d": None, "dp": None, "h": 0, "l": 0, "o": 0, "pc": 0, "t": 0}
NEWS_PAGE: Final = 100
EARNINGS_DEFAULT_DAYS: Final = 7

_MIC: Final = {"NASDAQ": "XNAS", "NYSE": "XNYS"}
_EXCHANGE_NAME: Final = {
    "NASDAQ": "NASDAQ NMS - GLOBAL MARKET",
    "NYSE": "NEW YORK STOCK EXCHANGE, INC.",
}


def _go(payload: Any, status: int = 200) -> Reply:
    return json_reply(payload, status=status, style="go")


class Finnhub(Service):
    name = "finnhub"
    secret_params: ClassVar[frozenset[str]] = frozenset({"token"})
    claim_prefixes: ClassVar[tuple[str, ...]] = (PREFIX + "/",)

    def routes(self) -> list[Route]:
        premium = "|".join(re.escape(path) for path in PREMIUM_PATHS)
        return [
            route("GET", rf"{PREFIX}/quote", "/quote", self.quote),
            route("GET", rf"{PREFIX}/company-news", "/company-news", self.company_news),
            route("GET", rf"{PREFIX}/news", "/news", self.general_news),
            route("GET", rf"{PREFIX}/stock/insider-transactions", "/stock/insider-transactions",
                  self.insider_transactions),
            route("GET", rf"{PREFIX}/calendar/earnings", "/calendar/earnings", self.earnings),
            route("GET", rf"{PREFIX}/stock/recommendation", "/stock/recommendation",
                  self.recommendation),
            route("GET", rf"{PREFIX}/stock/symbol", "/stock/symbol", self.symbols),
            route("GET", rf"{PREFIX}/stock/profile2", "/stock/profile2", self.profile),
            route("GET", rf"{PREFIX}/(?P<path>{premium})", lambda _r, m: "/" + m["path"],
                  lambda _r, _m: _go(PREMIUM, 403)),
        ]

    # -- transport quirks -----------------------------------------------------------------
    def check_access(self, request: Request, knobs: ServiceKnobs) -> Reply | None:
        token = request.query.get("token") or request.header("X-Finnhub-Token")
        if not token:
            return _go(NO_KEY, 401)
        if knobs.valid_keys is not None and token not in knobs.valid_keys:
            return _go(BAD_KEY, 401)
        return None

    def rate_limited(self, request: Request, verdict: Verdict, knobs: ServiceKnobs) -> Reply:
        return _go(LIMITED, 429)

    def server_error(self, status: int) -> Reply:
        return _go({"error": "Internal server error. Please try again later."}, status)

    def finish(self, reply: Reply, verdict: Verdict | None) -> Reply:
        if verdict is None:
            return reply
        return reply.with_headers(
            ("x-ratelimit-limit", str(verdict.limit)),
            ("x-ratelimit-remaining", str(verdict.remaining)),
            ("x-ratelimit-reset", str(int(time.time() + verdict.reset_seconds))),
        )

    # -- endpoints ------------------------------------------------------------------------
    def quote(self, request: Request, _match: re.Match[str]) -> Reply:
        quote = self.market.quote(request.query.get("symbol", ""))
        if quote is None:
            return _go(UNKNOWN_QUOTE)
        return _go({"c": quote.c, "d": quote.d, "dp": quote.dp, "h": quote.h, "l": quote.l,
                    "o": quote.o, "pc": quote.pc, "t": quote.t})

    def company_news(self, request: Request, _match: re.Match[str]) -> Reply:
        try:
            start = required_date(request.query, "from")
            end = required_date(request.query, "to")
        except DateParamError as exc:
            return _go({"error": str(exc)}, 422)
        articles = self.market.company_news(request.query.get("symbol", ""), start, end)
        return _go([_article(article) for article in articles])

    def general_news(self, request: Request, _match: re.Match[str]) -> Reply:
        try:
            min_id = int(request.query.get("minId", "0") or 0)
        except ValueError:
            return _go({"error": "minId must be an integer"}, 422)
        category = request.query.get("category", "general")
        articles = [a for a in self.market.general_news(category) if a.id > min_id]
        return _go([_article(article) for article in articles[:NEWS_PAGE]])

    def insider_transactions(self, request: Request, _match: re.Match[str]) -> Reply:
        symbol = request.query.get("symbol", "")
        try:
            start = date_param(request.query, "from")
            end = date_param(request.query, "to")
        except DateParamError as exc:
            return _go({"error": str(exc)}, 422)
        rows = self.market.insider_transactions(symbol or None, start, end)
        return _go({"data": [_insider_row(row) for row in rows], "symbol": symbol})

    def earnings(self, request: Request, _match: re.Match[str]) -> Reply:
        trade_date = self.market.trade_date
        try:
            start = date_param(request.query, "from") or trade_date
            end = date_param(request.query, "to") or start + dt.timedelta(
                days=EARNINGS_DEFAULT_DAYS
            )
        except DateParamError as exc:
            return _go({"error": str(exc)}, 422)
        symbol = request.query.get("symbol", "")
        events = [e for e in self.market.earnings(start, end) if not symbol or e.symbol == symbol]
        return _go({"earningsCalendar": [_earnings_row(event) for event in events]})

    def recommendation(self, request: Request, _match: re.Match[str]) -> Reply:
        trends = self.market.recommendation_trends(request.query.get("symbol", ""))
        return _go([
            {"buy": t.buy, "hold": t.hold, "period": t.period.isoformat(), "sell": t.sell,
             "strongBuy": t.strong_buy, "strongSell": t.strong_sell, "symbol": t.symbol}
            for t in trends
        ])

    def symbols(self, request: Request, _match: re.Match[str]) -> Reply:
        exchange = request.query.get("exchange")
        if not exchange:
            return _go({"error": "exchange is required (e.g. exchange=US)"}, 422)
        if exchange != "US":
            return _go([])
        return _go([_symbol_row(company) for company in self.market.companies])

    def profile(self, request: Request, _match: re.Match[str]) -> Reply:
        company = self.market.company(request.query.get("symbol", ""))
        return _go({} if company is None else _profile(company))


def _article(article: NewsArticle) -> dict[str, Any]:
    return {
        "category": article.category,
        "datetime": article.datetime,
        "headline": article.headline,
        "id": article.id,
        "image": article.image,
        "related": article.related,
        "source": article.source,
        "summary": article.summary,
        "url": article.url,
    }


def _insider_row(row: InsiderTransaction) -> dict[str, Any]:
    change = row.shares if row.acquired_disposed == "A" else -row.shares
    return {
        "change": change,
        "currency": "",
        "filingDate": row.filing_date.isoformat(),
        "id": row.accession_number,
        "isDerivative": False,
        "name": row.insider_name,
        "share": row.shares_owned_after,
        "source": "sec",
        "symbol": row.symbol,
        "transactionCode": row.code,
        "transactionDate": row.transaction_date.isoformat(),
        "transactionPrice": row.price,
    }


def _earnings_row(event: EarningsEvent) -> dict[str, Any]:
    return {
        "date": event.date.isoformat(),
        "epsActual": event.eps_actual,
        "epsEstimate": event.eps_estimate,
        "hour": event.hour,
        "quarter": event.quarter,
        "revenueActual": event.revenue_actual,
        "revenueEstimate": event.revenue_estimate,
        "symbol": event.symbol,
        "year": event.year,
    }


def _symbol_row(company: Company) -> dict[str, Any]:
    figi = "BBG" + stable_token(company.symbol, "figi", length=9)
    return {
        "currency": "USD",
        "description": company.name.upper(),
        "displaySymbol": company.symbol,
        "figi": figi,
        "figiComposite": figi,
        "isin": "",
        "mic": _MIC[company.exchange],
        "shareClassFIGI": "BBG" + stable_token(company.symbol, "share-class", length=9),
        "symbol": company.symbol,
        "symbol2": "",
        "type": "Common Stock",
    }


def _profile(company: Company) -> dict[str, Any]:
    domain = re.sub(r"[^a-z0-9]", "", company.name.lower().split()[0]) or company.symbol.lower()
    return {
        "country": "US",
        "currency": "USD",
        "estimateCurrency": "USD",
        "exchange": _EXCHANGE_NAME[company.exchange],
        "finnhubIndustry": company.industry,
        "ipo": company.ipo.isoformat(),
        "logo": f"https://static2.finnhub.io/file/publicdatany/finnhubimage/stock_logo/"
                f"{company.symbol}.png",
        "marketCapitalization": round(company.market_cap / 1e6, 4),
        "name": company.name,
        "phone": "1" + stable_token(company.symbol, "phone", length=10, alphabet=DIGITS),
        "shareOutstanding": round(company.shares_outstanding / 1e6, 4),
        "ticker": company.symbol,
        "weburl": f"https://www.{domain}.example/",
    }

