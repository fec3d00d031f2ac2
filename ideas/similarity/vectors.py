"""What an idea says, as a vector: TF-IDF over words and over their character n-grams.

Pure computation, no database: ``Model.fit`` learns a vocabulary and its
weights from the documents of one content language of a challenge, and
``Model.vectors`` turns documents (ideas, or text being typed) into rows of
unit length, so that the product of two rows is their cosine similarity.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from ideas.submissions.search import STOP_WORDS as ENGLISH_STOP_WORDS

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# From this cosine similarity on, two ideas say the same thing (see the package's
# docstring for how it was chosen, and tests/similarity for the figures it keeps).
THRESHOLD = 0.3
# Words of two letters or more; character n-grams of 3 to 5 inside each word.
_WORD_PATTERN = r"(?u)\b\w\w+\b"
CHAR_NGRAMS = (3, 5)
# From this many ideas in a language, terms in more than this share of them are left out.
COMMON_FROM = 1000
COMMON_SHARE = 0.5

Matrix = Any  # a scipy.sparse CSR matrix: one row per document

# Words that say nothing of what an idea is, in the languages we write, accents folded
# away: left out of words and n-grams alike (in a small challenge, where every word is
# as rare as any other, "the" and "de" would otherwise make ideas alike).
_OTHER_STOP_WORDS = """
    de la el en los las del un una por con para que se al lo su sus es son como mas
    o y e ni pero sin sobre entre cada muy ya donde cuando
    le les des du et au aux une pour dans par sur avec qui que ce ces est sont ou
    pas plus leur leurs son sa ses nous vous ils elles on chaque tres
    في من على إلى الى عن مع أو او ثم كل التي الذي هذا هذه ذلك حتى لا ما
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(_OTHER_STOP_WORDS.split())
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case, accents and Arabic vowel marks away: "École" reads as "ecole"."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def prepared(text: str) -> str:
    """``fold``ed, and its stop words left out: what the vectorizers read."""
    return " ".join(word for word in _WORD.findall(fold(text)) if word not in STOP_WORDS)


def document(title: str, summary: str) -> str:
    """The text of an idea that its vector is made of."""
    return f"{title}. {summary}"


def _vectorizers(documents: int = 0) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    # scikit-learn loads on first use (a second or two, and some 90 MB): not in every
    # process that imports this module, such as the command line's.
    from sklearn.feature_extraction.text import TfidfVectorizer

    # The text comes ``prepared``: nothing more to do to it before cutting it up. Among
    # many ideas, terms in more than COMMON_SHARE of them tell little and cost the most.
    max_df = COMMON_SHARE if documents >= COMMON_FROM else 1.0
    words = TfidfVectorizer(
        lowercase=False,
        token_pattern=_WORD_PATTERN,
        sublinear_tf=True,
        max_df=max_df,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        lowercase=False,
        analyzer=char_ngrams,
        sublinear_tf=True,
        max_df=max_df,
        dtype=np.float32,
    )
    return words, chars


def char_ngrams(text: str) -> list[str]:
    """The character n-grams (CHAR_NGRAMS) inside each word of ``text``, the word padded
    with a space on each side, as scikit-learn's ``char_wb`` analyzer cuts them. Ideas
    use the same words again and again: each word is cut once (most of the time it
    takes to fit a challenge's vocabulary went to cutting words)."""
    found: list[str] = []
    for word in text.split():
        found.extend(_word_ngrams(word))
    return found


@lru_cache(maxsize=200_000)
def _word_ngrams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    shortest, longest = CHAR_NGRAMS
    found: list[str] = []
    for n in range(shortest, longest + 1):
        found.extend(padded[start : start + n] for start in range(max(1, len(padded) - n + 1)))
        if len(padded) <= n:  # a short word counts once, whole
            break
    return tuple(found)


@cache
def _analyzers() -> tuple[Any, ...]:
    return tuple(vectorizer.build_analyzer() for vectorizer in _vectorizers())


@dataclass(frozen=True)
class Terms:
    """A text cut into words and n-grams, with how often each comes: read once, then
    weighed by each language's model (``Model.query``)."""

    parts: tuple[Counter[str], ...]

    @classmethod
    def of(cls, text: str) -> Terms:
        ready = prepared(text)
        return cls(tuple(Counter(analyzer(ready)) for analyzer in _analyzers()))


@dataclass(frozen=True)
class Model:
    """A vocabulary with its weights: words, and character n-grams (either may be
    missing when the documents it was fitted on had none)."""

    words: TfidfVectorizer | None
    chars: TfidfVectorizer | None

    @classmethod
    def fitted(cls, documents: Sequence[str]) -> tuple[Model, Matrix]:
        """The model of ``documents``, and their vectors."""
        ready = [prepared(text) for text in documents]
        parts = [_fitted(vectorizer, ready) for vectorizer in _vectorizers(len(ready))]
        words, chars = (part[0] if part is not None else None for part in parts)
        matrices = [part[1] for part in parts if part is not None]
        return cls(words, chars), _joined(matrices, len(ready))

    def vectors(self, documents: Sequence[str]) -> Matrix:
        """One row of unit length (or all zeros) per document."""
        ready = [prepared(text) for text in documents]
        return _joined([part.transform(ready) for part in self._parts()], len(ready))

    def query(self, terms: Terms) -> tuple[Any, Any]:
        """The vector of ``terms`` (as ``vectors`` makes it, faster for a single text):
        the indices of its features and their values. Terms the model does not know
        are left out, as ``vectors`` leaves them out."""
        return self._weighed(terms, unknown_count=False)

    def revised(self, documents: Sequence[str]) -> Matrix:
        """The vectors of documents that were not among those the model was fitted on:
        the terms it does not know weigh on their length as the rarest it knows, so
        that a text it knows little of is like nothing much, rather than all of it
        being the few terms it happens to know."""
        indices: list[Any] = []
        values: list[Any] = []
        pointers = [0]
        for text in documents:
            found, weights = self._weighed(Terms.of(text), unknown_count=True)
            indices.append(found)
            values.append(weights)
            pointers.append(pointers[-1] + len(found))
        return sparse.csr_matrix(
            (
                np.concatenate(values) if values else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else np.zeros(0, np.int64),
                pointers,
            ),
            shape=(len(documents), sum(len(part.vocabulary_) for part in self._parts())),
            dtype=np.float32,
        )

    def _weighed(self, terms: Terms, *, unknown_count: bool) -> tuple[Any, Any]:
        indices: list[int] = []
        values: list[float] = []
        offset = 0
        present = 0
        parts = dict(zip((self.words, self.chars), terms.parts, strict=True))
        for part in self._parts():
            counts = parts[part]
            vocabulary: dict[str, int] = part.vocabulary_
            idf = part.idf_
            found = [(vocabulary[term], n) for term, n in counts.items() if term in vocabulary]
            weights = [(1.0 + math.log(n)) * idf[index] for index, n in found]
            squares = sum(w * w for w in weights)
            if unknown_count:
                rarest = float(idf.max())
                squares += sum(
                    ((1.0 + math.log(n)) * rarest) ** 2
                    for term, n in counts.items()
                    if term not in vocabulary
                )
            if squares:
                norm = math.sqrt(squares)
                indices.extend(offset + index for index, _ in found)
                values.extend(w / norm for w in weights)
                present += 1
            offset += len(vocabulary)
        if unknown_count:
            # Parts of unit length side by side, as ``vectors`` joins them.
            scale = 1.0 / math.sqrt(present) if present else 0.0
        else:
            total = math.sqrt(sum(v * v for v in values))
            scale = 1.0 / total if total else 0.0
        return (
            np.asarray(indices, dtype=np.int64),
            np.asarray([v * scale for v in values], dtype=np.float32),
        )

    def _parts(self) -> list[TfidfVectorizer]:
        return [part for part in (self.words, self.chars) if part is not None]


def _fitted(
    vectorizer: TfidfVectorizer, ready: Sequence[str]
) -> tuple[TfidfVectorizer, Matrix] | None:
    try:
        return vectorizer, vectorizer.fit_transform(ready)
    except ValueError:  # nothing to learn: no word of two letters, or no document
        return None


def _joined(parts: list[Matrix], rows: int) -> Matrix:
    """The parts side by side, each row of unit length."""
    from sklearn.preprocessing import normalize

    if not parts:
        return sparse.csr_matrix((rows, 0), dtype=np.float32)
    return normalize(sparse.hstack(parts, format="csr", dtype=np.float32), copy=False)


def similarities(columns: Matrix, query: tuple[Any, Any]) -> Any:
    """The cosine similarity of each document with the query, as a numpy array, from
    the documents' vectors by feature (``columns``: one row per feature)."""
    indices, values = query
    if len(indices) == 0:
        return np.zeros(columns.shape[1], dtype=np.float32)
    return columns[indices].T @ values
