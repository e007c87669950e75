"""Snapshots of built matchers in the cache folder: the same answers, never stale, never fatal."""

from __future__ import annotations

import os

from chatbot import Bot, bundled_intents_path
from chatbot.matching import snapshot

QUESTIONS = [
    "what is an llm",
    "can an llm make pictures?",
    "how do genai and llms differ in outputs",
    "book a flight to rome",
    "generativ ai archtecture",
]


def ranks(bot: Bot) -> list[list[tuple[str, float, str, tuple[tuple[str, float], ...]]]]:
    return [
        [(m.intent.id, m.score, m.question, m.contributions) for m in bot.matcher.rank(q, 5)]
        for q in QUESTIONS
    ]


def test_a_bot_loaded_from_its_snapshot_answers_exactly_as_a_built_one(tmp_path):
    built = Bot(cache_dir=str(tmp_path))
    assert [name for name in os.listdir(tmp_path) if name.startswith(snapshot.PREFIX)]
    loaded = Bot(cache_dir=str(tmp_path))
    fresh = Bot()
    assert loaded.knowledge == fresh.knowledge
    assert ranks(loaded) == ranks(fresh) == ranks(built)
    assert loaded.matcher.threshold == fresh.matcher.threshold
    conversation = loaded.conversation()
    conversation.ask("What data is generative AI trained on?")
    assert conversation.ask("and LLMs?").intent == "llm_data_inputs"


def test_changing_a_file_makes_a_new_snapshot(tmp_path, write_yaml):
    cache = tmp_path / "cache"
    path = write_yaml(
        "intents:\n  - id: hours\n    questions: [when are you open]\n    answer: From 9.\n"
    )
    assert Bot(path, cache_dir=str(cache)).knowledge.get("hours").answer == "From 9."
    path.write_text(
        "intents:\n  - id: hours\n    questions: [when are you open]\n    answer: From 10.\n",
        encoding="utf-8",
    )
    assert Bot(path, cache_dir=str(cache)).knowledge.get("hours").answer == "From 10."


def test_a_damaged_snapshot_is_rebuilt_not_fatal(tmp_path):
    Bot(cache_dir=str(tmp_path))
    for name in os.listdir(tmp_path):
        if name.startswith(snapshot.PREFIX):
            (tmp_path / name).write_bytes(b"\x00garbage")
    assert Bot(cache_dir=str(tmp_path)).ask("what is an llm").intent == "llm_definition"


def test_an_unwritable_cache_folder_costs_only_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    bot = Bot(bundled_intents_path(), cache_dir=str(blocked / "cache"))
    assert bot.ask("what is an llm").intent == "llm_definition"
