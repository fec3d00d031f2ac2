"""Running the tests on several workers (pytest-xdist, ``make test`` runs ``-n 2``).

Each worker is a pytest session of its own: session fixtures (the demo site of the
browser tests, the SMTP server, databases, temporary folders) are per worker, and
servers listen on free ports. Tests are handed out a module at a time (``--dist
loadfile``), so a module-scoped fixture (a site or a whole deployment of the module's
own) starts once, on the one worker that runs the module. (pytest-xdist's
``loadgroup`` would group by marks, but it names its groups by rewriting node ids,
which pytest 9 no longer reads: every test went its own way, and such a fixture
started on both workers.)
"""

from __future__ import annotations

import pytest


def shares_a_module_fixture(item: pytest.Item) -> bool:
    """Whether ``item`` uses a fixture made once for its module."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())
