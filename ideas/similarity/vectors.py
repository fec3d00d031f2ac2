"""What an idea says, as a vector: TF-IDF over words and over their character n-grams.

Pure computation, no database: ``Model.fit`` learns a vocabulary and its
weights from the documents of one content language of a challenge, and
``Model.vectors`` turns documents (ideas, or text being typed) into rows of
unit length, so that the product of two rows is their cosine similarity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from ideas.submissions.search import STOP_WORDS as ENGLISH_STOP_WORDS

# From this cosine similarity on, two ideas say the same thing (see the package's
# docstring for how it was chosen, and tests/similarity for the figures it keeps).
THRESHOLD = 0.3
# Words of two letters or more; character n-grams of 3 to 5 inside each word.
_WORD_PATTERN = r"(?u)\b\w\w+\b"
CHAR_NGRAMS = (3, 5)

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
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _meaningful(text: str) -> str:
    """``fold``ed, and its stop words left out."""
    return " ".join(word for word in _WORD.findall(fold(text)) if word not in STOP_WORDS)


def document(title: str, summary: str) -> str:
    """The text of an idea that its vector is made of."""
    return f"{title}. {summary}"


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(
        preprocessor=_meaningful, token_pattern=_WORD_PATTERN, sublinear_tf=True, dtype=np.float32
    )
    chars = TfidfVectorizer(
        preprocessor=_meaningful,
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        dtype=np.float32,
    )
    return words, chars


@dataclass(frozen=True)
class Model:
    """A vocabulary with its weights: words, and character n-grams (either may be
    missing when the documents it was fitted on had none)."""

    words: TfidfVectorizer | None
    chars: TfidfVectorizer | None

    @classmethod
    def fit(cls, documents: Sequence[str]) -> Model:
        words, chars = _vectorizers()
        return cls(_fitted(words, documents), _fitted(chars, documents))

    def vectors(self, documents: Sequence[str]) -> Matrix:
        """One row of unit length (or all zeros) per document."""
        parts = [
            part.transform(documents) for part in (self.words, self.chars) if part is not None
        ]
        if not parts:
            return sparse.csr_matrix((len(documents), 0), dtype=np.float32)
        joined = sparse.hstack(parts, format="csr", dtype=np.float32)
        return normalize(joined, copy=False)

    @property
    def size(self) -> int:
        """How many features a vector has."""
        return sum(
            len(part.vocabulary_) for part in (self.words, self.chars) if part is not None
        )


def _fitted(vectorizer: TfidfVectorizer, documents: Sequence[str]) -> TfidfVectorizer | None:
    try:
        vectorizer.fit(documents)
    except ValueError:  # nothing to learn: no word of two letters, or no document
        return None
    return vectorizer


def similarities(rows: Matrix, query: Matrix) -> Any:
    """The cosine similarity of each row with the one-row ``query``, as a numpy array."""
    if rows.shape[0] == 0 or rows.shape[1] == 0:
        return np.zeros(rows.shape[0], dtype=np.float32)
    return np.asarray((rows @ query.T).todense()).ravel()
