"""Each documented limit, tried on both sides of its boundary, where an off-by-one would show."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from chatbot.cli import main
from chatbot.matching.speller import MIN_TYPO_LENGTH, Speller
from chatbot.matching.text import MAX_QUERY_CHARS, normalized_words
from chatbot.safe_text import clean

ROOT = Path(__file__).resolve().parent.parent


# --- Typo correction starts at words of four letters.


def test_a_four_letter_typo_is_corrected_and_a_three_letter_word_is_left_alone():
    assert MIN_TYPO_LENGTH == 4
    speller = Speller(["image", "llm", "make"], declared=[])
    assert speller.correct("imge") == "image"  # four letters: the shortest word corrected
    assert speller.correct("mke") == "mke"  # three letters: too short to tell a typo
    assert speller.correct("imaeg") == "image"


def test_a_four_letter_typo_still_reaches_its_answer(bundled_bot):
    assert bundled_bot.ask("llm imge").intent == "llm_image_generation"
    assert bundled_bot.matcher.read("llm imge").corrections == (("imge", "image"),)
    # "img" is three letters: it is not read as "image", and the question is about LLMs.
    assert bundled_bot.matcher.read("llm img").corrections == ()
    assert bundled_bot.ask("llm img").intent == "llm_definition"


# --- clean() removes every C0 control but newline and tab, DEL, and every C1 control.


def test_clean_removes_del_and_c1_controls():
    assert clean("a\x7fb\x85c\x90d") == "abcd"
    assert clean("".join(map(chr, range(0x7F, 0xA0)))) == ""


def test_clean_keeps_the_characters_beside_the_control_ranges():
    kept = "\t\n ~\xa0\xa1é"  # tab, newline, space, tilde, no-break space, ¡, é
    assert clean(kept) == kept
    assert clean("".join(map(chr, range(0x20)))) == "\t\n"
    assert clean("line\x1b[31m red\x1b[0m\x07\r\n") == "line red\n"


# --- `eval --min-accuracy X` passes a run whose accuracy is exactly X.

QUARTER_WRONG = """
cases:
  - {question: when are you open, intent: opening_hours}
  - {question: how do i get a refund, intent: refunds}
  - {question: what is your phone number, intent: contact}
  - {question: what is your phone number, intent: refunds}   # wrong on purpose
"""


@pytest.mark.parametrize(
    ("minimum", "status"), [("0.74", 0), ("0.75", 0), ("0.7500001", 1), ("1", 1)]
)
def test_min_accuracy_is_reached_at_exactly_the_limit(
    capsys, shop_intents, write_yaml, minimum, status
):
    cases = write_yaml(QUARTER_WRONG, "cases.yaml")
    argv = ["eval", str(cases), "--intents", str(shop_intents), "--min-accuracy", minimum]
    assert main(argv) == status
    assert capsys.readouterr().out.splitlines()[-1].startswith("passed 3/4 (accuracy 75.0% ")


# --- Matching reads the first 1,000 characters of a message, and no more.


def test_the_first_thousand_characters_are_read_and_the_next_is_not():
    assert MAX_QUERY_CHARS == 1000
    assert normalized_words("a" * 999 + "bc") == ["a" * 999 + "b"]
    assert normalized_words(" " * 999 + "ab") == ["a"]
    assert normalized_words(" " * 1000 + "ab") == []


def test_words_after_the_thousandth_character_do_not_change_the_answer(bundled_bot):
    question = "what is an llm"
    padding = " " * (MAX_QUERY_CHARS - len(question))
    tail = " can llms make pictures"
    # Read in full, the tail would make it a question about images ...
    assert bundled_bot.ask(question + tail).intent == "llm_image_generation"
    # ... but only the first 1,000 characters are read.
    reply = bundled_bot.ask(question + padding + tail)
    assert reply.intent == "llm_definition"
    assert reply.question == question + padding + tail  # the question is kept as typed
    cut = bundled_bot.ask(question + padding)
    assert (reply.score, reply.matched_question) == (cut.score, cut.matched_question)
    assert bundled_bot.matcher.read(question + padding + tail).words == ("what", "is", "an", "llm")


# --- `chatbot eval` shows a progress bar on a terminal for runs of more than 300 cases.


def eval_in_a_terminal(path: Path, cases: int) -> str:
    """What `chatbot eval` shows in a real pseudo-terminal for a file of `cases` cases."""
    pexpect = pytest.importorskip("pexpect")
    path.write_text(
        "cases:\n" + "  - {question: what is an llm, intent: llm_definition}\n" * cases,
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm",
        "NO_COLOR": "1",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # pexpect cannot answer the cursor position query
    }
    output, status = pexpect.run(
        f"{sys.executable} -m chatbot eval {path}",
        env=env,
        encoding="utf-8",
        timeout=60,
        withexitstatus=True,
        dimensions=(24, 100),
    )
    assert status == 0, output
    assert f"passed {cases}/{cases} " in output
    return str(output)


def test_a_run_of_300_cases_shows_no_progress_bar_and_301_do(tmp_path):
    assert "eta [" not in eval_in_a_terminal(tmp_path / "300.yaml", 300)
    shown = eval_in_a_terminal(tmp_path / "301.yaml", 301)
    assert "cases 100.0% [" in shown
    assert "301/301 eta [" in shown
