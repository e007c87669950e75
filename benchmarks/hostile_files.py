"""Hostile files against the readers: how long each takes to be refused, and the memory it costs.

Each file of issue 15 (items 2, 3, 5 and 11) is written to a temporary folder and given to the
command a user would run, in a fresh process under `/usr/bin/time -v`, with a time limit and a
cap on the memory it may map. A row gives the wall-clock seconds, the peak resident memory, the
exit status and the first line the command wrote on stderr (what the user sees).

Usage: python benchmarks/hostile_files.py [--timeout 300] [--memory 8] [--only NAME,...]
       [--checkout DIR]

`--checkout` runs another checkout's code (for example an export of `main`) on the same files.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def alias_questions(folder: Path) -> list[str]:
    """Item 2: one 1,000-question list aliased by 4,000 intents (about 200 KB)."""
    questions = ", ".join(f"w{i} x y" for i in range(1000))
    lines = ["intents:", f"  - {{id: i0, questions: &q [{questions}], answer: a}}"]
    lines += [f"  - {{id: i{n}, questions: *q, answer: a}}" for n in range(1, 4000)]
    path = folder / "alias_questions.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["ask", "--intents", str(path), "hello"]


def merge_chain(folder: Path, levels: int = 10_000) -> list[str]:
    """Item 3: `aN: &aN {<<: *aN-1, kN: v}`, 10,000 levels (about 366 KB)."""
    lines = ["intents: [{id: a, questions: [x], answer: A}]", "a0: &a0 {k0: v}"]
    lines += [f"a{n}: &a{n} {{<<: *a{n - 1}, k{n}: v}}" for n in range(1, levels)]
    path = folder / "merge_chain.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["ask", "--intents", str(path), "hello"]


def self_alias(folder: Path) -> list[str]:
    """Item 3: a list that holds itself (12 bytes)."""
    path = folder / "self_alias.yaml"
    path.write_text("a: &a [*a]\n", encoding="utf-8")
    return ["ask", "--intents", str(path), "hello"]


def cases_bomb(folder: Path) -> list[str]:
    """Item 5: a 6 KB cases file of 1,000 conversations aliasing one of 1,000 turns."""
    turn = "{question: what is an llm, intent: llm_definition}"
    first = "&t [&c " + turn + "," + ",".join(["*c"] * 999) + "]"
    path = folder / "cases_bomb.yaml"
    path.write_text("conversations: [" + first + "," + ",".join(["*t"] * 999) + "]\n")
    return ["eval", str(path)]


def fifo(folder: Path) -> Path:
    path = folder / "fifo.yaml"
    if not path.exists():
        os.mkfifo(path)
    return path


def control_character(folder: Path) -> list[str]:
    """Item 11: a raw NUL in an answer."""
    path = folder / "nul.yaml"
    path.write_bytes(b"intents:\n  - id: a\n    questions: [x]\n    answer: A\x00B\n")
    return ["ask", "--intents", str(path), "hello"]


def utf16_without_bom(folder: Path) -> list[str]:
    """Item 11: UTF-16BE text without a byte-order mark."""
    path = folder / "utf16.yaml"
    path.write_bytes("intents:\n  - {id: a, questions: [x], answer: A}\n".encode("utf-16-be"))
    return ["ask", "--intents", str(path), "hello"]


FILES: dict[str, Callable[[Path], list[str]]] = {
    "alias_questions": alias_questions,
    "merge_chain": merge_chain,
    "self_alias": self_alias,
    "cases_bomb": cases_bomb,
    "eval_dev_zero": lambda folder: ["eval", "/dev/zero"],
    "suggest_dev_zero": lambda folder: ["suggest", "/dev/zero"],
    "eval_fifo": lambda folder: ["eval", str(fifo(folder))],
    "suggest_fifo": lambda folder: ["suggest", str(fifo(folder))],
    "suggest_folder": lambda folder: ["suggest", str(folder)],
    "nul_character": control_character,
    "utf16_without_bom": utf16_without_bom,
}


def run(arguments: list[str], checkout: Path, timeout: float, cache: Path, memory: int) -> str:
    """One table row: seconds, peak MiB, exit status and the first line of stderr."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "XDG_CACHE_HOME": str(cache),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-c",
        "import sys; from chatbot.cli import main; sys.exit(main())",
        *arguments,
    ]
    start = time.perf_counter()
    # A session of its own, so that a command left hanging (a FIFO) is ended with its children.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        env=environment,
        cwd=checkout,  # `python -c` looks for modules in the current folder first
        start_new_session=True,
        # A cap on the address space: reading /dev/zero whole must not take the machine's memory.
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory)),
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"> {timeout:.0f} | ? | killed | (no answer within the time limit)"
    seconds = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    # What the command said, without the report /usr/bin/time adds (its lines start with a tab).
    said = [
        line for line in stderr.splitlines() if line and not line.startswith(("\t", "Command "))
    ]
    first = said[0] if said else "(nothing)"
    lines = f" (+{len(said) - 1} lines)" if len(said) > 1 else ""
    mib = int(peak.group(1)) / 1024 if peak else float("nan")
    return f"{seconds:.2f} | {mib:.0f} | {process.returncode} | {first[:120]}{lines}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per command")
    parser.add_argument("--only", default="", help="comma-separated names: " + ", ".join(FILES))
    parser.add_argument("--checkout", type=Path, default=REPO, help="the code to run")
    parser.add_argument("--memory", type=float, default=8.0, help="GB each command may map")
    args = parser.parse_args(argv)
    names = [name for name in args.only.split(",") if name] or list(FILES)
    print("| file | command | seconds | peak MiB | exit | stderr |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        cache = folder / "cache"
        for name in names:
            arguments = FILES[name](folder)
            shown = " ".join(arguments).replace(temporary + "/", "")
            memory = int(args.memory * 2**30)
            row = run(arguments, args.checkout.resolve(), args.timeout, cache, memory)
            row = row.replace(temporary + "/", "")
            print(f"| {name} | chatbot {shown} | {row} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
