"""The terminal chat's slash commands (/help, /why, /reload, ...): a small table per session."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from chatbot.bot import Bot
from chatbot.curation.unanswered import UnansweredLog
from chatbot.dialogue.conversation import Conversation
from chatbot.errors import ChatbotError
from chatbot.terminal.format import format_error, format_topics, format_why, wrap

if TYPE_CHECKING:
    # Only the type: piped input runs the slash commands too, without loading prompt_toolkit.
    from prompt_toolkit.formatted_text import StyleAndTextTuples

# How close (0-100, rapidfuzz ratio) a mistyped command must be to be offered as "did you mean".
CLOSE_ENOUGH = 50.0


@dataclass(frozen=True)
class CommandResult:
    """What handling one line produced: text to show, and whether the chat should end."""

    text: StyleAndTextTuples = field(default_factory=list)
    quit: bool = False


@dataclass
class ChatState:
    """One chat session's mutable state, shared by the loop and the commands.

    Attributes:
        conversation: the dialogue with the bot.
        load_bot: builds a fresh Bot from the same sources, for /reload; raises ChatbotError.
        commands: this session's command table.
        width: the terminal width in columns, asked each time (the window can be resized).
        unanswered_log: where fallbacks and borderline answers are recorded, if asked for.
    """

    conversation: Conversation
    load_bot: Callable[[], Bot]
    commands: CommandTable
    width: Callable[[], int] = lambda: 80
    unanswered_log: UnansweredLog | None = None


@dataclass(frozen=True)
class Command:
    """A slash command.

    Attributes:
        name: what follows the slash.
        help: one line saying what it does (shown by /help).
        run: does it, given the session state and the text after the name.
        aliases: other names that run it.
    """

    name: str
    help: str
    run: Callable[[ChatState, str], CommandResult]
    aliases: tuple[str, ...] = ()


class CommandTable:
    """The commands of one session, looked up by name or alias (no global registry)."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self._commands = tuple(commands)
        self._by_name = {
            name: command for command in self._commands for name in (command.name, *command.aliases)
        }

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def names(self) -> list[str]:
        """Every name that runs a command, aliases included, without the slash."""
        return list(self._by_name)

    def get(self, name: str) -> Command | None:
        """The command called `name` (without the slash), or None."""
        return self._by_name.get(name.lower())

    def closest(self, name: str) -> list[str]:
        """Commands the user probably meant by `name`: those it begins, else the nearest one."""
        name = name.lower()
        starting = [command.name for command in self._commands if command.name.startswith(name)]
        if name and starting:
            return starting
        best = process.extractOne(name, self.names(), scorer=fuzz.ratio, score_cutoff=CLOSE_ENOUGH)
        return [] if best is None else [self._by_name[best[0]].name]

    def run(self, state: ChatState, line: str) -> CommandResult:
        """Run a `/name argument` line (a unique prefix of a name will do), or explain that
        there is no such command."""
        name, _, argument = line.strip().removeprefix("/").partition(" ")
        name = name.lower()
        command = self.get(name)
        if command is None:
            # A prefix naming one command is enough ("/q", "/t"), as in gdb or psql.
            starting = [each for each in self._commands if name and each.name.startswith(name)]
            command = starting[0] if len(starting) == 1 else None
        if command is not None:
            return command.run(state, argument.strip())
        return self.unknown(state, name)

    def unknown(self, state: ChatState, name: str) -> CommandResult:
        """The hint shown for a command that does not exist: the closest ones, or /help."""
        guesses = self.closest(name)
        if guesses:
            hint = " or ".join(f"/{guess}" for guess in guesses)
            message = f"Unknown command /{name}. Did you mean {hint}? (/help lists the commands)"
        else:
            message = f"Unknown command /{name}. Type /help to see the commands."
        return CommandResult(format_error(message, width=state.width()))


KEYS = (
    ("Tab", "complete a question or command"),
    ("Up, Down", "earlier questions (kept between sessions)"),
    ("Right", "accept the grey suggestion from history"),
    ("Ctrl-C", "cancel the line you are typing"),
    ("Ctrl-D", "quit"),
)


def _help(state: ChatState, argument: str) -> CommandResult:
    width = state.width()
    if argument:
        name = argument.removeprefix("/")
        command = state.commands.get(name)
        if command is None:
            return state.commands.unknown(state, name)
        usage = wrap(command.help, width)
        return CommandResult([("class:command", f"/{command.name}"), ("", f"  {usage}")])
    commands = list(state.commands)
    column = max(len(command.name) for command in commands) + 3
    indent = " " * (column + 2)
    text: StyleAndTextTuples = [("class:heading", "Commands:")]
    for command in commands:
        line = wrap(command.help, width, indent=indent, first_indent=indent)[len(indent) :]
        text.extend(
            [
                ("", "\n  "),
                ("class:command", f"/{command.name}".ljust(column)),
                ("", line),
            ]
        )
    text.extend([("", "\n"), ("class:heading", "Keys:")])
    key_column = max(len(key) for key, _ in KEYS) + 2
    for key, meaning in KEYS:
        text.extend([("", "\n  "), ("class:command", key.ljust(key_column)), ("", meaning)])
    text.extend([("", "\n"), ("class:note", "Anything else is a question for the bot.")])
    return CommandResult(text)


def _topics(state: ChatState, argument: str) -> CommandResult:
    return CommandResult(format_topics(state.conversation.knowledge, width=state.width()))


def _why(state: ChatState, argument: str) -> CommandResult:
    conversation = state.conversation
    return CommandResult(format_why(conversation.last, conversation.knowledge, width=state.width()))


def _reset(state: ChatState, argument: str) -> CommandResult:
    state.conversation.reset()
    return CommandResult([("class:note", "Context cleared: the next question starts afresh.")])


def _reload(state: ChatState, argument: str) -> CommandResult:
    try:
        bot = state.load_bot()
    except ChatbotError as error:
        message = f"Reload failed, still using the knowledge base loaded before: {error}"
        return CommandResult(format_error(message, width=state.width()))
    state.conversation.replace_matcher(bot)
    knowledge = bot.knowledge
    sources = knowledge.sources
    where = sources[0] if len(sources) == 1 else f"{len(sources)} files"
    count = len(knowledge)
    message = f"Reloaded {count} intent{'s' if count != 1 else ''} from {where}; context cleared."
    return CommandResult([("class:note", wrap(message, state.width()))])


def _quit(state: ChatState, argument: str) -> CommandResult:
    return CommandResult(quit=True)


def session_commands() -> CommandTable:
    """A fresh table of the chat's commands, for one session."""
    return CommandTable(
        [
            Command("help", "List the commands and keys, or explain one command: /help why", _help),
            Command("topics", "List what I know about, grouped by topic", _topics),
            Command(
                "why",
                "Explain the last answer: the stored question it matched, its score against the "
                "threshold, the runner-up, whether context was used, and the words that counted",
                _why,
            ),
            Command(
                "reset", "Forget the conversation so far; the next question starts afresh", _reset
            ),
            Command(
                "reload",
                "Re-read the intent files (the same --intents paths, or the bundled FAQ); "
                "if they are broken, keep the current ones and show the error",
                _reload,
            ),
            Command("quit", "Leave the chat (Ctrl-D does the same)", _quit, aliases=("exit",)),
        ]
    )
