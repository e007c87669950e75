"""What README.md and SECURITY.md promise about the library's objects holds as written."""

from __future__ import annotations

import re
import threading

import pytest

from chatbot import Bot, Intent, Matcher


@pytest.mark.parametrize(
    ("target", "name", "value"),
    [
        ("bot", "knowledge", None),
        ("bot", "matcher", None),
        ("bot", "threshold", 10),
        ("matcher", "threshold", 10),
        ("matcher", "knowledge", None),
        ("matcher", "analyzer", None),
        ("matcher", "_index", None),
    ],
)
def test_bot_and_matcher_attributes_cannot_be_set_or_deleted(bundled_bot, target, name, value):
    owner = bundled_bot if target == "bot" else bundled_bot.matcher
    kind = type(owner).__name__
    before = bundled_bot.ask("can an llm make pictures")
    with pytest.raises(AttributeError, match=f"^{kind} is immutable: cannot set '{name}'$"):
        setattr(owner, name, value)
    if hasattr(owner, name):
        with pytest.raises(AttributeError, match=f"^{kind} is immutable: cannot delete '{name}'$"):
            delattr(owner, name)
    # Nothing changed: the shared bot answers as before.
    assert bundled_bot.ask("can an llm make pictures") == before


def test_the_documented_assignments_raise_attribute_error(bundled_bot):
    with pytest.raises(AttributeError):
        bundled_bot.matcher.threshold = 10
    with pytest.raises(AttributeError):
        bundled_bot.knowledge = None
    assert bundled_bot.matcher.threshold != 10
    assert bundled_bot.knowledge is bundled_bot.matcher.knowledge


def test_a_matcher_still_works_out_its_threshold_on_first_use():
    intents = [
        Intent(id=f"topic_{number}", questions=(f"question about topic {word}",), answer="A.")
        for number, word in enumerate(
            ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
        )
    ]
    matcher = Matcher(intents)
    thresholds: list[float] = []
    threads = [
        threading.Thread(target=lambda: thresholds.append(matcher.threshold)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(thresholds)) == 1
    assert matcher.threshold_source == "calibrated"
    assert 30 <= matcher.threshold <= 70


def test_argument_type_errors_are_type_errors_as_the_readme_says():
    intent = Intent(id="a", questions=("hi",), answer="Hello.")
    message = "Bot() takes paths or Intent objects, not a mix or anything else"
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        Bot([intent, 42])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"^Intent has no field\(s\) named bogus$"):
        intent.replace(bogus=1)
