"""The public value types behave as frozen records: equal by value, immutable, replaceable."""

from __future__ import annotations

import copy
import pickle

import pytest

from chatbot import Alternative, Context, Intent, KnowledgeBase, Match, Reply
from chatbot.intents import Source


def intent(**changes: object) -> Intent:
    fields: dict[str, object] = {"id": "llm_definition", "questions": ("what is an llm",)}
    fields["answer"] = "A large language model."
    return Intent(**{**fields, **changes})  # type: ignore[arg-type]


def test_records_are_equal_by_value_and_hash_alike():
    assert Alternative("a", 50.0) == Alternative("a", 50.0)
    assert Alternative("a", 50.0) != Alternative("a", 51.0)
    assert len({Alternative("a", 50.0), Alternative("a", 50.0), Alternative("b", 1.0)}) == 2
    assert Alternative("a", 50.0) != ("a", 50.0)


def test_intent_equality_ignores_where_it_was_declared():
    here, there = Source("a.yaml", 3), Source("b.yaml", 9)
    assert intent(source=here) == intent(source=there)
    assert intent(source=here) != intent(answer="Something else.", source=here)


def test_records_cannot_be_changed_in_place():
    reply = Reply(text="hi", intent=None, score=0.0, question="hello")
    with pytest.raises(AttributeError, match="Reply is immutable: cannot set 'text'"):
        reply.text = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del reply.text  # type: ignore[misc]
    with pytest.raises(AttributeError):
        reply.extra = 1  # type: ignore[attr-defined]


def test_replace_changes_only_the_named_fields():
    context = Context("llm_outputs", turns_left=5, label="LLMs, outputs")
    older = context.replace(turns_left=4)
    assert (older.intent, older.turns_left, older.label) == ("llm_outputs", 4, "LLMs, outputs")
    assert context.turns_left == 5
    with pytest.raises(TypeError, match="Context has no field"):
        context.replace(turns=4)


def test_knowledge_base_replace_starts_with_fresh_lookups():
    knowledge = KnowledgeBase((intent(),))
    assert knowledge.get("llm_definition") is not None
    renamed = knowledge.replace(intents=(intent(id="llm_meaning"),))
    assert renamed.get("llm_definition") is None
    assert renamed.get("llm_meaning") is not None


def test_repr_names_every_field():
    assert repr(Alternative("a", 50.0)) == "Alternative(intent='a', score=50.0)"
    assert str(Source("faq.yaml", 12)) == "faq.yaml:12"


def test_records_survive_copy_and_pickle():
    match = Match(intent(source=Source("faq.yaml", 2)), 88.5, "what is an llm", (("llm", 40.0),))
    reply = Reply("A large language model.", "llm_definition", 88.5, "what's an llm?")
    for record in (Alternative("a", 1.0), reply, Source("faq.yaml", 2)):
        assert pickle.loads(pickle.dumps(record)) == record
    assert copy.copy(match) == match
    assert copy.copy(match).intent.source == Source("faq.yaml", 2)


def test_records_support_positional_pattern_matching():
    match Alternative("llm_outputs", 61.0):
        case Alternative(name, score) if score > 60:
            assert name == "llm_outputs"
        case _:
            pytest.fail("the pattern did not bind the fields in order")


@pytest.mark.skipif(not hasattr(copy, "replace"), reason="copy.replace is new in Python 3.13")
def test_copy_replace_works_on_records():
    changed = copy.replace(Alternative("a", 1.0), score=2.0)  # type: ignore[attr-defined]
    assert changed == Alternative("a", 2.0)
