"""The knowledge base as plain immutable data: intents, entities, synonyms and settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from chatbot.records import FrozenDict, Record, freeze, set_field

# The default for mapping fields: empty, read-only, so one instance can be shared.
EMPTY_MAPPING: Mapping[str, Any] = FrozenDict()


class Source(Record):
    """Where something was declared: a file and a 1-based line (line is None when unknown)."""

    __slots__ = _fields = ("path", "line")
    path: str
    line: int | None

    def __init__(self, path: str, line: int | None = None) -> None:
        set_field(self, "path", path)
        set_field(self, "line", line)

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


class Intent(Record):
    """One FAQ entry: the questions that ask for it and the answer it gives.

    Attributes:
        id: stable identifier, unique in a knowledge base.
        questions: example wordings users might type.
        answer: the reply.
        more: a longer answer for "tell me more", if any.
        why: an explanation for "why?", if any.
        follow_ups: ids of intents worth suggesting after this one.
        slots: entity values this intent stands for, e.g. {"subject": "llm", "aspect": "outputs"}.
        topic: a group name used when listing what the bot knows.
        sets_context: False for intents such as small talk that follow-ups never refer to.
        source: where the intent was declared.
    """

    __slots__ = _fields = (
        "id",
        "questions",
        "answer",
        "more",
        "why",
        "follow_ups",
        "slots",
        "topic",
        "sets_context",
        "source",
    )
    # Where an intent was declared does not make it a different intent.
    _compared = _fields[:-1]
    id: str
    questions: tuple[str, ...]
    answer: str
    more: str | None
    why: str | None
    follow_ups: tuple[str, ...]
    slots: Mapping[str, str]
    topic: str | None
    sets_context: bool
    source: Source | None

    def __init__(
        self,
        id: str,
        questions: tuple[str, ...],
        answer: str,
        more: str | None = None,
        why: str | None = None,
        follow_ups: tuple[str, ...] = (),
        slots: Mapping[str, str] = EMPTY_MAPPING,
        topic: str | None = None,
        sets_context: bool = True,
        source: Source | None = None,
    ) -> None:
        set_field(self, "id", id)
        set_field(self, "questions", questions)
        set_field(self, "answer", answer)
        set_field(self, "more", more)
        set_field(self, "why", why)
        set_field(self, "follow_ups", follow_ups)
        set_field(self, "slots", freeze(slots))
        set_field(self, "topic", topic)
        set_field(self, "sets_context", sets_context)
        set_field(self, "source", source)


DEFAULT_FALLBACK = "Sorry, I don't know how to answer that."


class KnowledgeBase(Record):
    """Everything the bot knows, merged from one or more YAML files.

    It behaves as a sequence of intents, so `Matcher(load_intents(...))` and
    `for intent in knowledge_base` both read naturally.

    Attributes:
        intents: the intents, in file order.
        synonyms: canonical term -> variant phrases, applied before matching.
        entities: entity name -> value -> phrases naming that value.
        threshold: the score (0-100) below which the bot falls back; None for the default.
        context_turns: how many turns follow-up context lives; None for the default.
        fallback: the reply when nothing matches.
        sources: the files it was read from.
    """

    _fields = (
        "intents",
        "synonyms",
        "entities",
        "threshold",
        "context_turns",
        "fallback",
        "sources",
    )
    # Lookup tables built on first use (see _by_id and with_slots).
    __slots__ = (*_fields, "_by_id_cache", "_by_slots_cache")
    intents: tuple[Intent, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    entities: Mapping[str, Mapping[str, tuple[str, ...]]]
    threshold: float | None
    context_turns: int | None
    fallback: str
    sources: tuple[str, ...]
    _by_id_cache: dict[str, Intent] | None
    _by_slots_cache: dict[frozenset[tuple[str, str]], Intent] | None

    def __init__(
        self,
        intents: tuple[Intent, ...],
        synonyms: Mapping[str, tuple[str, ...]] = EMPTY_MAPPING,
        entities: Mapping[str, Mapping[str, tuple[str, ...]]] = EMPTY_MAPPING,
        threshold: float | None = None,
        context_turns: int | None = None,
        fallback: str = DEFAULT_FALLBACK,
        sources: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "intents", intents)
        set_field(self, "synonyms", freeze(synonyms))
        set_field(self, "entities", freeze(entities))
        set_field(self, "threshold", threshold)
        set_field(self, "context_turns", context_turns)
        set_field(self, "fallback", fallback)
        set_field(self, "sources", sources)
        set_field(self, "_by_id_cache", None)
        set_field(self, "_by_slots_cache", None)

    @classmethod
    def of(cls, intents: Iterable[Intent] | KnowledgeBase) -> KnowledgeBase:
        """Wrap plain intents in a knowledge base (a knowledge base is returned as it is)."""
        if isinstance(intents, KnowledgeBase):
            return intents
        return cls(intents=tuple(intents))

    def __iter__(self) -> Iterator[Intent]:
        return iter(self.intents)

    def __len__(self) -> int:
        return len(self.intents)

    def get(self, intent_id: str) -> Intent | None:
        """The intent with this id, or None."""
        return self._by_id.get(intent_id)

    def __contains__(self, intent_id: object) -> bool:
        return intent_id in self._by_id

    @property
    def _by_id(self) -> Mapping[str, Intent]:
        # Built lazily and cached on the frozen instance; a benign race at worst builds it twice.
        cached = self._by_id_cache
        if cached is None:
            cached = {intent.id: intent for intent in self.intents}
            set_field(self, "_by_id_cache", cached)
        return cached

    def with_slots(self, slots: Mapping[str, str]) -> Intent | None:
        """The intent declaring exactly these slot values, or None."""
        key = frozenset(slots.items())
        cached = self._by_slots_cache
        if cached is None:
            cached = {}
            for intent in self.intents:
                if intent.slots:
                    cached.setdefault(frozenset(intent.slots.items()), intent)
            set_field(self, "_by_slots_cache", cached)
        return cached.get(key)

    def topics(self) -> dict[str, list[Intent]]:
        """Intents grouped by topic, in first-seen order ("Other" for intents without one)."""
        groups: dict[str, list[Intent]] = {}
        for intent in self.intents:
            groups.setdefault(intent.topic or "Other", []).append(intent)
        return groups
