"""The public value types behave as frozen records: equal by value, immutable, replaceable."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from chatbot import Alternative, Bot, Context, Intent, KnowledgeBase, Match, Reply
from chatbot.intents import Source
from chatbot.records import FrozenDict, Record


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


# Real values, from the bundled FAQ: an answered reply with a match, alternatives and slots; a
# reply resolved from context; the context a turn leaves; and what they are made of.
@pytest.fixture(scope="module")
def real(bundled_bot: Bot) -> dict[str, Record]:
    conversation = bundled_bot.conversation()
    answered = conversation.ask("what do llms output")
    context = conversation.context
    follow_up = conversation.ask("and generative AI?")
    assert answered.match is not None
    assert answered.alternatives
    assert answered.match.intent.slots
    assert context is not None
    assert follow_up.context_used
    intent = answered.match.intent
    assert intent.source is not None
    return {
        "Intent": intent,
        "KnowledgeBase": bundled_bot.knowledge,
        "Source": intent.source,
        "Match": answered.match,
        "Reply": answered,
        "follow-up Reply": follow_up,
        "Alternative": answered.alternatives[0],
        "Context": context,
    }


NAMES = [
    "Intent",
    "KnowledgeBase",
    "Source",
    "Match",
    "Reply",
    "follow-up Reply",
    "Alternative",
    "Context",
]


@pytest.mark.parametrize("name", NAMES)
def test_real_records_pickle_back_to_equal_records(real: dict[str, Record], name: str):
    record = real[name]
    loaded = pickle.loads(pickle.dumps(record))
    assert type(loaded) is type(record)
    assert loaded == record
    assert loaded.to_dict() == record.to_dict()


@pytest.mark.parametrize("name", NAMES)
def test_real_records_hash_by_value_and_go_in_sets(real: dict[str, Record], name: str):
    record = real[name]
    twin = copy.deepcopy(record)
    assert twin is not record
    assert hash(twin) == hash(record)
    assert len({record, twin}) == 1
    assert {record: "seen"}[twin] == "seen"


CHANGES = {
    "Intent": ("answer", "Changed."),
    "KnowledgeBase": ("threshold", 55.0),
    "Source": ("line", 1),
    "Match": ("score", 1.0),
    "Reply": ("text", "Changed."),
    "follow-up Reply": ("context_used", False),
    "Alternative": ("score", 1.0),
    "Context": ("turns_left", 1),
}


@pytest.mark.parametrize("name", NAMES)
def test_real_records_replace_gives_a_changed_copy(real: dict[str, Record], name: str):
    record = real[name]
    field, value = CHANGES[name]
    before = getattr(record, field)
    assert record.replace() == record
    changed = record.replace(**{field: value})
    assert changed != record
    assert getattr(changed, field) == value
    assert getattr(record, field) == before
    others = [name for name in record._fields if name != field]
    assert all(getattr(changed, other) == getattr(record, other) for other in others)


def test_intent_to_dict_is_json_data_with_its_source(real: dict[str, Record]):
    data = real["Intent"].to_dict()
    assert list(data) == [
        "id",
        "questions",
        "answer",
        "more",
        "why",
        "follow_ups",
        "slots",
        "topic",
        "sets_context",
        "source",
    ]
    assert data["id"] == "llm_outputs"
    assert data["slots"] == {"subject": "llm", "aspect": "outputs"}
    assert type(data["slots"]) is dict
    assert isinstance(data["questions"], list)
    assert data["source"] == {"path": real["Source"].path, "line": real["Source"].line}
    assert json.loads(json.dumps(data)) == data
    assert real["Intent"].replace(source=None).to_dict()["source"] is None


def test_reply_to_dict_nests_its_match_and_alternatives(real: dict[str, Record]):
    data = real["Reply"].to_dict()
    assert list(data) == [
        "text",
        "intent",
        "score",
        "question",
        "matched_question",
        "alternatives",
        "suggestions",
        "kind",
        "context_used",
        "resolved",
        "threshold",
        "match",
        "offered",
        "threshold_source",
    ]
    assert data["intent"] == "llm_outputs"
    assert data["offered"] == list(real["Reply"].offered)
    assert data["alternatives"][0] == real["Alternative"].to_dict()
    assert set(data["alternatives"][0]) == {"intent", "score"}
    assert list(data["match"]) == ["intent", "score", "question", "contributions"]
    assert data["match"]["intent"]["id"] == "llm_outputs"
    assert all(isinstance(pair, list) for pair in data["match"]["contributions"])
    assert json.loads(json.dumps(data)) == data


def test_context_and_knowledge_base_to_dict_are_json_data(real: dict[str, Record]):
    context = real["Context"].to_dict()
    assert context == {
        "intent": "llm_outputs",
        "slots": {"subject": "llm", "aspect": "outputs"},
        "turns_left": 5,
        "label": "LLMs, outputs",
        "question": "what do llms output",
    }
    knowledge = real["KnowledgeBase"].to_dict()
    assert list(knowledge) == [
        "intents",
        "synonyms",
        "entities",
        "threshold",
        "context_turns",
        "fallback",
        "sources",
    ]
    assert len(knowledge["intents"]) == len(real["KnowledgeBase"].intents)  # type: ignore[attr-defined]
    assert knowledge["entities"]["subject"]["llm"]
    assert json.loads(json.dumps(knowledge)) == knowledge


def test_a_pickled_knowledge_base_leaves_its_lookups_behind_and_still_finds_intents(
    real: dict[str, Record],
):
    knowledge = real["KnowledgeBase"]
    assert isinstance(knowledge, KnowledgeBase)
    knowledge.get("llm_outputs")
    knowledge.with_slots({"subject": "llm", "aspect": "outputs"})
    fresh = knowledge.replace()
    # The lookups built on first use change neither the pickle nor equality.
    assert pickle.dumps(knowledge) == pickle.dumps(fresh)
    assert knowledge == fresh
    loaded = pickle.loads(pickle.dumps(knowledge))
    assert loaded.get("llm_outputs") == knowledge.get("llm_outputs")
    found = loaded.with_slots({"subject": "genai", "aspect": "outputs"})
    assert found is not None
    assert found.id == "genai_outputs"


def test_mapping_fields_are_read_only_dicts_even_when_given_plain_ones():
    made = intent(slots={"subject": "llm"})
    assert made.slots == {"subject": "llm"}
    assert hash(made) == hash(intent(slots={"subject": "llm"}))
    read_only = r"^FrozenDict is read-only; copy it with dict\(\) to change it$"
    with pytest.raises(TypeError, match=read_only):
        made.slots["subject"] = "genai"  # type: ignore[index]
    knowledge = KnowledgeBase((made,), entities={"subject": {"llm": ("llm", "llms")}})
    assert isinstance(knowledge.entities["subject"], FrozenDict)
    assert pickle.loads(pickle.dumps(knowledge)) == knowledge
    context = Context("llm_definition", slots={"subject": "llm"})
    assert len({context, Context("llm_definition", slots={"subject": "llm"})}) == 1


def test_frozen_dict_refuses_every_change_and_copies_to_a_plain_dict():
    frozen = FrozenDict({"subject": "llm"})
    changes = [
        lambda: frozen.update(aspect="outputs"),
        lambda: frozen.setdefault("aspect", "outputs"),
        lambda: frozen.pop("subject"),
        frozen.popitem,
        frozen.clear,
        lambda: frozen.__delitem__("subject"),
        lambda: frozen.__ior__({"aspect": "outputs"}),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert frozen == {"subject": "llm"}
    assert type(frozen | {"aspect": "outputs"}) is dict
    assert type(dict(frozen)) is dict
    assert repr(frozen) == "FrozenDict({'subject': 'llm'})"
