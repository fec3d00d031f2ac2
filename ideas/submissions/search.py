"""Full-text search over ideas.

``matching`` is the one place that speaks each database's full-text dialect
(see ``ideas.submissions.fulltext`` for the table and index it relies on):
SQLite's FTS5 ``MATCH`` ranked by ``bm25``, PostgreSQL's ``@@`` against the
very expression of the GIN index, ranked by ``ts_rank``. People's text never
reaches either query language as written: it is cut into plain words first,
and each word is quoted for FTS5, so operators (``OR``, ``NEAR(``, ``-``,
``*``, quotes) are just more words, or nothing.

Both databases drop the same English stop words (PostgreSQL's list), so a
search finds the same ideas on either (their English stemmers differ only at the edges).

Ideas are indexed in their own language (``ideas.submissions.fulltext``), and
the searcher's words may be in any of them: on PostgreSQL the words are read
once by each language's configuration and an idea matches if it matches any
of those readings. Accents do not matter on either database ("ecole" finds
"école"), and Arabic words match as words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Integer,
    String,
    Subquery,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.submissions.fulltext import PG_COLUMN, PG_CONFIGS, PG_OTHER_CONFIG
from ideas.submissions.models import Idea

# What a search looks at, at most: enough for any real question, and a bound on
# the work a single request can ask of the database.
TEXT_MAX = 300
WORDS_MAX = 16
# For similar ideas: words shorter than this say little about what an idea is.
SIGNIFICANT_LENGTH = 3

# PostgreSQL's English stop words (its ``english.stop``). FTS5 keeps every
# word, so they are dropped here for both databases alike.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_WORD = re.compile(r"[^\W_]+")

# SQLite: the FTS5 table, and bm25 weights for title, summary and body.
_FTS = table("ideas_fts", column("rowid", Integer))
_FTS_NAME: ColumnElement[Any] = literal_column("ideas_fts")
_BM25_WEIGHTS: tuple[ColumnElement[Any], ...] = (
    literal_column("10.0"),
    literal_column("4.0"),
    literal_column("1.0"),
)

# PostgreSQL: the configuration is written into the SQL, not bound, as the
# document's column was made with it; the column has the GIN index.
_PG_CONFIGS: tuple[ColumnElement[str], ...] = tuple(
    literal_column(f"'{config}'", String)
    for config in dict.fromkeys((*PG_CONFIGS.values(), PG_OTHER_CONFIG))
)
_PG_DOCUMENT: ColumnElement[Any] = literal_column(f"ideas.{PG_COLUMN}", TSVECTOR)


def clean(text: str) -> str:
    """What someone typed, as one line of printable text, at most ``TEXT_MAX`` long."""
    printable = "".join(char if char.isprintable() else " " for char in text[: TEXT_MAX * 4])
    return " ".join(printable.split())[:TEXT_MAX]


def words(text: str, *, min_length: int = 1) -> list[str]:
    """The words of ``text`` worth searching for: lower-cased, no stop words, no repeats."""
    found: list[str] = []
    for word in _WORD.findall(text[:TEXT_MAX].lower()):
        if len(word) >= min_length and word not in STOP_WORDS and word not in found:
            found.append(word)
    return found[:WORDS_MAX]


def _fts5_query(terms: Sequence[str], *, any_word: bool) -> str:
    """Each term as an FTS5 string (quotes doubled), joined by AND or OR."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    return (" OR " if any_word else " ").join(quoted)


def matching(
    session: AsyncSession, text: str, *, any_word: bool = False, min_length: int = 1
) -> Subquery | None:
    """The ideas whose title, summary or body match ``text``, as a subquery (id, score).

    Every word must match, or with ``any_word`` any of them; words match in
    their stemmed form ("composting" finds "compost"). A higher score is a
    better match. None when ``text`` holds no word worth looking for.
    """
    terms = words(text, min_length=min_length)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        query = bindparam("fts_query", _fts5_query(terms, any_word=any_word), String)
        rank = func.bm25(_FTS_NAME, *_BM25_WEIGHTS, type_=Float)
        return (
            select(_FTS.c.rowid.label("id"), (-rank).label("score"))
            .select_from(_FTS)
            .where(_FTS_NAME.op("MATCH", return_type=Boolean)(query))
            .subquery("matches")
        )
    # The words are plain (no quotes, no "or", no "-"), so the web-search syntax
    # reads them as words, joined by "or" only where asked.
    typed = bindparam("ts_query", (" or " if any_word else " ").join(terms), String)
    readings = [func.websearch_to_tsquery(config, typed) for config in _PG_CONFIGS]
    tsquery: ColumnElement[Any] = readings[0]
    for reading in readings[1:]:
        tsquery = tsquery.op("||", return_type=TSQUERY)(reading)
    document = _PG_DOCUMENT
    return (
        select(Idea.id.label("id"), func.ts_rank(document, tsquery, type_=Float).label("score"))
        .where(document.op("@@", return_type=Boolean)(tsquery))
        .subquery("matches")
    )
