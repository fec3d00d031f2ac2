"""The vectors and the index of a challenge's ideas, without a database."""

from __future__ import annotations

import numpy as np

from ideas.db import utcnow
from ideas.similarity import index as index_module
from ideas.similarity.index import ChallengeIndex, Row, Stamp
from ideas.similarity.vectors import Model, Terms, fold, prepared

TEXTS = [
    "Compost the canteen scraps. Bins beside every table feed the school garden.",
    "Night bus on weekends. A bus every hour after midnight.",
    "Atelier de réparation. Des bénévoles réparent les grille-pain à la médiathèque.",
]


def test_accents_case_and_stop_words_make_no_difference() -> None:
    assert fold("École ÉTÉ") == "ecole ete"
    assert prepared("The school's canteen, and the garden") == "school canteen garden"
    assert prepared("la cantine de l'école") == "cantine l ecole"


def test_a_query_weighs_as_the_model_does() -> None:
    model, rows = Model.fitted(TEXTS)
    query = "Composting scraps from the école canteen"
    indices, values = model.query(Terms.of(query))
    dense = np.zeros(rows.shape[1], dtype=np.float32)
    dense[indices] = values
    expected = model.vectors([query]).toarray().ravel()
    assert np.allclose(dense, expected, atol=1e-5)
    assert np.isclose(np.linalg.norm(dense), 1.0)


def test_a_text_without_any_known_term_is_like_nothing() -> None:
    index = ChallengeIndex.built([Row(1, "en", TEXTS[0], utcnow())])
    assert index.like("zzzz qqqq", limit=5) == []
    assert index.like("", limit=5) == []


def test_changes_are_folded_in_without_refitting_a_large_language(monkeypatch) -> None:
    monkeypatch.setattr(index_module, "REFIT_ALWAYS", 1)
    now = utcnow()
    filler = [
        Row(n, "en", f"Idea number {n} about the park benches {n}.", now) for n in range(10, 40)
    ]
    index = ChallengeIndex.built([Row(1, "en", TEXTS[1], now), *filler])
    model = index.languages["en"].model

    changed = index.updated(
        [Row(1, "en", TEXTS[0], now), Row(2, "fr", TEXTS[2], now), Row(3, "en", TEXTS[1], now)]
    )

    english = changed.languages["en"]
    assert english.model is model  # 2 of 31 changed: the vocabulary is kept
    assert set(english.ids) == {1, 3, *range(10, 40)}
    assert english.rows.shape == (32, english.columns.shape[0])
    assert changed.stamp == Stamp(now, 33)
    assert [idea for idea, _ in changed.like("A night bus every hour", limit=2)] == [3]
    assert [idea for idea, _ in changed.like("réparation grille-pain", limit=2)] == [2]
    # The words the vocabulary does not know yet count for nothing, until it is fitted again.
    assert changed.like("Compost canteen scraps", limit=2) == []
    monkeypatch.setattr(index_module, "REFIT_SECONDS", 0.0)
    refitted = changed.updated([Row(1, "en", TEXTS[0] + " Soon.", now)])
    assert refitted.languages["en"].model is not model
    assert [idea for idea, _ in refitted.like("Compost canteen scraps", limit=2)] == [1]
    # An idea that moves to another language leaves the first.
    moved = changed.updated([Row(1, "fr", TEXTS[0], now)])
    assert 1 not in moved.languages["en"].ids
    assert 1 in moved.languages["fr"].ids


def test_many_changes_fit_the_vocabulary_again() -> None:
    now = utcnow()
    index = ChallengeIndex.built([Row(1, "en", TEXTS[0], now)])
    changed = index.updated([Row(2, "en", "Solar roofs on every school.", now)])
    assert changed.languages["en"].model is not index.languages["en"].model
    assert [idea for idea, _ in changed.like("solar school roofs", limit=5)] == [2]


def test_a_revised_text_the_model_knows_well_is_as_if_fitted() -> None:
    model, rows = Model.fitted(TEXTS)
    assert np.allclose(model.revised(TEXTS).toarray(), rows.toarray(), atol=1e-5)
    unknown = model.revised(["Zebra crossings everywhere"]).toarray().ravel()
    assert np.linalg.norm(unknown) < 0.5
