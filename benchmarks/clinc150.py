"""CLINC150 benchmark: accuracy, out-of-scope recall, latency, build time and memory, side by side
with a plain rapidfuzz nearest-neighbour baseline.

Data: Larson et al., "An Evaluation Dataset for Intent Classification and Out-of-Scope
Prediction", EMNLP-IJCNLP 2019 (CC BY 3.0). The train split (150 intents x 100 questions) is
written out as a YAML knowledge base and loaded with `load_intents`, as a user would; val.json +
oos_val.json are the questions asked.

Protocol (the paper's "oos-threshold"): out-of-scope is one more class; the threshold is the one
with the best accuracy over val + oos_val; we report in-scope accuracy (a rejected in-scope
question is wrong) and out-of-scope recall (share of out-of-scope questions rejected). The same
figures are given at the matcher's default threshold, which is what users get without tuning.

Usage: python benchmarks/clinc150.py [--data FOLDER] [--no-baseline] [--output FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.results import add_output_options, recorded  # noqa: E402
from chatbot import Matcher, load_intents  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "clinc150"
OOS = "oos"

# Table 2 of the paper, "Full" condition with oos-threshold: (in-scope accuracy, oos recall).
PUBLISHED = [
    ("SVM (bag of words)", 88.2, 18.0),
    ("FastText", 88.6, 28.3),
    ("DialogFlow", 90.8, 26.7),
    ("Rasa NLU", 90.9, 31.2),
    ("CNN", 90.9, 30.9),
    ("MLP (USE embeddings)", 93.4, 49.1),
    ("BERT (fine-tuned)", 96.2, 52.3),
]


@dataclass(frozen=True)
class Outcome:
    """Figures for one system at one threshold."""

    threshold: float
    in_scope: float
    oos_recall: float
    accuracy: float


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """A CLINC150 file: a JSON list of [text, intent] pairs."""
    return [(text, label) for text, label in json.loads(path.read_text("utf-8"))]


def write_knowledge_base(train: Sequence[tuple[str, str]], folder: Path) -> Path:
    """Write the train split as an intent file in our YAML format; return its path."""
    questions: dict[str, list[str]] = {}
    for text, label in train:
        questions.setdefault(label, []).append(text)
    document = {
        "intents": [
            # A wordless answer: the matcher reads answers as evidence, and naming the intent
            # there would hand it the label.
            {"id": label, "questions": texts, "answer": "-"}
            for label, texts in questions.items()
        ]
    }
    path = folder / "clinc150.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(
        yaml.dump(document, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000),
        encoding="utf-8",
    )
    return path


def outcome(
    predictions: Sequence[tuple[str | None, float]], labels: Sequence[str], threshold: float
) -> Outcome:
    """Score predictions (label, score) against labels when scores below threshold reject."""
    in_scope = correct_in = rejected_oos = oos = 0
    for (label, score), truth in zip(predictions, labels, strict=True):
        accepted = label is not None and score >= threshold
        if truth == OOS:
            oos += 1
            rejected_oos += not accepted
        else:
            in_scope += 1
            correct_in += accepted and label == truth
    return Outcome(
        threshold,
        100.0 * correct_in / in_scope,
        100.0 * rejected_oos / oos,
        100.0 * (correct_in + rejected_oos) / len(labels),
    )


def tuned(predictions: Sequence[tuple[str | None, float]], labels: Sequence[str]) -> Outcome:
    """The threshold with the best accuracy (out-of-scope as one more class); lowest on ties."""
    # Raising the threshold past a score flips that one question from accepted to rejected:
    # +1 if it was out-of-scope, -1 if it was a correct in-scope answer, 0 otherwise.
    changes: dict[float, int] = {}
    correct = 0
    for (label, score), truth in zip(predictions, labels, strict=True):
        if label is None:
            correct += truth == OOS
            continue
        gain = 1 if truth == OOS else -1 if label == truth else 0
        changes[score] = changes.get(score, 0) + gain
        correct += gain == -1
    best, best_threshold = correct, 0.0
    scores = sorted(changes)
    for position, score in enumerate(scores):
        # Thresholds sit between distinct scores (rejecting this one and everything below).
        correct += changes[score]
        if correct > best:
            above = scores[position + 1] if position + 1 < len(scores) else score + 0.02
            best, best_threshold = correct, (score + above) / 2
    return outcome(predictions, labels, best_threshold)


def timed_predictions(
    predict: Callable[[str], tuple[str | None, float]], texts: Sequence[str]
) -> tuple[list[tuple[str | None, float]], list[float]]:
    """Predict every text once, timing each call (milliseconds)."""
    predictions, latencies = [], []
    clock = time.perf_counter
    for text in texts:
        start = clock()
        predictions.append(predict(text))
        latencies.append(1000.0 * (clock() - start))
    return predictions, latencies


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CLINC150 folder")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz baseline")
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        return run(args)


def run(args: argparse.Namespace) -> int:
    """Build the knowledge base, ask every question, print the tables."""

    train = read_pairs(args.data / "train.json")
    evaluation = read_pairs(args.data / "val.json") + read_pairs(args.data / "oos_val.json")
    warmup = [text for text, _ in read_pairs(args.data / "oos_train.json")]
    texts = [text for text, _ in evaluation]
    labels = [label for _, label in evaluation]

    with tempfile.TemporaryDirectory() as folder:
        path = write_knowledge_base(train, Path(folder))
        gc.collect()
        start = time.perf_counter()
        knowledge = load_intents(path)
        load_seconds = time.perf_counter() - start
        start = time.perf_counter()
        matcher = Matcher(knowledge)
        build_seconds = time.perf_counter() - start
        # Memory is measured on a second build, since tracing slows the first one down.
        gc.collect()
        tracemalloc.start()
        traced = Matcher(load_intents(path))
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del traced
    questions = sum(len(intent.questions) for intent in knowledge)

    def ours(text: str) -> tuple[str | None, float]:
        best = matcher.rank(text, limit=1)
        return (best[0].intent.id, best[0].score) if best else (None, 0.0)

    for text in warmup:  # questions outside the evaluation set
        ours(text)
    predictions, latencies = timed_predictions(ours, texts)
    rows = [
        ("chatbot, tuned threshold", tuned(predictions, labels), latencies),
        ("chatbot, default threshold", outcome(predictions, labels, matcher.threshold), latencies),
    ]

    if not args.no_baseline:
        examples = [text for text, _ in train]
        example_labels = [label for _, label in train]

        def baseline(text: str) -> tuple[str | None, float]:
            best = process.extractOne(
                text, examples, scorer=fuzz.token_sort_ratio, processor=utils.default_process
            )
            return (example_labels[best[2]], best[1]) if best else (None, 0.0)

        for text in warmup[:10]:
            baseline(text)
        base_predictions, base_latencies = timed_predictions(baseline, texts)
        rows.append(
            (
                "rapidfuzz extractOne (token_sort_ratio), tuned",
                tuned(base_predictions, labels),
                base_latencies,
            )
        )

    print(
        f"CLINC150 val ({len(labels) - labels.count(OOS)} in-scope + {labels.count(OOS)} "
        f"out-of-scope questions) against a knowledge base of {len(knowledge)} intents, "
        f"{questions} questions\n"
    )
    print("| system | threshold | in-scope acc % | oos recall % | accuracy % | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, result, times in rows:
        print(
            f"| {name} | {result.threshold:.2f} | {result.in_scope:.1f} | {result.oos_recall:.1f} "
            f"| {result.accuracy:.1f} | {percentile(times, 0.5):.3f} | "
            f"{percentile(times, 0.99):.3f} |"
        )
    for name, in_scope, oos_recall in PUBLISHED:
        print(f"| {name} (published) | tuned | {in_scope:.1f} | {oos_recall:.1f} | | | |")

    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| load_intents (YAML, {questions} questions) | {load_seconds:.2f} s |")
    print(f"| index build (Matcher) | {build_seconds:.2f} s |")
    print(f"| peak traced memory, load + build | {peak_bytes / 2**20:.1f} MiB |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| process max RSS (whole run) | {rss:.1f} MiB |")
    if not args.no_baseline:
        ours_tuned, base_tuned = rows[0][1], rows[2][1]
        speedup = percentile(base_latencies, 0.5) / percentile(latencies, 0.5)
        print(f"| p50 speed-up over rapidfuzz baseline | {speedup:.1f}x |")
        print(
            f"| in-scope accuracy ratio (ours / baseline, tuned) | "
            f"{ours_tuned.in_scope / base_tuned.in_scope:.2f} |"
        )
        print(
            f"| oos recall ratio (ours / baseline, tuned) | "
            f"{ours_tuned.oos_recall / max(base_tuned.oos_recall, 1e-9):.2f} |"
        )
    print(
        "\nData: CLINC150, Larson et al. 2019, 'An Evaluation Dataset for Intent Classification "
        "and Out-of-Scope Prediction' (CC BY 3.0). Published figures: Table 2, Full, oos-threshold."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
