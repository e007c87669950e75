"""Find entity values (declared in YAML, e.g. subject: llm) mentioned in a question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chatbot.text import Analyzer


class EntityFinder:
    """Spots the phrases of declared entity values in analysed text.

    Phrases go through the same analyser as questions, so synonyms and plurals match:
    "large language models" and "LLMs" both name the value `llm`.
    """

    def __init__(
        self, entities: Mapping[str, Mapping[str, Sequence[str]]], analyzer: Analyzer
    ) -> None:
        self._phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for entity, values in entities.items():
            for value, phrases in values.items():
                for phrase in (value.replace("_", " "), *phrases):
                    terms = tuple(analyzer.terms(phrase))
                    if terms and (entity, value) not in self._phrases.get(terms, []):
                        self._phrases.setdefault(terms, []).append((entity, value))
        self._longest = max((len(terms) for terms in self._phrases), default=0)

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def find(self, terms: Sequence[str]) -> dict[str, list[str]]:
        """Entity -> values named in `terms` (stemmed terms), in order of first mention.

        The longest phrase wins where phrases overlap ("training data" over "data").
        """
        found: dict[str, list[str]] = {}
        position = 0
        while position < len(terms):
            for size in range(min(self._longest, len(terms) - position), 0, -1):
                named = self._phrases.get(tuple(terms[position : position + size]))
                if named:
                    for entity, value in named:
                        values = found.setdefault(entity, [])
                        if value not in values:
                            values.append(value)
                    position += size
                    break
            else:
                position += 1
        return found
