"""The README stays true: its examples are what the program prints, its figures as measured."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from benchmarks import fewshot
from benchmarks.results import RESULTS, recorded

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
REGENERATE = "README.md is out of date: regenerate it with `cog -r README.md` (in the checkout)"


def test_every_example_and_table_in_the_readme_is_what_the_program_gives() -> None:
    """cog re-runs every example and re-reads every results file; nothing may differ."""
    if shutil.which("jq") is None:
        pytest.skip("the README's examples pipe JSON through jq, which is not installed")
    checked = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "--diff", "README.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, f"{REGENERATE}\n{checked.stdout}{checked.stderr}"


def test_each_results_file_says_when_and_where_it_was_measured() -> None:
    files = sorted(RESULTS.glob("*.md"))
    assert {path.stem for path in files} >= {
        "check_selftest",
        "clinc150",
        "cold_start",
        "fewshot",
        "scale",
        "serve",
    }
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.match(
            r"Measured on \d{4}-\d\d-\d\d \d\d:\d\d UTC \((took )?\d+ (s|min)\), .+, \d+ CPUs, "
            r"\w+ 3\.\d+\.\d+; load average [\d.]+ at the start and [\d.]+ at the end",
            first,
        ), f"{path.name}: {first}"


def test_output_writes_what_was_printed_after_the_machine_line(tmp_path: Path) -> None:
    output = tmp_path / "results" / "bench.md"
    shown = io.StringIO()
    with redirect_stdout(shown), recorded(output, "the machine was shared"):
        print("| a | b |\n| --- | --- |\n| 1 | 2 |")
    assert shown.getvalue() == "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    first, blank, *table = output.read_text(encoding="utf-8").splitlines()
    assert first.startswith("Measured on ")
    assert first.endswith("; the machine was shared.")
    assert (blank, table) == ("", ["| a | b |", "| --- | --- |", "| 1 | 2 |"])


def test_a_run_that_fails_writes_no_results_file(tmp_path: Path) -> None:
    output = tmp_path / "bench.md"

    def half_a_table() -> None:
        print("| a | b |")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), redirect_stdout(io.StringIO()), recorded(output):
        half_a_table()
    assert not output.exists()


def accuracy_rows(text: str) -> dict[tuple[str, str], list[str]]:
    """The few-shot table's rows by (knowledge base, system), without the p50 column (timing)."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 13 and cells[1] in {"chatbot", "rapidfuzz baseline"}:
            rows[cells[0], cells[1]] = cells[:-1]
    return rows


@pytest.mark.skipif(not (DATA / "stackfaq").is_dir(), reason=f"no benchmark data in {DATA}")
def test_few_shot_accuracy_in_the_results_file_is_what_the_matcher_gives_now() -> None:
    """Accuracy does not depend on the machine: the two quickest sets, asked again, give the
    committed figures exactly (the README includes them from that file)."""
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert fewshot.main(["--data", str(DATA), "--sets", "stackfaq,hwu5"]) == 0
    now = accuracy_rows(printed.getvalue())
    committed = accuracy_rows((RESULTS / "fewshot.md").read_text(encoding="utf-8"))
    assert len(now) == 4
    assert {key: committed.get(key) for key in now} == now
