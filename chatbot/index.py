"""The search index built once per knowledge base: term weights, postings and per-intent scoring."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from chatbot.intents import KnowledgeBase
from chatbot.text import Analyzer, normalize, stem

# Share of the final score given to character-level similarity (catches what terms miss).
FUZZY_WEIGHT = 0.25
# Share of the lexical score given to the intent taken as one document (all its questions).
INTENT_DOC_WEIGHT = 0.35
# Unknown query words at least this long are corrected to the closest vocabulary word.
MIN_TYPO_LENGTH = 4
TYPO_CUTOFF = 80.0
# Only this many best lexical candidates get the (costlier) character-level comparison.
FUZZY_CANDIDATES = 30


@dataclass(frozen=True)
class Query:
    """A question analysed against an index: typo-corrected words and their stemmed terms."""

    words: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """One intent's score for a query, with the question that scored best and why."""

    intent_index: int
    score: float
    question_index: int
    contributions: tuple[tuple[str, float], ...]


def _weights(counts: Counter[str], idf: dict[str, float], unknown: float) -> dict[str, float]:
    vector = {
        term: (1.0 + math.log(count)) * idf.get(term, unknown) for term, count in counts.items()
    }
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    if not norm:
        return {}
    return {term: weight / norm for term, weight in vector.items()}


class Index:
    """TF-IDF vectors of every question and every intent, with an inverted index over terms.

    Built once and never mutated, so one index serves any number of threads.
    """

    def __init__(
        self, knowledge: KnowledgeBase, analyzer: Analyzer, key_terms: frozenset[str] = frozenset()
    ) -> None:
        self.analyzer = analyzer
        self.question_intent: list[int] = []
        self.question_text: list[str] = []
        self.question_words: list[str] = []
        question_terms: list[Counter[str]] = []
        intent_terms: list[Counter[str]] = []
        for intent_index, intent in enumerate(knowledge.intents):
            together: Counter[str] = Counter()
            for question in intent.questions:
                counts = Counter(analyzer.terms(question))
                self.question_intent.append(intent_index)
                self.question_text.append(question)
                self.question_words.append(" ".join(analyzer.words(question)))
                question_terms.append(counts)
                together.update(counts)
            intent_terms.append(together)
        # Term weights come from how many intents use a term, not how many questions: an
        # intent with many wordings of one phrase must not make that phrase look common.
        document_frequency: Counter[str] = Counter()
        for counts in intent_terms:
            document_frequency.update(counts.keys())
        total = max(len(intent_terms), 1)
        self.idf = {
            term: math.log(1.0 + (total - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }
        # Terms the curator declared (synonym targets, entity phrases) are the subject matter:
        # however many intents use them, they never weigh less than a typical word.
        if self.idf and key_terms:
            floor = sorted(self.idf.values())[len(self.idf) // 2]
            for term in key_terms & self.idf.keys():
                self.idf[term] = max(self.idf[term], floor)
        # Typos are corrected on raw words, before synonyms, so "genrative ai" still
        # becomes the term "genai".
        self.vocabulary = sorted(
            {word for question in self.question_text for word in normalize(question).split()}
            | analyzer.variant_words()
        )
        self._known = frozenset(self.vocabulary)
        self._by_initial: dict[str, list[str]] = {}
        for word in self.vocabulary:
            self._by_initial.setdefault(word[0], []).append(word)
        # A word the knowledge base never uses weighs like its rarest word: it is strong
        # evidence that the question is about something else.
        self.unknown_idf = max(self.idf.values(), default=1.0)
        self.question_vectors = [_weights(counts, self.idf, 0.0) for counts in question_terms]
        self.intent_vectors = [_weights(counts, self.idf, 0.0) for counts in intent_terms]
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for question_index, vector in enumerate(self.question_vectors):
            for term, weight in vector.items():
                self.postings.setdefault(term, []).append((question_index, weight))

    def correct(self, word: str) -> str:
        """The vocabulary word closest to an unknown word, or the word itself."""
        if word in self._known or len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return word
        # Typos rarely hit the first letter; requiring it keeps "account" from becoming "count".
        candidates = self._by_initial.get(word[0], ())
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        return best[0] if best else word

    def analyze(self, text: str) -> Query:
        """Normalise, correct typos, apply synonyms and stem: the query as the index sees it."""
        words = self.analyzer.apply_synonyms(
            [self.correct(word) for word in normalize(text).split()]
        )
        return Query(" ".join(words), tuple(stem(word) for word in words))

    def search(self, query: Query, limit: int) -> list[Hit]:
        """Score intents for a query; best first, at most `limit`, only those sharing a term."""
        query_vector = _weights(Counter(query.terms), self.idf, self.unknown_idf)
        if not query_vector:
            return []
        dots: dict[int, float] = {}
        for term, weight in query_vector.items():
            for question_index, question_weight in self.postings.get(term, ()):
                dots[question_index] = dots.get(question_index, 0.0) + weight * question_weight
        best_question: dict[int, tuple[float, int]] = {}
        for question_index, dot in dots.items():
            intent_index = self.question_intent[question_index]
            if dot > best_question.get(intent_index, (-1.0, 0))[0]:
                best_question[intent_index] = (dot, question_index)
        lexical: list[tuple[float, int, int]] = []
        for intent_index, (dot, question_index) in best_question.items():
            intent_vector = self.intent_vectors[intent_index]
            intent_dot = sum(
                weight * intent_vector.get(term, 0.0) for term, weight in query_vector.items()
            )
            combined = (1 - INTENT_DOC_WEIGHT) * dot + INTENT_DOC_WEIGHT * intent_dot
            lexical.append((combined, intent_index, question_index))
        lexical.sort(key=lambda item: (-item[0], item[1]))
        hits = []
        for combined, intent_index, question_index in lexical[: max(limit, FUZZY_CANDIDATES)]:
            similarity = fuzz.token_sort_ratio(query.words, self.question_words[question_index])
            score = 100.0 * (1 - FUZZY_WEIGHT) * combined + FUZZY_WEIGHT * similarity
            vector = self.question_vectors[question_index]
            contributions = tuple(
                sorted(
                    (
                        (term, round(100.0 * weight * vector.get(term, 0.0), 1))
                        for term, weight in query_vector.items()
                    ),
                    key=lambda pair: -pair[1],
                )
            )
            hits.append(
                Hit(intent_index, min(100.0, max(0.0, score)), question_index, contributions)
            )
        hits.sort(key=lambda hit: (-hit.score, hit.intent_index))
        return hits[:limit]
