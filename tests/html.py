"""Reading HTML responses through their structure, with CSS selectors."""

from __future__ import annotations

import re

import httpx
import lxml.html
from lxml.html import HtmlElement


class Page:
    def __init__(self, response: httpx.Response | str) -> None:
        text = response if isinstance(response, str) else response.text
        self.root: HtmlElement = lxml.html.fromstring(text or "<html></html>")

    def select(self, selector: str) -> list[HtmlElement]:
        # cssselect searches the root element itself too (descendant-or-self).
        found: list[HtmlElement] = self.root.cssselect(selector)
        return found

    def one(self, selector: str) -> HtmlElement:
        found = self.select(selector)
        assert len(found) == 1, f"expected one {selector!r}, found {len(found)}"
        return found[0]

    def text(self, selector: str) -> str:
        return " ".join(self.one(selector).text_content().split())

    def field_value(self, name: str) -> str:
        element = self.one(f'[name="{name}"]')
        if element.tag == "textarea":
            return element.text or ""
        return str(element.get("value", ""))


def normalized(text: str, *hidden: str) -> str:
    """``text`` with each of ``hidden`` (tokens, what was typed), every form's one-time
    token, every CSRF token (masked afresh in each page) and every number blanked: two
    pages that differ only in ids, tokens and those values come out the same."""
    for value in hidden:
        if value:
            text = text.replace(value, "…")
    text = re.sub(r'(name="(?:form|csrf)_token" value=")[^"]*"', r'\1…"', text)
    text = re.sub(r'("X-CSRF-Token": ")[^"]*"', r'\1…"', text)
    return re.sub(r"\d+", "0", text)
