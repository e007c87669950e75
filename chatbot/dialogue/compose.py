"""Build the bot's replies: answers, clarifications, fallbacks, notices and expansions.

Every reply is stamped here with the threshold in force and with the intents its numbered
suggestions stand for, so the rules that choose a reply never repeat that bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from chatbot.dialogue.replies import Alternative, Reply
from chatbot.intents import Intent, KnowledgeBase
from chatbot.matching.matcher import Match

# How many runner-up intents a reply reports, and how many questions it suggests.
ALTERNATIVES = 3
SUGGESTIONS = 3

NO_MORE = "That is all I have on this."
NO_WHY = "I have no further explanation for this, but here is the answer again:"


def alternatives_of(matches: Iterable[Match]) -> tuple[Alternative, ...]:
    """Matches as the runner-up records a reply lists."""
    return tuple(Alternative(match.intent.id, match.score) for match in matches)


class Composer:
    """Makes the replies of one knowledge base, at one threshold."""

    def __init__(self, knowledge: KnowledgeBase, threshold: float, source: str = "") -> None:
        self.knowledge = knowledge
        self.threshold = threshold
        self.source = source

    def answer(self, text: str, best: Match, runners_up: Sequence[Match]) -> Reply:
        """The answer of the best match, listing the runners-up it beat."""
        offered = self._known(best.intent.follow_ups)
        return Reply(
            text=best.intent.answer,
            intent=best.intent.id,
            score=best.score,
            question=text,
            matched_question=best.question,
            alternatives=alternatives_of(runners_up),
            suggestions=self.first_questions(offered),
            threshold=self.threshold,
            threshold_source=self.source,
            match=best,
            offered=offered,
        )

    def answer_intent(self, text: str, intent_id: str, match: Match | None = None) -> Reply | None:
        """The answer of an intent chosen through context (None if the id is unknown)."""
        intent = self.knowledge.get(intent_id)
        if intent is None:
            return None
        offered = self._known(intent.follow_ups)
        return Reply(
            text=intent.answer,
            intent=intent.id,
            score=match.score if match else 100.0,
            question=text,
            # Resolved from context, the intent's first question is what it was taken to ask.
            matched_question=match.question if match else intent.questions[0],
            suggestions=self.first_questions(offered),
            context_used=True,
            resolved=intent.questions[0],
            threshold=self.threshold,
            threshold_source=self.source,
            match=match,
            offered=offered,
        )

    def both(self, text: str, intent_ids: Sequence[str]) -> Reply | None:
        """The answers of several intents at once, for "both" after "Did you mean A or B?"."""
        intents = [self.knowledge.get(intent_id) for intent_id in intent_ids]
        known = [intent for intent in intents if intent is not None]
        if not known:
            return None
        first = known[0]
        offered = self._known(first.follow_ups)
        return Reply(
            text="\n\n".join(intent.answer for intent in known),
            intent=first.id,
            score=100.0,
            question=text,
            matched_question=first.questions[0],
            suggestions=self.first_questions(offered),
            context_used=True,
            resolved=" / ".join(intent.questions[0] for intent in known),
            threshold=self.threshold,
            threshold_source=self.source,
            offered=offered,
        )

    def expansion(self, text: str, intent: Intent, command: Literal["more", "why"]) -> Reply:
        """The intent's `more` or `why` text, or what it has instead."""
        if command == "more":
            body = intent.more or f"{NO_MORE} {intent.answer}"
        else:
            body = intent.why or intent.more or f"{NO_WHY} {intent.answer}"
        offered = self._known(intent.follow_ups)
        return Reply(
            text=body,
            intent=intent.id,
            score=100.0,
            question=text,
            suggestions=self.first_questions(offered),
            kind=command,
            context_used=True,
            resolved=f"{command}: {intent.questions[0]}",
            threshold=self.threshold,
            threshold_source=self.source,
            offered=offered,
        )

    def notice(
        self,
        text: str,
        message: str,
        *,
        alternatives: tuple[Alternative, ...] | None = None,
        context_used: bool = False,
    ) -> Reply:
        """A reply that answers no intent but says something, and offers the first questions
        of `alternatives` (None: of the knowledge base's first intents)."""
        if alternatives is None:
            offered = tuple(intent.id for intent in self.knowledge.intents[:SUGGESTIONS])
            alternatives = ()
        else:
            offered = tuple(alternative.intent for alternative in alternatives[:SUGGESTIONS])
        return Reply(
            text=message,
            intent=None,
            score=0.0,
            question=text,
            alternatives=alternatives,
            suggestions=self.first_questions(offered),
            kind="notice",
            context_used=context_used,
            threshold=self.threshold,
            threshold_source=self.source,
            offered=offered,
        )

    def clarify(self, text: str, ranked: Sequence[Match]) -> Reply:
        """ "Did you mean A or B?" for the two best matches."""
        first, second = ranked[0], ranked[1]
        return Reply(
            text=f'Did you mean "{first.intent.questions[0]}" or "{second.intent.questions[0]}"?',
            intent=None,
            score=first.score,
            question=text,
            matched_question=first.question,
            alternatives=alternatives_of(ranked),
            suggestions=(first.intent.questions[0], second.intent.questions[0]),
            kind="clarify",
            threshold=self.threshold,
            threshold_source=self.source,
            match=first,
            offered=(first.intent.id, second.intent.id),
        )

    def fallback(
        self, text: str, ranked: Sequence[Match], closest: Sequence[Match] | None = None
    ) -> Reply:
        """The knowledge base's fallback, offering the questions of the `closest` matches (by
        default the best `ranked`), or when there are none, its first questions; `ranked` is
        what the reply reports as its alternatives."""
        closest = (ranked if closest is None else closest)[:SUGGESTIONS]
        if closest:
            offered = tuple(match.intent.id for match in closest)
            suggestions = tuple(match.question for match in closest)
        else:
            offered = tuple(intent.id for intent in self.knowledge.intents[:SUGGESTIONS])
            suggestions = self.first_questions(offered)
        return Reply(
            text=self.knowledge.fallback,
            intent=None,
            score=ranked[0].score if ranked else 0.0,
            question=text,
            alternatives=alternatives_of(ranked),
            suggestions=suggestions,
            kind="fallback",
            threshold=self.threshold,
            threshold_source=self.source,
            offered=offered,
        )

    def first_questions(self, intent_ids: Iterable[str]) -> tuple[str, ...]:
        """The first question of each intent, for suggesting them (at most SUGGESTIONS)."""
        questions = []
        for intent_id in intent_ids:
            intent = self.knowledge.get(intent_id)
            if intent is not None and intent.questions:
                questions.append(intent.questions[0])
            if len(questions) == SUGGESTIONS:
                break
        return tuple(questions)

    def display(self, entity: str, value: str) -> str:
        """How a value is named to the user: the first phrase declared for it."""
        phrases = self.knowledge.entities.get(entity, {}).get(value, ())
        return phrases[0] if phrases else value.replace("_", " ")

    def label(self, intent: Intent) -> str:
        """A short description of what an intent is about, e.g. "LLMs, outputs"."""
        names = [self.display(entity, value) for entity, value in intent.slots.items()]
        # An id ("eduroam_android") means nothing to a user, and a topic is often a section
        # name ("FAQ") shared by many entries; the first question says what this one is about.
        return ", ".join(names) or intent.questions[0]

    def _known(self, intent_ids: Iterable[str]) -> tuple[str, ...]:
        """The ids that name intents, at most SUGGESTIONS of them."""
        return tuple(i for i in intent_ids if self.knowledge.get(i) is not None)[:SUGGESTIONS]
