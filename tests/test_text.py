"""Text analysis: normalisation, contractions, synonyms and stemming."""

from __future__ import annotations

import pytest

from chatbot.text import Analyzer, normalize, stem


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
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("flights", "flight"),
        ("stories", "story"),
        ("booking", "book"),
        ("planned", "plan"),
        ("bus", "bus"),
        ("is", "is"),
        ("glasses", "glass"),
        ("gpt4", "gpt4"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_synonyms_rewrite_longest_variant_first():
    analyzer = Analyzer({"genai": ["generative ai", "gen ai"], "ai": ["artificial intelligence"]})
    assert analyzer.words("is generative AI artificial intelligence?") == ["is", "genai", "ai"]
    assert analyzer.words("gen z") == ["gen", "z"]
    assert analyzer.terms("gen ai outputs") == ["genai", "output"]
