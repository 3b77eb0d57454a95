"""tradingagents: a LangGraph discovery pipeline telling trading agents which tickers matter."""

__version__ = "0.1.0"
