"""The index: word-pair features, candidate pruning that keeps scores exact, unknown words."""

from __future__ import annotations

import random

import pytest

from chatbot import Intent, KnowledgeBase
from chatbot.matching import index as index_module
from chatbot.matching.entities import EntityFinder
from chatbot.matching.index import Index
from chatbot.matching.query import Query, QueryReader, features
from chatbot.matching.speller import Speller
from chatbot.matching.text import Analyzer


def make_index(questions_by_intent: dict[str, list[str]]) -> Index:
    knowledge = KnowledgeBase.of(
        Intent(id=name, questions=tuple(questions), answer=name)
        for name, questions in questions_by_intent.items()
    )
    return Index(knowledge, Analyzer())


def read(index: Index, text: str) -> Query:
    """The query the matcher would read from `text` over this index (no synonyms, no entities)."""
    analyzer = Analyzer()
    speller = Speller(index.words, declared=())
    return QueryReader(analyzer, speller, EntityFinder({}, analyzer)).read(text)


KNOWLEDGE = {
    "balance": ["what is my account balance", "how much money is in my account"],
    "transfer": ["what is the way to transfer money", "move money to my savings account"],
    "pin": ["what is the way to change my pin", "i want a new pin"],
    "hours": ["what is the opening time", "when are you open"],
}


def test_features_are_terms_then_adjacent_pairs():
    assert features(["book", "a", "flight"]) == ["book", "a", "flight", "book a", "a flight"]
    assert features(["hi"]) == ["hi"]
    assert features([]) == []


def test_word_order_counts_through_pairs():
    index = make_index({"from_a": ["flights from paris to rome"], "to_a": ["rome to paris"]})
    hit = index.search(read(index, "from paris to rome"), 1)[0]
    assert hit.intent_index == 0


@pytest.mark.parametrize(
    "question", ["what is the way", "what is my pin", "my account balance", "open what"]
)
def test_pruning_common_terms_keeps_scores_exact(monkeypatch, question):
    exact = make_index(KNOWLEDGE)
    # Treat every term used by more than one intent as common.
    monkeypatch.setattr(index_module, "COMMON_MIN_INTENTS", 1)
    monkeypatch.setattr(index_module, "COMMON_SHARE", 0.0)
    pruned = make_index(KNOWLEDGE)
    assert pruned.common  # the pruning is really exercised
    query = read(exact, question)
    expected = {hit.intent_index: hit.score for hit in exact.search(query, 4)}
    got = pruned.search(query, 4)
    assert got  # even a question of common words alone finds candidates
    for hit in got:
        assert hit.score == pytest.approx(expected[hit.intent_index])
    assert got[0].intent_index == max(expected, key=lambda index: expected[index])


def _many_intents(count: int) -> dict[str, list[str]]:
    """`count` intents of three questions over a vocabulary of rare, middling and common
    words, so that the terms' posting lists are long enough to be pruned."""
    rng = random.Random(count)
    vocabulary = [f"w{number}" for number in range(400)]
    # Word k is used about 1/(k+1) as often as the first: a few common, many rare.
    frequencies = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    return {
        f"intent{number}": [
            " ".join(rng.choices(vocabulary, frequencies, k=rng.randint(3, 8))) for _ in range(3)
        ]
        for number in range(count)
    }


def test_candidates_found_by_bounds_are_those_of_summing_every_posting(monkeypatch):
    knowledge = _many_intents(600)
    pruned = make_index(knowledge)
    questions = [question for questions in knowledge.values() for question in questions][::7]
    queries = [read(pruned, question) for question in questions]
    found = [pruned.search(query, limit) for query in queries for limit in (2, 10)]
    summed = [
        len(pruned._best_totals([term for term in query.features if term in pruned.weights], 10))
        for query in queries
    ]
    monkeypatch.setattr(index_module, "PRUNE_POSTINGS", 10**9)  # sum every posting
    exact = make_index(knowledge)
    assert [exact.search(query, limit) for query in queries for limit in (2, 10)] == found
    every = [
        len(exact._best_totals([term for term in query.features if term in exact.weights], 10))
        for query in queries
    ]
    # The bounds really left intents out, and most of them.
    assert sum(summed) < sum(every) / 2


def test_unknown_words_lower_the_score():
    index = make_index(KNOWLEDGE)
    known = index.search(read(index, "account balance"), 1)[0]
    diluted = index.search(read(index, "account balance zebra giraffe"), 1)[0]
    assert known.intent_index == diluted.intent_index
    assert diluted.score < known.score


def test_an_empty_or_unknown_question_has_no_hits():
    index = make_index(KNOWLEDGE)
    assert index.search(read(index, ""), 5) == []
    assert index.search(read(index, "zebra giraffe"), 5) == []
    assert index.search(read(index, "account"), 0) == []


def test_a_single_intent_knowledge_base_still_scores():
    index = make_index({"only": ["hello there"]})
    hits = index.search(read(index, "hello there"), 3)
    assert [hit.intent_index for hit in hits] == [0]
    # Every channel is at its best, but the answer's: it counts words the questions lack.
    coverage, known, reverse, answer, characters, wording = hits[0].channels
    assert (coverage, known, reverse, wording) == (1.0, 1.0, 1.0, 1.0)
    assert characters == pytest.approx(1.0)
    assert answer == 0.0


@pytest.mark.parametrize("wanted", [1, 2, 3, 10])
def test_the_best_totals_found_by_bounds_are_the_best_of_all(wanted):
    """For any terms, the intents the bounded search keeps include the `wanted` best of all,
    with their exact totals: questions made of middling and common words, whose intents tie
    and nearly tie by the hundred, are where a bound too tight would drop one."""
    pruned = make_index(_many_intents(1500))
    rng = random.Random(wanted)
    terms_by_length = sorted(pruned.weights, key=lambda term: -len(pruned.weights[term]))
    long_enough = [t for t in terms_by_length if len(pruned.weights[t]) > 20 and " " not in t]
    checked = summed = every = 0
    for _ in range(200):
        terms = rng.sample(long_enough, rng.randint(3, 8))
        if sum(len(pruned.weights[term]) for term in terms) <= index_module.PRUNE_POSTINGS:
            continue
        checked += 1
        exact = pruned._accumulate(terms)
        found = pruned._best_totals(terms, wanted)
        best = sorted(exact, key=lambda intent: (-exact[intent], intent))[:wanted]
        kept = sorted(found, key=lambda intent: (-found[intent], intent))[:wanted]
        assert kept == best, terms
        assert [found[intent] for intent in kept] == [exact[intent] for intent in best]
        summed, every = summed + len(found), every + len(exact)
    # The bounded path, not the plain sum, was what got compared, and it left intents out.
    assert checked >= 60
    assert summed < every / 2
