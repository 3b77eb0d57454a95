"""Data sources: clients for real services plus the resilience layer shared by all of them."""
