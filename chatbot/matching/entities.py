"""Find entity values (declared in YAML, e.g. subject: llm) mentioned in a question."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from chatbot.matching.text import Analyzer
from chatbot.records import Record, set_field


class Mention(Record):
    """An entity value named in a question, at terms[start:end]."""

    __slots__ = _fields = ("start", "end", "entity", "value")
    start: int
    end: int
    entity: str
    value: str

    def __init__(self, start: int, end: int, entity: str, value: str) -> None:
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "entity", entity)
        set_field(self, "value", value)


def value_phrases(
    entities: Mapping[str, Mapping[str, Sequence[str]]],
) -> Iterator[tuple[str, str, str]]:
    """(entity, value, phrase) for every phrase naming a value, the value's own name first
    ("data_inputs" is named "data inputs")."""
    for entity, values in entities.items():
        for value, phrases in values.items():
            for phrase in (value.replace("_", " "), *phrases):
                yield entity, value, phrase


class EntityFinder:
    """Spots the phrases of declared entity values in analysed text.

    Phrases go through the same analyser as questions, so synonyms and plurals match:
    "large language models" and "LLMs" both name the value `llm`.
    """

    def __init__(
        self, entities: Mapping[str, Mapping[str, Sequence[str]]], analyzer: Analyzer
    ) -> None:
        self._phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for entity, value, phrase in value_phrases(entities):
            terms = tuple(analyzer.terms(phrase))
            if terms and (entity, value) not in self._phrases.get(terms, []):
                self._phrases.setdefault(terms, []).append((entity, value))
        self._longest = max((len(terms) for terms in self._phrases), default=0)

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def spans(self, terms: Sequence[str]) -> list[Mention]:
        """Every entity value named in `terms` (stemmed terms), left to right.

        The longest phrase wins where phrases overlap ("training data" over "data").
        """
        mentions: list[Mention] = []
        position = 0
        while position < len(terms):
            for size in range(min(self._longest, len(terms) - position), 0, -1):
                named = self._phrases.get(tuple(terms[position : position + size]))
                if named:
                    mentions.extend(
                        Mention(position, position + size, entity, value) for entity, value in named
                    )
                    position += size
                    break
            else:
                position += 1
        return mentions

    def find(self, terms: Sequence[str]) -> dict[str, list[str]]:
        """Entity -> values named in `terms` (stemmed terms), in order of first mention."""
        return by_entity(self.spans(terms))


def by_entity(mentions: Iterable[Mention]) -> dict[str, list[str]]:
    """Entity -> the values mentioned, each once, in order of first mention."""
    found: dict[str, list[str]] = {}
    for mention in mentions:
        values = found.setdefault(mention.entity, [])
        if mention.value not in values:
            values.append(mention.value)
    return found
