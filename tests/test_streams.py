"""Standard streams as users meet them: non-UTF-8 locales, full disks, closed streams.

Real processes with real redirections: each case ends with output that can be read, or with
one line on stderr and a non-zero exit, and never with a traceback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.cli import main

ROOT = Path(__file__).resolve().parent.parent
FULL = "chatbot: error: cannot write to standard output: No space left on device\n"

LOCALES = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "C locale": {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
}
ANSWER = "Crème brûlée, 9 € \u2014 日本 😀"


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A UTF-8 environment with its own home, and one calibration cache for all these runs
    (calibrating takes longer than answering)."""
    home = tmp_path_factory.mktemp("home")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
    }


def run(
    args: list[str | bytes],
    environment: dict[str, str],
    *,
    stdin: bytes = b"",
    shell: str = "",
    **env: str,
) -> subprocess.CompletedProcess[bytes]:
    """`python -m chatbot ARGS`, through bash when `shell` adds a redirection (`>/dev/full`)."""
    command: list[str | bytes] = [sys.executable, "-m", "chatbot", *args]
    if shell:
        command = ["bash", "-c", f'"$@" {shell}', "bash", *command]
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        env={**environment, **env},
        timeout=60,
        check=False,
    )


@pytest.fixture
def accented(write_yaml):
    return write_yaml(
        f'intents: [{{id: dessert, questions: [café dessert], answer: "{ANSWER}"}}]',
        "accented.yaml",
    )


def assert_no_traceback(result: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert b"Error:" not in result.stderr


@pytest.mark.parametrize("locale", LOCALES.values(), ids=LOCALES.keys())
def test_a_non_utf8_output_replaces_what_it_cannot_show(environment, accented, locale):
    result = run(["ask", "--intents", str(accented), "café dessert"], environment, **locale)
    assert_no_traceback(result)
    assert result.returncode == 0
    encoding = locale.get("PYTHONIOENCODING", "ascii")
    shown = ANSWER.encode(encoding, "replace").decode(encoding)
    assert result.stdout.decode(encoding) == shown + "\n"
    assert result.stdout.startswith(b"Cr")


@pytest.mark.parametrize("locale", LOCALES.values(), ids=LOCALES.keys())
def test_json_on_a_non_utf8_output_is_ascii_with_escapes(environment, accented, locale):
    result = run(
        ["ask", "--json", "--intents", str(accented), "café dessert"], environment, **locale
    )
    assert_no_traceback(result)
    assert result.stdout.isascii()
    reply = json.loads(result.stdout)
    assert reply["answer"] == ANSWER
    assert reply["question"] == "café dessert"


@pytest.mark.parametrize("locale", LOCALES.values(), ids=LOCALES.keys())
def test_a_piped_chat_on_a_non_utf8_output(environment, accented, locale):
    stdin = "café dessert\n/why\n".encode()
    plain = run(["--intents", str(accented)], environment, stdin=stdin, **locale)
    assert_no_traceback(plain)
    assert plain.returncode == 0
    assert b"Cr" in plain.stdout
    assert b'"caf' in plain.stdout  # /why quotes the question
    as_json = run(["--json", "--intents", str(accented)], environment, stdin=stdin, **locale)
    assert_no_traceback(as_json)
    replies = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert replies[0]["answer"] == ANSWER
    assert replies[1]["reply"]["question"] == "café dessert"


def test_an_invalid_byte_in_the_question_never_reaches_the_json(environment):
    result = run(["ask", "--json", b"what is an llm \xff"], environment)
    assert_no_traceback(result)
    assert b"\xff" not in result.stdout
    reply = json.loads(result.stdout.decode("utf-8"))
    assert reply["question"] == "what is an llm \ufffd"
    assert reply["intent"] == "llm_definition"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["ask", "what is an llm"], b""),
        (["ask", "--json", "what is an llm"], b""),
        (["check", str(ROOT / "intents" / "smalltalk.yaml")], b""),
        ([], b"what is an llm\nhi\n"),
        (["--json"], b"what is an llm\n"),
    ],
    ids=["ask", "ask --json", "check", "piped chat", "piped chat --json"],
)
def test_a_full_disk_on_stdout_is_one_line_and_exit_2(environment, args, stdin):
    result = run(args, environment, stdin=stdin, shell=">/dev/full")
    assert_no_traceback(result)
    assert result.stderr.decode() == FULL
    assert result.returncode == 2


def test_a_closed_stdout_is_one_line_and_exit_2(environment):
    result = run(["ask", "what is an llm"], environment, shell=">&-")
    assert_no_traceback(result)
    assert (
        result.stderr.decode()
        == "chatbot: error: standard output is closed; nothing can be shown\n"
    )
    assert result.returncode == 2


def test_a_closed_stdin_is_one_line_and_exit_2(environment):
    result = run([], environment, shell="<&-")
    assert_no_traceback(result)
    assert result.stderr.decode() == (
        "chatbot: error: standard input is closed: pipe questions in, "
        "or ask one with 'chatbot ask QUESTION'\n"
    )
    assert result.returncode == 2


def test_closed_stdout_and_stderr_still_exit_non_zero(environment):
    result = run(["ask", "what is an llm"], environment, shell=">&- 2>&-")
    assert result.returncode == 2


def test_a_full_stderr_costs_the_message_not_the_exit_status(environment):
    result = run(["ask", "--threshold", "500", "hi"], environment, shell="2>/dev/full")
    assert result.returncode == 2


def test_closed_streams_in_process(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("chatbot: error: standard input is closed")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"hi\n")))
    monkeypatch.setattr(sys, "stdout", None)
    assert main([]) == 2
    assert capsys.readouterr().err == (
        "chatbot: error: standard output is closed; nothing can be shown\n"
    )
