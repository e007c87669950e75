"""Matching at edges the other tests left untouched, found by mutation testing
(benchmarks/mutation.py): each case changes an answer or what a question is read as."""

from __future__ import annotations

from chatbot import Bot
from chatbot.matching.speller import MIN_JOINED_PART_LENGTH, Speller


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


def test_two_words_typed_apart_are_joined_from_two_letters_each():
    assert MIN_JOINED_PART_LENGTH == 2
    speller = Speller(["login", "log", "today", "day", "away", "way"], declared=[])
    assert speller.readings(["log", "in"]) == [("log in", "login")]
    assert speller.readings(["to", "day"]) == [("to day", "today")]
    assert speller.readings(["a", "way"]) == [("a", "a"), ("way", "way")]
