"""What `--json` and plain output print, to the digit (written against surviving mutants)."""

from __future__ import annotations

import json

from chatbot.cli import main
from chatbot.dialogue.replies import Alternative, Reply
from chatbot.render import format_reply, reply_to_json
from chatbot.safe_text import json_text


def test_json_scores_and_thresholds_have_two_decimals():
    reply = Reply(
        "No.",
        "llm_image_generation",
        89.8449,
        "can an llm make pictures",
        matched_question="do llms make images",
        alternatives=(Alternative("llm_image_input", 77.4651), Alternative("genai", 3.0)),
        threshold=30.856,
        threshold_source="calibrated",
    )
    data = reply_to_json(reply)
    assert (data["score"], data["threshold"]) == (89.84, 30.86)
    assert data["alternatives"] == [
        {"intent": "llm_image_input", "score": 77.47},
        {"intent": "genai", "score": 3.0},
    ]
    assert all(isinstance(item["score"], float) for item in data["alternatives"])
    assert "choices" not in data


def test_a_clarification_lists_each_choice_with_its_question_and_score():
    reply = Reply(
        "Did you mean A or B?",
        None,
        51.0,
        "architecture?",
        alternatives=(Alternative("llm_architecture", 61.236), Alternative("genai_arch", 60.5)),
        suggestions=("What architecture do LLMs use?", "What architecture does gen AI use?", "x"),
        kind="clarify",
        offered=("llm_architecture", "genai_arch", "not_scored"),
    )
    assert reply_to_json(reply)["choices"] == [
        {
            "intent": "llm_architecture",
            "question": "What architecture do LLMs use?",
            "score": 61.24,
        },
        {"intent": "genai_arch", "question": "What architecture does gen AI use?", "score": 60.5},
        {"intent": "not_scored", "question": "x", "score": 0.0},
    ]
    # One choice more than there are questions: the extra one is left out, not an error.
    fewer = reply.replace(suggestions=reply.suggestions[:2])
    assert [choice["intent"] for choice in reply_to_json(fewer)["choices"]] == [
        "llm_architecture",
        "genai_arch",
    ]


def test_plain_output_introduces_the_suggestions_by_the_kind_of_reply():
    answer = Reply("An LLM is ...", "llm", 80.0, "q", suggestions=("What is AI?", "Why?"))
    assert format_reply(answer) == "An LLM is ...\nYou could also ask:\n  1. What is AI?\n  2. Why?"
    fallback = answer.replace(intent=None, kind="fallback", text="Sorry.")
    assert format_reply(fallback).splitlines()[1] == "Closest questions I know:"
    assert format_reply(answer.replace(suggestions=())) == "An LLM is ..."


def test_json_output_is_readable_unicode_with_controls_escaped():
    text = json_text({"answer": "café \x9b2J naïve"})
    assert text == '{"answer": "café \\u009b2J naïve"}'
    assert json.loads(text) == {"answer": "café \x9b2J naïve"}
    assert json_text([1, 2], indent=2) == "[\n  1,\n  2\n]"


def test_eval_json_is_indented_for_reading(capsys, shop_intents, write_yaml):
    cases = write_yaml(
        "cases:\n  - {question: when are you open, intent: opening_hours}\n", "c.yaml"
    )
    assert main(["eval", str(cases), "--intents", str(shop_intents), "--json"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('{\n  "passed": 1,\n  "total": 1,\n')
    assert json.loads(out)["accuracy"] == 1.0
