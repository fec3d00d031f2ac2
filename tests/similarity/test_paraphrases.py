"""Precision and recall of similar ideas on the labelled pairs (tests/data/paraphrases.jsonl).

Measured at the threshold of ``ideas.similarity.vectors``, the new method and
the word matching it replaced; the new method's figures may not fall below what
was measured, less a small margin. Run with ``-s`` to see both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.submissions import queries
from tests.factories.rounds import add_ideas
from tests.support import paraphrases

# Measured on both databases (the new method does not depend on the database; the
# word matching does: SQLite stems English only).
PRECISION = 0.886
RECALL = 0.826
MARGIN = 0.02


async def tf_idf(session: AsyncSession, challenge_id: int, text: str) -> Sequence[int]:
    found = await queries.similar(session, challenge_id, text, limit=paraphrases.SHOWN)
    return [idea.id for idea in found]


def test_the_pairs_are_enough_and_in_every_language() -> None:
    pairs = paraphrases.pairs()
    assert len(pairs) >= 150
    assert {pair.language for pair in pairs} == {"en", "es", "fr", "ar"}
    assert sum(pair.paraphrase for pair in pairs) >= 70
    assert sum(pair.kind == "same topic" for pair in pairs) >= 70


async def test_similar_ideas_find_paraphrases_better_than_matching_words(
    session: AsyncSession, make_challenge: Any, host: User, author: User
) -> None:
    challenge = await make_challenge(host)
    texts = list(paraphrases.corpus(paraphrases.pairs()).items())
    created = await add_ideas(
        session,
        challenge,
        author,
        *(
            {"title": text.title, "summary": text.summary, "language": language}
            for text, language in texts
        ),
    )
    ids = {text: idea_id for (text, _), idea_id in zip(texts, created, strict=True)}

    new = await paraphrases.measure(tf_idf, session, challenge.id, ids)
    old = await paraphrases.measure(paraphrases.words_matching, session, challenge.id, ids)

    kind = session.get_bind().dialect.name
    print(f"\n{kind}: TF-IDF: {new}\n{kind}: matching words: {old}")
    assert new.precision >= PRECISION - MARGIN
    assert new.recall >= RECALL - MARGIN
    assert new.precision > old.precision
