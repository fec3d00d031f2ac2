"""Browser tests act on a page once it has loaded, as a person does.

Playwright clicks as soon as the element is there. On a page a click has just opened,
that may be before the page's scripts have set it up, and a form sent then goes
without htmx: it still works, as without JavaScript, but not as a journey with
JavaScript expects (no status message, a new page). So every click, double click, key
press, check and uncheck first waits for the page's DOMContentLoaded, by which its
scripts (at the end of the body, templates/base.html) have run and htmx has set itself
up. A plugin (tests/conftest.py lists it): it holds for every
test that drives Chromium, in tests/browser and tests/deploy alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator

ACTIONS = ("click", "dblclick", "press", "check", "uncheck")


def _after_loading(act: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(act)
    def acting(self: Locator, *args: Any, **kwargs: Any) -> Any:
        self.page.wait_for_load_state("domcontentloaded")
        return act(self, *args, **kwargs)

    return acting


@pytest.fixture(scope="session", autouse=True)
def _act_on_loaded_pages() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ACTIONS:
            patch.setattr(Locator, name, _after_loading(getattr(Locator, name)))
        yield
