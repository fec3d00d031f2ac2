"""Redirect targets that come from outside only ever lead to a path on this site."""

from __future__ import annotations

import pytest

from ideas.web.urls import safe_next


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "https://evil.example",
        "https://evil.example/",
        "HTTPS://evil.example/",
        "http:/evil.example",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example/path",
        " /leading-space",
        "/\tevil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: a=b",
        "/\x00x",
    ],
)
def test_a_target_off_this_site_goes_home(target: str | None) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/challenges/food?sort=newest",
        "/ideas/3/x#comments",
        "/challenges/new?next=https://evil.example",  # the query is only text on our page
        "/challenges/caf%C3%A9",
        "/@someone",
    ],
)
def test_a_path_on_this_site_is_kept(target: str) -> None:
    assert safe_next(target) == target


def test_a_refused_target_goes_to_the_default_given() -> None:
    assert safe_next("//evil.example", default="/challenges") == "/challenges"
    assert safe_next(None, default="/challenges") == "/challenges"
