"""Matching at edges the other tests left untouched, found by mutation testing
(benchmarks/mutation.py): each case changes an answer or what a question is read as."""

from __future__ import annotations

from chatbot import Bot, Intent, KnowledgeBase, Matcher
from chatbot.matching.calibration import Calibration
from chatbot.matching.index import MANY_QUESTIONS, WORDINGS_COMPARED
from chatbot.matching.speller import MIN_JOINED_PART_LENGTH, Speller
from chatbot.matching.text import normalized_words


def test_the_longest_synonym_phrase_is_read_first(write_yaml):
    # "machine learning operations" begins with "machine learning": read as "ml operations",
    # the question would be about neither intent.
    bot = Bot(
        write_yaml("""
            synonyms:
              ml: [machine learning]
              mlops: [machine learning operations]
            intents:
              - id: ml
                questions: [what is ml]
                answer: Learning from data.
              - id: mlops
                questions: [what is mlops]
                answer: Running models in production.
              - id: opening
                questions: [when are you open]
                answer: 9 to 5.
            """)
    )
    assert bot.ask("what is machine learning operations").intent == "mlops"
    assert bot.ask("what is machine learning").intent == "ml"


def test_each_contraction_typed_without_its_apostrophe_is_expanded_on_its_own():
    # Each is the only contraction in its question: none may rely on another to be read.
    assert normalized_words("why wont my card work") == ["why", "will", "not", "my", "card", "work"]
    assert normalized_words("i cant log in") == ["i", "can", "not", "log", "in"]
    assert normalized_words("it aint working") == ["it", "is", "not", "working"]


def test_two_words_typed_apart_are_joined_from_two_letters_each():
    assert MIN_JOINED_PART_LENGTH == 2
    speller = Speller(["login", "log", "today", "day", "away", "way"], declared=[])
    assert speller.readings(["log", "in"]) == [("log in", "login")]
    assert speller.readings(["to", "day"]) == [("to day", "today")]
    assert speller.readings(["a", "way"]) == [("a", "a"), ("way", "way")]


def test_an_intent_with_hundreds_of_wordings_is_matched_by_its_closest_one(write_yaml):
    # More wordings than are compared one by one, and many questions per intent: the regime
    # where only the wordings sharing the question's rarest words are compared ("137" is in
    # two of them; "when" is a word of another intent only).
    wordings = [
        wording
        for number in range(100, 340)
        for wording in (f"where is my order {number}", f"has order {number} shipped yet")
    ]
    assert len(wordings) > WORDINGS_COMPARED
    assert len(wordings) / 2 > MANY_QUESTIONS
    entries = "\n".join(f"      - {wording}" for wording in wordings)
    bot = Bot(
        write_yaml(
            "intents:\n  - id: track_order\n    questions:\n"
            + entries
            + "\n    answer: Orders arrive within five working days.\n"
            + "  - id: opening\n    questions: [when are you open]\n    answer: 9 to 5.\n"
        )
    )
    reply = bot.ask("where is my order 137?")
    assert (reply.intent, reply.matched_question) == ("track_order", "where is my order 137")
    reply = bot.ask("when has order 137 shipped")
    assert (reply.intent, reply.matched_question) == ("track_order", "has order 137 shipped yet")
    assert bot.ask("when do you open").intent == "opening"


def test_a_second_matcher_on_the_same_knowledge_base_does_not_calibrate_again(monkeypatch):
    # Without a cache folder, a reloaded bot (a server reading its files again) is only as
    # quick as the first if the process remembers the calibration.
    calibrations = []
    original = Matcher.calibrate

    def counted(matcher: Matcher) -> Calibration:
        calibrations.append(matcher)
        return original(matcher)

    monkeypatch.setattr(Matcher, "calibrate", counted)
    intents = [
        Intent(id="hours", questions=("when does the bakery open",), answer="At 7."),
        Intent(id="bread", questions=("do you bake rye bread",), answer="On Fridays."),
    ]
    first = Matcher(KnowledgeBase.of(intents)).threshold
    second = Matcher(KnowledgeBase.of(intents)).threshold
    assert first == second
    assert len(calibrations) == 1
