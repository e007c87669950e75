"""chatbot: a rule-based FAQ chatbot that maps free-text questions to curated answers.

Example:
    >>> from chatbot import Bot
    >>> Bot().conversation().ask("can an LLM make pictures?").intent
    'llm_image_generation'
"""

from __future__ import annotations

from chatbot.bot import Bot, bundled_intents_path
from chatbot.dialogue.conversation import Conversation
from chatbot.dialogue.replies import Alternative, Context, ConversationState, Reply
from chatbot.errors import (
    ChatbotError,
    DuplicateIntentError,
    IntentFileError,
    IntentFileTooLargeError,
    IntentPathError,
    IntentSchemaError,
    IntentSyntaxError,
    LocatedError,
)
from chatbot.intents import Intent, KnowledgeBase
from chatbot.loading.loader import load_intents, read_intents
from chatbot.matching.matcher import DEFAULT_THRESHOLD, Match, Matcher

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_THRESHOLD",
    "Alternative",
    "Bot",
    "ChatbotError",
    "Context",
    "Conversation",
    "ConversationState",
    "DuplicateIntentError",
    "Intent",
    "IntentFileError",
    "IntentFileTooLargeError",
    "IntentPathError",
    "IntentSchemaError",
    "IntentSyntaxError",
    "KnowledgeBase",
    "LocatedError",
    "Match",
    "Matcher",
    "Reply",
    "__version__",
    "bundled_intents_path",
    "load_intents",
    "read_intents",
]
