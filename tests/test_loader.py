"""Loading intent YAML: good files merge, and each kind of bad file gets its exact message."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from chatbot import (
    ChatbotError,
    DuplicateIntentError,
    IntentPathError,
    IntentSchemaError,
    IntentSyntaxError,
    load_intents,
    read_intents,
)
from chatbot.bot import bundled_intents_path

GOOD = """
synonyms:
  llm: [large language model]
entities:
  subject:
    llm: [llm, llms]
settings:
  threshold: 40
  context_turns: 3
fallback: I only know about LLMs.
intents:
  - id: llm_definition
    topic: Basics
    slots: {subject: llm, aspect: definition}
    questions: [What is an LLM?, what's a large language model]
    answer: A model of language.
    more: A longer answer.
    why: Because.
    follow_ups: [other]
  - id: other
    questions: [something else]
    answer: Other.
"""


def test_good_file_loads_every_field(write_yaml):
    kb = load_intents(write_yaml(GOOD))
    assert [intent.id for intent in kb] == ["llm_definition", "other"]
    intent = kb.get("llm_definition")
    assert intent.questions == ("What is an LLM?", "what's a large language model")
    assert intent.answer == "A model of language."
    assert (intent.more, intent.why, intent.topic) == ("A longer answer.", "Because.", "Basics")
    assert intent.follow_ups == ("other",)
    assert dict(intent.slots) == {"subject": "llm", "aspect": "definition"}
    assert intent.source.line == 11
    assert kb.synonyms["llm"] == ("large language model",)
    assert kb.entities["subject"]["llm"] == ("llm", "llms")
    assert (kb.threshold, kb.context_turns, kb.fallback) == (40, 3, "I only know about LLMs.")


def test_folder_loads_sorted_yaml_and_yml_files_only(write_yaml, tmp_path):
    write_yaml("intents: [{id: b, questions: [b?], answer: B}]", "kb/b.yml")
    write_yaml("intents: [{id: a, questions: [a?], answer: A}]", "kb/a.yaml")
    write_yaml("not: yaml intents", "kb/notes.txt")
    kb = load_intents(tmp_path / "kb")
    assert [intent.id for intent in kb] == ["a", "b"]


def test_several_paths_merge(write_yaml):
    first = write_yaml("intents: [{id: a, questions: [a?], answer: A}]", "one.yaml")
    second = write_yaml("intents: [{id: b, questions: [b?], answer: B}]", "two.yaml")
    assert [i.id for i in load_intents(first, second)] == ["a", "b"]
    assert [i.id for i in load_intents([first, second])] == ["a", "b"]


def test_bundled_faq_loads():
    kb = load_intents(bundled_intents_path())
    assert len(kb) >= 20
    assert all(len(intent.questions) >= 8 for intent in kb)


def error_of(path: Path | str) -> ChatbotError:
    with pytest.raises(ChatbotError) as caught:
        load_intents(path)
    return caught.value


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        (
            "intents:\n  - id: a\n    questions: What is it?\n    answer: A\n",
            IntentSchemaError,
            "{f}:3: intent 'a': 'questions' must be a list of strings, got str",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n",
            IntentSchemaError,
            "{f}:2: intent 'a': missing key 'answer'",
        ),
        (
            "intents:\n  - questions: [x]\n    answer: A\n",
            IntentSchemaError,
            "{f}:2: missing key 'id'",
        ),
        (
            "intents:\n  - id: a\n    qestions: [x]\n    questions: [y]\n    answer: A\n",
            IntentSchemaError,
            "{f}:3: intent 'a': unknown key 'qestions' (did you mean 'questions'?); "
            "expected one of: id, questions, answer, more, why, follow_ups, slots, topic, "
            "sets_context",
        ),
        (
            "intents:\n  - id: a\n    questions: []\n    answer: A\n",
            IntentSchemaError,
            "{f}:3: intent 'a': 'questions' must not be empty",
        ),
        (
            "intents:\n  - id: a\n    questions: [ok, [nested]]\n    answer: A\n",
            IntentSchemaError,
            "{f}:3: intent 'a': 'questions' item 2 must be a string, got list",
        ),
        (
            "intents:\n  - id: a b\n    questions: [x]\n    answer: A\n",
            IntentSchemaError,
            "{f}:2: intent 'a b': 'id' may only contain letters, digits, '_', '-' and '.'",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: A\n"
            "  - id: a\n    questions: [y]\n    answer: B\n",
            DuplicateIntentError,
            "{f}:5: intent 'a': duplicate id 'a', first declared at {f}:2",
        ),
        (
            "intents:\n  - id: a\n    questions: [x\n    answer: A\n",
            IntentSyntaxError,
            "{f}:4: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'",
        ),
        (
            "intents:\n  - id: a\n    id: b\n    questions: [x]\n    answer: A\n",
            IntentSyntaxError,
            "{f}:3: invalid YAML: duplicate key 'id'",
        ),
        (
            "",
            IntentSchemaError,
            "{f}: the file is empty; expected a mapping with an 'intents' list",
        ),
        (
            "- just\n- a list\n",
            IntentSchemaError,
            "{f}:1: expected a mapping with an 'intents' list at the top, got list",
        ),
        (
            "intent:\n  - id: a\n",
            IntentSchemaError,
            "{f}:1: unknown key 'intent' (did you mean 'intents'?); "
            "expected one of: intents, synonyms, entities, settings, fallback",
        ),
        (
            "settings: {threshold: 200}\nintents: []\n",
            IntentSchemaError,
            "{f}:1: 'threshold' must be a number from 0 to 100",
        ),
    ],
)
def test_bad_file_message_names_file_line_and_intent(write_yaml, text, kind, message):
    path = write_yaml(text)
    error = error_of(path)
    assert type(error) is kind
    assert error.location_message() == message.format(f=path)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"intents:\n  - id: caf\xe9\n")
    error = error_of(path)
    assert isinstance(error, IntentSyntaxError)
    assert str(error) == f"{path}:2: not UTF-8 text (byte 0xe9 cannot be decoded)"


def test_an_intent_source_reads_as_file_line_and_stays_put(write_yaml):
    path = write_yaml(GOOD)
    source = load_intents(path).get("other").source
    assert (str(source), source.path, source.line) == (f"{path}:19", str(path), 19)
    with pytest.raises(AttributeError):
        source.line = 1
    assert copy.deepcopy(source) == source
    assert hash(copy.copy(source)) == hash(source)


def test_a_byte_order_mark_is_ignored_and_lines_still_count(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfintents:\n  - {id: a, questions: [x], answer: A}\n")
    assert load_intents(path).get("a").source.line == 2
    path.write_bytes(b"\xef\xbb\xbfintents:\n  - id: caf\xe9\n")
    assert str(error_of(path)) == f"{path}:2: not UTF-8 text (byte 0xe9 cannot be decoded)"


MERGED = """
defaults: &defaults
  answer: A
intents:
  - <<: *defaults
    id: a
    questions: [x]
  - <<: *defaults
    id: b
    questions: [y]
    answer: B
  - {id: c, questions: [z], answer: C, 7: seven}
"""


def test_merge_keys_work_and_keys_that_are_not_strings_keep_their_lines(write_yaml):
    path = write_yaml(MERGED)
    assert [error.location_message() for error in read_intents(path).errors] == [
        f"{path}:1: unknown key 'defaults'; "
        "expected one of: intents, synonyms, entities, settings, fallback",
        f"{path}:11: intent 'c': unknown key '7'; "
        "expected one of: id, questions, answer, more, why, follow_ups, slots, topic, "
        "sets_context",
    ]
    merged = "intents:\n  - <<: {answer: A}\n    id: a\n    questions: [x]\n"
    assert load_intents(write_yaml(merged)).get("a").answer == "A"


# YAML 1.1 reads these as 630, 511, 1000, 31, True, False, a date, infinity...
AS_WRITTEN = ["10:30", "0777", "1_000", "0x1F", "1e3", "7", "1.5", "true", "no", "no way"]
AS_WRITTEN += ["2001-01-01", ".inf", "~ tilde", "<<x", "=y"]


def test_text_is_read_as_written_not_as_yaml_types(write_yaml):
    path = write_yaml(
        f"""
        synonyms: {{ten thirty: [10:30, 0x1F]}}
        entities: {{time: {{morning: [0777, 1_000]}}}}
        intents:
          - id: 0777
            questions: [{", ".join(AS_WRITTEN)}]
            answer: 10:30
            more: yes
            slots: {{time: 1_000}}
            sets_context: no
        """
    )
    knowledge = load_intents(path)
    intent = knowledge.get("0777")
    assert intent.questions == tuple(AS_WRITTEN)
    assert (intent.answer, intent.more, dict(intent.slots)) == ("10:30", "yes", {"time": "1_000"})
    assert intent.sets_context is False  # true/false settings are still read as YAML reads them
    assert knowledge.synonyms["ten thirty"] == ("10:30", "0x1F")
    assert knowledge.entities["time"]["morning"] == ("0777", "1_000")


def test_null_and_empty_values_are_still_no_value(write_yaml):
    path = write_yaml("intents:\n  - id: a\n    questions: [x, null, ~, '']\n    answer:\n")
    assert [error.location_message() for error in read_intents(path).errors] == [
        f"{path}:3: intent 'a': 'questions' item 2 must be a string, got null",
        f"{path}:3: intent 'a': 'questions' item 3 must be a string, got null",
        f"{path}:3: intent 'a': 'questions' item 4 is empty",
        f"{path}:2: intent 'a': missing key 'answer'",
    ]


@pytest.mark.parametrize("intent_id", ["a.b-c_9", "Z"])
def test_ids_may_use_letters_digits_and_some_marks(write_yaml, intent_id):
    path = write_yaml(f"intents: [{{id: {intent_id}, questions: [x], answer: A}}]\n")
    assert load_intents(path).get(intent_id) is not None


@pytest.mark.parametrize("intent_id", ["café", "a/b"])
def test_ids_may_not_use_other_characters(write_yaml, intent_id):
    path = write_yaml(f"intents: [{{id: {intent_id}, questions: [x], answer: A}}]\n")
    assert str(error_of(path)) == (
        f"{path}:1: intent '{intent_id}': 'id' may only contain letters, digits, '_', '-' and '.'"
    )


def test_duplicate_keys_are_found_beside_merge_keys(write_yaml):
    path = write_yaml("intents:\n  - <<: {answer: A}\n    id: a\n    id: b\n    questions: [x]\n")
    assert str(error_of(path)) == f"{path}:4: invalid YAML: duplicate key 'id'"


def test_paths_are_shown_tidied_as_pathlib_shows_them(write_yaml, tmp_path, monkeypatch):
    write_yaml("intents:\n  - {id: a, questions: [x]}\n", "kb/one.yaml")
    monkeypatch.chdir(tmp_path)
    for given, shown in [
        ("kb", "kb"),
        ("./kb/", "kb"),
        ("kb//.", "kb"),
        (f"{tmp_path}//kb/", f"{tmp_path}/kb"),
    ]:
        assert str(error_of(given)) == f"{shown}/one.yaml:2: intent 'a': missing key 'answer'"
    monkeypatch.chdir(tmp_path / "kb")
    assert str(error_of("")) == "one.yaml:2: intent 'a': missing key 'answer'"


def test_python_tags_are_rejected_not_executed(write_yaml, tmp_path):
    marker = tmp_path / "pwned"
    path = write_yaml(f"intents: !!python/object/apply:os.system\n  - touch {marker}\n")
    error = error_of(path)
    assert isinstance(error, IntentSyntaxError)
    assert "could not determine a constructor for the tag" in str(error)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!seq abc", "expected a sequence, but found scalar"),
        ("!!map abc", "expected a mapping, but found scalar"),
        ("!!map [a]", "expected a mapping, but found sequence"),
        ("!!int abc", "cannot read 'abc' as !!int"),
        ("!!int 0x", "cannot read '0x' as !!int"),
        ("!!float x", "cannot read 'x' as !!float"),
        ("!!bool maybe", "cannot read 'maybe' as !!bool"),
        ("!!timestamp 2020-13-45", "cannot read '2020-13-45' as !!timestamp"),
        ("!!timestamp soon", "cannot read 'soon' as !!timestamp"),
    ],
)
def test_explicit_tags_on_values_that_do_not_fit_are_located_errors(write_yaml, value, message):
    path = write_yaml(f"intents:\n  - id: a\n    questions: [x, y, z]\n    answer: {value}\n")
    error = error_of(path)
    assert isinstance(error, IntentSyntaxError)
    assert str(error) == f"{path}:4: invalid YAML: {message}"


def test_unknown_path_and_empty_folder(tmp_path):
    assert (
        str(error_of(tmp_path / "missing.yaml"))
        == f"{tmp_path / 'missing.yaml'}: no such file or folder"
    )
    (tmp_path / "empty").mkdir()
    error = error_of(tmp_path / "empty")
    assert isinstance(error, IntentPathError)
    assert str(error) == f"{tmp_path / 'empty'}: no .yaml or .yml files in this folder"


def test_duplicate_ids_across_files_name_both(write_yaml):
    first = write_yaml("intents: [{id: a, questions: [x], answer: A}]", "one.yaml")
    second = write_yaml("intents:\n  - {id: a, questions: [y], answer: B}\n", "two.yaml")
    error = error_of_many(first, second)
    assert str(error) == f"{second}:2: intent 'a': duplicate id 'a', first declared at {first}:1"


def error_of_many(*paths: Path) -> ChatbotError:
    with pytest.raises(ChatbotError) as caught:
        load_intents(*paths)
    return caught.value


def test_every_error_is_reported_not_only_the_first(write_yaml):
    path = write_yaml("intents:\n  - id: a\n    questions: [x]\n  - id: b\n    answer: B\n")
    result = read_intents(path)
    assert result.knowledge is None
    assert [e.location_message() for e in result.errors] == [
        f"{path}:2: intent 'a': missing key 'answer'",
        f"{path}:4: intent 'b': missing key 'questions'",
    ]
    with pytest.raises(IntentSchemaError) as caught:
        load_intents(path)
    assert str(caught.value).endswith("(and 1 more error)")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "intents:\n  - id: a\n\tquestions: [x]\n",
            3,
            "while scanning a plain scalar: found a tab character that violates indentation "
            "(hint: indent with spaces, not tabs)",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: Note: this is it\n",
            4,
            "mapping values are not allowed in this context (hint: a value containing ': ' must "
            'be quoted, as in answer: "Note: this")',
        ),
        (
            "intents:\n  - id: a\n     questions: [x]\n    answer: y\n",
            3,
            "mapping values are not allowed in this context (hint: this key is indented more "
            "than the keys beside it)",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n   answer: y\n",
            4,
            "while parsing a block collection: did not find expected '-' indicator (hint: check "
            "the indentation: keys of one mapping line up, list items start with '- ')",
        ),
        (
            'intents:\n  - id: a\n    answer: "unclosed\n',
            4,
            "while scanning a quoted scalar: found unexpected end of stream (hint: the quote "
            "opened on line 3 is never closed)",
        ),
        (
            # Closed by the next quote in the file: PyYAML stops there, far from the slip.
            'intents:\n  - id: a\n    answer: "unclosed\n  - id: b\n    answer: "B"\n',
            5,
            "while parsing a block mapping: did not find expected key (hint: the quote opened "
            "on line 3 is only closed on line 5; close it where its value ends)",
        ),
        (
            "intents:\n  - id: a\n    answer: 'it's here'\n",
            3,
            "while parsing a block mapping: did not find expected key (hint: text follows a "
            "closing quote: quote the whole value, and inside '...' write ' as '')",
        ),
        (
            "intents:\n  - {id: a, questions: [x], answer: Note: this}\n",
            2,
            "while parsing a flow mapping: did not find expected ',' or '}' (hint: a value "
            "containing ': ' must be quoted, as in answer: \"Note: this\")",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: @support on the forum\n",
            4,
            "while scanning for the next token: found character that cannot start any token "
            "(hint: a value starting with '@' must be quoted)",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: *really* not\n",
            4,
            "while scanning an alias: did not find expected alphabetic or numeric character "
            "(hint: a value starting with '*' must be quoted: *name stands for a value marked "
            "&name)",
        ),
        (
            "intents:\n  - id: a\n    questions: [x]\n    answer: !important read this\n",
            4,
            "could not determine a constructor for the tag '!important' (hint: a value "
            "starting with '!' must be quoted)",
        ),
        (
            "intents:\n  - id: a\n    questions:[x]\n    answer: y\n",
            4,
            "while scanning a simple key: could not find expected ':' (hint: a key needs a "
            "colon and a space after it, as in answer: text)",
        ),
    ],
)
def test_yaml_slips_get_a_plain_words_hint(tmp_path, text, line, message):
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IntentSyntaxError) as raised:
        load_intents(path)
    assert str(raised.value) == f"{path}:{line}: invalid YAML: {message}"


def test_cases_files_get_the_same_hints(tmp_path):
    from chatbot.curation.cases import read_cases
    from chatbot.errors import CasesFileError

    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n\t- {question: hi, intent: null}\n", encoding="utf-8")
    with pytest.raises(CasesFileError) as raised:
        read_cases(path)
    assert str(raised.value) == (
        f"{path}:2: invalid YAML: while scanning for the next token: found character that "
        "cannot start any token (hint: indent with spaces, not tabs)"
    )
    path.write_text("cases:\n  - {question: what is: rag, intent: null}\n", encoding="utf-8")
    with pytest.raises(CasesFileError) as raised:
        read_cases(path)
    assert str(raised.value) == (
        f"{path}:2: invalid YAML: while parsing a flow mapping: did not find expected ',' or "
        "'}' (hint: a value containing ': ' must be quoted, as in answer: \"Note: this\")"
    )
