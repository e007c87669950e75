"""Character n-gram profiles of intents: similarity that survives morphology and typos.

"configuring" and "configure", "wifi" and "wi-fi", "pillows" and "pilows" share most of their
character n-grams even where they share no word. Each intent gets one profile: the tf-idf
weights of the 2- to 5-character n-grams of its questions' words (each word padded with spaces,
so beginnings and ends count), normalised to unit length; a question is compared with a
profile by the dot product of the two unit vectors (cosine similarity).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat
from operator import mul

# N-gram lengths, and how many questions of an intent make its profile: with many questions the
# word statistics are strong on their own, and the profile's build cost stays bounded.
SHORTEST, LONGEST = 2, 5
PROFILE_QUESTIONS = 20


@lru_cache(maxsize=1 << 16)
def word_ngrams(word: str) -> tuple[str, ...]:
    """The character n-grams of one word, padded with spaces: "ai" -> " a", "ai", "i ", ..."""
    padded = f" {word} "
    size = len(padded)
    return tuple(
        padded[start : start + length]
        for length in range(SHORTEST, LONGEST + 1)
        for start in range(size - length + 1)
    )


def _counts(words: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in words:
        counts.update(word_ngrams(word))
    return counts


class NgramProfiles:
    """One unit-length character n-gram vector per intent; immutable once built."""

    def __init__(self, intent_words: Sequence[Sequence[Sequence[str]]]) -> None:
        """Build from each intent's questions, each a sequence of normalised words."""
        counts = [
            _counts(word for question in questions[:PROFILE_QUESTIONS] for word in question)
            for questions in intent_words
        ]
        document_frequency: Counter[str] = Counter()
        for intent_counts in counts:
            document_frequency.update(intent_counts.keys())
        total = len(counts)
        self.idf = {
            gram: math.log((1.0 + total) / (1.0 + df)) + 1.0
            for gram, df in document_frequency.items()
        }
        self.profiles: list[dict[str, float]] = [self._unit(c) for c in counts]

    def _unit(self, counts: Counter[str]) -> dict[str, float]:
        idf = self.idf
        vector = {
            gram: (1.0 + math.log(count)) * idf.get(gram, 0.0) for gram, count in counts.items()
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        return {gram: value / norm for gram, value in vector.items() if value}

    def vector(self, words: Iterable[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The unit n-gram vector of some words, as (n-grams, weights); n-grams no intent
        uses are left out."""
        unit = self._unit(_counts(words))
        return tuple(unit), tuple(unit.values())

    def similarity(
        self, vector: tuple[tuple[str, ...], tuple[float, ...]], intent_index: int
    ) -> float:
        """Cosine similarity of a vector from `vector` with an intent's profile (0 to 1)."""
        grams, weights = vector
        # map and sum run in C: a generator would cost a Python frame per n-gram.
        found = map(self.profiles[intent_index].get, grams, repeat(0.0))
        return float(sum(map(mul, weights, found)))
