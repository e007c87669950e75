"""Ask a stored question of an index as if that question were not stored: leave-one-out cheaply.

`chatbot check` asks each stored question of the knowledge base built without it, to see which
intent answers it then, and the calibration asks a few hundred of them, to see how new users'
questions would score. Rebuilding the index once per question (or once per fold of them) is
what made both slow on a large knowledge base. What leaving one question out changes is
almost all in its own intent: the counts of its terms there (so their BM25 weights and the
intent's length), which words the intent's questions use, its stored wordings and its n-gram
profile. And the terms and words no other question uses are gone from the index altogether,
so they count as unknown words. A `Without` holds exactly those changes for one question, and
`Index.search` and `Index.familiarity` read the full index through it.

What is not redone is the knowledge base's statistics: a term's rarity (its idf, from how many
intents use it), the weights sharpened on the questions (`contrast`), and which terms are common.
One question among thousands moves them very little; `benchmarks/check_selftest.py` measures
how often the verdicts still agree with rebuilding the index without each question.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import chain

from chatbot.matching.index import K1, PAIR_WEIGHT, B, Index
from chatbot.matching.ngrams import Changed
from chatbot.matching.query import features
from chatbot.matching.text import normalized_words
from chatbot.records import Record, set_field


class Without(Record):
    """What one stored question's absence changes in an index, for one query.

    Attributes:
        intent_index: the question's intent.
        offset: the question's position among its intent's questions.
        gone_features: the query's terms and word pairs no other question uses.
        gone_words: words no other question or any answer uses: unknown without the question.
        unasked_words: words no other question uses (an answer may).
        own_weights: the intent's weight for each of the query's features it keeps.
        ceilings: the features whose best weight over all intents changes, with the new one.
        own_words: the stems the intent's other questions use.
        own_profile: how the intent's n-gram profile changes without it (None: it does not).
    """

    __slots__ = _fields = (
        "intent_index",
        "offset",
        "gone_features",
        "gone_words",
        "unasked_words",
        "own_weights",
        "ceilings",
        "own_words",
        "own_profile",
    )
    intent_index: int
    offset: int
    gone_features: frozenset[str]
    gone_words: frozenset[str]
    unasked_words: frozenset[str]
    own_weights: dict[str, float]
    ceilings: dict[str, float]
    own_words: frozenset[str]
    own_profile: Changed | None

    def __init__(
        self,
        intent_index: int,
        offset: int,
        gone_features: frozenset[str],
        gone_words: frozenset[str],
        unasked_words: frozenset[str],
        own_weights: dict[str, float],
        ceilings: dict[str, float],
        own_words: frozenset[str],
        own_profile: Changed | None,
    ) -> None:
        set_field(self, "intent_index", intent_index)
        set_field(self, "offset", offset)
        set_field(self, "gone_features", gone_features)
        set_field(self, "gone_words", gone_words)
        set_field(self, "unasked_words", unasked_words)
        set_field(self, "own_weights", own_weights)
        set_field(self, "ceilings", ceilings)
        set_field(self, "own_words", own_words)
        set_field(self, "own_profile", own_profile)


class LeaveOneOut:
    """Makes a `Without` for any stored question of one index.

    Building it reads every stored question once (what each intent's questions hold, and how
    many intents and answers use each word); each `without` then costs about as much as the
    question has terms, however large its intent.
    """

    def __init__(self, index: Index) -> None:
        self._index = index
        first = index.intent_first_question
        ends = [*first[1:], len(index.question_text)]
        # Each intent's feature counts and how many of its questions use each stem: what the
        # index was built from, which it does not keep.
        self._feature_counts: list[Counter[str]] = []
        self._stem_counts: list[Counter[str]] = []
        for start, end in zip(first, ends, strict=True):
            stems = index.question_stems[start:end]
            self._feature_counts.append(Counter(chain.from_iterable(map(features, stems))))
            self._stem_counts.append(Counter(chain.from_iterable(index.question_sets[start:end])))
        lengths = [sum(counts.values()) for counts in self._feature_counts]
        self._lengths = lengths
        self._average = sum(lengths) / max(len(lengths), 1) or 1.0
        # How many intents' questions use each word, and how many documents (intents'
        # questions, answers) hold it: a word in one only is gone with its last question.
        self._asked_by: Counter[str] = Counter(chain.from_iterable(index.intent_sets))
        self._documents: Counter[str] = self._asked_by + Counter(
            chain.from_iterable(index.answer_sets)
        )
        # How many questions use each word as typed (normalised): the speller's vocabulary.
        self._typed_by: Counter[str] = Counter(
            chain.from_iterable(set(normalized_words(text)) for text in index.question_text)
        )
        # The best weight of each term among the intents other than the one holding its
        # ceiling, worked out when first needed.
        self._second_ceiling: dict[str, float] = {}

    def forgotten(self, question_index: int) -> frozenset[str]:
        """The words, as typed, that only this stored question uses: without it, the speller
        would not know them."""
        words = normalized_words(self._index.question_text[question_index])
        return frozenset(word for word in words if self._typed_by[word] <= 1)

    def without(self, question_index: int, query_features: Sequence[str]) -> Without:
        """The changes leaving out one stored question (numbered over all intents, as
        `Hit.question_index`) makes, for a query with these features."""
        index = self._index
        intent_index = _intent_of(index.intent_first_question, question_index)
        offset = question_index - index.intent_first_question[intent_index]
        counts = self._feature_counts[intent_index]
        own = Counter(features(index.question_stems[question_index]))
        left = {term: counts[term] - times for term, times in own.items()}
        gone_features = frozenset(
            term for term, count in left.items() if count <= 0 and len(index.weights[term]) == 1
        )
        stems = self._stem_counts[intent_index]
        unasked_in_intent = {
            word for word in index.question_sets[question_index] if stems[word] <= 1
        }
        unasked = frozenset(word for word in unasked_in_intent if self._asked_by[word] <= 1)
        answer = index.answer_sets[intent_index]
        gone_words = frozenset(
            word for word in unasked if self._documents[word] <= 1 and word not in answer
        )
        own_weights = self._own_weights(intent_index, query_features, left, len(own))
        ceilings = {}
        for term in query_features:
            postings = index.weights.get(term)
            if postings is None or term in gone_features or intent_index not in postings:
                continue
            ceiling = index.ceiling[term]
            if postings[intent_index] >= ceiling:
                second = self._second(term)
                ceilings[term] = max(second, own_weights.get(term, 0.0), 0.0)
        own_words = index.intent_sets[intent_index] - unasked_in_intent
        profile = index.ngrams.without_question(intent_index, offset, index.intent_wordings)
        return Without(
            intent_index,
            offset,
            gone_features,
            gone_words,
            unasked,
            own_weights,
            ceilings,
            own_words,
            profile,
        )

    def _own_weights(
        self,
        intent_index: int,
        query_features: Sequence[str],
        left: dict[str, int],
        own_length: int,
    ) -> dict[str, float]:
        """The intent's weight for each query feature it still holds without the question: its
        weight, less its BM25 weight on the full counts, plus that on the counts left (so what
        sharpening added stays) and on the intent's shorter length."""
        index = self._index
        counts = self._feature_counts[intent_index]
        norm = _norm(self._lengths[intent_index], self._average)
        norm_left = _norm(self._lengths[intent_index] - own_length, self._average)
        weights = {}
        for term in query_features:
            postings = index.weights.get(term)
            weight = postings.get(intent_index) if postings is not None else None
            if weight is None:
                continue
            count = left.get(term, counts[term])
            if count <= 0:
                continue
            scale = index.idf[term] * (PAIR_WEIGHT if " " in term else 1.0)
            weights[term] = (
                weight - _bm25(counts[term], norm, scale) + _bm25(count, norm_left, scale)
            )
        return weights

    def _second(self, term: str) -> float:
        """The best weight of a term among all intents but the one holding its best."""
        found = self._second_ceiling.get(term)
        if found is None:
            postings = self._index.weights[term]
            best = max(postings, key=postings.__getitem__)
            found = max(
                (weight for intent, weight in postings.items() if intent != best), default=0.0
            )
            self._second_ceiling[term] = found  # benign race: the same value either way
        return found


def _intent_of(first_questions: Sequence[int], question_index: int) -> int:
    """The intent whose questions include the one numbered `question_index`."""
    return bisect_right(first_questions, question_index) - 1


def _norm(length: float, average: float) -> float:
    return K1 * (1.0 - B + B * length / average)


def _bm25(count: int, norm: float, scale: float) -> float:
    return scale * count * (K1 + 1.0) / (count + norm)
