"""Cases files for `chatbot eval`: the repository's own load; broken ones get exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.curation.cases import read_cases
from chatbot.errors import CasesFileError

TESTS = Path(__file__).resolve().parent


def test_the_repository_cases_and_conversations_are_valid_inputs(bundled_bot):
    conversations = sorted((TESTS / "conversations").glob("*.yaml"))
    suite = read_cases(
        TESTS / "cases" / "faq.yaml", *conversations, knowledge=bundled_bot.knowledge
    )
    assert len(suite.cases) >= 80
    assert suite.conversations
    assert all(len(turns) >= 2 for turns in suite.conversations)
    first = suite.conversations[0][1]
    assert first.label == "conversation 1, turn 2"
    assert first.location.startswith(f"{conversations[0]}:")


def test_cases_keep_their_place_and_null_means_fall_back(write_yaml):
    path = write_yaml(
        """
        cases:
          - {question: what is an llm, intent: llm_definition}
          - question: book a flight to rome
            intent: null
          - {question: 42, intent: ~}
        """
    )
    suite = read_cases(path)
    assert [(case.question, case.intent, case.line, case.label) for case in suite] == [
        ("what is an llm", "llm_definition", 2, "case 1"),
        ("book a flight to rome", None, 3, "case 2"),
        ("42", None, 5, "case 3"),
    ]


BROKEN = """
cases:
  - {question: what is an llm, intent: llm_defintion}
  - {question: "", intent: null}
  - {question: hi}
  - {question: hi, intnet: greeting}
  - just a string
  - {question: hi, intent: [a]}
  - {question: hi, intent: greeting, question: again}
conversations:
  - - {question: hi, intent: greeting}
  - []
  - {question: x, intent: y}
extra: 1
"""


def test_every_problem_is_reported_with_its_line(write_yaml, bundled_bot):
    path = write_yaml(BROKEN)
    with pytest.raises(CasesFileError) as caught:
        read_cases(path, knowledge=bundled_bot.knowledge)
    assert [error.location_message() for error in caught.value.all_errors] == [
        f"{path}:2: case 1: unknown intent 'llm_defintion' (did you mean 'llm_definition'?)",
        f"{path}:3: case 2: 'question' must be a non-empty string",
        f"{path}:4: case 3: missing key 'intent' (use null for a question that must fall back)",
        f"{path}:5: case 4: unknown key 'intnet' (did you mean 'intent'?); "
        "expected one of: question, intent, kind, context",
        f"{path}:5: case 4: missing key 'intent' (use null for a question that must fall back)",
        f"{path}:6: case 5: expected a mapping {{question: ..., intent: ...}}, got string",
        f"{path}:7: case 6: 'intent' must be an intent id or null, got list",
        f"{path}:8: case 7: duplicate key 'question'",
        f"{path}:11: conversation 2 has no turns",
        f"{path}:12: conversation 3 must be a list, got mapping",
        f"{path}:13: unknown key 'extra'; expected one of: cases, conversations",
    ]
    assert str(caught.value) == (
        f"{path}:2: case 1: unknown intent 'llm_defintion' (did you mean 'llm_definition'?) "
        "(and 10 more errors)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "{path}: the file is empty; expected 'cases' and/or 'conversations'"),
        (
            "- a\n",
            "{path}:1: expected a mapping with 'cases' and/or 'conversations' at the top, got list",
        ),
        ("cases: []\n", "{path}:1: no cases or conversations to run"),
        ("cases: {question: a}\n", "{path}:1: 'cases' must be a list, got mapping"),
        (
            "cases:\n  - {question: a, intent: b\n",
            "{path}:3: invalid YAML: while parsing a flow "
            "mapping: did not find expected ',' or '}'",
        ),
        ("tests: []\n", "{path}:1: unknown key 'tests'; expected one of: cases, conversations"),
    ],
)
def test_broken_files(write_yaml, text, message):
    path = write_yaml(text)
    with pytest.raises(CasesFileError) as caught:
        read_cases(path)
    assert str(caught.value).split(" (and ")[0] == message.replace("{path}", str(path))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CasesFileError, match=r"^nope\.yaml: no such file$"):
        read_cases("nope.yaml")
    with pytest.raises(CasesFileError, match=r"no .yaml or .yml files in this folder$"):
        read_cases(tmp_path)


def test_a_folder_reads_every_yaml_file_in_it(tmp_path):
    (tmp_path / "b.yaml").write_text("cases: [{question: hi, intent: greeting}]")
    (tmp_path / "a.yml").write_text("conversations: [[{question: hello, intent: greeting}]]")
    (tmp_path / "notes.txt").write_text("not cases")
    suite = read_cases(tmp_path)
    assert [case.question for case in suite] == ["hi", "hello"]
    assert [Path(case.path).name for case in suite] == ["b.yaml", "a.yml"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(CasesFileError) as caught:
        read_cases(tmp_path / "empty")
    assert str(caught.value) == f"{tmp_path / 'empty'}: no .yaml or .yml files in this folder"
