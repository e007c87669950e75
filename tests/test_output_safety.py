"""Nothing a file holds reaches the terminal raw: findings, errors, warnings and reports.

Each payload puts an escape sequence that retitles the window and hides what follows
(`ESC ] 0 ; ... BEL`, `ESC [ 8 m`), a carriage return, a bidi override and an 8-bit CSI into one
place a message quotes; the tool's output must hold none of them raw, and show them escaped.
"""

from __future__ import annotations

import json

import pytest

from chatbot.cli import main

# In YAML's double quotes: ESC ] 0;PWNED BEL, ESC [8m (hidden text), CR, U+202E, U+009B.
PAYLOAD = r"\e]0;PWNED\a\e[8m\r\u202e\x9b"
RAW = ("\x1b", "\x07", "\r", "\u202e", "\x9b")
SHOWN = r"\x1b]0;PWNED\x07\x1b[8m\r\u202e\x9b"

FILES = {
    "unknown top-level key": f'intents: []\n"{PAYLOAD}": 1\n',
    "unknown intent key": f'intents: [{{id: a, questions: [q], answer: a, "{PAYLOAD}": 1}}]\n',
    "duplicate id": (
        f'intents:\n  - {{id: "{PAYLOAD}", questions: [q], answer: a}}\n'
        f'  - {{id: "{PAYLOAD}", questions: [r], answer: b}}\n'
    ),
    "follow-up name": (
        "intents:\n"
        f'  - {{id: a, questions: [when are you open], answer: a, follow_ups: ["{PAYLOAD}"]}}\n'
        "  - {id: b, questions: [how do i get a refund], answer: b}\n"
    ),
    "slot name": (
        "intents:\n"
        f'  - {{id: a, questions: [when are you open], answer: a, slots: {{"{PAYLOAD}": x}}}}\n'
        "  - {id: b, questions: [how do i get a refund], answer: b}\n"
    ),
}


def assert_safe(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the terminal"


@pytest.mark.parametrize("content", FILES.values(), ids=FILES.keys())
def test_check_shows_what_a_file_holds_escaped_and_never_raw(tmp_path, capsys, content):
    path = tmp_path / "evil.yaml"
    path.write_text(content, encoding="utf-8")
    main(["check", str(path)])
    out, err = capsys.readouterr()
    assert_safe(out + err)
    assert SHOWN in out
    assert len(out.splitlines()) == len(out.split("\n")) - 1  # nothing split a finding in two


REFUSED = ["unknown top-level key", "unknown intent key", "duplicate id"]


@pytest.mark.parametrize("name", REFUSED)
def test_errors_from_a_hostile_file_are_one_safe_line(tmp_path, capsys, name):
    path = tmp_path / "evil.yaml"
    path.write_text(FILES[name], encoding="utf-8")
    assert main(["ask", "--intents", str(path), "when are you open"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_safe(err)
    assert err.count("\n") == 1
    assert SHOWN in err


def test_check_json_escapes_the_payload_and_keeps_it(tmp_path, capsys):
    path = tmp_path / "evil.yaml"
    path.write_text(FILES["unknown top-level key"], encoding="utf-8")
    main(["check", "--json", str(path)])
    out = capsys.readouterr().out
    assert_safe(out)
    assert "\x1b]0;PWNED\x07\x1b[8m\r\u202e\x9b" in json.loads(out)[0]["message"]


def test_a_hostile_file_name_is_shown_escaped(tmp_path, capsys):
    path = tmp_path / "evil\x1b]0;PWNED\x07\u202e.yaml"
    path.write_text("intents: [\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert_safe(out)
    assert out.startswith(f"{tmp_path}/evil\\x1b]0;PWNED\\x07\\u202e.yaml:")
    main(["ask", "--intents", str(path), "hi"])
    err = capsys.readouterr().err
    assert_safe(err)
    assert err.startswith(f"chatbot: error: {tmp_path}/evil\\x1b]0;PWNED\\x07\\u202e.yaml:")


def test_eval_reports_and_errors_are_safe(tmp_path, capsys):
    intents = tmp_path / "intents.yaml"
    intents.write_text(FILES["follow-up name"], encoding="utf-8")
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        f'cases:\n  - {{question: "when are you open {PAYLOAD}", intent: b}}\n', encoding="utf-8"
    )
    assert main(["eval", "--intents", str(intents), str(cases)]) == 1
    out, err = capsys.readouterr()
    assert_safe(out + err)
    assert "Failed:" in out
    cases.write_text(f'cases:\n  - {{question: hi, intent: "{PAYLOAD}"}}\n', encoding="utf-8")
    assert main(["eval", "--intents", str(intents), str(cases)]) == 2
    out, err = capsys.readouterr()
    assert_safe(out + err)
    assert SHOWN in err


def test_suggest_report_and_warnings_are_safe(tmp_path, capsys):
    log = tmp_path / "log\x1b[8m.jsonl"
    entry = {"question": "when are you open\x1b]0;PWNED\x07\u202e\u2028\x9b", "best_guess": None}
    log.write_text(json.dumps(entry) + "\nnot json\n", encoding="utf-8")
    assert main(["suggest", str(log)]) == 0
    out, err = capsys.readouterr()
    assert_safe(out + err)
    assert "\u2028" not in out
    assert err == (
        f"chatbot: warning: {tmp_path}/log\\x1b[8m.jsonl: skipped lines that are not logged "
        "questions: 2\n"
    )


def test_a_hostile_argument_in_a_usage_error_is_escaped(capsys):
    assert main(["ask", "--bogus\x1b]0;PWNED\x07", "hi"]) == 2
    err = capsys.readouterr().err
    assert_safe(err)
    assert "--bogus\\x1b]0;PWNED\\x07" in err
