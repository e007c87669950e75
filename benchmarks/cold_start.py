"""Cold start: how long `chatbot ask` takes on the bundled FAQ, against merely importing its
dependencies (`python -c "import yaml, rapidfuzz"`), run alternately in fresh processes.

`chatbot` is run the way its installed console script runs it (`from chatbot.cli import main;
sys.exit(main())`), from this checkout. As in an installed package (pip compiles the bytecode
when it installs), every module is compiled once, by a warm-up run, into a temporary folder
(PYTHONPYCACHEPREFIX) rather than in every run: PYTHONDONTWRITEBYTECODE, if set, is ignored.
The machine is shared, so both the median and the minimum of the runs are given; the minimum
is the least disturbed by other work. When valgrind is installed, the instructions each command
executes are counted too (once each, under callgrind): a ratio that no other load disturbs.

Usage: python benchmarks/cold_start.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.results import add_output_options, recorded  # noqa: E402

COMMANDS = {
    "chatbot ask 'what is an llm'": [
        sys.executable,
        "-c",
        "import sys; from chatbot.cli import main; sys.exit(main())",
        "ask",
        "what is an llm",
    ],
    "python -c 'import yaml, rapidfuzz'": [sys.executable, "-c", "import yaml, rapidfuzz"],
    "python -c 'pass'": [sys.executable, "-c", "pass"],
}


def run_once(command: list[str], environment: dict[str, str]) -> float:
    """Wall-clock seconds for one run of `command` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - start


def instructions(command: list[str], environment: dict[str, str]) -> int | None:
    """Instructions `command` executes, counted by valgrind's callgrind (None if unavailable)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    result = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    return int(found.group(1)) if found else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command")
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        measure(args.runs)
    return 0


def measure(runs: int) -> None:
    """Run the commands alternately `runs` times each and print the tables."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="chatbot-bytecode-") as bytecode:
        environment = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONPYCACHEPREFIX": bytecode}
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        for command in COMMANDS.values():  # compile the bytecode, warm the file cache
            run_once(command, environment)
        for _ in range(runs):
            for name, command in COMMANDS.items():
                times[name].append(run_once(command, environment))
        counts = {name: instructions(command, environment) for name, command in COMMANDS.items()}
    baseline = times["python -c 'import yaml, rapidfuzz'"]
    print(f"{runs} alternating runs of each, a fresh process each time (bytecode compiled)\n")
    print("| command | median ms | min ms | ratio (medians) | ratio (minimums) |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"| `{name}` | {1000 * median:.0f} | {1000 * min(values):.0f} | "
            f"{median / statistics.median(baseline):.2f} | {min(values) / min(baseline):.2f} |"
        )
    base_count = counts["python -c 'import yaml, rapidfuzz'"]
    if base_count:
        print("\nInstructions executed (valgrind callgrind, one run each)\n")
        print("| command | million instructions | ratio |")
        print("| --- | --- | --- |")
        for name, count in counts.items():
            if count:
                print(f"| `{name}` | {count / 1e6:.1f} | {count / base_count:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
