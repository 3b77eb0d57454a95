"""The emulated services, one module each: finnhub, reddit, alpha_vantage, sec, prices."""
