"""The knowledge base as plain immutable data: intents, entities, synonyms and settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class Source:
    """Where something was declared: a file and a 1-based line (line is None when unknown)."""

    # A plain class rather than a dataclass or named tuple: both generate code when the module
    # is imported, which every `chatbot ask` would pay for. Immutable all the same.
    __slots__ = ("line", "path")
    path: str
    line: int | None

    def __init__(self, path: str, line: int | None = None) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "line", line)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Source is immutable: cannot set '{name}'")

    def __reduce__(self) -> tuple[type[Source], tuple[str, int | None]]:
        # copy and pickle rebuild it through __init__, since attributes cannot be set.
        return (Source, (self.path, self.line))

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def __repr__(self) -> str:
        return f"Source(path={self.path!r}, line={self.line!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Source):
            return NotImplemented
        return (self.path, self.line) == (other.path, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.line))


@dataclass(frozen=True)
class Intent:
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

    id: str
    questions: tuple[str, ...]
    answer: str
    more: str | None = None
    why: str | None = None
    follow_ups: tuple[str, ...] = ()
    slots: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    topic: str | None = None
    sets_context: bool = True
    source: Source | None = field(default=None, compare=False)


DEFAULT_FALLBACK = "Sorry, I don't know how to answer that."


@dataclass(frozen=True)
class KnowledgeBase:
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

    intents: tuple[Intent, ...]
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    entities: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    threshold: float | None = None
    context_turns: int | None = None
    fallback: str = DEFAULT_FALLBACK
    sources: tuple[str, ...] = ()

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
        cached = self.__dict__.get("_by_id_cache")
        if cached is None:
            cached = {intent.id: intent for intent in self.intents}
            object.__setattr__(self, "_by_id_cache", cached)
        return cached

    def with_slots(self, slots: Mapping[str, str]) -> Intent | None:
        """The intent declaring exactly these slot values, or None."""
        key = frozenset(slots.items())
        cached = self.__dict__.get("_by_slots_cache")
        if cached is None:
            cached = {}
            for intent in self.intents:
                if intent.slots:
                    cached.setdefault(frozenset(intent.slots.items()), intent)
            object.__setattr__(self, "_by_slots_cache", cached)
        return cached.get(key)

    def topics(self) -> dict[str, list[Intent]]:
        """Intents grouped by topic, in first-seen order ("Other" for intents without one)."""
        groups: dict[str, list[Intent]] = {}
        for intent in self.intents:
            groups.setdefault(intent.topic or "Other", []).append(intent)
        return groups
