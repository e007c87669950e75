"""How fast intent files load: the bundled FAQ and generated knowledge bases of many intents.

Times `read_intents` (YAML text to a checked KnowledgeBase, without building the matcher): the
best of several runs, wall clock and CPU (the machine may be shared), and the peak memory of the
process (run one size for its own figure). A generated knowledge base has N intents of three
questions each, with an answer, and every tenth a topic and follow-ups, drawn from a fixed
vocabulary with a fixed seed, written to one file.

Usage: python benchmarks/loading.py [--sizes 1000,20000,200000] [--runs 3] [--profile N]
       [--checkout DIR]

`--profile N` prints where loading N intents spends its time (cProfile, by own time).
`--checkout` loads with another checkout's code (for example an export of `main`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = (
    "account", "balance", "card", "transfer", "limit", "fee", "payment", "loan", "rate", "credit",
    "debit", "order", "refund", "delivery", "shipping", "address", "password", "login", "reset",
    "email", "phone", "support", "hours", "open", "close", "branch", "travel", "notice", "freeze",
    "report", "lost", "stolen", "pin", "statement", "tax", "insurance", "plan", "upgrade",
    "cancel", "subscription", "invoice", "receipt", "warranty", "repair", "return", "exchange",
    "gift", "voucher", "points",
)  # fmt: skip
QUESTION_STARTS = ("how do i", "can i", "what is the", "where can i find my", "why is my", "when")


def knowledge_base_text(intents: int, seed: int = 0) -> str:
    """A knowledge base of `intents` intents as YAML text."""
    rng = random.Random(seed)
    lines = ["intents:"]
    for number in range(intents):
        lines.append(f"  - id: intent_{number}")
        lines.append("    questions:")
        for _ in range(3):
            words = " ".join(rng.sample(WORDS, 3))
            lines.append(f"      - {rng.choice(QUESTION_STARTS)} {words}")
        lines.append(f"    answer: {' '.join(rng.sample(WORDS, 8)).capitalize()}.")
        if number % 10 == 0:
            lines.append(f"    topic: {rng.choice(WORDS)}")
            lines.append(f"    follow_ups: [intent_{max(number - 1, 0)}]")
    return "\n".join(lines) + "\n"


def best_time(load: object, path: str, runs: int) -> tuple[float, float]:
    """The least wall-clock and CPU seconds of `runs` loads (CPU time: the machine is shared)."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        load(path)  # type: ignore[operator]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000,200000", help="numbers of intents")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (the best is shown)")
    parser.add_argument("--profile", type=int, default=0, help="profile loading N intents")
    parser.add_argument("--checkout", type=Path, default=REPO, help="the code to load with")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.checkout.resolve()))
    from chatbot import read_intents
    from chatbot.bot import bundled_intents_path

    def load(path: str) -> None:
        result = read_intents(path)
        assert not result.errors, result.errors[:3]

    with tempfile.TemporaryDirectory() as folder:
        if args.profile:
            path = Path(folder, "profiled.yaml")
            path.write_text(knowledge_base_text(args.profile), encoding="utf-8")
            profile = cProfile.Profile()
            profile.runcall(load, str(path))
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
            return 0
        print("| knowledge base | file MB | wall s | CPU s |")
        print("| --- | --- | --- | --- |")
        wall, cpu = best_time(load, str(bundled_intents_path()), max(args.runs, 10))
        print(f"| bundled FAQ | - | {wall:.4f} | {cpu:.4f} |")
        for size in (int(part) for part in args.sizes.split(",")):
            path = Path(folder, f"kb{size}.yaml")
            path.write_text(knowledge_base_text(size), encoding="utf-8")
            megabytes = path.stat().st_size / 1e6
            wall, cpu = best_time(load, str(path), args.runs)
            print(f"| {size:,} intents | {megabytes:.1f} | {wall:.3f} | {cpu:.3f} |", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this process (ru_maxrss): {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
