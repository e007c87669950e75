"""What makes `chatbot check` fast on large knowledge bases changes none of its answers."""

from __future__ import annotations

import os

import pytest

from chatbot import Intent, KnowledgeBase, Matcher
from chatbot.curation.parallel import run_jobs
from chatbot.matching.index import shared_analysis

QUESTIONS = ["what is gen ai", "gen ai pricing", "how much does it cost", "is genai safe"]


def _ranks(knowledge: KnowledgeBase) -> list[list[tuple[str, float, str]]]:
    matcher = Matcher(knowledge, threshold=30)
    return [
        [(match.intent.id, match.score, match.question) for match in matcher.rank(question)]
        for question in QUESTIONS
    ]


def test_indexes_sharing_analysis_still_read_each_knowledge_base_with_its_own_synonyms():
    plain = KnowledgeBase(
        [
            Intent(id="basics", questions=("what is gen ai", "explain genai"), answer="a"),
            Intent(id="pricing", questions=("gen ai pricing", "what does it cost"), answer="b"),
            Intent(id="safety", questions=("is it safe", "genai risks"), answer="c"),
        ]
    )
    with_synonyms = plain.replace(synonyms={"genai": ("gen ai",)})
    alone = [_ranks(plain), _ranks(with_synonyms)]
    assert alone[0] != alone[1]  # the synonyms change the rankings
    with shared_analysis():
        shared = [_ranks(plain), _ranks(with_synonyms)]
        # Nested: the outer block's analyses serve it.
        with shared_analysis():
            nested = [_ranks(plain), _ranks(with_synonyms)]
    assert shared == alone
    assert nested == alone


def _square(shared: int, job: int) -> int:
    return shared * job * job


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_come_back_in_order_while_this_process_does_its_own_share(workers):
    done = []
    seen = []
    results = run_jobs(
        _square,
        3,
        7,
        workers,
        meanwhile=lambda: done.append(os.getpid()),
        on_result=lambda job, result: seen.append((job, result, len(done))),
    )
    assert results == [3 * job * job for job in range(7)]
    assert done == [os.getpid()]  # once, here
    # Each result is handed over here as it comes in, in order, once `meanwhile` is done.
    assert seen == [(job, 3 * job * job, 1) for job in range(7)]
