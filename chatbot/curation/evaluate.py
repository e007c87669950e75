"""Run a suite of test cases through a bot and report accuracy, confusions and thresholds.

Example:
    >>> from chatbot import Bot
    >>> from chatbot.curation.cases import read_cases
    >>> bot = Bot()
    >>> evaluation = evaluate(bot, read_cases("tests/cases/faq.yaml", knowledge=bot.knowledge))
    >>> evaluation.passed, evaluation.total
    (137, 137)
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatbot.curation.cases import Case, Suite
from chatbot.render import clean

if TYPE_CHECKING:
    from chatbot.bot import Bot
    from chatbot.dialogue.replies import Reply

# The thresholds a sweep tries: 0 to 100 in steps of 5.
SWEEP_THRESHOLDS = tuple(range(0, 101, 5))
# How many of the most frequent (expected, got) confusions a report lists.
CONFUSED_PAIRS = 5


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one case.

    Attributes:
        case: the case asked.
        got: the intent answered, or None when the bot fell back.
        score: the reply's score.
        best: the best-ranked intent whatever the threshold (None when nothing shared a word).
        best_score: its score; with `best`, what a sweep needs to try other thresholds.
        kind: the kind of reply (answer, fallback, more, why, clarify).
        context_used: whether context decided the reply.
        choices: for a clarification, the intents it offered to choose from.
    """

    case: Case
    got: str | None
    score: float
    best: str | None
    best_score: float
    kind: str = "answer"
    context_used: bool = False
    choices: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether the bot did what the case expects."""
        return (
            self.got == self.case.intent
            and self.case.kind in (None, self.kind)
            and self.case.context in (None, self.context_used)
        )


@dataclass(frozen=True)
class Clarifications:
    """How the single-question cases fared with "Did you mean A or B?".

    Attributes:
        questions: single-question cases asked.
        asked: how many got a clarification instead of an answer or a fallback.
        right_among_choices: of those, in-scope cases whose right intent was a choice (a right
            answer turned into a question).
        out_of_scope: of those, out-of-scope cases (they should have fallen back).
    """

    questions: int
    asked: int
    right_among_choices: int
    out_of_scope: int


@dataclass(frozen=True)
class SweepPoint:
    """Accuracy of the single-question cases if the bot fell back below `threshold`."""

    threshold: float
    accuracy: float
    in_scope_accuracy: float | None
    out_of_scope_recall: float | None


def _outcome(case: Case, reply: Reply) -> Outcome:
    best: str | None
    if reply.intent is not None:
        best, best_score = reply.intent, reply.score
    else:
        # A fallback reports what came closest among its alternatives, best first.
        closest = reply.alternatives[0] if reply.alternatives else None
        best, best_score = (closest.intent, closest.score) if closest else (None, 0.0)
    choices = reply.offered if reply.kind == "clarify" else ()
    return Outcome(
        case, reply.intent, reply.score, best, best_score, reply.kind, reply.context_used, choices
    )


def run_cases(bot: Bot, suite: Suite) -> Iterator[Outcome]:
    """Ask every case, yielding outcomes one by one (so a front end can show progress).

    Single cases each get a fresh conversation; each conversation's turns share one.
    """
    for case in suite.cases:
        yield _outcome(case, bot.conversation().ask(case.question))
    for turns in suite.conversations:
        conversation = bot.conversation()
        for case in turns:
            yield _outcome(case, conversation.ask(case.question))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Evaluation:
    """The outcomes of a suite, with the figures a curator reads.

    Attributes:
        outcomes: one per case, in suite order.
        threshold: the bot's threshold during the run.
        threshold_source: where it came from ("calibrated", "settings", "argument").
    """

    outcomes: tuple[Outcome, ...]
    threshold: float
    threshold_source: str = "argument"

    def clarifications(self) -> Clarifications:
        """How often the single-question cases were asked back "Did you mean A or B?"."""
        single = [o for o in self.outcomes if o.case.conversation is None]
        asked = [o for o in single if o.kind == "clarify"]
        return Clarifications(
            questions=len(single),
            asked=len(asked),
            right_among_choices=sum(
                o.case.intent is not None and o.case.intent in o.choices for o in asked
            ),
            out_of_scope=sum(o.case.intent is None for o in asked),
        )

    @property
    def total(self) -> int:
        """How many cases ran."""
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        """How many cases got what they expected."""
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def accuracy(self) -> float:
        """Passed over total (1.0 for an empty run)."""
        return self.passed / self.total if self.total else 1.0

    @property
    def failures(self) -> list[Outcome]:
        """The outcomes that did not get what they expected."""
        return [outcome for outcome in self.outcomes if not outcome.passed]

    @property
    def out_of_scope(self) -> list[Outcome]:
        """The outcomes of cases that must fall back."""
        return [outcome for outcome in self.outcomes if outcome.case.intent is None]

    @property
    def out_of_scope_recall(self) -> float | None:
        """The share of must-fall-back cases that fell back (None when there are none)."""
        cases = self.out_of_scope
        return _ratio(sum(outcome.got is None for outcome in cases), len(cases))

    def confused_pairs(
        self, limit: int = CONFUSED_PAIRS
    ) -> list[tuple[str | None, str | None, int]]:
        """The most frequent (expected, got, count) among failures; None stands for fallback."""
        counts = Counter(
            (outcome.case.intent, outcome.got)
            for outcome in self.failures
            if outcome.got != outcome.case.intent
        )
        ranked = sorted(
            counts.items(), key=lambda item: (-item[1], _name(item[0][0]), _name(item[0][1]))
        )
        return [(expected, got, count) for (expected, got), count in ranked[:limit]]

    def sweep(self, thresholds: Iterable[float] = SWEEP_THRESHOLDS) -> list[SweepPoint]:
        """Accuracy of the single-question cases at each threshold, from the scores of one run.

        Conversation turns are left out: their context depends on what earlier turns
        answered, which a different threshold would change.
        """
        single = [outcome for outcome in self.outcomes if outcome.case.conversation is None]
        points = []
        for threshold in thresholds:
            right = in_scope = in_right = out_right = 0
            for outcome in single:
                got = outcome.best if outcome.best_score >= threshold else None
                correct = got == outcome.case.intent
                right += correct
                if outcome.case.intent is None:
                    out_right += correct
                else:
                    in_scope += 1
                    in_right += correct
            points.append(
                SweepPoint(
                    threshold=float(threshold),
                    accuracy=right / len(single) if single else 1.0,
                    in_scope_accuracy=_ratio(in_right, in_scope),
                    out_of_scope_recall=_ratio(out_right, len(single) - in_scope),
                )
            )
        return points

    def best_threshold(self, points: Sequence[SweepPoint]) -> SweepPoint | None:
        """The most accurate point; among ties, the one nearest the current threshold."""
        if not points:
            return None
        return min(
            points, key=lambda point: (-point.accuracy, abs(point.threshold - self.threshold))
        )

    def to_json(self, *, sweep: bool = False) -> dict[str, Any]:
        """The evaluation as the JSON object printed by `chatbot eval --json`."""
        data: dict[str, Any] = {
            "passed": self.passed,
            "total": self.total,
            "accuracy": round(self.accuracy, 4),
            "out_of_scope_recall": _rounded(self.out_of_scope_recall),
            "threshold": self.threshold,
            "threshold_source": self.threshold_source,
            "clarifications": dataclasses.asdict(self.clarifications()),
            "failures": [
                {
                    "path": outcome.case.path,
                    "line": outcome.case.line,
                    "case": outcome.case.label,
                    "question": outcome.case.question,
                    "expected": outcome.case.intent,
                    "got": outcome.got,
                    "score": round(outcome.score, 2),
                }
                for outcome in self.failures
            ],
            "confused": [
                {"expected": expected, "got": got, "count": count}
                for expected, got, count in self.confused_pairs()
            ],
        }
        if sweep:
            points = self.sweep()
            best = self.best_threshold(points)
            data["sweep"] = [
                {
                    "threshold": point.threshold,
                    "accuracy": round(point.accuracy, 4),
                    "in_scope_accuracy": _rounded(point.in_scope_accuracy),
                    "out_of_scope_recall": _rounded(point.out_of_scope_recall),
                }
                for point in points
            ]
            data["best_threshold"] = best.threshold if best else None
        return data


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def evaluate(bot: Bot, suite: Suite) -> Evaluation:
    """Run every case of the suite and gather the outcomes."""
    matcher = bot.matcher
    return Evaluation(tuple(run_cases(bot, suite)), matcher.threshold, matcher.threshold_source)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _name(intent: str | None) -> str:
    return "(fallback)" if intent is None else intent


def format_evaluation(evaluation: Evaluation, *, sweep: bool = False) -> list[str]:
    """The report printed by `chatbot eval`: failures, confusions, an optional sweep, a summary."""
    lines: list[str] = []
    if evaluation.failures:
        lines.append("Failed:")
        for outcome in evaluation.failures:
            got = _name(outcome.got)
            if outcome.got is None and outcome.best is not None:
                got += f", closest {outcome.best}"
            lines.append(f"  {outcome.case.location}: {clean(outcome.case.question)!r}")
            wanted = _name(outcome.case.intent)
            if outcome.case.kind not in (None, outcome.kind):
                wanted += f" as {outcome.case.kind}"
                got += f" as {outcome.kind}"
            if outcome.case.context not in (None, outcome.context_used):
                wanted += " with context" if outcome.case.context else " without context"
                got += " with context" if outcome.context_used else " without context"
            lines.append(f"    expected {wanted}, got {got} ({outcome.score:.1f})")
        lines.append("")
        lines.append("Most confused (expected -> got):")
        for expected, actual, count in evaluation.confused_pairs():
            lines.append(f"  {count:>3}  {_name(expected)} -> {_name(actual)}")
        lines.append("")
    if sweep:
        points = evaluation.sweep()
        single = sum(outcome.case.conversation is None for outcome in evaluation.outcomes)
        lines.append(f"Threshold sweep over {single} single-question cases:")
        lines.append("  threshold  accuracy  in scope  out of scope")
        for point in points:
            lines.append(
                f"  {point.threshold:>9.0f}  {_percent(point.accuracy):>8}  "
                f"{_percent(point.in_scope_accuracy):>8}  "
                f"{_percent(point.out_of_scope_recall):>12}"
            )
        best = evaluation.best_threshold(points)
        if best is not None:
            lines.append(
                f"  best: {best.threshold:.0f} (accuracy {_percent(best.accuracy)}); "
                f"current: {evaluation.threshold:g}"
            )
        lines.append("")
    asked = evaluation.clarifications()
    lines.append(
        f"clarified {asked.asked} of {asked.questions} single questions "
        f"({asked.right_among_choices} with the right answer among the choices, "
        f"{asked.out_of_scope} out of scope)"
    )
    recall = evaluation.out_of_scope_recall
    oos = evaluation.out_of_scope
    lines.append(
        f"passed {evaluation.passed}/{evaluation.total} "
        f"(accuracy {_percent(evaluation.accuracy)} at threshold {evaluation.threshold:g}, "
        f"{evaluation.threshold_source}); "
        f"out-of-scope recall {_percent(recall)}"
        + (f" ({sum(o.got is None for o in oos)}/{len(oos)})" if oos else "")
    )
    return lines
