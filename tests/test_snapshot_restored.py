"""A second start reads the snapshot the first one saved, and the threshold says where it is from.

A snapshot that fails to load is rebuilt without a word (it only saves time), so the answers
alone cannot tell a restored matcher from a rebuilt one: these tests load it directly.
"""

from __future__ import annotations

import json

import pytest

from chatbot import Bot, bundled_intents_path
from chatbot.cli import main
from chatbot.loading.loader import intent_files
from chatbot.matching import snapshot
from chatbot.matching.matcher import Matcher

SETTINGS_FILE = """
intents:
  - id: hours
    questions: [when are you open, what are your opening hours]
    answer: From 9 to 5.
  - id: parking
    questions: [where can i park, is there parking]
    answer: Behind the shop.
settings:
  threshold: 55
"""


def restored(cache: str, *paths: object, threshold: float | None = None) -> Matcher:
    loaded = snapshot.load(cache, snapshot.key(intent_files(*paths)), threshold=threshold)
    assert loaded is not None, "the snapshot was not restored"
    return loaded


def test_the_bundled_snapshot_is_restored_with_its_entities_and_threshold(tmp_path):
    built = Bot(cache_dir=str(tmp_path)).matcher
    matcher = restored(str(tmp_path), bundled_intents_path())
    assert matcher.knowledge == built.knowledge
    assert (matcher.threshold, matcher.threshold_source) == (
        built.threshold,
        built.threshold_source,
    )
    # Entities ("LLMs" as a subject) are found by the restored matcher as by the built one.
    question = "what data are llms trained on"
    assert matcher.read(question).mentions == built.read(question).mentions != ()
    best = matcher.rank(question, limit=1)[0]
    assert (best.intent.id, best.score) == (
        built.rank(question, limit=1)[0].intent.id,
        built.rank(question, limit=1)[0].score,
    )


@pytest.mark.parametrize(
    ("threshold", "expected"), [(None, (55.0, "settings")), (70, (70.0, "argument"))]
)
def test_a_restored_matcher_keeps_the_threshold_of_its_settings(
    tmp_path, write_yaml, threshold, expected
):
    path = write_yaml(SETTINGS_FILE)
    cache = str(tmp_path / "cache")
    Bot(path, cache_dir=cache)
    matcher = restored(cache, path, threshold=threshold)
    assert (matcher.threshold, matcher.threshold_source) == expected
    assert matcher.match("when are you open").intent.id == "hours"


def test_json_says_the_threshold_came_from_the_settings(write_yaml, capsys):
    path = write_yaml(SETTINGS_FILE)
    assert main(["ask", "--json", "--intents", str(path), "where can i park"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert (reply["intent"], reply["threshold"], reply["threshold_source"]) == (
        "parking",
        55.0,
        "settings",
    )
