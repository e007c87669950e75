"""Turn a match's evidence into a score that means the same on every knowledge base.

The index scores each candidate intent by its evidence (0 to 100: how much of the question
its questions and answer explain, and how closely). Evidence alone reads differently from one
knowledge base to the next: with one stored question per entry a right answer has less of it
than with a hundred, and a long message less than a short one. The score users see is instead
the estimated chance, in percent, that the answer is the right one, from:

- the evidence for the intent, and its lead over the best other intent (a question that fits
  two intents equally well is no sure match for either);
- how clearly the question points at this intent among the few best and "none of them" (the
  intent's share of a softmax over the best evidence and NO_ANSWER, SPREAD points apart
  counting e times more: a question that fits several intents about equally, or none well, as
  off-topic questions often do, gets less);
- how much of the question the knowledge base knows: the share of its word weight in words some
  question or answer uses, and the share of its weight, word pairs included, that the index
  holds at all. Words the base never uses lower the chance, but do not sink a good match;
- how many words the question has, and how many of its content words (not function words such
  as "how" or "the") the intent's questions or answer use: evidence spread over more words is
  more reliable, and a match on "how do i" alone is no match at all;
- how many questions the knowledge base has per intent: with many, a close wording is common
  even for off-topic messages, so the lead and the familiarity count for more.

It is a logistic model fitted once on the development splits of CLINC150 (5, 10 and 100
questions per intent, with out-of-scope questions), HWU64 (5 and 10) and StackFAQ (one question
per entry), each set weighing the same: one set of coefficients for every knowledge base.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from chatbot.policy import NO_ANSWER

SPREAD = 5.0
# Intents further behind the best than this take no share of its clarity.
WINDOW = 15.0
# Coefficients of the logistic model: evidence and lead are read on a 0-1 scale.
EVIDENCE = 0.518
LEAD = 2.156
CLARITY = 1.683
CLARITY_BY_QUESTIONS = 0.749
SHARED_WORDS = 0.624
KNOWN_SHARE = 0.963
HELD_SHARE = 0.093
HELD_SHARE_BY_QUESTIONS = 0.284
WORDS = 0.571
QUESTIONS = -0.802
BIAS = -3.071


class Familiarity:
    """How well a knowledge base knows a question's words (see `Index.familiarity`).

    Attributes:
        known_share: the share (0 to 1) of the question's word weight in known words.
        held_share: the share (0 to 1) of its terms' and word pairs' weight the index holds.
        words: how many words the question has.
        known: how many distinct words of it the knowledge base knows, function words and
            words of one or two letters left out.
        questions_per_intent: the knowledge base's questions per intent.
        content: how many distinct content words (not function words) the question has.
    """

    __slots__ = ("content", "held_share", "known", "known_share", "questions_per_intent", "words")

    def __init__(
        self,
        known_share: float,
        held_share: float,
        words: int,
        known: int,
        questions_per_intent: float,
        content: int = 0,
    ) -> None:
        self.known_share = known_share
        self.held_share = held_share
        self.words = words
        self.known = known
        self.questions_per_intent = questions_per_intent
        self.content = content


def clarity(evidence: Sequence[float]) -> float:
    """How clearly the best of these evidence scores (best first, at most five) stands out
    from the others and from not answering: its share of a softmax, 0 to 1."""
    best = evidence[0]
    peak = max(NO_ANSWER, best)
    mass = math.exp((NO_ANSWER - peak) / SPREAD) + sum(
        math.exp((value - peak) / SPREAD) for value in evidence if value >= peak - WINDOW
    )
    return math.exp((best - peak) / SPREAD) / mass


def confidence(
    evidence: float, lead: float, clear: float, shared: int, familiar: Familiarity
) -> float:
    """The chance, 0 to 100, that an intent with this evidence is the right answer.

    Args:
        evidence: the intent's evidence score, 0 to 100.
        lead: its evidence minus the best other intent's (negative when behind), in points.
        clear: the best intent's clarity (see `clarity`), scaled for this intent by its
            evidence relative to the best's.
        shared: how many of the question's content words the intent's questions or answer use.
        familiar: how well the knowledge base knows the question's words.
    """
    questions = math.log(max(familiar.questions_per_intent, 1.0))
    z = (
        BIAS
        + EVIDENCE * evidence / 100.0
        + LEAD * lead / 100.0
        + (CLARITY + CLARITY_BY_QUESTIONS * questions) * clear
        + KNOWN_SHARE * familiar.known_share
        + (HELD_SHARE + HELD_SHARE_BY_QUESTIONS * questions) * familiar.held_share
        + WORDS * math.log1p(familiar.words)
        + SHARED_WORDS * math.log1p(shared)
        + QUESTIONS * questions
    )
    if z < -30.0:
        return 0.0
    return 100.0 / (1.0 + math.exp(-z))
