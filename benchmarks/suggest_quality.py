"""How well `chatbot suggest` sorts a log for a curator: new topics gathered, known ones proposed.

The knowledge base is CLINC150 `train_10` with a share of its intents left out; the log is what
a bot on it would log (fallbacks and answers within 10 points of the threshold, as
`--log-unanswered` does) when asked every CLINC150 `val` question. Questions of the left-out
intents are new topics: a curator wants each such topic in as few groups as possible, and
each group about one topic. Questions of the known intents want the right proposal.

Printed: how many groups the curator reads; for the known intents' logged questions, the
share whose group proposes their own intent, another one, or none; for the new topics' ones,
the share in groups without a proposal ("no intent comes close", as a curator would want) or
with one (misleading); the share of proposed questions whose proposal is right; and for the
groups without a proposal, how many hold each new topic that is in any (1 is ideal) and their
purity (the share of their questions of their most common intent: 100 when no group mixes
topics).

Data: Larson et al. 2019, "An Evaluation Dataset for Intent Classification and Out-of-Scope
Prediction" (CC BY 3.0).

Usage: python benchmarks/suggest_quality.py [--data FOLDER] [--left-out 0.33] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.results import add_output_options, recorded  # noqa: E402
from chatbot import Intent, KnowledgeBase, Matcher  # noqa: E402
from chatbot.curation.unanswered import BORDERLINE_MARGIN, LoggedQuestion, suggest  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "clinc150"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CLINC150 folder")
    parser.add_argument(
        "--left-out", type=float, default=0.33, help="share of intents left out (new topics)"
    )
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        return run(args)


def run(args: argparse.Namespace) -> int:
    train = json.loads((args.data / "train_10.json").read_text("utf-8"))
    val = json.loads((args.data / "val.json").read_text("utf-8"))
    by_label: dict[str, list[str]] = {}
    for text, label in train:
        by_label.setdefault(label, []).append(text)
    labels = sorted(by_label)
    rng = random.Random(0)
    left_out = set(rng.sample(labels, round(args.left_out * len(labels))))
    knowledge = KnowledgeBase(
        [
            Intent(id=label, questions=tuple(dict.fromkeys(by_label[label])), answer="-")
            for label in labels
            if label not in left_out
        ]
    )
    matcher = Matcher(knowledge)
    logged: list[tuple[str, str]] = []
    for text, label in val:
        best = matcher.rank(text, limit=1)
        if not best or best[0].score < matcher.threshold + BORDERLINE_MARGIN:
            logged.append((text, label))
    truth = {text: label for text, label in logged}
    entries = [
        LoggedQuestion(text, None, 0.0, "", line) for line, (text, _) in enumerate(logged, 1)
    ]
    groups = suggest(entries, matcher)

    # Per logged question (counted as often as it was logged): known or new topic, and whether
    # its group proposes its own intent, another one, or none.
    outcomes: Counter[tuple[str, str]] = Counter()
    topic_groups: Counter[str] = Counter()
    pure = unproposed = 0
    for group in groups:
        members = [truth[text] for text, times in group.questions for _ in range(times)]
        for label in members:
            proposal = (
                "none" if group.intent is None else "own" if group.intent == label else "other"
            )
            outcomes["new" if label in left_out else "known", proposal] += 1
        if group.intent is None:
            for label in set(members) & left_out:
                topic_groups[label] += 1
            pure += Counter(members).most_common(1)[0][1]
            unproposed += len(members)
    known = sum(count for (kind, _), count in outcomes.items() if kind == "known")
    new = sum(count for (kind, _), count in outcomes.items() if kind == "new")
    proposed = sum(count for (_, proposal), count in outcomes.items() if proposal != "none")

    def share(count: int, total: int) -> str:
        return f"{100 * count / max(total, 1):.1f}"

    print(
        f"Knowledge base: CLINC150 train_10, {len(knowledge)} intents ({len(left_out)} more left "
        f"out as new topics); log: {len(logged)} of {len(val)} val questions ({new} of new "
        f"topics), threshold {matcher.threshold:g} ({matcher.threshold_source})."
    )
    print()
    print(
        "| groups | known: own intent proposed % | known: another proposed % | known: none % "
        "| new topic: none (flagged) % | new topic: an intent proposed % | proposals right % "
        "| unproposed groups per new topic | purity of unproposed groups % |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {len(groups):,} | {share(outcomes['known', 'own'], known)} "
        f"| {share(outcomes['known', 'other'], known)} | {share(outcomes['known', 'none'], known)} "
        f"| {share(outcomes['new', 'none'], new)} | {share(outcomes['new', 'other'], new)} "
        f"| {share(outcomes['known', 'own'], proposed)} "
        f"| {sum(topic_groups.values()) / max(len(topic_groups), 1):.1f} "
        f"| {share(pure, unproposed)} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
