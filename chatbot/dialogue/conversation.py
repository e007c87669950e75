"""One user's dialogue with the bot: turns questions into replies, keeping short-term context."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chatbot.dialogue.followups import (
    FOLLOW_UP_WORDS,
    command_of,
    is_elliptical,
    ordinal_of,
    pronoun_position,
    yes_or_no,
)
from chatbot.dialogue.replies import Alternative, Context, Reply
from chatbot.intents import Intent
from chatbot.matching.entities import by_entity
from chatbot.matching.matcher import Match
from chatbot.matching.query import Query
from chatbot.policy import CLARIFY_MARGIN, OPEN_SLOT_MARGIN, REFERENCE_GAIN

if TYPE_CHECKING:
    from chatbot.bot import Bot

# How many runner-up intents a reply reports, and how many questions it suggests.
ALTERNATIVES = 3
SUGGESTIONS = 3
# Context lives this many turns that do not renew it (a knowledge base may set its own).
DEFAULT_CONTEXT_TURNS = 5
NOT_WHAT_YOU_MEANT = "Sorry about that. Could you ask it in other words?"
NOTHING_TO_EXPAND = "Ask me a question first, then I can tell you more about it."
NO_MORE = "That is all I have on this."
NO_WHY = "I have no further explanation for this, but here is the answer again:"


class _Heard:
    """One utterance as the follow-up rules read it: read once per turn, with the words the
    rules look for spared from typo correction, and handed on to the matcher as it is.

    Attributes:
        query: the utterance as the matcher read it.
        text: what was typed.
        words: its normalised words, synonyms applied.
        mentions: the entity values it names, with where.
    """

    __slots__ = ("mentions", "query", "text", "words")

    def __init__(self, query: Query) -> None:
        self.query = query
        self.text = query.text
        self.words = list(query.spared_words)
        self.mentions = query.spared_mentions

    @property
    def named(self) -> dict[str, list[str]]:
        """Entity -> the values named, in order of first mention."""
        return by_entity(self.mentions)

    @property
    def elliptical(self) -> bool:
        """Whether it only names entity values among filler words ("and LLMs?")."""
        return is_elliptical(self.words, [(m.start, m.end) for m in self.mentions])


def _picked(options: tuple[str, ...], words: list[str]) -> str | None:
    """The option chosen by "2", "the first one" or "the last", if the words choose one."""
    position = ordinal_of(words)
    if position is None or not options:
        return None
    if position == -1:
        return options[-1]
    return options[position - 1] if 1 <= position <= len(options) else None


def _differ_in_open_slots(heard: _Heard, first: Match, second: Match) -> bool:
    """Whether the utterance only names entity values, and the two intents differ only in
    slots whose entities it leaves unnamed."""
    a, b = first.intent.slots, second.intent.slots
    if not a or a.keys() != b.keys():
        return False
    differing = {entity for entity in a if a[entity] != b[entity]}
    if not differing or not heard.elliptical:
        return False
    return not differing & {mention.entity for mention in heard.mentions}


class Conversation:
    """A dialogue: ask questions in turn; context from earlier turns is kept per conversation.

    Create one per user with `bot.conversation()`; many conversations can share one Bot, but
    one conversation is one user's and is not meant to be shared between threads.

    Follow-ups it understands, in the order they are tried:
        - an answer to "Did you mean A or B?": "the second", "B's wording", "yes", "no";
        - a pick from the numbered suggestions: "2", "the first one";
        - "tell me more" / "why?": the last intent's `more` / `why`;
        - an elliptical question naming only new entity values: "and LLMs?", "what about outputs?";
        - a reference to the subject in context: "what do they output?";
        - anything else is matched as a complete question, which always beats context.
    """

    def __init__(self, bot: Bot, *, context_turns: int | None = None) -> None:
        self.bot = bot
        self.context_turns = context_turns or bot.knowledge.context_turns or DEFAULT_CONTEXT_TURNS
        self.last: Reply | None = None
        self._context: Context | None = None
        # Intents behind the numbered suggestions of the last reply, and the choices of a
        # pending "Did you mean A or B?".
        self._offered: tuple[str, ...] = ()
        self._choices: tuple[str, ...] = ()

    def reset(self) -> None:
        """Forget the context of earlier turns."""
        self.last = None
        self._context = None
        self._offered = ()
        self._choices = ()

    def replace_bot(self, bot: Bot) -> None:
        """Continue with another bot (say, after reloading the YAML); the context is cleared."""
        self.bot = bot
        self.reset()

    @property
    def context(self) -> Context | None:
        """What follow-ups would refer to now, or None when there is no live context."""
        return self._context

    def ask(self, text: str) -> Reply:
        """Answer one turn, using the context of earlier turns where the text needs it.

        Example:
            >>> conversation = Bot().conversation()
            >>> conversation.ask("What data is generative AI trained on?").intent
            'genai_data_inputs'
            >>> conversation.ask("and LLMs?").intent
            'llm_data_inputs'
        """
        heard = self._hear(text)
        reply = (
            self._answer_choice(heard)
            or self._disown_answer(heard)
            or self._pick_suggestion(heard)
            or self._expand(heard)
            or self._resolve_ellipsis(heard)
            or self._resolve_reference(heard)
            or self._match(heard)
        )
        self._remember(reply)
        return reply

    def _hear(self, text: str) -> _Heard:
        # Typos corrected, so that "and generativ ai?" names generative AI, but not in the
        # words the follow-up rules read themselves.
        query = self.bot.matcher.read(text, keep=FOLLOW_UP_WORDS)
        return _Heard(query)

    # -- the follow-up rules, each returning None when it does not apply ---------------------

    def _answer_choice(self, heard: _Heard) -> Reply | None:
        if not self._choices:
            return None
        text, choices = heard.text, self._choices
        picked = _picked(choices, heard.words)
        if picked is not None:
            return self._answer_intent(text, picked)
        verdict = yes_or_no(heard.words)
        if verdict is True:
            return self._answer_intent(text, choices[0])
        if verdict is False:
            others = self._offered_after_no(choices)
            return self._notice(text, NOT_WHAT_YOU_MEANT, alternatives=others, context_used=True)
        # Naming an entity value that only one choice has ("the LLM one") picks that choice,
        # unless the text also names another value of an entity the choice declares: "gen ai
        # uses which architectures" is a new question, not a pick of the LLM architecture.
        named = heard.named
        fitting = [
            intent_id
            for intent_id in choices
            if (intent := self.bot.knowledge.get(intent_id)) is not None
            and any(intent.slots.get(entity) in values for entity, values in named.items())
            and all(
                intent.slots[entity] in values
                for entity, values in named.items()
                if entity in intent.slots
            )
        ]
        if len(fitting) == 1:
            return self._answer_intent(text, fitting[0])
        # Naming a value that no choice has, but that completes what they all share, asks for
        # that intent: "both" after "LLM or generative AI architecture?".
        if heard.elliptical:
            completed = self._completed_choice(choices, named)
            if completed is not None:
                return self._answer_intent(text, completed)
        # Otherwise the wording may still be closest to one of them, unless the text is a
        # new question that matches something else well.
        ranked = self.bot.matcher.rank(heard.query, limit=len(choices) + 3)
        for match in ranked:
            if match.intent.id in choices:
                return self._answer_intent(text, match.intent.id, match=match)
            if match.score >= self.bot.matcher.threshold:
                return None
        return None

    def _completed_choice(
        self, choices: tuple[str, ...], named: dict[str, list[str]]
    ) -> str | None:
        """The intent with the slots all choices share plus the values named, if one exists."""
        slot_sets = []
        for intent_id in choices:
            intent = self.bot.knowledge.get(intent_id)
            if intent is None:
                return None
            slot_sets.append(set(intent.slots.items()))
        shared = dict(set.intersection(*slot_sets))
        kept = {entity: value for entity, value in shared.items() if entity not in named}
        if not kept:  # the text says everything itself: a new question, not an answer
            return None
        wanted = {**kept, **{entity: values[0] for entity, values in named.items()}}
        intent = self.bot.knowledge.with_slots(wanted)
        return intent.id if intent is not None and intent.id not in choices else None

    def _disown_answer(self, heard: _Heard) -> Reply | None:
        # A plain "no" (or "wrong") after an answer: offer the runners-up it beat instead.
        last = self.last
        if (
            last is None
            or last.kind != "answer"
            or self._context is None
            or yes_or_no(heard.words) is not False
        ):
            return None
        alternatives = last.alternatives[:SUGGESTIONS]
        if not alternatives:
            # An answer found through context has no runners-up of its own: those of the
            # question it was taken to be.
            ranked = self.bot.matcher.rank(last.resolved or last.question, limit=SUGGESTIONS + 1)
            alternatives = tuple(
                Alternative(m.intent.id, m.score) for m in ranked if m.intent.id != last.intent
            )[:SUGGESTIONS]
        return self._notice(
            heard.text, NOT_WHAT_YOU_MEANT, alternatives=alternatives, context_used=True
        )

    def _pick_suggestion(self, heard: _Heard) -> Reply | None:
        picked = _picked(self._offered, heard.words)
        return None if picked is None else self._answer_intent(heard.text, picked)

    def _expand(self, heard: _Heard) -> Reply | None:
        text = heard.text
        command = command_of(heard.words)
        if command is None:
            return None
        intent = self._context_intent()
        if intent is None:
            return self._notice(text, NOTHING_TO_EXPAND)
        if command == "more":
            body = intent.more or f"{NO_MORE} {intent.answer}"
        else:
            body = intent.why or intent.more or f"{NO_WHY} {intent.answer}"
        return Reply(
            text=body,
            intent=intent.id,
            score=100.0,
            question=text,
            suggestions=self._first_questions(intent.follow_ups),
            kind=command,
            context_used=True,
            resolved=f"{command}: {intent.questions[0]}",
            threshold=self.bot.matcher.threshold,
        )

    def _resolve_ellipsis(self, heard: _Heard) -> Reply | None:
        context = self._context
        if context is None or not heard.elliptical:
            return None
        named = heard.named
        if any(len(values) > 1 for values in named.values()):
            return None  # "and LLMs and generative AI?" is not one follow-up
        chosen = {entity: values[0] for entity, values in named.items()}
        slots = dict(context.slots)
        if slots and set(chosen) <= set(slots):
            target = self.bot.knowledge.with_slots({**slots, **chosen})
            return self._answer_intent(heard.text, target.id) if target else None
        return self._substitute(heard.text, context, chosen)

    def _substitute(self, text: str, context: Context, named: dict[str, str]) -> Reply | None:
        """Answer "and generative AI?" after a question without slots by swapping the value
        named now into the question that set the context."""
        asked = self._hear(context.question)
        words = list(asked.words)
        swaps = [m for m in asked.mentions if m.entity in named and m.value != named[m.entity]]
        if not swaps:
            return None
        for mention in reversed(swaps):
            words[mention.start : mention.end] = [
                self._display(mention.entity, named[mention.entity])
            ]
        return self._rematch(text, " ".join(words))

    def _resolve_reference(self, heard: _Heard) -> Reply | None:
        context = self._context
        if context is None or not context.slots:
            return None
        words = heard.words
        position = pronoun_position(words)
        if position is None:
            return None
        # A pronoun stands for the context's first slot (the subject, in the bundled FAQ), or,
        # when the question names a value of that entity itself, perhaps for the next one: in
        # "are they used in gen AI too?" after LLM architecture, "they" is the architecture.
        # That reading must then beat the question read alone clearly: in "is it generative
        # AI?" after "what is an LLM?", "it" is no architecture or definition.
        slots = list(context.slots.items())
        unnamed = [(entity, value) for entity, value in slots if entity not in heard.named]
        if not unnamed:
            return None
        entity, value = unnamed[0]
        rewritten = " ".join(
            [*words[:position], self._display(entity, value), *words[position + 1 :]]
        )
        reply = self._rematch(heard.text, rewritten)
        if reply is None or (entity, value) == slots[0]:
            return reply
        alone = self.bot.matcher.rank(heard.query, limit=1)
        return reply if not alone or reply.score >= alone[0].score + REFERENCE_GAIN else None

    def _rematch(self, text: str, rewritten: str) -> Reply | None:
        """Match a question rewritten from context; None when even that finds nothing."""
        ranked = self.bot.matcher.rank(rewritten, limit=ALTERNATIVES + 1)
        if not ranked or ranked[0].score < self.bot.matcher.threshold:
            return None
        reply = self._reply_for(text, ranked[0], ranked[1:])
        return reply.replace(context_used=True, resolved=rewritten)

    def _match(self, heard: _Heard) -> Reply:
        text, matcher = heard.text, self.bot.matcher
        ranked = matcher.rank(heard.query, limit=ALTERNATIVES + 1)
        if not ranked or ranked[0].score < matcher.threshold:
            return self._fallback(text, ranked)
        best = ranked[0]
        if len(ranked) > 1 and ranked[1].score >= matcher.threshold:
            gap = best.score - ranked[1].score
            if gap < CLARIFY_MARGIN or (
                gap < OPEN_SLOT_MARGIN and _differ_in_open_slots(heard, best, ranked[1])
            ):
                return self._clarify(text, ranked)
        return self._reply_for(text, best, ranked[1:])

    # -- building replies --------------------------------------------------------------------

    def _answer_intent(self, text: str, intent_id: str, match: Match | None = None) -> Reply | None:
        intent = self.bot.knowledge.get(intent_id)
        if intent is None:
            return None
        return Reply(
            text=intent.answer,
            intent=intent.id,
            score=match.score if match else 100.0,
            question=text,
            # Resolved from context, the intent's first question is what it was taken to ask.
            matched_question=match.question if match else intent.questions[0],
            suggestions=self._first_questions(intent.follow_ups),
            context_used=True,
            resolved=intent.questions[0],
            threshold=self.bot.matcher.threshold,
            match=match,
        )

    def _notice(
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
            offered = [intent.id for intent in self.bot.knowledge.intents[:SUGGESTIONS]]
            alternatives = ()
        else:
            offered = [alternative.intent for alternative in alternatives]
        return Reply(
            text=message,
            intent=None,
            score=0.0,
            question=text,
            alternatives=alternatives,
            suggestions=self._first_questions(offered),
            kind="fallback",
            context_used=context_used,
            threshold=self.bot.matcher.threshold,
        )

    def _reply_for(self, text: str, best: Match, runners_up: list[Match]) -> Reply:
        return Reply(
            text=best.intent.answer,
            intent=best.intent.id,
            score=best.score,
            question=text,
            matched_question=best.question,
            alternatives=tuple(Alternative(m.intent.id, m.score) for m in runners_up),
            suggestions=self._first_questions(best.intent.follow_ups),
            threshold=self.bot.matcher.threshold,
            match=best,
        )

    def _clarify(self, text: str, ranked: list[Match]) -> Reply:
        first, second = ranked[0], ranked[1]
        return Reply(
            text=f'Did you mean "{first.intent.questions[0]}" or "{second.intent.questions[0]}"?',
            intent=None,
            score=first.score,
            question=text,
            matched_question=first.question,
            alternatives=tuple(Alternative(m.intent.id, m.score) for m in ranked),
            suggestions=(first.intent.questions[0], second.intent.questions[0]),
            kind="clarify",
            threshold=self.bot.matcher.threshold,
            match=first,
        )

    def _fallback(self, text: str, ranked: list[Match]) -> Reply:
        offered = [match.intent.id for match in ranked[:SUGGESTIONS]] or [
            intent.id for intent in self.bot.knowledge.intents
        ]
        suggestions = [match.question for match in ranked[:SUGGESTIONS]] or self._first_questions(
            offered
        )
        return Reply(
            text=self.bot.knowledge.fallback,
            intent=None,
            score=ranked[0].score if ranked else 0.0,
            question=text,
            alternatives=tuple(Alternative(m.intent.id, m.score) for m in ranked),
            suggestions=tuple(suggestions[:SUGGESTIONS]),
            kind="fallback",
            threshold=self.bot.matcher.threshold,
        )

    # -- bookkeeping ---------------------------------------------------------------------------

    def _remember(self, reply: Reply) -> None:
        """Update the context after a turn: an answer replaces it, anything else ages it."""
        self.last = reply
        self._choices = (
            tuple(a.intent for a in reply.alternatives[:2]) if reply.kind == "clarify" else ()
        )
        self._offered = self._suggested_intents(reply)
        intent = self.bot.knowledge.get(reply.intent) if reply.intent else None
        if intent is not None and intent.sets_context and reply.kind == "answer":
            self._context = Context(
                intent=intent.id,
                slots=intent.slots,
                turns_left=self.context_turns,
                label=self._label(intent),
                question=reply.resolved or reply.question,
            )
        elif self._context is not None:
            # Fallbacks, small talk and expansions do not renew the context; it runs out.
            turns_left = self._context.turns_left - 1
            self._context = self._context.replace(turns_left=turns_left) if turns_left > 0 else None

    def _suggested_intents(self, reply: Reply) -> tuple[str, ...]:
        if reply.kind == "clarify":
            return tuple(a.intent for a in reply.alternatives[:2])
        if reply.kind == "fallback":
            offered = [a.intent for a in reply.alternatives[:SUGGESTIONS]]
            if offered:
                return tuple(offered)
            return tuple(i.id for i in self.bot.knowledge.intents[: len(reply.suggestions)])
        intent = self.bot.knowledge.get(reply.intent) if reply.intent else None
        if intent is None:
            return ()
        known = [i for i in intent.follow_ups if self.bot.knowledge.get(i) is not None]
        return tuple(known[:SUGGESTIONS])

    def _context_intent(self) -> Intent | None:
        if self._context is None:
            return None
        return self.bot.knowledge.get(self._context.intent)

    def _first_questions(self, intent_ids: Iterable[str]) -> tuple[str, ...]:
        questions = []
        for intent_id in intent_ids:
            intent = self.bot.knowledge.get(intent_id)
            if intent is not None and intent.questions:
                questions.append(intent.questions[0])
            if len(questions) == SUGGESTIONS:
                break
        return tuple(questions)

    def _offered_after_no(self, choices: tuple[str, ...]) -> tuple[Alternative, ...]:
        ranked = self.last.alternatives if self.last else ()
        return tuple(a for a in ranked if a.intent not in choices)[:SUGGESTIONS]

    def _display(self, entity: str, value: str) -> str:
        """How a value is named to the user: the first phrase declared for it."""
        phrases = self.bot.knowledge.entities.get(entity, {}).get(value, ())
        return phrases[0] if phrases else value.replace("_", " ")

    def _label(self, intent: Intent) -> str:
        names = [self._display(entity, value) for entity, value in intent.slots.items()]
        return ", ".join(names) or intent.topic or intent.id
