"""What a user reads when an intent file or folder is wrong: the exact message, with its line.

Written against mutants of `chatbot/loading/` that no other test noticed (see
benchmarks/mutation.py): each case is a slip someone can make in a real file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chatbot import IntentFileTooLargeError, load_intents, read_intents
from chatbot.errors import IntentPathError
from chatbot.loading.loader import intent_files

ROOT = Path(__file__).resolve().parent.parent
ONE_INTENT = "intents: [{id: a, questions: [x], answer: A}]\n"


def messages(*paths: Path) -> list[str]:
    return [str(error) for error in read_intents(*paths).errors]


# --- Folders.


def test_no_paths_at_all_is_named_as_such():
    with pytest.raises(IntentPathError) as caught:
        intent_files()
    assert str(caught.value) == ".: no intent files given"


def test_a_sub_folder_named_like_a_yaml_file_is_skipped(tmp_path):
    (tmp_path / "faq.yaml").write_text(ONE_INTENT)
    (tmp_path / "old.yaml").mkdir()
    (tmp_path / "old.yaml" / "b.yaml").write_text("intents: [{id: b, questions: [y], answer: B}]")
    assert intent_files(tmp_path) == [str(tmp_path / "faq.yaml")]
    assert [intent.id for intent in load_intents(tmp_path).intents] == ["a"]


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv to drop root's rights")
def test_a_folder_that_cannot_be_listed_says_so(tmp_path):
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "faq.yaml").write_text(ONE_INTENT)
    assert [intent.id for intent in load_intents(folder).intents] == ["a"]
    folder.chmod(0o300)  # may enter, may not list
    # As root, a folder's mode stops nothing: the check runs without the rights that bypass it
    # (and as anyone else, it changes nothing).
    drop = "-dac_override,-dac_read_search"
    setpriv = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"]
    try:
        result = subprocess.run(
            [*setpriv, sys.executable, "-m", "chatbot", "ask", "--intents", str(folder), "hi"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
            check=False,
        )
    finally:
        folder.chmod(0o700)
    if "setpriv:" in result.stderr:
        pytest.skip(f"cannot drop rights here: {result.stderr.strip()}")
    assert (result.returncode, result.stderr) == (
        2,
        f"chatbot: error: {folder}: cannot list folder: Permission denied\n",
    )


# --- Settings and the fallback.


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("settings: !!set {threshold}", "'settings' must be a mapping, got set"),
        ("settings: {context_turns: 0}", "'context_turns' must be a whole number of at least 1"),
        ("fallback: '   '", "'fallback' must be a non-empty string"),
        ("fallback: [Ask me]", "'fallback' must be a non-empty string"),
    ],
)
def test_a_wrong_setting_is_named_on_its_line(write_yaml, settings, message):
    path = write_yaml(ONE_INTENT + settings + "\n")
    assert messages(path) == [f"{path}:2: {message}"]


def test_one_turn_of_context_is_allowed(write_yaml):
    path = write_yaml(ONE_INTENT + "settings: {context_turns: 1}\n")
    assert load_intents(path).context_turns == 1


def test_a_setting_given_twice_names_both_places(write_yaml):
    first = write_yaml(ONE_INTENT + "settings:\n  threshold: 40\nfallback: Ask me.\n", "one.yaml")
    second = write_yaml(
        "intents: [{id: b, questions: [y], answer: B}]\n\nsettings:\n  threshold: 50\n"
        "fallback: Ask someone else.\n",
        "two.yaml",
    )
    assert messages(first, second) == [
        f"{second}:4: 'threshold' is already set to 40 at {first}:3",
        f"{second}:5: 'fallback' is already set to 'Ask me.' at {first}:4",
    ]
    # The same value twice is no conflict.
    again = write_yaml("intents: []\nsettings: {threshold: 40}\nfallback: Ask me.\n", "three.yaml")
    knowledge = load_intents(first, again)
    assert (knowledge.threshold, knowledge.fallback) == (40, "Ask me.")


# --- YAML slips.

BRACKET_HINT = "a value starting with '[' or '{' is a list or a mapping: quote it if it is text"


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ("%50 off", "a value starting with '%' must be quoted"),
        ("[see] the docs", BRACKET_HINT),
        ("{see} the docs", BRACKET_HINT),
    ],
)
def test_a_value_starting_with_a_yaml_indicator_gets_a_hint(write_yaml, answer, hint):
    path = write_yaml(f"intents:\n  - id: a\n    questions: [x]\n    answer: {answer}\n")
    (message,) = messages(path)
    assert message.startswith(f"{path}:4: invalid YAML: ")
    assert message.endswith(f"(hint: {hint})")


def test_a_control_character_after_an_empty_first_line_is_in_column_one_of_line_two(tmp_path):
    path = tmp_path / "faq.yaml"
    path.write_bytes(b"\n\x01intents: []\n")
    assert messages(path) == [
        f"{path}:2: invalid YAML: control character U+0001 at column 1; YAML text may not hold "
        'it raw (hint: remove it, or write it as "\\x01" inside double quotes)'
    ]


def test_a_control_character_beyond_latin1_is_written_as_a_u_escape(tmp_path):
    path = tmp_path / "faq.yaml"
    path.write_bytes("intents: [{id: a, questions: [x], answer: 'A\ufffe'}]\n".encode())
    assert messages(path) == [
        f"{path}:1: invalid YAML: control character U+FFFE at column 45; YAML text may not "
        'hold it raw (hint: remove it, or write it as "\\ufffe" inside double quotes)'
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        # A third of the start NUL (21 of 63 characters): what UTF-16 of ASCII text looks like.
        ("\x00" * 21 + "#" * 42, "utf16"),
        # Fewer (21 of the first 64): a few stray NULs in a UTF-8 file.
        ("\x00" * 21 + "#" * 43, "raw"),
    ],
)
def test_nul_characters_are_taken_for_utf16_from_a_third_of_the_start(tmp_path, text, hint):
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    hints = {
        "utf16": "the file looks like UTF-16; save it as UTF-8",
        "raw": 'remove it, or write it as "\\x00" inside double quotes',
    }
    assert messages(path) == [
        f"{path}:1: invalid YAML: control character U+0000 at column 1; YAML text may not hold "
        f"it raw (hint: {hints[hint]})"
    ]


def test_without_libyaml_a_control_character_after_accents_has_the_same_column(
    monkeypatch, tmp_path
):
    # libyaml counts the position in bytes, the pure-Python reader in characters: both must
    # give the column a user counts.
    from chatbot.loading import yaml_nodes

    class PurePythonComposer(yaml.BaseLoader):  # type: ignore[misc]
        """The composer of a PyYAML installed without libyaml."""

        resolve = yaml_nodes._Composer.resolve

    path = tmp_path / "faq.yaml"
    path.write_bytes(
        b"intents: [{id: a, questions: [x], answer: 'caf\xc3\xa9 \xc3\xa9t\xc3\xa9\x7f'}]"
    )
    expected = [
        f"{path}:1: invalid YAML: control character U+007F at column 52; YAML text may not hold "
        'it raw (hint: remove it, or write it as "\\x7f" inside double quotes)'
    ]
    assert messages(path) == expected
    monkeypatch.setattr(yaml_nodes, "_Composer", PurePythonComposer)
    assert messages(path) == expected


# --- Limits.


def test_aliases_repeating_long_text_are_refused_on_the_line_that_goes_too_far(write_yaml):
    # Few values but many characters: 100,005 characters a repeat, so the 10th alias (line 12)
    # is the one past the million allowed.
    lines = ["intents:", "  - {id: i0, questions: &q [hello, " + "x" * 100_000 + "], answer: A}"]
    lines += [f"  - {{id: i{n}, questions: *q, answer: A}}" for n in range(1, 30)]
    path = write_yaml("\n".join(lines) + "\n")
    with pytest.raises(IntentFileTooLargeError) as caught:
        load_intents(path)
    assert str(caught.value) == (
        f"{path}:12: aliases and merge keys repeat more than 1,000,000 characters (the limit "
        "for a file of this size); write the repeated data out"
    )


@pytest.mark.parametrize(
    ("opening", "closing"), [("[", "]"), ("{a: ", "}")], ids=["lists", "mappings"]
)
def test_nesting_stops_at_exactly_100_levels(write_yaml, opening, closing):
    # The top mapping is the first level: 99 more fit, 100 more do not.
    fits = write_yaml("intents: []\nfallback: " + opening * 99 + "x" + closing * 99 + "\n")
    assert messages(fits) == [f"{fits}:2: 'fallback' must be a non-empty string"]
    deep = write_yaml("intents: []\nfallback: " + opening * 100 + "x" + closing * 100 + "\n")
    assert messages(deep) == [f"{deep}:2: nested more than 100 levels deep"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: !!binary aGVsbG8=\n",
            "4: intent 'a': 'answer' must be a string, got bytes",
        ),
        (
            "intents:\n  - id: a\n    questions: !!set {x}\n    answer: A\n",
            "3: intent 'a': 'questions' must be a list of strings, got set",
        ),
        (
            "intents: []\nx:\n  ? [a]\n  : b\n",
            "3: invalid YAML: a key must be a plain value, not a list",
        ),
        ("# the FAQ\nintents: 5\n", "2: 'intents' must be a list of mappings, got str"),
        (
            "intents:\n  - questions: [x]\n    answer: A\n    id: [a]\n",
            "4: 'id' must be a non-empty string, got list",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: A\n    sets_context: maybe\n",
            "5: intent 'a': 'sets_context' must be true or false, got str",
        ),
        (
            ONE_INTENT + "synonyms:\n  llm: [large language model]\n  genai: {gen: ai}\n",
            "4: 'synonyms' entry 'genai' must be a list of non-empty strings",
        ),
        (
            ONE_INTENT + "entities:\n  subject:\n    llm: [llms]\n    genai: {gen: ai}\n",
            "5: 'entities.subject' entry 'genai' must be a list of non-empty strings",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_is_named_with_its_kind_and_line(write_yaml, text, message):
    path = write_yaml(text)
    assert messages(path) == [f"{path}:{message}"]
