"""How the matcher grows with the knowledge base: build time, memory and latency from 1k to 300k
questions, on synthetic knowledge bases made from CLINC150's train split.

Copy 0 is CLINC150 train as it is (150 intents x 100 questions). Each further copy renames every
intent (`balance~3`) and perturbs its questions the way another domain's knowledge base would
differ: about a third of the longer words get a copy-specific spelling (new vocabulary), and
questions have words dropped or swapped at random (seeded, so runs are comparable). A size of N
questions takes as many copies as needed and the same number of questions from each intent.
The questions asked are CLINC150 val questions, perturbed like a random copy.

Data: Larson et al. 2019, "An Evaluation Dataset for Intent Classification and Out-of-Scope
Prediction" (CC BY 3.0).

Usage: python benchmarks/scale.py [--data FOLDER] [--sizes 1000,10000,100000,300000]
       [--output FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.results import add_output_options, recorded  # noqa: E402
from chatbot import Intent, Matcher  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "clinc150"
QUESTIONS_PER_CLINC_INTENT = 100
QUERIES = 1000
SUFFIXES = "bcdfghklmnprstvz"


def copy_word(word: str, copy: int) -> str:
    """The spelling a word takes in copy `copy` (copy 0 keeps it)."""
    if copy == 0:
        return word
    letters = ""
    while copy:
        copy, digit = divmod(copy, len(SUFFIXES))
        letters += SUFFIXES[digit]
    return word + "o" + letters


def perturb(text: str, copy: int, rng: random.Random) -> str:
    """A question as copy `copy` would word it: renamed vocabulary, a word dropped or swapped."""
    if copy == 0:
        return text
    words = [
        copy_word(word, copy) if len(word) >= 4 and rng.random() < 0.35 else word
        for word in text.split()
    ]
    if len(words) > 3 and rng.random() < 0.3:
        del words[rng.randrange(len(words))]
    if len(words) > 2 and rng.random() < 0.3:
        position = rng.randrange(len(words) - 1)
        words[position], words[position + 1] = words[position + 1], words[position]
    return " ".join(words)


def synthetic_intents(train: Sequence[tuple[str, str]], size: int) -> list[Intent]:
    """A knowledge base of `size` questions built from copies of CLINC150 train."""
    by_label: dict[str, list[str]] = {}
    for text, label in train:
        by_label.setdefault(label, []).append(text)
    copies = math.ceil(size / len(train))
    slots = len(by_label) * copies
    rng = random.Random(size)
    intents = []
    taken = 0
    for copy in range(copies):
        for label, texts in by_label.items():
            # Spread `size` questions evenly over all intents of all copies.
            share = (size - taken) // (slots - len(intents))
            questions = tuple(perturb(text, copy, rng) for text in texts[:share])
            taken += len(questions)
            name = label if copy == 0 else f"{label}~{copy}"
            intents.append(Intent(id=name, questions=questions, answer="-"))  # no label as evidence
    return intents


def resident_mib() -> float:
    """Current resident memory of this process (Linux), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 2**20


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(train: Sequence[tuple[str, str]], queries: Sequence[str], size: int) -> str:
    """One table row for a knowledge base of `size` questions."""
    intents = synthetic_intents(train, size)
    questions = sum(len(intent.questions) for intent in intents)
    copies = math.ceil(size / len(train))
    rng = random.Random(-size)
    asked = [perturb(text, rng.randrange(copies), rng) for text in queries]
    gc.collect()
    before = resident_mib()
    start = time.perf_counter()
    matcher = Matcher(intents)
    build = time.perf_counter() - start
    memory = resident_mib() - before
    for text in asked[:20]:
        matcher.rank(text, limit=1)
    latencies = []
    clock = time.perf_counter
    for text in asked:
        start = clock()
        matcher.rank(text, limit=1)
        latencies.append(1000.0 * (clock() - start))
    return (
        f"| {questions:,} | {len(intents):,} | {build:.2f} | {memory:.0f} | "
        f"{percentile(latencies, 0.5):.3f} | {percentile(latencies, 0.99):.3f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CLINC150 folder")
    parser.add_argument(
        "--sizes",
        default="1000,10000,15000,100000,300000",
        help="comma-separated numbers of questions (default: %(default)s)",
    )
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        measure_sizes(args.data, [int(part) for part in args.sizes.split(",")])
    return 0


def measure_sizes(data: Path, sizes: Sequence[int]) -> None:
    """Print the table: one row per knowledge-base size."""
    train = [tuple(pair) for pair in json.loads((data / "train.json").read_text("utf-8"))]
    val = [text for text, _ in json.loads((data / "val.json").read_text("utf-8"))]
    queries = random.Random(0).sample(val, QUERIES)
    print(f"rank(q, limit=1) over {QUERIES} CLINC150 val questions, perturbed like the copies\n")
    print("| questions | intents | build s | memory MiB | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size in sizes:
        print(measure(train, queries, size), flush=True)
        gc.collect()
    print(
        "\nData: CLINC150 (Larson et al. 2019, CC BY 3.0), copied with renamed intents and "
        "perturbed wording. Memory: resident-set growth while building the index."
    )


if __name__ == "__main__":
    sys.exit(main())
