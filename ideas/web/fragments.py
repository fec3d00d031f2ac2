"""Parts of pages that are the same for everyone, made once and kept.

``{% cache key, ... %} … {% endcache %}`` in a template renders its body the
first time it meets a key and keeps the HTML; the next time the same key
comes, the kept HTML is used without rendering. The key must name every value
the body reads (an idea card's lists its id, title, counts, author's name and
status, the time shown…; the viewer's time zone is added to every key), so
that a change to any of them is a new key: a
kept part is never out of date, it is only no longer asked for. What depends
on the viewer goes inside only through the key (whether they voted for the
idea); what is theirs alone (a one-time form token) stays outside, between
two kept parts. The viewer's CSRF token is the one exception, for it is in
every form (a card's vote button): it may be inside, and is cut out of what is
kept, which keeps the parts around it; each time they are given back joined
by the token of the page being made. (It is masked afresh for every page, a
random string that nothing else can hold.) A key of None keeps nothing: the
body is made each time.

A kept part is kept per language, as its words are in the reader's.

Each worker keeps up to ``KEPT`` parts, forgetting the oldest first. In
development, where templates reload as they change, nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from jinja2 import Environment, nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup, escape

from ideas.i18n import current_locale
from ideas.zones import current_zone

KEPT = 4096
HOLE = "csrf_token"  # the name of the viewer's CSRF token in a page's context


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.kept: dict[Hashable, tuple[Markup, ...]] = {}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_tuple()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        # Where the tag stands, so that two parts of a template never share a key.
        place = nodes.Const((parser.name, lineno))
        call = self.call_method("_fragment", [place, key, nodes.ContextReference()])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(
        self,
        place: tuple[str | None, int],
        key: Hashable,
        context: Context,
        caller: Callable[[], Markup],
    ) -> Markup:
        if key is None or self.environment.auto_reload:
            return caller()
        token = escape(context.get(HOLE) or "")
        # Made with a token, the parts around it; without, the whole: never one for the other.
        # Kept per language and per time zone: the same part reads differently in each.
        whole = (place, key, bool(token), current_locale(), current_zone().key)
        try:
            return token.join(self.kept[whole])
        except KeyError:
            pass
        except TypeError:  # a key that cannot be one: made each time
            return caller()
        made = caller()
        self.kept[whole] = tuple(made.split(token)) if token else (made,)
        if len(self.kept) > KEPT:
            del self.kept[next(iter(self.kept))]
        return made
