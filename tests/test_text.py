"""Text analysis: normalisation, contractions, synonyms and stemming."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot import Intent, KnowledgeBase, Matcher
from chatbot.matching.text import Analyzer, normalize, normalized_words, stem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What's an LLM's  Output?", "what is an llm output"),
        ("I can't, we won't, it ain't", "i can not we will not it is not"),
        ("cant wont", "can not will not"),
        ("let's go, don't stop", "let us go do not stop"),
        (
            "they're sure I'm right, we'll see, I've been, he'd know",
            ("they are sure i am right we will see i have been he would know"),
        ),
        ("isn\u2019t it\u2019s", "is not it is"),
        ("the `quoted' text", "the quoted text"),
        ("U.S.A. and e.g. notes", "usa and eg notes"),
        ("Ça va? naïve café", "ca va naive cafe"),
        ("\uff46\uff55\uff4c\uff4c\u3000\uff57\uff49\uff44\uff54\uff48", "full width"),
        ("", ""),
        ("gpt_4-turbo, v2.0!", "gpt 4 turbo v 2 0"),
        ("78x60, 78 X 60 and 78\u00d760", "78 x 60 78 x 60 and 78 x 60"),
        ("covid19 or covid-19, 5pm, 3.5mm", "covid 19 or covid 19 5 pm 3 5 mm"),
        ("a 10% discount", "a 10 percent discount"),
        ("we want to maintain the paint", "we want to maintain the paint"),
        ("i cant paint, it aint so", "i can not paint it is not so"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected
    assert normalized_words(text) == expected.split()


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=200))
def test_ascii_text_gets_the_words_other_text_would(text):
    # An accented word after a space sends the text down the general (Unicode) path, and must
    # add nothing but its own word.
    assert normalize(text + " \u00e9") == " ".join([*normalize(text).split(), "e"])


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("flights", "flight"),
        ("stories", "stori"),
        ("story", "stori"),
        ("booking", "book"),
        ("planned", "plan"),
        ("reservations", "reserv"),
        ("reserve", "reserv"),
        ("bus", "bus"),
        ("is", "is"),
        ("glasses", "glass"),
        ("gpt4", "gpt4"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_sizes_and_codes_match_however_they_are_typed():
    knowledge = KnowledgeBase.of(
        [
            Intent(id="size", questions=("do you have a 78x60 tablecloth",), answer="."),
            Intent(id="covid", questions=("what is your covid-19 policy",), answer="."),
            Intent(id="jack", questions=("is there a 3.5 mm jack",), answer="."),
        ]
    )
    matcher = Matcher(knowledge)
    assert matcher.match("78 x 60").intent.id == "size"
    assert matcher.match("covid19 rules").intent.id == "covid"
    assert matcher.match("3.5mm").intent.id == "jack"


def test_synonyms_rewrite_longest_variant_first():
    analyzer = Analyzer({"genai": ["generative ai", "gen ai"], "ai": ["artificial intelligence"]})
    assert analyzer.words("is generative AI artificial intelligence?") == ["is", "genai", "ai"]
    assert analyzer.words("gen z") == ["gen", "z"]
    assert analyzer.terms("gen ai outputs") == ["genai", "output"]


def test_synonyms_of_different_lengths_sharing_a_first_word():
    analyzer = Analyzer({"gan": ["generative adversarial network"], "genai": ["generative ai"]})
    assert analyzer.words("a generative adversarial") == ["a", "generative", "adversarial"]
    assert analyzer.words("generative ai or generative adversarial network") == [
        "genai",
        "or",
        "gan",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("free Wi-Fi?", ["free", "wifi"]),
        ("e-mail me", ["email", "me"]),
        ("state-of-the-art", ["state", "of", "the", "art"]),
        ("well-known", ["well", "known"]),
        ("covid-19", ["covid", "19"]),
    ],
)
def test_a_hyphen_joins_a_word_only_beside_a_part_of_one_or_two_letters(text, words):
    assert normalized_words(text) == words
