"""The library refuses the arguments the CLI refuses, with messages that name the argument."""

from __future__ import annotations

import re

import pytest

from chatbot import Bot, Intent, KnowledgeBase, Matcher


def shop() -> KnowledgeBase:
    hours = Intent("opening_hours", ("when are you open",), "From 9 to 5.")
    return KnowledgeBase((hours,))


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        (150, "threshold must be from 0 to 100, got 150"),
        (-0.5, "threshold must be from 0 to 100, got -0.5"),
        (float("nan"), "threshold must be from 0 to 100, got nan"),
    ],
)
def test_bot_and_matcher_refuse_a_threshold_outside_0_to_100(threshold, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Bot(shop(), threshold=threshold)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Matcher(shop(), threshold=threshold)


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("50", "threshold must be a number, got str"),
        (True, "threshold must be a number, got bool"),
        ([50], "threshold must be a number, got list"),
    ],
)
def test_bot_and_matcher_refuse_a_threshold_that_is_not_a_number(threshold, message):
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        Bot(shop(), threshold=threshold)
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        Matcher(shop(), threshold=threshold)


def test_bot_checks_the_threshold_before_loading_anything(tmp_path):
    # A missing folder would raise IntentPathError, had the bot started loading it.
    with pytest.raises(ValueError, match=r"^threshold must be from 0 to 100, got 101$"):
        Bot(tmp_path / "missing", threshold=101)


def test_a_knowledge_base_threshold_outside_0_to_100_is_refused_too():
    with pytest.raises(ValueError, match=r"^threshold must be from 0 to 100, got 150$"):
        Matcher(shop().replace(threshold=150))


@pytest.mark.parametrize("threshold", [0, 100, 55.5])
def test_thresholds_from_0_to_100_are_accepted(threshold):
    assert Bot(shop(), threshold=threshold).matcher.threshold == threshold
    assert isinstance(Matcher(shop(), threshold=threshold).threshold, float)


@pytest.mark.parametrize(
    ("context_turns", "error", "message"),
    [
        (-1, ValueError, "context_turns must be 0 or more, got -1"),
        ("3", TypeError, "context_turns must be a whole number, got str"),
        (2.5, TypeError, "context_turns must be a whole number, got float"),
        (True, TypeError, "context_turns must be a whole number, got bool"),
    ],
)
def test_conversation_refuses_bad_context_turns(bundled_bot, context_turns, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        bundled_bot.conversation(context_turns=context_turns)


def test_context_turns_1_keeps_context_for_the_next_question(bundled_bot):
    conversation = bundled_bot.conversation(context_turns=1)
    conversation.ask("what data is generative AI trained on?")
    follow_up = conversation.ask("and LLMs?")
    assert follow_up.context_used
    assert follow_up.intent == "llm_data_inputs"


def test_context_turns_0_turns_context_off(bundled_bot):
    conversation = bundled_bot.conversation(context_turns=0)
    first = conversation.ask("what data is generative AI trained on?")
    assert conversation.context is None
    follow_up = conversation.ask("and LLMs?")
    assert not follow_up.context_used
    assert follow_up.intent != "llm_data_inputs"
    # Nor does a number pick one of the suggestions offered before.
    assert first.suggestions
    assert not conversation.ask("1").context_used


@pytest.mark.parametrize(("text", "kind"), [(None, "NoneType"), (123, "int"), (b"hi", "bytes")])
def test_ask_and_rank_name_a_question_that_is_not_text(bundled_bot, text, kind):
    with pytest.raises(TypeError, match=f"^ask\\(\\) takes the question as a str, got {kind}$"):
        bundled_bot.conversation().ask(text)
    with pytest.raises(
        TypeError, match=f"^rank\\(\\) takes the question as a str or a Query, got {kind}$"
    ):
        bundled_bot.matcher.rank(text)


def test_the_context_of_an_entry_without_slots_is_shown_by_its_first_question():
    bot = Bot(
        [
            Intent(
                id="eduroam_android",
                questions=("How do I join eduroam on Android?",),
                answer=".",
                topic="Wi-Fi",  # a section name shared by many entries says too little
            ),
            Intent(id="printing", questions=("How do I print?",), answer="."),
        ]
    )
    conversation = bot.conversation()
    conversation.ask("join eduroam on my android phone")
    assert conversation.context is not None
    assert conversation.context.label == "How do I join eduroam on Android?"
