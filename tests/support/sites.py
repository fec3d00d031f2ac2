"""The data folders of the sites the browser tests serve, made once per kind and test run.

`ideas migrate` takes seconds and `ideas demo` with its crowd more than half a
minute, yet what they write depends on nothing but the kind of site (migrated only,
the personas' rounds, or the demo with its crowd): the SQLite database in the
site's data folder. The first site of a kind in a test run runs the commands, in a
folder the pytest-xdist workers share (``shared_folder``, named by the controller);
every later one, on any worker, starts from a copy of that data folder. A site on
another database (DATABASE_URL, PostgreSQL) runs the commands itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The key pytest-xdist workers find the shared folder under, in what the controller gives them.
_WORKER_INPUT = "ideas_shared_folder"
_shared: list[Path] = []


def shared_folder() -> Path | None:
    """The folder the processes of this test run share, if any."""
    return _shared[0] if _shared else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare(
    folder: Path, kind: str, settings: dict[str, str], build: Callable[[Path], None]
) -> None:
    """Give ``folder`` the data folder of a site of ``kind``: ``build(folder)`` runs
    the commands that make one in the folder given. A folder that has data of its own
    already (a test filled it) is built on in place."""
    shared = shared_folder()
    if shared is None or "DATABASE_URL" in settings or (folder / "data").exists():
        build(folder)
        return
    made = shared / kind
    with _locked(shared / f"{kind}.lock"):
        if not (made / "ready").exists():
            shutil.rmtree(made, ignore_errors=True)
            made.mkdir()
            build(made)
            (made / "ready").touch()
    shutil.copytree(made / "data", folder / "data")


# Hooks: this module is a plugin (tests/conftest.py lists it) -------------------


def pytest_configure(config: pytest.Config) -> None:
    given = getattr(config, "workerinput", {}).get(_WORKER_INPUT)
    if given is not None:
        _shared.append(Path(given))
        return
    folder = Path(tempfile.mkdtemp(prefix="ideas-sites-"))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    _shared.append(folder)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist's controller, for each worker it starts."""
    node.workerinput[_WORKER_INPUT] = str(_shared[0])
