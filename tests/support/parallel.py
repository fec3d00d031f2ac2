"""Running the tests on several workers (pytest-xdist, ``make test`` runs ``-n 2``).

Each worker is a pytest session of its own: session fixtures (the demo site of the
browser tests, the SMTP server, databases, temporary folders) are per worker, and
servers listen on free ports. Under ``--dist loadgroup`` the tests of a module that
share a module-scoped fixture (a site or a whole deployment of their own) are one
group, run on one worker, which starts the fixture once instead of both.
"""

from __future__ import annotations

import pytest


def shares_a_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Before pytest-xdist names the groups (its hook appends ``@group`` to node ids)."""
    for item in items:
        if shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
