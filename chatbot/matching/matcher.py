"""Map a question to the intents that answer it, best first, with scores that explain themselves."""

from __future__ import annotations

from collections.abc import Iterable

from chatbot.intents import Intent, KnowledgeBase
from chatbot.matching.entities import EntityFinder
from chatbot.matching.index import Hit, Index
from chatbot.matching.text import Analyzer, stem
from chatbot.records import Record, set_field

# Scores run from 0 to 100; below this the bot says it does not know.
DEFAULT_THRESHOLD = 40.0
# When a question names one value of an entity (subject: llm), intents declaring that value
# gain a little and intents declaring another value of the same entity lose more: naming the
# other subject is strong evidence against them.
SLOT_AGREES = 3.0
SLOT_CONFLICTS = -12.0
# How many candidates are re-scored with entity agreement before the cut (when there are
# entities: without them the index's own order is final).
CANDIDATES = 10


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


class Match(Record):
    """An intent found for a question.

    Attributes:
        intent: the intent matched.
        score: 0 to 100, higher is better.
        question: the stored question of the intent that matched best.
        contributions: (term, points) pairs: how much each query term added, largest first.
    """

    __slots__ = _fields = ("intent", "score", "question", "contributions")
    intent: Intent
    score: float
    question: str
    contributions: tuple[tuple[str, float], ...]

    def __init__(
        self,
        intent: Intent,
        score: float,
        question: str,
        contributions: tuple[tuple[str, float], ...] = (),
    ) -> None:
        set_field(self, "intent", intent)
        set_field(self, "score", score)
        set_field(self, "question", question)
        set_field(self, "contributions", contributions)


class Matcher:
    """Ranks a knowledge base's intents for free-text questions.

    Immutable once built, so one matcher can be shared by any number of threads.

    Example:
        >>> matcher = Matcher(load_intents("intents/"))
        >>> matcher.match("what's an llm").intent.id
        'llm_definition'
    """

    def __init__(
        self, intents: KnowledgeBase | Iterable[Intent], *, threshold: float | None = None
    ) -> None:
        self.knowledge = KnowledgeBase.of(intents)
        if threshold is None:
            threshold = self.knowledge.threshold
        self.threshold = DEFAULT_THRESHOLD if threshold is None else checked_threshold(threshold)
        self.analyzer = Analyzer(self.knowledge.synonyms)
        self.entities = EntityFinder(self.knowledge.entities, self.analyzer)
        key_terms = frozenset(
            stem(word) for canonical in self.knowledge.synonyms for word in canonical.split()
        )
        self._index = Index(self.knowledge, self.analyzer, key_terms)

    def words(self, text: str, *, keep: frozenset[str] = frozenset()) -> list[str]:
        """The words of `text` as the matcher reads them: normalised, typos corrected (except
        the words in `keep`) and synonyms applied, not stemmed.

        Example:
            >>> matcher.words("and generativ ai?")
            ['and', 'genai']
        """
        return self._index.analyze(text, keep=keep).words.split()

    def rank(self, text: str, limit: int = 5) -> list[Match]:
        """The best `limit` intents for `text`, best first (empty when nothing shares a word)."""
        if limit <= 0:
            return []
        query = self._index.analyze(text)
        hits = self._index.search(query, max(limit, CANDIDATES) if self.entities else limit)
        mentions = self.entities.find(query.terms) if self.entities else {}
        matches = [self._to_match(hit, mentions) for hit in hits]
        matches.sort(key=lambda match: -match.score)
        return matches[:limit]

    def _to_match(self, hit: Hit, mentions: dict[str, list[str]]) -> Match:
        intent = self.knowledge.intents[hit.intent_index]
        score = hit.score
        contributions = list(hit.contributions)
        for entity, value in intent.slots.items():
            named = mentions.get(entity)
            # Naming several values ("LLMs vs generative AI") says nothing about which one
            # the answer is for, so only a single named value counts.
            if named and len(named) == 1:
                points = SLOT_AGREES if value in named else SLOT_CONFLICTS
                score += points
                contributions.append((f"{entity}={value}", points))
        return Match(
            intent=intent,
            score=round(min(100.0, max(0.0, score)), 2),
            question=self._index.question_text[hit.question_index],
            contributions=tuple(contributions),
        )

    def match(self, text: str, *, threshold: float | None = None) -> Match | None:
        """The best intent for `text`, or None when its score is below the threshold."""
        cutoff = self.threshold if threshold is None else threshold
        best = self.rank(text, limit=1)
        if best and best[0].score >= cutoff:
            return best[0]
        return None
