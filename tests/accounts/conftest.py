"""Fixtures shared with the web plumbing's tests."""

from tests.factories.web import make_site

__all__ = ["make_site"]
