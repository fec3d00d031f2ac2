"""A challenge's ideas as vectors, per content language, and how the set is kept current.

A ``ChallengeIndex`` is a snapshot: ``updated`` and ``built`` make a new one
(in a thread, off the event loop) while requests go on reading the old. It
holds every idea of the challenge whatever its status (statuses change
without the text and are checked when ideas are loaded), each in the group
of its language, and the ``Stamp`` of the rows it was made from.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from ideas.similarity.vectors import THRESHOLD, Matrix, Model, Terms, similarities

# A language's vocabulary is fitted again when it changes and holds up to REFIT_ALWAYS
# ideas, or REFIT_SHARE of its ideas were added or changed since it was fitted, or it
# was fitted REFIT_SECONDS ago: until then the words it does not know of a new idea
# count for nothing (about 2 s of one core for 10,000 ideas, in a thread).
REFIT_ALWAYS = 500
REFIT_SHARE = 0.1
REFIT_SECONDS = 600.0


@dataclass(frozen=True)
class Stamp:
    """What the database said of a challenge's ideas: the latest change, and how many."""

    at: datetime | None
    count: int


@dataclass(frozen=True)
class Row:
    """An idea as the index reads it."""

    id: int
    language: str
    document: str
    updated_at: datetime


@dataclass(frozen=True)
class LanguageVectors:
    """The ideas of one content language: their ids, their vectors and the model that
    made them. The vectors are kept by feature (``columns``: a row per feature, a
    column per idea in the order of ``ids``), which is what a query reads; ``rows``
    gives them by idea."""

    language: str
    ids: tuple[int, ...]
    columns: Matrix
    model: Model
    fitted_on: int  # how many ideas the model was fitted on
    changed: int = 0  # how many were added or changed since
    fitted_at: float = field(default_factory=time.monotonic)

    @classmethod
    def fitted(cls, language: str, documents: Mapping[int, str]) -> LanguageVectors:
        ids = tuple(documents)
        model, rows = Model.fitted([documents[idea_id] for idea_id in ids])
        return cls(language, ids, rows.T.tocsr(), model, fitted_on=len(ids))

    @property
    def rows(self) -> Matrix:
        """One row of unit length per idea, in the order of ``ids``."""
        return self.columns.T.tocsr()

    def scores(self, terms: Terms, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` ideas (or fewer) most similar to ``terms``, at or above the
        threshold, with their similarity, in no particular order."""
        found = similarities(self.columns, self.model.query(terms))
        if len(found) > limit:
            best = np.argpartition(found, -limit)[-limit:]
            places = best[found[best] >= THRESHOLD]
        else:
            (places,) = np.nonzero(found >= THRESHOLD)
        return [(self.ids[place], float(found[place])) for place in places]


@dataclass(frozen=True)
class ChallengeIndex:
    stamp: Stamp
    documents: Mapping[int, tuple[str, str]]  # idea id -> (language, document)
    languages: Mapping[str, LanguageVectors]
    # What ``like`` found for an idea, kept for the life of this snapshot.
    _alike: dict[int, list[tuple[int, float]]] = field(default_factory=dict, compare=False)

    @classmethod
    def built(cls, rows: Iterable[Row]) -> ChallengeIndex:
        """From all the ideas of a challenge."""
        documents: dict[int, tuple[str, str]] = {}
        latest: datetime | None = None
        for row in rows:
            documents[row.id] = (row.language, row.document)
            latest = row.updated_at if latest is None else max(latest, row.updated_at)
        by_language: dict[str, dict[int, str]] = {}
        for idea_id, (language, text) in documents.items():
            by_language.setdefault(language, {})[idea_id] = text
        return cls(
            Stamp(latest, len(documents)),
            documents,
            {
                language: LanguageVectors.fitted(language, texts)
                for language, texts in by_language.items()
            },
        )

    def updated(self, rows: Iterable[Row], *, refit_large: bool = True) -> ChallengeIndex:
        """With the ideas of ``rows`` added or changed: a language they touch is fitted
        again if enough of it changed, or has only the rows of these ideas made anew.

        ``refit_large`` False: a language of more than REFIT_ALWAYS ideas only has its
        rows made anew (milliseconds), even when it is due to be fitted again (seconds);
        ``due`` then says so, for whoever builds the index anew apart."""
        changed = list(rows)
        if not changed:
            return self
        documents = dict(self.documents)
        latest = self.stamp.at
        touched: dict[str, set[int]] = {}
        for row in changed:
            before = documents.get(row.id)
            if before == (row.language, row.document):
                latest = row.updated_at if latest is None else max(latest, row.updated_at)
                continue
            if before is not None:
                touched.setdefault(before[0], set())
            documents[row.id] = (row.language, row.document)
            touched.setdefault(row.language, set()).add(row.id)
            latest = row.updated_at if latest is None else max(latest, row.updated_at)
        languages = dict(self.languages)
        for language in touched:
            texts = {i: text for i, (lang, text) in documents.items() if lang == language}
            group = languages.get(language)
            if not texts:
                languages.pop(language, None)
            elif group is None or _refit(group, len(touched[language]), refit_large):
                languages[language] = LanguageVectors.fitted(language, texts)
            else:
                languages[language] = _revised(group, texts, touched[language])
        return ChallengeIndex(Stamp(latest, len(documents)), documents, languages)

    def due(self) -> bool:
        """Whether a language is due to be fitted again (see ``updated``)."""
        return any(_refit(group, 0, True) and group.changed for group in self.languages.values())

    def like(
        self, text: str, *, leaving_out: Collection[int] = (), limit: int
    ) -> list[tuple[int, float]]:
        """Up to ``limit`` ideas at or above the threshold, most similar to ``text`` first.

        ``text`` is read by each language's model in turn, so that it finds its
        like in whichever language it is written.
        """
        terms = Terms.of(text)
        found = [
            (idea_id, score)
            for group in self.languages.values()
            for idea_id, score in group.scores(terms, limit + len(leaving_out))
            if idea_id not in leaving_out
        ]
        found.sort(key=lambda pair: (-pair[1], -pair[0]))
        return found[:limit]

    def like_idea(self, idea_id: int, text: str, *, limit: int) -> list[tuple[int, float]]:
        """``like`` for an idea of the challenge (leaving it out), remembered."""
        known = self._alike.get(idea_id)
        if known is None or len(known) < limit:
            known = self.like(self.text_of(idea_id, text), leaving_out=(idea_id,), limit=limit)
            self._alike[idea_id] = known
        return known[:limit]

    def text_of(self, idea_id: int, otherwise: str) -> str:
        found = self.documents.get(idea_id)
        return found[1] if found is not None else otherwise


def _refit(group: LanguageVectors, touched: int, large: bool) -> bool:
    if len(group.ids) <= REFIT_ALWAYS:
        return True
    return large and (
        group.changed + touched > REFIT_SHARE * group.fitted_on
        or time.monotonic() - group.fitted_at > REFIT_SECONDS
    )


def _revised(
    group: LanguageVectors, texts: Mapping[int, str], touched: set[int]
) -> LanguageVectors:
    """The group with the rows of ``touched`` ideas made anew by its model, and those that
    left it (for another language) gone."""
    kept = [(place, i) for place, i in enumerate(group.ids) if i in texts and i not in touched]
    fresh = [i for i in texts if i in touched]
    parts = [group.rows[[place for place, _ in kept]]] if kept else []
    if fresh:
        parts.append(group.model.revised([texts[i] for i in fresh]))
    rows = sparse.vstack(parts, format="csr") if parts else group.rows[[]]
    return replace(
        group,
        ids=(*(i for _, i in kept), *fresh),
        columns=rows.T.tocsr(),
        changed=group.changed + len(touched),
    )
