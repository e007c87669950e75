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
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from chatbot.intents import KnowledgeBase
from chatbot.matching.contrast import sharpen
from chatbot.matching.query import Query, features
from chatbot.matching.text import Analyzer, normalized_words, stem
from chatbot.policy import NO_ANSWER
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
# blended scores of the best candidates and of not answering (policy.NO_ANSWER), LEAD_SPREAD
# points apart counting e times more, candidates more than LEAD_WINDOW points behind the best
# left out. A question that fits several intents about equally, or none well (as out-of-scope
# questions often do), gets less of it.
LEAD_WEIGHT = 0.2
LEAD_SPREAD = 5.0
LEAD_WINDOW = 15.0
# Word pairs weigh this much relative to single words with the same BM25 weight.
PAIR_WEIGHT = 0.5
# An unknown word pair weighs this share of an unknown word (its words already count).
UNKNOWN_PAIR = 0.5


# Records rather than named tuples: generating the named tuples cost half a millisecond of
# every start (see chatbot/records.py).
class Hit(Record):
    """One intent's score for a query, with the question that scored best and what it took to
    explain the score (see `Index.contributions`)."""

    __slots__ = _fields = (
        "intent_index",
        "score",
        "question_index",
        "similarity",
        "lead",
        "attainable",
    )
    intent_index: int
    score: float
    question_index: int
    similarity: float
    lead: float
    attainable: float

    def __init__(
        self,
        intent_index: int,
        score: float,
        question_index: int,
        similarity: float,
        lead: float,
        attainable: float,
    ) -> None:
        set_field(self, "intent_index", intent_index)
        set_field(self, "score", score)
        set_field(self, "question_index", question_index)
        set_field(self, "similarity", similarity)
        set_field(self, "lead", lead)
        set_field(self, "attainable", attainable)


def _sorted_words(words: Sequence[str]) -> str:
    # Sorting makes the character-level comparison ignore word order ("flight book" ~ "book
    # flight"), the same idea as rapidfuzz's token_sort_ratio, paid once per stored question.
    return " ".join(sorted(words))


class Index:
    """BM25 weights of every term for every intent, with postings and stored wordings.

    Built once and never mutated, so one index serves any number of threads. Building runs in
    named steps: count the terms of every question, weigh them (BM25), sharpen the weights on
    the knowledge base's own questions, then set the bounds that searching relies on.
    """

    def __init__(
        self, knowledge: KnowledgeBase, analyzer: Analyzer, key_terms: frozenset[str] = frozenset()
    ) -> None:
        self.question_text: list[str] = []
        # Per intent: the first question's global index and each question's sorted words.
        self.intent_first_question: list[int] = []
        self.intent_wordings: list[list[str]] = []
        # Every normalised word the questions use (before synonyms): what typos are corrected to.
        self.words: frozenset[str] = frozenset()
        intent_counts, question_terms = self._count(knowledge, analyzer)
        self.intent_count = len(intent_counts)
        document_frequency: Counter[str] = Counter()
        for counts in intent_counts:
            document_frequency.update(counts.keys())
        self.idf = self._inverse_frequencies(document_frequency, key_terms)
        norms = self._weigh(intent_counts, document_frequency)
        scales = {
            term: value * (PAIR_WEIGHT if " " in term else 1.0) for term, value in self.idf.items()
        }
        sharpen(self.weights, question_terms, intent_counts, norms, scales)
        self._set_bounds(document_frequency)

    def _count(
        self, knowledge: KnowledgeBase, analyzer: Analyzer
    ) -> tuple[list[Counter[str]], list[tuple[int, list[str]]]]:
        """Each intent's term counts and each question's terms; fills the stored wordings."""
        intent_counts: list[Counter[str]] = []
        question_terms: list[tuple[int, list[str]]] = []
        vocabulary: set[str] = set()
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
        self.words = frozenset(vocabulary)
        return intent_counts, question_terms

    def _inverse_frequencies(
        self, document_frequency: Counter[str], key_terms: frozenset[str]
    ) -> dict[str, float]:
        """Each term's BM25 idf, from how many intents use it (not how many questions: an
        intent with many wordings of one phrase must not make that phrase look common)."""
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
        return idf

    def _weigh(
        self, intent_counts: Sequence[Counter[str]], document_frequency: Counter[str]
    ) -> list[float]:
        """Set every term's BM25 weight in every intent using it; return each intent's length
        normalisation (which sharpening needs too)."""
        idf = self.idf
        lengths = [sum(counts.values()) for counts in intent_counts]
        average = sum(lengths) / max(self.intent_count, 1) or 1.0
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
        return norms

    def _set_bounds(self, document_frequency: Counter[str]) -> None:
        """What a term can add at most, what an unknown word costs, and which terms are too
        common to find candidates by."""
        # A term's best weight bounds what it can add; learned weights can be negative.
        # (What max(0.0, *postings.values()) gives, without unpacking every row into a call.)
        self.ceiling: dict[str, float] = {}
        for term, postings in self.weights.items():
            best = max(postings.values())
            self.ceiling[term] = best if best > 0.0 else 0.0
        # A word the knowledge base never uses weighs like its rarest word at full strength:
        # it is strong evidence that the question is about something else.
        self.unknown_weight = max(self.idf.values(), default=1.0) * (K1 + 1.0)
        common = max(COMMON_MIN_INTENTS, COMMON_SHARE * self.intent_count)
        self.common = frozenset(term for term, df in document_frequency.items() if df > common)

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
        wording = _sorted_words(query.words)
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
        hits = []
        for blend, intent_index, position, similarity in blended:
            lead = clarity * max(0.0, blend) / best if best > 0 else 0.0
            score = (1.0 - LEAD_WEIGHT) * blend + LEAD_WEIGHT * lead
            hits.append(
                Hit(
                    intent_index,
                    min(100.0, max(0.0, score)),
                    self.intent_first_question[intent_index] + position,
                    similarity,
                    lead,
                    attainable,
                )
            )
        hits.sort(key=lambda hit: (-hit.score, hit.intent_index))
        return hits[:limit]

    def contributions(self, query: Query, hit: Hit) -> tuple[tuple[str, float], ...]:
        """Points each query term added to a hit (pairs split between their words), then the
        points the closest stored wording added (WORDING) and the lead over the other intents
        (LEAD). Worked out only when asked: most hits are never explained."""
        points: dict[str, float] = dict.fromkeys(query.terms, 0.0)
        share = 1.0 - LEAD_WEIGHT
        scale = share * 100.0 * (1.0 - WORDING_WEIGHT) / hit.attainable
        for term in query.features:
            weight = self.weights.get(term, {}).get(hit.intent_index, 0.0)
            if not weight:
                continue
            words = term.split(" ")
            for word in words:
                points[word] += scale * weight / len(words)
        ranked = sorted(points.items(), key=lambda pair: -pair[1])
        return (
            *((term, round(value, 1)) for term, value in ranked),
            (WORDING, round(share * WORDING_WEIGHT * hit.similarity, 1)),
            (LEAD, round(LEAD_WEIGHT * hit.lead, 1)),
        )
