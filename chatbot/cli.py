"""The `chatbot` command: parses arguments, calls the library, turns errors into exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from chatbot import __version__
from chatbot.bot import Bot
from chatbot.conversation import Conversation
from chatbot.errors import ChatbotError
from chatbot.render import format_reply, reply_to_json

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(ChatbotError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() alone decides exit codes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intents",
        action="append",
        metavar="PATH",
        help="intent file or folder to load (repeatable; default: the bundled FAQ)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per answer")
    parser.add_argument(
        "--threshold",
        type=float,
        metavar="SCORE",
        help="score from 0 to 100 below which the bot falls back (default: the knowledge base's)",
    )
    parser.add_argument(
        "--traceback", action="store_true", help="show the full traceback on errors (for debugging)"
    )
    parser.add_argument(
        "--no-color", action="store_true", help="no colours in the terminal chat (also: NO_COLOR=1)"
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
    _add_common(parser)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, help="what to do (default: chat)"
    )
    ask = commands.add_parser(
        "ask", help="answer one question and exit", description="Answer one question and exit."
    )
    _add_common(ask)
    ask.add_argument("question", nargs="+", help="the question (quotes optional)")
    return parser


def _bot(args: argparse.Namespace) -> Bot:
    if args.threshold is not None and not 0 <= args.threshold <= 100:
        raise UsageError("--threshold must be from 0 to 100")
    return Bot(args.intents, threshold=args.threshold)


def _print_reply(reply_text: str, out: TextIO) -> None:
    out.write(reply_text + "\n")
    out.flush()


def _answer(conversation: Conversation, question: str, as_json: bool, out: TextIO) -> None:
    reply = conversation.ask(question)
    if as_json:
        _print_reply(json.dumps(reply_to_json(reply), ensure_ascii=False), out)
    else:
        _print_reply(format_reply(reply), out)


def run_ask(args: argparse.Namespace) -> int:
    """`chatbot ask QUESTION`: answer one question."""
    question = " ".join(args.question).strip()
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
    bot = _bot(args)
    conversation = bot.conversation()
    if sys.stdin.isatty() and not args.json:
        from chatbot.repl import run_repl

        return run_repl(conversation, args)
    first = True
    for line in _stdin_lines():
        if not line:
            continue
        if not first and not args.json:
            sys.stdout.write("\n")
        first = False
        _answer(conversation, line, args.json, sys.stdout)
    return EXIT_OK


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: run_chat,
    "ask": run_ask,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status instead of exiting."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in arguments
    try:
        args = build_parser().parse_args(arguments)
        return COMMANDS[args.command](args)
    except ChatbotError as error:
        if show_traceback:
            raise
        sys.stderr.write(f"chatbot: error: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        if show_traceback:
            raise
        sys.stderr.write("\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`chatbot ... | head -1`): stop quietly, and keep Python
        # from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
