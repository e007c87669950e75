"""Bot and Conversation as a library user sees them: replies, fallbacks, isolation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chatbot import Bot, Intent, KnowledgeBase, Reply, bundled_intents_path


def test_reply_fields_for_an_answer(bundled_bot):
    reply = bundled_bot.conversation().ask("can an LLM make pictures?")
    assert isinstance(reply, Reply)
    assert reply.intent == "llm_image_generation"
    assert reply.kind == "answer"
    assert reply.text == bundled_bot.knowledge.get("llm_image_generation").answer
    assert reply.score >= reply.threshold
    assert reply.matched_question in bundled_bot.knowledge.get(reply.intent).questions
    assert reply.runner_up is not None
    assert reply.runner_up.intent != reply.intent
    assert reply.runner_up.score <= reply.score
    assert reply.suggestions


def test_fallback_says_what_the_bot_knows_and_offers_questions(bundled_bot):
    reply = bundled_bot.ask("how do I bake sourdough bread")
    assert reply.intent is None
    assert reply.kind == "fallback"
    assert reply.text == bundled_bot.knowledge.fallback
    assert len(reply.suggestions) >= 1
    known = {q for intent in bundled_bot.knowledge for q in intent.questions}
    assert set(reply.suggestions) <= known


def test_help_lists_the_topics(bundled_bot):
    reply = bundled_bot.ask("what can you do?")
    assert reply.intent == "capabilities"
    for topic in ("ChatGPT", "predictive", "image"):
        assert topic.lower() in reply.text.lower()


def test_small_talk(bundled_bot):
    assert bundled_bot.ask("hi").intent == "greeting"
    assert bundled_bot.ask("thanks a lot").intent == "thanks"
    assert bundled_bot.ask("bye").intent == "goodbye"


def test_conversations_sharing_a_bot_keep_their_own_state(bundled_bot):
    first, second = bundled_bot.conversation(), bundled_bot.conversation()
    first.ask("what is an llm")
    second.ask("what is generative ai")
    assert first.last.intent == "llm_definition"
    assert second.last.intent == "genai_definition"


def test_bot_from_plain_intents_and_from_a_knowledge_base():
    intents = [Intent(id="hours", questions=("when are you open",), answer="9 to 5.")]
    assert Bot(intents).ask("are you open today").text == "9 to 5."
    assert Bot(KnowledgeBase.of(intents)).ask("when do you open").intent == "hours"


def test_importing_the_library_does_not_import_prompt_toolkit():
    code = "import chatbot, sys; chatbot.Bot(); print('prompt_toolkit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_bot_refuses_a_mix_of_paths_and_intents(tmp_path):
    intent = Intent(id="hours", questions=("when are you open",), answer="9 to 5.")
    with pytest.raises(TypeError, match="paths or Intent objects"):
        Bot([intent, str(tmp_path)])
    with pytest.raises(TypeError, match="paths or Intent objects"):
        Bot([intent, 42])


def test_bot_repr_counts_what_it_knows_and_names_its_files_briefly(bundled_bot):
    knowledge = bundled_bot.knowledge
    questions = sum(len(intent.questions) for intent in knowledge)
    folder = bundled_intents_path().name  # "intents" in a checkout, "_intents" when installed
    assert repr(bundled_bot) == (
        f"Bot(intents={len(knowledge)}, questions={questions}, "
        f"threshold={bundled_bot.matcher.threshold}, "
        f"sources=['.../{folder}/faq.yaml', '.../{folder}/smalltalk.yaml'])"
    )


def test_bot_repr_lists_three_files_then_counts_the_rest(tmp_path):
    for number in range(5):
        (tmp_path / f"part{number}.yaml").write_text(
            f"intents:\n  - id: intent_{number}\n    questions: [question {number}]\n"
            f"    answer: Answer {number}.\n",
            encoding="utf-8",
        )
    bot = Bot(tmp_path, threshold=55)
    folder = tmp_path.name
    shown = ", ".join(f"'.../{folder}/part{number}.yaml'" for number in range(3))
    sources = f"sources=[{shown}, ... 2 more]"
    assert repr(bot) == f"Bot(intents=5, questions=5, threshold=55.0, {sources})"
    plain = Bot([Intent(id="hours", questions=("when are you open",), answer="9 to 5.")])
    assert repr(plain) == "Bot(intents=1, questions=1, threshold=40.0, sources=[])"
