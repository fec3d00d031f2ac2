"""Grouping vectors into themes and naming them, without a database."""

from __future__ import annotations

from ideas.similarity.index import LanguageVectors
from ideas.similarity.vectors import document
from ideas.themes import clustering
from tests.factories.themes import TOPICS


def _texts() -> tuple[dict[int, str], dict[int, str]]:
    """The topics' ideas as documents by id (1, 2, …), and each id's topic."""
    documents: dict[int, str] = {}
    topic_of: dict[int, str] = {}
    for topic, ideas in TOPICS.items():
        for title, summary in ideas:
            idea_id = len(documents) + 1
            documents[idea_id] = document(title, summary)
            topic_of[idea_id] = topic
    return documents, topic_of


def _themes(documents: dict[int, str]) -> list[clustering.Found]:
    group = LanguageVectors.fitted("en", documents)
    return clustering.themes_of("en", group.ids, group.rows, group.model, documents)


def test_ideas_on_three_topics_make_three_themes_named_by_their_words() -> None:
    documents, topic_of = _texts()
    found = _themes(documents)
    assert sorted({topic_of[i] for i in theme.idea_ids}.pop() for theme in found) == [
        "bikes",
        "compost",
        "trees",
    ]
    assert all(len({topic_of[i] for i in theme.idea_ids}) == 1 for theme in found)
    names = {topic_of[theme.idea_ids[0]]: theme.words for theme in found}
    assert "compost" in names["compost"][:3]
    assert "trees" in names["trees"][:3] or "tree" in names["trees"][:3]
    assert {"bike", "bikes", "cyclists"} & set(names["bikes"][:3])
    assert all(2 <= len(theme.name.split(", ")) <= 3 for theme in found)


def test_the_same_ideas_give_the_same_themes() -> None:
    documents, _ = _texts()
    assert _themes(documents) == _themes(dict(reversed(documents.items())))


def test_too_few_ideas_make_no_themes() -> None:
    documents, _ = _texts()
    few = dict(list(documents.items())[: clustering.MIN_IDEAS - 1])
    assert _themes(few) == []


def test_a_word_is_written_as_the_ideas_write_it() -> None:
    places = ["cour", "cantine", "classe", "entrée", "rue", "toit"]
    documents = {
        n: document(f"Un potager à l'école, {place}", f"Les élèves cultivent légumes {place}.")
        for n, place in enumerate(places, start=1)
    }
    documents |= {
        n: document(f"Vélo pour aller à l'usine, {place}", f"Pistes cyclables sûres {place}.")
        for n, place in enumerate(places, start=7)
    }
    words = {word for theme in _themes(documents) for word in theme.words}
    assert "école" in words or "élèves" in words
    assert "ecole" not in words
    assert "eleves" not in words


def test_new_themes_carry_on_the_old_ones_they_overlap_most() -> None:
    old = {10: [1, 2, 3, 4], 11: [5, 6, 7, 8], 12: [9, 10]}
    new = [[5, 6, 7, 8, 20], [1, 2, 3], [30, 31]]
    assert clustering.matched(new, old) == {0: 11, 1: 10}


def test_a_theme_that_shares_too_little_is_new() -> None:
    assert clustering.matched([[1, 2, 3, 4, 5, 6, 7]], {10: [1, 8, 9]}) == {}
