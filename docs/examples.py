"""The examples in README.md, made by running the program (through cog: `cog -r README.md`).

Each function returns Markdown for one cog block: a console transcript of real commands, a chat
as the terminal shows it, a Python session, or tables a benchmark wrote to `benchmarks/results/`.
Commands run in bash, in a scratch folder with its own home and cache, with `chatbot` the
program of this checkout, so a block shows exactly what a user who types it gets.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"


class _Scratch:
    """A scratch folder for one cog run: home, cache, a `bin/chatbot` and files the examples use."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chatbot-readme-"))
        atexit.register(shutil.rmtree, self.root, ignore_errors=True)
        self.work = self.root / "work"
        self.work.mkdir()
        for name in ("intents", "tests", "benchmarks"):  # as in the checkout
            (self.work / name).symlink_to(REPO / name)
        bin_folder = self.root / "bin"
        bin_folder.mkdir()
        program = bin_folder / "chatbot"
        program.write_text(
            "#!/bin/sh\n"
            f"exec {shlex.quote(sys.executable)} -c "
            "'import sys; from chatbot.cli import main; sys.exit(main())' \"$@\"\n",
            encoding="utf-8",
        )
        program.chmod(0o755)
        home = self.root / "home"
        self.environment = {
            "PATH": f"{bin_folder}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            "PYTHONPATH": str(REPO),
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "LC_ALL": "C.UTF-8",
            "COLUMNS": "100",
        }


_scratch: _Scratch | None = None


def scratch() -> _Scratch:
    """The scratch folder of this run (made on first use and shared by every example)."""
    global _scratch
    if _scratch is None:
        _scratch = _Scratch()
    return _scratch


def write_file(name: str, text: str) -> str:
    """Put a file in the examples' working folder; return its text (to show it too)."""
    path = scratch().work / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def run(command: str) -> str:
    """What `command` prints (standard output and error together), run in bash."""
    finished = subprocess.run(
        ["bash", "-c", command],
        cwd=scratch().work,
        env=scratch().environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return finished.stdout


def console(*commands: str, replace: Mapping[str, str] | None = None) -> str:
    """A ```console block: each command after `$ `, then what it printed.

    Args:
        commands: shell command lines, run in turn in the same folder.
        replace: regular expressions and their replacements, for what differs on every run
            (a timestamp); the output is otherwise shown as printed.
    """
    parts = []
    for command in commands:
        output = run(command)
        for pattern, replacement in (replace or {}).items():
            output = re.sub(pattern, replacement, output)
        parts.append(f"$ {command}\n{output}".rstrip("\n"))
    return fenced("console", "\n\n".join(parts))


def fenced(language: str, text: str) -> str:
    """`text` as a fenced Markdown code block."""
    return f"```{language}\n{text.rstrip()}\n```\n"


def chat(*lines: str, width: int = 80) -> str:
    """A terminal chat: each line after the `> ` prompt, then what the chat shows for it."""
    from chatbot import Bot
    from chatbot.terminal.commands import ChatState, session_commands
    from chatbot.terminal.format import plain_text
    from chatbot.terminal.repl import handle_line

    bot = Bot(cache_dir=Path(scratch().environment["XDG_CACHE_HOME"]) / "chatbot")
    state = ChatState(
        conversation=bot.conversation(),
        load_bot=Bot,
        commands=session_commands(),
        width=lambda: width - 1,  # as the chat does: one column spare
    )
    parts = []
    for line in lines:
        shown = plain_text(handle_line(state, line).text)
        parts.append(f"> {line}\n{shown}".rstrip("\n"))
    return fenced("console", "\n\n".join(parts))


_namespace: dict[str, object] = {}


def python_session(source: str, *, continued: bool = False) -> str:
    """A ```pycon block: each statement of `source` after `>>> `, then the repr of its value
    (for an expression) or what it printed, as the interactive interpreter shows them.

    Args:
        source: Python statements.
        continued: go on with the names of the session before (otherwise start afresh).

    It runs in the examples' working folder, where `intents/` is the bundled FAQ.
    """
    global _namespace
    if not continued:
        _namespace = {}
    parts = []
    here = Path.cwd()
    os.chdir(scratch().work)
    try:
        for statement in ast.parse(source).body:
            parts.append(_interactive(source, statement, _namespace))
    finally:
        os.chdir(here)
    return fenced("pycon", "\n".join(parts))


def _interactive(source: str, statement: ast.stmt, namespace: dict[str, object]) -> str:
    """One statement as typed at the interpreter's prompt, and what the interpreter shows."""
    lines = (ast.get_source_segment(source, statement) or "").splitlines()
    typed = "\n".join([f">>> {lines[0]}", *(f"... {line}" for line in lines[1:])])
    if len(lines) > 1:
        typed += "\n..."
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            if isinstance(statement, ast.Expr):
                code = compile(ast.Expression(statement.value), "<readme>", "eval")
                value = eval(code, namespace)
                if value is not None:
                    printed.write(f"{value!r}\n")
            else:
                exec(compile(ast.Module([statement], []), "<readme>", "exec"), namespace)
        except (NameError, ImportError, SyntaxError):
            raise  # a slip in the example itself, never what it means to show
        except Exception as error:  # shown as the interpreter shows it, as doctest reads it
            printed.write(f"Traceback (most recent call last):\n  ...\n{_exception_line(error)}\n")
    return f"{typed}\n{printed.getvalue()}".rstrip("\n")


def _exception_line(error: Exception) -> str:
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return f"{name}: {error}"


def results(name: str) -> str:
    """The text a benchmark wrote with `--output benchmarks/results/NAME.md`."""
    return (RESULTS / f"{name}.md").read_text(encoding="utf-8")


def measured(name: str) -> str:
    """The line of a results file saying when and where the figures were measured."""
    return results(name).splitlines()[0]


def blocks(name: str) -> list[str]:
    """The paragraphs and tables of a results file, without its machine line."""
    return [block.strip("\n") for block in results(name).split("\n\n")[1:]]


def table(name: str, heading: str) -> str:
    """The table of a results file whose heading row starts with `heading`, after the line
    before it when that line says what the table holds."""
    found = blocks(name)
    for position, block in enumerate(found):
        if block.startswith(heading):
            before = found[position - 1] if position else ""
            caption = before and not before.startswith("| ") and "\n" not in before
            return f"{before}\n\n{block}\n" if caption else f"{block}\n"
    raise LookupError(f"no table starting {heading!r} in benchmarks/results/{name}.md")


def rows(name: str, heading: str) -> list[list[str]]:
    """The cells of each row of a results table (without its heading and rule)."""
    for block in blocks(name):
        if block.startswith(heading):
            return [
                [cell.strip() for cell in line.strip().strip("|").split("|")]
                for line in block.splitlines()[2:]
            ]
    raise LookupError(f"no table starting {heading!r} in benchmarks/results/{name}.md")
