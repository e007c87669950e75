"""Recognise the forms of follow-up utterances: "tell me more", "why?", "2", "yes", "and LLMs?".

These are pure functions of the words typed; what they resolve to is decided by the
conversation, which knows the context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rapidfuzz import fuzz, process

MORE_PHRASES = (
    "more",
    "tell me more",
    "tell me more about it",
    "tell me more about that",
    "tell me more about them",
    "more please",
    "more info",
    "more information",
    "more details",
    "details",
    "go on",
    "keep going",
    "continue",
    "elaborate",
    "can you elaborate",
    "expand on that",
    "say more",
    "explain more",
    "anything else",
    "what else",
)
WHY_PHRASES = (
    "why",
    "why not",
    "why is that",
    "why so",
    "why is it",
    "why is that so",
    "how come",
    "how so",
    "but why",
    "explain why",
    "what is the reason",
    "reason",
    "for what reason",
)
# Words that may surround a follow-up command without changing it ("ok, tell me more please").
_COMMAND_PADDING = frozenset({"ok", "okay", "and", "but", "so", "please", "hmm", "then", "well"})
# Typos in a command are tolerated down to this rapidfuzz ratio ("tell me mroe").
_COMMAND_CUTOFF = 88.0

_ORDINALS = {
    "1": 1, "one": 1, "first": 1, "1st": 1,
    "2": 2, "two": 2, "second": 2, "2nd": 2,
    "3": 3, "three": 3, "third": 3, "3rd": 3,
    "4": 4, "four": 4, "fourth": 4, "4th": 4,
    "5": 5, "five": 5, "fifth": 5, "5th": 5,
    "last": -1,
}  # fmt: skip
_ORDINAL_BEFORE = frozenset(
    {
        "the",
        "number",
        "no",
        "option",
        "choice",
        "question",
        "pick",
        "i",
        "want",
        "take",
        "go",
        "with",
    }
)
_ORDINAL_AFTER = frozenset({"one", "question", "option", "choice", "please"})

YES_WORDS = frozenset(
    {
        "yes",
        "yeah",
        "yep",
        "yup",
        "y",
        "sure",
        "right",
        "correct",
        "exactly",
        "indeed",
        "ok",
        "okay",
    }
)
NO_WORDS = frozenset({"no", "nope", "nah", "n", "neither", "none", "wrong"})
_ANSWER_PADDING = frozenset({"please", "thanks", "that", "one", "of", "them", "the", "i", "meant"})

# "both" after "Did you mean A or B?", and what may stand around it ("both of them please").
BOTH_WORDS = frozenset({"both", "each"})
_BOTH_PADDING = frozenset(
    {"of", "them", "the", "two", "please", "i", "want", "ok", "okay", "tell", "me"}
)
# Words that may stand beside entity names in an elliptical follow-up ("and what about LLMs?").
ELLIPSIS_WORDS = frozenset(
    [
        "and",
        "what",
        "about",
        "how",
        "for",
        "then",
        "also",
        "too",
        "the",
        "a",
        "an",
        "same",
        "with",
        "regarding",
        "ok",
        "okay",
        "so",
        "now",
        "but",
        "in",
        "of",
        "case",
        "re",
        "their",
        "its",
        "them",
        "they",
        "it",
        "this",
        "that",
        "those",
        "these",
        "please",
        "same",
        "question",
        # Corrections of the last answer ("no, I meant generative AI").
        "no",
        "i",
        "meant",
        "sorry",
        "actually",
        "instead",
        "rather",
    ]
)
# Words that refer back to what was just discussed ("what do they output?").
PRONOUNS = frozenset(
    {"they", "them", "their", "theirs", "it", "its", "this", "that", "these", "those"}
)


# Every word the rules above read. Typo correction must leave them alone: "they" is not a typo
# for "the", nor "second" for some word of the knowledge base.
FOLLOW_UP_WORDS = frozenset(
    {word for phrase in (*MORE_PHRASES, *WHY_PHRASES) for word in phrase.split()}
    | _COMMAND_PADDING
    | _ORDINALS.keys()
    | _ORDINAL_BEFORE
    | _ORDINAL_AFTER
    | YES_WORDS
    | NO_WORDS
    | _ANSWER_PADDING
    | BOTH_WORDS
    | _BOTH_PADDING
    | ELLIPSIS_WORDS
    | PRONOUNS
)


def _strip(words: Sequence[str], padding: frozenset[str]) -> list[str]:
    kept = list(words)
    while kept and kept[0] in padding:
        kept.pop(0)
    while kept and kept[-1] in padding:
        kept.pop()
    return kept


def command_of(words: Sequence[str]) -> Literal["more", "why"] | None:
    """ "more" or "why" when the words ask to expand or explain the last answer, else None."""
    core = " ".join(_strip(words, _COMMAND_PADDING))
    if not core:
        return None
    commands: tuple[tuple[Literal["more", "why"], tuple[str, ...]], ...] = (
        ("more", MORE_PHRASES),
        ("why", WHY_PHRASES),
    )
    for command, phrases in commands:
        if core in phrases:
            return command
    for command, phrases in commands:
        # Only longer phrases get typo tolerance: "mor" must not become "more" by accident.
        if len(core) >= 6 and process.extractOne(
            core, phrases, scorer=fuzz.ratio, score_cutoff=_COMMAND_CUTOFF
        ):
            return command
    return None


def ordinal_of(words: Sequence[str]) -> int | None:
    """The position picked by "2", "the second one", "option 3" (1-based; -1 for "last")."""
    core = _strip(words, _ORDINAL_BEFORE)
    while core and core[-1] in _ORDINAL_AFTER and len(core) > 1:
        core.pop()
    if len(core) == 1:
        return _ORDINALS.get(core[0])
    return None


def yes_or_no(words: Sequence[str]) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else."""
    core = set(_strip(words, _ANSWER_PADDING))
    if core and core <= YES_WORDS:
        return True
    if core and core <= NO_WORDS:
        return False
    return None


BOTH_WORDS = frozenset({"both", "each"})
_BOTH_PADDING = frozenset(
    {"of", "them", "the", "two", "please", "i", "want", "ok", "okay", "tell", "me"}
)


def asks_for_both(words: Sequence[str]) -> bool:
    """Whether the words ask for both of the choices offered: "both", "both of them please"."""
    core = set(_strip(words, _BOTH_PADDING))
    return bool(core) and core <= BOTH_WORDS


def is_elliptical(words: Sequence[str], named: Sequence[tuple[int, int]]) -> bool:
    """Whether an utterance only names entity values among filler words ("and LLMs?").

    Args:
        words: the utterance's words.
        named: (start, end) word spans where entity values were found.
    """
    if not named:
        return False
    covered = {position for start, end in named for position in range(start, end)}
    return all(word in ELLIPSIS_WORDS for i, word in enumerate(words) if i not in covered)


def pronoun_position(words: Sequence[str]) -> int | None:
    """Where the first word referring back to the context stands, if any."""
    for position, word in enumerate(words):
        if word in PRONOUNS:
            return position
    return None
