"""The interactive chat on a terminal (a plain loop for now; prompt_toolkit comes later)."""

from __future__ import annotations

import argparse

from chatbot.conversation import Conversation
from chatbot.render import format_reply


def run_repl(conversation: Conversation, args: argparse.Namespace) -> int:
    """Chat until end of input; return the exit status."""
    print("Ask me about large language models and generative AI. Ctrl-D to quit.")
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            print()
            return 0
        if line:
            reply = conversation.ask(line)
            print(format_reply(reply))
            log = getattr(args, "unanswered_log", None)  # set by cli.run_chat
            if log is not None:
                log.record(reply)
