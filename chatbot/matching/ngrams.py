"""Character n-gram profiles of intents: similarity that survives morphology and typos.

"configuring" and "configure", "wifi" and "wi-fi", "pillows" and "pilows" share most of their
character n-grams even where they share no word. Each intent gets one profile: the tf-idf
weights of the 2- to 4-character n-grams of its questions' words (each word padded with spaces,
so beginnings and ends count), normalised to unit length; a question is compared with a
profile by the dot product of the two unit vectors (cosine similarity).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, repeat
from operator import mul, neg, sub

from chatbot.records import Record, set_field

# N-gram lengths, and how many questions of an intent make its profile: with many questions the
# word statistics are strong on their own, and the profile's build cost stays bounded.
SHORTEST, LONGEST = 2, 4
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


# The weight of an n-gram seen `count` times is 1 + log(count) (sublinear: the tenth adds
# little), read from this table: a list lookup per n-gram costs less than a call, even a cached
# one (a quarter of the time of making a profile).
_tf_table: list[float] = [0.0]


def _tf_up_to(largest: int) -> list[float]:
    """The table of n-gram weights by count, long enough for counts up to `largest`."""
    global _tf_table
    table = _tf_table
    if len(table) <= largest:
        # Replaced whole, never grown in place: a thread still reading the old one is unaffected.
        table = [0.0, *(1.0 + math.log(count) for count in range(1, 2 * largest + 1))]
        _tf_table = table
    return table


def _counts(words: Iterable[str]) -> Counter[str]:
    # chain and map run in C, and so does Counter's counting: no Python frame per n-gram.
    return Counter(chain.from_iterable(map(word_ngrams, words)))


class NgramProfiles:
    """One unit-length character n-gram vector per intent; immutable once built (apart from
    profiles worked out on first use).

    An n-gram's weight (idf) comes from how many intents' words hold it.
    """

    def __init__(self, intent_words: Sequence[Sequence[Sequence[str]]]) -> None:
        """Build from each intent's questions, each a sequence of normalised words."""
        # Each intent's n-grams, counted: its profile is made from them when first needed.
        self._grams = [
            _counts(chain.from_iterable(questions[:PROFILE_QUESTIONS]))
            for questions in intent_words
        ]
        document_frequency: Counter[str] = Counter()
        for grams in self._grams:
            document_frequency.update(grams.keys())
        total = len(self._grams)
        # One logarithm per document frequency, not per n-gram: frequencies repeat.
        by_frequency = {
            df: math.log((1.0 + total) / (1.0 + df)) + 1.0
            for df in set(document_frequency.values())
        }
        self.idf = {gram: by_frequency[df] for gram, df in document_frequency.items()}
        # Each intent's unit vector, made when the intent is first compared: a question is
        # compared with a few candidates only, so most knowledge bases never need them all.
        self._profiles: dict[int, dict[str, float]] = {}
        # Each intent's length before it was made unit length, worked out when first needed.
        self._norms: dict[int, float] = {}

    def _unit(self, counts: Counter[str], known: bool = False) -> tuple[float, dict[str, float]]:
        """The counts' tf-idf vector made unit length, and its length before."""
        # map, zip and dict run in C: no Python frame per n-gram (this is most of the cost of
        # a knowledge base's first questions, while profiles are being made). An intent's own
        # n-grams are all `known` to idf: only a query's need sifting.
        tf = _tf_up_to(max(counts.values(), default=0)).__getitem__
        if known:
            grams = list(counts)
            found = map(tf, counts.values())
        else:
            grams = [gram for gram in counts if gram in self.idf]
            found = map(tf, map(counts.__getitem__, grams))
        values = list(map(mul, map(self.idf.__getitem__, grams), found))
        norm = math.sqrt(sum(map(mul, values, values))) or 1.0
        return norm, dict(zip(grams, map((1.0 / norm).__mul__, values), strict=True))

    def build_all(self) -> None:
        """Make every profile now rather than on first use."""
        for intent_index in range(len(self._grams)):
            self.profile(intent_index)

    def profile(self, intent_index: int) -> dict[str, float]:
        """An intent's unit n-gram vector."""
        found = self._profiles.get(intent_index)
        if found is None:
            # Benign race: two threads making the same profile store equal dictionaries.
            norm, found = self._unit(self._grams[intent_index], known=True)
            self._norms[intent_index] = norm
            self._profiles[intent_index] = found
        return found

    def without_question(
        self, intent_index: int, offset: int, wordings: Sequence[Sequence[str]]
    ) -> Changed | None:
        """How an intent's profile changes without one of its questions (see
        `chatbot.matching.left_out`), from every intent's stored wordings (each question's
        words joined by spaces); None when that question is not part of the profile.

        Only the n-grams of the question (and of the one that takes its place among the first
        PROFILE_QUESTIONS) change weight, and the profile's length with them: working out just
        those costs as much as one question, not as much as the intent."""
        if not self._grams or offset >= PROFILE_QUESTIONS:
            return None
        questions = wordings[intent_index]
        removed = _counts(questions[offset].split(" "))
        idf = self.idf
        # The question's n-grams are all the intent's (it is among the first questions); those
        # of a question beyond the profile may be in no profile at all, and then no query can
        # hold them either.
        grams = list(removed)
        counts = self._grams[intent_index]
        before = list(map(counts.__getitem__, grams))
        after = list(map(sub, before, removed.values()))
        if len(questions) > PROFILE_QUESTIONS:
            added = _counts(questions[PROFILE_QUESTIONS].split(" "))
            more = [gram for gram in added if gram not in removed and gram in idf]
            for position, gram in enumerate(grams):
                after[position] += added.get(gram, 0)
            grams += more
            before += map(counts.get, more, repeat(0))
            after += map(added.__getitem__, more)
        tf = _tf_up_to(max(after, default=0) + max(before, default=0))
        scales = list(map(idf.__getitem__, grams))
        new = list(map(mul, scales, map(tf.__getitem__, after)))
        old = list(map(mul, scales, map(tf.__getitem__, before)))
        norm = self._norm(intent_index)
        # fsum: the same length whatever the order of the n-grams.
        square = math.fsum([norm * norm, *map(mul, new, new), *map(neg, map(mul, old, old))])
        return Changed(dict(zip(grams, new, strict=True)), norm, math.sqrt(max(square, 0.0)) or 1.0)

    def _norm(self, intent_index: int) -> float:
        """The length of an intent's profile before it was made unit length."""
        found = self._norms.get(intent_index)
        if found is None:
            self.profile(intent_index)  # which works it out on the way
            found = self._norms[intent_index]
        return found

    def vector(self, words: Iterable[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The unit n-gram vector of some words, as (n-grams, weights); n-grams no intent
        uses are left out."""
        unit = self._unit(_counts(words))[1]
        return tuple(unit), tuple(unit.values())

    def similarity(
        self,
        vector: tuple[tuple[str, ...], tuple[float, ...]],
        intent_index: int,
        changed: Changed | None = None,
    ) -> float:
        """Cosine similarity of a vector from `vector` with an intent's profile (0 to 1), or
        with the profile as `changed` (from `without_question`) makes it."""
        grams, weights = vector
        profile = self.profile(intent_index)
        if changed is not None:
            scale = changed.before
            kept = changed.weights
            total = 0.0
            for gram, weight in zip(grams, weights, strict=True):
                value = kept.get(gram)
                total += weight * (profile.get(gram, 0.0) * scale if value is None else value)
            return total / changed.after
        # map and sum run in C: a generator would cost a Python frame per n-gram.
        found = map(profile.get, grams, repeat(0.0))
        return float(sum(map(mul, weights, found)))


class Changed(Record):
    """An intent's n-gram profile without one of its questions, as the changes to it.

    Attributes:
        weights: the new weight (not unit length) of each n-gram whose count changed.
        before: the profile's length before it was made unit length.
        after: its length with the changes.
    """

    __slots__ = _fields = ("weights", "before", "after")
    weights: dict[str, float]
    before: float
    after: float

    def __init__(self, weights: dict[str, float], before: float, after: float) -> None:
        set_field(self, "weights", weights)
        set_field(self, "before", before)
        set_field(self, "after", after)
