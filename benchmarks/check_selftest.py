"""How the self-test of `chatbot check` compares with exact leave-one-out, in agreement and time.

The self-test asks each question of the one matcher as if it were not stored (virtual
leave-one-out, `Matcher.rank_left_out`). Exact leave-one-out (one matcher built per question)
is the reference; rebuilding the matcher for 10 folds (what `check` did before) is measured
beside it. Knowledge bases: the bundled FAQ, and the 5-per-intent HWU64 and CLINC150 sets of
`benchmarks/fewshot.py` (from `../shared/data`, when present).

Run from the repository root: `python benchmarks/check_selftest.py [--data FOLDER] [--output
FILE]`. Every row is measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fewshot import DEFAULT_DATA, SETS, write_knowledge_base
from benchmarks.results import add_output_options, recorded
from chatbot import KnowledgeBase, bundled_intents_path, load_intents
from chatbot.curation.check import LeftOut, confusable_warnings, lint, self_test


def scaled(knowledge: KnowledgeBase, copies: int) -> KnowledgeBase:
    """The knowledge base repeated, each copy's ids and questions marked with its own word."""
    intents = []
    for copy in range(copies):
        marker = f"area{chr(ord('a') + copy % 26)}{copy}"
        for intent in knowledge:
            intents.append(
                intent.replace(
                    id=f"{intent.id}_{copy}",
                    questions=tuple(f"{question} {marker}" for question in intent.questions),
                    follow_ups=(),
                )
            )
    return knowledge.replace(intents=tuple(intents))


def elsewhere(verdicts: list[LeftOut]) -> dict[tuple[str, str], str | None]:
    return {
        (verdict.intent.id, verdict.question): verdict.match.intent.id if verdict.match else None
        for verdict in verdicts
    }


def warned(verdicts: list[LeftOut]) -> set[str]:
    return {finding.message.split(" (e.g.")[0] for finding in confusable_warnings(verdicts)}


def timed(knowledge: KnowledgeBase, folds: int | None) -> tuple[list[LeftOut], float]:
    start = time.perf_counter()
    verdicts = self_test(knowledge, folds=folds)
    return verdicts, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        measure(args.data)
    return 0


def knowledge_bases(data: Path, folder: Path) -> list[tuple[str, KnowledgeBase]]:
    """The bundled FAQ, then the few-shot sets whose data is there, loaded from YAML."""
    found = [("bundled FAQ", load_intents(bundled_intents_path()))]
    for name, title in (("hwu5", "HWU64 5/intent"), ("clinc5", "CLINC150 5/intent")):
        try:
            dataset = SETS[name](data)
        except OSError:
            continue
        path, _, _ = write_knowledge_base(dataset, folder)
        found.append((title, load_intents(path)))
    return found


METHODS: tuple[tuple[str, int | None], ...] = (("one matcher", None), ("10 folds", 10))


def measure(data: Path) -> None:
    """Time the self-test, and its folded predecessor, against exact leave-one-out."""
    print("| knowledge base | questions | self-test | seconds | same verdicts | same warnings |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")

    def row(
        name: str, questions: int, method: str, seconds: float, verdicts: str, warnings: str
    ) -> None:
        print(f"| {name} | {questions} | {method} | {seconds:.2f} | {verdicts} | {warnings} |")

    with tempfile.TemporaryDirectory() as folder:
        bases = knowledge_bases(data, Path(folder))
    for name, knowledge in bases:
        exact, exact_seconds = timed(knowledge, 10**9)
        reference = elsewhere(exact)
        reference_warnings = warned(exact)
        total = len(reference)
        counted = f"{len(reference_warnings)} warnings"
        row(name, total, "exact", exact_seconds, "(reference)", counted)
        for method, folds in METHODS:
            verdicts, seconds = timed(knowledge, folds)
            same = sum(reference[key] == value for key, value in elsewhere(verdicts).items())
            warnings = warned(verdicts)
            union = warnings | reference_warnings
            row(
                name,
                total,
                method,
                seconds,
                f"{same}/{total}",
                f"{len(warnings & reference_warnings)}/{len(union)}",
            )
    big = scaled(bases[0][1], 10)
    questions = sum(len(intent.questions) for intent in big)
    for method, folds in METHODS:
        _, seconds = timed(big, folds)
        row("bundled FAQ x10", questions, method, seconds, "(not run)", "(not run)")
    print()
    print("| whole check (lint) | questions | seconds |")
    print("| --- | ---: | ---: |")
    for name, knowledge in (("bundled FAQ", bases[0][1]), ("bundled FAQ x10", big)):
        start = time.perf_counter()
        lint(knowledge)
        seconds = time.perf_counter() - start
        count = sum(len(intent.questions) for intent in knowledge)
        print(f"| {name} | {count} | {seconds:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
