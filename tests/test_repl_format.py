"""What the terminal chat shows, formatted without a terminal: replies, /why, topics, welcome."""

from __future__ import annotations

import re

import pytest

from chatbot import Alternative, Bot, Context, Intent, KnowledgeBase, Match, Reply
from chatbot.terminal.format import (
    example_questions,
    format_topics,
    format_welcome,
    format_why,
    plain_text,
    reply_fragments,
    wrap,
)
from chatbot.terminal.style import toolbar, use_color

LONG = (
    "Generative AI is a broad label for any AI model that creates new data, such as text, "
    "images, audio, video or code, instead of only analysing data that already exists."
)


def reply(**fields) -> Reply:
    values = {"text": LONG, "intent": "genai_definition", "score": 80.0, "question": "q"}
    values.update(fields)
    return Reply(**values)


def shown(fragments) -> str:
    return plain_text(fragments)


@pytest.mark.parametrize("width", [40, 60, 100])
def test_answers_wrap_to_the_width_without_losing_words(width):
    text = shown(reply_fragments(reply(), width=width))
    assert all(len(line) <= width for line in text.splitlines())
    assert " ".join(text.split()) == LONG


def test_line_breaks_written_in_the_yaml_are_kept():
    text = shown(reply_fragments(reply(text="Step one.\nStep two."), width=80))
    assert text == "Step one.\nStep two."


def test_suggestions_are_numbered_and_wrapped_under_their_text():
    long_question = "How does the architecture of generative AI differ from that of LLMs today?"
    text = shown(reply_fragments(reply(suggestions=("What is an LLM?", long_question)), width=40))
    lines = text.splitlines()
    start = lines.index("You could also ask:")
    assert lines[start + 1] == "  1. What is an LLM?"
    assert lines[start + 2].startswith("  2. How does the architecture")
    # continuation lines line up under the question, not under the number
    assert lines[start + 3].startswith("     ")
    assert not lines[start + 3][5].isspace()
    assert " ".join(" ".join(lines[start + 2 :]).split()) == "2. " + long_question


def test_a_fallback_offers_the_closest_questions():
    text = shown(
        reply_fragments(reply(intent=None, kind="fallback", suggestions=("a?",)), width=80)
    )
    assert "Closest questions I know:\n  1. a?" in text


def test_context_note_names_the_topic_in_context():
    fragments = reply_fragments(
        reply(context_used=True, resolved="x"), width=80, context_label="LLMs"
    )
    assert shown(fragments).startswith("(about LLMs)\n")
    assert fragments[0][0] == "class:note"


def test_context_note_falls_back_to_what_the_question_was_read_as():
    fragments = reply_fragments(reply(context_used=True, resolved="what are llm outputs"), width=80)
    assert shown(fragments).startswith('(taken as "what are llm outputs")\n')


def test_no_note_when_context_was_not_used():
    assert shown(reply_fragments(reply(), width=80, context_label="LLMs")).startswith("Generative")


def test_control_sequences_from_yaml_are_removed():
    evil = reply(text="Clear\x1b[2J the \x1b]0;owned\x07screen", suggestions=("bell\x07?",))
    text = shown(reply_fragments(evil, width=80))
    assert "\x1b" not in text
    assert "\x07" not in text
    assert text.startswith("Clear the screen")


def test_why_explains_match_score_threshold_runner_up_context_and_terms(bundled_bot):
    answer = bundled_bot.conversation().ask("can an llm make pictures")
    lines = shown(format_why(answer, bundled_bot.knowledge, width=100)).splitlines()
    assert lines[:2] == [
        'You asked:  "can an llm make pictures"',
        'Matched:    "do llms make images" (llm_image_generation)',
    ]
    score = re.fullmatch(r"Score:      (\d+\.\d) \(threshold (\d+\.\d), calibrated\)", lines[2])
    assert score, lines[2]
    assert float(score[2]) < float(score[1]) <= 100  # answered: above the threshold
    assert float(score[2]) == round(bundled_bot.matcher.threshold, 1)
    runner_up = re.fullmatch(
        r'Runner-up:  "Can an LLM understand images\?" \(llm_image_input\), score (\d+\.\d)',
        lines[3],
    )
    assert runner_up, lines[3]
    assert float(runner_up[1]) < float(score[1])
    assert lines[4] == "Context:    not used"
    assert lines[5].startswith("Top terms:  ")
    terms = dict(item.rsplit(" ", 1) for item in lines[5].removeprefix("Top terms:  ").split(", "))
    assert {"(confidence)", "imag", "make"} <= set(terms), lines[5]
    assert all(float(points) > 0 for points in terms.values())


def test_why_after_a_fallback_names_the_closest_candidate():
    knowledge = KnowledgeBase.of([Intent(id="hours", questions=("when open",), answer="9-5")])
    fell_back = reply(
        intent=None, kind="fallback", score=30.0, threshold=45.0,
        alternatives=(Alternative("hours", 30.0),),
    )  # fmt: skip
    text = shown(format_why(fell_back, knowledge, width=80))
    assert "Matched:    nothing above the threshold, so I fell back" in text
    assert 'Closest:    "when open" (hours), score 30.0' in text


def test_why_shows_context_use_and_reading():
    match = Match(Intent(id="a", questions=("x",), answer="y"), 70.0, "x", (("llm", 50.0),))
    used = reply(intent="a", matched_question="x", context_used=True, resolved="llm outputs")
    text = shown(format_why(used.replace(match=match), KnowledgeBase.of([]), width=80))
    assert 'Context:    used, read as "llm outputs"' in text
    assert "Runner-up:  none" in text
    assert "Top terms:  llm +50.0" in text


def test_why_quotes_the_start_of_a_pasted_megabyte_and_its_length(bundled_bot):
    pasted = "what is an llm " + "word " * 200_000
    asked = bundled_bot.conversation().ask(pasted)
    text = shown(format_why(asked, bundled_bot.knowledge, width=80))
    assert len(text) < 2_000
    first_row = re.split(r"\n(?=\S)", text)[0]
    expected = f'You asked: "{pasted[:200]}..." (1,000,015 characters)'
    assert first_row.split() == expected.split()  # the same words, wrapped


def test_why_before_any_question():
    assert shown(format_why(None, KnowledgeBase.of([]), width=80)) == (
        "Nothing to explain yet: ask a question first."
    )


def test_welcome_examples_come_from_the_knowledge_base(write_yaml):
    path = write_yaml(
        """
        intents:
          - {id: a, topic: Shop, questions: [When do you open?], answer: x}
          - {id: b, topic: Shop, questions: [Where are you?], answer: x}
          - {id: c, topic: Pay, questions: [Do you take cards?], answer: x}
        """
    )
    knowledge = Bot(path).knowledge
    # one per topic first, then later intents fill in
    assert example_questions(knowledge) == [
        "When do you open?",
        "Do you take cards?",
        "Where are you?",
    ]
    text = shown(format_welcome(knowledge, width=80))
    assert "  When do you open?\n  Do you take cards?\n  Where are you?\n" in text
    assert text.endswith("Tab completes questions, /help lists commands, Ctrl-D quits.")


def test_topics_are_grouped_with_each_intents_main_question(bundled_bot):
    text = shown(format_topics(bundled_bot.knowledge, width=100))
    for topic, intents in bundled_bot.knowledge.topics().items():
        block = "\n".join([f"{topic} ({len(intents)})", *(f"  {i.questions[0]}" for i in intents)])
        assert block in text


def test_wrap_never_goes_below_a_readable_width():
    assert wrap("a " * 40, 5).splitlines()[0] == ("a " * 15).strip()


def test_toolbar_shows_the_topic_and_the_help_hint(bundled_bot):
    conversation = bundled_bot.conversation()
    assert shown(toolbar(conversation.context)).startswith(" no topic yet ")
    conversation.ask("what is an llm")
    assert shown(toolbar(conversation.context)).startswith(" topic: LLMs, definitions | /help")
    conversation.ask("what about outputs?")
    assert shown(toolbar(conversation.context)) == (
        " topic: LLMs, outputs | /help for commands | Ctrl-D to quit "
    )


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (False, {}, True),
        (True, {}, False),
        (False, {"NO_COLOR": "1"}, False),
        (False, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
    ],
)
def test_colour_is_off_with_the_flag_or_no_color(flag, environ, expected):
    assert use_color(flag, environ) is expected


def test_a_clarifying_question_lists_the_choices_under_a_short_heading():
    asking = reply(text="Did you mean A or B?", intent=None, kind="clarify", suggestions=("A", "B"))
    assert (
        shown(reply_fragments(asking, width=80))
        == "Did you mean A or B?\nChoose one:\n  1. A\n  2. B"
    )


def test_toolbar_clips_a_long_topic_so_the_hints_stay_on_the_line():
    context = Context("x", turns_left=3, label="How do I get my money back for an order " * 3)
    text = shown(toolbar(context))
    assert "How do I get my money back for an" in text
    assert "..." in text
    assert len(text) < 90
    assert text.endswith("Ctrl-D to quit ")
