"""What a follow-up's reply says about itself: the question as typed, what it was read as, the
score of the match that chose it, and the runners-up (what --json and /why show).

Written against mutants of the dialogue rules that the golden conversations, which check the
intent chosen, did not notice.
"""

from __future__ import annotations

from pathlib import Path

from chatbot import Bot
from chatbot.dialogue.conversation import ConversationState

SHOP = Path(__file__).resolve().parent.parent / "benchmarks/data/realistic/online_shop.yaml"


def test_a_pronoun_follow_up_keeps_the_question_as_typed_and_what_it_was_read_as(bundled_bot):
    conversation = bundled_bot.conversation()
    conversation.ask("what is an llm")
    reply = conversation.ask("what do they output?")
    assert (reply.intent, reply.question, reply.resolved, reply.context_used) == (
        "llm_outputs",
        "what do they output?",
        "what do LLMs output",
        True,
    )
    assert reply.score == bundled_bot.matcher.rank("what do LLMs output", limit=1)[0].score


def test_a_choice_picked_by_its_wording_shows_the_score_of_that_wording(bundled_bot):
    conversation = bundled_bot.conversation()
    assert conversation.ask("architecture?").kind == "clarify"
    reply = conversation.ask("transformer")
    best = bundled_bot.matcher.rank("transformer", limit=1)[0]
    assert (reply.intent, reply.question, reply.context_used) == (
        "llm_architecture",
        "transformer",
        True,
    )
    assert (reply.score, reply.matched_question) == (best.score, best.question)
    assert reply.score < 100  # not the 100 of a choice taken by position or by name


def test_an_answer_between_close_intents_lists_the_other_as_a_runner_up(bundled_bot):
    # Two close intents; only the first one's answer speaks to every word of the question.
    reply = bundled_bot.conversation().ask("can LLMs write code?")
    assert (reply.kind, reply.intent, reply.question) == (
        "answer",
        "llm_definition",
        "can LLMs write code?",
    )
    assert [alternative.intent for alternative in reply.alternatives][:2] == [
        "llm_outputs",
        "llm_function",
    ]


def test_an_unsure_answer_between_close_intents_keeps_the_runners_up():
    bot = Bot(SHOP)
    question = "I got a 15% off code in your newsletter but the basket just says invalid"
    reply = bot.conversation().ask(question + " when I type it in")
    assert (reply.kind, reply.intent) == ("answer", "discount_code")
    assert [alternative.intent for alternative in reply.alternatives] == [
        "order_not_arrived",
        "back_in_stock",
        "damaged_item",
    ]


def test_a_state_holding_only_a_context_is_handed_on_with_it(bundled_bot):
    # A state with a context but no previous reply (a server turn that only set the subject)
    # must keep that context when it is saved again: "and LLMs?" still has a subject.
    first = bundled_bot.conversation()
    first.ask("What data is generative AI trained on?")
    only_context = ConversationState(context=first.state().context)
    second = bundled_bot.conversation()
    second.restore(only_context)
    third = bundled_bot.conversation()
    third.restore(ConversationState.from_dict(second.state().to_dict()))
    reply = third.ask("and LLMs?")
    assert (reply.intent, reply.context_used) == ("llm_data_inputs", True)
