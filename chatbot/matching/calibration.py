"""Set a knowledge base's threshold from its own questions and from everyday off-topic messages.

Scores mean the chance that the best answer is right, but how far apart right answers and
off-topic chatter land still differs between knowledge bases: a hundred wordings per entry make
almost any message look like one of them, one wording per entry makes even right answers
modest. So each knowledge base learns its own threshold, once, from two samples:

- its own questions, each asked as if it were not stored (an entry keeps its other wordings and
  its answer: see `chatbot.matching.left_out`), which shows how its users' questions score and
  how often the best answer is right;
- a bundled list of everyday messages that no FAQ answers (`chatbot/data/offtopic.txt`, written
  for this project), which shows how high chatter scores against it.

The threshold is the one that keeps the most right answers while turning away off-topic messages,
the second weighing OFF_TOPIC_WEIGHT as much as the first, within MIN_THRESHOLD..MAX_THRESHOLD.
A knowledge base whose entries all have a single question has nothing to leave out; its threshold
then turns away all but OFF_TOPIC_ACCEPTED of the off-topic messages. One with fewer than
MIN_INTENTS entries keeps the default: its samples would be too small to say anything. One with
many questions per entry moves less far from the default, and with MANY_QUESTIONS (see
`chatbot.matching.index`) not at all: its held-out questions nearly always keep a near twin, so
they score higher than new users' questions would.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Sequence

from chatbot.intents import KnowledgeBase
from chatbot.policy import DEFAULT_THRESHOLD
from chatbot.records import Record, set_field

OFF_TOPIC_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "offtopic.txt")
# How many stored questions are left out and asked at most (one per entry, spread evenly).
HELD_OUT = 300
# Small knowledge bases have too few entries for HELD_OUT: up to this many of each are asked.
PER_ENTRY = 4
# Scores within about this many points of a threshold count partly (see _soft_share).
SOFTNESS = 2.0
OFF_TOPIC_WEIGHT = 0.1
OFF_TOPIC_ACCEPTED = 0.1
MIN_THRESHOLD, MAX_THRESHOLD = 30.0, 70.0
# Knowledge bases with fewer entries keep the default threshold: too few samples to learn from.
MIN_INTENTS = 10
# Thresholds tried, a point apart.
STEP = 1.0


class Calibration(Record):
    """How a knowledge base's threshold was set.

    Attributes:
        threshold: the threshold chosen, 0 to 100.
        held_out: how many of its own questions were asked with themselves left out.
        held_out_right: the share of those answered right at that threshold (None if none).
        off_topic: how many off-topic messages were asked.
        off_topic_accepted: the share of those that would be answered at that threshold.
    """

    __slots__ = _fields = (
        "threshold",
        "held_out",
        "held_out_right",
        "off_topic",
        "off_topic_accepted",
    )
    threshold: float
    held_out: int
    held_out_right: float | None
    off_topic: int
    off_topic_accepted: float

    def __init__(
        self,
        threshold: float,
        held_out: int,
        held_out_right: float | None,
        off_topic: int,
        off_topic_accepted: float,
    ) -> None:
        set_field(self, "threshold", threshold)
        set_field(self, "held_out", held_out)
        set_field(self, "held_out_right", held_out_right)
        set_field(self, "off_topic", off_topic)
        set_field(self, "off_topic_accepted", off_topic_accepted)


def off_topic_messages(path: str | None = None) -> list[str]:
    """The bundled off-topic messages (comment lines start with '#')."""
    with open(path or OFF_TOPIC_FILE, encoding="utf-8") as file:
        return [line.strip() for line in file if line.strip() and not line.startswith("#")]


def held_out_questions(knowledge: KnowledgeBase) -> list[tuple[int, int]]:
    """The questions to ask left out, as (intent number, question number): one of each of many
    entries that have several, spread evenly, and for small knowledge bases up to PER_ENTRY
    of each (a different one each time), about HELD_OUT in all. Every one is asked with only
    itself left out (see `Matcher.rank_left_out`)."""
    several = [index for index, intent in enumerate(knowledge.intents) if len(intent.questions) > 1]
    if not several:
        return []
    if len(several) > HELD_OUT:
        step = len(several) / HELD_OUT
        several = [several[int(k * step)] for k in range(HELD_OUT)]
    turns = min(PER_ENTRY, math.ceil(HELD_OUT / len(several)))
    asked = []
    for turn in range(turns):
        for index in several:
            count = len(knowledge.intents[index].questions)
            if turn >= count - 1:
                continue  # at most all but one of an entry's questions
            # From the middle on: the first question is often the curator's canonical title.
            asked.append((index, (count // 2 + turn) % count))
    return asked


def _soft_share(scores: Sequence[float], threshold: float) -> float:
    """The share of scores at or above a threshold, each counted softly within a few points
    of it, so that a small sample gives a smooth curve."""
    if not scores:
        return 0.0
    return sum(1.0 / (1.0 + math.exp((threshold - score) / SOFTNESS)) for score in scores) / len(
        scores
    )


Scorer = Callable[[str], "tuple[str | None, float]"]


def choose_threshold(
    held_out: Sequence[tuple[float, bool]], off_topic: Sequence[float], trust: float = 1.0
) -> Calibration:
    """The threshold for these scores: held-out questions as (score, answered right), and the
    scores of off-topic messages; `trust` (0 to 1) says how far it may move from the default.

    An off-topic message that scores above most of the knowledge base's own held-out questions
    is probably one it covers (an assistant's FAQ may well set alarms): those are left out.
    """
    right_scores = sorted(score for score, right in held_out if right)
    if right_scores:
        typical = right_scores[len(right_scores) // 2]
        off_topic = [score for score in off_topic if score < typical]
    candidates = []
    threshold = MIN_THRESHOLD
    while threshold <= MAX_THRESHOLD:
        candidates.append(threshold)
        threshold += STEP

    def right(threshold: float) -> float:
        return _soft_share(right_scores, threshold) * len(right_scores) / len(held_out)

    def accepted_off(threshold: float) -> float:
        return _soft_share(off_topic, threshold)

    if held_out:
        # On a tie the lower threshold: it answers more.
        best = max(
            candidates,
            key=lambda t: (right(t) + OFF_TOPIC_WEIGHT * (1.0 - accepted_off(t)), -t),
        )
        best = round(DEFAULT_THRESHOLD + trust * (best - DEFAULT_THRESHOLD), 1)
        return Calibration(best, len(held_out), right(best), len(off_topic), accepted_off(best))
    best = next((t for t in candidates if accepted_off(t) <= OFF_TOPIC_ACCEPTED), MAX_THRESHOLD)
    best = round(DEFAULT_THRESHOLD + trust * (best - DEFAULT_THRESHOLD), 1)
    return Calibration(best, 0, None, len(off_topic), accepted_off(best))


# -- remembering calibrations between runs ----------------------------------------------------

# Part of every cache key: change it whenever scoring or calibration changes what they give.
CACHE_VERSION = "calibration-3"
# The file, in the cache folder, that remembers calibrations.
CALIBRATION_FILE = "calibration"
# A cache file keeps at most this many knowledge bases (the most recently calibrated).
CACHE_ENTRIES = 64


def fingerprint(knowledge: KnowledgeBase) -> str:
    """A digest of everything in a knowledge base that its calibration depends on."""
    # _blake2 rather than hashlib: hashlib loads OpenSSL, 5 ms of every start.
    from _blake2 import blake2b

    digest = blake2b(digest_size=16)
    digest.update(CACHE_VERSION.encode())
    with open(OFF_TOPIC_FILE, "rb") as file:
        digest.update(file.read())
    parts = (
        tuple((i.id, i.questions, i.answer, i.more, tuple(i.slots.items())) for i in knowledge),
        tuple((key, tuple(values)) for key, values in knowledge.synonyms.items()),
        tuple(
            (entity, tuple((value, tuple(p)) for value, p in values.items()))
            for entity, values in knowledge.entities.items()
        ),
    )
    digest.update(repr(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _format(key: str, calibration: Calibration) -> str:
    right = "-" if calibration.held_out_right is None else f"{calibration.held_out_right:.4f}"
    return (
        f"{key} {calibration.threshold} {calibration.held_out} {right} "
        f"{calibration.off_topic} {calibration.off_topic_accepted:.4f}"
    )


def _parse(line: str) -> tuple[str, Calibration] | None:
    parts = line.split()
    if len(parts) != 6:
        return None
    try:
        key, threshold, held_out, right, off_topic, accepted = parts
        calibration = Calibration(
            float(threshold),
            int(held_out),
            None if right == "-" else float(right),
            int(off_topic),
            float(accepted),
        )
    except ValueError:
        return None
    if not MIN_THRESHOLD <= calibration.threshold <= MAX_THRESHOLD:
        return None
    return key, calibration


def cached(path: str, key: str) -> Calibration | None:
    """The calibration remembered under `key` in the cache file, if any (a missing, unreadable
    or damaged file is no error: it only means calibrating again)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file:
                found = _parse(line)
                if found is not None and found[0] == key:
                    return found[1]
    except (OSError, ValueError):
        return None
    return None


def remember(path: str, key: str, calibration: Calibration) -> None:
    """Add a calibration to the cache file, keeping the newest CACHE_ENTRIES; failures to
    write (read-only home, full disk) are ignored: the cache only saves time."""
    lines: list[str] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = [line.strip() for line in file if _parse(line) and not line.startswith(key)]
    except (OSError, ValueError):
        lines = []
    lines = [*lines[-(CACHE_ENTRIES - 1) :], _format(key, calibration)]
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(temporary, "w", encoding="utf-8") as file:
            file.write("".join(line + "\n" for line in lines))
        os.replace(temporary, path)  # readers see the old file or the new one, never half
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def default_cache_dir(environ: dict[str, str] | None = None) -> str:
    """Where the command line keeps what it remembers between runs: `$XDG_CACHE_HOME/chatbot`,
    else `~/.cache/chatbot` (a relative XDG_CACHE_HOME is ignored, as the XDG spec says)."""
    environ = dict(os.environ) if environ is None else environ
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "chatbot")
