"""Few-questions-per-entry benchmark: how well the matcher answers when each knowledge-base entry
has only a handful of stored questions (or one), on CLINC150, HWU64 and StackFAQ, side by side
with a plain rapidfuzz nearest-neighbour baseline and the published few-shot figures.

Sets (knowledge base -> questions asked):
    clinc5, clinc10   CLINC150 train_5 / train_10 (5 / 10 questions per intent)
                      -> val.json + oos_val.json (label `oos`: must be rejected)
    hwu5, hwu10       HWU64 train_5 / train_10 -> dev.tsv (no out-of-scope)
    hwu_full          HWU64 train -> dev.tsv
    stackfaq          StackFAQ faqs.json (one question per entry, with its real answer text)
                      -> dev.tsv (no out-of-scope)

Protocol: every knowledge base is written out as a YAML intent file and loaded with
`load_intents`, as a user would, then `Matcher(...)`. CLINC150 and HWU64 entries get a
placeholder answer without words ("-"), so nothing but its questions tells the matcher about an
intent; StackFAQ entries keep their real answer text, as written. Each question is asked once with
`matcher.rank(text, limit=5)`, timed (after a warm-up on questions outside the evaluation set).
Per set: top-1 accuracy (best-ranked intent right, no threshold); answered correctly (best intent
right and its score >= `matcher.threshold`, the threshold in force for that knowledge base), as a
share of in-scope questions; out-of-scope recall (share of `oos` questions whose best score is
below the threshold, or with no match); overall accuracy, out-of-scope being one more class (for
sets without out-of-scope questions it equals answered correctly); MRR@5 (reciprocal rank of the
right intent in the top 5, 0 if absent); and, where there are out-of-scope questions, the best
threshold (best overall accuracy, as in benchmarks/clinc150.py). Without out-of-scope questions
the best threshold is trivially 0, where answered correctly equals top-1.
The baseline is `process.extractOne(text, stored questions, scorer=fuzz.token_sort_ratio,
processor=utils.default_process)` without a cutoff, mapped to the stored question's intent: with
out-of-scope questions its figures are at its own best threshold; without, answered = top-1.
A second table breaks the figures down by message length, for tuning the matcher.

Usage: python benchmarks/fewshot.py [--data FOLDER] [--sets clinc5,hwu5,...] [--no-baseline]
       [--json FILE] [--errors N] [--output FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process, utils

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.clinc150 import OOS, percentile, read_pairs, tuned  # noqa: E402
from benchmarks.results import add_output_options, recorded  # noqa: E402
from chatbot import ChatbotError, Matcher, load_intents  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"
LIMIT = 5  # ranks asked for, and the depth of MRR
WARMUP = 20  # questions asked before timing starts
BUCKETS = ((1, 2), (3, 5), (6, 10), (11, None))  # message length in words
# CLINC150 and HWU64 have no answers. Their placeholder has no words: the matcher reads answer
# text as evidence, so "(CLINC150 intent translate)" would hand it the label (and words shared
# by every entry); when this was written, it moved HWU64 5/intent answered correctly 61.5 -> 49.8.
PLACEHOLDER = "-"
INVALID_ID_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]")

# Published few-shot in-scope accuracy on the test split, no out-of-scope (the READMEs).
PUBLISHED: dict[str, list[tuple[str, float]]] = {
    "clinc5": [
        ("RoBERTa+classifier", 87.99),
        ("USE+ConveRT", 90.49),
        ("DNNC", 91.02),
        ("CPFT", 92.34),
    ],
    "clinc10": [
        ("RoBERTa+classifier", 91.55),
        ("USE+ConveRT", 93.26),
        ("DNNC", 93.76),
        ("CPFT", 94.18),
    ],
    "hwu5": [
        ("RoBERTa+classifier", 75.56),
        ("USE+ConveRT", 80.01),
        ("DNNC", 80.46),
        ("CPFT", 82.03),
        ("ICDA", 82.45),
    ],
    "hwu10": [
        ("RoBERTa+classifier", 82.90),
        ("USE+ConveRT", 85.83),
        ("DNNC", 84.72),
        ("CPFT", 87.13),
        ("ICDA", 87.41),
    ],
}
NO_PUBLISHED = {
    "hwu_full": "the HWU64 README gives few-shot figures only",
    "stackfaq": "the StackFAQ README gives no published figures",
}
CITATIONS = (
    "CLINC150: Larson et al., 'An Evaluation Dataset for Intent Classification and Out-of-Scope "
    "Prediction', EMNLP-IJCNLP 2019 (CC BY 3.0). HWU64: Liu, Eshghi, Swietojanski, Rieser, "
    "'Benchmarking Natural Language Understanding Services for building Conversational Agents', "
    "IWSDS 2019 (CC BY 4.0). StackFAQ: Karan, Snajder, 'Paraphrase-focused learning to rank for "
    "domain-specific frequently asked questions retrieval', Expert Systems with Applications 91 "
    "(2018); StackExchange content CC BY-SA, JSON form from ML-Recipes/BERT-FAQ (MIT)."
)


@dataclass(frozen=True)
class Dataset:
    """One knowledge base and the questions asked of it."""

    name: str
    title: str
    stored: list[tuple[str, str]]  # (question, label) pairs: the knowledge base
    asked: list[tuple[str, str]]  # (question, label) pairs; label `oos` for out of scope
    answers: dict[str, str] | None  # real answer texts, or None for placeholders
    warmup: list[str]  # questions outside the evaluation set

    @property
    def has_oos(self) -> bool:
        return any(label == OOS for _, label in self.asked)


@dataclass(frozen=True)
class Asked:
    """What one system gave for one question."""

    text: str
    truth: str
    got: str | None
    score: float
    rank: int | None  # 1-based rank of the right intent among the first LIMIT, if there


def read_tsv(path: Path, label_column: str) -> list[tuple[str, str]]:
    """A TSV file with a header `text<TAB>label_column` (CSV quoting, as StackFAQ's dev.tsv)."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    return [(row["text"], row[label_column]) for row in rows]


def clinc(data: Path, name: str, train: str, title: str) -> Dataset:
    folder = data / "clinc150"
    asked = read_pairs(folder / "val.json") + read_pairs(folder / "oos_val.json")
    warmup = [text for text, _ in read_pairs(folder / "oos_train.json")][:WARMUP]
    return Dataset(name, title, read_pairs(folder / train), asked, None, warmup)


def hwu(data: Path, name: str, train: str, title: str) -> Dataset:
    folder = data / "hwu64"
    stored = read_tsv(folder / train, "intent")
    asked = read_tsv(folder / "dev.tsv", "intent")
    return Dataset(name, title, stored, asked, None, [text for text, _ in stored[::37]][:WARMUP])


def stackfaq(data: Path, name: str, title: str) -> Dataset:
    folder = data / "stackfaq"
    faqs = json.loads((folder / "faqs.json").read_text("utf-8"))
    stored = [(faq["question"], faq["id"]) for faq in faqs]
    answers = {faq["id"]: faq["answer"] for faq in faqs}
    asked = read_tsv(folder / "dev.tsv", "faq")
    return Dataset(name, title, stored, asked, answers, [text for text, _ in stored][:WARMUP])


SETS: dict[str, Callable[[Path], Dataset]] = {
    "clinc5": lambda data: clinc(data, "clinc5", "train_5.json", "CLINC150 5/intent"),
    "clinc10": lambda data: clinc(data, "clinc10", "train_10.json", "CLINC150 10/intent"),
    "hwu5": lambda data: hwu(data, "hwu5", "train_5.tsv", "HWU64 5/intent"),
    "hwu10": lambda data: hwu(data, "hwu10", "train_10.tsv", "HWU64 10/intent"),
    "hwu_full": lambda data: hwu(data, "hwu_full", "train.tsv", "HWU64 full train"),
    "stackfaq": lambda data: stackfaq(data, "stackfaq", "StackFAQ 1/entry"),
}


def intent_ids(labels: Sequence[str]) -> dict[str, str]:
    """A valid, unique intent id for every label (the label itself whenever it is valid)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for label in labels:
        base = INVALID_ID_CHARACTERS.sub("_", label) or "intent"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}.{number}"
        ids[label] = candidate
        taken.add(candidate)
    return ids


def write_knowledge_base(dataset: Dataset, folder: Path) -> tuple[Path, dict[str, str], int]:
    """Write the knowledge base as an intent file in our YAML format.

    Returns its path, the label of every intent id, and how many questions were written. Texts
    are written as they are: the loader strips them itself."""
    questions: dict[str, list[str]] = {}
    for text, label in dataset.stored:
        questions.setdefault(label, []).append(text)
    ids = intent_ids(list(questions))
    intents = []
    for label, texts in questions.items():
        answer = PLACEHOLDER if dataset.answers is None else dataset.answers[label]
        intents.append({"id": ids[label], "questions": texts, "answer": answer})
    path = folder / f"{dataset.name}.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(
        yaml.dump(
            {"intents": intents},
            Dumper=dumper,
            allow_unicode=True,
            sort_keys=False,
            width=1000,
        ),
        encoding="utf-8",
    )
    return (
        path,
        {ids[label]: label for label in questions},
        sum(map(len, questions.values())),
    )


def ask_all(
    predict: Callable[[str, str], tuple[str | None, float, int | None]],
    asked: Sequence[tuple[str, str]],
    warmup: Sequence[str],
) -> tuple[list[Asked], list[float]]:
    """Ask every question once, timing each call (milliseconds), after a warm-up."""
    for text in warmup:
        predict(text, "")
    results, latencies = [], []
    clock = time.perf_counter
    for text, truth in asked:
        start = clock()
        got, score, rank = predict(text, truth)
        latencies.append(1000.0 * (clock() - start))
        results.append(Asked(text, truth, got, score, rank))
    return results, latencies


def share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def figures(results: Sequence[Asked], threshold: float | None) -> dict[str, Any]:
    """Top-1, answered correctly, oos recall and overall accuracy at `threshold` (None: no
    cutoff), and MRR@5 when ranks are known."""
    cutoff = 0.0 if threshold is None else threshold
    in_scope = [result for result in results if result.truth != OOS]
    oos = [result for result in results if result.truth == OOS]
    top1 = sum(result.got == result.truth for result in in_scope)
    answered = sum(result.got == result.truth and result.score >= cutoff for result in in_scope)
    rejected = sum(result.got is None or result.score < cutoff for result in oos)
    ranked = all(result.rank is not None or result.got != result.truth for result in in_scope)
    return {
        "threshold": threshold,
        "in_scope_questions": len(in_scope),
        "oos_questions": len(oos),
        "top1": share(top1, len(in_scope)),
        "answered_correctly": share(answered, len(in_scope)),
        "oos_recall": share(rejected, len(oos)),
        "overall": share(answered + rejected, len(results)),
        "mrr5": (
            sum(1.0 / result.rank for result in in_scope if result.rank) / len(in_scope)
            if ranked and in_scope
            else None
        ),
    }


def best_threshold(results: Sequence[Asked]) -> dict[str, float]:
    """The threshold with the best overall accuracy (benchmarks/clinc150.py's `tuned`)."""
    best = tuned([(result.got, result.score) for result in results], [r.truth for r in results])
    return {
        "threshold": best.threshold,
        "in_scope": best.in_scope,
        "oos_recall": best.oos_recall,
        "overall": best.accuracy,
    }


def bucket_name(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def diagnostics(results: Sequence[Asked], threshold: float) -> list[dict[str, Any]]:
    """Figures by message length in words, and an `all` row."""
    rows = []
    for low, high in (*BUCKETS, (0, None)):
        chosen = [
            result
            for result in results
            if low <= len(result.text.split())
            and (high is None or len(result.text.split()) <= high)
        ]
        in_scope = [result for result in chosen if result.truth != OOS]
        oos = [result for result in chosen if result.truth == OOS]
        fell_back = [
            result for result in in_scope if result.got is None or result.score < threshold
        ]
        right = sum(result.got == result.truth for result in in_scope)
        rows.append(
            {
                "words": "all" if low == 0 else bucket_name(low, high),
                "in_scope": len(in_scope),
                "top1": share(right, len(in_scope)),
                "answered_correctly": share(
                    sum(
                        result.got == result.truth and result.score >= threshold
                        for result in in_scope
                    ),
                    len(in_scope),
                ),
                "fell_back": share(len(fell_back), len(in_scope)),
                "fell_back_right_first": share(
                    sum(result.got == result.truth for result in fell_back),
                    len(fell_back),
                ),
                "oos": len(oos),
                "oos_accepted": share(
                    sum(result.got is not None and result.score >= threshold for result in oos),
                    len(oos),
                ),
            }
        )
    return rows


def failures(results: Sequence[Asked], threshold: float, count: int) -> list[dict[str, Any]]:
    """Up to `count` failed questions, picked at random (seeded) and kept in file order."""
    found = []
    for result in results:
        accepted = result.got is not None and result.score >= threshold
        if result.truth == OOS:
            why = "oos accepted" if accepted else None
        elif result.got != result.truth:
            why = "wrong intent" if accepted else "fell back, wrong first"
        else:
            why = None if accepted else "fell back, right first"
        if why is not None:
            found.append((result, why))
    picked = sorted(random.Random(0).sample(range(len(found)), min(count, len(found))))
    return [
        {
            "question": found[index][0].text,
            "expected": found[index][0].truth,
            "got": found[index][0].got,
            "score": found[index][0].score,
            "expected_rank": found[index][0].rank,
            "why": found[index][1],
        }
        for index in picked
    ]


def run_set(dataset: Dataset, baseline: bool, errors: int) -> dict[str, Any]:
    """Load the knowledge base as a user would, ask every question; all figures for one set."""
    notes: list[str] = []
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path, labels, written = write_knowledge_base(dataset, Path(folder))
        timings["write_s"] = time.perf_counter() - start
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            try:
                knowledge = load_intents(path)
            except ChatbotError as error:
                raise SystemExit(
                    f"{dataset.name}: load_intents refused the converted knowledge base: {error}"
                ) from None
            timings["load_s"] = time.perf_counter() - start
            start = time.perf_counter()
            matcher = Matcher(knowledge)
            timings["build_s"] = time.perf_counter() - start
            start = time.perf_counter()
            threshold = matcher.threshold  # calibrated on first use
            timings["calibrate_s"] = time.perf_counter() - start
        notes.extend(f"{dataset.name}: warning: {warning.message}" for warning in caught)
    stored = sum(len(intent.questions) for intent in knowledge)
    if len(knowledge) != len(labels) or stored != written:
        notes.append(
            f"{dataset.name}: wrote {len(labels)} intents / {written} questions, loaded "
            f"{len(knowledge)} / {stored}"
        )
    wanted = {label for _, label in dataset.asked if label != OOS}
    missing = wanted - set(labels.values())
    if missing:
        notes.append(
            f"{dataset.name}: {len(missing)} asked labels have no entry: {sorted(missing)}"
        )

    def ours(text: str, truth: str) -> tuple[str | None, float, int | None]:
        ranked = matcher.rank(text, limit=LIMIT)
        ids = [labels[match.intent.id] for match in ranked]
        rank = ids.index(truth) + 1 if truth in ids else None
        return (ids[0], ranked[0].score, rank) if ranked else (None, 0.0, None)

    results, latencies = ask_all(ours, dataset.asked, dataset.warmup)
    row: dict[str, Any] = {
        "name": dataset.name,
        "title": dataset.title,
        "intents": len(knowledge),
        "stored_questions": stored,
        "written": {"intents": len(labels), "questions": written},
        "asked": len(dataset.asked),
        "threshold_source": matcher.threshold_source,
        **figures(results, threshold),
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "timings": timings,
        "best": best_threshold(results) if dataset.has_oos else None,
        "diagnostics": diagnostics(results, threshold),
        "failures": failures(results, threshold, errors) if errors else [],
        "notes": notes,
    }

    if baseline:
        examples = [text for text, _ in dataset.stored]
        example_labels = [label for _, label in dataset.stored]

        def nearest(text: str, truth: str) -> tuple[str | None, float, int | None]:
            best = process.extractOne(
                text,
                examples,
                scorer=fuzz.token_sort_ratio,
                processor=utils.default_process,
            )
            if not best:
                return None, 0.0, None
            label = example_labels[best[2]]
            return label, best[1], 1 if label == truth else None

        base_results, base_latencies = ask_all(nearest, dataset.asked, dataset.warmup[:10])
        best = best_threshold(base_results) if dataset.has_oos else None
        base = figures(base_results, best["threshold"] if best else None)
        base["mrr5"] = None  # extractOne gives one candidate: no ranking to score
        row["baseline"] = {
            **base,
            "best": best,
            "p50_ms": percentile(base_latencies, 0.5),
            "p99_ms": percentile(base_latencies, 0.99),
        }
    return row


def cell(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def escaped(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def print_tables(rows: Sequence[dict[str, Any]], errors: int) -> None:
    print(
        "| knowledge base | system | intents | stored questions | questions asked | top-1 % "
        "| answered correctly % | oos recall % | overall % | MRR@5 | threshold "
        "| best threshold: in-scope / oos recall / overall % | p50 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        best = row["best"]
        print(
            f"| {row['title']} | chatbot | {row['intents']} | {row['stored_questions']} "
            f"| {row['asked']} | {cell(row['top1'])} | {cell(row['answered_correctly'])} "
            f"| {cell(row['oos_recall'])} | {cell(row['overall'])} | {cell(row['mrr5'], 3)} "
            f"| {row['threshold']:.1f} ({row['threshold_source']}) "
            f"| {best_cell(best)} | {row['p50_ms']:.3f} |"
        )
        base = row.get("baseline")
        if base is not None:
            threshold = "none" if base["threshold"] is None else f"{base['threshold']:.1f} (tuned)"
            print(
                f"| {row['title']} | rapidfuzz baseline | {row['intents']} "
                f"| {row['stored_questions']} | {row['asked']} | {cell(base['top1'])} "
                f"| {cell(base['answered_correctly'])} | {cell(base['oos_recall'])} "
                f"| {cell(base['overall'])} | | {threshold} | {best_cell(base['best'])} "
                f"| {base['p50_ms']:.3f} |"
            )
    print(
        "\nTop-1: best-ranked intent right, no threshold. Answered correctly: best intent right "
        "and score >= the threshold, as % of in-scope questions. Overall: out-of-scope as one more "
        "class. Figures in a row are at the threshold in its 'threshold' column (the one in force "
        "for the knowledge base; for the baseline with out-of-scope questions, its own best one). "
        "Without out-of-scope questions the best threshold is trivially 0, where answered "
        "correctly = top-1, so it is left out. Baseline: rapidfuzz process.extractOne, "
        "fuzz.token_sort_ratio, utils.default_process, no cutoff."
    )

    print("\n| knowledge base | system | in-scope accuracy % | split |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        published = PUBLISHED.get(row["name"], [])
        for system, value in published:
            print(f"| {row['title']} | {system} (published) | {value:.2f} | test |")
        split = "val" if row["name"].startswith("clinc") else "dev"
        print(f"| {row['title']} | chatbot, top-1 (no threshold) | {cell(row['top1'])} | {split} |")
        print(
            f"| {row['title']} | chatbot, answered correctly at {row['threshold']:.1f} "
            f"| {cell(row['answered_correctly'])} | {split} |"
        )
        if "baseline" in row:
            print(
                f"| {row['title']} | rapidfuzz baseline, top-1 | {cell(row['baseline']['top1'])} "
                f"| {split} |"
            )
        if not published:
            print(f"| {row['title']} | no published figures ({NO_PUBLISHED[row['name']]}) | | |")
    print(
        "\nPublished figures: in-scope accuracy on the full test split, fine-tuned or pre-trained "
        "encoders, out-of-scope questions left out (compare top-1). Ours: CLINC150 val.json "
        "(in-scope), HWU64 dev.tsv (half of the test split) and StackFAQ dev.tsv (half of the "
        f"rephrasings); the rest is kept for independent checks.\nData: {CITATIONS}"
    )

    print(
        "\n| knowledge base | words | in-scope asked | top-1 % | answered correctly % "
        "| fell back % | fell back, right first % | oos asked | oos accepted % |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        for line in row["diagnostics"]:
            oos = line["oos"] if row["oos_questions"] else ""
            print(
                f"| {row['title']} | {line['words']} | {line['in_scope']} | {cell(line['top1'])} "
                f"| {cell(line['answered_correctly'])} | {cell(line['fell_back'])} "
                f"| {cell(line['fell_back_right_first'])} | {oos} "
                f"| {cell(line['oos_accepted'])} |"
            )
    print(
        "\nAt the threshold in force. Fell back: in-scope questions whose best score is below the "
        "threshold (% of in-scope); right first: of those, the share whose right intent was "
        "nevertheless ranked first (answers a lower threshold would win back)."
    )

    if errors:
        print("\n| knowledge base | question | expected | got | score | expected rank | failure |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in rows:
            for failure in row["failures"]:
                print(
                    f"| {row['title']} | {escaped(failure['question'])} | {failure['expected']} "
                    f"| {failure['got']} | {failure['score']:.1f} "
                    f"| {failure['expected_rank'] or '-'} | {failure['why']} |"
                )


def best_cell(best: dict[str, float] | None) -> str:
    if best is None:
        return "-"
    return (
        f"{best['threshold']:.1f}: {best['in_scope']:.1f} / {best['oos_recall']:.1f} "
        f"/ {best['overall']:.1f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with clinc150/, hwu64/, stackfaq/",
    )
    parser.add_argument(
        "--sets",
        default=",".join(SETS),
        help=f"comma-separated sets to run (default: all of {','.join(SETS)})",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz baseline")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="print N example failures per set",
    )
    add_output_options(parser)
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = [name for name in names if name not in SETS]
    if unknown or not names:
        parser.error(f"unknown sets {unknown}; choose from {', '.join(SETS)}")
    if args.errors < 0:
        parser.error("--errors must be 0 or more")
    with recorded(args.output, args.note):
        return run(args, names)


def run(args: argparse.Namespace, names: Sequence[str]) -> int:
    """Run the sets `names` and print the tables (and write the JSON file if asked)."""
    started = time.perf_counter()

    rows = [run_set(SETS[name](args.data), not args.no_baseline, args.errors) for name in names]
    print_tables(rows, args.errors)
    print()
    for row in rows:
        timings = row["timings"]
        print(
            f"{row['title']}: wrote {row['written']['intents']} intents / "
            f"{row['written']['questions']} questions; load {timings['load_s']:.2f} s, build "
            f"{timings['build_s']:.2f} s, threshold ({row['threshold_source']}) "
            f"{timings['calibrate_s']:.2f} s"
        )
        for note in row["notes"]:
            print(f"note: {note}")
    wall = time.perf_counter() - started
    print(f"\nWall time: {wall:.1f} s")
    if args.json:
        document = {
            "data": str(args.data),
            "wall_s": wall,
            "sets": rows,
            "published": PUBLISHED,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
