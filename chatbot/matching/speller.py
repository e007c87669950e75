"""Correct typos towards a knowledge base's own words, and read its declared words as declared.

The vocabulary is every word its questions use plus the words the curator declared (synonym
variants and the phrases naming entity values): those are known even when no question uses
them ("both" must stay "both", not become "bot").

Every reading can also be asked to `forget` some of the questions' words, as if the question
using them were not stored (what `chatbot check`'s self-test asks, see
`chatbot.matching.left_out`): those are then unknown, and corrected like any typo.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from chatbot.matching.text import stem

# Unknown words at least this long are corrected to the closest vocabulary word.
MIN_TYPO_LENGTH = 4
TYPO_CUTOFF = 80.0
# A known word is read as a declared word only when closer than that: "jobs" is "job", but
# "data" stays "data" rather than becoming "date".
RESPELL_CUTOFF = 85.0
# A run-together word is read as two known words only when each has at least this many letters
# ("income" is not "in come").
MIN_PART_LENGTH = 3
# Two words typed apart are read as one known word only when each has at least this many
# letters ("a way" is not "away").
MIN_JOINED_PART_LENGTH = 2
# Bound on the cache of corrections, so a stream of junk words cannot grow it forever.
CACHE_LIMIT = 50_000
_REPEATED_LETTER = r"(.)\1+"


def _by_initial(words: Iterable[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for word in words:
        table.setdefault(word[0], []).append(word)
    return table


def squeeze(word: str) -> str:
    """The word with every run of one letter written once: doubled letters are the commonest
    typo ("adress", "pliiows") and the commonest doubt ("cancelled"), so words are compared
    without them.

    Example:
        >>> squeeze("pliiows"), squeeze("pillows")
        ('pliows', 'pilows')
    """
    return re.sub(_REPEATED_LETTER, r"\1", word)


def _swaps(word: str) -> Iterable[str]:
    """The word with each pair of adjacent letters swapped, the first two last (typos rarely
    hit the first letter)."""
    for position in range(1, len(word) - 1):
        yield word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if len(word) > 1:
        yield word[1] + word[0] + word[2:]


class _Lookup:
    """The vocabulary arranged for correcting unknown words; built on the first unknown word,
    as most questions have none and every start would pay for it."""

    def __init__(self, vocabulary: Sequence[str]) -> None:
        # An unknown word whose stem is a known word's stem is an inflection the stemmer
        # already reads right ("answers"): correcting it could only make it worse.
        self.stems = Counter(map(stem, vocabulary))
        self.by_squeezed: dict[str, list[str]] = {}
        for word in vocabulary:
            self.by_squeezed.setdefault(squeeze(word), []).append(word)
        self.by_initial = _by_initial(vocabulary)


def _typo_order(typed: str, candidate: str) -> tuple[int, bool, int, float]:
    # Fewest edits first, counting a swap of adjacent letters as one; then a reading that swaps
    # letters (the typed word has exactly the candidate's letters: "waht" is "what", not
    # "wait"); then the longer word (a dropped letter is likelier than an added one, and
    # longer words say more); then the closest by characters.
    edits = OSA.distance(typed, candidate)
    return (
        edits,
        Levenshtein.distance(typed, candidate) == edits,
        -len(candidate),
        -fuzz.ratio(typed, candidate),
    )


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
        self._lookup: _Lookup | None = None
        self._corrections: dict[str, str] = {}

    def readings(
        self, words: Sequence[str], forget: frozenset[str] = frozenset()
    ) -> list[tuple[str, str]]:
        """How each typed word is read, as (typed, read as) pairs, one per word or per pair of
        words typed apart: "pass word" is read as "password" when that is a known word and
        "pass" or "word" is not; a run-together "thankyou" is read as "thank you".

        Words in `forget` (apart from declared ones) are read as if no question used them.

        Example:
            >>> speller = Speller(["password", "thank", "you"], declared=[])
            >>> speller.readings(["thankyou", "pass", "word"])
            [('thankyou', 'thank you'), ('pass word', 'password')]
        """
        forget = forget - self._declared if forget else forget
        known = self._known if not forget else _Forgetting(self._known, forget)
        result: list[tuple[str, str]] = []
        position = 0
        last = len(words) - 1
        while position <= last:
            word = words[position]
            if position < last:
                following = words[position + 1]
                if (word not in known or following not in known) and self._joins(
                    word, following, known
                ):
                    result.append((f"{word} {following}", word + following))
                    position += 2
                    continue
            result.append((word, self.correct(word, forget)))
            position += 1
        return result

    def _joins(self, word: str, following: str, known: frozenset[str] | _Forgetting) -> bool:
        return (
            word + following in known
            and len(word) >= MIN_JOINED_PART_LENGTH
            and len(following) >= MIN_JOINED_PART_LENGTH
        )

    def correct(self, word: str, forget: frozenset[str] = frozenset()) -> str:
        """The vocabulary word closest to an unknown word, two known words separated by a space
        for a run-together one ("thankyou"), or the word itself.

        A word that questions use but that misspells a declared word (a curator's typo
        variant, such as "generativ") is read as the declared word, so that it still names
        the synonym or entity value its correct spelling names.

        Words in `forget` that are not declared are read as if no question used them.
        """
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return word
        if forget:
            forget = forget - self._declared
            if forget:
                # Read afresh and not remembered: the cache holds readings of the whole
                # vocabulary.
                return self._read_forgetting(word, forget)
        known = word in self._known
        if known and (word in self._declared or word[0] not in self._declared_by_initial):
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        if known:
            best = process.extractOne(
                word,
                self._declared_by_initial[word[0]],
                scorer=fuzz.ratio,
                score_cutoff=RESPELL_CUTOFF,
            )
            corrected = best[0] if best else word
        else:
            corrected = self._closest_known(word)
        if len(self._corrections) < CACHE_LIMIT:
            self._corrections[word] = corrected
        return corrected

    def _read_forgetting(self, word: str, forget: frozenset[str]) -> str:
        """`correct(word)` with the (undeclared) words in `forget` unknown."""
        if word in self._known and word not in forget:
            if word in self._declared or word[0] not in self._declared_by_initial:
                return word
            best = process.extractOne(
                word,
                self._declared_by_initial[word[0]],
                scorer=fuzz.ratio,
                score_cutoff=RESPELL_CUTOFF,
            )
            return best[0] if best else word
        return self._closest_known(word, forget)

    def _closest_known(self, word: str, forget: frozenset[str] = frozenset()) -> str:
        """The vocabulary word an unknown word most likely misspells, or the word itself
        (no word in `forget`)."""
        lookup = self._lookup
        if lookup is None:
            # Benign race: two threads meeting their first unknown word both build it.
            lookup = self._lookup = _Lookup(self.vocabulary)
        stem_count = lookup.stems.get(stem(word), 0)
        if forget and stem_count:
            stem_count -= sum(stem(gone) == stem(word) for gone in forget)
        if stem_count > 0:
            return word
        # Exact readings first: the word with its doubled letters undone ("pliiows" is
        # "pillows" once "pliows" swaps back), then one swap of adjacent letters ("hwat").
        squeezed = squeeze(word)
        by_squeezed: dict[str, list[str]] | _Forgotten = lookup.by_squeezed
        if forget:
            by_squeezed = _Forgotten(lookup.by_squeezed, forget)
        found = by_squeezed.get(squeezed)
        if found is None:
            found = next(filter(None, map(by_squeezed.get, _swaps(squeezed))), None)
        if found is not None:
            # Words that differ only in doubled letters ("filing", "filling"): the closer as typed.
            return max(found, key=lambda known: fuzz.ratio(word, known))
        # Then the nearest word, as typed (squeezing both would bring words with doubled
        # letters too close: "channel" is not "cancel"). Typos rarely hit the first letter, so
        # it must share it ("acount" must not become "count").
        close = process.extract(
            word,
            lookup.by_initial.get(word[0], ()),
            scorer=fuzz.ratio,
            score_cutoff=TYPO_CUTOFF,
            limit=None,
        )
        # A typo changes a letter or two, not a word's length by three: "transfer" is a word of
        # its own, not "transformer" mistyped.
        limit = max(1, len(word) // 4)
        likely = [
            known
            for known, _, _ in close
            if OSA.distance(word, known) <= limit and known not in forget
        ]
        if not likely:
            return self._split(word, forget)
        return min(likely, key=lambda known: _typo_order(word, known))

    def _split(self, word: str, forget: frozenset[str] = frozenset()) -> str:
        """Two known words run together ("thankyou" is "thank you"), the more even split
        first, or the word itself (neither part in `forget`)."""
        known = self._known if not forget else _Forgetting(self._known, forget)
        best = word
        shortest = 0
        for position in range(MIN_PART_LENGTH, len(word) - MIN_PART_LENGTH + 1):
            head, tail = word[:position], word[position:]
            if head in known and tail in known and min(len(head), len(tail)) > shortest:
                best = f"{head} {tail}"
                shortest = min(len(head), len(tail))
        return best


class _Forgetting:
    """A set of known words less a few forgotten ones, without copying the set."""

    __slots__ = ("forget", "known")

    def __init__(self, known: frozenset[str], forget: frozenset[str]) -> None:
        self.known = known
        self.forget = forget

    def __contains__(self, word: object) -> bool:
        return word in self.known and word not in self.forget


class _Forgotten:
    """The lookup of words by their squeezed spelling, less a few forgotten words."""

    __slots__ = ("by_squeezed", "forget")

    def __init__(self, by_squeezed: dict[str, list[str]], forget: frozenset[str]) -> None:
        self.by_squeezed = by_squeezed
        self.forget = forget

    def get(self, squeezed: str) -> list[str] | None:
        found = self.by_squeezed.get(squeezed)
        if found is None:
            return None
        return [word for word in found if word not in self.forget] or None
