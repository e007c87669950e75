"""The `chatbot` command: parses arguments, calls the library, turns errors into exit codes."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from chatbot import __version__
from chatbot.bot import Bot, bundled_intents_path
from chatbot.dialogue.conversation import Conversation
from chatbot.dialogue.replies import Reply
from chatbot.errors import ChatbotError, UsageError
from chatbot.render import clean, format_reply, reply_to_json
from chatbot.safe_text import clean_line, json_text, repaired

if TYPE_CHECKING:
    from chatbot.curation.unanswered import UnansweredLog

# The curator commands import their modules when they run: `chatbot ask` must start fast.

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _terminal_columns() -> int:
    # What shutil.get_terminal_size() gives argparse, without importing shutil (and with it
    # zlib, bz2 and lzma: 3 ms) at every start, when only help text ever needs the width.
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, as wide as the terminal (less 2 columns, as argparse does)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
        **options: Any,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width, **options)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() alone decides exit codes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _add_options(
    parser: argparse.ArgumentParser,
    *,
    json_help: str | None,
    subcommand: bool = True,
    knowledge: bool = True,
) -> None:
    """The options shared by the commands: --json (unless `json_help` is None) and --traceback,
    and unless `knowledge` is False, --intents and --threshold."""
    # On a subcommand the options default to "not given", so that `chatbot --json ask ...`
    # keeps the value given before the command name instead of resetting it.
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if subcommand else {}
    if knowledge:
        parser.add_argument(
            "--intents",
            action="append",
            metavar="PATH",
            help="intent file or folder to load (repeatable; default: the bundled FAQ)",
            **default,
        )
        parser.add_argument(
            "--threshold",
            type=float,
            metavar="SCORE",
            help="score from 0 to 100 below which the bot falls back "
            "(default: the knowledge base's)",
            **default,
        )
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help, **default)
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="show the full traceback on errors (for debugging)",
        **default,
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command (also used to check that each has help)."""
    parser = _Parser(
        prog="chatbot",
        description=(
            "A FAQ chatbot. With no command it chats: an interactive prompt on a terminal, "
            "otherwise one question per line of standard input."
        ),
    )
    parser.add_argument("--version", action="version", version=f"chatbot {__version__}")
    _add_options(parser, json_help="print one JSON object per answer", subcommand=False)
    parser.add_argument(
        "--no-color", action="store_true", help="no colours in the terminal chat (also: NO_COLOR=1)"
    )
    parser.add_argument(
        "--log-unanswered",
        metavar="FILE",
        help="append fallbacks and borderline answers to FILE as JSON lines (see 'suggest')",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, help="what to do (default: chat)"
    )
    ask = commands.add_parser(
        "ask", help="answer one question and exit", description="Answer one question and exit."
    )
    _add_options(ask, json_help="print the answer as a JSON object")
    ask.add_argument("question", nargs="+", help="the question (quotes optional)")
    _add_tool_commands(commands)
    _add_serve_command(commands)
    return parser


def _bot(args: argparse.Namespace) -> Bot:
    if args.threshold is not None and not 0 <= args.threshold <= 100:
        raise UsageError("--threshold must be from 0 to 100")
    from chatbot.matching.calibration import default_cache_dir

    return Bot(args.intents, threshold=args.threshold, cache_dir=default_cache_dir())


class _OutputFailed(Exception):
    """Standard output cannot take what the command writes (a full disk, an I/O error)."""


def _print_reply(reply_text: str, out: TextIO) -> None:
    # Flushed at once: a piped chat shows each answer as it is given, and a stream that
    # cannot be written fails here, where main() can say so, rather than at exit.
    try:
        out.write(reply_text + "\n")
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _OutputFailed(error.strerror or str(error)) from None


def _is_utf8(stream: TextIO) -> bool:
    import codecs  # loaded by Python at start anyway

    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except (LookupError, TypeError):
        return False


def _json_for(out: TextIO, data: Any, indent: int | None = None) -> str:
    """JSON that `out` can take: UTF-8, or ASCII with escapes when the stream is not UTF-8."""
    return json_text(data, indent=indent, ascii_only=not _is_utf8(out))


def _answer(conversation: Conversation, question: str, as_json: bool, out: TextIO) -> Reply:
    reply = conversation.ask(question)
    if as_json:
        _print_reply(_json_for(out, reply_to_json(reply)), out)
    else:
        _print_reply(format_reply(reply), out)
    return reply


def run_ask(args: argparse.Namespace) -> int:
    """`chatbot ask QUESTION`: answer one question."""
    # Bytes not valid in the locale arrive as lone surrogates: read them as UTF-8 if they are.
    question = repaired(" ".join(args.question)).strip()
    if not question:
        raise UsageError("the question is empty")
    _answer(_bot(args).conversation(), question, args.json, sys.stdout)
    return EXIT_OK


def _stdin_lines() -> Iterator[str]:
    # Bytes, decoded leniently: one bad byte in piped input must not end the session.
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").strip()


def run_chat(args: argparse.Namespace) -> int:
    """`chatbot`: the interactive prompt on a terminal, else one question per input line."""
    if sys.stdin is None:
        raise UsageError(
            "standard input is closed: pipe questions in, or ask one with 'chatbot ask QUESTION'"
        )
    bot = _bot(args)
    conversation = bot.conversation()
    log = _unanswered_log(args)
    if sys.stdin.isatty() and not args.json:
        from chatbot.terminal.repl import run_repl
        from chatbot.terminal.style import use_color

        return run_repl(conversation, lambda: _bot(args), color=use_color(args.no_color), log=log)
    first = True
    commands: _PipedCommands | None = None
    for line in _stdin_lines():
        if not line:
            continue
        if not first and not args.json:
            sys.stdout.write("\n")
        first = False
        if is_command(line):
            if commands is None:
                commands = _PipedCommands(conversation, lambda: _bot(args), log)
            if not commands.run(line, args.json, sys.stdout):
                break
            continue
        reply = _answer(conversation, line, args.json, sys.stdout)
        if log is not None:
            log.record(reply)
    return EXIT_OK


def is_command(line: str) -> bool:
    """Whether a line is a slash command ("/why", "/help topics"), not a question that starts
    with a slash ("/ what is an llm"): a letter must follow the slash."""
    return len(line) > 1 and line[0] == "/" and line[1].isalpha()


class _PipedCommands:
    """The terminal chat's slash commands for piped input: the same table, printed as plain
    text, or with --json as one object per command (kind: the command's name, or "error")."""

    def __init__(
        self, conversation: Conversation, load_bot: Callable[[], Bot], log: UnansweredLog | None
    ) -> None:
        # The commands and their texts need no terminal: prompt_toolkit is not loaded.
        from chatbot.terminal.commands import ChatState, session_commands

        self.state = ChatState(conversation, load_bot, session_commands(), unanswered_log=log)

    def run(self, line: str, as_json: bool, out: TextIO) -> bool:
        """Run one command line and print what it shows; False when it ends the chat."""
        from chatbot.terminal.format import plain_text

        table = self.state.commands
        name = line[1:].split(" ", 1)[0].lower()
        command = table.get(name) or next(
            (each for each in table if each.name.startswith(name)), None
        )
        result = table.run(self.state, line)
        if result.quit:
            return False
        text = plain_text(result.text)
        if as_json:
            data: dict[str, Any] = {"kind": command.name if command else "error", "text": text}
            last = self.state.conversation.last
            if command is not None and command.name == "why" and last is not None:
                data["reply"] = reply_to_json(last)
                data["contributions"] = [
                    [term, points]
                    for term, points in (last.match.contributions if last.match else ())
                ]
            _print_reply(_json_for(out, data), out)
        else:
            _print_reply(clean(text), out)
        return True


# --- Curator tools: check, eval, suggest and the unanswered-question log.

EXIT_FAILED = 1
# Runs with more cases than this show a progress bar on a terminal, and so do checks of
# knowledge bases with more questions than this (a few seconds of self-test).
PROGRESS_MIN_CASES = 300
PROGRESS_MIN_QUESTIONS = 1000
_Item = TypeVar("_Item")


def _report(kind: str, message: str) -> None:
    """One line on standard error ("chatbot: error: ..."), safe to show: messages quote file
    content (keys, ids, paths), which must not drive the terminal. Lost if stderr is gone."""
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(f"chatbot: {kind}: {clean_line(message)}\n")
        sys.stderr.flush()
    except OSError:
        _discard(sys.stderr)  # nowhere left to say it; the exit status still tells


def _warn(message: str) -> None:
    _report("warning", message)


def _unanswered_log(args: argparse.Namespace) -> UnansweredLog | None:
    if not args.log_unanswered:
        return None
    from chatbot.curation.unanswered import UnansweredLog

    return UnansweredLog(args.log_unanswered, on_error=_warn)


def _add_tool_commands(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="check intent files for errors and colliding questions",
        description=(
            "Check intent files: every error as 'file:line: intent 'id': message', then "
            "warnings ('file:line: warning: ...') for questions shared by two intents, "
            "confusable intents, broken follow-up and slot references, intents with too few "
            "questions, and empty or overlong answers. Exit status: 0 "
            "when clean or with warnings only, 1 with errors, 2 for usage errors."
        ),
    )
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="intent file or folder (default: the bundled FAQ)"
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    check.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="processes to share a large knowledge base's self-test between "
        "(default: one per core)",
    )
    _add_options(check, json_help="print the findings as a JSON list", knowledge=False)

    evaluate = commands.add_parser(
        "eval",
        help="test the bot against a file of questions with expected intents",
        description=(
            "Ask every case of one or more cases files ('cases:' single questions, "
            "'conversations:' lists of turns) and report accuracy, out-of-scope recall and each "
            "failure. Exit status: 0 when all pass, 1 when any fails, 2 for a broken file."
        ),
    )
    evaluate.add_argument("cases", nargs="+", metavar="CASES.yaml", help="a cases file")
    evaluate.add_argument(
        "--min-accuracy",
        type=float,
        metavar="X",
        help="exit 0 despite failures if the accuracy is at least X (a fraction, e.g. 0.95)",
    )
    evaluate.add_argument(
        "--sweep",
        action="store_true",
        help="also report the accuracy at thresholds 0 to 100 and the best one",
    )
    _add_options(evaluate, json_help="print the results as one JSON object")

    suggest = commands.add_parser(
        "suggest",
        help="group logged unanswered questions and propose intents for them",
        description=(
            "Read a log written with --log-unanswered, group similar questions, and propose "
            "for each group the intent it probably belongs to."
        ),
    )
    suggest.add_argument("log", metavar="FILE", help="the log of unanswered questions")
    _add_options(suggest, json_help="print the groups as a JSON list")


def _print_json(data: Any) -> None:
    _print_reply(_json_for(sys.stdout, data, indent=2), sys.stdout)


def _print_lines(lines: list[str]) -> None:
    """Report lines, each shown as one line whatever the files it quotes hold."""
    _print_reply("\n".join(clean_line(line) for line in lines), sys.stdout)


def run_check(args: argparse.Namespace) -> int:
    """`chatbot check [PATH]...`: report errors and warnings in intent files."""
    from chatbot.curation.check import check_intents
    from chatbot.curation.parallel import cores

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    workers = args.jobs or cores()
    with _ProgressBar("questions", PROGRESS_MIN_QUESTIONS) as progress:
        report = check_intents(
            args.paths or [bundled_intents_path()], workers=workers, progress=progress
        )
    if args.json:
        _print_json([finding.to_json() for finding in report.findings])
    else:
        _print_lines([*(str(finding) for finding in report.findings), report.summary()])
    failed = report.errors or (args.strict and report.warnings)
    return EXIT_FAILED if failed else EXIT_OK


class _ProgressBar:
    """A progress bar on a terminal's stderr for work of more than `minimum` items (nothing
    for less, and nothing off a terminal), started on the first report of how far it is."""

    def __init__(self, label: str, minimum: int) -> None:
        self._label, self._minimum = label, minimum
        self._exit = contextlib.ExitStack()
        self._counter: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self._counter is not None:
            # Interrupted (Ctrl-C), the bar stays where it stopped rather than showing full.
            if kind is None:
                self._counter.done = True
            else:
                self._counter.stopped = True
        self._exit.close()

    def __call__(self, done: int, total: int) -> None:
        if self._counter is None:
            if total <= self._minimum or sys.stderr is None or not sys.stderr.isatty():
                return
            from prompt_toolkit.output import create_output
            from prompt_toolkit.shortcuts import ProgressBar

            bar = self._exit.enter_context(ProgressBar(output=create_output(stdout=sys.stderr)))
            self._counter = bar(label=self._label, total=total)
        self._counter.items_completed = done
        self._counter.progress_bar.invalidate()


def _with_progress(items: Iterator[_Item], total: int) -> Iterator[_Item]:
    with _ProgressBar("cases", PROGRESS_MIN_CASES) as progress:
        progress(0, total)
        for done, item in enumerate(items, 1):
            yield item
            progress(done, total)


def run_eval(args: argparse.Namespace) -> int:
    """`chatbot eval CASES.yaml...`: ask every case and report how the bot did."""
    from chatbot.curation.cases import read_cases
    from chatbot.curation.evaluate import Evaluation, format_evaluation, run_cases
    from chatbot.errors import CasesFileError

    if args.min_accuracy is not None and not 0 <= args.min_accuracy <= 1:
        raise UsageError("--min-accuracy must be from 0 to 1")
    bot = _bot(args)
    try:
        suite = read_cases(*args.cases, knowledge=bot.knowledge)
    except CasesFileError as error:
        # Every mistake in the cases files, one per line, as `check` lists them.
        for each in error.all_errors:
            _report("error", each.location_message())
        return EXIT_USAGE
    outcomes = tuple(_with_progress(run_cases(bot, suite), len(suite)))
    evaluation = Evaluation(outcomes, bot.matcher.threshold, bot.matcher.threshold_source)
    if args.json:
        _print_json(evaluation.to_json(sweep=args.sweep))
    else:
        _print_lines(format_evaluation(evaluation, sweep=args.sweep))
    if not evaluation.failures or (
        args.min_accuracy is not None and evaluation.accuracy >= args.min_accuracy
    ):
        return EXIT_OK
    return EXIT_FAILED


def run_suggest(args: argparse.Namespace) -> int:
    """`chatbot suggest FILE`: group logged questions and propose an intent for each group."""
    from chatbot.curation.unanswered import format_groups, read_log, suggest

    contents = read_log(args.log)
    if contents.skipped:
        skipped = _lines(contents.skipped)
        _warn(f"{args.log}: skipped lines that are not logged questions: {skipped}")
    groups = suggest(contents.entries, _bot(args).matcher)
    if args.json:
        _print_json([group.to_json() for group in groups])
    else:
        _print_lines(format_groups(groups))
    return EXIT_OK


def _lines(numbers: Sequence[int], shown: int = 10) -> str:
    """Line numbers for a message: the first few, then how many more (a wrong file has many)."""
    listed = ", ".join(str(number) for number in numbers[:shown])
    rest = len(numbers) - shown
    return f"{listed} and {rest} more" if rest > 0 else listed


# --- `chatbot serve`: its modules, and the server extra, are imported only when it runs.


def _add_serve_command(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API and a web chat page",
        description=(
            "Serve the JSON API (POST /v1/ask, GET /v1/topics, /healthz, /readyz) and a chat "
            "page at /. Conversations are stateless: each reply carries a signed context "
            "token, so any number of replicas can share the traffic when they share "
            "CHATBOT_SECRET. SIGHUP re-reads the intent files. Needs 'chatbot[server]'."
        ),
    )
    _add_options(serve, json_help=None)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port to listen on, 0 for any free one (default: %(default)s)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default: %(default)s)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="let pages from ORIGIN (https://example.com) call the API (repeatable; default: none)",
    )
    serve.add_argument(
        "--log-unanswered",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="append fallbacks and borderline answers to FILE as JSON lines",
    )
    serve.add_argument("--open", action="store_true", help="open the chat page in a browser")


def run_serve(args: argparse.Namespace) -> int:
    """`chatbot serve`: the HTTP API and the chat page, until interrupted."""
    try:
        from chatbot.server.run import serve
    except ImportError as error:
        if error.name not in ("starlette", "uvicorn"):
            raise
        raise UsageError(
            f"'chatbot serve' needs {error.name}: pip install 'chatbot[server]'"
        ) from None
    return serve(
        lambda: _bot(args),
        host=args.host,
        port=args.port,
        workers=args.workers,
        cors_origins=args.cors_origin or (),
        unanswered_log=args.log_unanswered,
        open_browser=args.open,
    )


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: run_chat,
    "ask": run_ask,
    "check": run_check,
    "eval": run_eval,
    "suggest": run_suggest,
    "serve": run_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status instead of exiting."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in arguments
    if sys.stdout is None:  # started with `>&-`
        _report("error", "standard output is closed; nothing can be shown")
        return EXIT_USAGE
    for stream in (sys.stdout, sys.stderr):
        # Text the stream's encoding cannot show (an ASCII locale) becomes "?", not an error.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        args = build_parser().parse_args(arguments)
        return COMMANDS[args.command](args)
    except ChatbotError as error:
        if show_traceback:
            raise
        _report("error", str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        if show_traceback:
            raise
        if sys.stderr is not None:
            sys.stderr.write("\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`chatbot ... | head -1`): stop quietly.
        _discard(sys.stdout)
        return EXIT_OK
    except _OutputFailed as error:
        if show_traceback:
            raise
        _report("error", f"cannot write to standard output: {error}")
        _discard(sys.stdout)
        return EXIT_USAGE


def _discard(stream: TextIO) -> None:
    """Point a failed stream at /dev/null, so that Python does not fail again flushing it at
    exit (and exit with status 120)."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):
        return  # not a real file (a test's capture): nothing will flush it at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
