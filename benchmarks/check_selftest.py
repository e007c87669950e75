"""How the leave-one-out self-test of `chatbot check` trades folds for time and agreement.

Run from the repository root: `python benchmarks/check_selftest.py [--output FILE]`. Exact
leave-one-out (one matcher per question) is the reference; every row is measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def timed(knowledge: KnowledgeBase, folds: int) -> tuple[list[LeftOut], float]:
    start = time.perf_counter()
    verdicts = self_test(knowledge, folds=folds)
    return verdicts, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        measure()
    return 0


def measure() -> None:
    """Time the self-test at each number of folds against exact leave-one-out; print the tables."""
    bundled = load_intents(bundled_intents_path())
    print(
        f"{'knowledge base':<16} {'questions':>9} {'folds':>6} {'seconds':>8} "
        f"{'same verdicts':>14} {'same warnings':>14}"
    )

    def row(
        name: str, questions: int, folds: str, seconds: float, verdicts: str, warnings: str
    ) -> None:
        print(f"{name:<16} {questions:>9} {folds:>6} {seconds:>8.2f} {verdicts:>14} {warnings:>14}")

    exact, exact_seconds = timed(bundled, 10**9)
    reference = elsewhere(exact)
    reference_warnings = warned(exact)
    total = len(reference)
    row(
        "bundled FAQ",
        total,
        "exact",
        exact_seconds,
        "(reference)",
        f"{len(reference_warnings)} warnings",
    )
    for folds in (5, 10, 20):
        verdicts, seconds = timed(bundled, folds)
        same = sum(reference[key] == value for key, value in elsewhere(verdicts).items())
        warnings = warned(verdicts)
        row(
            "bundled FAQ",
            total,
            str(folds),
            seconds,
            f"{same}/{total}",
            f"{len(warnings & reference_warnings)}/{len(warnings | reference_warnings)}",
        )
    big = scaled(bundled, 10)
    questions = sum(len(intent.questions) for intent in big)
    for folds in (10, 20):
        _, seconds = timed(big, folds)
        row("bundled FAQ x10", questions, str(folds), seconds, "(not run)", "(not run)")
    print()
    print(f"{'whole check (lint)':<20} {'questions':>9} {'seconds':>8}")
    for name, knowledge in (("bundled FAQ", bundled), ("bundled FAQ x10", big)):
        start = time.perf_counter()
        lint(knowledge)
        seconds = time.perf_counter() - start
        count = sum(len(intent.questions) for intent in knowledge)
        print(f"{name:<20} {count:>9} {seconds:>8.2f}")


if __name__ == "__main__":
    sys.exit(main())
