"""Check intent files for curators: every load error, plus warnings about questions that collide.

Errors are what the loader rejects (YAML and schema mistakes, duplicate ids): the bot will not
start with them. Warnings are files the bot accepts but a curator would want to fix:

- the same question (after normalisation) in two intents, or nearly the same one: another
  intent scores within `NEAR_MARGIN` points of the question's own intent;
- confusable intents: left out of the knowledge base, at least `CONFUSABLE_SHARE` of an
  intent's questions (and at least two) are answered by one other intent instead;
- follow-ups that name no intent, and slots that name an undeclared entity or value;
- intents with fewer than `MIN_QUESTIONS` questions whose questions, each left out in turn,
  the bot no longer answers with them (one wording and a good answer is often enough: an entry
  is only flagged when the self-test shows it is not);
- empty answers, and answers longer than `MAX_ANSWER_CHARS` characters.

Example:
    >>> report = check_intents("intents/")
    >>> report.errors, report.warnings
    ([], [])
    >>> report.summary()
    '0 errors, 0 warnings in 29 intents, 343 questions (2 files); threshold 30.9 (calibrated)'
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Union

from chatbot.curation.parallel import chunks, run_jobs
from chatbot.intents import Intent, KnowledgeBase
from chatbot.loading.loader import read_intents
from chatbot.loading.located import did_you_mean
from chatbot.matching.index import shared_analysis
from chatbot.matching.matcher import Match, Matcher
from chatbot.matching.text import normalize
from chatbot.policy import DEFAULT_THRESHOLD

PathLike = Union[str, "os.PathLike[str]"]

# With fewer wordings than this an intent leans on each one; it is flagged when one of them,
# left out, is no longer answered by it (its other wordings and its answer do not reach it).
MIN_QUESTIONS = 3
# Longer answers stop reading like a chat reply (about 200 words); details belong in `more`.
MAX_ANSWER_CHARS = 1200
# Another intent within this many points of a question's own intent answers it just as well.
# Scores are chances of a right answer, which two related intents share: on the bundled FAQ,
# questions of distinct but related entries ("is an llm a type of generative ai", "is generative
# ai the same as an llm") stay 3 to 5 points apart.
NEAR_MARGIN = 3.0
# A confusable pair is reported when at least this share of an intent's questions, each left
# out in turn, go to the same other intent (and at least CONFUSABLE_MIN of them do).
CONFUSABLE_SHARE = 0.25
CONFUSABLE_MIN = 2
# Knowledge bases with fewer questions are checked in one process (see `lint`).
PARALLEL_QUESTIONS = 2000
# The questions are cut into this many runs per worker, so that the workers finish together,
# and into at least this many when progress is shown, so that it moves.
RUNS_PER_WORKER = 4
PROGRESS_RUNS = 50

# Told how many questions the self-test has asked, and how many there are.
Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class Finding:
    """One problem found in the intent files.

    Attributes:
        level: "error" (the bot refuses the files) or "warning" (accepted, but worth fixing).
        path: the file, or None for intents not read from a file.
        line: 1-based line, or None when unknown.
        intent: the id of the intent concerned, or None.
        message: what is wrong, without the location.
    """

    level: str
    path: str | None
    line: int | None
    intent: str | None
    message: str

    def __str__(self) -> str:
        """`file:line: intent 'id': message`, with `warning:` after the location for warnings."""
        where = ""
        if self.path is not None:
            where = (self.path if self.line is None else f"{self.path}:{self.line}") + ": "
        label = "" if self.level == "error" else f"{self.level}: "
        who = f"intent '{self.intent}': " if self.intent else ""
        return f"{where}{label}{who}{self.message}"

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object: level, path, line, intent, message."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CheckReport:
    """Everything `check_intents` found.

    Attributes:
        findings: errors first (in the order the loader met them), then warnings by place.
        knowledge: the loaded knowledge base, or None when errors kept it from loading.
        threshold: the threshold in force for it, and where that came from (see
            `Matcher.threshold_source`), or None when it did not load.
    """

    findings: tuple[Finding, ...]
    knowledge: KnowledgeBase | None
    threshold: tuple[float, str] | None = None

    @property
    def errors(self) -> list[Finding]:
        """The findings of level "error"."""
        return [finding for finding in self.findings if finding.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings of level "warning"."""
        return [finding for finding in self.findings if finding.level == "warning"]

    def summary(self) -> str:
        """One line: how many errors and warnings, and what was checked."""
        errors, warnings = len(self.errors), len(self.warnings)
        counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        if self.knowledge is None:
            return counts + " (warnings are checked once the files load)"
        questions = sum(len(intent.questions) for intent in self.knowledge)
        line = (
            f"{counts} in {_plural(len(self.knowledge), 'intent')}, "
            f"{_plural(questions, 'question')} ({_plural(len(self.knowledge.sources), 'file')})"
        )
        if self.threshold is not None:
            line += f"; threshold {self.threshold[0]:g} ({self.threshold[1]})"
        return line


@dataclass(frozen=True)
class LeftOut:
    """The self-test's verdict on one question: what answers it when it is left out.

    Attributes:
        intent: the intent the question belongs to.
        question: the stored question.
        match: the best match at or above the threshold without the question, or None.
    """

    intent: Intent
    question: str
    match: Match | None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def check_intents(
    *paths: PathLike | Iterable[PathLike], workers: int = 1, progress: Progress | None = None
) -> CheckReport:
    """Load intent files and report every error, or, when they load, every warning.

    Args:
        *paths: files and folders, as for `load_intents`.
        workers: processes to share the work between on a large knowledge base (see `lint`).
        progress: told how far the self-test has come (see `lint`).

    Returns:
        The report; it never raises for problems in the files.
    """
    result = read_intents(*paths)
    if result.errors or result.knowledge is None:
        errors = tuple(
            Finding("error", error.path, error.line, error.intent, error.reason)
            for error in result.errors
        )
        return CheckReport(errors, None)
    with shared_analysis():
        matcher = Matcher(result.knowledge)
        findings = tuple(
            lint(result.knowledge, matcher=matcher, workers=workers, progress=progress)
        )
        threshold = (matcher.threshold, matcher.threshold_source)
    return CheckReport(findings, result.knowledge, threshold)


def lint(
    knowledge: KnowledgeBase,
    *,
    matcher: Matcher | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[Finding]:
    """The warnings for a knowledge base that loaded, sorted by file, line and message.

    `workers` processes share the self-test and the near-duplicate scan when the knowledge
    base has at least PARALLEL_QUESTIONS questions (below that, starting them costs more than
    it saves); the warnings are the same either way. `progress`, if given, is called with
    how many of the questions have been asked and how many there are, as runs of them are
    done (from 0 to all), which on a large knowledge base takes a while.
    """
    # Calibrating the threshold builds a few indexes of nearly the same questions: each
    # question is analysed once.
    with shared_analysis():
        return _lint(knowledge, matcher, workers, progress)


def _lint(
    knowledge: KnowledgeBase, matcher: Matcher | None, workers: int, progress: Progress | None
) -> list[Finding]:
    if matcher is None:
        matcher = Matcher(knowledge)
    if sum(len(intent.questions) for intent in knowledge) < PARALLEL_QUESTIONS:
        workers = 1
    numbered = _numbered(knowledge)
    same, shared = _same_questions(knowledge)
    # With one intent there is no other for a question to be nearly the same as.
    scanned = [
        len(knowledge.intents) > 1 and (intent.id, question) not in shared
        for intent in knowledge
        for question in intent.questions
    ]
    # Each question is asked twice: left out (the self-test) and as stored (the near-duplicate
    # scan), in runs shared by the workers, while this process calibrates the threshold: the
    # jobs rank, and the threshold is applied here.
    # What every job needs, made before the workers fork rather than in each of them.
    matcher.prepare(left_out=True)
    wanted = workers * RUNS_PER_WORKER if workers > 1 else 1
    if progress is not None:
        wanted = max(wanted, PROGRESS_RUNS)
    runs = chunks(list(range(len(numbered))), max(1, min(wanted, len(numbered))))
    on_result = None
    if progress is not None:
        asked_so_far = 0

        def on_result(_: int, run: _JobResult) -> None:
            nonlocal asked_so_far
            asked_so_far += len(run)
            progress(asked_so_far, len(numbered))

        progress(0, len(numbered))
    results = run_jobs(
        _check_job,
        (knowledge, numbered, scanned, matcher, runs),
        len(runs),
        workers,
        meanwhile=lambda: matcher.threshold,
        on_result=on_result,
    )
    found: dict[int, tuple[str, float, str] | None] = {}
    rankings = []
    for run in results:
        for number, best, ranked in run:
            found[number] = best
            if ranked is not None:
                rankings.append(ranked)
    verdicts = _verdicts(knowledge, numbered, found, matcher.threshold)
    asked = [
        (knowledge.intents[intent_index], knowledge.intents[intent_index].questions[position])
        for (intent_index, position), scan in zip(numbered, scanned, strict=True)
        if scan
    ]
    confusable = list(confusable_warnings(verdicts))
    # An intent already named as confusable needs no second warning about its few wordings.
    named = {finding.intent for finding in confusable}
    findings = [
        *_reference_warnings(knowledge),
        *_size_warnings(knowledge),
        *(finding for finding in _thin_warnings(verdicts) if finding.intent not in named),
        *_duplicate_warnings(knowledge, matcher.threshold, same, asked, rankings),
        *confusable,
    ]
    findings.sort(key=lambda found: (found.path or "", found.line or 0, found.message))
    return findings


# What a job gives for each question of its run: its number, its best match left out, and its
# ranking as stored (if scanned), each match as (intent id, score, question).
_JobResult = list[tuple[int, tuple[str, float, str] | None, list[tuple[str, float, str]] | None]]


def _check_job(
    shared: tuple[KnowledgeBase, list[tuple[int, int]], list[bool], Matcher, list[Sequence[int]]],
    run: int,
) -> _JobResult:
    """One of `lint`'s jobs: for each question of a run (numbered as by `_numbered`), its best
    match when left out, and, if it is `scanned` for near duplicates, its five best matches as
    stored; as plain data, since it may come from another process."""
    knowledge, numbered, scanned, matcher, runs = shared
    results = []
    for number in runs[run]:
        intent_index, position = numbered[number]
        intent = knowledge.intents[intent_index]
        stored, best = matcher.rank_stored(
            intent.id, position, 5 if scanned[number] else 0, left_out=1
        )
        ranked = None
        if scanned[number]:
            ranked = [(match.intent.id, match.score, match.question) for match in stored]
        results.append(
            (number, (best[0].intent.id, best[0].score, best[0].question) if best else None, ranked)
        )
    return results


def _warning(intent: Intent, message: str) -> Finding:
    source = intent.source
    return Finding(
        "warning",
        source.path if source else None,
        source.line if source else None,
        intent.id,
        message,
    )


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    return did_you_mean(name, choices)


def _where(intent: Intent) -> str:
    return f" ({intent.source})" if intent.source else ""


def _reference_warnings(knowledge: KnowledgeBase) -> Iterator[Finding]:
    ids = [intent.id for intent in knowledge]
    for intent in knowledge:
        for follow_up in intent.follow_ups:
            if knowledge.get(follow_up) is None:
                yield _warning(
                    intent,
                    f"follow-up '{follow_up}' is not an intent{_did_you_mean(follow_up, ids)}",
                )
        for entity, value in intent.slots.items():
            values = knowledge.entities.get(entity)
            if values is None:
                yield _warning(
                    intent,
                    f"slot '{entity}' names an entity that no file declares"
                    + _did_you_mean(entity, knowledge.entities),
                )
            elif value not in values:
                yield _warning(
                    intent,
                    f"slot '{entity}: {value}' names a value that entity '{entity}' does not "
                    f"declare{_did_you_mean(value, values)}",
                )


def _thin_warnings(verdicts: list[LeftOut]) -> Iterator[Finding]:
    """Intents with few questions that the self-test shows are not reached without one."""
    by_intent: dict[str, list[LeftOut]] = {}
    for verdict in verdicts:
        by_intent.setdefault(verdict.intent.id, []).append(verdict)
    for group in by_intent.values():
        intent = group[0].intent
        if len(intent.questions) >= MIN_QUESTIONS:
            continue
        missed = [v for v in group if v.match is None or v.match.intent.id != intent.id]
        if not missed:
            continue
        example = missed[0]
        went = (
            f"is answered by '{example.match.intent.id}'"
            if example.match is not None
            else "gets no answer"
        )
        others = (
            "its other wordings and its answer do"
            if len(intent.questions) > 1
            else "its answer does"
        )
        yield _warning(
            intent,
            f"only {_plural(len(intent.questions), 'question')}, and with '{example.question}' "
            f"left out, {others} not reach it (asked, it {went}); add the wordings people "
            "use",
        )


def _size_warnings(knowledge: KnowledgeBase) -> Iterator[Finding]:
    for intent in knowledge:
        if not intent.answer.strip():
            yield _warning(intent, "the answer is empty")
        elif len(intent.answer) > MAX_ANSWER_CHARS:
            yield _warning(
                intent,
                f"the answer is {len(intent.answer)} characters long; keep it within "
                f"{MAX_ANSWER_CHARS} and move details to 'more'",
            )


def _same_questions(
    knowledge: KnowledgeBase,
) -> tuple[list[tuple[Intent, str, Intent, str]], set[tuple[str, str]]]:
    """Questions that two intents have (after normalisation), as (earlier intent and question,
    later intent and question), and every (intent id, question) among them."""
    seen: dict[str, tuple[Intent, str]] = {}
    same: list[tuple[Intent, str, Intent, str]] = []
    shared: set[tuple[str, str]] = set()
    for intent in knowledge:
        for question in intent.questions:
            earlier = seen.setdefault(normalize(question), (intent, question))
            if earlier[0].id != intent.id:
                shared.update({(earlier[0].id, earlier[1]), (intent.id, question)})
                same.append((earlier[0], earlier[1], intent, question))
    return same, shared


def _duplicate_warnings(
    knowledge: KnowledgeBase,
    threshold: float,
    same: list[tuple[Intent, str, Intent, str]],
    asked: list[tuple[Intent, str]],
    rankings: list[list[tuple[str, float, str]]],
) -> Iterator[Finding]:
    """Warnings for the questions two intents share (`same`), then for those (`asked`) whose
    ranking (from `_rank_all`) puts another intent close to their own."""
    position = {intent.id: index for index, intent in enumerate(knowledge.intents)}
    by_id = {intent.id: intent for intent in knowledge}
    reported: set[frozenset[tuple[str, str]]] = set()

    def report(first: Intent, question: str, second: Intent, other: str, how: str) -> Finding:
        # Said at the intent declared later: usually the new entry that caused the clash.
        if position[first.id] > position[second.id]:
            first, question, second, other = second, other, first, question
        reported.add(frozenset({(first.id, question), (second.id, other)}))
        return _warning(
            second,
            f"question '{other}' is {how} '{question}' in intent '{first.id}'{_where(first)}",
        )

    # Questions another intent also has: the one warning about that says it all, so the
    # near misses that follow from it (any rival now scores close) are not listed as well
    # (they are not in `asked`).
    for earlier, earlier_question, intent, question in same:
        yield report(earlier, earlier_question, intent, question, "the same as")
    for (intent, question), ranked in zip(asked, rankings, strict=True):
        own = next((score for intent_id, score, _ in ranked if intent_id == intent.id), 0.0)
        for intent_id, score, other in ranked:
            pair = frozenset({(intent.id, question), (intent_id, other)})
            if (
                intent_id == intent.id
                or score < max(own - NEAR_MARGIN, threshold)
                or pair in reported
            ):
                continue
            found = report(by_id[intent_id], other, intent, question, "nearly the same as")
            yield dataclasses.replace(
                found,
                message=f"{found.message}: asked '{question}', the matcher scores "
                f"'{intent.id}' {own:.1f} and '{intent_id}' {score:.1f}",
            )


def self_test(
    knowledge: KnowledgeBase,
    *,
    folds: int | None = None,
    threshold: float | None = None,
    workers: int = 1,
) -> list[LeftOut]:
    """Leave each question out in turn and see which intent answers it then.

    By default each question is asked of the one matcher as if it were not stored (see
    `Matcher.rank_left_out`), which is what `lint` does. With `folds`, the matcher is rebuilt
    instead, once per fold, without every `folds`-th question (numbered across the knowledge
    base): with `folds` at least the number of questions this is exact leave-one-out, the
    reference `benchmarks/check_selftest.py` measures the default against.

    Args:
        knowledge: the knowledge base to test.
        folds: how many matchers to build, or None for none but the one.
        threshold: the threshold the left-out questions must reach (default: the knowledge
            base's own, calibrated once on the whole of it, not on each reduced copy).
        workers: processes to share the work (see `chatbot.curation.parallel`).

    Returns:
        One verdict per question, in knowledge-base order.
    """
    numbered = _numbered(knowledge)
    found: dict[int, tuple[str, float, str] | None] = {}
    if folds is None:
        matcher = Matcher(knowledge)
        if threshold is None:
            threshold = matcher.threshold
        runs = chunks(list(range(len(numbered))), max(1, min(workers, len(numbered))))
        scanned = [False] * len(numbered)
        for run in run_jobs(
            _check_job, (knowledge, numbered, scanned, matcher, runs), len(runs), workers
        ):
            found.update((number, best) for number, best, _ in run)
        return _verdicts(knowledge, numbered, found, threshold)
    count = max(1, min(folds, len(numbered)))
    if threshold is None:
        threshold = Matcher(knowledge).threshold
    with shared_analysis():
        for results in run_jobs(_fold, (knowledge, numbered, count), count, workers):
            found.update(results)
    return _verdicts(knowledge, numbered, found, threshold)


def _numbered(knowledge: KnowledgeBase) -> list[tuple[int, int]]:
    """Every question as (intent index, question index), in knowledge-base order."""
    return [
        (intent_index, question_index)
        for intent_index, intent in enumerate(knowledge.intents)
        for question_index in range(len(intent.questions))
    ]


def _verdicts(
    knowledge: KnowledgeBase,
    numbered: list[tuple[int, int]],
    found: dict[int, tuple[str, float, str] | None],
    threshold: float,
) -> list[LeftOut]:
    """The self-test's verdicts from each question's best match in its fold (see `_fold`):
    matches below the threshold answer nothing."""
    by_id = {intent.id: intent for intent in knowledge}
    verdicts = []
    for number, (intent_index, question_index) in enumerate(numbered):
        intent = knowledge.intents[intent_index]
        best = found[number]
        match = (
            None
            if best is None or best[1] < threshold
            else Match(by_id[best[0]], best[1], best[2], ())
        )
        verdicts.append(LeftOut(intent, intent.questions[question_index], match))
    return verdicts


def _fold(
    shared: tuple[KnowledgeBase, list[tuple[int, int]], int], fold: int
) -> list[tuple[int, tuple[str, float, str] | None]]:
    """One fold of the self-test: each held-out question's best match, whatever its score, as
    plain data (it may come from another process, and it must not keep the fold's matcher
    alive)."""
    knowledge, numbered, count = shared
    held = {numbered[number] for number in range(fold, len(numbered), count)}
    reduced = knowledge.replace(
        intents=tuple(
            intent.replace(
                questions=tuple(
                    question
                    for question_index, question in enumerate(intent.questions)
                    if (intent_index, question_index) not in held
                ),
            )
            for intent_index, intent in enumerate(knowledge.intents)
        ),
    )
    # Ranking needs no threshold (the verdicts apply it): this one only keeps the matcher from
    # calibrating its own.
    matcher = Matcher(reduced, threshold=DEFAULT_THRESHOLD)
    results: list[tuple[int, tuple[str, float, str] | None]] = []
    for number in range(fold, len(numbered), count):
        intent_index, question_index = numbered[number]
        best = matcher.rank(knowledge.intents[intent_index].questions[question_index], limit=1)
        results.append(
            (number, (best[0].intent.id, best[0].score, best[0].question) if best else None)
        )
    return results


def confusable_warnings(verdicts: list[LeftOut]) -> Iterator[Finding]:
    """Warnings for intents whose left-out questions go to one other intent (see `self_test`).

    A pair confused both ways is one problem, said once: at the intent that loses the larger
    share of its questions to the other (on a tie, the one declared later, usually the new entry
    that caused it).
    """
    by_intent: dict[str, list[LeftOut]] = {}
    for verdict in verdicts:
        by_intent.setdefault(verdict.intent.id, []).append(verdict)
    found: dict[tuple[str, str], tuple[float, int, Finding]] = {}
    for position, group in enumerate(by_intent.values()):
        intent = group[0].intent
        elsewhere = [
            verdict
            for verdict in group
            if verdict.match is not None and verdict.match.intent.id != intent.id
        ]
        counts = Counter(verdict.match.intent.id for verdict in elsewhere if verdict.match)
        for other, count in counts.most_common():
            if count < CONFUSABLE_MIN or count < CONFUSABLE_SHARE * len(group):
                continue
            # The clearest case makes the best example: the one the other intent wins most surely.
            example = max(
                (verdict for verdict in elsewhere if verdict.match is not None),
                key=lambda verdict: (
                    verdict.match is not None and verdict.match.intent.id == other,
                    verdict.match.score if verdict.match is not None else 0.0,
                ),
            )
            assert example.match is not None
            finding = _warning(
                intent,
                f"confusable with intent '{other}': {count} of its {len(group)} questions, "
                f"each left out in turn, are answered by '{other}' (e.g. '{example.question}' "
                f"matches '{example.match.question}', {example.match.score:.1f})",
            )
            found[intent.id, other] = (count / len(group), position, finding)
    for (intent_id, other), (share, position, finding) in found.items():
        reverse = found.get((other, intent_id))
        if reverse is None or (share, position) > reverse[:2]:
            yield finding
