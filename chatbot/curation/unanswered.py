"""A log of questions the bot could not answer well, and suggestions for where they belong.

`UnansweredLog` appends one JSON line per fallback, and per answer scoring below a borderline
(`threshold + BORDERLINE_MARGIN` by default): those are answers users may well have found wrong.
`read_log` reads such a file back and `suggest` groups similar questions and proposes, for each
group, the intent it most likely belongs to, so that a curator can add them as questions.

Example:
    >>> log = UnansweredLog("unanswered.jsonl")
    >>> log.record(conversation.ask("how do i fine tune an llm"))  # a fallback: logged
    True
    >>> log.record(conversation.ask("what is an llm"))  # a confident answer: not logged
    False
    >>> groups = suggest(read_log("unanswered.jsonl").entries, bot.matcher)
    >>> groups[0].questions, groups[0].intent
    ((('how do i fine tune an llm', 1),), None)
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from rapidfuzz import fuzz, process

from chatbot.append import append_lines
from chatbot.errors import LogFileError
from chatbot.matching.text import normalize
from chatbot.render import clean
from chatbot.safe_text import json_text

if TYPE_CHECKING:
    from chatbot.dialogue.replies import Reply
    from chatbot.matching.matcher import Matcher

PathLike = Union[str, "os.PathLike[str]"]

# Answers scoring less than this many points above the threshold are logged as borderline.
BORDERLINE_MARGIN = 10.0
# Longer questions are cut in the log: a pasted megabyte must not fill a curator's disk.
MAX_LOGGED_CHARS = 2000
# Two logged questions whose normalised words are at least this similar (rapidfuzz
# token_sort_ratio, 0-100) go into one group.
GROUP_SIMILARITY = 70.0
# A proposal is made when the best intent shares a content word with the group's questions (what
# the question is about, not "how" or "the", nor a word most entries use, such as "llm" in a FAQ
# about LLMs), and scores at least this share of the threshold:
# logged questions are mostly below the threshold, and the right entry is often ranked first
# all the same. Below that, or sharing no content, the group is probably a new topic.
PROPOSAL_FLOOR = 0.3
# A group's proposal reads at most this many of its wordings, the most asked ones.
PROPOSAL_WORDINGS = 5
# A logged wording is compared with the groups that share one of its this many rarest words,
# known by their first STEM_LETTERS letters: two wordings 70% alike share most of their words,
# and a typo seldom changes a word's first letters.
RARE_WORDS = 3
STEM_LETTERS = 3


class UnansweredLog:
    """Appends fallbacks and borderline answers to a JSON-lines file, one line per question.

    Each line is appended and the file closed at once, so the log is complete whenever the
    chat stops. If the file cannot be written, `on_error` is called
    once with a message and logging stops; the chat goes on.

    Args:
        path: the log file (created on the first line to write).
        margin: answers scoring below the reply's threshold plus this are logged.
        on_error: called once with a one-line message if the file cannot be written.
    """

    def __init__(
        self,
        path: PathLike,
        *,
        margin: float = BORDERLINE_MARGIN,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.margin = margin
        self.on_error = on_error
        self.failed = False

    def wanted(self, reply: Reply) -> bool:
        """Whether a reply goes in the log: the bot did not answer, or answered unsure."""
        if reply.intent is None:
            return True
        return reply.kind == "answer" and reply.score < reply.threshold + self.margin

    def record(self, reply: Reply) -> bool:
        """Log the reply if it is a fallback or borderline; return whether a line was written."""
        if self.failed or not self.wanted(reply):
            return False
        if reply.intent is not None:
            best, score = reply.intent, reply.score
        elif reply.alternatives:
            best, score = reply.alternatives[0].intent, reply.alternatives[0].score
        else:
            best, score = None, reply.score
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "question": reply.question[:MAX_LOGGED_CHARS],
            "best_guess": best,
            "score": round(score, 2),
            "answered": reply.intent is not None,
        }
        try:
            # Escaped as `--json` output is (C1 and invisible characters), and valid UTF-8
            # whatever the terminal sent: a curator may well `cat` the log.
            line = (json_text(entry) + "\n").encode("utf-8")
            # One write per line, the file opened each time: each line is on disk at once,
            # chats sharing the file append whole lines, and a full disk leaves no half line.
            append_lines(self.path, line)
        except (OSError, UnicodeError) as error:
            self.failed = True
            if self.on_error is not None:
                reason = getattr(error, "strerror", None) or str(error)
                self.on_error(f"cannot write to {self.path}: {reason}; not logging questions")
            return False
        return True


@dataclass(frozen=True)
class LoggedQuestion:
    """One line of the log.

    Attributes:
        question: what the user asked.
        best_guess: the intent that came closest, or None.
        score: its score.
        time: when it was asked (ISO 8601), or "" when the line did not say.
        line: the line of the log it came from.
    """

    question: str
    best_guess: str | None
    score: float
    time: str
    line: int


@dataclass(frozen=True)
class LogContents:
    """What `read_log` found: the questions, and the lines it had to skip."""

    entries: tuple[LoggedQuestion, ...]
    skipped: tuple[int, ...]


def read_log(path: PathLike) -> LogContents:
    """Read a log written by UnansweredLog; lines that are not logged questions are skipped.

    Raises:
        LogFileError: the file is missing, not a regular file, too large, or cannot be read.
    """
    from chatbot.loading.located import Unreadable, read_bytes

    # Within the limits of every file the bot reads: /dev/zero or a FIFO is refused, not read.
    try:
        raw_lines = read_bytes(os.fspath(path)).splitlines()
    except Unreadable as problem:
        raise LogFileError(problem.reason, path=str(path)) from None
    entries = []
    skipped = []
    for number, raw in enumerate(raw_lines, 1):
        if not raw.strip():
            continue
        entry = _entry(raw.decode("utf-8", errors="replace"), number)
        if entry is None:
            skipped.append(number)
        else:
            entries.append(entry)
    return LogContents(tuple(entries), tuple(skipped))


def _entry(text: str, number: int) -> LoggedQuestion | None:
    # A line cut short by a crash must not make the whole log unusable: it is skipped.
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = _glued_entry(text)
    if not isinstance(data, dict):
        return None
    question, best, score = data.get("question"), data.get("best_guess"), data.get("score", 0)
    if not isinstance(question, str) or not question.strip():
        return None
    return LoggedQuestion(
        question=question.strip(),
        best_guess=best if isinstance(best, str) else None,
        score=float(score) if isinstance(score, (int, float)) else 0.0,
        time=str(data.get("time", "")),
        line=number,
    )


def _glued_entry(text: str) -> Any:
    """The whole entry at the end of a line that a full disk cut short, and the next chat then
    appended to (as logs written before `append_lines` began a fresh line), or None."""
    # Every entry begins with its time, and inside a JSON string the quotes would be escaped:
    # the last `{"time"` of the line is where the whole entry starts.
    start = text.rfind('{"time"', 1)
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        return None


@dataclass(frozen=True)
class Group:
    """Similar logged questions and the intent they probably belong to.

    Attributes:
        questions: (question, times asked) pairs, most asked first; one per distinct wording.
        intent: the proposed intent, or None when nothing comes close (likely a new topic).
        score: the proposed intent's mean score over the group's wordings.
    """

    questions: tuple[tuple[str, int], ...]
    intent: str | None
    score: float

    @property
    def count(self) -> int:
        """How many times the group's questions were asked in all."""
        return sum(times for _, times in self.questions)

    def to_json(self) -> dict[str, Any]:
        """The group as printed by `chatbot suggest --json`."""
        return {
            "intent": self.intent,
            "score": self.score,
            "count": self.count,
            "questions": [{"question": text, "count": times} for text, times in self.questions],
        }


def suggest(entries: Iterable[LoggedQuestion], matcher: Matcher) -> list[Group]:
    """Group similar logged questions and propose an intent for each group, most asked first.

    Among groups asked equally often, those with a proposal come first.

    Wordings are compared normalised (case, punctuation, contractions); each joins the group
    of the first, more frequent, wording it resembles. The proposal is the intent with the best
    mean score over the group's most asked wordings, ranked by the current matcher (not the
    logged guess, which came from the knowledge base of the time).

    The log is written by users, so its size is theirs to choose: grouping compares a wording
    only with the groups sharing one of its rarest words, and a group's proposal reads at most
    PROPOSAL_WORDINGS of its wordings, so the work grows with the log, not with its square.
    """
    counts: Counter[str] = Counter()
    wording: dict[str, str] = {}
    for entry in entries:
        key = normalize(entry.question) or entry.question.casefold()
        counts[key] += 1
        wording.setdefault(key, entry.question)
    members = _group(sorted(counts, key=lambda key: (-counts[key], key)))
    groups = []
    for keys in members:
        intent, score = _propose(matcher, [wording[key] for key in keys[:PROPOSAL_WORDINGS]])
        groups.append(
            Group(tuple((wording[key], counts[key]) for key in keys), intent, round(score, 2))
        )
    groups.sort(key=lambda group: (-group.count, group.intent is None, group.questions[0][0]))
    return groups


def _group(keys: list[str]) -> list[list[str]]:
    """Each key joins the first group whose leader it resembles most, or leads a new one."""
    # How many keys use each word stem (its first letters, so that "canda" meets "canada"):
    # a wording's rarest stems say which groups it can join.
    stems = {key: {word[:STEM_LETTERS] for word in key.split()} for key in keys}
    frequency: Counter[str] = Counter()
    for key in keys:
        frequency.update(stems[key])
    members: list[list[str]] = []
    # Per stem: the groups whose leaders use it, by number, and those leaders' words sorted
    # (what token_sort_ratio compares; sorted once here, not once per comparison).
    by_word: dict[str, tuple[list[int], list[str]]] = {}
    for key in keys:
        rare = sorted(stems[key], key=lambda stem: (frequency[stem], stem))[:RARE_WORDS]
        words = " ".join(sorted(key.split()))
        # The best leader of each stem's list, the first of equals (extractOne keeps the
        # first best), then the best of those, the lowest number of equals: what one search
        # over all of them in number order would find.
        best: tuple[float, int] | None = None
        for word in rare:
            numbers, leaders = by_word.get(word, ((), ()))
            found = process.extractOne(
                words, leaders, scorer=fuzz.ratio, score_cutoff=GROUP_SIMILARITY
            )
            if found and (best is None or (found[1], -numbers[found[2]]) > (best[0], -best[1])):
                best = (found[1], numbers[found[2]])
        if best is not None:
            members[best[1]].append(key)
            continue
        for word in rare:
            numbers, leaders = by_word.setdefault(word, ([], []))
            numbers.append(len(members))
            leaders.append(words)
        members.append([key])
    return members


def _propose(matcher: Matcher, questions: list[str]) -> tuple[str | None, float]:
    totals: dict[str, float] = {}
    sharing: set[str] = set()
    for question in questions:
        query = matcher.read(question)
        for match in matcher.rank(query, limit=5):
            totals[match.intent.id] = totals.get(match.intent.id, 0.0) + match.score
            if matcher.shared_words(query, match, distinctive=True):
                sharing.add(match.intent.id)
    if not totals:
        return None, 0.0
    intent, total = max(totals.items(), key=lambda item: (item[1], item[0]))
    score = total / len(questions)
    if intent not in sharing or score < PROPOSAL_FLOOR * matcher.threshold:
        return None, score
    return intent, score


def format_groups(groups: list[Group]) -> list[str]:
    """The report printed by `chatbot suggest`: one block per group, most asked first."""
    if not groups:
        return ["no logged questions"]
    lines = []
    for number, group in enumerate(groups, 1):
        asked = f"asked {group.count} time{'s' if group.count != 1 else ''}"
        if group.intent is None:
            lines.append(f"{number}. {asked}; no intent comes close (a new topic?)")
        else:
            lines.append(f"{number}. {asked}; probably '{group.intent}' ({group.score:.1f})")
        for question, times in group.questions:
            lines.append(f"   {times:>3}x  {clean(question)}")
        lines.append("")
    total = sum(group.count for group in groups)
    lines.append(
        f"{total} logged question{'s' if total != 1 else ''} "
        f"in {len(groups)} group{'s' if len(groups) != 1 else ''}"
    )
    return lines
