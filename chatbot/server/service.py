"""The chat behind the HTTP API, with no HTTP in it: one turn from a question and a token.

Each turn starts a conversation from the state its token carries, asks, and issues a token
for the state after it, so the server keeps nothing between requests. The knowledge base can
be reloaded while serving; a failed reload keeps the last good one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatbot.dialogue.conversation import Conversation
from chatbot.dialogue.replies import ConversationState
from chatbot.errors import ChatbotError
from chatbot.render import reply_to_json
from chatbot.server.tokens import ContextTokens, StaleToken, TokenError

if TYPE_CHECKING:
    from chatbot.bot import Bot
    from chatbot.curation.unanswered import UnansweredLog
    from chatbot.intents import KnowledgeBase

# What a reply says when its token came from before a reload.
KNOWLEDGE_CHANGED = (
    "My answers were updated since your last question, so I started a new conversation."
)

# Receives one event (plain data) to log.
EventLog = Callable[[dict[str, Any]], None]


def knowledge_version(knowledge: KnowledgeBase) -> str:
    """A stable fingerprint of what a knowledge base says: the same on every replica that
    loaded the same intents, wherever its files lie, and another one when any of them changes.
    """
    content = {
        "intents": [
            {name: value for name, value in intent.to_dict().items() if name != "source"}
            for intent in knowledge
        ],
        "synonyms": knowledge.synonyms,
        "entities": knowledge.entities,
        "threshold": knowledge.threshold,
        "context_turns": knowledge.context_turns,
        "fallback": knowledge.fallback,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class NotReady(ChatbotError):
    """The knowledge base is not loaded (yet, or its files are broken)."""


class _Loaded:
    """A bot with its version, swapped as one value so a turn never sees half a reload."""

    __slots__ = ("bot", "loaded_at", "version")

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.version = knowledge_version(bot.knowledge)
        self.loaded_at = time.time()


class ChatService:
    """Answers turns statelessly for any number of processes sharing one token secret.

    Args:
        load: builds the bot (called by `load()` and `reload()`); raises ChatbotError when
            the intent files are broken.
        tokens: issues and reads the context tokens.
        unanswered: where fallbacks and borderline answers are logged, if anywhere.
        log: receives events such as a reload or a failed one.
    """

    def __init__(
        self,
        load: Callable[[], Bot],
        *,
        tokens: ContextTokens,
        unanswered: UnansweredLog | None = None,
        log: EventLog | None = None,
    ) -> None:
        self._load = load
        self.tokens = tokens
        self.unanswered = unanswered
        self._log = log or (lambda event: None)
        self._loaded: _Loaded | None = None
        self.load_error: str | None = None

    @property
    def ready(self) -> bool:
        """Whether a knowledge base is loaded, so that questions are answered."""
        return self._loaded is not None

    @property
    def version(self) -> str | None:
        """The loaded knowledge base's version (see `knowledge_version`), if any."""
        return None if self._loaded is None else self._loaded.version

    def _current(self) -> _Loaded:
        loaded = self._loaded
        if loaded is None:
            raise NotReady(self.load_error or "the knowledge base is still loading")
        return loaded

    @property
    def bot(self) -> Bot:
        """The bot answering now.

        Raises:
            NotReady: when no knowledge base is loaded.
        """
        return self._current().bot

    def load(self) -> None:
        """Load the knowledge base, or raise the ChatbotError that says what is wrong."""
        loaded = _Loaded(self._load())
        # One turn builds what the matcher builds on first use, before any user waits for it
        # (and, in `chatbot serve`, before the workers are forked, so they share it).
        Conversation(loaded.bot.matcher).ask("hello")
        self._loaded = loaded
        self.load_error = None
        self._log({"event": "loaded", **self.readiness()})

    def reload(self) -> bool:
        """Load the knowledge base again, keeping the last good one if that fails (the error
        is logged); True when the version answering changed."""
        before = self.version
        try:
            self.load()
        except ChatbotError as error:
            self.load_error = str(error)
            kept = "keeping the knowledge base loaded before" if self.ready else "nothing loaded"
            self._log({"event": "reload failed", "error": str(error), "kept": kept})
            return False
        return self.version != before

    def readiness(self) -> dict[str, Any]:
        """What `/readyz` reports: whether a knowledge base is loaded, which, and any error."""
        loaded = self._loaded
        if loaded is None:
            return {"ready": False, "error": self.load_error}
        return {
            "ready": True,
            "knowledge_version": loaded.version,
            "intents": len(loaded.bot.knowledge),
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(loaded.loaded_at)),
            "error": self.load_error,
        }

    def ask(self, question: str, token: str | None = None) -> dict[str, Any]:
        """One turn: the reply as `chatbot ask --json` prints it, its `context` with the
        `token` for the next turn, and a `note` (null unless the token predates a reload).

        Raises:
            NotReady: when no knowledge base is loaded.
            TokenError: when the token cannot be used; its message says why in one line.
        """
        loaded = self._current()
        conversation = Conversation(loaded.bot.matcher)
        note = None
        if token:
            try:
                state = ConversationState.from_dict(self.tokens.read(token, loaded.version))
            except StaleToken:
                note = KNOWLEDGE_CHANGED
            except ValueError:
                raise TokenError(
                    "the context token is from another version of the server"
                ) from None
            else:
                conversation.restore(state)
        reply = conversation.ask(question)
        if self.unanswered is not None:
            self.unanswered.record(reply)
        data = reply_to_json(reply)
        data["context"]["token"] = self.tokens.issue(conversation.state().to_dict(), loaded.version)
        data["note"] = note
        return data

    def topics(self) -> list[dict[str, Any]]:
        """What the bot knows: each topic with the first question of each of its intents.

        Raises:
            NotReady: when no knowledge base is loaded.
        """
        return [
            {
                "topic": topic,
                "intents": [
                    {"intent": intent.id, "question": intent.questions[0]}
                    for intent in intents
                    if intent.questions
                ],
            }
            for topic, intents in self.bot.knowledge.topics().items()
        ]
