"""Redirect targets from outside only ever lead to this site."""

from __future__ import annotations

import pytest

from ideas.web.urls import safe_next


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "https://evil.example/",
        "http:/evil",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example/path",
        "/\tevil",
        "/\x00x",
    ],
)
def test_unsafe_targets_go_home(target: str | None) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/challenges/food?sort=newest", "/ideas/3/x#comments"])
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert safe_next(target) == target
