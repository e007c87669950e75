"""The chat's slash commands, run on a session state without a terminal."""

from __future__ import annotations

import pytest

from chatbot import Bot
from chatbot.terminal.commands import ChatState, session_commands
from chatbot.terminal.format import plain_text
from chatbot.terminal.repl import handle_line

FIRST = """
intents:
  - {id: hours, topic: Shop, questions: [when are you open], answer: Nine to five.}
"""
SECOND = """
intents:
  - {id: hours, topic: Shop, questions: [when are you open], answer: Ten to six now.}
  - {id: cards, topic: Pay, questions: [do you take cards], answer: Yes.}
"""


@pytest.fixture
def state(bundled_bot):
    return ChatState(
        conversation=bundled_bot.conversation(), load_bot=Bot, commands=session_commands()
    )


def run(state, line):
    outcome = handle_line(state, line)
    return plain_text(outcome.text), outcome.quit


def test_every_command_has_help_text_shown_by_help(state):
    text, _ = run(state, "/help")
    commands = list(state.commands)
    assert {c.name for c in commands} == {"help", "topics", "why", "reset", "reload", "quit"}
    for command in commands:
        assert command.help.strip(), command.name
        assert f"/{command.name}" in text
        assert " ".join(command.help.split()[:4]) in " ".join(text.split())
    for key in ("Tab", "Ctrl-C", "Ctrl-D"):
        assert key in text


def test_help_for_one_command(state):
    text, _ = run(state, "/help reload")
    assert text.startswith("/reload  Re-read the intent files")
    assert run(state, "/help /why")[0].startswith("/why  Explain the last answer")


def test_sessions_sharing_a_bot_keep_their_own_conversation(bundled_bot):
    first, second = (
        ChatState(
            conversation=bundled_bot.conversation(), load_bot=Bot, commands=session_commands()
        )
        for _ in range(2)
    )
    run(first, "what is an llm")
    run(second, "what is generative ai")
    assert run(first, "/reset")[0].startswith("Context cleared")
    assert first.conversation.context is None
    assert second.conversation.context.intent == "genai_definition"
    assert run(second, "/why")[0].startswith('You asked:  "what is generative ai"')
    assert run(first, "/why")[0] == "Nothing to explain yet: ask a question first."


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/hlep", "Unknown command /hlep. Did you mean /help? (/help lists the commands)"),
        ("/re", "Unknown command /re. Did you mean /reset or /reload? (/help lists the commands)"),
        ("/xyzzy", "Unknown command /xyzzy. Type /help to see the commands."),
        ("/help frob", "Unknown command /frob. Type /help to see the commands."),
    ],
)
def test_unknown_commands_get_a_hint(state, line, message):
    assert run(state, line) == (message, False)


def test_a_unique_prefix_runs_the_command(state):
    assert run(state, "/q")[1] is True
    assert run(state, "/TOP")[0].startswith("Basics (")


def test_quit_and_its_alias_end_the_chat(state):
    assert run(state, "/quit") == ("", True)
    assert run(state, "/exit") == ("", True)


def test_why_explains_the_last_question_not_the_commands_since(state):
    run(state, "can an llm make pictures")
    run(state, "/topics")
    text, _ = run(state, "/why")
    assert text.startswith('You asked:  "can an llm make pictures"\nMatched:')
    assert "(llm_image_generation)" in text


def test_reset_clears_the_context_and_the_last_answer(state):
    run(state, "what is an llm")
    assert state.conversation.context is not None
    text, _ = run(state, "/reset")
    assert text == "Context cleared: the next question starts afresh."
    assert state.conversation.context is None
    assert run(state, "/why")[0] == "Nothing to explain yet: ask a question first."


def reloading_state(path):
    """A session on the intents in `path` whose /reload reads that file again."""
    return ChatState(
        conversation=Bot(path).conversation(),
        load_bot=lambda: Bot(path),
        commands=session_commands(),
    )


def test_reload_reads_the_files_again(write_yaml):
    path = write_yaml(FIRST)
    state = reloading_state(path)
    assert run(state, "when are you open")[0] == "Nine to five."
    write_yaml(SECOND)
    text, _ = run(state, "/reload")
    assert " ".join(text.split()) == f"Reloaded 2 intents from {path}; context cleared."
    assert run(state, "when are you open")[0] == "Ten to six now."
    assert "Pay (1)\n  do you take cards" in run(state, "/topics")[0]


def test_reload_of_broken_files_keeps_the_old_knowledge_and_says_why(write_yaml):
    path = write_yaml(FIRST)
    state = reloading_state(path)
    write_yaml("intents:\n  - id: hours\n    questions: [when are you open]\n")
    text, quit_ = run(state, "/reload")
    assert not quit_
    assert " ".join(text.split()) == (
        "Reload failed, still using the knowledge base loaded before: "
        f"{path}:2: intent 'hours': missing key 'answer'"
    )
    assert run(state, "when are you open")[0] == "Nine to five."


def test_blank_lines_do_nothing(state):
    assert run(state, "   ") == ("", False)
    assert state.conversation.last is None
