"""The command line: ask, piped input, the --json schema, and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, monkeypatch, argv, stdin=b""):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_ask_answers_one_question(capsys, monkeypatch):
    status, out, err = run(capsys, monkeypatch, ["ask", "can an LLM make pictures?"])
    assert status == 0
    assert err == ""
    assert out.startswith("No.")
    assert "diffusion" in out.lower()


def test_ask_without_quotes_joins_words(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["ask", "what", "is", "an", "llm"])
    assert status == 0
    assert "large language model" in out.lower()


JSON_KEYS = {
    "kind",
    "question",
    "answer",
    "intent",
    "score",
    "matched_question",
    "threshold",
    "threshold_source",
    "alternatives",
    "suggestions",
    "context",
}


def test_ask_json_schema(capsys, monkeypatch, bundled_bot):
    status, out, _ = run(capsys, monkeypatch, ["ask", "--json", "can an LLM make pictures?"])
    assert status == 0
    reply = json.loads(out)
    assert set(reply) == JSON_KEYS
    knowledge = bundled_bot.knowledge
    intent = knowledge.get("llm_image_generation")
    assert (reply["kind"], reply["question"], reply["intent"]) == (
        "answer",
        "can an LLM make pictures?",
        "llm_image_generation",
    )
    assert reply["answer"] == intent.answer
    assert reply["matched_question"] == "do llms make images"
    assert reply["threshold_source"] == "calibrated"
    assert reply["threshold"] < reply["score"] <= 100
    alternatives = reply["alternatives"]
    assert alternatives[0]["intent"] == "llm_image_input"  # the runner-up
    scores = [reply["score"]] + [alternative["score"] for alternative in alternatives]
    assert scores == sorted(scores, reverse=True)
    assert all(set(a) == {"intent", "score"} for a in alternatives)
    # The entry's follow-ups, by their first question.
    assert reply["suggestions"] == [knowledge.get(i).questions[0] for i in intent.follow_ups]
    assert reply["context"] == {"used": False, "resolved": None}


def test_every_kind_of_reply_has_the_documented_json_keys(capsys, monkeypatch):
    lines = "architecture?\nthe second\ntell me more\nwhy?\nno\nbook a flight to rome\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main(["--json"]) == 0
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [reply["kind"] for reply in replies]
    assert kinds == ["clarify", "answer", "more", "why", "fallback", "fallback"]
    for reply in replies:
        assert set(reply) == JSON_KEYS | ({"choices"} if reply["kind"] == "clarify" else set())
    choices = replies[0]["choices"]
    assert [choice["intent"] for choice in choices] == ["llm_architecture", "genai_architecture"]
    assert all(set(choice) == {"intent", "question", "score"} for choice in choices)


def test_fallback_json_has_null_intent_and_offers_closest_questions(
    capsys, monkeypatch, bundled_bot
):
    _, out, _ = run(capsys, monkeypatch, ["ask", "--json", "llm pricing plans"])
    reply = json.loads(out)
    knowledge = bundled_bot.knowledge
    assert (reply["kind"], reply["intent"], reply["matched_question"]) == ("fallback", None, None)
    assert reply["answer"] == knowledge.fallback
    assert reply["score"] < reply["threshold"]
    closest = [alternative["intent"] for alternative in reply["alternatives"]]
    assert reply["score"] == reply["alternatives"][0]["score"]  # the closest one's score
    # One question of each of the closest entries, closest first.
    assert len(reply["suggestions"]) == 3
    for suggestion, intent_id in zip(reply["suggestions"], closest[:3], strict=True):
        assert suggestion in knowledge.get(intent_id).questions


def test_fallback_offers_the_first_questions_when_the_closest_share_only_grammar(
    capsys, monkeypatch, bundled_bot
):
    # "what's the" is all the weather question has in common with any entry: the entries it
    # ranks first are no closer to it than any other, so the bot offers its first questions.
    _, out, _ = run(capsys, monkeypatch, ["ask", "--json", "what's the weather in paris"])
    reply = json.loads(out)
    assert reply["kind"] == "fallback"
    assert reply["alternatives"]
    first = [intent.questions[0] for intent in bundled_bot.knowledge.intents[:3]]
    assert reply["suggestions"] == first


def test_piped_lines_answer_in_order_and_skip_blank_lines(capsys, monkeypatch):
    stdin = b"what is an llm\n\n   \nwhat is generative ai\n"
    status, out, _ = run(capsys, monkeypatch, ["--json"], stdin)
    assert status == 0
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["intent"] for r in replies] == ["llm_definition", "genai_definition"]


def test_piped_plain_output_separates_answers(capsys, monkeypatch):
    _, out, _ = run(capsys, monkeypatch, [], b"hello\nthanks\n")
    assert "\n\n" in out
    assert out.count("You could also ask:") <= 2


def test_piped_invalid_utf8_is_answered_not_fatal(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--json"], b"what is an \xff llm\n")
    assert status == 0
    assert json.loads(out)["intent"] == "llm_definition"


def test_custom_intents_file(capsys, monkeypatch, write_yaml):
    path = write_yaml("intents: [{id: opening, questions: [when are you open], answer: 9 to 5.}]")
    status, out, _ = run(capsys, monkeypatch, ["ask", "--intents", str(path), "are you open now"])
    assert (status, out) == (0, "9 to 5.\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["ask", "--intents", "/no/such/dir", "hi"],
            "chatbot: error: /no/such/dir: no such file or folder\n",
        ),
        (
            ["ask"],
            "chatbot: error: the following arguments are required: question"
            " (see 'chatbot ask --help')\n",
        ),
        (
            ["ask", "--threshold", "200", "hi"],
            "chatbot: error: --threshold must be from 0 to 100\n",
        ),
        (
            ["frobnicate"],
            "chatbot: error: argument COMMAND: invalid choice: 'frobnicate'"
            " (choose from 'ask', 'check', 'eval', 'suggest', 'serve') (see 'chatbot --help')\n",
        ),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, monkeypatch, argv, message):
    status, out, err = run(capsys, monkeypatch, argv)
    assert (status, out, err) == (2, "", message)


def test_broken_intent_file_exits_2_naming_file_and_line(capsys, monkeypatch, write_yaml):
    path = write_yaml("intents:\n  - id: a\n    questions: [x]\n")
    status, _, err = run(capsys, monkeypatch, ["ask", "--intents", str(path), "x"])
    assert status == 2
    assert err == f"chatbot: error: {path}:2: intent 'a': missing key 'answer'\n"


def test_every_command_and_option_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0]
    assert commands.choices
    for name, subparser in commands.choices.items():
        assert subparser.description, name
        helps = {action.dest: action.help for action in subparser._actions}
        assert all(helps.values()), (name, helps)
    assert all(action.help for action in parser._actions)


def test_real_process_no_traceback_and_exit_codes(tmp_path):
    def chatbot(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "chatbot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
            timeout=60,
        )

    answered = chatbot("--json", stdin="can an LLM make pictures?\n")
    assert answered.returncode == 0
    assert json.loads(answered.stdout)["intent"] == "llm_image_generation"
    broken = chatbot("ask", "--intents", "missing.yaml", "hi")
    assert broken.returncode == 2
    assert "Traceback" not in broken.stderr
    assert broken.stderr == "chatbot: error: missing.yaml: no such file or folder\n"


def test_piped_follow_ups_keep_context_across_lines(capsys, monkeypatch):
    stdin = b"What data is generative AI trained on?\nand LLMs?\nwhat about outputs?\n"
    _, out, _ = run(capsys, monkeypatch, ["--json"], stdin)
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["intent"] for r in replies] == ["genai_data_inputs", "llm_data_inputs", "llm_outputs"]
    assert [r["context"]["used"] for r in replies] == [False, True, True]
    assert replies[2]["context"]["resolved"] == "What kind of output does an LLM produce?"


def test_options_before_the_command_name_are_kept(capsys, monkeypatch, write_yaml):
    path = write_yaml("intents: [{id: opening, questions: [when are you open], answer: 9 to 5.}]")
    _, out, _ = run(capsys, monkeypatch, ["--json", "ask", "what is an llm"])
    assert json.loads(out)["intent"] == "llm_definition"
    _, out, _ = run(capsys, monkeypatch, ["--intents", str(path), "ask", "are you open"])
    assert out == "9 to 5.\n"
    _, out, _ = run(capsys, monkeypatch, ["--intents", str(path), "ask", "--json", "open?"])
    assert json.loads(out)["intent"] == "opening"


def test_plain_output_of_a_clarification_lists_the_choices(capsys, monkeypatch):
    _, out, _ = run(capsys, monkeypatch, [], b"architecture?\n")
    lines = out.splitlines()
    assert lines[0].startswith("Did you mean ")
    assert lines[1] == "Choose one:"
    assert lines[2].startswith("  1. ")


def piped(capsys, monkeypatch, lines, *options):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main(list(options)) == 0
    return capsys.readouterr().out


def test_piped_input_runs_the_slash_commands(capsys, monkeypatch):
    out = piped(
        capsys, monkeypatch, "what is an llm\n/why\n/wh\n/frob\n/ what is genai\n/quit\nhi\n"
    )
    blocks = out.split("\n\n")
    assert blocks[1].startswith('You asked:  "what is an llm"\nMatched:    "What is an LLM?"')
    assert "calibrated)" in blocks[1]
    assert blocks[2] == blocks[1]  # a unique prefix runs the command
    assert blocks[3].startswith("Unknown command /frob.")
    assert blocks[4].startswith("Generative AI is")  # a slash and a space: a question
    assert len(blocks) == 5 or blocks[5:] == [""]  # /quit ends the chat: "hi" is not answered
    assert "Hi" not in out.split("\n\n")[-1]


def test_piped_slash_commands_in_json(capsys, monkeypatch):
    out = piped(capsys, monkeypatch, "architecture?\n/why\n/topics\n/nope\n/reset\n", "--json")
    replies = [json.loads(line) for line in out.splitlines()]
    assert [reply["kind"] for reply in replies] == ["clarify", "why", "topics", "error", "reset"]
    why = replies[1]
    assert "which you meant" in why["text"]
    assert why["reply"]["kind"] == "clarify"
    assert why["contributions"]
