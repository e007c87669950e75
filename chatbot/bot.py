"""The Bot: a knowledge base and its matcher, from which conversations are started."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Union

from chatbot.dialogue.conversation import Conversation
from chatbot.dialogue.replies import Reply
from chatbot.errors import ChatbotError
from chatbot.intents import Intent, KnowledgeBase
from chatbot.loading.loader import load_intents
from chatbot.matching.matcher import Matcher, checked_threshold
from chatbot.records import set_field

if TYPE_CHECKING:
    from pathlib import Path

# Unquoted: a quoted name would be compiled as a forward reference at every start.
IntentsArgument = Union[
    KnowledgeBase,
    Iterable[Intent],
    str,
    os.PathLike[str],
    Iterable[Union[str, os.PathLike[str]]],
    None,
]


def bundled_intents_path() -> Path:
    """The folder of the FAQ that ships with the package."""
    from pathlib import Path

    return Path(_bundled_intents_folder())


def _bundled_intents_folder() -> str:
    # A string, not a Path: `Bot()` must not pay for importing pathlib at every start.
    package = os.path.dirname(os.path.realpath(__file__))
    installed = os.path.join(package, "_intents")  # where the wheel puts the intents/ folder
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(package), "intents")  # a checkout or an editable install


# How many source files a Bot's repr names before it only counts the rest.
SOURCES_SHOWN = 3


def _short_path(path: str) -> str:
    """The file and its folder, after '...' when the path goes further up."""
    folder, name = os.path.split(path)
    above, parent = os.path.split(folder)
    if not above or os.path.dirname(above) in ("", above):
        return path
    return os.path.join("...", parent, name)


def _matcher_for_files(
    paths: list[str | os.PathLike[str]], threshold: float | None, cache_dir: str | None
) -> Matcher:
    """The matcher of intent files: loaded from a snapshot in the cache folder when one was
    saved for the same files and code, else built (and saved)."""
    if cache_dir is None:
        return Matcher(load_intents(paths), threshold=threshold)
    from chatbot.loading.loader import intent_files
    from chatbot.matching import snapshot

    try:
        key = snapshot.key(intent_files(paths))
    except (ChatbotError, OSError):
        # The files cannot be read as they are: loading them says why, in its own words.
        return Matcher(load_intents(paths), threshold=threshold, cache_dir=cache_dir)
    matcher = snapshot.load(cache_dir, key, threshold=threshold)
    if matcher is None:
        matcher = Matcher(load_intents(paths), threshold=threshold, cache_dir=cache_dir)
        snapshot.save(cache_dir, key, matcher)
    return matcher


class Bot:
    """A knowledge base with its matcher; immutable (setting an attribute raises
    AttributeError) and safe to share between threads.

    Args:
        intents: None for the bundled FAQ, a path (file or folder) or list of paths to load,
            a KnowledgeBase, or any iterable of Intent.
        threshold: the score (0 to 100) below which the bot falls back; defaults to the knowledge
            base's setting, else one calibrated on the knowledge base itself.
        cache_dir: a folder in which to remember, between runs, the built index of intent
            files and their calibrated threshold (keyed by the files' contents and the code);
            None builds and calibrates anew in each process.

    Example:
        >>> bot = Bot()
        >>> conversation = bot.conversation()
        >>> conversation.ask("what is an llm?").intent
        'llm_definition'
    """

    matcher: Matcher
    knowledge: KnowledgeBase

    def __init__(
        self,
        intents: IntentsArgument = None,
        *,
        threshold: float | None = None,
        cache_dir: str | None = None,
    ) -> None:
        if threshold is not None:
            checked_threshold(threshold)  # before loading, which can take a while
        paths: list[str | os.PathLike[str]] = []
        if intents is None:
            paths = [_bundled_intents_folder()]
        elif isinstance(intents, (str, os.PathLike)):
            paths = [intents]
        elif isinstance(intents, KnowledgeBase):
            knowledge = intents
        else:
            items = list(intents)
            paths = [item for item in items if isinstance(item, (str, os.PathLike))]
            plain = [item for item in items if isinstance(item, Intent)]
            if len(plain) + len(paths) != len(items) or (plain and paths):
                msg = "Bot() takes paths or Intent objects, not a mix or anything else"
                raise TypeError(msg)
            if not paths:
                knowledge = KnowledgeBase.of(plain)
        if paths:
            matcher = _matcher_for_files(paths, threshold, cache_dir)
        else:
            matcher = Matcher(knowledge, threshold=threshold, cache_dir=cache_dir)
        set_field(self, "matcher", matcher)
        set_field(self, "knowledge", matcher.knowledge)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Bot is immutable: cannot set '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Bot is immutable: cannot delete '{name}'")

    def __repr__(self) -> str:
        knowledge = self.knowledge
        questions = sum(len(intent.questions) for intent in knowledge)
        shown = [repr(_short_path(path)) for path in knowledge.sources[:SOURCES_SHOWN]]
        hidden = len(knowledge.sources) - len(shown)
        if hidden:
            shown.append(f"... {hidden} more")
        return (
            f"Bot(intents={len(knowledge)}, questions={questions}, "
            f"threshold={self.matcher.threshold}, sources=[{', '.join(shown)}])"
        )

    def conversation(self, *, context_turns: int | None = None) -> Conversation:
        """Start a conversation with its own context.

        Args:
            context_turns: how many turns context lives without renewal (default: the knowledge
                base's setting, else 5).

        Raises:
            TypeError: when context_turns is not a whole number.
            ValueError: when context_turns is negative.
        """
        return Conversation(self.matcher, context_turns=context_turns)

    def ask(self, text: str) -> Reply:
        """Answer one question with no context (a fresh conversation each call)."""
        return self.conversation().ask(text)
