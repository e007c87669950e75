"""Correct typos towards a knowledge base's own words, and read its declared words as declared.

The vocabulary is every word its questions use plus the words the curator declared (synonym
variants and the phrases naming entity values): those are known even when no question uses
them ("both" must stay "both", not become "bot").
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Unknown words at least this long are corrected to the closest vocabulary word.
MIN_TYPO_LENGTH = 4
TYPO_CUTOFF = 80.0
# A known word is read as a declared word only when closer than that: "jobs" is "job", but
# "data" stays "data" rather than becoming "date".
RESPELL_CUTOFF = 85.0
# Bound on the cache of corrections, so a stream of junk words cannot grow it forever.
CACHE_LIMIT = 50_000


def _by_initial(words: Iterable[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for word in words:
        table.setdefault(word[0], []).append(word)
    return table


class Speller:
    """Maps a word to the vocabulary word it most likely misspells (or to itself).

    Built once per knowledge base and never changed apart from its cache of corrections, so one
    speller serves any number of threads.

    Example:
        >>> Speller(["balance", "account"], declared=[]).correct("balanse")
        'balance'
    """

    def __init__(self, vocabulary: Iterable[str], declared: Iterable[str]) -> None:
        declared = frozenset(declared)
        self.vocabulary = sorted(set(vocabulary) | declared)
        self._known = frozenset(self.vocabulary)
        self._declared = declared
        self._declared_by_initial = _by_initial(sorted(declared))
        self._by_initial = _by_initial(self.vocabulary)
        self._corrections: dict[str, str] = {}

    def correct(self, word: str) -> str:
        """The vocabulary word closest to an unknown word, or the word itself.

        A word that questions use but that misspells a declared word (a curator's typo
        variant, such as "generativ") is read as the declared word, so that it still names
        the synonym or entity value its correct spelling names.
        """
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return word
        known = word in self._known
        if known and (word in self._declared or word[0] not in self._declared_by_initial):
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        # Typos rarely hit the first letter; requiring it keeps "account" from becoming "count".
        if known:
            candidates = self._declared_by_initial[word[0]]
            cutoff = RESPELL_CUTOFF
        else:
            candidates = self._by_initial.get(word[0], [])
            cutoff = TYPO_CUTOFF
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        corrected = best[0] if best else word
        if len(self._corrections) < CACHE_LIMIT:
            self._corrections[word] = corrected
        return corrected
