"""User Markdown is rendered, then sanitised: nothing that runs survives."""

from __future__ import annotations

import lxml.html
import pytest

from ideas.markdown import render

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    "![x](javascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>` in code is shown as text",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_known_xss_payloads_come_out_harmless(payload: str) -> None:
    html = render(payload)
    tree = lxml.html.fragment_fromstring(f"<div>{html}</div>")
    for element in tree.iter():
        assert element.tag not in {
            "script",
            "iframe",
            "object",
            "embed",
            "style",
            "form",
            "svg",
            "math",
            "img",
        }
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            assert name != "style"
            if name in {"href", "src"}:
                assert (
                    value.split(":", 1)[0].lower().strip() in {"http", "https", "mailto"}
                    or ":" not in value
                )


def test_ordinary_markdown_is_kept() -> None:
    html = render("# Title\n\nSome **bold**, a [link](https://example.org) and\n\n- a list")
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener noreferrer">link</a>' in html
    assert "<li>a list</li>" in html


def test_raw_html_is_shown_as_text_not_markup() -> None:
    assert render("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"
