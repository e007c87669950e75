"""One user's dialogue with the bot: turns questions into replies, keeping short-term context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from chatbot.matcher import Match

if TYPE_CHECKING:
    from chatbot.bot import Bot

# How many runner-up intents a reply reports, and how many questions it suggests.
ALTERNATIVES = 3
SUGGESTIONS = 3


@dataclass(frozen=True)
class Alternative:
    """A runner-up intent and its score."""

    intent: str
    score: float


@dataclass(frozen=True)
class Reply:
    """The bot's answer to one turn, with everything needed to explain it.

    Attributes:
        text: what the bot says.
        intent: the id of the intent answered, or None when the bot fell back.
        score: the match score, 0 to 100 (0 when nothing matched).
        question: the user's text for this turn.
        matched_question: the stored question that matched best, if any.
        alternatives: runner-up intents with their scores, best first.
        suggestions: questions to offer the user next.
        kind: "answer", "fallback", "more", "why" or "clarify".
        context_used: whether earlier turns decided the answer.
        resolved: what the question was taken to mean when context was used.
        threshold: the score the match had to reach.
        match: the underlying match, if any, for detailed explanations.
    """

    text: str
    intent: str | None
    score: float
    question: str
    matched_question: str | None = None
    alternatives: tuple[Alternative, ...] = ()
    suggestions: tuple[str, ...] = ()
    kind: str = "answer"
    context_used: bool = False
    resolved: str | None = None
    threshold: float = 0.0
    match: Match | None = None

    @property
    def runner_up(self) -> Alternative | None:
        """The best intent after the one answered, if any."""
        return self.alternatives[0] if self.alternatives else None


@dataclass(frozen=True)
class Context:
    """What a conversation is currently about, used to resolve follow-ups.

    Attributes:
        intent: the id of the intent answered last.
        slots: its entity values, e.g. {"subject": "llm", "aspect": "outputs"}.
        turns_left: how many more turns the context lives without being renewed.
        label: a short human description, e.g. "LLMs, outputs".
    """

    intent: str
    slots: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    turns_left: int = 0
    label: str = ""


class Conversation:
    """A dialogue: ask questions in turn; context from earlier turns is kept per conversation.

    Create one per user with `bot.conversation()`; many conversations can share one Bot.
    """

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.last: Reply | None = None

    def reset(self) -> None:
        """Forget the context of earlier turns."""
        self.last = None

    def replace_bot(self, bot: Bot) -> None:
        """Continue with another bot (say, after reloading the YAML); the context is cleared."""
        self.bot = bot
        self.reset()

    @property
    def context(self) -> Context | None:
        """What follow-ups would refer to now, or None when there is no live context."""
        if self.last is None or self.last.intent is None:
            return None
        intent = self.bot.knowledge.get(self.last.intent)
        if intent is None:
            return None
        return Context(
            intent=intent.id,
            slots=intent.slots,
            turns_left=1,
            label=self._label(intent.slots) or (intent.topic or intent.id),
        )

    def _label(self, slots: Mapping[str, str]) -> str:
        """Slot values in their display form: the first phrase declared for each value."""
        entities = self.bot.knowledge.entities
        names = []
        for entity, value in slots.items():
            phrases = entities.get(entity, {}).get(value, ())
            names.append(phrases[0] if phrases else value.replace("_", " "))
        return ", ".join(names)

    def ask(self, text: str) -> Reply:
        """Answer one turn.

        Example:
            >>> Bot().conversation().ask("can an llm make pictures?").intent
            'llm_image_generation'
        """
        matcher = self.bot.matcher
        ranked = matcher.rank(text, limit=ALTERNATIVES + 1)
        best = ranked[0] if ranked and ranked[0].score >= matcher.threshold else None
        if best is None:
            reply = self._fallback(text, ranked)
        else:
            reply = self._answer(text, best, ranked[1:])
        self.last = reply
        return reply

    def _answer(self, text: str, best: Match, runners_up: list[Match]) -> Reply:
        knowledge = self.bot.knowledge
        suggestions = []
        for intent_id in best.intent.follow_ups:
            follow_up = knowledge.get(intent_id)
            if follow_up is not None and follow_up.questions:
                suggestions.append(follow_up.questions[0])
        return Reply(
            text=best.intent.answer,
            intent=best.intent.id,
            score=best.score,
            question=text,
            matched_question=best.question,
            alternatives=tuple(Alternative(m.intent.id, m.score) for m in runners_up),
            suggestions=tuple(suggestions[:SUGGESTIONS]),
            threshold=self.bot.matcher.threshold,
            match=best,
        )

    def _fallback(self, text: str, ranked: list[Match]) -> Reply:
        suggestions = [match.question for match in ranked[:SUGGESTIONS]]
        if not suggestions:
            suggestions = [
                intent.questions[0] for intent in self.bot.knowledge.intents[:SUGGESTIONS]
            ]
        return Reply(
            text=self.bot.knowledge.fallback,
            intent=None,
            score=ranked[0].score if ranked else 0.0,
            question=text,
            alternatives=tuple(Alternative(m.intent.id, m.score) for m in ranked),
            suggestions=tuple(suggestions),
            kind="fallback",
            threshold=self.bot.matcher.threshold,
        )
