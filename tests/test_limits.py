"""Limits that hold after aliases and merge keys: intent files, cases files and logs are refused
quickly, in one located line, before anything is built from them."""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from chatbot import IntentFileTooLargeError, IntentSyntaxError, load_intents, read_intents
from chatbot.bot import bundled_intents_path
from chatbot.curation.cases import read_cases
from chatbot.curation.unanswered import read_log
from chatbot.errors import CasesFileError, LogFileError

ROOT = Path(__file__).resolve().parent.parent
REPEATS = "aliases and merge keys repeat more than 100,000 values"
LIMIT = "(the limit for a file of this size); write the repeated data out"


def refusal(path: Path) -> str:
    started = time.monotonic()
    with pytest.raises(IntentFileTooLargeError) as caught:
        load_intents(path)
    assert time.monotonic() - started < 5  # generous for a shared machine; it takes ~0.1 s
    return str(caught.value)


def test_one_question_list_aliased_by_many_intents_is_refused(write_yaml):
    # Issue 15's file aliases it from 4,000 intents (4M questions); 150 already build 150,000.
    questions = ", ".join(f"w{i} x y" for i in range(1000))
    lines = ["intents:", f"  - {{id: i0, questions: &q [{questions}], answer: a}}"]
    lines += [f"  - {{id: i{n}, questions: *q, answer: a}}" for n in range(1, 150)]
    path = write_yaml("\n".join(lines) + "\n")
    # The 100th alias is the one that goes past the limit.
    assert refusal(path) == f"{path}:102: {REPEATS} {LIMIT}"


def test_sharing_a_list_or_defaults_between_intents_is_fine(write_yaml):
    lines = ["defaults: &defaults {answer: Ask at the desk., topic: Shop}", "intents:"]
    lines.append("  - {id: i0, questions: &q [opening hours, when are you open], <<: *defaults}")
    lines += [f"  - {{id: i{n}, questions: *q, <<: *defaults}}" for n in range(1, 500)]
    result = read_intents(write_yaml("\n".join(lines) + "\n"))
    assert [error.reason for error in result.errors] == [
        "unknown key 'defaults'; expected one of: intents, synonyms, entities, settings, fallback"
    ]


def test_a_long_merge_key_chain_is_refused_before_it_is_built(write_yaml):
    lines = ["intents: [{id: a, questions: [x], answer: A}]", "a0: &a0 {k0: v}"]
    lines += [f"a{n}: &a{n} {{<<: *a{n - 1}, k{n}: v}}" for n in range(1, 10_000)]
    path = write_yaml("\n".join(lines) + "\n")
    assert refusal(path) == f"{path}:226: {REPEATS} {LIMIT}"


def test_merge_keys_repeating_one_mapping_cannot_double_at_each_level(write_yaml):
    # PyYAML issue 897: `<<: [*L, *L]` at each level doubles what is built.
    lines = ["intents: [{id: a, questions: [x], answer: A}]", "l0: &l0 {k: v}"]
    lines += [f"l{n}: &l{n} {{<<: [*l{n - 1}, *l{n - 1}], k{n}: v}}" for n in range(1, 40)]
    path = write_yaml("\n".join(lines) + "\n")
    assert refusal(path).endswith(LIMIT)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [("a: &a [*a]\n", 1, "list"), ("x: 1\na: &a {b: *a}\n", 2, "mapping")],
)
def test_an_alias_inside_what_it_names_is_refused(write_yaml, text, line, what):
    path = write_yaml(text)
    started = time.monotonic()
    with pytest.raises(IntentSyntaxError) as caught:
        load_intents(path)
    assert time.monotonic() - started < 1
    assert str(caught.value) == (
        f"{path}:{line}: invalid YAML: an alias refers to the {what} that contains it, "
        "which would never end"
    )


def test_nesting_is_limited(write_yaml):
    path = write_yaml("intents: []\ndeep: " + "[" * 150 + "]" * 150 + "\n")
    with pytest.raises(IntentFileTooLargeError) as caught:
        load_intents(path)
    assert str(caught.value) == f"{path}:2: nested more than 100 levels deep"


def test_loading_leaves_the_garbage_collector_as_it_found_it(write_yaml):
    path = write_yaml("intents: [{id: a, questions: [x], answer: A}]\n")
    load_intents(path)
    assert gc.isenabled()
    gc.disable()
    try:
        load_intents(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- Cases files and logs: the same reader, the same limits.


def test_an_alias_bomb_of_cases_is_refused(write_yaml):
    # 6 KB that made 1,000,000 cases: 1,000 conversations, each the same 1,000 turns.
    turn = "{question: what is an llm, intent: llm_definition}"
    first = "&t [&c " + turn + "," + ",".join(["*c"] * 999) + "]"
    path = write_yaml("conversations: [" + first + "," + ",".join(["*t"] * 999) + "]\n")
    started = time.monotonic()
    with pytest.raises(CasesFileError) as caught:
        read_cases(path)
    assert time.monotonic() - started < 5
    assert str(caught.value) == f"{path}:1: {REPEATS} {LIMIT}"


def test_cases_files_may_use_merge_keys(write_yaml):
    path = write_yaml(
        """
        cases:
          - &base {question: what is an llm, intent: llm_definition}
          - {<<: *base, question: what are llms}
        """
    )
    assert [(case.question, case.intent) for case in read_cases(path)] == [
        ("what is an llm", "llm_definition"),
        ("what are llms", "llm_definition"),
    ]


def test_a_folder_given_as_a_log(tmp_path):
    with pytest.raises(LogFileError) as caught:
        read_log(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a file"


def chatbot(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The command line in a fresh process, with a cap on memory and time, so a file read
    without limits fails the test instead of filling the machine or hanging."""
    gigabytes = 2 * 2**30
    return subprocess.run(
        [sys.executable, "-m", "chatbot", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (gigabytes, gigabytes)),
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


# (A folder given to eval is read as its YAML files.)
@pytest.mark.parametrize(
    ("command", "given"),
    [
        ("eval", "/dev/zero"),
        ("suggest", "/dev/zero"),
        ("eval", "fifo"),
        ("suggest", "fifo"),
        ("suggest", "folder"),
    ],
)
def test_eval_and_suggest_refuse_devices_pipes_and_folders(
    shop_intents, tmp_path, fifo, command, given
):
    path = {"fifo": str(fifo), "folder": str(tmp_path)}.get(given, given)
    started = time.monotonic()
    result = chatbot(command, "--intents", str(shop_intents), path)
    assert time.monotonic() - started < 30
    reason = "is a folder, not a file" if given == "folder" else "not a regular file"
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"chatbot: error: {path}: {reason}")
    assert result.stderr.count("\n") == 1


# --- Characters YAML does not allow: one line, with the line and column.


@pytest.mark.parametrize(
    ("raw", "code", "column", "hint"),
    [
        (b"\x00", "0000", 19, 'remove it, or write it as "\\x00" inside double quotes'),
        (b"\x7f", "007F", 19, 'remove it, or write it as "\\x7f" inside double quotes'),
        ("\x9b".encode(), "009B", 19, 'remove it, or write it as "\\x9b" inside double quotes'),
    ],
)
def test_a_raw_control_character_is_named_with_its_line_and_column(
    tmp_path, raw, code, column, hint
):
    path = tmp_path / "faq.yaml"
    path.write_bytes(
        b"intents:\n  - id: a\n    questions: [x]\n    answer: 'caf\xc3\xa9 " + raw + b"'\n"
    )
    with pytest.raises(IntentSyntaxError) as caught:
        load_intents(path)
    assert str(caught.value) == (
        f"{path}:4: invalid YAML: control character U+{code} at column {column}; YAML text may "
        f"not hold it raw (hint: {hint})"
    )


def test_utf16_without_a_byte_order_mark_is_named_as_such(tmp_path):
    path = tmp_path / "faq.yaml"
    path.write_bytes("intents:\n  - {id: a, questions: [x], answer: A}\n".encode("utf-16-be"))
    with pytest.raises(IntentSyntaxError) as caught:
        load_intents(path)
    assert str(caught.value) == (
        f"{path}:1: invalid YAML: control character U+0000 at column 1; YAML text may not hold "
        "it raw (hint: the file looks like UTF-16; save it as UTF-8)"
    )
    with pytest.raises(CasesFileError) as caught_cases:
        read_cases(path)
    assert str(caught_cases.value) == str(caught.value)


def test_without_libyaml_the_same_files_give_the_same_results(monkeypatch, tmp_path):
    from chatbot.loading import yaml_nodes

    class PurePythonComposer(yaml.BaseLoader):  # type: ignore[misc]
        """The composer of a PyYAML installed without libyaml."""

        resolve = yaml_nodes._Composer.resolve

    with_libyaml = load_intents(bundled_intents_path())
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"intents:\n  - {id: a, questions: [x], answer: 'A\x00'}\n")
    expected = str(read_intents(nul).errors[0])
    monkeypatch.setattr(yaml_nodes, "_Composer", PurePythonComposer)
    assert load_intents(bundled_intents_path()) == with_libyaml
    assert str(read_intents(nul).errors[0]) == expected
    deep = tmp_path / "deep.yaml"
    deep.write_text("intents: []\ndeep: " + "[" * 2000 + "]" * 2000 + "\n")
    assert str(read_intents(deep).errors[0]) == f"{deep}: nested too deeply"
