"""Grouping one language's idea vectors into themes, naming them, and matching them to the
themes of the last fit. Pure computation, no database (see the package's docstring
for the method and why)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ideas.similarity.vectors import Matrix, Model, fold

SEED = 0
MIN_IDEAS = 12  # listed ideas of a language before it has themes
FEWEST_THEMES = 2
MOST_THEMES = 12
COMPONENTS = 100  # dimensions kept by the SVD
STARTS = 4  # k-means starts per k
SILHOUETTE_SAMPLE = 2000
WORDS_KEPT = 8
WORDS_NAMED = 3
SAME_THEME = 1 / 3  # Jaccard index from which a new theme takes an old one's id and name

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Found:
    """A theme as a fit finds it: its language, its ideas (ascending ids) and its words,
    most telling first."""

    language: str
    idea_ids: tuple[int, ...]
    words: tuple[str, ...]

    @property
    def name(self) -> str:
        return ", ".join(self.words[:WORDS_NAMED])


def themes_of(
    language: str,
    ids: Sequence[int],
    rows: Matrix,
    model: Model,
    documents: Mapping[int, str],
) -> list[Found]:
    """The themes of one language's ideas (``rows``, one per id of ``ids``, unit length),
    largest first; none below ``MIN_IDEAS`` ideas with words. ``documents`` gives each
    idea's text, to write the words as the ideas write them.

    On one thread: the worker shares its machine with the app, and on a busy machine
    the k-means' own threads, waiting on one another, cost many times the work (15 times
    the processor time of one thread, measured on two busy cores).
    """
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=1):
        return _themes_of(language, ids, rows, model, documents)


def _themes_of(
    language: str,
    ids: Sequence[int],
    rows: Matrix,
    model: Model,
    documents: Mapping[int, str],
) -> list[Found]:
    order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
    ids = [int(ids[place]) for place in order]
    rows = rows[order]
    kept = np.flatnonzero(rows.getnnz(axis=1) > 0)
    if len(kept) < MIN_IDEAS:
        return []
    ids = [ids[place] for place in kept]
    rows = rows[kept]
    labels = _labels(_reduced(rows))
    words = _telling_words(rows, model, labels, [documents.get(i, "") for i in ids])
    found = [
        Found(language, tuple(i for i, label in zip(ids, labels, strict=True) if label == k), w)
        for k, w in enumerate(words)
    ]
    found = [theme for theme in found if theme.idea_ids]
    found.sort(key=lambda theme: (-len(theme.idea_ids), theme.idea_ids[0]))
    return found


def _reduced(rows: Matrix) -> Any:
    """Latent semantic analysis: the rows in at most ``COMPONENTS`` dimensions, unit length."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n, features = rows.shape
    components = min(COMPONENTS, n - 1, features - 1)
    if components < 2:
        return normalize(rows.toarray())
    svd = TruncatedSVD(n_components=components, random_state=SEED)
    return normalize(svd.fit_transform(rows))


def _labels(points: Any) -> Any:
    """Each point's group, by k-means with the k of best silhouette among those tried.

    Among many ideas, k is chosen on a sample of ``SILHOUETTE_SAMPLE`` of them (the
    silhouette costs the square of the points it reads, and the k-means for each k
    tried their number), then the k-means of that k is run on all of them.
    """
    from sklearn.cluster import KMeans

    n = len(points)
    sample = points
    if n > SILHOUETTE_SAMPLE:
        chosen = np.random.default_rng(SEED).choice(n, SILHOUETTE_SAMPLE, replace=False)
        sample = points[np.sort(chosen)]
    k = _best_k(sample, n)
    if k is None:
        return np.zeros(n, dtype=np.int64)
    if sample is points:
        return k[1]
    return KMeans(n_clusters=k[0], n_init=STARTS, random_state=SEED).fit_predict(points)


def _best_k(points: Any, ideas: int) -> tuple[int, Any] | None:
    """The k (and the sample's labels) of best mean silhouette: from 2 to about
    sqrt(ideas/2), at most ``MOST_THEMES``; among the groupings without a theme of a
    single idea (silhouette favours them, and such a theme is that idea, not a theme),
    or if there is none among all of them."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    # No more groups than different points: ideas may say the very same thing.
    distinct = len(np.unique(np.round(points, 6), axis=0))
    most = min(distinct, MOST_THEMES, max(FEWEST_THEMES, round(math.sqrt(ideas / 2))))
    best: dict[bool, tuple[float, int, Any]] = {}
    for k in range(FEWEST_THEMES, most + 1):
        labels = KMeans(n_clusters=k, n_init=STARTS, random_state=SEED).fit_predict(points)
        sizes = np.bincount(labels)
        if len(sizes) < 2 or sizes.min() < 1:
            continue
        score = float(silhouette_score(points, labels))
        whole = bool(sizes.min() >= 2)
        # A larger k must do better, not as well: ties go to fewer themes.
        if whole not in best or score > best[whole][0] + 1e-9:
            best[whole] = (score, k, labels)
    found = best.get(True) or best.get(False)
    return (found[1], found[2]) if found is not None else None


def _telling_words(
    rows: Matrix, model: Model, labels: Any, texts: Sequence[str]
) -> list[tuple[str, ...]]:
    """For each group (by label), the words whose mean weight among its ideas most exceeds
    their mean weight among the others, found in at least two of its ideas."""
    groups = int(labels.max()) + 1 if len(labels) else 0
    if model.words is None:
        return [() for _ in range(groups)]
    names = model.words.get_feature_names_out()
    words = rows[:, : len(names)].tocsr()
    chosen: list[list[str]] = []
    for label in range(groups):
        inside = labels == label
        members = words[inside]
        if members.shape[0] == 0:
            chosen.append([])
            continue
        outside = words[~inside]
        mean_in = np.asarray(members.mean(axis=0)).ravel()
        mean_out = (
            np.asarray(outside.mean(axis=0)).ravel() if outside.shape[0] else np.zeros_like(mean_in)
        )
        present = np.asarray((members > 0).sum(axis=0)).ravel()
        present_out = np.asarray((outside > 0).sum(axis=0)).ravel()
        # Found in a larger share of the theme's ideas than of the others' (in whole numbers).
        more_often = present * outside.shape[0] > present_out * members.shape[0]
        telling = (present >= min(2, members.shape[0])) & more_often
        score = np.where(telling, mean_in - mean_out, -np.inf)
        best = np.argsort(-score, kind="stable")[: WORDS_KEPT * 2]
        chosen.append(_distinct([str(names[place]) for place in best if score[place] > 0]))
    spelled = _spellings({word for group in chosen for word in group}, texts)
    return [tuple(spelled.get(word, word) for word in group) for group in chosen]


def _distinct(words: Sequence[str]) -> list[str]:
    """``words`` without those that are another one's variant ("bike" after "bikes"):
    the same first five letters, or the whole of the shorter one."""
    kept: list[str] = []
    for word in words:
        if not any(_common_start(word, other) >= min(5, len(word), len(other)) for other in kept):
            kept.append(word)
    return kept[:WORDS_KEPT]


def _common_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _spellings(folded: set[str], texts: Sequence[str]) -> dict[str, str]:
    """Each folded word as the ideas most often write it, in lower case: "ecole" is "école"."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in _WORD.findall(text.lower()):
            key = fold(word)
            if key in folded:
                seen.setdefault(key, Counter())[word] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items()}


def matched(new: Sequence[Sequence[int]], old: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """Which old theme (by id) each new theme (by place in ``new``) carries on: pairs of
    themes sharing the most of their ideas, each old theme paired once, from a Jaccard
    index of ``SAME_THEME`` on."""
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    old_ids = sorted(old)
    if not new or not old_ids:
        return {}
    old_sets = [set(old[theme_id]) for theme_id in old_ids]
    overlap = np.zeros((len(new), len(old_ids)))
    for row, ideas in enumerate(new):
        mine = set(ideas)
        for column, theirs in enumerate(old_sets):
            shared = len(mine & theirs)
            if shared:
                overlap[row, column] = shared / len(mine | theirs)
    rows, columns = linear_sum_assignment(overlap, maximize=True)
    return {
        int(row): old_ids[column]
        for row, column in zip(rows, columns, strict=True)
        if overlap[row, column] >= SAME_THEME
    }
