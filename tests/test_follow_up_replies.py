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


def test_no_to_a_clarification_says_it_read_the_no_as_about_the_choices(bundled_bot):
    conversation = bundled_bot.conversation()
    assert conversation.ask("architecture?").kind == "clarify"
    reply = conversation.ask("no")
    assert (reply.kind, reply.context_used) == ("notice", True)
    assert reply.text == "Sorry about that. Could you ask it in other words?"
    assert [alternative.intent for alternative in reply.alternatives] == ["compare_architecture"]


def test_naming_both_subjects_after_a_clarification_is_a_new_question(bundled_bot):
    # "llms and gen ai?" completes the pending choices' shared aspect with the first subject
    # named, which gives back one of the choices: that is no answer to "which one?".
    conversation = bundled_bot.conversation()
    assert conversation.ask("architecture?").kind == "clarify"
    reply = conversation.ask("llms and gen ai?")
    assert (reply.kind, reply.intent, reply.context_used) == ("answer", "llm_genai_same", False)


SHOP_WITH_SLOTS = """
entities:
  product:
    phone: [phone, phones]
    laptop: [laptop, laptops]
  aspect:
    price: [price, cost, how much]
    battery: [battery, charge]
intents:
  - id: phone_price
    slots: {product: phone, aspect: price}
    questions: [how much is the phone]
    answer: 300 euros.
  - id: laptop_price
    slots: {product: laptop, aspect: price}
    questions: [how much is the laptop]
    answer: 900 euros.
  - id: phone_battery
    slots: {product: phone, aspect: battery}
    questions: [how long does the phone battery last]
    answer: Two days.
  - id: opening
    questions: [when are you open]
    answer: 9 to 5.
"""


def test_a_pronoun_follow_up_with_no_close_runner_up_is_still_read_through_context(write_yaml):
    # The rewritten question has a clear best match and nothing else above the threshold.
    conversation = Bot(write_yaml(SHOP_WITH_SLOTS)).conversation()
    conversation.ask("how much is the phone?")
    reply = conversation.ask("how long does its battery last?")
    assert (reply.intent, reply.text, reply.context_used, reply.resolved) == (
        "phone_battery",
        "Two days.",
        True,
        "how long does phone battery last",
    )


def test_a_question_asked_by_two_intents_with_the_same_answer_is_answered_as_typed(write_yaml):
    same_answers = write_yaml("""
        intents:
          - id: reset_password
            questions: [how do i reset my password]
            answer: Use the reset link on the sign-in page; it mails you a new password.
          - id: forgot_password
            questions: [how do i reset my password]
            answer: Use the reset link on the sign-in page, which mails you a new password.
          - id: opening
            questions: [when are you open]
            answer: 9 to 5.
        """)
    reply = Bot(same_answers).conversation().ask("reset my password")
    assert (reply.kind, reply.intent, reply.question) == (
        "answer",
        "reset_password",
        "reset my password",
    )
    assert [alternative.intent for alternative in reply.alternatives] == ["forgot_password"]


def test_tell_me_more_before_any_question_says_to_ask_one_first(bundled_bot):
    reply = bundled_bot.conversation().ask("tell me more")
    assert (reply.kind, reply.intent, reply.question) == ("notice", None, "tell me more")
    assert reply.text == "Ask me a question first, then I can tell you more about it."


def test_no_after_an_answer_keeps_the_no_as_typed_and_offers_the_runners_up(bundled_bot):
    conversation = bundled_bot.conversation()
    answer = conversation.ask("what is an llm")
    reply = conversation.ask("no")
    assert (reply.kind, reply.question, reply.context_used) == ("notice", "no", True)
    assert reply.text == "Sorry about that. Could you ask it in other words?"
    assert reply.alternatives == answer.alternatives
