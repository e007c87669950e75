"""The matcher on the bundled FAQ: a held-out paraphrase table, out-of-scope rejection, and API."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot import DEFAULT_THRESHOLD, Intent, Matcher, load_intents
from chatbot.matching.index import CHARACTERS, WORDING
from chatbot.matching.matcher import CONFIDENCE
from chatbot.matching.text import normalize

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "faq.yaml").read_text("utf-8"))["cases"]
IN_SCOPE = [case for case in CASES if case["intent"]]
OUT_OF_SCOPE = [case for case in CASES if not case["intent"]]
# Words the bundled FAQ knows, plus noise, for property tests.
WORDS = [
    "llm",
    "llms",
    "generative",
    "ai",
    "what",
    "is",
    "an",
    "data",
    "output",
    "image",
    "the",
    "gen",
    "genrative",
    "transformer",
    "zebra",
    "?",
    "'s",
    "vs",
    "both",
]


def test_table_is_big_enough_and_held_out(bundled_bot):
    assert len(IN_SCOPE) >= 60
    assert len(OUT_OF_SCOPE) >= 20
    stored = {normalize(q) for intent in bundled_bot.knowledge for q in intent.questions}
    copies = [case["question"] for case in CASES if normalize(case["question"]) in stored]
    assert copies == [], "test questions must not be copies of stored questions"
    ids = {intent.id for intent in bundled_bot.knowledge}
    assert {case["intent"] for case in IN_SCOPE} <= ids


def test_paraphrases_reach_95_percent_top1(bundled_bot):
    misses = []
    for case in IN_SCOPE:
        match = bundled_bot.matcher.match(case["question"])
        got = match.intent.id if match else None
        if got != case["intent"]:
            misses.append(f"{case['question']!r}: expected {case['intent']}, got {got}")
    accuracy = 1 - len(misses) / len(IN_SCOPE)
    assert accuracy >= 0.95, "\n".join(misses)


def test_out_of_scope_questions_fall_back(bundled_bot):
    answered = []
    for case in OUT_OF_SCOPE:
        match = bundled_bot.matcher.match(case["question"])
        if match is not None:
            answered.append(f"{case['question']!r} -> {match.intent.id} ({match.score})")
    assert len(answered) <= 0.1 * len(OUT_OF_SCOPE), "\n".join(answered)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("can an LLM make pictures?", "llm_image_generation"),
        ("What's an LLM?", "llm_definition"),
        ("WHAT IS GENERATIVE AI", "genai_definition"),
        ("what is generative artificial intelligence", "genai_definition"),
        ("genrative ai outputs", "genai_outputs"),  # typo corrected before synonyms
        ("llm outputs", "llm_outputs"),
        ("gen-ai outputs", "genai_outputs"),
    ],
)
def test_normalisation_synonyms_and_typos(bundled_bot, question, intent):
    assert bundled_bot.matcher.match(question).intent.id == intent


def test_rank_is_best_first_with_distinct_intents_and_scores_in_range(bundled_bot):
    ranked = bundled_bot.matcher.rank("what do llms output", limit=5)
    assert len(ranked) == 5
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert len({m.intent.id for m in ranked}) == 5
    assert all(0 <= m.score <= 100 for m in ranked)
    assert ranked[0].question in ranked[0].intent.questions


def test_match_explains_itself(bundled_bot):
    analyzer = bundled_bot.matcher.analyzer
    match = bundled_bot.matcher.match("what data do llms learn from")
    assert match.intent.id == "llm_data_inputs"
    points = dict(match.contributions)
    assert points["subject=llm"] > 0
    assert points["aspect=data_inputs"] > 0
    assert points[WORDING] > 0
    shared = [
        term
        for term, value in match.contributions
        if value > 0 and "=" not in term and term not in (WORDING, CHARACTERS, CONFIDENCE)
    ]
    assert shared, match
    # Intents are scored as one document of all their questions: contributing words are the
    # intent's words, and the matched question is its closest stored wording.
    intent_terms = {
        term for question in match.intent.questions for term in analyzer.terms(question)
    }
    assert set(shared) <= intent_terms
    assert {"llm", "data"} <= set(shared)
    assert match.question in match.intent.questions


def test_a_named_subject_beats_a_closer_wording_of_the_other_one(bundled_bot):
    # "what data is generative AI trained on" is worded like the LLM entry's questions too;
    # naming the subject must decide.
    assert bundled_bot.matcher.match("what data is generative AI trained on").intent.id == (
        "genai_data_inputs"
    )
    assert bundled_bot.matcher.match("what data are llms trained on").intent.id == "llm_data_inputs"


@pytest.mark.parametrize("text", ["", "   ", "?!", "\x00\x1b[2J", "🙂" * 50, "x" * 100_000])
def test_any_input_gives_a_result_not_an_exception(bundled_bot, text):
    ranked = bundled_bot.matcher.rank(text)
    assert all(0 <= m.score <= 100 for m in ranked)
    match = bundled_bot.matcher.match(text)
    assert match is None or match.score >= bundled_bot.matcher.threshold


def test_threshold_per_call_per_matcher_and_from_yaml(write_yaml):
    path = write_yaml(
        """
        settings: {threshold: 99}
        intents:
          - {id: hello, questions: [hello there, hi], answer: Hi!}
        """
    )
    strict = Matcher(load_intents(path))
    assert strict.threshold == 99
    assert strict.match("hello there friend") is None
    assert strict.match("hello there friend", threshold=10).intent.id == "hello"
    assert (
        Matcher(load_intents(path), threshold=10).match("hello there friend").intent.id == "hello"
    )


def test_plain_intents_work_without_yaml():
    matcher = Matcher(
        [
            Intent(id="refund", questions=("how do I get a refund",), answer="Ask us."),
            Intent(id="hours", questions=("when are you open",), answer="9 to 5."),
        ]
    )
    assert matcher.match("can i get a refund?").intent.id == "refund"
    assert matcher.match("what time are you open").intent.id == "hours"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80) | st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_rank_never_raises_and_is_deterministic_and_in_range(bundled_bot, text):
    matcher = bundled_bot.matcher
    ranked = matcher.rank(text, limit=5)
    assert ranked == matcher.rank(text, limit=5)
    assert len(ranked) <= 5
    assert all(0 <= match.score <= 100 for match in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert len({m.intent.id for m in ranked}) == len(ranked)
    # The best match does not depend on how many alternatives were asked for.
    assert [m.intent.id for m in matcher.rank(text, limit=1)] == [m.intent.id for m in ranked[:1]]


@pytest.mark.parametrize(
    "question",
    [
        "what do llms output",
        "can an LLM make pictures?",
        "what data do llms learn from",
        "thanks a lot",
    ],
)
def test_contributions_add_up_to_the_score(bundled_bot, question):
    match = bundled_bot.matcher.rank(question, limit=1)[0]
    assert match.score < 100  # scores are capped at 100, and then the parts add up to more
    total = sum(points for _, points in match.contributions)
    # Each entry is rounded to one decimal.
    assert total == pytest.approx(match.score, abs=0.05 * len(match.contributions) + 0.01)
    assert dict(match.contributions)[WORDING] >= 0


def test_a_knowledge_base_too_small_to_calibrate_falls_back_below_40():
    matcher = Matcher([Intent(id="a", questions=("when are you open",), answer="a")])
    assert (matcher.threshold, matcher.threshold_source) == (40.0, "default")
    assert DEFAULT_THRESHOLD == 40.0  # the README documents 40
    assert matcher.match("when are you open") is not None
    assert matcher.match("zzz") is None
    for question in ("when are you open", "when", "are you open on mondays", "zzz"):
        ranked = matcher.rank(question, limit=1)
        answered = matcher.match(question)
        assert (answered is not None) == bool(ranked and ranked[0].score >= 40.0), question


def test_calibrating_asks_the_held_out_questions_left_out_of_the_matcher_itself(monkeypatch):
    # Calibration used to build a copy of the knowledge base per fold (at 60,000 questions,
    # seconds of a first start); each held-out question is now asked as if it were not
    # stored, and scores what rank_left_out gives it.
    from chatbot.matching import index as index_module

    things = ("password", "router", "phone", "account", "printer", "laptop")
    places = ("office", "home", "lab")
    matcher = Matcher(
        [
            Intent(
                id=f"{thing}-{place}",
                questions=(
                    f"how do i reset my {thing} at the {place}",
                    f"{thing} reset {place}",
                    f"my {place} {thing} needs a reset",
                ),
                answer=f"Hold the {thing} button in the {place}.",
            )
            for thing in things
            for place in places
        ]
    )
    builds = []
    original = index_module.Index.__init__

    def counted(self, *args, **kwargs):
        builds.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(index_module.Index, "__init__", counted)
    calibration = matcher.calibrate()
    assert builds == []
    # 18 entries of 3 questions: two of each asked (every entry keeps one), each left out.
    assert calibration.held_out == 36
    assert matcher.rank_left_out("phone-lab", 1, limit=1)[0].intent.id.startswith("phone")


def test_a_score_is_the_same_whatever_limit_rank_is_asked_for():
    # Without entities, the bot answers from rank(limit=4), `match` asks for one and `/why`
    # shows five: a score judged against fewer rivals was higher (the runner-up alone set
    # its clarity), so the bot could answer a question that `match` and the calibration
    # scored differently.
    things = ("password", "router", "phone", "account", "printer", "laptop")
    matcher = Matcher(
        [
            Intent(
                id=thing,
                questions=(f"how do i reset my {thing}", f"reset {thing}"),
                answer=f"Hold the {thing} button.",
            )
            for thing in things
        ],
        threshold=40,
    )
    for question in ("how do i reset it", "reset my password please", "reset"):
        scores = {limit: matcher.rank(question, limit=limit)[0].score for limit in (1, 2, 4, 5)}
        assert len(set(scores.values())) == 1, (question, scores)
        assert matcher.match(question, threshold=0).score == scores[5]
