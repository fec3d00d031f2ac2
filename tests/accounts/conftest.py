"""Fixtures shared with the web plumbing's tests."""

from tests.web.conftest import make_site

__all__ = ["make_site"]
