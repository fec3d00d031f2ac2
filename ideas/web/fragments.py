"""Parts of pages that are the same for everyone, made once and kept.

``{% cache key, ... %} … {% endcache %}`` in a template renders its body the
first time it meets a key and keeps the HTML; the next time the same key
comes, the kept HTML is used without rendering. The key must name every value
the body reads (an idea card's lists its id, title, counts, author's name and
status, the time shown…; the viewer's time zone is added to every key), so
that a change to any of them is a new key: a
kept part is never out of date, it is only no longer asked for. What depends
on the viewer goes inside only through the key (whether they voted for the
idea). What is theirs alone, and new with every page, may be inside too: the
viewer's CSRF token (in every form: a card's vote button), masked afresh for
every page, and the page's random part of its forms' one-time tokens
(``ideas.form_tokens.for_element``). Both are random strings that nothing else
can hold: they are cut out of what is kept, which keeps the parts around
them, and each time a kept part is given back those holes are filled with the
page's own. A key of None keeps nothing: the body is made each time.

A kept part is kept per language, as its words are in the reader's.

Each worker keeps up to ``KEPT`` parts holding up to ``KEPT_CHARACTERS`` characters
together, forgetting the oldest first: a part may be a whole comment thread of
hundreds of comments, kept once for each set of rights a viewer has over it. In
development, where templates reload as they change, nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache

from jinja2 import Environment, nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup, escape

from ideas.i18n import current_locale
from ideas.zones import current_zone

KEPT = 4096
KEPT_CHARACTERS = 64 * 1024 * 1024
# The names in a page's context of what is new with every page: its holes.
HOLES = ("csrf_token", "form_page_token")

# A kept part: its text, with the number of a hole (its place in HOLES) wherever the
# page's own goes.
Kept = tuple[str | int, ...]


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.kept: dict[Hashable, Kept] = {}
        self.characters = 0  # held by the kept parts together

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
        holes = _holes(context)
        # Made with a hole's value, the parts around it; without, the whole: never one
        # for the other. Kept per language and per time zone: the same part reads
        # differently in each.
        whole = (place, key, tuple(map(bool, holes)), current_locale(), current_zone().key)
        try:
            kept = self.kept[whole]
        except KeyError:
            pass
        except TypeError:  # a key that cannot be one: made each time
            return caller()
        else:
            return _filled(kept, holes)
        made = caller()
        kept = _cut(made, holes)
        if whole in self.kept:  # made meanwhile, by a template including itself
            self.characters -= _size(self.kept.pop(whole))
        self.kept[whole] = kept
        self.characters += _size(kept)
        while len(self.kept) > KEPT or self.characters > KEPT_CHARACTERS:
            self.characters -= _size(self.kept.pop(next(iter(self.kept))))
        return made


def _holes(context: Context) -> tuple[str, ...]:
    """The page's own value of each hole, escaped as the page shows it; empty if it has none."""
    return _escaped(*[context.get(name) for name in HOLES])


@lru_cache(maxsize=64)
def _escaped(*values: object) -> tuple[str, ...]:
    # The same for every part of a page: its cards' and buttons' many parts ask in turn.
    return tuple([str(escape(value)) if value else "" for value in values])


def _cut(made: Markup, holes: tuple[str, ...]) -> Kept:
    """``made`` with each hole's value taken out and its number put in its place.

    Cut by ``str.split``, hole by hole: the values are new with every page, so a
    pattern made of them would be compiled anew for every part kept.
    """
    pieces: list[str | int] = [str(made)]
    for number, value in enumerate(holes):
        if not value:
            continue
        cut: list[str | int] = []
        for piece in pieces:
            if isinstance(piece, int) or value not in piece:
                cut.append(piece)
                continue
            first, *rest = piece.split(value)
            cut.append(first)
            for after in rest:
                cut += (number, after)
        pieces = cut
    if len(pieces) == 1:
        return (made,)  # given back as it is, without a copy
    return tuple(pieces)


def _size(kept: Kept) -> int:
    return sum(len(piece) for piece in kept if isinstance(piece, str))


def _filled(kept: Kept, holes: tuple[str, ...]) -> Markup:
    if len(kept) == 1:  # a part without holes: kept as it was made
        part = kept[0]
        return part if isinstance(part, Markup) else Markup(part)  # noqa: S704
    text = "".join([holes[piece] if isinstance(piece, int) else piece for piece in kept])
    return Markup(text)  # noqa: S704 - made as Markup, its holes escaped
