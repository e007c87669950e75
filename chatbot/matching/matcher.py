"""Map a question to the intents that answer it, best first, with scores that explain themselves."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from chatbot.intents import Intent, KnowledgeBase
from chatbot.matching.calibration import (
    CALIBRATION_FILE,
    MIN_INTENTS,
    Calibration,
    cached,
    choose_threshold,
    fingerprint,
    held_out_questions,
    off_topic_messages,
    remember,
)
from chatbot.matching.confidence import Familiarity, clarity, confidence
from chatbot.matching.entities import EntityFinder, by_entity, value_phrases
from chatbot.matching.index import Hit, Index, is_content_word
from chatbot.matching.query import Query, QueryReader
from chatbot.matching.speller import Speller
from chatbot.matching.text import Analyzer, normalized_words, stem
from chatbot.policy import DEFAULT_THRESHOLD
from chatbot.records import Record, set_field

if TYPE_CHECKING:
    from chatbot.matching.left_out import LeaveOneOut, Without

__all__ = ["DEFAULT_THRESHOLD", "Match", "Matcher"]

# The few best intents by evidence that clarity is judged among.
CLARITY_CANDIDATES = 5

# When a question names one value of an entity (subject: llm), intents declaring that value
# gain a little and intents declaring another value of the same entity lose more: naming the
# other subject is strong evidence against them.
SLOT_AGREES = 3.0
SLOT_CONFLICTS = -12.0
# An entity value at least this share of an intent's questions name (and none contradicts)
# counts as one of its slots when scoring.
IMPLIED_SLOT_SHARE = 0.75
# How many candidates are re-scored with entity agreement before the cut (when there are
# entities: without them the index's own order is final).
CANDIDATES = 10
# Calibrations worked out in this process, by knowledge base fingerprint (bounded: a long-lived
# server reloading ever-changing files must not grow it forever).
_CALIBRATIONS: dict[str, Calibration] = {}
CALIBRATIONS_KEPT = 256
# What a score keeps when the knowledge base knows none of the question's content words.
UNKNOWN_SUBJECT = 0.5
# The name of the step from evidence to score in contributions.
CONFIDENCE = "(confidence)"


def checked_threshold(threshold: object) -> float:
    """The threshold as a float, once it is known to be a number from 0 to 100.

    Raises:
        TypeError: when it is not a number (a bool is not).
        ValueError: when it is outside 0 to 100.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold must be a number, got {type(threshold).__name__}")
    if not 0 <= threshold <= 100:  # NaN fails this too
        raise ValueError(f"threshold must be from 0 to 100, got {threshold!r}")
    return float(threshold)


def _shown(score: float) -> float:
    """A score as a match gives it: within 0 to 100, to two decimals."""
    return round(min(100.0, max(0.0, score)), 2)


class Match(Record):
    """An intent found for a question.

    Attributes:
        intent: the intent matched.
        score: 0 to 100, higher is better.
        question: the stored question of the intent that matched best.
        contributions: (term, points) pairs: how much each query term added, largest first,
            then the closest wording's, the clear lead's and each entity slot's points.
            Worked out on first use, since most matches are never explained.
    """

    __slots__ = ("_contributions", "_explain", "intent", "question", "score")
    _fields = ("intent", "score", "question", "contributions")
    intent: Intent
    score: float
    question: str
    _contributions: tuple[tuple[str, float], ...] | None
    _explain: Callable[[], tuple[tuple[str, float], ...]] | None

    def __init__(
        self,
        intent: Intent,
        score: float,
        question: str,
        contributions: tuple[tuple[str, float], ...] | None = None,
        *,
        explain: Callable[[], tuple[tuple[str, float], ...]] | None = None,
    ) -> None:
        set_field(self, "intent", intent)
        set_field(self, "score", score)
        set_field(self, "question", question)
        set_field(self, "_contributions", contributions)
        set_field(self, "_explain", explain)

    @property
    def contributions(self) -> tuple[tuple[str, float], ...]:
        """(term, points) pairs explaining the score (see the class docstring)."""
        found = self._contributions
        if found is None:
            found = self._explain() if self._explain is not None else ()
            # Benign race: two threads asking at once both compute the same tuple.
            set_field(self, "_contributions", found)
            set_field(self, "_explain", None)
        return found


def declared_words(knowledge: KnowledgeBase, analyzer: Analyzer) -> set[str]:
    """The words the curator declared: synonym variants and the phrases naming entity values.
    They are known words even when no question uses them."""
    declared = set(analyzer.variant_words())
    for _, _, phrase in value_phrases(knowledge.entities):
        declared.update(normalized_words(phrase))
    return declared


class Matcher:
    """Ranks a knowledge base's intents for free-text questions.

    Immutable once built, so one matcher can be shared by any number of threads: its
    attributes are read-only (setting one raises AttributeError), and what it works out on
    first use (the calibrated threshold, implied slots) comes out the same in any thread.

    Example:
        >>> from chatbot import Matcher, load_intents
        >>> matcher = Matcher(load_intents("intents/"))
        >>> matcher.match("what's an llm").intent.id
        'llm_definition'
    """

    knowledge: KnowledgeBase
    analyzer: Analyzer
    entities: EntityFinder
    _index: Index
    _threshold: float | None
    _calibration: Calibration | None
    _cache_dir: str | None
    _source: str
    _reader: QueryReader
    _slots: dict[int, dict[str, str]]
    _positions: dict[str, int]
    _leave_one_out: LeaveOneOut | None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Matcher is immutable: cannot set '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Matcher is immutable: cannot delete '{name}'")

    def __init__(
        self,
        intents: KnowledgeBase | Iterable[Intent],
        *,
        threshold: float | None = None,
        cache_dir: str | None = None,
    ) -> None:
        set_field(self, "knowledge", KnowledgeBase.of(intents))
        self._set_threshold(threshold, cache_dir)
        set_field(self, "analyzer", Analyzer(self.knowledge.synonyms))
        set_field(self, "entities", EntityFinder(self.knowledge.entities, self.analyzer))
        key_terms = frozenset(
            stem(word) for canonical in self.knowledge.synonyms for word in canonical.split()
        )
        set_field(self, "_index", Index(self.knowledge, self.analyzer, key_terms))
        self._finish()

    @classmethod
    def _restored(
        cls,
        knowledge: KnowledgeBase,
        index: Index,
        slots: dict[int, dict[str, str]],
        *,
        threshold: float | None = None,
        cache_dir: str | None = None,
    ) -> Matcher:
        """A matcher around an index built before (see `chatbot.matching.snapshot`)."""
        matcher = cls.__new__(cls)
        set_field(matcher, "knowledge", knowledge)
        matcher._set_threshold(threshold, cache_dir)
        set_field(matcher, "analyzer", Analyzer(knowledge.synonyms))
        set_field(matcher, "entities", EntityFinder(knowledge.entities, matcher.analyzer))
        set_field(matcher, "_index", index)
        matcher._finish()
        matcher._slots.update(slots)
        return matcher

    def _set_threshold(self, threshold: float | None, cache_dir: str | None) -> None:
        # The threshold in force and where it came from; a calibrated one is worked out on
        # first use (see chatbot.matching.calibration), since ranking alone never needs it.
        set_field(self, "_calibration", None)
        set_field(self, "_cache_dir", cache_dir)
        if threshold is not None:
            set_field(self, "_threshold", checked_threshold(threshold))
            set_field(self, "_source", "argument")
        elif self.knowledge.threshold is not None:
            set_field(self, "_threshold", checked_threshold(self.knowledge.threshold))
            set_field(self, "_source", "settings")
        else:
            set_field(self, "_threshold", None)
            set_field(self, "_source", "calibrated")

    def _finish(self) -> None:
        speller = Speller(self._index.words, declared_words(self.knowledge, self.analyzer))
        set_field(self, "_reader", QueryReader(self.analyzer, speller, self.entities))
        # Each intent's slots for scoring, declared or implied, worked out when first needed.
        set_field(self, "_slots", {})
        positions = {intent.id: index for index, intent in enumerate(self.knowledge.intents)}
        set_field(self, "_positions", positions)
        set_field(self, "_leave_one_out", None)

    @property
    def threshold(self) -> float:
        """The score below which the bot says it does not know: the `threshold=` argument, else
        the knowledge base's setting, else calibrated on the knowledge base itself."""
        if self._threshold is None:
            # Benign race: two threads calibrating at once reach the same threshold.
            calibration = self._cached_calibration()
            set_field(self, "_calibration", calibration)
            set_field(self, "_threshold", calibration.threshold)
            return calibration.threshold
        return self._threshold

    @property
    def threshold_source(self) -> str:
        """Where the threshold came from: "argument", "settings", "calibrated", or "default"
        (a knowledge base too small, or with too many questions per intent, to calibrate)."""
        if self._source != "calibrated":
            return self._source
        self.threshold  # noqa: B018 (calibrates on first use)
        calibration = self._calibration
        return "default" if calibration is None or not calibration.off_topic else "calibrated"

    @property
    def calibration(self) -> Calibration | None:
        """How the threshold was calibrated, or None when it was given."""
        if self._source == "calibrated":
            self.threshold  # noqa: B018 (calibrates on first use)
        return self._calibration

    def _cached_calibration(self) -> Calibration:
        # Remembered for the life of the process (a reloaded or second bot on the same
        # knowledge base calibrates once), and between runs in the cache file if there is one.
        key = fingerprint(self.knowledge)
        found = _CALIBRATIONS.get(key)
        if found is not None:
            return found
        path = os.path.join(self._cache_dir, CALIBRATION_FILE) if self._cache_dir else None
        found = cached(path, key) if path is not None else None
        if found is None:
            found = self.calibrate()
            if path is not None:
                remember(path, key, found)
        if len(_CALIBRATIONS) < CALIBRATIONS_KEPT:
            _CALIBRATIONS[key] = found
        return found

    def calibrate(self) -> Calibration:
        """Work out the threshold this knowledge base should have (see
        `chatbot.matching.calibration`), whatever threshold is in force."""
        trust = 1.0 - self._index.many
        # Many questions per intent: held-out questions nearly always keep a near twin, and say
        # little about new ones. Very few intents: the samples say little at all. Either way,
        # the default.
        if not trust or len(self.knowledge.intents) < MIN_INTENTS:
            return Calibration(DEFAULT_THRESHOLD, 0, None, 0, 0.0)
        held_out = []
        for intent_index, position in held_out_questions(self.knowledge):
            intent = self.knowledge.intents[intent_index]
            best = self.rank_left_out(intent.id, position, limit=1)
            right = bool(best) and best[0].intent.id == intent.id
            held_out.append((best[0].score if best else 0.0, right))
        off_topic = []
        for message in off_topic_messages():
            best = self.rank(message, limit=1)
            off_topic.append(best[0].score if best else 0.0)
        return choose_threshold(held_out, off_topic, trust=trust)

    def read(self, text: str, *, keep: frozenset[str] = frozenset()) -> Query:
        """`text` as the matcher reads it: normalised, typos corrected (except the words in
        `keep`), synonyms applied, stemmed, entity values found. Read a message once and hand
        the query to `rank` and `match` as often as needed.

        Example:
            >>> matcher.read("and generativ ai?").words
            ('and', 'genai')
        """
        return self._reader.read(text, keep)

    def words(self, text: str, *, keep: frozenset[str] = frozenset()) -> list[str]:
        """The words of `read(text)` as a list: normalised, typos corrected, synonyms applied."""
        return list(self.read(text, keep=keep).words)

    def rank(self, question: str | Query, limit: int = 5) -> list[Match]:
        """The best `limit` intents for a question (text, or a query from `read`), best first;
        empty when nothing shares a word."""
        if limit <= 0:
            return []
        if isinstance(question, str):
            query = self.read(question)
        elif isinstance(question, Query):
            query = question
        else:
            raise TypeError(
                f"rank() takes the question as a str or a Query, got {type(question).__name__}"
            )
        return self._rank(query, limit)

    def rank_left_out(self, intent_id: str, position: int, limit: int = 5) -> list[Match]:
        """Rank one of the stored questions (the intent's `position`-th) as if it were not
        stored: what the matcher built without it would answer, which is how `chatbot check`
        tests each question, without building a matcher per question.

        Only the knowledge base's statistics are left as they are (a term's rarity, the
        weights learned from the questions, the speller's words): one question among many
        moves them little (see `chatbot.matching.left_out`).

        Raises:
            KeyError: for an unknown intent id.
            IndexError: for a position the intent's questions do not have.
        """
        return self.rank_stored(intent_id, position, 0, left_out=limit)[1]

    def rank_stored(
        self, intent_id: str, position: int, limit: int = 5, *, left_out: int | None = None
    ) -> tuple[list[Match], list[Match]]:
        """One of the stored questions ranked as it is stored (what `rank` gives, `limit`
        matches) and as if it were not (what `rank_left_out` gives, `left_out` matches,
        default `limit`), sharing the work the two have in common: what `chatbot check` asks
        of every question.

        Raises:
            KeyError: for an unknown intent id.
            IndexError: for a position the intent's questions do not have.
        """
        intent_index = self._positions[intent_id]
        questions = self.knowledge.intents[intent_index].questions
        if not 0 <= position < len(questions):
            raise IndexError(f"intent '{intent_id}' has no question {position}")
        if left_out is None:
            left_out = limit
        if left_out <= 0:
            return (self.rank(questions[position], limit) if limit > 0 else []), []
        leave_one_out = self._left_out_view()
        number = self._index.intent_first_question[intent_index] + position
        text = questions[position]
        forgotten = leave_one_out.forgotten(number)
        query = self._reader.read(text, forget=forgotten)
        without = leave_one_out.without(number, query.features)
        wanted = self._searched(max(limit, left_out))
        if limit <= 0:
            hits = self._index.search(query, wanted, without)
            return [], self._scored(query, hits, left_out, without)
        as_stored = self._reader.read(text) if forgotten else query
        if as_stored.words != query.words:
            # Read otherwise without the question's own words: nothing to share.
            hits = self._index.search(query, wanted, without)
            return self._rank(as_stored, limit), self._scored(query, hits, left_out, without)
        found, hits = self._index.search_each(query, wanted, (None, without))
        return self._scored(query, found, limit), self._scored(query, hits, left_out, without)

    def prepare(self, *, left_out: bool = False) -> None:
        """Do now what ranking otherwise does when first needed (each intent's n-gram profile,
        and with `left_out` what `rank_left_out` needs): processes forked afterwards share it
        rather than each doing it again."""
        self._index.ngrams.build_all()
        if left_out:
            self._left_out_view()

    def _left_out_view(self) -> LeaveOneOut:
        leave_one_out = self._leave_one_out
        if leave_one_out is None:
            # Imported here: only curators' tools need it, and `chatbot ask` starts without it.
            from chatbot.matching.left_out import LeaveOneOut

            # Benign race: two threads making one each make the same.
            leave_one_out = LeaveOneOut(self._index)
            set_field(self, "_leave_one_out", leave_one_out)
        return leave_one_out

    def _rank(self, query: Query, limit: int) -> list[Match]:
        hits = self._index.search(query, self._searched(limit))
        return self._scored(query, hits, limit)

    def _searched(self, limit: int) -> int:
        """How many hits to score for `limit` matches: at least the few best that a score's
        lead and clarity are judged among, so that a score does not depend on `limit` (the
        bot's answer, `match` and `rank(limit=5)` agree), and with entities, the candidates
        that agreeing or conflicting slots may reorder."""
        return max(limit, CANDIDATES if self.entities else CLARITY_CANDIDATES)

    def _scored(
        self, query: Query, hits: list[Hit], limit: int, without: Without | None = None
    ) -> list[Match]:
        """The best `limit` of the hits as matches, each scored as a chance of being right
        (read through `without`, when the hits were)."""
        if not hits:
            return []
        mentions = by_entity(query.mentions)
        # Slots score only against entity values the question names: naming none, it needs no
        # intent's slots (working those out reads every question of the intent).
        slot_points = [self._slot_points(hit, mentions) if mentions else [] for hit in hits]
        evidence = [
            hit.score + sum(points for _, points in slots)
            for hit, slots in zip(hits, slot_points, strict=True)
        ]
        order = sorted(range(len(hits)), key=lambda k: -evidence[k])
        first = order[0]
        best, runner_up = (
            evidence[first],
            max((value for k, value in enumerate(evidence) if k != first), default=0.0),
        )
        familiar = self._index.familiarity(query, without)
        # Clarity looks at the few best whatever `limit` is, so a score does not depend on it.
        ranked = sorted(evidence, reverse=True)[:CLARITY_CANDIDATES]
        clear = clarity(ranked) if best > 0 else 0.0
        many = self._index.many
        if many:
            direct = self._direct_scores(hits, slot_points, familiar)
        scored = []
        for k in order:
            lead = evidence[k] - (runner_up if k == first else best)
            share = clear * max(0.0, evidence[k]) / best if best > 0 else 0.0
            # The best match's shared words for all, so scores keep the order of the evidence.
            score = confidence(evidence[k], lead, share, hits[first].shared, familiar)
            if many:
                score = (1.0 - many) * score + many * direct[k]
            if familiar.content and not familiar.known:
                # None of the words saying what the question is about ("legs", "spider") is
                # known here: what it has in common with any intent is grammar.
                score *= UNKNOWN_SUBJECT
            scored.append((k, score))
        if many:
            # The direct scores may order the few best differently from the evidence (by the
            # score as a match shows it).
            scored.sort(key=lambda pair: -_shown(pair[1]))
        # Only the matches returned are made: most of a rank's hits are there to compare with.
        return [
            self._to_match(query, hits[k], slot_points[k], evidence[k], score)
            for k, score in scored[:limit]
        ]

    def _direct_scores(
        self, hits: list[Hit], slot_points: list[list[tuple[str, float]]], familiar: Familiarity
    ) -> list[float]:
        """Scores read straight off the evidence, as knowledge bases with many questions per
        intent allow: four fifths of it half the BM25 coverage (words the knowledge base never
        uses counting against it) plus half the closest wording, one fifth how clearly the best
        stands out from the others and from not answering (see `confidence.clarity`)."""
        blends = [
            50.0 * hit.channels[0] * familiar.held_share
            + 50.0 * hit.channels[5]
            + sum(points for _, points in slots)
            for hit, slots in zip(hits, slot_points, strict=True)
        ]
        best = max(blends)
        clear = 100.0 * clarity(sorted(blends, reverse=True)[:CLARITY_CANDIDATES])
        return [
            0.8 * blend + 0.2 * (clear * max(0.0, blend) / best if best > 0 else 0.0)
            for blend in blends
        ]

    def _slots_of(self, intent_index: int) -> dict[str, str]:
        """The intent's declared slots, plus each entity value most of its questions name and
        none contradicts (an entry asked as "can an LLM ..." is about LLMs, declared or not)."""
        found = self._slots.get(intent_index)
        if found is not None:
            return found
        intent = self.knowledge.intents[intent_index]
        slots = dict(intent.slots)
        named: dict[str, Counter[str]] = {}
        index = self._index
        first = index.intent_first_question[intent_index]
        for stems in index.question_stems[first : first + len(intent.questions)]:
            for entity, values in self.entities.find(stems).items():
                named.setdefault(entity, Counter()).update(values)
        for entity, counts in named.items():
            value, times = counts.most_common(1)[0]
            if len(counts) == 1 and times >= IMPLIED_SLOT_SHARE * len(intent.questions):
                slots.setdefault(entity, value)
        self._slots[intent_index] = slots  # benign race: the same slots either way
        return slots

    def _slot_points(self, hit: Hit, mentions: dict[str, list[str]]) -> list[tuple[str, float]]:
        """Points for the entity values the question names: agreeing with the intent's slots
        (declared, or named by all its questions) or not."""
        points = []
        for entity, value in self._slots_of(hit.intent_index).items():
            named = mentions.get(entity)
            # Naming several values ("LLMs vs generative AI") says nothing about which one
            # the answer is for, so only a single named value counts.
            if named and len(named) == 1:
                points.append(
                    (f"{entity}={value}", SLOT_AGREES if value in named else SLOT_CONFLICTS)
                )
        return points

    def _to_match(
        self,
        query: Query,
        hit: Hit,
        slot_points: list[tuple[str, float]],
        evidence: float,
        score: float,
    ) -> Match:
        index = self._index

        def explain() -> tuple[tuple[str, float], ...]:
            # The evidence's points, then how the chance of being right differs from them.
            parts = (*index.contributions(query, hit), *slot_points)
            return (*parts, (CONFIDENCE, round(score - evidence, 1)))

        return Match(
            intent=self.knowledge.intents[hit.intent_index],
            score=_shown(score),
            question=index.question_text[hit.question_index],
            explain=explain,
        )

    def shared_words(
        self, query: Query, *matches: Match, distinctive: bool = False
    ) -> frozenset[str]:
        """The query's content words (not function words) that these matches' intents use in
        their questions or answers: what the message and the intents have in common. With
        `distinctive`, only words that at most half the intents' questions use (not the
        knowledge base's subject, such as "llm" in a FAQ about LLMs)."""
        index = self._index
        content = {term for term in query.terms if is_content_word(term)}
        if distinctive:
            content -= index.subject_words
        found: set[str] = set()
        for match in matches:
            position = self._positions[match.intent.id]
            found |= content & (index.intent_sets[position] | index.answer_sets[position])
        return frozenset(found)

    def answer_covers(self, query: Query, match: Match) -> bool:
        """Whether the match's answer (with its `more`) uses every content word of the query:
        then it speaks to what the question asks, whatever its wording."""
        content = {term for term in query.terms if is_content_word(term)}
        return (
            bool(content) and content <= self._index.answer_sets[self._positions[match.intent.id]]
        )

    def match(self, question: str | Query, *, threshold: float | None = None) -> Match | None:
        """The best intent for a question, or None when its score is below the threshold."""
        cutoff = self.threshold if threshold is None else threshold
        best = self.rank(question, limit=1)
        if best and best[0].score >= cutoff:
            return best[0]
        return None
