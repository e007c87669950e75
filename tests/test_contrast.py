"""Sharpening term weights on the knowledge base's own questions (leave-one-out perceptron)."""

from __future__ import annotations

from collections import Counter

from chatbot import Intent, KnowledgeBase
from chatbot.matching import index as index_module
from chatbot.matching.contrast import MIN_QUESTIONS, sharpen
from chatbot.matching.index import Index
from chatbot.matching.text import Analyzer
from tests.test_index import read


def make_index(questions_by_intent: dict[str, list[str]]) -> Index:
    knowledge = KnowledgeBase.of(
        Intent(id=name, questions=tuple(questions), answer=name)
        for name, questions in questions_by_intent.items()
    )
    return Index(knowledge, Analyzer())


def score(weights: dict[str, dict[int, float]], terms: list[str], intent: int) -> float:
    return sum(weights[term].get(intent, 0.0) for term in terms)


def test_a_question_its_intent_would_lose_moves_weight_from_the_rival_to_it():
    # Intent 0's questions say "bill paid"; intent 1's say "bill", and "bill" weighs more there,
    # so intent 0's questions lean towards intent 1 until the weights are sharpened.
    count = MIN_QUESTIONS
    weights = {"bill": {0: 1.0, 1: 2.0}, "paid": {0: 0.5}}
    questions = [(0, ["bill", "paid"])] * count + [(1, ["bill"])] * count
    counts = [Counter({"bill": count, "paid": count}), Counter({"bill": count})]
    assert score(weights, ["bill", "paid"], 0) < score(weights, ["bill", "paid"], 1)
    sharpen(weights, questions, counts, norms=[3.0, 3.0], scales={"bill": 1.0, "paid": 1.0})
    assert score(weights, ["bill", "paid"], 0) > score(weights, ["bill", "paid"], 1)
    assert score(weights, ["bill"], 1) > score(weights, ["bill"], 0)  # intent 1 still wins its own
    assert weights["paid"][1] < 0  # a word of the other intent now counts against intent 1


def test_intents_with_a_handful_of_questions_keep_their_bm25_weights(monkeypatch):
    knowledge = {
        "balance": ["what is my account balance", "how much money is in my account"],
        "transfer": ["what is the way to transfer money", "move money to my savings account"],
    }
    sharpened = make_index(knowledge)
    monkeypatch.setattr(index_module, "sharpen", lambda *arguments: None)
    plain = make_index(knowledge)
    assert sharpened.weights == plain.weights


def test_building_twice_gives_the_same_weights():
    knowledge = {
        "balance": [f"what is my account balance number {n}" for n in range(MIN_QUESTIONS)],
        "transfer": [f"move money from my account number {n}" for n in range(MIN_QUESTIONS)],
    }
    first, second = make_index(knowledge), make_index(knowledge)
    assert first.weights == second.weights
    hit = first.search(read(first, "what is my balance"), 1)[0]
    assert hit == second.search(read(second, "what is my balance"), 1)[0]
