"""The labelled pairs of tests/data/paraphrases.jsonl, and how well a method finds them.

Each line holds two short ideas (a title and one sentence) in one language
(en, es, fr, ar), and whether the second says what the first says: a
paraphrase, an idea on the same topic that proposes something else (a hard
negative), or one on another topic. The second ideas of all pairs are posted
to one challenge; each first idea is then typed as a new idea would be, and a
pair counts as found paraphrase when its second idea is among the suggestions
shown (at most ``SHOWN``). Precision: the share of the pairs found that are
paraphrases; recall: the share of the paraphrases found.

``words_matching`` is the method similar ideas had before ``ideas.similarity``:
full-text search for any significant word, best ``bm25`` / ``ts_rank`` first.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.submissions import search
from ideas.submissions.models import Idea

DATA = Path(__file__).resolve().parent.parent / "data" / "paraphrases.jsonl"
SHOWN = 5  # as many as the form shows

Method = Callable[[AsyncSession, int, str], Awaitable[Sequence[int]]]


@dataclass(frozen=True)
class Text:
    title: str
    summary: str

    @property
    def typed(self) -> str:
        """As the form sends it to the similar ideas: title, then summary."""
        return f"{self.title} {self.summary}"


@dataclass(frozen=True)
class Pair:
    language: str
    kind: str  # "paraphrase", "same topic" or "unrelated"
    paraphrase: bool
    a: Text
    b: Text


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    pairs: int
    found: int

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"({self.found} of {self.pairs} pairs found similar)"
        )


def pairs() -> list[Pair]:
    found = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        found.append(
            Pair(row["lang"], row["kind"], row["paraphrase"], Text(**row["a"]), Text(**row["b"]))
        )
    return found


def corpus(labelled: Sequence[Pair]) -> dict[Text, str]:
    """The second idea of every pair, once each, with its language."""
    return {pair.b: pair.language for pair in labelled}


async def measure(
    method: Method, session: AsyncSession, challenge_id: int, ids: dict[Text, int]
) -> Figures:
    """How ``method`` (ideas shown for a typed text) fares on the pairs, whose second
    ideas are posted to the challenge with ``ids``."""
    labelled = pairs()
    true_positive = false_positive = positives = 0
    for pair in labelled:
        shown = await method(session, challenge_id, pair.a.typed)
        found = ids[pair.b] in shown[:SHOWN]
        positives += pair.paraphrase
        true_positive += found and pair.paraphrase
        false_positive += found and not pair.paraphrase
    found_total = true_positive + false_positive
    return Figures(
        precision=true_positive / found_total if found_total else 0.0,
        recall=true_positive / positives,
        pairs=len(labelled),
        found=found_total,
    )


async def words_matching(session: AsyncSession, challenge_id: int, text: str) -> Sequence[int]:
    """The similar ideas of before: any significant word of ``text`` matching."""
    found = search.matching(session, text, any_word=True, min_length=search.SIGNIFICANT_LENGTH)
    if found is None:
        return []
    rows = await session.scalars(
        select(Idea.id)
        .join(found, found.c.id == Idea.id)
        .where(Idea.challenge_id == challenge_id, Idea.status.in_(policy.LISTED_STATUSES))
        .order_by(found.c.score.desc(), Idea.id.desc())
        .limit(SHOWN)
    )
    return rows.all()
