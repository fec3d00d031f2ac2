"""Fixtures for the themes' tests: a host and an author."""

from tests.factories.accounts import author, host

__all__ = ["author", "host"]
