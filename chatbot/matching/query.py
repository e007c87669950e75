"""A question read once: the words, typo corrections, terms, features and entity mentions that
the index, the entity rules and the conversation all read."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from chatbot.matching.entities import EntityFinder, Mention
from chatbot.matching.speller import Speller
from chatbot.matching.text import Analyzer, normalized_words, stem
from chatbot.records import Record, set_field


def features(terms: Sequence[str]) -> list[str]:
    """Terms and adjacent term pairs ("book flight"): pairs keep some word order."""
    # map over str.join runs in C; a generator of f-strings costs a Python frame per pair.
    return [*terms, *map(" ".join, pairwise(terms))]


def _words_read(readings: Sequence[tuple[str, str]]) -> list[str]:
    # A reading may be two words ("thank you") or one for two typed ("password").
    return [word for _, read in readings for word in read.split(" ")]


class Query(Record):
    """A question as the matcher reads it.

    Attributes:
        text: what was typed.
        words: its normalised words, typos corrected and synonyms applied (not stemmed).
        terms: the words stemmed: what the index scores.
        features: the terms and adjacent term pairs, each once.
        corrections: (typed, read as) for every word the speller changed; either side may be
            two words ("pass word" read as "password", "thankyou" as "thank you").
        mentions: the entity values the terms name, left to right.
        spared_words: the words with those the reader was asked to keep left as typed (the
            conversation's follow-up rules read these: "they" must not become "the"); the
            same tuple as `words` when the speller changed none of them.
        spared_mentions: the entity values named in `spared_words`, with positions there.
    """

    __slots__ = _fields = (
        "text",
        "words",
        "terms",
        "features",
        "corrections",
        "mentions",
        "spared_words",
        "spared_mentions",
    )
    text: str
    words: tuple[str, ...]
    terms: tuple[str, ...]
    features: tuple[str, ...]
    corrections: tuple[tuple[str, str], ...]
    mentions: tuple[Mention, ...]
    spared_words: tuple[str, ...]
    spared_mentions: tuple[Mention, ...]

    def __init__(
        self,
        text: str,
        words: tuple[str, ...],
        terms: tuple[str, ...],
        features: tuple[str, ...],
        corrections: tuple[tuple[str, str], ...] = (),
        mentions: tuple[Mention, ...] = (),
        spared_words: tuple[str, ...] | None = None,
        spared_mentions: tuple[Mention, ...] | None = None,
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "words", words)
        set_field(self, "terms", terms)
        set_field(self, "features", features)
        set_field(self, "corrections", corrections)
        set_field(self, "mentions", mentions)
        set_field(self, "spared_words", words if spared_words is None else spared_words)
        set_field(self, "spared_mentions", mentions if spared_mentions is None else spared_mentions)


class QueryReader:
    """Reads text into a `Query`: normalise, correct typos, apply synonyms, stem, find entities.

    Typos are corrected on the normalised words, before synonyms, so "genrative ai" still
    becomes the term "genai".
    """

    def __init__(self, analyzer: Analyzer, speller: Speller, entities: EntityFinder) -> None:
        self.analyzer = analyzer
        self.speller = speller
        self.entities = entities

    def read(
        self, text: str, keep: frozenset[str] = frozenset(), forget: frozenset[str] = frozenset()
    ) -> Query:
        """The query for `text`. Matching reads every word spelled; words in `keep` are also
        given as typed, in `spared_words`, for callers that read those words themselves. Words
        in `forget` are spelled as if no stored question used them (see `Speller.readings`)."""
        typed = normalized_words(text)
        readings = self.speller.readings(typed, forget)
        corrections = tuple(reading for reading in readings if reading[0] != reading[1])
        spelled = _words_read(readings) if corrections else typed
        words = tuple(self.analyzer.apply_synonyms(spelled))
        terms = tuple(map(stem, words))
        mentions = self._mentions(terms)
        spared_words = spared_mentions = None
        if keep and any(before in keep for before, _ in corrections):
            spared = _words_read(
                [(before, before if before in keep else after) for before, after in readings]
            )
            spared_words = tuple(self.analyzer.apply_synonyms(spared))
            spared_mentions = self._mentions(tuple(map(stem, spared_words)))
        return Query(
            text,
            words,
            terms,
            tuple(dict.fromkeys(features(terms))),
            corrections,
            mentions,
            spared_words,
            spared_mentions,
        )

    def _mentions(self, terms: tuple[str, ...]) -> tuple[Mention, ...]:
        return tuple(self.entities.spans(terms)) if self.entities else ()
