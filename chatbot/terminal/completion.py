"""Tab completion for the terminal chat: known FAQ questions (fuzzy, best first) and commands."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from rapidfuzz import fuzz, process, utils

from chatbot.intents import KnowledgeBase
from chatbot.safe_text import clean

# How many questions the menu offers, and how similar (0-100) a stored wording must be to
# what was typed.
LIMIT = 10
CUTOFF = 60.0
# Weight of word overlap against character alignment in the similarity.
WORDS_WEIGHT = 0.3


def similarity(typed: str, wording: str, **_: object) -> float:
    """How well `wording` completes `typed`, 0 to 100.

    What was typed is usually the start of a question, or a few words of it, so it is aligned
    inside the wording (rapidfuzz partial_ratio), blended with word overlap so that word order
    and typos matter less. A wording shorter than what was typed cannot complete it and must
    match whole: otherwise the stored wording "llms" would top the menu for any line that
    mentions LLMs.
    """
    if len(wording) < len(typed):
        return fuzz.ratio(typed, wording)
    aligned = fuzz.partial_ratio(typed, wording)
    return (1 - WORDS_WEIGHT) * aligned + WORDS_WEIGHT * fuzz.token_set_ratio(typed, wording)


class ChatCompleter(Completer):
    """Completes a line to the question of an intent, or a leading "/" to a command.

    Each intent is offered once, as its first (main) question, but it is found through any
    of its wordings: typing "gen ai" finds "What is generative AI?" although it is the
    wording "gen ai" that resembles what was typed.

    Args:
        knowledge: returns the current knowledge base (it changes on /reload).
        commands: (name, help) of each slash command, names without the slash.
        limit: how many questions to offer at most.

    Example:
        >>> from chatbot import Bot
        >>> completer = ChatCompleter(lambda: Bot().knowledge, [("help", "List commands")])
        >>> next(completer.get_completions(Document("what is an ll"), CompleteEvent())).text
        'What is an LLM?'
    """

    def __init__(
        self,
        knowledge: Callable[[], KnowledgeBase],
        commands: Iterable[tuple[str, str]],
        limit: int = LIMIT,
    ) -> None:
        self._knowledge = knowledge
        # The menu has room for a short phrase: the help up to its first ";" or ":".
        self._commands = tuple(
            (name, help_text.split(";")[0].split(":")[0]) for name, help_text in commands
        )
        self._limit = limit
        self._indexed: KnowledgeBase | None = None
        self._wordings: list[str] = []
        self._owners: list[int] = []  # index of the main question each wording belongs to
        self._main: list[tuple[str, str]] = []  # (main question, topic) per intent

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        """Completions replacing everything before the cursor, best first."""
        typed = document.text_before_cursor
        start = -len(typed)
        if typed.lstrip().startswith("/"):
            for name, help_text in self.commands(typed.strip()[1:]):
                yield Completion("/" + name, start_position=start, display_meta=help_text)
            return
        for question, topic in self.questions(typed):
            yield Completion(question, start_position=start, display_meta=topic)

    def commands(self, typed: str) -> list[tuple[str, str]]:
        """Commands whose name begins with `typed` (no slash), in table order."""
        typed = typed.lower()
        return [(name, help_text) for name, help_text in self._commands if name.startswith(typed)]

    def questions(self, typed: str) -> list[tuple[str, str]]:
        """(main question, topic) of the intents closest to `typed`, best first.

        With nothing typed, every intent in file order: a way to browse what the bot knows.
        """
        self._index(self._knowledge())
        if not typed.strip():
            return list(self._main)
        found = process.extract(
            typed,
            self._wordings,
            scorer=similarity,
            processor=utils.default_process,
            limit=None,
            score_cutoff=CUTOFF,
        )
        best: dict[int, float] = {}
        for _, score, position in found:
            owner = self._owners[position]
            best[owner] = max(score, best.get(owner, 0.0))
        # Ties keep file order, so the curator's ordering decides between equals.
        ranked = sorted(best, key=lambda owner: (-best[owner], owner))
        return [self._main[owner] for owner in ranked[: self._limit]]

    def _index(self, knowledge: KnowledgeBase) -> None:
        if knowledge is self._indexed:
            return
        wordings: list[str] = []
        owners: list[int] = []
        main: list[tuple[str, str]] = []
        for intent in knowledge:
            if not intent.questions:
                continue
            main.append((clean(intent.questions[0]), clean(intent.topic or "")))
            wordings.extend(intent.questions)
            owners.extend([len(main) - 1] * len(intent.questions))
        self._wordings, self._owners, self._main = wordings, owners, main
        self._indexed = knowledge
