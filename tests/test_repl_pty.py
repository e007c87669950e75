"""End to end: `python -m chatbot` in a real pseudo-terminal, as a user would meet it."""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
GIGABYTE = 1 << 30


def terminal_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a chat in a terminal, with its own home."""
    return {
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "TERM": "xterm",
        "NO_COLOR": "1",
        # pexpect is no terminal emulator: it cannot answer prompt_toolkit's cursor query.
        "PROMPT_TOOLKIT_NO_CPR": "1",
        **extra,
    }


def test_chat_in_a_terminal_answers_explains_and_keeps_history(tmp_path):
    env = terminal_env(tmp_path)
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


def test_non_utf8_terminal_with_the_log_on_never_ends_the_chat(tmp_path):
    # LC_ALL=C without coercion: Python reads the terminal as ASCII, and prompt_toolkit hands
    # on each byte of "café" it cannot decode as a lone surrogate.
    env = terminal_env(tmp_path, LC_ALL="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0")
    log = tmp_path / "unanswered.jsonl"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "chatbot", "--log-unanswered", str(log)],
        cwd=str(tmp_path),
        env=env,
        timeout=20,
        dimensions=(24, 100),
    )
    try:
        child.expect_exact(b"> ")
        child.send(b"zzqx caf\xc3\xa9\xff\r")  # "café" in UTF-8, and a byte that is no UTF-8
        child.expect_exact(b"Sorry")
        child.expect_exact(b"> ")
        child.send(b"/why\r")
        child.expect_exact(b"You asked:")
        child.expect_exact(b"> ")
        child.sendline(b"what is an llm")
        child.expect_exact(b"trained on huge amounts of text")
        child.expect_exact(b"> ")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert b"Traceback" not in child.before
    logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [entry["question"] for entry in logged] == ["zzqx café\ufffd"]
    history = (tmp_path / "state" / "chatbot" / "history").read_text(encoding="utf-8")
    assert "+zzqx café\ufffd\n" in history


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_history_linked_to_dev_zero_keeps_memory_flat(tmp_path):
    state = tmp_path / "state" / "chatbot"
    state.mkdir(parents=True)
    (state / "history").symlink_to("/dev/zero")  # reading it never ends

    def cap_memory() -> None:
        # Should the history be read after all, fail fast rather than fill the machine.
        resource.setrlimit(resource.RLIMIT_AS, (2 * GIGABYTE, 2 * GIGABYTE))

    child = pexpect.spawn(
        sys.executable,
        ["-m", "chatbot"],
        cwd=str(tmp_path),
        env=terminal_env(tmp_path),
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 100),
        preexec_fn=cap_memory,
    )
    try:
        child.expect_exact("(not a regular file); it will not be saved")
        child.expect_exact("> ")
        child.sendline("what is an llm")
        child.expect_exact("trained on huge amounts of text")
        child.expect_exact("> ")
        peak = Path(f"/proc/{child.pid}/status").read_text()
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    peak_kb = int(next(line for line in peak.splitlines() if line.startswith("VmHWM:")).split()[1])
    assert peak_kb < 300_000  # a chat needs well under 300 MB; reading /dev/zero takes GBs
