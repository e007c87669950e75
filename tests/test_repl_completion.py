"""Tab completion in the chat, driven with a Document as prompt_toolkit's docs advise."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from chatbot import Bot
from chatbot.terminal.commands import session_commands
from chatbot.terminal.completion import ChatCompleter


@pytest.fixture
def completer(bundled_bot):
    commands = [(command.name, command.help) for command in session_commands()]
    return ChatCompleter(lambda: bundled_bot.knowledge, commands)


def complete(completer, text, cursor=None):
    document = Document(text, len(text) if cursor is None else cursor)
    return list(completer.get_completions(document, CompleteEvent(completion_requested=True)))


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("what is an ll", "What is an LLM?"),
        ("what is gen", "What is generative AI?"),
        ("llm out", "What kind of output does an LLM produce?"),
        ("can an llm produce ph", "Can an LLM generate images?"),  # found by another wording
        ("is chatgpt", "Is ChatGPT an LLM or generative AI?"),
        ("diffrence predictive", "What is the difference between predictive AI and generative AI?"),
    ],
)
def test_questions_complete_fuzzily_best_first(completer, typed, first):
    completions = complete(completer, typed)
    assert completions[0].text == first
    assert completions[0].start_position == -len(typed)  # replaces what was typed


def test_each_intent_is_offered_once_by_its_main_question(completer, bundled_bot):
    texts = [c.text for c in complete(completer, "generative ai")]
    assert texts[0] == "What is generative AI?"
    assert len(texts) >= 5  # most entries are about generative AI
    assert len(texts) == len(set(texts))
    main_questions = {intent.questions[0] for intent in bundled_bot.knowledge}
    assert set(texts) <= main_questions


def test_a_line_that_resembles_nothing_gets_no_completion(completer):
    assert complete(completer, "zzzz qqqq") == []


def test_an_empty_line_lists_every_intent_in_file_order(completer, bundled_bot):
    texts = [c.text for c in complete(completer, "")]
    assert texts == [intent.questions[0] for intent in bundled_bot.knowledge]


def test_only_the_text_before_the_cursor_counts(completer):
    completions = complete(completer, "is chatgpt zzzz qqqq", cursor=len("is chatgpt"))
    assert completions[0].text == "Is ChatGPT an LLM or generative AI?"


def test_slash_completes_commands_with_their_help(completer):
    completions = complete(completer, "/re")
    assert [c.text for c in completions] == ["/reset", "/reload"]
    assert completions[0].display_meta_text == "Forget the conversation so far"
    assert [c.text for c in complete(completer, "/")] == [
        "/help", "/topics", "/why", "/reset", "/reload", "/quit",
    ]  # fmt: skip


def test_completion_follows_a_reload(write_yaml):
    path = write_yaml("intents: [{id: a, questions: [When do you open?], answer: x}]")
    bots = [Bot(path)]
    completer = ChatCompleter(lambda: bots[-1].knowledge, [])
    assert complete(completer, "when do")[0].text == "When do you open?"
    write_yaml("intents: [{id: a, questions: [When do you close?], answer: x}]")
    bots.append(Bot(path))
    assert complete(completer, "when do")[0].text == "When do you close?"
