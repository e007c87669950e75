"""`chatbot check`: every load error, and warnings that name both sides of a collision."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from chatbot import Intent, KnowledgeBase, Matcher, bundled_intents_path, load_intents
from chatbot.cli import main
from chatbot.curation.check import Finding, check_intents, lint, self_test

ROOT = Path(__file__).resolve().parent.parent

SHOP = """
entities:
  channel:
    phone: [phone, call]
    email: [email, mail]
intents:
  - id: opening_hours
    questions: [when are you open, what are your opening hours, are you open on sunday]
    answer: From 9 to 5, Monday to Friday.
    follow_ups: [contact]
  - id: contact
    questions: [how can i contact you, what is your phone number, how do i reach support]
    answer: Call 555 0100.
    slots: {channel: phone}
  - id: refunds
    questions: [how do i get a refund, can i return an item, i want my money back]
    answer: Within 30 days.
"""

COLLIDING = """
  - id: opening_times
    questions: [When are you OPEN?, opening times, what time do you open]
    answer: 9 to 5.
"""


def messages(report):
    return [str(finding) for finding in report.findings]


def test_a_clean_file_has_no_findings(write_yaml):
    path = write_yaml(SHOP)
    report = check_intents(path)
    assert report.findings == ()
    assert (
        report.summary()
        == "0 errors, 0 warnings in 3 intents, 9 questions (1 file); threshold 40 (default)"
    )


def test_an_entry_colliding_with_an_existing_one_is_named_with_both(write_yaml):
    path = write_yaml(SHOP + COLLIDING)
    found = messages(check_intents(path))
    assert (
        f"{path}:18: warning: intent 'opening_times': question 'When are you OPEN?' is the same "
        f"as 'when are you open' in intent 'opening_hours' ({path}:6)"
    ) in found


def test_nearly_the_same_question_is_found_by_the_matchers_scores(write_yaml):
    path = write_yaml(
        SHOP
        + """
  - id: weekend
    questions: [what are your openning hours, weekend visits, saturday hours]
    answer: Closed on weekends.
"""
    )
    # Not equal as text, but the same to the matcher once the typo is corrected.
    near = [text for text in messages(check_intents(path)) if "nearly the same" in text]
    assert len(near) == 1
    assert near[0].startswith(
        f"{path}:18: warning: intent 'weekend': question 'what are your openning hours' is "
        f"nearly the same as 'what are your opening hours' in intent 'opening_hours' "
        f"({path}:6): asked '"
    )
    scores = near[0].split("the matcher scores ")[1]
    assert "'opening_hours' " in scores
    assert "'weekend' " in scores


def test_confusable_intents_from_the_leave_one_out_self_test(write_yaml):
    path = write_yaml(
        """
        intents:
          - id: password_reset
            questions: [reset my password, i forgot my password, change my password]
            answer: Use the reset link.
          - id: password_help
            questions: [password reset, forgot password, password change help]
            answer: Use the link on the login page.
          - id: refunds
            questions: [how do i get a refund, can i return an item, i want my money back]
            answer: Within 30 days.
        """
    )
    confusable = [text for text in messages(check_intents(path)) if "confusable" in text]
    assert confusable
    assert all("'password_reset'" in text and "'password_help'" in text for text in confusable)
    # Said once, at the intent that loses the larger share of its questions to the other.
    assert len(confusable) == 1
    assert confusable[0].startswith(
        f"{path}:5: warning: intent 'password_help': confusable with intent 'password_reset': "
    )
    assert (
        "of its 3 questions, each left out in turn, are answered by 'password_reset'"
        in (confusable[0])
    )


def test_references_that_point_nowhere_and_thin_intents(write_yaml):
    text = (
        SHOP.replace("follow_ups: [contact]", "follow_ups: [contact_us, refunds]")
        .replace("slots: {channel: phone}", "slots: {channel: fax, chanel: email}")
        .replace(", i want my money back", "")
    )
    path = write_yaml(text)
    assert messages(check_intents(path)) == [
        f"{path}:6: warning: intent 'opening_hours': follow-up 'contact_us' is not an intent "
        "(did you mean 'contact'?)",
        f"{path}:10: warning: intent 'contact': slot 'chanel' names an entity that no file "
        "declares (did you mean 'channel'?)",
        f"{path}:10: warning: intent 'contact': slot 'channel: fax' names a value that entity "
        "'channel' does not declare",
        # With one of its two wordings left out, "how do i get a refund" is no longer answered:
        # the entry needs more wordings.
        f"{path}:14: warning: intent 'refunds': only 2 questions, and with 'how do i get a "
        "refund' left out, its other wordings and its answer do not reach it (asked, it gets no "
        "answer); add the wordings people use",
    ]


def test_an_entry_of_one_question_that_its_answer_does_not_reach(write_yaml):
    path = write_yaml(
        "intents:\n"
        "  - id: vpn\n    questions: [how do i connect to the vpn, vpn not working]\n"
        "    answer: Install the client from the portal.\n"
        "  - id: two_factor\n    questions: [how do i turn on two factor authentication]\n"
        "    answer: Open Settings, then Security.\n"
    )
    thin = [line for line in messages(check_intents(path)) if "intent 'two_factor'" in line]
    assert thin == [
        f"{path}:5: warning: intent 'two_factor': only 1 question, and with 'how do i turn on "
        "two factor authentication' left out, its answer does not reach it (asked, it gets no "
        "answer); add the wordings people use"
    ]


def test_empty_and_overlong_answers():
    questions = ("how do i get a refund", "can i return an item", "i want my money back")
    knowledge = KnowledgeBase.of(
        [
            Intent(id="refunds", questions=questions, answer=" "),
            Intent(id="essay", questions=("tell me everything", "a", "b"), answer="x" * 1201),
        ]
    )
    assert [finding.message for finding in lint(knowledge)] == [
        "the answer is 1201 characters long; keep it within 1200 and move details to 'more'",
        "the answer is empty",
    ]
    assert str(lint(knowledge)[1]) == "warning: intent 'refunds': the answer is empty"


def test_every_error_is_reported_not_only_the_first(write_yaml, tmp_path):
    bad = write_yaml(
        """
        intents:
          - id: one
            questions: what
            answer: x
          - id: two
            questions: [a, b, c]
          - id: one
            questions: [d]
            answer: y
            folow_ups: [x]
        """,
        "a.yaml",
    )
    broken = write_yaml("intents:\n  - id: z\n    questions: [a\n", "b.yaml")
    report = check_intents(tmp_path)
    assert messages(report) == [
        f"{bad}:3: intent 'one': 'questions' must be a list of strings, got str",
        f"{bad}:5: intent 'two': missing key 'answer'",
        f"{bad}:10: intent 'one': unknown key 'folow_ups' (did you mean 'follow_ups'?); "
        "expected one of: id, questions, answer, more, why, follow_ups, slots, topic, sets_context",
        f"{broken}:4: invalid YAML: while parsing a flow sequence: did not find expected ',' "
        "or ']'",
    ]
    assert report.summary() == "4 errors, 0 warnings (warnings are checked once the files load)"


def test_self_test_with_enough_folds_is_exact_leave_one_out(write_yaml):
    knowledge = load_intents(write_yaml(SHOP + COLLIDING))
    verdicts = self_test(knowledge, folds=1000)
    for verdict in verdicts:
        reduced = knowledge.replace(
            intents=tuple(
                intent.replace(
                    questions=tuple(q for q in intent.questions if q != verdict.question),
                )
                for intent in knowledge
            ),
        )
        expected = Matcher(reduced).match(verdict.question)
        assert (verdict.match.intent.id if verdict.match else None) == (
            expected.intent.id if expected else None
        ), verdict.question
    assert len(verdicts) == sum(len(intent.questions) for intent in knowledge)


def test_cli_exit_codes_strict_and_summary(capsys, write_yaml):
    clean = write_yaml(SHOP, "clean.yaml")
    colliding = write_yaml(SHOP + COLLIDING, "colliding.yaml")
    assert main(["check", str(clean)]) == 0
    assert (
        capsys.readouterr().out
        == "0 errors, 0 warnings in 3 intents, 9 questions (1 file); threshold 40 (default)\n"
    )
    assert main(["check", str(colliding)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("is the same as 'when are you open'" in line for line in out)
    assert out[-1].startswith("0 errors, ")
    assert main(["check", "--strict", str(colliding)]) == 1
    capsys.readouterr()
    assert main(["check", str(clean), "missing.yaml"]) == 1
    assert capsys.readouterr().out == (
        "missing.yaml: no such file or folder\n"
        "1 error, 0 warnings (warnings are checked once the files load)\n"
    )


def test_cli_json_is_a_list_of_findings(capsys, write_yaml):
    path = write_yaml(SHOP + COLLIDING)
    assert main(["check", "--json", str(path)]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert all(set(item) == {"level", "path", "line", "intent", "message"} for item in findings)
    assert {
        "level": "warning",
        "path": str(path),
        "line": 18,
        "intent": "opening_times",
        "message": "question 'When are you OPEN?' is the same as 'when are you open' in intent "
        f"'opening_hours' ({path}:6)",
    } in findings


def test_cli_usage_error_exits_2(capsys):
    assert main(["check", "--bogus"]) == 2
    assert capsys.readouterr().err == (
        "chatbot: error: unrecognized arguments: --bogus (see 'chatbot --help')\n"
    )


def test_bundled_faq_passes_a_strict_check(capsys):
    # The FAQ we ship is the example curators copy: no collisions, no confusable entries.
    assert main(["check", "--strict"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [out[-1]]
    assert out[-1].startswith("0 errors, 0 warnings in 29 intents")


@pytest.mark.parametrize(
    ("finding", "text"),
    [
        (Finding("error", "f.yaml", 3, "a", "bad"), "f.yaml:3: intent 'a': bad"),
        (Finding("warning", "f.yaml", None, None, "odd"), "f.yaml: warning: odd"),
        (Finding("warning", None, None, "a", "odd"), "warning: intent 'a': odd"),
    ],
)
def test_finding_text(finding, text):
    assert str(finding) == text


LLM_MEANING = """
  - id: llm_meaning
    questions:
      - what does the abbreviation LLM mean
      - what is an llm?
      - what is a large language model exactly
    answer: LLM is short for large language model.
"""


def test_a_shared_question_is_one_warning_and_the_clearest_example(tmp_path):
    # The bundled FAQ with a new entry repeating one of its questions: any rival now scores
    # close to that question, but the only problem is the repeat, and it is said once.
    for source in bundled_intents_path().glob("*.yaml"):
        text = source.read_text(encoding="utf-8")
        (tmp_path / source.name).write_text(
            text + LLM_MEANING if source.name == "faq.yaml" else text, encoding="utf-8"
        )
    found = messages(check_intents(tmp_path))
    about_repeat = [text for text in found if "question 'what is an llm?'" in text]
    assert len(about_repeat) == 1
    assert "is the same as 'What is an LLM?' in intent 'llm_definition'" in about_repeat[0]
    confusable = [text for text in found if "confusable" in text]
    assert len(confusable) == 1
    # The example is one of the new entry's questions, answered by the old one.
    example = re.search(r"\(e\.g\. '([^']+)' matches '([^']+)', \d+\.\d\)", confusable[0])
    assert example is not None
    assert example.group(1) in LLM_MEANING


def test_several_processes_find_the_same_warnings_as_one(write_yaml, monkeypatch):
    import chatbot.curation.check as check

    path = write_yaml(
        SHOP
        + COLLIDING
        + """
  - id: weekend
    questions: [what are your openning hours, weekend visits, saturday hours]
    answer: Closed on weekends.
  - id: password_reset
    questions: [reset my password, i forgot my password, change my password]
    answer: Use the reset link.
  - id: password_help
    questions: [password reset, forgot password, password change help]
    answer: Use the link on the login page.
"""
    )
    knowledge = load_intents(path)
    alone = [str(finding) for finding in lint(knowledge, workers=1)]
    # Small knowledge bases are checked in one process whatever is asked; here, not.
    monkeypatch.setattr(check, "PARALLEL_QUESTIONS", 0)
    shared = [str(finding) for finding in lint(knowledge, workers=2)]
    assert shared == alone
    assert any("nearly the same" in text for text in alone)
    assert any("confusable" in text for text in alone)
    verdicts = self_test(knowledge, workers=3)
    assert [(v.intent.id, v.question, v.match and v.match.intent.id) for v in verdicts] == [
        (v.intent.id, v.question, v.match and v.match.intent.id)
        for v in self_test(knowledge, workers=1)
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_the_questions_asked_up_to_all_and_changes_no_warning(workers, monkeypatch):
    import chatbot.curation.check as check

    monkeypatch.setattr(check, "PARALLEL_QUESTIONS", 0)  # so that two processes share it
    knowledge = load_intents(bundled_intents_path())
    total = sum(len(intent.questions) for intent in knowledge)
    reports: list[tuple[int, int]] = []
    with_progress = lint(knowledge, workers=workers, progress=lambda *pair: reports.append(pair))
    assert [str(finding) for finding in with_progress] == [
        str(finding) for finding in lint(knowledge, workers=workers)
    ]
    asked = [done for done, _ in reports]
    assert {whole for _, whole in reports} == {total}
    assert asked[0] == 0
    assert asked[-1] == total
    assert asked == sorted(asked)
    assert len(asked) > 10


def check_in_a_terminal(path, *, stderr_to_file=None) -> str:
    """What `chatbot check` shows in a real pseudo-terminal (stderr sent to a file if asked)."""
    pexpect = pytest.importorskip("pexpect")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm",
        "NO_COLOR": "1",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # pexpect cannot answer the cursor position query
    }
    command = f"{sys.executable} -m chatbot check --jobs 1 {path}"
    if stderr_to_file is not None:
        command = f"/bin/sh -c '{command} 2>{stderr_to_file}'"
    output, status = pexpect.run(
        command, env=env, encoding="utf-8", timeout=120, withexitstatus=True, dimensions=(24, 100)
    )
    assert status == 0, output
    return str(output)


def test_a_large_check_shows_its_progress_on_a_terminal_and_nowhere_else(tmp_path):
    # 1,008 questions: 112 intents of 9, each about one made-up thing.
    lines = ["intents:"]
    for number in range(112):
        thing = f"gadget{number}"
        lines.append(f"  - id: {thing}")
        lines.append("    questions:")
        for pattern in (
            "how do i reset my {}",
            "my {} will not start",
            "where can i buy a {}",
            "is the {} waterproof",
            "how much does a {} cost",
            "can i return my {}",
            "the {} makes a noise",
            "update the {} software",
            "charge my {}",
        ):
            lines.append(f"      - {pattern.format(thing)}")
        lines.append(f"    answer: All about the {thing}.")
    path = tmp_path / "gadgets.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shown = check_in_a_terminal(path)
    assert "questions 100.0% [" in shown
    assert "1008/1008" in shown
    assert "in 112 intents, 1008 questions (1 file)" in shown
    # With stderr off the terminal, nothing but the report.
    errors = tmp_path / "stderr.txt"
    plain = check_in_a_terminal(path, stderr_to_file=errors)
    assert "questions" not in errors.read_text(encoding="utf-8")
    assert "%" not in plain
    assert "in 112 intents, 1008 questions (1 file)" in plain


def test_check_jobs_must_be_a_positive_number(capsys):
    assert main(["check", "--jobs", "0"]) == 2
    assert capsys.readouterr().err.startswith("chatbot: error: --jobs must be 1 or more")
