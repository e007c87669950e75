"""clean(), clean_line(), repaired() and json_text(): text from files and users, safe to print."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.safe_text import clean, clean_line, json_text, repaired

# Characters that are not seen but change what is: bidi controls, zero-width characters, a BOM.
INVISIBLE = [
    *"\u202a\u202b\u202c\u202d\u202e",  # embeddings and overrides
    *"\u2066\u2067\u2068\u2069",  # isolates
    *"\u200b\u200c\u200d\u200e\u200f",  # zero-width space, joiners, marks
    "\ufeff",
    "\u061c",
]
CONTROLS = ["\x7f", "\x80", "\x85", "\x90", "\x9b", "\x9f", "\x00", "\x07", "\r", "\x1b"]


@pytest.mark.parametrize("character", INVISIBLE + CONTROLS)
def test_clean_removes_invisible_and_control_characters(character):
    assert clean(f"a{character}") == "a"
    assert clean(f"x{character}\ny") == "x\ny"


def test_clean_keeps_text_newlines_and_tabs_and_breaks_lines_at_line_separators():
    assert clean("a\x7fb\x85c\x90d") == "abcd"
    assert clean("one\ttwo\nthree\u2028four\u2029five") == "one\ttwo\nthree\nfour\nfive"
    assert clean("naïve café 😀 日本") == "naïve café 😀 日本"


def test_clean_reads_bytes_a_non_utf8_terminal_passed_on():
    # "café" typed under LC_ALL=C arrives as "caf" and two lone surrogates
    assert clean("caf\udcc3\udca9 \udcff") == "café \ufffd"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;PWNED\x07\x1b[8mhidden", "\\x1b]0;PWNED\\x07\\x1b[8mhidden"),
        ("ok\rforged", "ok\\rforged"),
        ("two\nlines\tand tab", "two\\nlines\\tand tab"),
        ("abc\u202edef", "abc\\u202edef"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("line\u2028separator", "line\\u2028separator"),
        ("del\x7f c1\x85 csi\x9b", "del\\x7f c1\\x85 csi\\x9b"),
        ("bad byte \udcff", "bad byte \\udcff"),
        ("naïve café 😀", "naïve café 😀"),
    ],
)
def test_clean_line_shows_what_would_act_on_the_terminal_as_escapes(text, shown):
    assert clean_line(text) == shown


def test_repaired_recovers_utf8_and_replaces_the_rest():
    assert repaired("plain") == "plain"
    assert repaired("caf\udcc3\udca9") == "café"
    assert repaired("\udcff and \ud800") == "\ufffd and \ufffd"


@pytest.mark.parametrize("ascii_only", [False, True])
def test_json_text_escapes_what_terminals_act_on_and_keeps_the_text(ascii_only):
    text = "a\u202eb\x9bc\u2028d\u200be é 😀"
    out = json_text({"q": text}, ascii_only=ascii_only)
    for character in "\u202e\x9b\u2028\u200b":
        assert character not in out
    assert json.loads(out) == {"q": text}
    assert out.isascii() if ascii_only else "é 😀" in out


@given(st.text())
def test_json_text_is_always_valid_utf8_json_and_ascii_when_asked(text):
    out = json_text([text])
    assert json.loads(out.encode("utf-8")) == [repaired(text)]
    ascii_out = json_text([text], ascii_only=True)
    assert ascii_out.isascii()
    assert json.loads(ascii_out) == [repaired(text)]
