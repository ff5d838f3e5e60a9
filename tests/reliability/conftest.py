"""The conversation fixtures of tests/handlers (`services`, `talk`), for the reliability tests."""

from tests.handlers.conftest import services, talk

__all__ = ["services", "talk"]
