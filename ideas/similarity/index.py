"""A challenge's ideas as vectors, per content language, and how the set is kept current.

A ``ChallengeIndex`` is a snapshot: ``updated`` and ``built`` make a new one
(in a thread, off the event loop) while requests go on reading the old. It
holds every idea of the challenge whatever its status (statuses change
without the text and are checked when ideas are loaded), each in the group
of its language, and the ``Stamp`` of the rows it was made from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from ideas.similarity.vectors import THRESHOLD, Matrix, Model, similarities

# A language's vocabulary is fitted again when this share of its ideas were added or
# changed since it was, or whenever it changes while it holds up to REFIT_ALWAYS ideas.
REFIT_SHARE = 0.2
REFIT_ALWAYS = 500


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
    """The ideas of one content language: their ids, their vectors (one row each, in
    the order of ``ids``) and the model that made them."""

    language: str
    ids: tuple[int, ...]
    rows: Matrix
    model: Model
    fitted_on: int  # how many ideas the model was fitted on
    changed: int = 0  # how many were added or changed since

    @classmethod
    def fitted(cls, language: str, documents: Mapping[int, str]) -> LanguageVectors:
        ids = tuple(documents)
        texts = [documents[idea_id] for idea_id in ids]
        model = Model.fit(texts)
        return cls(language, ids, model.vectors(texts), model, fitted_on=len(ids))

    def scores(self, query: str) -> list[tuple[int, float]]:
        """Each idea at or above the threshold, with its similarity to ``query``."""
        found = similarities(self.rows, self.model.vectors([query]))
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

    def updated(self, rows: Iterable[Row]) -> ChallengeIndex:
        """With the ideas of ``rows`` added or changed: a language they touch is fitted
        again if enough of it changed, or has only the rows of these ideas made anew."""
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
            elif group is None or _refit(group, len(touched[language])):
                languages[language] = LanguageVectors.fitted(language, texts)
            else:
                languages[language] = _revised(group, texts, touched[language])
        return ChallengeIndex(Stamp(latest, len(documents)), documents, languages)

    def like(
        self, text: str, *, leaving_out: Collection[int] = (), limit: int
    ) -> list[tuple[int, float]]:
        """Up to ``limit`` ideas at or above the threshold, most similar to ``text`` first.

        ``text`` is read by each language's model in turn, so that it finds its
        like in whichever language it is written.
        """
        found = [
            (idea_id, score)
            for group in self.languages.values()
            for idea_id, score in group.scores(text)
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


def _refit(group: LanguageVectors, touched: int) -> bool:
    size = len(group.ids)
    return size <= REFIT_ALWAYS or group.changed + touched > REFIT_SHARE * group.fitted_on


def _revised(group: LanguageVectors, texts: Mapping[int, str], touched: set[int]) -> LanguageVectors:
    """The group with the rows of ``touched`` ideas made anew by its model, and those that
    left it (for another language) gone."""
    kept = [(place, i) for place, i in enumerate(group.ids) if i in texts and i not in touched]
    fresh = [i for i in texts if i in touched]
    parts = [group.rows[[place for place, _ in kept]]] if kept else []
    if fresh:
        parts.append(group.model.vectors([texts[i] for i in fresh]))
    rows = sparse.vstack(parts, format="csr") if parts else group.rows[[]]
    return replace(
        group,
        ids=(*(i for _, i in kept), *fresh),
        rows=rows,
        changed=group.changed + len(touched),
    )
