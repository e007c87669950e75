"""What `chatbot eval` reports, to the letter: every line of the text report and every field of
the JSON one, for a run with each kind of failure (written against the mutants that survived)."""

from __future__ import annotations

import pytest

from chatbot import Bot
from chatbot.curation.cases import Case, Suite
from chatbot.curation.evaluate import Evaluation, Outcome, evaluate, format_evaluation


def case(question, intent, line, conversation=None, number=1, kind=None, context=None):
    return Case(question, intent, "faq.cases.yaml", line, conversation, number, kind, context)


# One outcome of each kind: right, wrong, answered out of scope, fell back with a closest
# entry, the wrong kind of reply, clarifications (right answer among the choices, and out of
# scope), and conversation turns with and without the context they must use.
OUTCOMES = (
    Outcome(case("what is an llm", "llm", 2, number=1), "llm", 81.234, "llm", 81.234),
    Outcome(case("what is genai", "genai", 3, number=2), "llm", 60.504, "llm", 60.504),
    Outcome(case("book a flight", None, 4, number=3), "llm", 55.0, "llm", 55.0),
    Outcome(case("genai data", "genai", 5, number=4), None, 20.0, "genai", 20.0, "fallback"),
    Outcome(case("tell me more", "llm", 6, number=5, kind="more"), "llm", 70.0, "llm", 70.0),
    Outcome(
        case("architecture?", "genai", 7, number=6), None, 0.0, "llm", 45.0, "clarify",
        choices=("llm", "genai"),
    ),
    Outcome(
        case("images?", None, 8, number=7), None, 0.0, "llm", 44.0, "clarify",
        choices=("llm", "genai"),
    ),
    Outcome(
        case("predictive?", "predictive", 9, number=8), None, 0.0, "llm", 46.0, "clarify",
        choices=("llm", "genai"),
    ),
    Outcome(case("order a pizza", None, 9, number=9), "genai", 33.333, "genai", 33.333),
    Outcome(
        case("and llms?", "llm", 10, conversation=1, number=2, context=True),
        "llm", 65.0, "llm", 65.0,
    ),
    Outcome(
        case("what about it", "genai", 11, conversation=1, number=3, context=False),
        "llm", 50.0, "llm", 50.0, context_used=True,
    ),
)  # fmt: skip
EVALUATION = Evaluation(OUTCOMES, threshold=42.5, threshold_source="calibrated")

REPORT = [
    "Failed:",
    "  faq.cases.yaml:3: case 2: 'what is genai'",
    "    expected genai, got llm (60.5)",
    "  faq.cases.yaml:4: case 3: 'book a flight'",
    "    expected (fallback), got llm (55.0)",
    "  faq.cases.yaml:5: case 4: 'genai data'",
    "    expected genai, got (fallback), closest genai (20.0)",
    "  faq.cases.yaml:6: case 5: 'tell me more'",
    "    expected llm as more, got llm as answer (70.0)",
    "  faq.cases.yaml:7: case 6: 'architecture?'",
    "    expected genai, got (fallback), closest llm (0.0)",
    "  faq.cases.yaml:9: case 8: 'predictive?'",
    "    expected predictive, got (fallback), closest llm (0.0)",
    "  faq.cases.yaml:9: case 9: 'order a pizza'",
    "    expected (fallback), got genai (33.3)",
    "  faq.cases.yaml:10: conversation 1, turn 2: 'and llms?'",
    "    expected llm with context, got llm without context (65.0)",
    "  faq.cases.yaml:11: conversation 1, turn 3: 'what about it'",
    "    expected genai without context, got llm with context (50.0)",
    "",
    "Most confused (expected -> got):",
    "    2  genai -> (fallback)",
    "    2  genai -> llm",
    "    1  (fallback) -> genai",
    "    1  (fallback) -> llm",
    "    1  predictive -> (fallback)",
    "",
    "Threshold sweep over 9 single-question cases:",
    "  threshold  accuracy  in scope  out of scope",
    "          0     33.3%     50.0%          0.0%",
    "          5     33.3%     50.0%          0.0%",
    "         10     33.3%     50.0%          0.0%",
    "         15     33.3%     50.0%          0.0%",
    "         20     33.3%     50.0%          0.0%",
    "         25     22.2%     33.3%          0.0%",
    "         30     22.2%     33.3%          0.0%",
    "         35     33.3%     33.3%         33.3%",
    "         40     33.3%     33.3%         33.3%",
    "         45     44.4%     33.3%         66.7%",
    "         50     44.4%     33.3%         66.7%",
    "         55     44.4%     33.3%         66.7%",
    "         60     55.6%     33.3%        100.0%",
    "         65     55.6%     33.3%        100.0%",
    "         70     55.6%     33.3%        100.0%",
    "         75     44.4%     16.7%        100.0%",
    "         80     44.4%     16.7%        100.0%",
    "         85     33.3%      0.0%        100.0%",
    "         90     33.3%      0.0%        100.0%",
    "         95     33.3%      0.0%        100.0%",
    "        100     33.3%      0.0%        100.0%",
    "  best: 60 (accuracy 55.6%); current: 42.5",
    "",
    "clarified 3 of 9 single questions (1 with the right answer among the choices, 1 out of scope)",
    "passed 2/11 (accuracy 18.2% at threshold 42.5, calibrated); out-of-scope recall 33.3% (1/3)",
]


def test_the_text_report_line_by_line():
    assert format_evaluation(EVALUATION, sweep=True) == REPORT


def test_without_a_sweep_the_report_skips_straight_to_the_summary():
    sweep_start = REPORT.index("Threshold sweep over 9 single-question cases:")
    summary = REPORT.index("", sweep_start) + 1
    assert format_evaluation(EVALUATION) == REPORT[:sweep_start] + REPORT[summary:]


def test_a_clean_run_reports_only_the_summary():
    clean = Evaluation(OUTCOMES[:1], threshold=40.0, threshold_source="default")
    assert format_evaluation(clean) == [
        "clarified 0 of 1 single questions (0 with the right answer among the choices, "
        "0 out of scope)",
        "passed 1/1 (accuracy 100.0% at threshold 40, default); out-of-scope recall n/a",
    ]


def test_the_json_report_field_by_field():
    report = EVALUATION.to_json(sweep=True)
    assert {key: report[key] for key in report if key not in ("failures", "sweep")} == {
        "passed": 2,
        "total": 11,
        "accuracy": 0.1818,
        "out_of_scope_recall": 0.3333,
        "threshold": 42.5,
        "threshold_source": "calibrated",
        "clarifications": {"questions": 9, "asked": 3, "right_among_choices": 1, "out_of_scope": 1},
        "confused": [
            {"expected": "genai", "got": None, "count": 2},
            {"expected": "genai", "got": "llm", "count": 2},
            {"expected": None, "got": "genai", "count": 1},
            {"expected": None, "got": "llm", "count": 1},
            {"expected": "predictive", "got": None, "count": 1},
        ],
        "best_threshold": 60.0,
    }
    assert report["failures"][0] == {
        "path": "faq.cases.yaml",
        "line": 3,
        "case": "case 2",
        "question": "what is genai",
        "expected": "genai",
        "got": "llm",
        "score": 60.5,
    }
    assert [(f["case"], f["expected"], f["got"]) for f in report["failures"][1:]] == [
        ("case 3", None, "llm"),
        ("case 4", "genai", None),
        ("case 5", "llm", "llm"),
        ("case 6", "genai", None),
        ("case 8", "predictive", None),
        ("case 9", None, "genai"),
        ("conversation 1, turn 2", "llm", "llm"),
        ("conversation 1, turn 3", "genai", "llm"),
    ]
    assert report["sweep"][0] == {
        "threshold": 0.0,
        "accuracy": 0.3333,
        "in_scope_accuracy": 0.5,
        "out_of_scope_recall": 0.0,
    }
    assert report["sweep"][12] == {
        "threshold": 60.0,
        "accuracy": 0.5556,
        "in_scope_accuracy": 0.3333,
        "out_of_scope_recall": 1.0,
    }
    assert "sweep" not in EVALUATION.to_json()
    assert "best_threshold" not in EVALUATION.to_json()


def test_an_empty_run_has_no_ratios_to_report():
    empty = Evaluation((), threshold=40.0)
    assert (empty.accuracy, empty.out_of_scope_recall) == (1.0, None)
    assert empty.to_json(sweep=True)["out_of_scope_recall"] is None
    assert empty.sweep([50])[0].accuracy == 1.0
    only_in_scope = Evaluation(OUTCOMES[:2], threshold=40.0)
    point = only_in_scope.sweep([0])[0]
    assert (point.in_scope_accuracy, point.out_of_scope_recall) == (0.5, None)
    assert only_in_scope.to_json(sweep=True)["sweep"][0]["out_of_scope_recall"] is None
    assert only_in_scope.best_threshold([]) is None


def test_a_real_run_records_what_each_reply_was(bundled_bot):
    suite = Suite(
        cases=(
            case("what is an llm", "llm_definition", 1),
            case("architecture?", "genai_architecture", 2, number=2),
            case("book a flight to rome", None, 3, number=3),
        )
    )
    answered, clarified, fell_back = evaluate(bundled_bot, suite).outcomes
    assert (answered.got, answered.kind, answered.best, answered.choices) == (
        "llm_definition",
        "answer",
        "llm_definition",
        (),
    )
    assert answered.best_score == answered.score > bundled_bot.matcher.threshold
    assert (clarified.got, clarified.kind) == (None, "clarify")
    assert clarified.choices == ("llm_architecture", "genai_architecture")
    assert clarified.best == "llm_architecture"
    assert clarified.best_score > bundled_bot.matcher.threshold
    assert (fell_back.got, fell_back.kind, fell_back.context_used) == (None, "fallback", False)
    assert fell_back.best is not None
    assert 0 < fell_back.best_score < bundled_bot.matcher.threshold
    assert fell_back.passed
    assert not clarified.passed


def test_a_fallback_that_shares_no_word_with_any_entry_has_no_closest_one(shop_intents):
    suite = Suite(cases=(case("zzzz qqqq", None, 1),))
    [outcome] = evaluate(Bot(shop_intents), suite).outcomes
    assert (outcome.got, outcome.kind, outcome.best, outcome.best_score) == (
        None,
        "fallback",
        None,
        0.0,
    )


def test_a_run_reports_the_threshold_it_ran_at_and_where_it_came_from(shop_intents):
    question = "what are your opening hours on sunday"
    score = Bot(shop_intents).ask(question).score
    suite = Suite(cases=(case(question, "opening_hours", 1),))
    below = evaluate(Bot(shop_intents, threshold=score - 1), suite)
    above = evaluate(Bot(shop_intents, threshold=score + 1), suite)
    assert (below.threshold, below.threshold_source, below.passed) == (score - 1, "argument", 1)
    assert (above.threshold, above.threshold_source, above.passed) == (score + 1, "argument", 0)
    assert above.outcomes[0].best == "opening_hours"
    assert above.outcomes[0].best_score == pytest.approx(score)
