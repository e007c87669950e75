"""End to end: `python -m chatbot` in a real pseudo-terminal, as a user would meet it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent


def test_chat_in_a_terminal_answers_explains_and_keeps_history(tmp_path):
    env = {
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm",
        "NO_COLOR": "1",
        # pexpect is no terminal emulator: it cannot answer prompt_toolkit's cursor query.
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "chatbot"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 100),
    )
    try:
        child.expect_exact("Ask me a question in your own words")
        child.expect_exact("> ")
        child.sendline("what is an llm")
        child.expect_exact("trained on huge amounts of text")
        child.expect_exact("You could also ask:")
        child.sendline("and generative ai?")
        child.expect_exact("Generative AI is a broad label")
        child.sendline("/why")
        child.expect_exact("You asked:")  # labels are bold, so match label and value apart
        child.expect_exact('"and generative ai?"')
        child.expect_exact("(genai_definition)")
        child.expect(r"\(threshold \d+\.\d, calibrated\)")
        child.expect_exact("Runner-up:")
        child.expect_exact("Context:")
        child.expect_exact('used, read as "What is generative AI?"')
        # Ctrl-D must reach the prompt, not the terminal driver between prompts (where it
        # would be swallowed as end-of-file of a cooked line): wait for the next prompt.
        child.expect_exact("> ")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    history = (tmp_path / "state" / "chatbot" / "history").read_text(encoding="utf-8")
    assert "+what is an llm" in history
    assert "+and generative ai?" in history
