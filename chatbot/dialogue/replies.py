"""What a conversation says back: the reply to one turn, its runners-up, and the context it keeps.

These are plain frozen records with no behaviour, in a module of their own so that front ends,
curator tools and loggers can use them without importing the dialogue rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from chatbot.intents import EMPTY_MAPPING
from chatbot.matching.matcher import Match
from chatbot.records import Record, freeze, set_field

# What a reply does. An intent id is named `intent` on these public records (as in the JSON
# output), while `Match.intent` is the Intent itself; code that handles ids calls them intent_id.
# "notice": a reply about the conversation itself ("Sorry about that. Could you ask it in other
# words?"), answering no question and asking none.
Kind = Literal["answer", "fallback", "more", "why", "clarify", "notice"]
KINDS: tuple[Kind, ...] = ("answer", "fallback", "more", "why", "clarify", "notice")


class Alternative(Record):
    """A runner-up intent and its score."""

    __slots__ = _fields = ("intent", "score")
    intent: str
    score: float

    def __init__(self, intent: str, score: float) -> None:
        set_field(self, "intent", intent)
        set_field(self, "score", score)


class Reply(Record):
    """The bot's answer to one turn, with everything needed to explain it.

    Attributes:
        text: what the bot says.
        intent: the id of the intent answered, or None when the bot fell back or asked.
        score: the match score, 0 to 100 (0 when nothing matched).
        question: the user's text for this turn.
        matched_question: the stored question that matched best, if any.
        alternatives: runner-up intents with their scores, best first.
        suggestions: questions to offer the user next.
        kind: "answer", "fallback", "more", "why", "clarify" or "notice".
        context_used: whether earlier turns decided the answer.
        resolved: what the question was taken to mean when context was used.
        threshold: the score the match had to reach.
        match: the underlying match, if any, for detailed explanations.
        offered: the ids of the intents behind the numbered suggestions, in order (for a
            clarification, the choices), which "2" or "the first one" pick next turn.
        threshold_source: where the threshold came from: "calibrated", "default", "settings"
            or "argument" (see `Matcher.threshold_source`).
    """

    __slots__ = _fields = (
        "text",
        "intent",
        "score",
        "question",
        "matched_question",
        "alternatives",
        "suggestions",
        "kind",
        "context_used",
        "resolved",
        "threshold",
        "match",
        "offered",
        "threshold_source",
    )
    text: str
    intent: str | None
    score: float
    question: str
    matched_question: str | None
    alternatives: tuple[Alternative, ...]
    suggestions: tuple[str, ...]
    kind: Kind
    context_used: bool
    resolved: str | None
    threshold: float
    match: Match | None
    offered: tuple[str, ...]
    threshold_source: str

    def __init__(
        self,
        text: str,
        intent: str | None,
        score: float,
        question: str,
        matched_question: str | None = None,
        alternatives: tuple[Alternative, ...] = (),
        suggestions: tuple[str, ...] = (),
        kind: Kind = "answer",
        context_used: bool = False,
        resolved: str | None = None,
        threshold: float = 0.0,
        match: Match | None = None,
        offered: tuple[str, ...] = (),
        threshold_source: str = "",
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "intent", intent)
        set_field(self, "score", score)
        set_field(self, "question", question)
        set_field(self, "matched_question", matched_question)
        set_field(self, "alternatives", alternatives)
        set_field(self, "suggestions", suggestions)
        set_field(self, "kind", kind)
        set_field(self, "context_used", context_used)
        set_field(self, "resolved", resolved)
        set_field(self, "threshold", threshold)
        set_field(self, "match", match)
        set_field(self, "offered", offered)
        set_field(self, "threshold_source", threshold_source)

    @property
    def runner_up(self) -> Alternative | None:
        """The best intent after the one answered, if any."""
        return self.alternatives[0] if self.alternatives else None


class Context(Record):
    """What a conversation is currently about, used to resolve follow-ups.

    Attributes:
        intent: the id of the intent answered last.
        slots: its entity values, e.g. {"subject": "llm", "aspect": "outputs"}.
        turns_left: how many more turns the context lives without being renewed.
        label: a short human description, e.g. "LLMs, outputs".
        question: the question that set it, as it was understood.
    """

    __slots__ = _fields = ("intent", "slots", "turns_left", "label", "question")
    intent: str
    slots: Mapping[str, str]
    turns_left: int
    label: str
    question: str

    def __init__(
        self,
        intent: str,
        slots: Mapping[str, str] = EMPTY_MAPPING,
        turns_left: int = 0,
        label: str = "",
        question: str = "",
    ) -> None:
        set_field(self, "intent", intent)
        set_field(self, "slots", freeze(slots))
        set_field(self, "turns_left", turns_left)
        set_field(self, "label", label)
        set_field(self, "question", question)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Context:
        """The context that `to_dict()` gave this plain data for.

        Raises:
            ValueError: when the data is not such a dict.
        """
        try:
            slots = data.get("slots", {})
            checked = (
                isinstance(data["intent"], str)
                and isinstance(slots, Mapping)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in slots.items())
                and _is_count(data.get("turns_left", 0))
                and isinstance(data.get("label", ""), str)
                and isinstance(data.get("question", ""), str)
            )
        except (KeyError, TypeError, AttributeError):
            checked = False
        if not checked:
            raise ValueError(f"not a context: {data!r:.200}")
        return cls(
            intent=data["intent"],
            slots=slots,
            turns_left=data.get("turns_left", 0),
            label=data.get("label", ""),
            question=data.get("question", ""),
        )


class ConversationState(Record):
    """What a conversation remembers between turns, as plain data: everything its follow-up
    rules read, so that a conversation restored from it replies exactly as the original would.

    It holds ids and scores, never answer texts; the conversation's own question texts are
    kept only where a follow-up reads them again. `to_dict()` and `from_dict()` turn it into
    plain data and back, for a client or a store to carry between turns.

    Attributes:
        context: what follow-ups refer to, if anything.
        last_kind: the kind of the previous reply, or None before the first turn.
        last_intent: the intent the previous reply answered, if any.
        last_asked: what the previous question was taken to ask (as resolved through
            context, else as typed); "" when no follow-up can read it again.
        last_alternatives: the previous reply's runner-up intents with their scores.
        last_offered: the intents behind its numbered suggestions (for a clarification, its
            choices), which "2" or "the first one" pick.
    """

    __slots__ = _fields = (
        "context",
        "last_kind",
        "last_intent",
        "last_asked",
        "last_alternatives",
        "last_offered",
    )
    context: Context | None
    last_kind: Kind | None
    last_intent: str | None
    last_asked: str
    last_alternatives: tuple[Alternative, ...]
    last_offered: tuple[str, ...]

    def __init__(
        self,
        context: Context | None = None,
        last_kind: Kind | None = None,
        last_intent: str | None = None,
        last_asked: str = "",
        last_alternatives: tuple[Alternative, ...] = (),
        last_offered: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "context", context)
        set_field(self, "last_kind", last_kind)
        set_field(self, "last_intent", last_intent)
        set_field(self, "last_asked", last_asked)
        set_field(self, "last_alternatives", last_alternatives)
        set_field(self, "last_offered", last_offered)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationState:
        """The state that `to_dict()` gave this plain data for.

        Raises:
            ValueError: when the data is not such a dict.
        """
        try:
            context = data.get("context")
            kind = data.get("last_kind")
            intent = data.get("last_intent")
            asked = data.get("last_asked", "")
            listed = data.get("last_alternatives", ())
            offered = data.get("last_offered", ())
            alternatives = [Alternative(each["intent"], each["score"]) for each in listed]
            checked = (
                isinstance(listed, (list, tuple))
                and isinstance(offered, (list, tuple))
                and (kind is None or kind in KINDS)
                and (intent is None or isinstance(intent, str))
                and isinstance(asked, str)
                and all(
                    isinstance(each.intent, str) and _is_score(each.score) for each in alternatives
                )
                and all(isinstance(each, str) for each in offered)
            )
        except (KeyError, TypeError, AttributeError):
            checked = False
        if not checked:
            raise ValueError(f"not a conversation state: {data!r:.200}")
        return cls(
            context=None if context is None else Context.from_dict(context),
            last_kind=kind,
            last_intent=intent,
            last_asked=asked,
            last_alternatives=tuple(alternatives),
            last_offered=tuple(offered),
        )


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_score(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
