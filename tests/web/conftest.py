"""Fixtures for the web plumbing: the site built with other settings than the default."""

from tests.factories.web import make_site

__all__ = ["make_site"]
