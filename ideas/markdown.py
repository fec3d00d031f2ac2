"""User Markdown, rendered and then sanitised.

markdown-it's ``js-default`` preset escapes raw HTML; nh3 then keeps only an
allow-list of tags and attributes and only http, https and mailto links, so
neither script, event handlers nor ``javascript:`` URLs survive.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("js-default").enable(["table", "strikethrough"])


def render(source: str) -> str:
    """Markdown → safe HTML. Headings start at h2: the page owns h1."""
    html = _parser().render(source)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned: str = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )
    return cleaned
