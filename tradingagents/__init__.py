"""tradingagents: a LangGraph discovery pipeline that tells trading agents which tickers matter today."""

__version__ = "0.1.0"
