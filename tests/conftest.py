"""Project-wide pytest fixtures."""

from tests.sandbox_fixtures import sandbox_server

__all__ = ["sandbox_server"]
