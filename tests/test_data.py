"""Data files shipped with the project: the realistic development FAQs and the off-topic list."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chatbot import load_intents
from chatbot.curation.cases import read_cases
from chatbot.matching.text import normalize

ROOT = Path(__file__).resolve().parent.parent
REALISTIC = ROOT / "benchmarks" / "data" / "realistic"
OFF_TOPIC = ROOT / "chatbot" / "data" / "offtopic.txt"
FAQ_NAMES = ("it_helpdesk", "community_library", "online_shop")


def _off_topic_lines() -> list[str]:
    return [
        line
        for line in OFF_TOPIC.read_text(encoding="utf-8").splitlines()
        if not line.startswith("# ")
    ]


@pytest.mark.parametrize("name", FAQ_NAMES)
def test_each_realistic_faq_loads_with_its_cases(name: str) -> None:
    knowledge = load_intents(REALISTIC / f"{name}.yaml")
    suite = read_cases(REALISTIC / f"{name}.cases.yaml", knowledge=knowledge)
    assert 20 <= len(knowledge.intents) <= 25
    # Curated like real FAQs: a title and at most two rephrasings per entry.
    assert all(1 <= len(intent.questions) <= 3 for intent in knowledge.intents)
    in_scope = [case for case in suite.cases if case.intent is not None]
    out_of_scope = [case for case in suite.cases if case.intent is None]
    assert len(in_scope) >= 40
    assert len(out_of_scope) >= 10


@pytest.mark.parametrize("name", FAQ_NAMES)
def test_realistic_cases_are_not_copies_of_stored_or_off_topic_wordings(name: str) -> None:
    knowledge = load_intents(REALISTIC / f"{name}.yaml")
    suite = read_cases(REALISTIC / f"{name}.cases.yaml", knowledge=knowledge)
    stored = {normalize(q) for intent in knowledge.intents for q in intent.questions}
    off_topic = {normalize(line) for line in _off_topic_lines()}
    copied = [c.question for c in suite.cases if normalize(c.question) in stored | off_topic]
    assert copied == []


def test_off_topic_list_has_no_blank_or_repeated_lines() -> None:
    lines = _off_topic_lines()
    assert all(line.strip() for line in lines)
    counts = Counter(normalize(line) for line in lines)
    assert [line for line, count in counts.items() if count > 1] == []
