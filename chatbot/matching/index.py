"""The search index built once per knowledge base: term weights, postings and per-intent scoring.

Each intent is scored as one document made of all its questions (BM25 weights over words and
word pairs, then sharpened on the knowledge base's own questions by `contrast`), which is what
separates intents best; the few best intents are then compared character by character
(words sorted) with their closest stored question, which settles near ties and names the
question that matched. Scores are calibrated shares (0 to 100) so that one threshold works
across knowledge bases: the share of the question's weight the intent explains, how close its
nearest stored wording is, and how clearly the question points at one intent rather than at
several or at none.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import pairwise

from rapidfuzz import fuzz, process

from chatbot.intents import KnowledgeBase
from chatbot.matching.contrast import sharpen
from chatbot.matching.entities import value_phrases
from chatbot.matching.text import Analyzer, normalized_words, stem
from chatbot.records import Record, set_field

# BM25 term-frequency saturation and length normalisation, intents taken as documents.
K1 = 3.0
B = 0.75
# Share of the score given to the closest stored wording (the rest: the intent's coverage).
WORDING_WEIGHT = 0.5
# Only this many best intents by coverage are compared with their stored wordings.
WORDING_CANDIDATES = 5
# When collecting candidate intents, terms used by more than this share of intents (and at
# least this many) are skipped; they are still scored for the candidates found by rarer terms.
COMMON_SHARE = 0.2
COMMON_MIN_INTENTS = 50
# The names of the wording's and the lead's shares in a hit's contributions (never terms:
# terms have no spaces).
WORDING = "(closest wording)"
LEAD = "(clear lead)"
# Share of the score given to how clearly the question points at one intent: a softmax over the
# blended scores of the best candidates and of not answering (NO_ANSWER, the blend at the
# default threshold), LEAD_SPREAD points apart counting e times more, candidates more than
# LEAD_WINDOW points behind the best left out. A question that fits several intents about
# equally, or none well (as out-of-scope questions often do), gets less of it.
LEAD_WEIGHT = 0.2
LEAD_SPREAD = 5.0
NO_ANSWER = 40.0
LEAD_WINDOW = 15.0
# Word pairs weigh this much relative to single words with the same BM25 weight.
PAIR_WEIGHT = 0.5
# An unknown word pair weighs this share of an unknown word (its words already count).
UNKNOWN_PAIR = 0.5
# Unknown query words at least this long are corrected to the closest vocabulary word.
MIN_TYPO_LENGTH = 4
TYPO_CUTOFF = 80.0
# A known word is read as a declared word only when closer than that: "jobs" is "job", but
# "data" stays "data" rather than becoming "date".
RESPELL_CUTOFF = 85.0
# Bound on the per-index typo cache, so a stream of junk words cannot grow it forever.
CACHE_LIMIT = 50_000


# Records rather than named tuples: generating the named tuples cost half a millisecond of
# every start (see chatbot/records.py).
class Query(Record):
    """A question analysed against an index: typo-corrected words, stemmed terms, features."""

    __slots__ = _fields = ("words", "terms", "features")
    words: str
    terms: tuple[str, ...]
    features: tuple[str, ...]

    def __init__(self, words: str, terms: tuple[str, ...], features: tuple[str, ...] = ()) -> None:
        set_field(self, "words", words)
        set_field(self, "terms", terms)
        set_field(self, "features", features)


class Hit(Record):
    """One intent's score for a query, with the question that scored best and why."""

    __slots__ = _fields = ("intent_index", "score", "question_index", "contributions")
    intent_index: int
    score: float
    question_index: int
    contributions: tuple[tuple[str, float], ...]

    def __init__(
        self,
        intent_index: int,
        score: float,
        question_index: int,
        contributions: tuple[tuple[str, float], ...],
    ) -> None:
        set_field(self, "intent_index", intent_index)
        set_field(self, "score", score)
        set_field(self, "question_index", question_index)
        set_field(self, "contributions", contributions)


def features(terms: tuple[str, ...] | list[str]) -> list[str]:
    """Terms and adjacent term pairs ("book flight"): pairs keep some word order."""
    # map over str.join runs in C; a generator of f-strings costs a Python frame per pair.
    return [*terms, *map(" ".join, pairwise(terms))]


def _sorted_words(words: list[str]) -> str:
    # Sorting makes the character-level comparison ignore word order ("flight book" ~ "book
    # flight"), the same idea as rapidfuzz's token_sort_ratio, paid once per stored question.
    return " ".join(sorted(words))


class Index:
    """BM25 weights of every term for every intent, with postings and stored wordings.

    Built once and never mutated (apart from a cache of typo corrections), so one index
    serves any number of threads.
    """

    def __init__(
        self, knowledge: KnowledgeBase, analyzer: Analyzer, key_terms: frozenset[str] = frozenset()
    ) -> None:
        self.analyzer = analyzer
        self.question_text: list[str] = []
        # Per intent: the first question's global index and each question's sorted words.
        self.intent_first_question: list[int] = []
        self.intent_wordings: list[list[str]] = []
        intent_counts: list[Counter[str]] = []
        question_terms: list[tuple[int, list[str]]] = []
        # The words the curator declared: synonym variants and the phrases naming entity
        # values. They are known words even when no question uses them ("both" must stay
        # "both", not become "bot").
        declared: set[str] = set(analyzer.variant_words())
        for _, _, phrase in value_phrases(knowledge.entities):
            declared.update(normalized_words(phrase))
        self._declared = frozenset(declared)
        self._declared_by_initial: dict[str, list[str]] = {}
        for word in sorted(declared):
            self._declared_by_initial.setdefault(word[0], []).append(word)
        vocabulary = set(declared)
        for intent_index, intent in enumerate(knowledge.intents):
            # All the intent's terms, counted once at the end: one Counter call per intent
            # rather than one per question (each call pays for a generic Mapping check).
            intent_terms: list[str] = []
            wordings: list[str] = []
            self.intent_first_question.append(len(self.question_text))
            for question in intent.questions:
                raw = normalized_words(question)
                vocabulary.update(raw)
                words = analyzer.apply_synonyms(raw)
                terms = features(list(map(stem, words)))
                intent_terms += terms
                question_terms.append((intent_index, terms))
                wordings.append(_sorted_words(words))
                self.question_text.append(question)
            intent_counts.append(Counter(intent_terms))
            self.intent_wordings.append(wordings)
        self.intent_count = len(intent_counts)

        # Weights come from how many intents use a term, not how many questions: an intent
        # with many wordings of one phrase must not make that phrase look common.
        document_frequency: Counter[str] = Counter()
        for counts in intent_counts:
            document_frequency.update(counts.keys())
        total = max(self.intent_count, 1)
        # A term's weight depends on its count alone, and counts repeat: one logarithm per count.
        by_count = {
            df: math.log(1.0 + (total - df + 0.5) / (df + 0.5))
            for df in set(document_frequency.values())
        }
        idf = {term: by_count[df] for term, df in document_frequency.items()}
        # Terms the curator declared (synonym targets, entity phrases) are the subject matter:
        # however many intents use them, they never weigh less than a typical word.
        if idf and key_terms:
            floor = sorted(idf.values())[len(idf) // 2]
            for term in key_terms & idf.keys():
                idf[term] = max(idf[term], floor)
        self.idf = idf
        lengths = [sum(counts.values()) for counts in intent_counts]
        average = sum(lengths) / total or 1.0
        # Terms in the order the loop below first meets them, as document_frequency has them.
        weights: dict[str, dict[int, float]] = {term: {} for term in document_frequency}
        norms = [K1 * (1.0 - B + B * length / average) for length in lengths]
        for intent_index, counts in enumerate(intent_counts):
            norm = norms[intent_index]
            for term, count in counts.items():
                weight = idf[term] * count * (K1 + 1.0) / (count + norm)
                if " " in term:
                    weight *= PAIR_WEIGHT
                weights[term][intent_index] = weight
        self.weights = weights
        scales = {
            term: value * (PAIR_WEIGHT if " " in term else 1.0) for term, value in idf.items()
        }
        sharpen(self.weights, question_terms, intent_counts, norms, scales)
        # A term's best weight bounds what it can add; learned weights can be negative.
        # (What max(0.0, *postings.values()) gives, without unpacking every row into a call.)
        self.ceiling = {}
        for term, postings in self.weights.items():
            best = max(postings.values())
            self.ceiling[term] = best if best > 0.0 else 0.0
        # A word the knowledge base never uses weighs like its rarest word at full strength:
        # it is strong evidence that the question is about something else.
        self.unknown_weight = max(idf.values(), default=1.0) * (K1 + 1.0)
        common = max(COMMON_MIN_INTENTS, COMMON_SHARE * self.intent_count)
        self.common = frozenset(term for term, df in document_frequency.items() if df > common)

        # Typos are corrected on raw words, before synonyms, so "genrative ai" still
        # becomes the term "genai".
        self.vocabulary = sorted(vocabulary)
        self._known = frozenset(self.vocabulary)
        self._by_initial: dict[str, list[str]] = {}
        for word in self.vocabulary:
            self._by_initial.setdefault(word[0], []).append(word)
        self._corrections: dict[str, str] = {}

    def correct(self, word: str) -> str:
        """The vocabulary word closest to an unknown word, or the word itself.

        A word that questions use but that misspells a declared word (a curator's typo
        variant, such as "generativ") is read as the declared word, so that it still names
        the synonym or entity value its correct spelling names.
        """
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return word
        known = word in self._known
        if known and (word in self._declared or word[0] not in self._declared_by_initial):
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        # Typos rarely hit the first letter; requiring it keeps "account" from becoming "count".
        if known:
            candidates = self._declared_by_initial[word[0]]
            cutoff = RESPELL_CUTOFF
        else:
            candidates = self._by_initial.get(word[0], [])
            cutoff = TYPO_CUTOFF
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        corrected = best[0] if best else word
        if len(self._corrections) < CACHE_LIMIT:
            self._corrections[word] = corrected
        return corrected

    def analyze(self, text: str, keep: frozenset[str] = frozenset()) -> Query:
        """Normalise, correct typos (except in words of `keep`), apply synonyms and stem: the
        query as the index sees it."""
        words = self.analyzer.apply_synonyms(
            [word if word in keep else self.correct(word) for word in normalized_words(text)]
        )
        terms = tuple(stem(word) for word in words)
        return Query(" ".join(words), terms, tuple(dict.fromkeys(features(terms))))

    def search(self, query: Query, limit: int) -> list[Hit]:
        """Score intents for a query; best first, at most `limit`, only those sharing a term."""
        if not query.features or limit <= 0:
            return []
        weights = self.weights
        # The most the query could score: every feature at its best weight in any intent.
        attainable = sum(
            self.ceiling.get(term, self.unknown_weight * (UNKNOWN_PAIR if " " in term else 1.0))
            for term in query.features
        )
        rare = [term for term in query.features if term in weights and term not in self.common]
        common = [term for term in query.features if term in self.common]
        totals: dict[int, float] = {}
        for term in rare or common:
            for intent_index, weight in weights[term].items():
                totals[intent_index] = totals.get(intent_index, 0.0) + weight
        if not totals:
            return []
        candidates = sorted(totals, key=lambda index: (-totals[index], index))
        candidates = candidates[: max(limit, WORDING_CANDIDATES)]
        if rare:
            for term in common:
                postings = weights[term]
                for intent_index in candidates:
                    totals[intent_index] += postings.get(intent_index, 0.0)
        wording = _sorted_words(query.words.split())
        blended = []
        for intent_index in candidates:
            closest = process.extractOne(
                wording, self.intent_wordings[intent_index], scorer=fuzz.ratio
            )
            similarity, position = (closest[1], closest[2]) if closest else (0.0, 0)
            coverage = totals[intent_index] / attainable
            blend = 100.0 * (1.0 - WORDING_WEIGHT) * coverage + WORDING_WEIGHT * similarity
            blended.append((blend, intent_index, position, similarity))
        # How clearly the question points at one intent: the best intent's share of a softmax
        # over the blends of the intents first found and NO_ANSWER, the blend at which answering
        # is no better than not answering. Each intent gets it in proportion to its blend, so
        # the gaps between intents stay those of their blends. Intents found first are the same
        # few whatever `limit` is, and those far behind (which a pruned search may not find at
        # all) are left out, so a score depends on neither.
        first = [blend for blend, *_ in blended[:WORDING_CANDIDATES]]
        peak = max(NO_ANSWER, *first)
        best = max(first)
        mass = math.exp((NO_ANSWER - peak) / LEAD_SPREAD) + sum(
            math.exp((blend - peak) / LEAD_SPREAD) for blend in first if blend >= peak - LEAD_WINDOW
        )
        clarity = 100.0 * math.exp((best - peak) / LEAD_SPREAD) / mass
        scored = []
        for blend, intent_index, position, similarity in blended:
            lead = clarity * max(0.0, blend) / best if best > 0 else 0.0
            score = (1.0 - LEAD_WEIGHT) * blend + LEAD_WEIGHT * lead
            scored.append((min(100.0, max(0.0, score)), intent_index, position, similarity, lead))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [
            Hit(
                intent_index,
                score,
                self.intent_first_question[intent_index] + position,
                self._contributions(query, intent_index, attainable, similarity, lead),
            )
            for score, intent_index, position, similarity, lead in scored[:limit]
        ]

    def _contributions(
        self, query: Query, intent_index: int, attainable: float, similarity: float, lead: float
    ) -> tuple[tuple[str, float], ...]:
        """Points each query term added (pairs split between their words), then the points
        the closest stored wording added (WORDING) and the lead over the other intents (LEAD)."""
        points: dict[str, float] = dict.fromkeys(query.terms, 0.0)
        share = 1.0 - LEAD_WEIGHT
        scale = share * 100.0 * (1.0 - WORDING_WEIGHT) / attainable
        for term in query.features:
            weight = self.weights.get(term, {}).get(intent_index, 0.0)
            if not weight:
                continue
            words = term.split(" ")
            for word in words:
                points[word] += scale * weight / len(words)
        ranked = sorted(points.items(), key=lambda pair: -pair[1])
        return (
            *((term, round(value, 1)) for term, value in ranked),
            (WORDING, round(share * WORDING_WEIGHT * similarity, 1)),
            (LEAD, round(LEAD_WEIGHT * lead, 1)),
        )
