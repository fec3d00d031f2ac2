"""Parts of pages that are the same for everyone, made once and kept.

``{% cache key, ... %} … {% endcache %}`` in a template renders its body the
first time it meets a key and keeps the HTML; the next time the same key
comes, the kept HTML is used without rendering. The key must name every value
the body reads (an idea card's lists its id, title, counts, author's name and
status, the time shown…), so that a change to any of them is a new key: a
kept part is never out of date, it is only no longer asked for. What depends
on the viewer goes inside only through the key (whether they voted for the
idea); what is theirs alone (their CSRF token, a one-time form token) stays
outside, between two kept parts. A key of None keeps nothing: the body is
made each time.

A kept part is kept per language, as its words are in the reader's.

Each worker keeps up to ``KEPT`` parts, forgetting the oldest first. In
development, where templates reload as they change, nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from jinja2 import Environment, nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

from ideas.i18n import current_locale

KEPT = 4096


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.kept: dict[Hashable, Markup] = {}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_tuple()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        # Where the tag stands, so that two parts of a template never share a key.
        place = nodes.Const((parser.name, lineno))
        call = self.call_method("_fragment", [place, key])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(
        self, place: tuple[str | None, int], key: Hashable, caller: Callable[[], Markup]
    ) -> Markup:
        if key is None or self.environment.auto_reload:
            return caller()
        # Kept per language: the same part reads differently in each.
        whole = (place, key, current_locale())
        try:
            return self.kept[whole]
        except KeyError:
            pass
        except TypeError:  # a key that cannot be one: made each time
            return caller()
        made = self.kept[whole] = caller()
        if len(self.kept) > KEPT:
            del self.kept[next(iter(self.kept))]
        return made
