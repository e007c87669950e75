"""`chatbot eval`: running cases and conversations, the report, sweeps and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chatbot import Bot
from chatbot.cli import main
from chatbot.curation.cases import Case, Suite, read_cases
from chatbot.curation.evaluate import Evaluation, Outcome, evaluate, run_cases

TESTS = Path(__file__).resolve().parent

CASES = """
cases:
  - {question: what time do you open, intent: opening_hours}
  - {question: can i have a refund please, intent: refunds}
  - {question: what is your phone number please, intent: refunds}   # wrong on purpose
  - {question: book a flight to rome, intent: null}
conversations:
  - - {question: when are you open on sunday, intent: opening_hours}
    - {question: how can i reach support, intent: contact}
"""


@pytest.fixture
def shop(shop_intents, write_yaml):
    return shop_intents, write_yaml(CASES, "cases.yaml")


def test_one_wrong_expectation_fails_the_run_and_names_the_case(capsys, shop):
    intents, cases = shop
    assert main(["eval", str(cases), "--intents", str(intents)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["Failed:", f"  {cases}:4: case 3: 'what is your phone number please'"]
    assert out[2].startswith("    expected refunds, got contact (")
    assert out[4:6] == ["Most confused (expected -> got):", "    1  refunds -> contact"]
    assert out[-1] == (
        "passed 5/6 (accuracy 83.3% at threshold 40, default); out-of-scope recall 100.0% (1/1)"
    )


def test_min_accuracy_relaxes_the_exit_status(capsys, shop):
    intents, cases = shop
    assert main(["eval", str(cases), "--intents", str(intents), "--min-accuracy", "0.8"]) == 0
    assert main(["eval", str(cases), "--intents", str(intents), "--min-accuracy", "0.9"]) == 1
    summaries = [line for line in capsys.readouterr().out.splitlines() if line.startswith("passed")]
    # 5 of 6 is 0.833: at least 0.8, short of 0.9.
    assert summaries == [summaries[0]] * 2
    assert summaries[0].startswith("passed 5/6 (accuracy 83.3% ")
    assert main(["eval", str(cases), "--min-accuracy", "95"]) == 2
    assert capsys.readouterr().err == "chatbot: error: --min-accuracy must be from 0 to 1\n"


def test_json_report(capsys, shop):
    intents, cases = shop
    assert main(["eval", str(cases), "--intents", str(intents), "--json", "--sweep"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["passed"], report["total"], report["out_of_scope_recall"]) == (5, 6, 1.0)
    assert report["accuracy"] == pytest.approx(5 / 6, abs=1e-4)
    [failure] = report["failures"]
    assert {key: failure[key] for key in ("path", "line", "case", "expected", "got")} == {
        "path": str(cases),
        "line": 4,
        "case": "case 3",
        "expected": "refunds",
        "got": "contact",
    }
    assert report["confused"] == [{"expected": "refunds", "got": "contact", "count": 1}]
    assert [point["threshold"] for point in report["sweep"]] == list(range(0, 101, 5))
    assert report["best_threshold"] in range(0, 101, 5)


def test_a_broken_cases_file_exits_2_with_its_place(capsys, shop, write_yaml):
    intents, _ = shop
    broken = write_yaml("cases:\n  - {question: hi, intent: opening_hour}\n", "broken.yaml")
    assert main(["eval", str(broken), "--intents", str(intents)]) == 2
    assert capsys.readouterr().err == (
        f"chatbot: error: {broken}:2: case 1: unknown intent 'opening_hour' "
        "(did you mean 'opening_hours'?)\n"
    )


def test_repository_cases_and_conversations_run_through_the_cli(capsys):
    files = [TESTS / "cases" / "faq.yaml", *sorted((TESTS / "conversations").glob("*.yaml"))]
    status = main(["eval", *map(str, files), "--min-accuracy", "0.9"])
    out = capsys.readouterr().out
    assert status == 0, out
    cases = sum(len(read_cases(path, knowledge=Bot().knowledge)) for path in files)
    summary = re.fullmatch(
        rf"passed (\d+)/{cases} \(accuracy (\d+\.\d)% at threshold \d+(\.\d+)?, calibrated\); "
        r"out-of-scope recall (\d+\.\d)% \(\d+/\d+\)",
        out.splitlines()[-1],
    )
    assert summary, out.splitlines()[-1]
    assert int(summary[1]) >= 0.9 * cases
    assert float(summary[2]) == round(100 * int(summary[1]) / cases, 1)


def case(question, intent=None, conversation=None, number=1):
    return Case(question, intent, "cases.yaml", 1, conversation, number)


def test_cases_get_fresh_conversations_and_turns_share_one(bundled_bot):
    # "and LLMs?" is a follow-up: asked as a single case it has no context to follow, asked
    # as the second turn of a conversation it follows the first turn.
    first, follow_up = "What data is generative AI trained on?", "and LLMs?"
    suite = Suite(
        cases=(case(first, "genai_data_inputs"), case(follow_up, "llm_data_inputs", number=2)),
        conversations=(
            (
                case(first, "genai_data_inputs", 1, 1),
                case(follow_up, "llm_data_inputs", 1, 2),
            ),
        ),
    )
    outcomes = list(run_cases(bundled_bot, suite))
    assert [outcome.case.question for outcome in outcomes] == [first, follow_up] * 2
    assert [outcome.context_used for outcome in outcomes] == [False, False, False, True]
    assert [outcome.passed for outcome in outcomes] == [True, False, True, True]
    assert outcomes[3].got == "llm_data_inputs"


def outcome(expected, best, score, threshold=50.0, conversation=None):
    got = best if score >= threshold else None
    return Outcome(case("q", expected, conversation), got, score, best, score)


def test_sweep_uses_the_scores_of_one_run():
    evaluation = Evaluation(
        (
            outcome("a", "a", 80.0),  # right from 0 to 80
            outcome("b", "b", 40.0),  # right from 0 to 40
            outcome(None, "a", 30.0),  # falls back from 35 up
            outcome("b", "a", 60.0),  # never right
            outcome("a", "a", 10.0, conversation=1),  # turns are left out of the sweep
        ),
        threshold=50.0,
    )
    points = {point.threshold: point for point in evaluation.sweep([0, 30, 35, 45, 85])}
    assert [points[t].accuracy for t in (0, 30, 35, 45, 85)] == [0.5, 0.5, 0.75, 0.5, 0.25]
    assert points[35].in_scope_accuracy == pytest.approx(2 / 3)
    assert points[35].out_of_scope_recall == 1.0
    assert points[30].out_of_scope_recall == 0.0
    best = evaluation.best_threshold(evaluation.sweep())
    assert (best.threshold, best.accuracy) == (40.0, 0.75)


def test_evaluate_on_the_bundled_faq(bundled_bot):
    suite = Suite(cases=(case("what is an llm", "llm_definition"), case("order a pizza")))
    evaluation = evaluate(bundled_bot, suite)
    assert (evaluation.passed, evaluation.total, evaluation.out_of_scope_recall) == (2, 2, 1.0)
    assert evaluation.threshold_source == "calibrated"
    assert [outcome.got for outcome in evaluation.outcomes] == ["llm_definition", None]


def test_a_broken_cases_file_lists_every_error_one_per_line(capsys, tmp_path):
    cases = tmp_path / "broken.yaml"
    cases.write_text(
        "cases:\n"
        "  - {question: what is an llm, intent: llm_defintion}\n"
        "  - {question: what is genai, intnt: genai_definition}\n"
        '  - {question: "", intent: null}\n',
        encoding="utf-8",
    )
    assert main(["eval", str(cases)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"chatbot: error: {cases}:2: case 1: unknown intent 'llm_defintion' (did you mean "
        "'llm_definition'?)",
        f"chatbot: error: {cases}:3: case 2: unknown key 'intnt' (did you mean 'intent'?); "
        "expected one of: question, intent, kind, context",
        f"chatbot: error: {cases}:3: case 2: missing key 'intent' (use null for a question that "
        "must fall back)",
        f"chatbot: error: {cases}:4: case 3: 'question' must be a non-empty string",
    ]
