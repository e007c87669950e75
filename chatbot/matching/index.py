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

import contextlib
import gc
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import reduce
from itertools import islice, repeat
from operator import add, itemgetter, neg
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from chatbot.intents import KnowledgeBase
from chatbot.matching.confidence import Familiarity
from chatbot.matching.contrast import sharpen
from chatbot.matching.function_words import FUNCTION_WORDS
from chatbot.matching.ngrams import NgramProfiles
from chatbot.matching.query import Query, features
from chatbot.matching.text import Analyzer, normalized_words, stem
from chatbot.records import Record, set_field

if TYPE_CHECKING:
    from chatbot.matching.left_out import Without

# BM25 term-frequency saturation and length normalisation, intents taken as documents.
K1 = 3.0
B = 0.75
# Only this many best intents by coverage are weighed on all the evidence: with few questions
# per intent the right one is often further down (FEW), with many the coverage finds it (MANY).
WORDING_CANDIDATES_FEW, WORDING_CANDIDATES_MANY = 10, 5
# When collecting candidate intents, terms used by more than this share of intents (and at
# least this many) are skipped; they are still scored for the candidates found by rarer terms.
COMMON_SHARE = 0.2
COMMON_MIN_INTENTS = 50
# The evidence each candidate intent is weighed by, as shares of its evidence score (0 to 100):
# - coverage: the BM25 weight of the question's terms and word pairs that the intent's
#   questions hold, as a share of the most any intent could hold;
# - known: the share of the weight of the question's known words that its questions use;
# - reverse: the share of the closest stored question's word weight the question uses, so a
#   lone word that merely occurs in an intent makes no confident match;
# - answer: the weight of the question's words found only in the intent's answer (and
#   `more`), where FAQs keep the words people ask with;
# - characters: character n-gram similarity to the intent's questions;
# - wording: the rapidfuzz ratio of the closest stored wording.
# Few questions per intent leave gaps that answers and n-grams bridge (morphology, typos,
# compounds); with many, the wordings themselves are the better guide. So the shares move from
# FEW to MANY as the knowledge base's questions per intent grow from FEW_QUESTIONS to
# MANY_QUESTIONS (log scale). Channels a knowledge base lacks (no answers) leave their share to
# the others. The shares were fitted on the development splits of CLINC150, HWU64 and
# StackFAQ: one set for every knowledge base.
CHANNEL_SHARES_FEW = (0.17, 0.09, 0.09, 0.28, 0.27, 0.10)
CHANNEL_SHARES_MANY = (0.50, 0.0, 0.0, 0.20, 0.0, 0.50)
FEW_QUESTIONS, MANY_QUESTIONS = 10.0, 60.0
# The names of the evidence that no single word carries, in a hit's contributions (terms
# never have spaces or parentheses).
WORDING = "(closest wording)"
CHARACTERS = "(characters)"
# At most this many stored questions of an intent are compared word by word: those closest
# by characters (rapidfuzz), so that intents with a hundred wordings cost no more than five.
REVERSE_QUESTIONS = 5
# Intents with more questions than this compare the query's wording only with this many of
# them: those sharing the most of its rarest words.
WORDINGS_COMPARED = 200
# Queries whose terms' posting lists hold fewer intents than this are summed in full; longer
# ones are pruned (see `Index._best_totals`), starting from the intents of the shortest lists,
# until there are this many times the intents wanted.
PRUNE_POSTINGS = 400
SHORT_POSTINGS = 50
SEED_SHARE = 2
# How generous the pruning bounds are, relative to the totals: far above the rounding error of
# a sum of a query's terms, far below any difference that matters.
BOUND_SLACK = 1e-9
# Function words ("me", "how", "the") weigh this share of what their rarity would give.
FUNCTION_WORD_WEIGHT = 0.5
# A word only answers use counts this much towards a question's familiarity.
ANSWER_WORD_SHARE = 0.5
# Word pairs weigh this much relative to single words with the same BM25 weight.
PAIR_WEIGHT = 0.5


# Records rather than named tuples: generating the named tuples cost half a millisecond of
# every start (see chatbot/records.py).
class Hit(Record):
    """One intent's evidence for a query: its score, the stored question that fits it best, and
    what the score is made of (see `Index.contributions`).

    Attributes:
        intent_index: the intent's position in the knowledge base.
        score: the evidence score, 0 to 100: the weighted sum of the channels.
        question_index: the stored question (over all intents) that fits the query best.
        channels: each channel's value, 0 to 1, in the order of `CHANNELS`.
        attainable: the most BM25 weight the query's terms could carry in any intent.
        shared: how many of the query's content words (not function words) the intent's
            questions or answer use.
    """

    __slots__ = _fields = (
        "intent_index",
        "score",
        "question_index",
        "channels",
        "attainable",
        "shared",
    )
    intent_index: int
    score: float
    question_index: int
    channels: tuple[float, ...]
    attainable: float
    shared: int

    def __init__(
        self,
        intent_index: int,
        score: float,
        question_index: int,
        channels: tuple[float, ...],
        attainable: float,
        shared: int = 0,
    ) -> None:
        set_field(self, "intent_index", intent_index)
        set_field(self, "score", score)
        set_field(self, "question_index", question_index)
        set_field(self, "channels", channels)
        set_field(self, "attainable", attainable)
        set_field(self, "shared", shared)


CHANNELS = ("coverage", "known", "reverse", "answer", "characters", "wording")


def _many_of(questions: int, intents: int) -> float:
    """How far a knowledge base is from "few" (0) towards "many" (1) questions per intent."""
    per_intent = questions / max(intents, 1)
    if per_intent <= FEW_QUESTIONS:
        return 0.0
    if per_intent >= MANY_QUESTIONS:
        return 1.0
    return math.log(per_intent / FEW_QUESTIONS) / math.log(MANY_QUESTIONS / FEW_QUESTIONS)


def _many(knowledge: KnowledgeBase) -> float:
    return _many_of(sum(len(intent.questions) for intent in knowledge), len(knowledge.intents))


def is_content_word(term: str) -> bool:
    """Whether a term says what a question is about: not a function word, nor one or two letters."""
    return len(term) > 2 and term not in FUNCTION_WORDS


def _familiarity_weight(term: str) -> float:
    return 1.0 if is_content_word(term) else FUNCTION_WORD_WEIGHT


def _total(postings: Sequence[dict[int, float]], intent_index: int) -> float:
    """An intent's total over some terms' postings, summed in their order as `_accumulate` does
    (the same rounding, so the same ties)."""
    # Plain additions left to right in C (not `sum`, which compensates rounding on Python
    # 3.12+); a term the intent lacks adds 0.0, which leaves any total as it was.
    return reduce(add, map(dict.get, postings, repeat(intent_index), repeat(0.0)), 0.0)


def _best_of(totals: dict[int, float], wanted: int) -> list[int]:
    """The `wanted` best intents by total, ties to the intent declared first (what sorting by
    (-total, index) and cutting would give, without sorting every intent in the running;
    (total, -index) pairs compare in C, where a key function would cost a call each)."""
    best = heapq.nlargest(wanted, zip(totals.values(), map(neg, totals), strict=True))
    return [-negated for _, negated in best]


def _own_total(without: Without, terms: Iterable[str]) -> float:
    """The left-out question's intent's total over some terms, through `without`."""
    own_weights = without.own_weights
    return reduce(add, (own_weights.get(term, 0.0) for term in terms), 0.0)


def _set_own_total(totals: dict[int, float], without: Without, terms: list[str]) -> None:
    """Put the left-out question's intent's total over the search terms in `totals`, if it
    is there: dropped when none of those terms is still its own."""
    own = without.intent_index
    if own in totals:
        held = [without.own_weights[term] for term in terms if term in without.own_weights]
        if held:
            totals[own] = reduce(add, held, 0.0)
        else:
            del totals[own]


# One question as the index reads it: its normalised words, those words with synonyms applied,
# their stems (as a list and as a set), its features, and its words sorted.
_Analysed = tuple[list[str], list[str], list[str], frozenset[str], list[str], str]


class _Analyses:
    """What `shared_analysis` remembers: questions and answers as one synonym table reads them."""

    def __init__(self) -> None:
        self.synonyms: Mapping[str, tuple[str, ...]] | None = None
        self.questions: dict[str, _Analysed] = {}
        self.answers: dict[str, frozenset[str]] = {}

    def of(self, synonyms: Mapping[str, tuple[str, ...]]) -> _Analyses | None:
        """Itself, when its analyses were made with these synonyms (or it has none yet)."""
        if self.synonyms is None:
            self.synonyms = synonyms
        return self if synonyms == self.synonyms else None


_shared: _Analyses | None = None


@contextlib.contextmanager
def shared_analysis() -> Iterator[None]:
    """Within it, indexes built on knowledge bases with the same synonyms analyse each distinct
    question and answer once (normalising, synonyms, stemming, word pairs), not once per index:
    what `chatbot check` needs, which builds a dozen indexes of nearly the same questions. The
    analysis is a function of the text and the synonyms alone (an index reads with the analyzer
    of its knowledge base's synonyms), so the indexes are the same."""
    global _shared
    if _shared is not None:  # within an outer one: share its analyses
        yield
        return
    _shared = _Analyses()
    try:
        yield
    finally:
        _shared = None


def _sorted_words(words: Sequence[str]) -> str:
    # Sorting makes the character-level comparison ignore word order ("flight book" ~ "book
    # flight"), the same idea as rapidfuzz's token_sort_ratio, paid once per stored question.
    return " ".join(sorted(words))


def _analyse(question: str, analyzer: Analyzer) -> _Analysed:
    raw = normalized_words(question)
    words = analyzer.apply_synonyms(raw)
    stems = list(map(stem, words))
    return raw, words, stems, frozenset(stems), features(stems), _sorted_words(words)


class Index:
    """BM25 weights of every term for every intent, with postings and stored wordings.

    Built once and never mutated, so one index serves any number of threads. Building runs in
    named steps: count the terms of every question, weigh them (BM25), sharpen the weights on
    the knowledge base's own questions, then set the bounds that searching relies on.
    """

    def __init__(
        self, knowledge: KnowledgeBase, analyzer: Analyzer, key_terms: frozenset[str] = frozenset()
    ) -> None:
        # Building makes millions of objects and frees almost none: the cyclic collector would
        # walk them again and again for nothing (a third of the time on 60,000 questions).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(knowledge, analyzer, key_terms)
        finally:
            if collecting:
                gc.enable()

    def _build(
        self, knowledge: KnowledgeBase, analyzer: Analyzer, key_terms: frozenset[str]
    ) -> None:
        """Count, weigh and sharpen the terms, then set the bounds searching relies on."""
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
        self._set_channel_weights()

    def _count(
        self, knowledge: KnowledgeBase, analyzer: Analyzer
    ) -> tuple[list[Counter[str]], list[tuple[int, list[str]]]]:
        """Each intent's term counts and each question's terms; fills the stored wordings."""
        intent_counts: list[Counter[str]] = []
        question_terms: list[tuple[int, list[str]]] = []
        vocabulary: set[str] = set()
        self.question_sets: list[frozenset[str]] = []
        # Each question's stemmed words in order (what entity values are found in).
        self.question_stems: list[list[str]] = []
        self.intent_sets: list[frozenset[str]] = []
        # For intents of more than WORDINGS_COMPARED questions: which of them use each stem.
        self.intent_rows: dict[int, dict[str, list[int]]] = {}
        self.answer_sets: list[frozenset[str]] = []
        intent_words: list[list[list[str]]] = []
        shared = _shared.of(knowledge.synonyms) if _shared is not None else None
        analysed = shared.questions if shared is not None else None
        answers = shared.answers if shared is not None else None
        for intent_index, intent in enumerate(knowledge.intents):
            # All the intent's terms, counted once at the end: one Counter call per intent
            # rather than one per question (each call pays for a generic Mapping check).
            intent_terms: list[str] = []
            wordings: list[str] = []
            questions_words: list[list[str]] = []
            self.intent_first_question.append(len(self.question_text))
            for question in intent.questions:
                found = analysed.get(question) if analysed is not None else None
                if found is None:
                    found = _analyse(question, analyzer)
                    if analysed is not None:
                        analysed[question] = found
                raw, words, stems, stem_set, terms, wording = found
                vocabulary.update(raw)
                questions_words.append(words)
                self.question_stems.append(stems)
                self.question_sets.append(stem_set)
                intent_terms += terms
                question_terms.append((intent_index, terms))
                wordings.append(wording)
                self.question_text.append(question)
            intent_counts.append(Counter(intent_terms))
            self.intent_wordings.append(wordings)
            intent_words.append(questions_words)
            first = self.intent_first_question[-1]
            self.intent_sets.append(frozenset().union(*self.question_sets[first:]))
            if len(wordings) > WORDINGS_COMPARED:
                rows: dict[str, list[int]] = {}
                for offset, used in enumerate(self.question_sets[first:]):
                    for term in used:
                        rows.setdefault(term, []).append(offset)
                self.intent_rows[intent_index] = rows
            answer = " ".join(filter(None, (intent.answer, intent.more)))
            answer_terms = answers.get(answer) if answers is not None else None
            if answer_terms is None:
                answer_terms = frozenset(
                    map(stem, analyzer.apply_synonyms(normalized_words(answer)))
                )
                if answers is not None:
                    answers[answer] = answer_terms
            self.answer_sets.append(answer_terms)
        self.words = frozenset(vocabulary)
        # With many questions per intent the n-grams weigh nothing: not worth building.
        self.ngrams = NgramProfiles(intent_words if _many(knowledge) < 1.0 else [])
        # Word weights for the word-overlap evidence: how many intents use a word in their
        # questions, and how many in their answers, as separate documents (the answers' words
        # say which words are common in this domain, which a few questions cannot).
        df: Counter[str] = Counter()
        documents = len(self.intent_sets)
        for used in self.intent_sets:
            df.update(used)
        for answer_terms in self.answer_sets:
            if answer_terms:
                df.update(answer_terms)
                documents += 1
        self.word_weight = {
            term: math.log(1.0 + (documents - count + 0.5) / (count + 0.5))
            * (FUNCTION_WORD_WEIGHT if term in FUNCTION_WORDS else 1.0)
            for term, count in df.items()
        }
        self.unknown_word_weight = math.log(1.0 + (documents + 0.5) / 0.5)
        self.asked_words = frozenset().union(*self.intent_sets)
        # Words most intents' questions use: the knowledge base's subject ("llm" in a FAQ about
        # LLMs), which says little about which entry a question is for.
        asked_df: Counter[str] = Counter()
        for used in self.intent_sets:
            asked_df.update(used)
        half = len(self.intent_sets) / 2
        self.subject_words = frozenset(term for term, count in asked_df.items() if count > half)
        # fsum over sets, here and in search: a set's order follows the process's hash seed,
        # a plain sum's rounding follows the order, and on a tie that rounding picked which
        # question matched, so two replicas of one knowledge base could disagree.
        self.question_totals = [
            math.fsum(map(self.word_weight.__getitem__, terms)) or 1.0
            for terms in self.question_sets
        ]
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
        # The same products in the same order as idf * count * (K1 + 1) / (count + norm), with
        # the constant and the pairs' scale looked up once (this loop meets every posting).
        saturation = K1 + 1.0
        pair_weight = PAIR_WEIGHT
        for intent_index, (norm, counts) in enumerate(zip(norms, intent_counts, strict=True)):
            for term, count in counts.items():
                weight = idf[term] * count * saturation / (count + norm)
                if " " in term:
                    weight *= pair_weight
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
        self.missing_weight = max(self.idf.values(), default=1.0) * (K1 + 1.0)
        common = max(COMMON_MIN_INTENTS, COMMON_SHARE * self.intent_count)
        self.common = frozenset(term for term, df in document_frequency.items() if df > common)

    def _set_channel_weights(self) -> None:
        """The weight of each evidence channel for this knowledge base (see CHANNELS)."""
        self.many = many = _many_of(len(self.question_text), self.intent_count)
        self.candidates = round(
            WORDING_CANDIDATES_FEW + many * (WORDING_CANDIDATES_MANY - WORDING_CANDIDATES_FEW)
        )
        weights = [
            few + many * (lots - few)
            for few, lots in zip(CHANNEL_SHARES_FEW, CHANNEL_SHARES_MANY, strict=True)
        ]
        if not any(self.answer_sets):
            weights[3] = 0.0
        total = sum(weights)
        self.channel_weights = tuple(weight / total for weight in weights)

    def _candidates(
        self, query: Query, limit: int, without: Without | None = None
    ) -> tuple[list[int], dict[int, float], float]:
        """The intents worth scoring, their BM25 totals, and the most the query could score
        (read through `without`, when given: see `chatbot.matching.left_out`)."""
        found = query.features
        if without is not None:
            found = tuple(term for term in found if term not in without.gone_features)
        attainable = self._attainable(found, without)
        rare, common = self._rare_and_common(found)
        wanted = max(limit, self.candidates)
        if without is None:
            totals = self._best_totals(rare or common, wanted)
        else:
            # One more than wanted: the question's own intent may fall behind without it.
            totals = self._best_totals(rare or common, wanted + 1)
            _set_own_total(totals, without, rare or common)
        candidates = _best_of(totals, wanted)
        if rare:
            self._add_common(common, [totals], candidates)
            if without is not None and without.intent_index in candidates:
                totals[without.intent_index] = _own_total(without, rare + common)
        return candidates, totals, attainable

    def _candidates_with_and_without(
        self, query: Query, limit: int, without: Without
    ) -> tuple[tuple[list[int], dict[int, float], float], ...] | None:
        """`_candidates` for the index as it is and through `without`, from one search of the
        postings (the totals differ only for the left-out question's intent); None when the
        two would search by different terms."""
        found = query.features
        gone = without.gone_features
        rare, common = self._rare_and_common(found)
        kept = [term for term in rare if term not in gone]
        if rare and not kept:
            return None
        attainable = self._attainable(found, None)
        attainable_without = self._attainable(
            tuple(term for term in found if term not in gone), without
        )
        wanted = max(limit, self.candidates)
        # One more than wanted: the question's own intent may fall behind without it.
        totals = self._best_totals(rare or common, wanted + 1)
        as_stored = left_out = _best_of(totals, wanted)
        own = without.intent_index
        if own in totals:
            total = totals[own]
            _set_own_total(totals, without, kept or common)
            left_out = _best_of(totals, wanted)
            totals[own] = total
        stored_totals = {intent_index: totals[intent_index] for intent_index in as_stored}
        left_out_totals = {intent_index: totals[intent_index] for intent_index in left_out}
        if rare:
            self._add_common(common, [stored_totals, left_out_totals])
        if own in left_out_totals:
            left_out_totals[own] = _own_total(without, kept + common)
        return (
            (as_stored, stored_totals, attainable),
            (left_out, left_out_totals, attainable_without),
        )

    def _attainable(self, found: Sequence[str], without: Without | None) -> float:
        """The most a query with these features could score: every feature at its best weight
        in any intent (through `without`, whose question may have held some best weights).
        (Words the knowledge base never uses count in `familiarity`, not here: the evidence
        for an intent is how well it explains what the knowledge base can read.)"""
        ceiling = self.ceiling
        if without is None:
            return sum(ceiling[term] for term in found if term in ceiling) or 1.0
        changed = without.ceilings
        return sum(changed.get(term, ceiling[term]) for term in found if term in ceiling) or 1.0

    def _rare_and_common(self, found: Sequence[str]) -> tuple[list[str], list[str]]:
        """The features candidates are found by, and the common ones they are only scored by."""
        weights, common = self.weights, self.common
        return (
            [term for term in found if term in weights and term not in common],
            [term for term in found if term in common],
        )

    def _add_common(
        self,
        common: list[str],
        totals: list[dict[int, float]],
        candidates: Sequence[int] | None = None,
    ) -> None:
        """Add the common features' weights to the totals of the candidates (by default, of
        every intent in each totals)."""
        weights = self.weights
        for term in common:
            postings = weights[term]
            for values in totals:
                for intent_index in values if candidates is None else candidates:
                    values[intent_index] += postings.get(intent_index, 0.0)

    def _best_totals(self, terms: list[str], wanted: int) -> dict[int, float]:
        """The BM25 totals of the intents using one of the terms that can be among the `wanted`
        best: every such intent, each total exactly as `_accumulate` sums it (so the best and
        their order are the same), but intents that cannot make it are mostly not summed.

        Walking every posting list costs as much as the terms have intents, and terms of middle
        frequency have thousands in a large knowledge base. So (the "max score" idea of search
        engines): the best totals of the intents found by the rarest terms set a bar; the terms
        whose best weights together stay below it cannot lift an intent over it on their own,
        so only the other terms' intents are candidates, and those whose total over these
        terms plus the most the rest could add stays below the bar are dropped unsummed.
        """
        weights = self.weights
        postings = [weights[term] for term in terms]
        if sum(map(len, postings)) <= PRUNE_POSTINGS:
            return self._accumulate(terms)
        # The short lists are read in full: the intents using the query's rarer terms, among
        # which the best usually are. Their best few, summed exactly, set the bar.
        partial: dict[int, float] = {}
        ceiling = self.ceiling
        long = []
        for term, found in zip(terms, postings, strict=True):
            if len(found) > SHORT_POSTINGS:
                long.append((ceiling[term], found))
                continue
            for intent_index, weight in found.items():
                partial[intent_index] = partial.get(intent_index, 0.0) + weight
        seeds = heapq.nlargest(wanted * SEED_SHARE, partial, key=partial.__getitem__)
        for _, found in sorted(long, key=lambda pair: len(pair[1])):
            if len(seeds) >= wanted * SEED_SHARE:
                break
            seeds += islice(
                (intent_index for intent_index in found if intent_index not in partial),
                wanted * SEED_SHARE - len(seeds),
            )
        if len(seeds) < wanted:
            return self._accumulate(terms)
        totals = {intent_index: _total(postings, intent_index) for intent_index in seeds}
        best = heapq.nlargest(wanted, totals.values())
        bar = best[-1]
        # Rounding differs with the order of a sum: bounds are kept a hair generous.
        slack = BOUND_SLACK * (1.0 + abs(bar) + sum(ceiling[term] for term in terms))
        # Which long lists to leave out of the candidate search: as many intents as possible
        # for the least weight, so the lists of the least weight per intent first.
        rest = 0.0
        skipped = []
        for top, found in sorted(long, key=lambda pair: pair[0] / len(pair[1])):
            if rest + top < bar - slack:
                rest += top
                skipped.append((top, found))
            else:
                for intent_index, weight in found.items():
                    partial[intent_index] = partial.get(intent_index, 0.0) + weight
        # The left-out terms that could add the most are looked up first.
        skipped.sort(key=itemgetter(0), reverse=True)
        # The candidates in order of what they could reach, each summed exactly until none
        # left can reach the `wanted`-th best total found. (Which of those with equal bounds
        # comes first does not matter: the walk stops only at bounds below every total kept;
        # so the intents are sorted by a key read in C, not as (bound, intent) pairs.)
        heapq.heapify(best)
        for intent_index in sorted(partial, key=partial.__getitem__, reverse=True):
            bound = partial[intent_index] + rest
            if bound < best[0] - slack:
                break
            if intent_index in totals:
                continue
            # Looking the intent up in the left-out terms' lists tightens its bound, which
            # mostly drops it before all of them are read.
            upper = bound
            for top, found in skipped:
                upper += found.get(intent_index, 0.0) - top
                if upper < best[0] - slack:
                    break
            else:
                total = totals[intent_index] = _total(postings, intent_index)
                if total > best[0]:
                    heapq.heapreplace(best, total)
        return totals

    def _accumulate(self, terms: list[str]) -> dict[int, float]:
        """The BM25 totals of every intent using one of the terms."""
        weights = self.weights
        totals: dict[int, float] = {}
        for term in terms:
            for intent_index, weight in weights[term].items():
                totals[intent_index] = totals.get(intent_index, 0.0) + weight
        return totals

    def _unknown_weight(self, term: str) -> float:
        """What a word no question or answer uses weighs: as much as the rarest known word
        (less for a function word)."""
        weight = self.unknown_word_weight
        return weight * FUNCTION_WORD_WEIGHT if term in FUNCTION_WORDS else weight

    def familiarity(self, query: Query, without: Without | None = None) -> Familiarity:
        """How well the knowledge base knows the query's words (see `Familiarity`), read
        through `without` when given (see `chatbot.matching.left_out`)."""
        # Each distinct word counts once, whatever its rarity (a FAQ about LLMs uses "llm" in
        # every entry, and it is still the surest sign of a question about its subject), but a
        # function word or a word of one or two letters counts FUNCTION_WORD_WEIGHT.
        unique = set(query.terms)
        asked = set(unique & self.asked_words)
        known = set(unique & self.word_weight.keys())
        ceiling = self.ceiling
        held_terms = [term for term in query.features if term in ceiling]
        changed: dict[str, float] = {}
        if without is not None:
            asked -= without.unasked_words
            known -= without.gone_words
            held_terms = [term for term in held_terms if term not in without.gone_features]
            changed = without.ceilings
        weight = _familiarity_weight
        total = sum(map(weight, unique))
        # Words only the answers use count half: answers hold many words people never ask with.
        known_weight = sum(map(weight, asked)) + ANSWER_WORD_SHARE * sum(map(weight, known - asked))
        # Terms and pairs the index holds, against those it does not, each of those weighing
        # like a rare word at full strength: strong evidence of another subject.
        held = sum(changed.get(term, ceiling[term]) for term in held_terms)
        missing = self.missing_weight * sum(
            PAIR_WEIGHT if " " in term else 1.0
            for term in set(query.features).difference(held_terms)
        )
        return Familiarity(
            known_weight / total if total else 0.0,
            held / (held + missing) if held + missing else 0.0,
            len(query.words),
            sum(_familiarity_weight(term) == 1.0 for term in known),
            len(self.question_text) / max(self.intent_count, 1),
            sum(_familiarity_weight(term) == 1.0 for term in unique),
        )

    def search(self, query: Query, limit: int, without: Without | None = None) -> list[Hit]:
        """Score intents for a query; best first, at most `limit`, only those sharing a term.
        With `without`, as if one stored question were not there (see
        `chatbot.matching.left_out`)."""
        return self.search_each(query, limit, (without,))[0]

    def search_each(
        self, query: Query, limit: int, views: Sequence[Without | None]
    ) -> list[list[Hit]]:
        """`search` once for each of `views` (None for the index as it is), sharing the work
        they have in common: an intent's evidence is the same in every view but the one that
        leaves out one of its questions, apart from the totals it is divided by."""
        if not query.features or limit <= 0:
            return [[] for _ in views]
        word_weight = self.word_weight
        found = {term: word_weight[term] for term in query.terms if term in word_weight}
        wording = _sorted_words(query.words)
        w_coverage, w_known, w_reverse, w_answer, w_characters, w_wording = self.channel_weights
        # Channels this knowledge base gives no weight to are not worked out at all.
        ngram_vector = self.ngrams.vector(query.words) if w_characters else None
        compared = REVERSE_QUESTIONS if w_reverse else 1
        # What each intent's evidence holds before it is divided by the query's totals, for
        # the intents as stored: the same in every view (the words a view leaves out are in
        # no other intent's questions or answer).
        evidence: dict[int, tuple[int, float, float, float, float, float, int]] = {}
        content = {term for term in found if _familiarity_weight(term) == 1.0}
        shared_candidates = None
        if len(views) == 2 and views[0] is None and views[1] is not None:
            shared_candidates = self._candidates_with_and_without(query, limit, views[1])
        results = []
        for number, without in enumerate(views):
            if shared_candidates is not None:
                candidates, totals, attainable = shared_candidates[number]
            else:
                candidates, totals, attainable = self._candidates(query, limit, without)
            known = found
            own = -1
            if without is not None:
                own = without.intent_index
                if not without.gone_words.isdisjoint(found):
                    known = {
                        term: weight
                        for term, weight in found.items()
                        if term not in without.gone_words
                    }
            known_total = sum(known.values()) or 1.0
            unknown = set(query.terms).difference(known)
            all_total = known_total + math.fsum(map(self._unknown_weight, unknown))
            hits = []
            for intent_index in candidates:
                if intent_index == own:
                    parts = self._evidence(
                        intent_index, wording, known, content, compared, ngram_vector, without
                    )
                elif intent_index in evidence:
                    parts = evidence[intent_index]
                else:
                    parts = evidence[intent_index] = self._evidence(
                        intent_index, wording, known, content, compared, ngram_vector, None
                    )
                question_index, wording_similarity, reverse, used, answered, characters, shared = (
                    parts
                )
                channels = (
                    totals[intent_index] / attainable,
                    used / known_total,
                    reverse,
                    answered / all_total,
                    characters,
                    wording_similarity,
                )
                score = 100.0 * (
                    w_coverage * channels[0]
                    + w_known * channels[1]
                    + w_reverse * reverse
                    + w_answer * channels[3]
                    + w_characters * characters
                    + w_wording * wording_similarity
                )
                hits.append(
                    Hit(
                        intent_index,
                        min(100.0, max(0.0, score)),
                        question_index,
                        channels,
                        attainable,
                        shared,
                    )
                )
            hits.sort(key=lambda hit: (-hit.score, hit.intent_index))
            results.append(hits[:limit])
        return results

    def _evidence(
        self,
        intent_index: int,
        wording: str,
        known: dict[str, float],
        content: set[str],
        compared: int,
        ngram_vector: tuple[tuple[str, ...], tuple[float, ...]] | None,
        without: Without | None,
    ) -> tuple[int, float, float, float, float, float, int]:
        """An intent's evidence for a query, before the query's totals divide it: the stored
        question it matched, the closest wording's similarity (0 to 1), the reverse share, the
        weight of the known words its questions use and of those only its answer uses, the
        n-gram similarity, and how many of the query's `content` words (known words that are
        not function words) it uses. With `without`, as if that question (one of the
        intent's own) were not stored."""
        first = self.intent_first_question[intent_index]
        skipped = without.offset if without is not None else -1
        closest = self._closest_wordings(intent_index, wording, known, compared, skipped)
        wording_similarity, position = (closest[0][1], closest[0][2]) if closest else (0.0, 0)
        # A set, not the dict's keys view: `frozenset & keys` walks the whole frozenset, and
        # an intent's word set can be large; `frozenset & set` walks the smaller side.
        known_terms = set(known)
        weigh = known.__getitem__
        # The stored question whose words the query covers best (the closest by characters
        # on a tie) is the one it matched.
        reverse = 0.0
        if self.channel_weights[2]:
            for _, _, offset in closest:
                shared = self.question_sets[first + offset] & known_terms
                part = math.fsum(map(weigh, shared)) / self.question_totals[first + offset]
                if part > reverse:
                    reverse, position = part, offset
        words = without.own_words if without is not None else self.intent_sets[intent_index]
        used = words & known_terms
        answer = self.answer_sets[intent_index]
        answered = (answer & known_terms) - used if self.channel_weights[3] else ()
        characters = (
            self.ngrams.similarity(
                ngram_vector, intent_index, without.own_profile if without is not None else None
            )
            if ngram_vector
            else 0.0
        )
        return (
            first + position,
            wording_similarity / 100.0,
            reverse,
            math.fsum(map(weigh, used)),
            math.fsum(map(weigh, answered)),
            characters,
            len((used | (answer & content)) & content),
        )

    def _closest_wordings(
        self,
        intent_index: int,
        wording: str,
        known: dict[str, float],
        limit: int,
        skipped: int = -1,
    ) -> list[tuple[str, float, int]]:
        """The intent's stored wordings closest to the query's by characters, as rapidfuzz's
        (wording, similarity, offset in the intent), the one at offset `skipped` left out. An
        intent with more than WORDINGS_COMPARED questions has only those sharing the query's
        rarest words compared, so one huge intent costs no more than a few ordinary ones."""
        wordings = self.intent_wordings[intent_index]
        rows = self.intent_rows.get(intent_index)
        if rows is None:
            if skipped < 0:
                return process.extract(wording, wordings, scorer=fuzz.ratio, limit=limit)
            kept = wordings[:skipped] + wordings[skipped + 1 :]
            return [
                (text, similarity, position + (position >= skipped))
                for text, similarity, position in process.extract(
                    wording, kept, scorer=fuzz.ratio, limit=limit
                )
            ]
        shared: dict[int, float] = {}
        for term in sorted(known, key=known.__getitem__, reverse=True):
            using = rows.get(term, ())
            # A word most of the questions use tells them apart no better than by chance.
            if shared and len(using) > COMMON_SHARE * len(wordings):
                continue
            weight = known[term]
            for offset in using:
                shared[offset] = shared.get(offset, 0.0) + weight
            shared.pop(skipped, None)
            if len(shared) >= WORDINGS_COMPARED:
                break
        offsets = (
            heapq.nlargest(WORDINGS_COMPARED, shared, key=shared.__getitem__)
            or [offset for offset in range(WORDINGS_COMPARED + 1) if offset != skipped][
                :WORDINGS_COMPARED
            ]
        )
        found = process.extract(
            wording, [wordings[offset] for offset in offsets], scorer=fuzz.ratio, limit=limit
        )
        return [(text, similarity, offsets[position]) for text, similarity, position in found]

    def contributions(self, query: Query, hit: Hit) -> tuple[tuple[str, float], ...]:
        """Points each query term added to a hit's evidence score, largest first, then those of
        the character n-grams (CHARACTERS) and of the closest stored wording (WORDING). Worked
        out only when asked: most hits are never explained."""
        coverage, known, reverse, answer, characters, wording = self.channel_weights
        points: dict[str, float] = dict.fromkeys(query.terms, 0.0)
        intent_index = hit.intent_index
        scale = 100.0 * coverage / hit.attainable
        for term in query.features:
            weight = self.weights.get(term, {}).get(intent_index, 0.0)
            if weight:
                words = term.split(" ")
                for word in words:
                    points[word] += scale * weight / len(words)
        word_weight = self.word_weight
        unique = list(dict.fromkeys(query.terms))
        known_words = [(term, word_weight[term]) for term in unique if term in word_weight]
        known_total = sum(weight for _, weight in known_words) or 1.0
        all_total = known_total + self.unknown_word_weight * (len(unique) - len(known_words))
        used = self.intent_sets[intent_index]
        stored = self.question_sets[hit.question_index]
        stored_total = self.question_totals[hit.question_index]
        for term, weight in known_words:
            if term in used:
                points[term] += 100.0 * known * weight / known_total
            elif term in self.answer_sets[intent_index]:
                points[term] += 100.0 * answer * weight / all_total
            if term in stored:
                points[term] += 100.0 * reverse * weight / stored_total
        ranked = sorted(points.items(), key=lambda pair: -pair[1])
        channels = hit.channels
        return (
            *((term, round(value, 1)) for term, value in ranked),
            (CHARACTERS, round(100.0 * characters * channels[4], 1)),
            (WORDING, round(100.0 * wording * channels[5], 1)),
        )
