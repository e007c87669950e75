"""A conversation's state as plain data: a conversation restored from it replies as the original."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot import Bot, Context, ConversationState
from chatbot.curation.cases import read_cases
from chatbot.dialogue.replies import Alternative
from chatbot.render import reply_to_json

CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))

# Follow-ups of every kind the rules read the previous reply for: picks, "both", "yes", "no".
EXTRA = [
    ["what is an llm", "2", "the first one", "tell me more", "why?"],
    ["architecture?", "both"],
    ["architecture?", "yes"],
    ["architecture?", "no"],
    ["what is an llm", "and generative ai?", "no"],
    ["can an llm make pictures?", "no", "1"],
    ["book a flight", "2"],
    ["hello", "what is an llm", "thanks", "and genai?"],
]


def _through_json(state: ConversationState) -> ConversationState:
    return ConversationState.from_dict(json.loads(json.dumps(state.to_dict())))


def _turn_lists(bot: Bot) -> list[list[str]]:
    suite = read_cases(*CONVERSATIONS, knowledge=bot.knowledge)
    return [[case.question for case in turns] for turns in suite.conversations] + EXTRA


def test_a_restored_conversation_replies_as_the_original_at_every_turn(bundled_bot):
    turn_lists = _turn_lists(bundled_bot)
    assert len(turn_lists) > 20
    for questions in turn_lists:
        original = bundled_bot.conversation()
        state = original.state()
        for question in questions:
            restored = bundled_bot.conversation()
            restored.restore(_through_json(state))
            expected = reply_to_json(original.ask(question))
            assert reply_to_json(restored.ask(question)) == expected, (questions, question)
            state = original.state()
            assert restored.state() == state, (questions, question)


def test_the_state_of_a_new_conversation_is_empty(bundled_bot):
    state = bundled_bot.conversation().state()
    assert state == ConversationState()
    assert state.to_dict() == {
        "context": None,
        "last_kind": None,
        "last_intent": None,
        "last_asked": "",
        "last_alternatives": [],
        "last_offered": [],
    }


def test_the_state_keeps_ids_and_scores_not_answer_texts(bundled_bot):
    conversation = bundled_bot.conversation()
    reply = conversation.ask("what is an llm")
    text = json.dumps(conversation.state().to_dict())
    assert reply.text not in text
    assert "llm_definition" in text
    assert reply.offered[0] in text


def test_restoring_an_empty_state_forgets_the_conversation(bundled_bot):
    conversation = bundled_bot.conversation()
    conversation.ask("what is an llm")
    conversation.restore(ConversationState())
    assert conversation.context is None
    assert conversation.last is None
    assert conversation.ask("2").kind == "fallback"


def test_a_context_turns_into_plain_data_and_back():
    context = Context(
        intent="llm_outputs",
        slots={"subject": "llm", "aspect": "outputs"},
        turns_left=3,
        label="LLMs, outputs",
        question="what do llms output",
    )
    data = json.loads(json.dumps(context.to_dict()))
    assert data == {
        "intent": "llm_outputs",
        "slots": {"subject": "llm", "aspect": "outputs"},
        "turns_left": 3,
        "label": "LLMs, outputs",
        "question": "what do llms output",
    }
    assert Context.from_dict(data) == context
    assert Context.from_dict({"intent": "x"}) == Context("x")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"intent": 3},
        {"intent": "x", "slots": ["subject"]},
        {"intent": "x", "slots": {"subject": 1}},
        {"intent": "x", "turns_left": -1},
        {"intent": "x", "turns_left": True},
        "intent",
    ],
)
def test_a_context_from_other_data_is_refused(data):
    with pytest.raises(ValueError, match="not a context"):
        Context.from_dict(data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        {"last_kind": "shout"},
        {"last_intent": 5},
        {"last_asked": None},
        {"last_alternatives": [{"intent": "x"}]},
        {"last_alternatives": [{"intent": "x", "score": "high"}]},
        {"last_offered": "abc"},
        {"last_offered": [1]},
        {"context": {"intent": 3}},
        [],
    ],
)
def test_a_state_from_other_data_is_refused(data):
    with pytest.raises(ValueError, match="not a"):
        ConversationState.from_dict(data)  # type: ignore[arg-type]


def test_a_state_turns_into_plain_data_and_back():
    state = ConversationState(
        context=Context("llm_outputs", {"subject": "llm"}, 2, "LLMs", "what do llms output"),
        last_kind="clarify",
        last_intent=None,
        last_asked="",
        last_alternatives=(Alternative("a", 61.5), Alternative("b", 60.0)),
        last_offered=("a", "b"),
    )
    assert _through_json(state) == state
