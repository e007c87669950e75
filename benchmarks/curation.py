"""How the curator tools grow: `chatbot suggest` over large logs and `chatbot check` over large
knowledge bases, in seconds.

suggest: a log of N distinct questions (CLINC150 train and val questions, perturbed like the
copies of `scale.py` once those run out), grouped and given proposals against the bundled FAQ.

check: knowledge bases of N questions with 10 per intent (CLINC150 train, copied and perturbed
like `scale.py` does), then everything `chatbot check` runs: build, calibration, self-test and
the near-duplicate scan. One big intent of N questions is measured too.

Data: Larson et al. 2019, "An Evaluation Dataset for Intent Classification and Out-of-Scope
Prediction" (CC BY 3.0).

Usage: python benchmarks/curation.py [--suggest 2000,20000,100000] [--check 5000,20000,60000]
    [--one-intent 20000] [--jobs 1,2]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import DEFAULT_DATA, perturb  # noqa: E402

from benchmarks.results import add_output_options, recorded  # noqa: E402
from chatbot import Bot, Intent, KnowledgeBase  # noqa: E402
from chatbot.curation.check import lint  # noqa: E402
from chatbot.curation.parallel import cores  # noqa: E402
from chatbot.curation.unanswered import LoggedQuestion, suggest  # noqa: E402

PER_INTENT = 10


def distinct_questions(texts: Sequence[str], count: int) -> list[str]:
    """`count` distinct questions: the texts, then perturbed copies of them."""
    seen: dict[str, None] = dict.fromkeys(texts[:count])
    rng = random.Random(count)
    copy = 1
    while len(seen) < count:
        for text in texts:
            seen.setdefault(perturb(text, copy, rng))
            if len(seen) == count:
                break
        copy += 1
    return list(seen)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children: the work done, which a busy
    machine's other load does not inflate as it does the wall clock."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_suggest(texts: Sequence[str], count: int, bot: Bot) -> str:
    questions = distinct_questions(texts, count)
    entries = [LoggedQuestion(q, None, 0.0, "", line) for line, q in enumerate(questions, 1)]
    start, cpu = time.perf_counter(), cpu_seconds()
    groups = suggest(entries, bot.matcher)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    proposed = sum(group.intent is not None for group in groups)
    result = f"{len(groups):,} groups, {proposed:,} proposed"
    return f"| suggest | {count:,} distinct questions | {result} | {seconds:.1f} | {cpu:.1f} |"


def knowledge_of(texts_by_label: dict[str, list[str]], size: int, per_intent: int) -> KnowledgeBase:
    """About `size` questions, `per_intent` to an intent: chunks of CLINC150 intents, copied."""
    rng = random.Random(size)
    intents: list[Intent] = []
    total = 0
    copy = 0
    while total < size:
        for label, texts in texts_by_label.items():
            for start in range(0, len(texts), per_intent):
                if total >= size:
                    return KnowledgeBase(intents)
                chunk = texts[start : start + per_intent]
                questions = tuple(dict.fromkeys(perturb(text, copy, rng) for text in chunk))
                name = f"{label}~{copy}~{start}"
                intents.append(Intent(id=name, questions=questions, answer="-"))
                total += len(questions)
        copy += 1
    return KnowledgeBase(intents)


def time_check(knowledge: KnowledgeBase, what: str, workers: int) -> str:
    questions = sum(len(intent.questions) for intent in knowledge)
    start, cpu = time.perf_counter(), cpu_seconds()
    findings = lint(knowledge, workers=workers)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    processes = f"{workers} process{'es' if workers > 1 else ''}"
    return (
        f"| check, {processes} | {what}: {questions:,} questions, {len(knowledge):,} "
        f"intent{'s' if len(knowledge) != 1 else ''} "
        f"| {len(findings):,} warnings | {seconds:.1f} | {cpu:.1f} |"
    )


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CLINC150 folder")
    parser.add_argument("--suggest", default="2000,5000,10000,20000,100000", type=sizes)
    parser.add_argument("--check", default="5000,20000,60000", type=sizes)
    parser.add_argument("--one-intent", default="20000", type=sizes)
    parser.add_argument(
        "--jobs",
        default=f"1,{cores()}",
        type=sizes,
        help="processes for check (default: %(default)s)",
    )
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        return run(args)


def run(args: argparse.Namespace) -> int:
    train = json.loads((args.data / "train.json").read_text("utf-8"))
    val = json.loads((args.data / "val.json").read_text("utf-8"))
    texts = list(dict.fromkeys(text for text, _ in [*train, *val]))
    by_label: dict[str, list[str]] = {}
    for text, label in train:
        by_label.setdefault(label, []).append(text)
    print("| tool | input | result | seconds | CPU seconds |")
    print("| --- | --- | --- | ---: | ---: |")
    bot = Bot()
    for count in args.suggest:
        print(time_suggest(texts, count, bot), flush=True)
    for size in args.check:
        knowledge = knowledge_of(by_label, size, PER_INTENT)
        for workers in args.jobs:
            print(time_check(knowledge, f"{PER_INTENT} per intent", workers), flush=True)
    for size in args.one_intent:
        questions = distinct_questions(texts, size)
        one = KnowledgeBase([Intent(id="everything", questions=tuple(questions), answer="-")])
        for workers in args.jobs:
            print(time_check(one, "one intent", workers), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
