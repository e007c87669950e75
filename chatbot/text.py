"""Turn raw text into matching terms: Unicode, case, contractions, punctuation, synonyms, stems."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

# Longer inputs are cut here: nobody types a question this long, and it bounds the work per query.
MAX_QUERY_CHARS = 1000

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"\b(let)'s\b"), r"\1 us"),
    (
        re.compile(r"\b(it|that|what|who|where|how|there|here|he|she|this|which|why|when)'s\b"),
        r"\1 is",
    ),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'d\b"), " would"),
    # A remaining 's is a possessive ("the LLM's output"): the owner is what matters.
    (re.compile(r"'s\b"), ""),
]
_WORD = re.compile(r"[^\W_]+")
_DOTTED_ACRONYM = re.compile(r"\b((?:[^\W\d_]\.){2,})")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop combining marks only after Latin letters, so other scripts keep their vowel signs.
    kept = []
    previous = ""
    for char in decomposed:
        if unicodedata.combining(char) and previous.isascii():
            continue
        kept.append(char)
        previous = char
    return unicodedata.normalize("NFC", "".join(kept))


def normalize(text: str) -> str:
    """Lower-case, accent-free, contraction-expanded words separated by single spaces.

    Example:
        >>> normalize("What's an LLM's  Output?")
        'what is an llm output'
    """
    text = text[:MAX_QUERY_CHARS]
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _strip_accents(text)
    text = _DOTTED_ACRONYM.sub(lambda found: found.group(1).replace(".", ""), text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return " ".join(_WORD.findall(text))


def stem(word: str) -> str:
    """A light suffix stripper: plurals and common verb endings, conservative on short words."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ing") and len(word) > 5:
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 4:
        return _undouble(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _undouble(word: str) -> str:
    if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


class Analyzer:
    """Maps text to terms for matching, applying a knowledge base's synonym table.

    Synonyms rewrite every variant phrase to its canonical term, so "generative AI",
    "gen ai" and "genai" all become the single term "genai".
    """

    def __init__(self, synonyms: Mapping[str, Iterable[str]] | None = None) -> None:
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in (synonyms or {}).items():
            target = tuple(normalize(canonical).split())
            for variant in variants:
                words = tuple(normalize(variant).split())
                if words and words != target:
                    self._phrases[words] = target
        self._longest = max((len(words) for words in self._phrases), default=0)

    def words(self, text: str) -> list[str]:
        """Normalised words with synonyms applied (no stemming): what entity detection reads."""
        return self.apply_synonyms(normalize(text).split())

    def apply_synonyms(self, words: list[str]) -> list[str]:
        """Rewrite every synonym variant in a list of normalised words to its canonical term."""
        if not self._longest:
            return words
        result: list[str] = []
        position = 0
        while position < len(words):
            for size in range(min(self._longest, len(words) - position), 0, -1):
                replacement = self._phrases.get(tuple(words[position : position + size]))
                if replacement is not None:
                    result.extend(replacement)
                    position += size
                    break
            else:
                result.append(words[position])
                position += 1
        return result

    def variant_words(self) -> set[str]:
        """Every word used in a synonym variant (worth correcting a typo towards)."""
        return {word for words in self._phrases for word in words}

    def terms(self, text: str) -> list[str]:
        """The stemmed terms the index is built from and queried with."""
        return [stem(word) for word in self.words(text)]
