"""The application as ``ideas serve`` builds it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from jinja2_fragments.starlette import Jinja2Blocks

from ideas.app import COLLECTION_THRESHOLDS
from ideas.web.templating import load_every_template
from tests.support.environ import TEST_ENVIRON

BUILD_AND_COUNT = """
import gc
from ideas.app import serve_app
before = gc.get_freeze_count()
serve_app()
print(before, gc.get_freeze_count(), *gc.get_threshold())
"""


def _numbers_printed_by(code: str, environ: dict[str, str] | None = None) -> list[int]:
    """What ``code`` prints, run in a fresh process as a worker starts: with nothing
    imported or frozen yet."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **TEST_ENVIRON, **(environ or {})},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [int(number) for number in done.stdout.split()]


def test_serving_keeps_what_start_up_built_out_of_full_collections() -> None:
    """A worker freezes its start-up objects (``gc.freeze``): full collections then
    walk only what requests made since, and do not pause the worker for long."""
    before, after, *_thresholds = _numbers_printed_by(BUILD_AND_COUNT)
    assert before == 0
    # The modules, mappers and routes: far more than anything a request leaves.
    assert after > 50_000


def test_a_worker_walks_what_requests_make_less_often_than_python_by_default() -> None:
    """A walk every 700 new objects took 9% of a worker's time under votes: a request
    makes thousands, most of them still in use when a walk comes."""
    *_counts, young, middle, old = _numbers_printed_by(BUILD_AND_COUNT)
    assert (young, middle, old) == COLLECTION_THRESHOLDS
    assert young > 700


SETTLE_AND_COUNT = """
import asyncio, gc
from ideas.app import serve_app
app = serve_app()
frozen = gc.get_freeze_count()

async def settle() -> None:
    async with app.router.lifespan_context(app):
        for _ in range(600):
            if gc.get_freeze_count() > frozen:
                break
            await asyncio.sleep(0.05)
        print(frozen, gc.get_freeze_count(), len(gc.get_objects()))

asyncio.run(settle())
"""


def test_serving_freezes_too_what_start_up_loads_beside_it(tmp_path: Path) -> None:
    """The language detector's model and scikit-learn (for the similar ideas' indexes)
    load beside start-up, after its freeze: tens of thousands of objects that a full
    collection walked every few seconds, tens of milliseconds each time, until they are
    frozen too once both have loaded."""
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ideas.db'}"}
    subprocess.run(
        [sys.executable, "-m", "ideas", "migrate"],
        env={**os.environ, **TEST_ENVIRON, **database},
        capture_output=True,
        check=True,
        timeout=60,
    )
    frozen_at_start, frozen, walked = _numbers_printed_by(SETTLE_AND_COUNT, database)
    assert frozen > frozen_at_start + 30_000
    # What a full collection walks now: what the lifespan and the wait left, no more.
    assert walked < 5_000


BUILD_AND_LOAD = """
from ideas.app import serve_app
env = serve_app().state.templates.env
print(len(env.list_templates()), len(env.cache))
"""


def test_serving_compiles_every_template_before_the_first_request() -> None:
    """A page's first request on a worker does not wait for its templates to compile,
    nor do the requests queued behind it."""
    templates, loaded = _numbers_printed_by(BUILD_AND_LOAD)
    assert templates > 90
    assert loaded == templates


def test_a_template_that_does_not_compile_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "fine.html").write_text("<p>{{ 1 + 1 }}</p>")
    (tmp_path / "broken.html").write_text("<p>{% if %}</p>")
    loader = jinja2.FileSystemLoader(tmp_path)
    templates = Jinja2Blocks(env=jinja2.Environment(loader=loader, autoescape=True))

    with pytest.raises(jinja2.TemplateSyntaxError):
        load_every_template(templates)
