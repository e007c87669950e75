"""Results files for the README: a benchmark's printed tables, and when and where it ran.

A script given `--output FILE` prints as usual and also writes what it printed to FILE, after
one line saying when it ran, on how many CPUs, with which Python and under what load. The
README includes these files (through cog) instead of figures copied by hand.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

RESULTS = Path(__file__).resolve().parent / "results"


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Add `--output FILE` and `--note TEXT` to a benchmark's argument parser."""
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="also write the printed tables to FILE, after a line saying when and where "
        "they were measured (the README includes benchmarks/results/*.md)",
    )
    parser.add_argument(
        "--note",
        default="",
        metavar="TEXT",
        help="added to that line, e.g. 'the machine was shared with other work'",
    )


def machine_line(started: float, load_at_start: float, note: str = "") -> str:
    """One sentence: date, machine, Python and load average of a run that began at `started`."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
    seconds = time.time() - started
    took = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    line = (
        f"Measured on {when} (took {took}), {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {python}; load average {load_at_start:.1f} at the start "
        f"and {os.getloadavg()[0]:.1f} at the end"
    )
    return f"{line}; {note.rstrip('.')}." if note else f"{line}."


class _Tee(io.TextIOBase):
    """Text written to the terminal and kept for the results file."""

    def __init__(self, terminal: TextIO) -> None:
        self.terminal = terminal
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.terminal.write(text)

    def flush(self) -> None:
        self.terminal.flush()


@contextmanager
def recorded(output: Path | None, note: str = "") -> Iterator[None]:
    """Within the block, what is printed also goes to `output` (if given), after the
    machine line; the file is written only when the block ends without an error."""
    if output is None:
        yield
        return
    started, load = time.time(), os.getloadavg()[0]
    tee = _Tee(sys.stdout)
    sys.stdout = tee
    try:
        yield
    finally:
        sys.stdout = tee.terminal
    output.parent.mkdir(parents=True, exist_ok=True)
    text = tee.kept.getvalue().strip("\n")
    output.write_text(f"{machine_line(started, load, note)}\n\n{text}\n", encoding="utf-8")
