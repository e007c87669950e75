"""One user's dialogue with the bot: turns questions into replies, keeping short-term context."""

from __future__ import annotations

from typing import Any

from chatbot.dialogue.compose import Composer
from chatbot.dialogue.replies import Context, ConversationState, Reply
from chatbot.dialogue.rules import Turn, reply_to
from chatbot.matching.matcher import Matcher

# Context lives this many turns that do not renew it (a knowledge base may set its own).
DEFAULT_CONTEXT_TURNS = 5


class Conversation:
    """A dialogue: ask questions in turn; context from earlier turns is kept per conversation.

    Create one per user with `bot.conversation()`; many conversations can share one matcher,
    but one conversation is one user's and is not meant to be shared between threads. The
    follow-ups it understands, and the order they are tried in, are the table
    `chatbot.dialogue.rules.FOLLOW_UP_RULES`; anything else is matched as a complete question,
    which always beats context.

    Args:
        matcher: the matcher to answer with (a `Bot` also works: its matcher is used).
        context_turns: how many turns context lives without renewal; 0 turns follow-ups
            off (default: the knowledge base's setting, else 5).

    Raises:
        TypeError: when context_turns is not a whole number.
        ValueError: when context_turns is negative.
    """

    def __init__(self, matcher: Matcher | Any, *, context_turns: int | None = None) -> None:
        self._use(matcher)
        if context_turns is None:
            context_turns = self.knowledge.context_turns
        if context_turns is None:
            context_turns = DEFAULT_CONTEXT_TURNS
        if isinstance(context_turns, bool) or not isinstance(context_turns, int):
            kind = type(context_turns).__name__
            raise TypeError(f"context_turns must be a whole number, got {kind}")
        if context_turns < 0:
            raise ValueError(f"context_turns must be 0 or more, got {context_turns}")
        self.context_turns = context_turns
        self.last: Reply | None = None
        self._context: Context | None = None

    def _use(self, matcher: Matcher | Any) -> None:
        # A Bot is accepted for its matcher without importing it: the bot imports this module.
        self.matcher: Matcher = getattr(matcher, "matcher", matcher)
        self.knowledge = self.matcher.knowledge
        self._compose = Composer(
            self.knowledge, self.matcher.threshold, self.matcher.threshold_source
        )

    def reset(self) -> None:
        """Forget the context of earlier turns."""
        self.last = None
        self._context = None

    def replace_matcher(self, matcher: Matcher | Any) -> None:
        """Continue with another matcher or bot (say, after reloading the YAML); the context
        is cleared."""
        self._use(matcher)
        self.reset()

    # The name before matchers and bots were told apart; kept so existing callers work.
    replace_bot = replace_matcher

    def state(self) -> ConversationState:
        """What this conversation remembers between turns, as a record that turns into plain
        data (`to_dict()`), so that another process can carry on with `restore()`.

        Example:
            >>> conversation.ask("what is an llm").intent
            'llm_definition'
            >>> data = conversation.state().to_dict()  # to JSON, a cookie, a store...
            >>> later = bot.conversation()
            >>> later.restore(ConversationState.from_dict(data))
            >>> later.ask("and generative ai?").intent
            'genai_definition'
        """
        last = self.last
        if last is None:
            return ConversationState(context=self._context)
        return ConversationState(
            context=self._context,
            last_kind=last.kind,
            last_intent=last.intent,
            # Only "no" after an answer reads the question again (to rank its runners-up).
            last_asked=(last.resolved or last.question) if last.kind == "answer" else "",
            last_alternatives=last.alternatives,
            last_offered=last.offered,
        )

    def restore(self, state: ConversationState) -> None:
        """Carry on from a state that `state()` gave, here or in another process with the same
        knowledge base: the next reply is the one the original conversation would give.

        Afterwards `last` holds the previous reply only as far as follow-ups read it (its kind,
        intent, alternatives and offered intents); its text and match are not kept.
        """
        self._context = state.context
        if state.last_kind is None:
            self.last = None
            return
        self.last = Reply(
            text="",
            intent=state.last_intent,
            score=0.0,
            question=state.last_asked,
            alternatives=state.last_alternatives,
            kind=state.last_kind,
            threshold=self.matcher.threshold,
            threshold_source=self.matcher.threshold_source,
            offered=state.last_offered,
        )

    @property
    def context(self) -> Context | None:
        """What follow-ups would refer to now, or None when there is no live context."""
        return self._context

    def ask(self, text: str) -> Reply:
        """Answer one turn, using the context of earlier turns where the text needs it.

        Example:
            >>> from chatbot import Bot
            >>> conversation = Bot().conversation()
            >>> conversation.ask("What data is generative AI trained on?").intent
            'genai_data_inputs'
            >>> conversation.ask("and LLMs?").intent
            'llm_data_inputs'

        Raises:
            TypeError: when `text` is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"ask() takes the question as a str, got {type(text).__name__}")
        # With no context at all, every message is read alone: not even "2" refers back.
        last = self.last if self.context_turns else None
        turn = Turn(
            text,
            self.matcher,
            self._compose,
            context=self._context,
            last=last,
            offered=last.offered if last else (),
            choices=last.offered if last and last.kind == "clarify" else (),
        )
        reply = reply_to(turn)
        self._remember(reply)
        return reply

    def _remember(self, reply: Reply) -> None:
        """Update the context after a turn: an answer replaces it, anything else ages it."""
        self.last = reply
        intent = self.knowledge.get(reply.intent) if reply.intent else None
        if (
            intent is not None
            and intent.sets_context
            and reply.kind == "answer"
            and self.context_turns > 0
        ):
            self._context = Context(
                intent=intent.id,
                slots=intent.slots,
                turns_left=self.context_turns,
                label=self._compose.label(intent),
                question=reply.resolved or reply.question,
            )
        elif self._context is not None:
            # Fallbacks, small talk and expansions do not renew the context; it runs out.
            turns_left = self._context.turns_left - 1
            self._context = self._context.replace(turns_left=turns_left) if turns_left > 0 else None
