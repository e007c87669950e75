"""Few questions per entry: how the matcher does when curators write one to ten wordings per FAQ
entry, side by side with a plain rapidfuzz nearest-neighbour baseline and published figures.

Knowledge bases, each written out as a YAML intent file and loaded with `load_intents`, as a user
would, and the questions asked of them (development splits only; see each folder's README):

- CLINC150 `train_5` and `train_10` (5 and 10 questions per intent), asked `val` + `oos_val`
  (out-of-scope questions must be turned away);
- HWU64 `train_5`, `train_10` and the full `train`, asked `dev.tsv`;
- StackFAQ `faqs.json`: ONE question per entry, with its answer text (the matcher may use it),
  asked `dev.tsv`, people's rephrasings.

CLINC150 and HWU64 have no answers: their entries get a placeholder answer without words, so
nothing about the intent leaks into the knowledge base but its questions.

For each set: top-1 accuracy (in-scope questions whose best intent is right, whatever its score),
the share answered right at the threshold in force (what users get: the knowledge base's own
calibrated threshold, shown with it), out-of-scope recall where the set has out-of-scope
questions, overall accuracy (out-of-scope as one more class), MRR@5 and p50 latency of `rank`.
The baseline is `rapidfuzz.process.extractOne` with `token_sort_ratio` over the stored questions
(`default_process`), with no cutoff, or its tuned cutoff where there are out-of-scope questions.

Usage: python benchmarks/fewshot.py [--data FOLDER] [--sets clinc5,hwu5,...] [--no-baseline]
       [--errors N] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from clinc150 import tuned  # noqa: E402

from chatbot import Matcher, load_intents  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"
OOS = "oos"
# Without words: an answer that named the intent would hand its label to the matcher.
PLACEHOLDER = "-"
LENGTHS = ((1, 2), (3, 5), (6, 10), (11, 10_000))

# Published in-scope accuracy on the test split (not ours: we measure on val / dev), from the
# folders' READMEs: (system, 5 per intent, 10 per intent).
PUBLISHED = {
    "CLINC150": [
        ("RoBERTa+classifier", 87.99, 91.55),
        ("USE+ConveRT", 90.49, 93.26),
        ("DNNC", 91.02, 93.76),
        ("CPFT", 92.34, 94.18),
    ],
    "HWU64": [
        ("RoBERTa+classifier", 75.56, 82.90),
        ("USE+ConveRT", 80.01, 85.83),
        ("DNNC", 80.46, 84.72),
        ("CPFT", 82.03, 87.13),
        ("ICDA", 82.45, 87.41),
    ],
}

Pair = tuple[str, str]


def read_json_pairs(path: Path) -> list[Pair]:
    return [(text, label) for text, label in json.loads(path.read_text("utf-8"))]


def read_tsv(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = csv.reader(file, delimiter="\t")
        next(rows)  # header
        return [(row[0], row[1]) for row in rows if len(row) >= 2]


class Dataset:
    """A knowledge base (entries with questions and answers) and the questions asked of it."""

    def __init__(
        self, name: str, entries: dict[str, tuple[list[str], str]], asked: list[Pair]
    ) -> None:
        self.name = name
        self.entries = entries
        self.asked = asked

    @property
    def questions(self) -> int:
        return sum(len(questions) for questions, _ in self.entries.values())


def _grouped(pairs: Sequence[Pair]) -> dict[str, tuple[list[str], str]]:
    entries: dict[str, tuple[list[str], str]] = {}
    for text, label in pairs:
        entries.setdefault(label, ([], PLACEHOLDER))[0].append(text)
    return entries


def datasets(data: Path) -> dict[str, Callable[[], Dataset]]:
    """Each set by name, built when asked for."""
    clinc, hwu, faq = data / "clinc150", data / "hwu64", data / "stackfaq"

    def clinc_set(name: str, file: str) -> Dataset:
        asked = read_json_pairs(clinc / "val.json") + read_json_pairs(clinc / "oos_val.json")
        return Dataset(name, _grouped(read_json_pairs(clinc / file)), asked)

    def hwu_set(name: str, file: str) -> Dataset:
        return Dataset(name, _grouped(read_tsv(hwu / file)), read_tsv(hwu / "dev.tsv"))

    def stackfaq() -> Dataset:
        entries = {
            entry["id"]: ([entry["question"]], entry["answer"].strip() or PLACEHOLDER)
            for entry in json.loads((faq / "faqs.json").read_text("utf-8"))
        }
        return Dataset("StackFAQ (1 per entry)", entries, read_tsv(faq / "dev.tsv"))

    return {
        "clinc5": lambda: clinc_set("CLINC150, 5 per intent", "train_5.json"),
        "clinc10": lambda: clinc_set("CLINC150, 10 per intent", "train_10.json"),
        "hwu5": lambda: hwu_set("HWU64, 5 per intent", "train_5.tsv"),
        "hwu10": lambda: hwu_set("HWU64, 10 per intent", "train_10.tsv"),
        "hwu_full": lambda: hwu_set("HWU64, full train", "train.tsv"),
        "stackfaq": stackfaq,
    }


def build(dataset: Dataset, folder: Path) -> Matcher:
    """Write the knowledge base as YAML, load it as a user would, and build its matcher."""
    document = {
        "intents": [
            {"id": label, "questions": questions, "answer": answer}
            for label, (questions, answer) in dataset.entries.items()
        ]
    }
    path = folder / "knowledge.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(
        yaml.dump(document, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000),
        encoding="utf-8",
    )
    return Matcher(load_intents(path))


class Result:
    """One system's figures on one set."""

    def __init__(self, system: str) -> None:
        self.system = system
        self.figures: dict[str, float | None] = {}
        self.by_length: list[tuple[str, int, float, float]] = []
        self.errors: list[tuple[str, str, str, float]] = []


def percent(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def measure_ours(dataset: Dataset, matcher: Matcher, errors: int) -> Result:
    result = Result("chatbot")
    for text, _ in dataset.asked[:20]:  # warm up
        matcher.rank(text, limit=5)
    threshold = matcher.threshold  # calibrated on first use, outside the timings
    latencies, rows = [], []
    for text, label in dataset.asked:
        start = time.perf_counter()
        ranked = matcher.rank(text, limit=5)
        latencies.append(1000.0 * (time.perf_counter() - start))
        ids = [match.intent.id for match in ranked]
        rows.append((text, label, ids, ranked[0].score if ranked else 0.0))
    in_scope = [row for row in rows if row[1] != OOS]
    oos = [row for row in rows if row[1] == OOS]
    top1 = sum(bool(ids) and ids[0] == label for _, label, ids, _ in in_scope)
    answered = sum(
        bool(ids) and ids[0] == label and score >= threshold for _, label, ids, score in in_scope
    )
    rejected = sum(score < threshold for *_, score in oos)
    reciprocal = sum(1.0 / (ids.index(label) + 1) for _, label, ids, _ in in_scope if label in ids)
    result.figures = {
        "threshold": threshold,
        "top1": percent(top1, len(in_scope)),
        "answered": percent(answered, len(in_scope)),
        "oos_recall": percent(rejected, len(oos)),
        "accuracy": percent(answered + rejected, len(rows)),
        "mrr5": percent(reciprocal, len(in_scope)),
        "p50_ms": statistics.median(latencies),
        "fell_back_ranked_first": percent(
            sum(
                bool(ids) and ids[0] == label and score < threshold
                for _, label, ids, score in in_scope
            ),
            sum(score < threshold for *_, score in in_scope),
        ),
    }
    for low, high in LENGTHS:
        bucket = [row for row in in_scope if low <= len(row[0].split()) <= high]
        name = f"{low}-{high}" if high < 10_000 else f"{low}+"
        right = sum(bool(ids) and ids[0] == label for _, label, ids, _ in bucket)
        taken = sum(
            bool(ids) and ids[0] == label and score >= threshold for _, label, ids, score in bucket
        )
        result.by_length.append(
            (
                name,
                len(bucket),
                percent(right, len(bucket)) or 0.0,
                percent(taken, len(bucket)) or 0.0,
            )
        )
    for text, label, ids, score in rows:
        wrong = (label == OOS and score >= threshold) or (
            label != OOS and (not ids or ids[0] != label or score < threshold)
        )
        if wrong and len(result.errors) < errors:
            result.errors.append((text, label, ids[0] if ids else "-", score))
    return result


def measure_baseline(dataset: Dataset) -> Result:
    result = Result("rapidfuzz extractOne (token_sort_ratio)")
    stored = [(question, label) for label, (qs, _) in dataset.entries.items() for question in qs]
    texts = [question for question, _ in stored]
    labels = [label for _, label in stored]
    predictions, latencies = [], []
    for text, _ in dataset.asked:
        start = time.perf_counter()
        best = process.extractOne(
            text, texts, scorer=fuzz.token_sort_ratio, processor=utils.default_process
        )
        latencies.append(1000.0 * (time.perf_counter() - start))
        predictions.append((labels[best[2]], best[1]) if best else (None, 0.0))
    truth = [label for _, label in dataset.asked]
    in_scope = [(p, t) for p, t in zip(predictions, truth, strict=True) if t != OOS]
    top1 = sum(p[0] == t for p, t in in_scope)
    figures: dict[str, float | None] = {
        "threshold": 0.0,
        "top1": percent(top1, len(in_scope)),
        "answered": percent(top1, len(in_scope)),
        "oos_recall": None,
        "accuracy": percent(top1, len(truth)),
        "mrr5": None,
        "p50_ms": statistics.median(latencies),
    }
    if OOS in truth:
        best = tuned(predictions, truth)
        figures.update(
            threshold=best.threshold,
            answered=best.in_scope,
            oos_recall=best.oos_recall,
            accuracy=best.accuracy,
        )
    result.figures = figures
    return result


def cell(value: float | None, digits: int = 1) -> str:
    return (
        ""
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.{digits}f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--sets", default="clinc5,clinc10,hwu5,hwu10,hwu_full,stackfaq")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz baseline")
    parser.add_argument("--errors", type=int, default=0, help="print N wrong answers per set")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    available = datasets(args.data)
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = [name for name in names if name not in available]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    report: dict[str, dict[str, object]] = {}
    rows: list[tuple[Dataset, Result]] = []
    for name in names:
        dataset = available[name]()
        with tempfile.TemporaryDirectory() as folder:
            matcher = build(dataset, Path(folder))
        ours = measure_ours(dataset, matcher, args.errors)
        rows.append((dataset, ours))
        if not args.no_baseline:
            rows.append((dataset, measure_baseline(dataset)))
        calibration = matcher.calibration
        report[name] = {
            "figures": ours.figures,
            "threshold_source": matcher.threshold_source,
            "calibration": calibration.to_dict() if calibration else None,
            "by_length": ours.by_length,
            "errors": ours.errors,
        }

    print("Few questions per entry: development splits (see benchmarks/fewshot.py)\n")
    print(
        "| knowledge base | system | intents | questions | asked | top-1 % | answered right % "
        "| threshold | oos recall % | accuracy % | MRR@5 % | p50 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for dataset, result in rows:
        f = result.figures
        print(
            f"| {dataset.name} | {result.system} | {len(dataset.entries)} | {dataset.questions} "
            f"| {len(dataset.asked)} | {cell(f['top1'])} | {cell(f['answered'])} "
            f"| {cell(f['threshold'])} | {cell(f['oos_recall'])} | {cell(f['accuracy'])} "
            f"| {cell(f['mrr5'])} | {cell(f['p50_ms'], 3)} |"
        )
    print(
        "\nPublished in-scope accuracy, test split, encoders fine-tuned or pre-trained (READMEs):\n"
    )
    print("| data | system | 5 per intent | 10 per intent |")
    print("| --- | --- | --- | --- |")
    for data, systems in PUBLISHED.items():
        for system, five, ten in systems:
            print(f"| {data} | {system} | {five:.2f} | {ten:.2f} |")
    print("| StackFAQ | (no figures in its README) | | |")

    print("\nBy message length (words), chatbot only: count, top-1 %, answered right %\n")
    print(
        "| knowledge base | "
        + " | ".join(name for name, *_ in rows[0][1].by_length)
        + " | fell back though ranked first % |"
    )
    print("| --- |" + " --- |" * (len(LENGTHS) + 1))
    for dataset, result in rows:
        if result.system != "chatbot":
            continue
        buckets = " | ".join(f"{n}: {t:.1f} / {a:.1f}" for _, n, t, a in result.by_length)
        print(f"| {dataset.name} | {buckets} | {cell(result.figures['fell_back_ranked_first'])} |")
    if args.errors:
        for dataset, result in rows:
            if result.errors:
                print(f"\nWrong answers, {dataset.name}:")
                for text, label, got, score in result.errors:
                    print(f"  {text!r}: expected {label}, got {got} ({score:.1f})")
    print(
        "\nData: CLINC150 (Larson et al. 2019, CC BY 3.0); HWU64 (Liu et al. 2019, CC BY 4.0); "
        "StackFAQ (Karan and Snajder 2018, StackExchange content CC BY-SA). Ours on val/dev, "
        f"published figures on test. Run took {time.perf_counter() - started:.0f} s."
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
