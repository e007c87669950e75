"""Hostile and broken input: files, user text, output, threads and faults lose nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot import (
    IntentFileTooLargeError,
    IntentPathError,
    KnowledgeBase,
    load_intents,
    read_intents,
)
from chatbot.cli import main
from chatbot.dialogue.followups import FOLLOW_UP_WORDS
from chatbot.errors import LocatedError
from chatbot.loading import located, yaml_nodes
from chatbot.render import clean, format_reply

ROOT = Path(__file__).resolve().parent.parent

BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
intents:
  - id: bomb
    questions: *i
    answer: boom
"""


def test_alias_bomb_is_refused_quickly(write_yaml):
    path = write_yaml(BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(IntentFileTooLargeError) as caught:
        load_intents(path)
    assert time.monotonic() - started < 10  # a generous bound: expanding it would never end
    assert str(caught.value) == (
        f"{path}:6: aliases and merge keys repeat more than 100,000 values "
        "(the limit for a file of this size); write the repeated data out"
    )


def test_aliased_values_count_every_time_they_appear(write_yaml, monkeypatch):
    # 18 values: the top mapping, its 2 keys and 2 values, the 3 shared questions, the intent,
    # its 3 keys and 3 values, and the 3 shared questions again where the alias is used.
    path = write_yaml("shared: &x [a, b, c]\nintents:\n  - {id: a, questions: *x, answer: A}\n")
    monkeypatch.setattr(yaml_nodes, "MAX_VALUES", 18)
    assert read_intents(path).errors[0].location_message() == (
        f"{path}:1: unknown key 'shared'; "
        "expected one of: intents, synonyms, entities, settings, fallback"
    )
    # 14 values written out leave 3 to repeat, and the alias repeats 4.
    monkeypatch.setattr(yaml_nodes, "MAX_VALUES", 17)
    with pytest.raises(IntentFileTooLargeError) as caught:
        load_intents(path)
    assert str(caught.value) == (
        f"{path}:3: aliases and merge keys repeat more than 3 values "
        "(the limit for a file of this size); write the repeated data out"
    )


def test_oversized_file_is_refused_without_reading_it_all(write_yaml, monkeypatch):
    monkeypatch.setattr(located, "MAX_FILE_BYTES", 1000)
    path = write_yaml("intents:\n" + "  # padding\n" * 200)
    with pytest.raises(IntentFileTooLargeError) as caught:
        load_intents(path)
    assert str(caught.value) == f"{path}: file is larger than 0 MB; split it into several files"


def test_symlink_loop_and_broken_link(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(IntentPathError) as caught:
        load_intents(loop)
    assert str(caught.value) == f"{loop}: symbolic link loop"
    broken = tmp_path / "broken.yaml"
    broken.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(IntentPathError) as caught:
        load_intents(broken)
    assert str(caught.value) == f"{broken}: broken symbolic link"


def test_a_broken_link_inside_a_folder_is_reported_not_skipped(tmp_path):
    (tmp_path / "good.yaml").write_text("intents: [{id: a, questions: [x], answer: A}]")
    (tmp_path / "bad.yaml").symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(IntentPathError) as caught:
        load_intents(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'bad.yaml'}: broken symbolic link"


def test_unreadable_file():
    # File modes do not stop root from reading, but a process's own memory file at offset 0
    # fails every read, whoever asks: a real read error, not a simulated one.
    path = Path("/proc/self/mem")
    if not path.exists():
        pytest.skip("no /proc/self/mem on this system")
    with pytest.raises(IntentPathError) as caught:
        load_intents(path)
    assert str(caught.value) == f"{path}: cannot read file: Input/output error"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty; expected a mapping with an 'intents' list"),
        (b"\xff\xfe bad bytes", "not UTF-8 text (byte 0xff cannot be decoded)"),
        (b"intents: [", "invalid YAML"),
        (b"!!python/object/apply:os.system ['true']", "could not determine a constructor"),
    ],
)
def test_bad_files_give_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "chatbot", "ask", "--intents", str(path), "hello"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"chatbot: error: {path}")
    assert message in result.stderr


HOSTILE_LINES = [
    "what is an llm\x00\x00",
    "\x1b[2J\x1b]0;pwned\x07what is generative ai",
    "🤖🤖 what is an llm 🤖",
    "ما هو نموذج اللغة الكبير",  # right-to-left script
    "大型语言模型是什么",
    "x" * 1_000_000,
    "\u202ewhat is an llm",  # right-to-left override
    "\t\r\v\f",
]


@pytest.mark.parametrize("text", HOSTILE_LINES, ids=range(len(HOSTILE_LINES)))
def test_hostile_user_text_gets_an_answer_or_a_fallback(bundled_bot, text):
    reply = bundled_bot.conversation().ask(text)
    assert reply.kind in {"answer", "fallback", "clarify"}
    if "what is an llm" in text:  # the noise around the question must not hide it
        assert reply.intent == "llm_definition"
    assert 0 <= reply.score <= 100
    rendered = format_reply(reply)
    assert "\x1b" not in rendered
    assert "\x00" not in rendered


def test_piped_hostile_bytes_never_crash(capsys, monkeypatch):
    data = b"\xff\xfe\x00what is an llm\n" + b"a" * 1_000_000 + b"\n\x1b[31mhi\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["--json"]) == 0
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(replies) == 3
    assert replies[0]["intent"] == "llm_definition"


def test_answers_from_yaml_cannot_drive_the_terminal(write_yaml, capsys, monkeypatch):
    path = write_yaml(
        'intents: [{id: evil, questions: [hello], answer: "\\e[2J\\e]0;title\\a cleared"}]'
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"hello\n")))
    assert main(["--intents", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == " cleared\n"
    assert clean("a\x9b2Jb\x1bPdcs\x1b\\c") == "abc"


def test_threads_sharing_a_bot_get_what_they_would_get_alone(bundled_bot):
    questions = [
        "what is an llm", "can llms make images", "what data is genai trained on",
        "hi", "book a flight", "is chatgpt an llm", "why are llms large", "qwerty",
    ]  # fmt: skip
    alone = {q: [(m.intent.id, m.score) for m in bundled_bot.matcher.rank(q)] for q in questions}
    follow_ups = {
        "what data is genai trained on": "genai_data_inputs",
        "what is an llm": "llm_definition",
    }
    failures: list[str] = []

    def worker(offset: int) -> None:
        conversation = bundled_bot.conversation()
        for round_ in range(20):
            question = questions[(offset + round_) % len(questions)]
            got = [(m.intent.id, m.score) for m in bundled_bot.matcher.rank(question)]
            if got != alone[question]:
                failures.append(f"{question}: {got} != {alone[question]}")
            conversation.ask(question)
            if question in follow_ups and conversation.context.intent != follow_ups[question]:
                failures.append(f"context leaked into thread {offset}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_closed_pipe_ends_quietly():
    lines = "what is an llm\n" * 2000
    chatbot = subprocess.Popen(
        [sys.executable, "-m", "chatbot"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert chatbot.stdout
    assert chatbot.stdin
    assert chatbot.stderr
    chatbot.stdin.write(lines.encode())  # fits in the pipe's buffer
    chatbot.stdin.close()
    chatbot.stdout.readline()
    chatbot.stdout.close()  # the reader goes away, as with `| head -1`
    assert chatbot.wait(timeout=60) == 0
    with chatbot.stderr as stderr:
        assert b"Traceback" not in stderr.read()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_rank_never_raises_stays_in_range_and_is_deterministic(bundled_bot, text):
    matcher = bundled_bot.matcher
    first = matcher.rank(text)
    assert all(0 <= m.score <= 100 for m in first)
    assert [m.score for m in first] == sorted((m.score for m in first), reverse=True)
    assert [(m.intent.id, m.score) for m in matcher.rank(text)] == [
        (m.intent.id, m.score) for m in first
    ]
    best = matcher.match(text)
    if first and first[0].score >= matcher.threshold:
        assert best is not None
        assert best.intent.id == first[0].intent.id
    else:
        assert best is None


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "intents",
                    "id",
                    "questions",
                    "answer",
                    "slots",
                    "synonyms",
                    "entities",
                    "settings",
                    "threshold",
                    "follow_ups",
                    "more",
                    "fallback",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=YAML_VALUES)
def test_loader_raises_only_chatbot_errors(tmp_path, document):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    loaded = load_or_locate(path)
    if loaded is not None:
        # A file that loads holds an intents list (or none) of complete entries, each loaded.
        assert isinstance(document, dict)
        entries = document.get("intents") or []
        assert [intent.id for intent in loaded] == [str(entry["id"]) for entry in entries]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_loader_survives_arbitrary_text(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_locate(path)


def load_or_locate(path: Path) -> KnowledgeBase | None:
    """The file's knowledge base, or None after checking that the error names the file and,
    when it gives a line, one of the file's lines."""
    try:
        return load_intents(path)
    except LocatedError as raised:
        error = raised
    assert error.path == str(path), str(error)
    assert str(error).startswith(f"{path}:"), str(error)
    # PyYAML places a file that ends inside a value ("{") on the line after its last.
    lines = path.read_text(encoding="utf-8").count("\n") + 2
    assert error.line is None or 1 <= error.line <= lines, (str(error), lines)
    return None


def test_a_full_disk_stops_the_log_but_not_the_chat_and_leaves_no_half_line(
    bundled_bot, small_disk, fill_disk
):
    from chatbot.curation.unanswered import UnansweredLog, read_log

    path = small_disk / "log.jsonl"
    warnings: list[str] = []
    log = UnansweredLog(path, on_error=warnings.append)
    conversation = bundled_bot.conversation()
    assert log.record(conversation.ask("book a flight"))
    filler = fill_disk(small_disk)  # what is left is the slack of the log's last page
    assert log.record(conversation.ask("x" * 1_000_000))  # cut to 2,000 characters: it fits
    before = path.read_bytes()
    assert not log.record(conversation.ask("y" * 1_000_000))  # the disk fills halfway through
    assert not log.record(conversation.ask("order a taxi"))
    assert warnings == [f"cannot write to {path}: No space left on device; not logging questions"]
    assert conversation.ask("what is an llm").intent == "llm_definition"
    assert path.read_bytes() == before  # the half-written line was cut off again
    filler.unlink()
    assert UnansweredLog(path).record(conversation.ask("order a pizza"))  # the next chat
    contents = read_log(path)
    assert contents.skipped == ()
    questions = [entry.question for entry in contents.entries]
    assert questions == ["book a flight", "x" * 2000, "order a pizza"]


def test_piped_chat_with_the_log_on_dev_full(capsys, monkeypatch):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"book a flight\nhello\n")))
    assert main(["--json", "--log-unanswered", "/dev/full"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2
    assert err == (
        "chatbot: warning: cannot write to /dev/full: No space left on device;"
        " not logging questions\n"
    )


def test_history_on_a_full_disk_costs_history_not_the_chat(bundled_bot):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    from chatbot.terminal.repl import open_history

    history, warning = open_history(Path("/dev/full"))
    assert warning == (
        "warning: cannot keep history in /dev/full (not a regular file); it will not be saved"
    )
    history.append_string("what is an llm")  # kept in memory; the chat goes on
    assert list(history.get_strings()) == ["what is an llm"]


def test_json_output_escapes_every_control_character(capsys, monkeypatch):
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO("hi \x9b2J \x1b[31m é\n".encode()))
    )
    assert main(["--json"]) == 0
    out = capsys.readouterr().out
    assert "\x9b" not in out
    assert "\x1b" not in out
    assert json.loads(out)["question"] == "hi \x9b2J \x1b[31m é"


CORE_TAGS = ["str", "int", "float", "bool", "null", "timestamp", "binary", "seq", "map", "set"]
CORE_TAGS += ["omap", "pairs", "merge", "value"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tag=st.sampled_from(CORE_TAGS),
    value=st.sampled_from(["abc", "0x", "12", "2020-13-45", "[a]", "{a: b}", "''", "~", "1e999"]),
    where=st.sampled_from(["why: {}", "questions: {}", "slots: {}", "follow_ups: [{}]"]),
)
def test_explicit_tags_on_any_value_raise_only_chatbot_errors(tmp_path, tag, value, where):
    path = tmp_path / "tagged.yaml"
    field = where.format(f"!!{tag} {value}")
    path.write_text(f"intents:\n  - id: a\n    answer: b\n    {field}\n")
    loaded = load_or_locate(path)
    if loaded is None:
        return
    # Accepted: the tagged value was one the field allows, and the intent is there.
    assert [intent.id for intent in loaded] == ["a"]
    assert loaded.get("a").answer == "b"


TURN_WORDS = [
    *sorted(FOLLOW_UP_WORDS),
    "llms", "generativ", "ai", "both", "outputs", "archtecture", "data", "overview", "1", "2",
    "tell", "more", "why", "chatgpt", "\x00", "中文", "?",
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    turns=st.lists(
        st.lists(st.sampled_from(TURN_WORDS), max_size=6).map(" ".join), min_size=1, max_size=6
    )
)
def test_any_sequence_of_follow_ups_gets_replies_that_keep_their_word(bundled_bot, turns):
    conversation = bundled_bot.conversation()
    for text in turns:
        reply = conversation.ask(text)
        assert 0.0 <= reply.score <= 100.0
        assert (reply.intent is None) == (reply.kind in {"fallback", "clarify", "notice"})
        if reply.intent is not None:
            assert bundled_bot.knowledge.get(reply.intent) is not None
