"""The log of unanswered questions (--log-unanswered) and `chatbot suggest`."""

from __future__ import annotations

import io
import json
import sys

import pytest

from chatbot import Bot
from chatbot.cli import main
from chatbot.curation.unanswered import LoggedQuestion, UnansweredLog, read_log, suggest
from chatbot.dialogue.replies import Alternative, Reply
from chatbot.errors import LogFileError


def reply(intent, score, kind="answer", alternatives=()):
    return Reply(
        text="...",
        intent=intent,
        score=score,
        question=f"question scoring {score}",
        alternatives=alternatives,
        kind=kind,
        threshold=45.0,
    )


def lines(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_fallbacks_and_borderline_answers_are_logged_one_flushed_line_each(tmp_path):
    path = tmp_path / "log.jsonl"
    log = UnansweredLog(path)
    assert log.record(reply(None, 30.0, "fallback", (Alternative("refunds", 30.0),))) is True
    assert len(lines(path)) == 1  # on disk before the next question
    assert log.record(reply("refunds", 54.9)) is True  # below threshold 45 + margin 10
    assert log.record(reply("refunds", 55.0)) is False
    assert log.record(reply("refunds", 20.0, kind="more")) is False  # not a new question
    UnansweredLog(path).record(reply(None, 0.0, "fallback"))  # a new session appends
    logged = lines(path)
    assert [(entry["best_guess"], entry["score"], entry["answered"]) for entry in logged] == [
        ("refunds", 30.0, False),
        ("refunds", 54.9, True),
        (None, 0.0, False),
    ]
    assert set(logged[0]) == {"time", "question", "best_guess", "score", "answered"}
    assert logged[0]["question"] == "question scoring 30.0"
    assert logged[0]["time"].endswith("+00:00")


def test_an_unwritable_log_warns_once_and_stops(tmp_path):
    warnings = []
    log = UnansweredLog(tmp_path / "missing" / "log.jsonl", on_error=warnings.append)
    assert log.record(reply(None, 0.0, "fallback")) is False
    assert log.record(reply(None, 0.0, "fallback")) is False
    assert warnings == [
        f"cannot write to {tmp_path}/missing/log.jsonl: No such file or directory; "
        "not logging questions"
    ]


def chat(monkeypatch, capsys, argv, stdin):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_piped_chat_logs_only_when_asked(monkeypatch, capsys, tmp_path, shop_intents):
    intents = shop_intents
    monkeypatch.chdir(tmp_path)
    questions = b"when are you open\nbook a flight to rome\n"
    status, out, _ = chat(monkeypatch, capsys, ["--intents", str(intents)], questions)
    assert status == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["shop.yaml"]
    argv = ["--intents", str(intents), "--log-unanswered", "log.jsonl"]
    assert chat(monkeypatch, capsys, argv, questions)[:2] == (0, out)
    assert [entry["question"] for entry in lines(tmp_path / "log.jsonl")] == [
        "book a flight to rome"
    ]


def test_piped_chat_goes_on_when_the_log_cannot_be_written(monkeypatch, capsys, tmp_path):
    argv = ["--json", "--log-unanswered", str(tmp_path / "no" / "log.jsonl")]
    status, out, err = chat(monkeypatch, capsys, argv, b"book a flight\norder a pizza\n")
    assert status == 0
    assert len(out.splitlines()) == 2
    assert err == (
        f"chatbot: warning: cannot write to {tmp_path}/no/log.jsonl: No such file or directory;"
        " not logging questions\n"
    )


def test_the_repl_records_fallbacks_too(bundled_bot, tmp_path):
    from chatbot.terminal.commands import ChatState, session_commands
    from chatbot.terminal.repl import handle_line

    path = tmp_path / "log.jsonl"
    state = ChatState(
        conversation=bundled_bot.conversation(),
        load_bot=Bot,
        commands=session_commands(),
        unanswered_log=UnansweredLog(path),
    )
    handle_line(state, "what is an llm")
    handle_line(state, "book a flight to rome")
    handle_line(state, "/help")
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [entry["question"] for entry in lines] == ["book a flight to rome"]


def logged(*questions):
    return [
        LoggedQuestion(question, None, 0.0, "", number)
        for number, question in enumerate(questions, 1)
    ]


def test_suggest_groups_similar_questions_and_proposes_an_intent(shop_intents):
    bot = Bot(shop_intents)
    groups = suggest(
        logged(
            "How do I get my refund?",
            "how do i get my refund",
            "how can i get my refund",
            "what are your sunday opening hours",
            "quantum chromodynamics",
        ),
        bot.matcher,
    )
    assert [(group.intent, group.questions) for group in groups] == [
        ("refunds", (("How do I get my refund?", 2), ("how can i get my refund", 1))),
        ("opening_hours", (("what are your sunday opening hours", 1),)),
        (None, (("quantum chromodynamics", 1),)),
    ]
    assert groups[0].count == 3
    # A group of one wording is scored as the matcher scores that wording.
    [best] = bot.matcher.rank("what are your sunday opening hours", limit=1)
    assert (groups[1].intent, groups[1].score) == (best.intent.id, round(best.score, 2))
    assert groups[1].score >= bot.matcher.threshold
    # A larger group: the mean of its distinct wordings' scores for the proposed intent.
    wordings = ["How do I get my refund?", "how can i get my refund"]
    scores = [
        next(m.score for m in bot.matcher.rank(w) if m.intent.id == "refunds") for w in wordings
    ]
    assert groups[0].score == round(sum(scores) / 2, 2)


def test_read_log_skips_broken_lines_and_names_missing_files(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(
        '{"question": "a", "best_guess": "x", "score": 12.5, "time": "t"}\n'
        "\n"
        '{"question": "b", "best_guess": null, "score": 0}\n'
        '["not", "an", "entry"]\n'
        '{"question": "cut off by a cra',
        encoding="utf-8",
    )
    contents = read_log(path)
    assert [
        (entry.question, entry.best_guess, entry.score, entry.line) for entry in contents.entries
    ] == [
        ("a", "x", 12.5, 1),
        ("b", None, 0.0, 3),
    ]
    assert contents.skipped == (4, 5)
    with pytest.raises(LogFileError, match=r"^nope\.jsonl: no such file$"):
        read_log("nope.jsonl")


def test_suggest_on_a_file_that_is_not_a_log_lists_few_line_numbers(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("".join(f"note {number}\n" for number in range(1, 501)), encoding="utf-8")
    assert main(["suggest", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        f"chatbot: warning: {path}: skipped lines that are not logged questions: "
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 490 more\n"
    )
    assert out == "no logged questions\n"


def test_suggest_command(capsys, tmp_path, shop_intents):
    intents = shop_intents
    path = tmp_path / "log.jsonl"
    entries = ["how do i get my refund", "How do I get my refund?", "quantum chromodynamics"]
    path.write_text(
        "".join(json.dumps({"question": text}) + "\n" for text in entries) + "oops\n",
        encoding="utf-8",
    )
    assert main(["suggest", str(path), "--intents", str(intents)]) == 0
    out, err = capsys.readouterr()
    assert err == f"chatbot: warning: {path}: skipped lines that are not logged questions: 4\n"
    text = out.splitlines()
    assert text[0].startswith("1. asked 2 times; probably 'refunds' (")
    assert text[1:] == [
        "     2x  how do i get my refund",
        "",
        "2. asked 1 time; no intent comes close (a new topic?)",
        "     1x  quantum chromodynamics",
        "",
        "3 logged questions in 2 groups",
    ]
    assert main(["suggest", str(path), "--intents", str(intents), "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert groups[0]["intent"] == "refunds"
    assert groups[0]["questions"] == [{"question": "how do i get my refund", "count": 2}]
    ranked = Bot(intents).matcher.rank("quantum chromodynamics", limit=1)
    assert groups[1] == {
        "intent": None,
        "score": round(ranked[0].score, 2) if ranked else 0.0,
        "count": 1,
        "questions": [{"question": "quantum chromodynamics", "count": 1}],
    }
    assert main(["suggest", "nope.jsonl"]) == 2
    assert capsys.readouterr().err == "chatbot: error: nope.jsonl: no such file\n"


def test_a_long_question_whose_entry_is_ranked_first_is_proposed_for_it(bundled_bot):
    # Logged because it fell back, yet its right entry is the best match: the curator should
    # add the wording there, not write a new entry.
    question = (
        "hi there, quick one from a total beginner: the huge text models everyone talks about, "
        "what sort of training data do the llms actually learn from"
    )
    reply = bundled_bot.ask(question)
    assert bundled_bot.matcher.rank(question, limit=1)[0].intent.id == "llm_data_inputs"
    groups = suggest(logged(question), bundled_bot.matcher)
    assert groups[0].intent == "llm_data_inputs", reply


def test_a_question_sharing_only_function_words_is_a_new_topic(bundled_bot):
    groups = suggest(logged("how many legs does a spider have"), bundled_bot.matcher)
    assert groups[0].intent is None


def test_suggest_groups_a_typo_with_its_wording_but_not_wordings_sharing_only_common_words(
    bundled_bot,
):
    groups = suggest(
        logged(
            "do you ship to canada",
            "do you ship to canada",
            "do you ship to canda",
            "i want you to recommend a good local restaurant to me",
            "i want you to start referring to me as lucky",
        ),
        bundled_bot.matcher,
    )
    assert [[question for question, _ in group.questions] for group in groups] == [
        ["do you ship to canada", "do you ship to canda"],
        ["i want you to recommend a good local restaurant to me"],
        ["i want you to start referring to me as lucky"],
    ]


def test_a_group_proposal_reads_its_most_asked_wordings(bundled_bot, monkeypatch):
    import chatbot.curation.unanswered as unanswered
    from chatbot import Matcher

    monkeypatch.setattr(unanswered, "PROPOSAL_WORDINGS", 2)
    read: list[str] = []
    original = Matcher.read
    monkeypatch.setattr(
        Matcher, "read", lambda self, text: read.append(text) or original(self, text)
    )
    wordings = [f"what data are llms trained on {'please ' * n}".strip() for n in range(6)]
    groups = suggest(logged(*wordings, wordings[3], wordings[3]), bundled_bot.matcher)
    assert len(groups) == 1
    assert len(groups[0].questions) == 6
    assert read == [wordings[3], wordings[0]]
    assert groups[0].intent == "llm_data_inputs"


def asked(question, bot):
    """A real reply to `question` (a fallback, for the questions below)."""
    return bot.conversation().ask(question)


def test_bytes_a_terminal_could_not_decode_are_logged_as_valid_utf8(bundled_bot, tmp_path):
    path = tmp_path / "log.jsonl"
    warnings = []
    log = UnansweredLog(path, on_error=warnings.append)
    # Under LC_ALL=C prompt_toolkit hands on "café" as "caf" and two lone surrogates.
    assert log.record(asked("zzqx caf\udcc3\udca9 \udcff", bundled_bot))
    assert log.record(asked("zzqx \ud800 again", bundled_bot))  # stands for no byte at all
    assert warnings == []
    assert [entry["question"] for entry in lines(path)] == ["zzqx café \ufffd", "zzqx \ufffd again"]


def test_the_log_escapes_c1_and_invisible_characters_as_json_output_does(bundled_bot, tmp_path):
    path = tmp_path / "log.jsonl"
    question = "zzqx \x9b2J \x85 \u202eevil \u2028 \x1b[31m é"
    assert UnansweredLog(path).record(asked(question, bundled_bot))
    raw = path.read_text("utf-8")
    for character in "\x9b\x85\u202e\u2028\x1b":
        assert character not in raw
    assert "\\u009b2J" in raw
    assert "é" in raw  # readable Unicode stays readable
    assert lines(path)[0]["question"] == question


def test_a_log_torn_by_an_earlier_full_disk_gets_the_next_line_on_its_own(bundled_bot, tmp_path):
    path = tmp_path / "log.jsonl"
    whole = '{"time": "t", "question": "when are you open", "best_guess": null, "score": 0}\n'
    path.write_text(whole + '{"time": "t", "question": "cut off by a full di', encoding="utf-8")
    assert UnansweredLog(path).record(asked("book a flight to rome", bundled_bot))
    contents = read_log(path)
    assert [entry.question for entry in contents.entries] == [
        "when are you open",
        "book a flight to rome",
    ]
    assert contents.skipped == (2,)


def test_an_entry_glued_onto_a_torn_line_is_recovered(tmp_path):
    # What logs written before lines were appended whole hold after a full disk.
    path = tmp_path / "log.jsonl"
    path.write_text(
        '{"time": "t", "question": "how do i get a ref'
        '{"time": "t", "question": "book a {\\"time\\": flight", "best_guess": null}\n'
        '{"time": "t", "question": "book a flight to rome", "best_guess": null}\n'
        '{"time": "t", "question": "cut {"time": "again, and not a whole entry"\n',
        encoding="utf-8",
    )
    contents = read_log(path)
    assert [(entry.question, entry.line) for entry in contents.entries] == [
        ('book a {"time": flight', 1),
        ("book a flight to rome", 2),
    ]
    assert contents.skipped == (3,)


def test_a_wording_as_close_to_two_groups_joins_the_one_formed_first(bundled_bot):
    # "ddd ccc fff" is as close to both leaders (73), which are not close to each other; its
    # rarest stem ("ccc") is the later group's, yet it joins the earlier, more asked one.
    groups = suggest(
        logged(*["ddd fff aaa"] * 3, *["ccc eee ddd"] * 2, "ddd ccc fff"),
        bundled_bot.matcher,
    )
    assert [[question for question, _ in group.questions] for group in groups] == [
        ["ddd fff aaa", "ddd ccc fff"],
        ["ccc eee ddd"],
    ]
