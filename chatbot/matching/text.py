"""Turn raw text into matching terms: Unicode, case, contractions, punctuation, synonyms, stems."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from Stemmer import Stemmer

# Longer inputs are cut here: nobody types a question this long, and it bounds the work per query.
MAX_QUERY_CHARS = 1000

_APOSTROPHES = str.maketrans(
    # The multiplication sign too: "78\u00d760" is the size "78x60".
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u00d7": "x"}
)
# One pass over the text, alternatives tried in this order at each position.
_CONTRACTIONS = re.compile(
    r"\b(can|won|ain)'?t\b"
    r"|\b(let)'s\b"
    r"|\b(it|that|what|who|where|how|there|here|he|she|this|which|why|when)'s\b"
    r"|n't\b"
    r"|'(re|m|ll|ve|d|s)\b"
)
_NEGATIONS = {"can": "can not", "won": "will not", "ain": "is not"}
# A remaining 's is a possessive ("the LLM's output"): the owner is what matters.
_ENDINGS = {"re": " are", "m": " am", "ll": " will", "ve": " have", "d": " would", "s": ""}


def _expand(found: re.Match[str]) -> str:
    negation, let, pronoun, ending = found.groups()
    if negation:
        return _NEGATIONS[negation]
    if let:
        return "let us"
    if pronoun:
        return pronoun + " is"
    if ending:
        return _ENDINGS[ending]
    return " not"


# Most text is ASCII, where the words _WORD finds are the runs of ASCII letters and digits:
# turning every other byte into a space and splitting finds them several times faster than
# a regular expression does.
_ASCII_WORD_TABLE = bytes(byte if chr(byte).isalnum() and byte < 128 else 32 for byte in range(256))
# Patterns most text never needs: compiled on first use, by `re`'s own cache, rather
# than at import, which every start would pay for.
_WORD = r"[^\W_]+"
_DOTTED_ACRONYM = r"\b((?:[^\W\d_]\.){2,})"
_SHORT_HYPHENATED = r"(?<![\w-])(?:[^\W\d_]{1,2}-[^\W\d_]+|[^\W\d_]+-[^\W\d_]{1,2})(?![\w-])"


def _strip_accents(text: str) -> str:
    import unicodedata

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
    return " ".join(normalized_words(text))


def normalized_words(text: str) -> list[str]:
    """The words of `normalize(text)`, as a list (what callers that split it want).

    Example:
        >>> normalized_words("What's an LLM's  Output?")
        ['what', 'is', 'an', 'llm', 'output']
    """
    text = text[:MAX_QUERY_CHARS]
    if "%" in text:
        text = text.replace("%", " percent ")
    ascii_text = text.isascii()
    if ascii_text:  # most questions: no Unicode work needed
        text = text.replace("`", "'").lower()
    else:
        import unicodedata  # only non-ASCII text needs it: keeps it off the cold-start path

        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
        text = _strip_accents(text)
    if "." in text:
        text = re.sub(_DOTTED_ACRONYM, lambda found: found.group(1).replace(".", ""), text)
    if "-" in text:
        # A hyphen before or after a part of one or two letters joins a word of two parts
        # ("wi-fi" is "wifi", "e-mail" is "email"); other hyphens part words
        # ("state-of-the-art", "well-known").
        text = re.sub(_SHORT_HYPHENATED, lambda found: found.group().replace("-", ""), text)
    # Every contraction has an apostrophe or is "cant", "wont" or "aint": most text has none,
    # and the search is not worth starting.
    if "'" in text or "cant" in text or "wont" in text or "aint" in text:
        text = _CONTRACTIONS.sub(_expand, text)
    if ascii_text:  # still ASCII: expanding contractions adds only ASCII letters and spaces
        words = text.encode().translate(_ASCII_WORD_TABLE).decode().split()
    else:
        words = re.findall(_WORD, text)
    if "".join(words).isalpha():  # most text: no digits, so nothing to split
        return words
    return [part for word in words for part in _numbers_apart(word)]


def _numbers_apart(word: str) -> list[str]:
    """The word cut where digits meet letters. Numbers and letters are separate words however
    they are typed: "78x60", "78 x 60" and "78 X 60" are one size, "covid19" and "covid-19"
    one name, "5pm" is "5 pm"."""
    if word.isalpha() or word.isdigit():
        return [word]
    parts = []
    start = 0
    for position in range(1, len(word)):
        if word[position].isdigit() != word[position - 1].isdigit():
            parts.append(word[start:position])
            start = position
    parts.append(word[start:])
    return parts


# The Snowball English stemmer (PyStemmer, in C): "reservations", "reserve" and "reserved" all
# read "reserv". It measured better than hand rules on every development split (top-1 +0.1 to
# +1.4 points; see benchmarks/fewshot.py), at about 1.5 ms of import.
_STEMMER = Stemmer("english")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The word's Snowball stem; numbers and mixed tokens ("2fa", "78") stay as they are.

    Example:
        >>> stem("reservations"), stem("reserve"), stem("2fa")
        ('reserv', 'reserv', '2fa')
    """
    if not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))


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
        # First word of a variant -> the lengths of the variants it begins, longest first.
        sizes: dict[str, set[int]] = {}
        for words in self._phrases:
            sizes.setdefault(words[0], set()).add(len(words))
        self._sizes = {word: sorted(lengths, reverse=True) for word, lengths in sizes.items()}
        self._starts = frozenset(self._sizes)

    def words(self, text: str) -> list[str]:
        """Normalised words with synonyms applied (no stemming): what entity detection reads."""
        return self.apply_synonyms(normalized_words(text))

    def apply_synonyms(self, words: list[str]) -> list[str]:
        """Rewrite every synonym variant in a list of normalised words to its canonical term."""
        if not self._sizes or self._starts.isdisjoint(words):
            return words
        result: list[str] = []
        position = 0
        count = len(words)
        while position < count:
            word = words[position]
            # Only words that begin some variant are worth trying phrases at, and only at the
            # lengths of the variants they begin.
            if word in self._starts:
                for size in self._sizes[word]:
                    if size <= count - position:
                        replacement = self._phrases.get(tuple(words[position : position + size]))
                        if replacement is not None:
                            result.extend(replacement)
                            position += size
                            break
                else:
                    result.append(word)
                    position += 1
            else:
                result.append(word)
                position += 1
        return result

    def variant_words(self) -> set[str]:
        """Every word used in a synonym variant (worth correcting a typo towards)."""
        return {word for words in self._phrases for word in words}

    def terms(self, text: str) -> list[str]:
        """The stemmed terms the index is built from and queried with."""
        return [stem(word) for word in self.words(text)]
