"""Sharpen an index's term weights on its own questions, so that look-alike intents separate.

Intents such as "pay a bill" and "what is my bill" share most of their words, and BM25 weights
alone cannot say which shared word matters for which. Here every stored question is asked back
against the knowledge base with itself left out; when a rival intent comes within a margin of
the question's own intent, the question's terms gain weight in its own intent and lose as much
in the rival's (a perceptron's update, averaged over all steps so that the order of the
questions matters little). What comes out is still a table of term weights, readable term by
term, computed from the knowledge base alone when the index is built.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# Passes over the questions, and the step: this share of the term's own weight scale.
PASSES = 2
RATE = 0.3
# A question is corrected until its intent leads its best rival by this share of the question's
# attainable weight (not merely until it wins), which is what helps unseen wordings.
MARGIN = 0.2
# Questions whose intent leads by more than this share in the first pass are not visited again:
# they would hardly ever be corrected.
SETTLED = 0.45
# A question's rivals: the intents that share most weight with it on its distinctive terms
# (terms used by at most DISTINCTIVE intents, which also keeps finding them cheap).
RIVALS = 5
DISTINCTIVE = 10
# Intents with fewer questions are not learned from: with only a handful of wordings, leaving
# one out takes away too much of the intent's evidence for its mistakes to say much about the
# weights (and a small knowledge base, such as the bundled FAQ, gains nothing from it).
MIN_QUESTIONS = 20
# Larger knowledge bases learn from an even sample of this many questions, to bound build time.
MAX_QUESTIONS = 20_000

# One question to learn from: its intent, its rivals, its terms' weight rows, how much its
# intent's score changes when the question is left out, the lead it should keep, the lead past
# which it is settled, and each term's step.
_Item = tuple[int, list[int], tuple[dict[int, float], ...], float, float, float, tuple[float, ...]]


def sharpen(
    weights: dict[str, dict[int, float]],
    questions: Sequence[tuple[int, Sequence[str]]],
    intent_counts: Sequence[Mapping[str, int]],
    norms: Sequence[float],
    scales: Mapping[str, float],
) -> None:
    """Adjust `weights` (term -> intent -> weight) in place from the questions they came from.

    Args:
        weights: BM25 weights of every term (word or word pair) for every intent using it.
        questions: each stored question as (its intent, its terms).
        intent_counts: how many times each intent's questions use each term.
        norms: each intent's BM25 length normalisation (K1 times the length factor), used to
            recompute a weight without the question; the question's own length is neglected.
        scales: each term's weight scale (its idf, times the pair weight for pairs): steps are
            a share of it, so rare terms move more than common ones.
    """
    if len(intent_counts) < 2 or not questions:
        return
    sizes = [0] * len(intent_counts)
    for own, _ in questions:
        sizes[own] += 1
    if max(sizes) < MIN_QUESTIONS:
        return
    if len(questions) > MAX_QUESTIONS:
        every = len(questions) / MAX_QUESTIONS
        questions = [questions[int(k * every)] for k in range(MAX_QUESTIONS)]
    # What an intent's score loses when one of its questions using a term is left out: BM25 on
    # the count left (a term twice in one question is taken as once).
    losses: list[dict[str, float]] = []
    for own, counts in enumerate(intent_counts):
        norm = norms[own]
        if sizes[own] < MIN_QUESTIONS:
            losses.append({})
            continue
        losses.append(
            {
                term: weights[term][own]
                * (1.0 - (count - 1) * (count + norm) / (count * (count - 1 + norm)))
                for term, count in counts.items()
            }
        )
    ceiling = {term: max(postings.values()) for term, postings in weights.items()}
    step_of = {term: RATE * scale for term, scale in scales.items()}
    items: list[_Item] = []
    for own, terms in questions:
        if sizes[own] < MIN_QUESTIONS:
            continue
        unique = dict.fromkeys(terms)
        rows = tuple(map(weights.__getitem__, unique))
        shared: dict[int, float] = {}
        for row in rows:
            if len(row) <= DISTINCTIVE:
                for intent, weight in row.items():
                    shared[intent] = shared.get(intent, 0.0) + weight
        shared.pop(own, None)
        if not shared:
            continue  # nothing distinctive in common with any other intent
        attainable = sum(map(ceiling.__getitem__, unique))
        items.append(
            (
                own,
                sorted(shared, key=shared.__getitem__, reverse=True)[:RIVALS],
                rows,
                -sum(map(losses[own].__getitem__, unique)),
                MARGIN * attainable,
                SETTLED * attainable,
                tuple(map(step_of.__getitem__, unique)),
            )
        )
    _learn(items)


def _order(count: int, start: int) -> list[int]:
    """A fixed scrambled visiting order (a stride coprime with the count): no random module,
    the same result on every build, and the questions of one intent far apart."""
    stride = max(1, int(count * 0.618)) | 1
    while math.gcd(stride, count) != 1:
        stride += 2
    return [(start + step * stride) % count for step in range(count)]


def _learn(items: list[_Item]) -> None:
    """The averaged perceptron passes over the prepared questions."""
    # Averaging without a copy per step: an update made after step s is missing from the first s
    # of the averaged weights, so remember it times s and subtract that over the step count at
    # the end. Rows are keyed by identity: they are the index's own posting dicts.
    history: dict[int, tuple[dict[int, float], dict[int, float]]] = {}
    step = 0
    for start in range(PASSES):
        unsettled = []
        for position in _order(len(items), start * 7919):
            item = own, rivals, rows, left_out, margin, settled, steps = items[position]
            step += 1
            best, best_score = -1, -math.inf
            for rival in rivals:
                score = sum([row.get(rival, 0.0) for row in rows])
                if score > best_score:
                    best, best_score = rival, score
            lead = left_out + sum([row[own] for row in rows]) - best_score
            if lead <= settled:
                unsettled.append(item)
            if lead > margin:
                continue
            for row, size in zip(rows, steps, strict=True):
                entry = history.get(id(row))
                if entry is None:
                    entry = history[id(row)] = (row, {})
                past = entry[1]
                row[own] += size
                past[own] = past.get(own, 0.0) + (step - 1) * size
                # The rival loses weight even on terms it never uses: they now count against it.
                row[best] = row.get(best, 0.0) - size
                past[best] = past.get(best, 0.0) - (step - 1) * size
        items = unsettled
    for row, past in history.values():
        for intent, weighted in past.items():
            row[intent] -= weighted / step
