"""The interactive chat on a terminal: read a line, answer it or run a command, show the result.

Only the `repl*` modules import prompt_toolkit, and `chatbot.cli` imports this one only when
it starts a chat on a terminal, so `import chatbot` stays light.
"""

from __future__ import annotations

import datetime
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.formatted_text import FormattedText, StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from chatbot.append import append_lines
from chatbot.bot import Bot
from chatbot.curation.unanswered import UnansweredLog
from chatbot.dialogue.conversation import Conversation
from chatbot.safe_text import clean, repaired
from chatbot.terminal.commands import ChatState, CommandResult, session_commands
from chatbot.terminal.completion import ChatCompleter
from chatbot.terminal.format import format_welcome, reply_fragments
from chatbot.terminal.style import build_style, color_depth, toolbar

Write = Callable[[StyleAndTextTuples], None]

PROMPT: StyleAndTextTuples = [("class:prompt", "> ")]
# A longer history file is not read: prompt_toolkit loads all of it into memory at start.
MAX_HISTORY_BYTES = 4_000_000


def history_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the chat keeps its history: `$XDG_STATE_HOME/chatbot/history`, else
    `~/.local/state/chatbot/history` (a relative XDG_STATE_HOME is ignored, as the XDG spec says).
    """
    environ = os.environ if environ is None else environ
    state = environ.get("XDG_STATE_HOME", "")
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "chatbot" / "history"


def _no_history(path: Path, reason: str, *, from_now: bool = False) -> str:
    when = " from now on" if from_now else ""
    return f"warning: cannot keep history in {path} ({reason}); it will not be saved{when}"


class SparingFileHistory(FileHistory):
    """File history that loses lines rather than the session when the file fails mid-chat.

    Each entry is appended in one write (see `append_lines`), so a full disk leaves no half
    line. After a failure nothing more is written, and `warning()` says so, once.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path
        self._failure: str | None = None
        self._warned = False

    def store_string(self, string: str) -> None:
        """Append one entry in FileHistory's format, unless an earlier write failed."""
        if self._failure is not None:
            return
        lines = "".join(f"+{line}\n" for line in repaired(string).split("\n"))
        entry = f"\n# {datetime.datetime.now()}\n{lines}"
        try:
            append_lines(self.path, entry.encode("utf-8"))
        except OSError as error:
            self._failure = _no_history(self.path, error.strerror or str(error), from_now=True)

    def warning(self) -> str | None:
        """Why history stopped being saved, the first time it is asked after it did."""
        if self._failure is None or self._warned:
            return None
        self._warned = True
        return self._failure


def open_history(path: Path) -> tuple[History, str | None]:
    """History kept in `path` (the folder is created), or in memory with a one-line warning
    when the file cannot be read and written, is not a regular file, or is larger than
    `MAX_HISTORY_BYTES`."""
    try:
        if path.exists():
            # A link to /dev/zero, a FIFO or a huge file would be read into memory for ever.
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                return InMemoryHistory(), _no_history(path, "not a regular file")
            if info.st_size > MAX_HISTORY_BYTES:
                limit = f"larger than {MAX_HISTORY_BYTES // 1_000_000} MB: trim or delete it"
                return InMemoryHistory(), _no_history(path, limit)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
        with path.open("rb"):
            pass
    except OSError as error:
        return InMemoryHistory(), _no_history(path, error.strerror or str(error))
    return SparingFileHistory(path), None


def handle_line(state: ChatState, line: str) -> CommandResult:
    """Answer a question or run a /command; blank lines do nothing."""
    # A terminal whose locale is not UTF-8 (LC_ALL=C) hands on bytes as lone surrogates.
    line = repaired(line).strip()
    if not line:
        return CommandResult()
    if line.startswith("/"):
        return state.commands.run(state, line)
    conversation = state.conversation
    reply = conversation.ask(line)
    if state.unanswered_log is not None:
        state.unanswered_log.record(reply)
    context = conversation.context
    label = context.label if context is not None else None
    return CommandResult(reply_fragments(reply, width=state.width(), context_label=label))


def run_loop(session: PromptSession[str], state: ChatState, write: Write) -> int:
    """Chat until Ctrl-D, end of input or /quit; return the exit status (0).

    Everything shown goes through `write`, with control sequences removed, so that neither a
    knowledge-base file nor the user's own text can drive the terminal.
    """

    def show(fragments: StyleAndTextTuples) -> None:
        write([(fragment[0], clean(fragment[1])) for fragment in fragments])

    show(format_welcome(state.conversation.knowledge, width=state.width()))
    while True:
        try:
            line = session.prompt()
        except KeyboardInterrupt:
            continue  # Ctrl-C drops the line being typed, not the chat
        except EOFError:
            return 0
        outcome = handle_line(state, line)
        history = session.history
        warning = history.warning() if isinstance(history, SparingFileHistory) else None
        if warning:
            show([("class:warning", warning)])
        if outcome.text:
            # A blank line after each answer keeps one turn apart from the next.
            show([*outcome.text, ("", "\n")])
        if outcome.quit:
            return 0


def make_session(
    state: ChatState,
    history: History,
    *,
    color: bool = True,
    input: Input | None = None,
    output: Output | None = None,
) -> PromptSession[str]:
    """The prompt: history with suggestions from it, Tab completion, the toolbar and style."""
    commands = [(command.name, command.help) for command in state.commands]
    return PromptSession(
        PROMPT,
        history=history,
        auto_suggest=AutoSuggestFromHistory(),
        completer=ChatCompleter(lambda: state.conversation.knowledge, commands),
        complete_while_typing=False,
        bottom_toolbar=lambda: toolbar(state.conversation.context),
        style=build_style(),
        color_depth=color_depth(color),
        input=input,
        output=output,
    )


def run_repl(
    conversation: Conversation,
    reload: Callable[[], Bot],
    *,
    color: bool,
    log: UnansweredLog | None,
) -> int:
    """Chat on the terminal until the user leaves; return the exit status.

    Args:
        conversation: the dialogue to continue.
        reload: builds a fresh Bot from the same sources, for /reload; raises ChatbotError.
        color: whether to print in colour (see `chatbot.terminal.style.use_color`).
        log: where to record fallbacks and borderline answers, if anywhere.
    """
    state = ChatState(
        conversation=conversation,
        load_bot=reload,
        commands=session_commands(),
        unanswered_log=log,
    )
    history, warning = open_history(history_path())
    session = make_session(state, history, color=color)
    # One column spare: text that fills the last column makes some terminals wrap twice.
    state.width = lambda: session.output.get_size().columns - 1
    style = build_style()
    depth = color_depth(color)

    def write(fragments: StyleAndTextTuples) -> None:
        print_formatted_text(FormattedText(fragments), style=style, color_depth=depth)

    if warning:
        write([("class:warning", clean(warning))])
    return run_loop(session, state, write)
