"""The chat loop, driven through prompt_toolkit's pipe input: what it shows, keys, history."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from chatbot import Bot
from chatbot.terminal import repl
from chatbot.terminal.commands import ChatState, session_commands
from chatbot.terminal.format import plain_text
from chatbot.terminal.repl import history_path, make_session, open_history, run_loop, run_repl
from chatbot.terminal.style import use_color

CTRL_C, CTRL_D, UP = "\x03", "\x04", "\x1b[A"


def chat(conversation, keys, *, close=True):
    """Run the loop on typed keys; return the exit status, each thing shown, and the state."""
    state = ChatState(conversation=conversation, load_bot=Bot, commands=session_commands())
    shown: list[str] = []
    with create_pipe_input() as keyboard:
        keyboard.send_text(keys)
        if close:
            keyboard.close()
        session = make_session(state, InMemoryHistory(), input=keyboard, output=DummyOutput())
        status = run_loop(session, state, lambda fragments: shown.append(plain_text(fragments)))
    return status, shown, state


def test_a_session_question_follow_up_commands_ctrl_c_and_end_of_input(bundled_bot):
    knowledge = bundled_bot.knowledge
    keys = "\r".join(
        [
            "what is an llm",
            "and generative ai?",
            "/why",
            "/topics",
            "/help",
            "/reload",
            "/hlep",
            "what is an" + CTRL_C + "thanks",
            "/reset",
            "/why",
            "",
        ]
    )
    status, shown, _ = chat(bundled_bot.conversation(), keys)
    assert status == 0
    welcome, llm, genai, why, topics, help_, reload, hint, thanks, reset, why_again = shown
    assert welcome.startswith("Ask me a question in your own words, for example:\n")
    assert llm.startswith(knowledge.get("llm_definition").answer[:60])
    assert "You could also ask:\n  1. What is generative AI?\n" in llm
    assert llm.endswith("models?\n")  # printing adds a newline: a blank line before the prompt
    assert genai.replace("\n", " ").find(knowledge.get("genai_definition").answer[:60]) >= 0
    assert why.startswith('You asked:  "and generative ai?"\nMatched:')
    assert "(genai_definition)" in why
    assert topics.startswith("Basics (5)\n  What is generative AI?\n")
    assert help_.startswith("Commands:\n  /help")
    assert reload.startswith("Reloaded 29 intents from 2 files")
    assert hint.startswith("Unknown command /hlep. Did you mean /help?")
    # Ctrl-C threw away "what is an": the next line was asked on its own
    assert thanks.startswith(knowledge.get("thanks").answer)
    assert reset.startswith("Context cleared")
    assert why_again.startswith("Nothing to explain yet")


def test_ctrl_c_on_an_empty_line_keeps_the_session(bundled_bot):
    status, shown, state = chat(bundled_bot.conversation(), CTRL_C + CTRL_C + "hi\r")
    assert status == 0
    assert len(shown) == 2
    assert state.conversation.last.question == "hi"


@pytest.mark.parametrize("leave", [CTRL_D, "/quit\r", "/exit\r"])
def test_ctrl_d_and_quit_end_the_chat_with_status_0(bundled_bot, leave):
    status, shown, state = chat(
        bundled_bot.conversation(), "hi\r" + leave + "thanks\r", close=False
    )
    assert status == 0
    assert state.conversation.last.question == "hi"  # nothing after leaving was read
    assert len(shown) == 2


def test_a_follow_up_shows_the_topic_it_was_taken_about(bundled_bot):
    _, shown, state = chat(bundled_bot.conversation(), "what is an llm\rwhat about outputs?\r")
    _, llm, outputs = shown
    assert not llm.startswith("(about")  # a question read alone gets no note
    assert outputs.startswith("(about LLMs, outputs)\n")
    assert state.conversation.last.intent == "llm_outputs"


def test_control_sequences_in_answers_never_reach_the_terminal(write_yaml):
    path = write_yaml(
        'intents: [{id: a, questions: [clear it], answer: "Clear\\e[2J the \\e]0;owned\\ascreen"}]'
    )
    status, screen = in_terminal(Bot(path).conversation(), "clear it\r")
    assert status == 0
    assert "Clear the screen" in screen
    assert "[2J" not in screen
    assert "owned" not in screen


def in_terminal(conversation, keys, *, color=True):
    """Run the whole chat against an in-memory VT100 terminal; return status and raw output."""
    screen = io.StringIO()
    terminal = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")
    with create_pipe_input() as keyboard, create_app_session(input=keyboard, output=terminal):
        keyboard.send_text(keys)
        keyboard.close()
        status = run_repl(conversation, Bot, color=color, log=None)
    return status, screen.getvalue()


def test_colour_by_default_and_none_with_no_color(bundled_bot, monkeypatch):
    _, coloured = in_terminal(bundled_bot.conversation(), "what is an llm\r")
    assert colours(coloured) >= {36}  # the cyan prompt and numbers
    _, flagged = in_terminal(bundled_bot.conversation(), "hi\r", color=use_color(True))
    monkeypatch.setenv("NO_COLOR", "1")
    _, from_env = in_terminal(bundled_bot.conversation(), "hi\r", color=use_color(False))
    for screen in (flagged, from_env):
        assert "Hello!" in screen
        assert colours(screen) == set()


def colours(screen):
    """The colour codes (foreground or background) in the SGR sequences of raw terminal output."""
    codes = set()
    for parameters in re.findall(r"\x1b\[([0-9;]*)m", screen):
        codes.update(int(p) for p in parameters.split(";") if p)
    return {code for code in codes if 30 <= code <= 49 or 90 <= code <= 107}


def test_history_is_kept_between_sessions(bundled_bot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    in_terminal(bundled_bot.conversation(), "what is an llm\r", color=False)
    saved = tmp_path / "state" / "chatbot" / "history"
    assert list(FileHistory(str(saved)).load_history_strings()) == ["what is an llm"]
    conversation = bundled_bot.conversation()
    in_terminal(conversation, UP + "\r", color=False)  # the Up arrow brings the question back
    assert conversation.last.question == "what is an llm"


def test_unwritable_history_warns_once_and_the_chat_goes_on(bundled_bot, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    status, screen = in_terminal(bundled_bot.conversation(), "hi\r", color=False)
    assert status == 0
    assert screen.count("warning: cannot keep history in") == 1
    assert "Hello!" in screen


def test_history_location_follows_xdg(tmp_path):
    assert history_path({"XDG_STATE_HOME": "/x/state"}) == Path("/x/state/chatbot/history")
    default = Path.home() / ".local" / "state" / "chatbot" / "history"
    assert history_path({}) == default
    assert history_path({"XDG_STATE_HOME": "relative/state"}) == default  # the spec says ignore


def test_open_history_creates_the_folder(tmp_path):
    path = tmp_path / "deep" / "chatbot" / "history"
    history, warning = open_history(path)
    assert warning is None
    assert isinstance(history, FileHistory)
    assert path.is_file()


def test_open_history_falls_back_to_memory_with_one_warning(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    history, warning = open_history(blocker / "chatbot" / "history")
    assert isinstance(history, InMemoryHistory)
    assert warning == (
        f"warning: cannot keep history in {blocker}/chatbot/history (Not a directory);"
        " it will not be saved"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_history_linked_to_a_device_is_not_read(tmp_path):
    path = tmp_path / "history"
    path.symlink_to("/dev/zero")  # read, it never ends
    history, warning = open_history(path)
    assert isinstance(history, InMemoryHistory)
    assert warning == (
        f"warning: cannot keep history in {path} (not a regular file); it will not be saved"
    )


def test_a_history_file_too_large_to_read_is_left_alone(tmp_path):
    path = tmp_path / "history"
    with path.open("wb") as file:
        file.truncate(repl.MAX_HISTORY_BYTES + 1)
    history, warning = open_history(path)
    assert isinstance(history, InMemoryHistory)
    assert warning == (
        f"warning: cannot keep history in {path} (larger than 4 MB: trim or delete it);"
        " it will not be saved"
    )
    assert path.stat().st_size == repl.MAX_HISTORY_BYTES + 1


def test_history_on_a_disk_that_fills_up_warns_once_and_leaves_no_half_entry(
    bundled_bot, small_disk, fill_disk, monkeypatch
):
    monkeypatch.setenv("XDG_STATE_HOME", str(small_disk))
    in_terminal(bundled_bot.conversation(), "what is an llm\r", color=False)
    path = small_disk / "chatbot" / "history"
    before = path.read_bytes()
    fill_disk(small_disk)  # what is left is the slack of the history's last page
    long_question = "why " * 1250  # 5,000 characters: more than that slack
    keys = f"{long_question}\rhi\rthanks\r"
    status, screen = in_terminal(bundled_bot.conversation(), keys, color=False)
    assert status == 0
    assert "Hello!" in screen
    warning = (
        f"warning: cannot keep history in {path} (No space left on device);"
        " it will not be saved from now on"
    )
    assert screen.count(warning) == 1
    assert path.read_bytes() == before  # the entry cut short was cut off again
    assert list(FileHistory(str(path)).load_history_strings()) == ["what is an llm"]
