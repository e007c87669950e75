"""Conversations: golden transcripts in tests/conversations/*.yaml, and context rules in detail."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot import Bot, Intent, KnowledgeBase
from chatbot.curation.cases import Suite, read_cases
from chatbot.curation.evaluate import run_cases

FOLDER = Path(__file__).parent / "conversations"


def golden_conversations():
    suite = read_cases(*sorted(FOLDER.glob("*.yaml")))
    for turns in suite.conversations:
        yield pytest.param(turns, id=f"{Path(turns[0].path).stem}-{turns[0].conversation}")


def test_there_are_enough_golden_conversations():
    assert len(list(golden_conversations())) >= 25


@pytest.mark.parametrize("turns", list(golden_conversations()))
def test_golden_conversation(bundled_bot, turns):
    # The same runner as `chatbot eval`, so the files mean the same thing in both places.
    outcomes = list(run_cases(bundled_bot, Suite(conversations=(turns,))))
    failures = [
        f"turn {o.case.number} {o.case.question!r}: got {o.got} ({o.kind}, context "
        f"{o.context_used}, {o.score})"
        for o in outcomes
        if not o.passed
    ]
    assert failures == []


def test_clarification_offers_both_and_accepts_either(bundled_bot):
    conversation = bundled_bot.conversation()
    question = conversation.ask("architecture?")
    assert question.kind == "clarify"
    first, second = (a.intent for a in question.alternatives[:2])
    assert {first, second} == {"llm_architecture", "genai_architecture"}
    assert question.text.startswith("Did you mean ")
    assert conversation.ask("the second").intent == second
    conversation.reset()  # else "architecture?" is a follow-up about the subject just answered
    assert conversation.ask("architecture?").kind == "clarify"
    assert conversation.ask("yes").intent == first


def test_context_is_reported_and_resolved_question_is_shown(bundled_bot):
    conversation = bundled_bot.conversation()
    conversation.ask("What data is generative AI trained on?")
    assert conversation.context.label == "generative AI, data inputs"
    assert conversation.context.turns_left == 5
    reply = conversation.ask("and LLMs?")
    assert reply.context_used
    assert reply.resolved == bundled_bot.knowledge.get("llm_data_inputs").questions[0]
    reference = conversation.ask("what do they output?")
    assert reference.resolved == "what do LLMs output"


def test_reset_clears_the_context(bundled_bot):
    conversation = bundled_bot.conversation()
    conversation.ask("what architecture do llms use")
    conversation.reset()
    assert conversation.context is None
    assert not conversation.ask("and generative ai?").context_used


def test_context_lifespan_is_configurable(bundled_bot):
    conversation = bundled_bot.conversation(context_turns=1)
    conversation.ask("what architecture do llms use")
    conversation.ask("qwerty")
    assert conversation.context is None


def test_conversations_do_not_share_context(bundled_bot):
    first, second = bundled_bot.conversation(), bundled_bot.conversation()
    first.ask("what architecture do llms use")
    second.ask("what data is generative ai trained on")
    assert first.ask("what about outputs?").intent == "llm_outputs"
    assert second.ask("what about outputs?").intent == "genai_outputs"


PLANS = """
entities:
  plan:
    basic: [Basic plan, basic]
    pro: [Pro plan, pro]
  aspect:
    price: [price, cost, how much]
    storage: [storage, space, disk]
intents:
  - id: basic_price
    slots: {plan: basic, aspect: price}
    questions: [how much is the basic plan]
    answer: 5 a month.
  - id: pro_price
    slots: {plan: pro, aspect: price}
    questions: [how much is the pro plan]
    answer: 20 a month.
  - id: basic_storage
    slots: {plan: basic, aspect: storage}
    questions: [how much storage does basic have]
    answer: 10 GB.
  - id: pro_storage
    slots: {plan: pro, aspect: storage}
    questions: [how much storage does pro have]
    answer: 1 TB.
"""


def test_entities_of_another_faq_work_without_code(write_yaml):
    conversation = Bot(write_yaml(PLANS)).conversation()
    assert conversation.ask("how much is the basic plan?").text == "5 a month."
    assert conversation.ask("and pro?").text == "20 a month."
    assert conversation.ask("what about storage?").text == "1 TB."
    assert conversation.ask("how much space does it have?").intent == "pro_storage"


def test_more_and_why_fall_back_to_what_the_intent_has():
    bot = Bot([Intent(id="hours", questions=("when are you open",), answer="9 to 5.")])
    conversation = bot.conversation()
    conversation.ask("when are you open")
    more = conversation.ask("tell me more")
    assert (more.intent, more.kind) == ("hours", "more")
    assert more.text.endswith("9 to 5.")
    assert conversation.ask("why?").intent == "hours"


def test_no_on_a_clarification_offers_other_questions():
    intents = [
        Intent(id="reset_password", questions=("how do i reset it",), answer="Link."),
        Intent(id="reset_router", questions=("how do i reset it",), answer="Button."),
        Intent(id="opening", questions=("when are you open",), answer="9 to 5."),
    ]
    conversation = Bot(KnowledgeBase.of(intents)).conversation()
    clarify = conversation.ask("how do i reset it")
    assert clarify.kind == "clarify"
    no = conversation.ask("no")
    assert no.kind == "notice"
    assert no.suggestions == ()  # nothing else came close; the two refused are not offered
    assert conversation.context is None or conversation.context.intent not in {
        "reset_password",
        "reset_router",
    }


def test_no_after_an_answer_offers_the_runners_up_it_beat(bundled_bot):
    conversation = bundled_bot.conversation()
    answer = conversation.ask("what do llms output")
    assert answer.intent == "llm_outputs"
    no = conversation.ask("no, wrong")
    assert (no.kind, no.intent, no.context_used) == ("notice", None, True)
    assert no.text == "Sorry about that. Could you ask it in other words?"
    assert [a.intent for a in no.alternatives] == [a.intent for a in answer.alternatives[:3]]
    assert conversation.ask("2").intent == answer.alternatives[1].intent


def test_no_after_small_talk_is_not_taken_as_disowning_it(bundled_bot):
    conversation = bundled_bot.conversation()
    assert conversation.ask("hello").intent == "greeting"
    assert conversation.ask("no").text != "Sorry about that. Could you ask it in other words?"


def test_no_after_an_answer_found_through_context_still_offers_other_entries(bundled_bot):
    conversation = bundled_bot.conversation()
    conversation.ask("what do llms output")
    resolved = conversation.ask("and generative ai?")
    assert (resolved.intent, resolved.context_used) == ("genai_outputs", True)
    no = conversation.ask("no")
    assert no.text == "Sorry about that. Could you ask it in other words?"
    offered = [a.intent for a in no.alternatives]
    assert len(offered) == 3
    assert "genai_outputs" not in offered
    assert conversation.ask("1").intent == offered[0]


RESETS = [
    Intent(id="reset_password", questions=("how do i reset it",), answer="Use the link."),
    Intent(id="reset_router", questions=("how do i reset it",), answer="Press the button."),
    Intent(id="opening", questions=("when are you open",), answer="9 to 5."),
]


def test_both_after_a_clarification_with_nothing_comparing_them_gives_both_answers():
    conversation = Bot(KnowledgeBase.of(RESETS)).conversation()
    assert conversation.ask("how do i reset it").kind == "clarify"
    both = conversation.ask("both please")
    assert both.kind == "answer"
    assert both.text == "Use the link.\n\nPress the button."
    assert both.context_used


def test_a_message_that_reads_as_no_pick_is_a_new_question():
    conversation = Bot(KnowledgeBase.of(RESETS)).conversation()
    assert conversation.ask("how do i reset it").kind == "clarify"
    # It shares words with both choices, but weakly: not a pick, a new question (which falls
    # back). Before, the choice closest in wording was taken whatever its score.
    new = conversation.ask("how do i get it to rain")
    assert new.kind == "fallback"
    assert not new.context_used


def test_a_clarification_is_not_asked_of_a_question_worded_as_one_choice(bundled_bot):
    reply = bundled_bot.ask("what's the difference between generative AI and LLMs?")
    assert (reply.kind, reply.intent) == ("answer", "llm_genai_relationship")
