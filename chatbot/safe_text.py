"""Make text from files and users safe to print: no terminal control sequences, as text or JSON."""

from __future__ import annotations

import re
from typing import Any

# ANSI escape sequences (CSI, OSC, and two-character escapes): text from YAML or from the user
# must never drive the terminal.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# The character sets below are str.translate() tables rather than regular expressions: a
# character class beyond Latin-1 takes the re module milliseconds to compile, at every start.
_C0 = [code for code in range(0x20) if chr(code) not in "\n\t"]
_C1 = range(0x7F, 0xA0)  # DEL and the C1 controls, such as the 8-bit CSI (U+009B)
# Characters that are not seen but change what is: bidi embeddings, overrides and isolates
# (they can show a line in another order than it holds, "Trojan Source"), the Arabic letter
# mark, zero-width spaces, joiners and marks, the word joiner and invisible operators, and a
# byte order mark inside text.
_INVISIBLE = [
    0x061C,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
    0xFEFF,
]
# U+2028 and U+2029 break lines in some programs and not in others (terminals, JavaScript).
_SEPARATORS = [0x2028, 0x2029]
_SHORT_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}

_CLEANED: dict[int, str | None] = {
    **dict.fromkeys([*_C0, *_C1, *_INVISIBLE]),
    **dict.fromkeys(_SEPARATORS, "\n"),
}
# Every control character (newline and tab too), invisible character and line separator, as
# an escape: what one line of a report shows.
_LINE_ESCAPES = {
    **{code: f"\\x{code:02x}" for code in [*range(0x20), *_C1]},
    **{code: f"\\u{code:04x}" for code in [*_INVISIBLE, *_SEPARATORS]},
    **_SHORT_ESCAPES,
}
# What JSON output escapes beyond what `json.dumps` does (it escapes the C0 controls).
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in [*_C1, *_INVISIBLE, *_SEPARATORS]}


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def repaired(text: str) -> str:
    """The text with lone surrogates read back as the UTF-8 they came from, or where they were
    not UTF-8, replaced with U+FFFD: text that any UTF-8 file or stream can hold.

    Lone surrogates are what Python makes of bytes that were not valid in the locale's encoding
    (command-line arguments, a terminal under LC_ALL=C), and no stream can encode them.

    Example:
        >>> repaired("caf\\udcc3\\udca9 \\udcff")
        'café \\ufffd'
    """
    if text.isascii() or not _has_surrogates(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # surrogates that stand for no byte (from "\\ud800" in JSON)
        return "".join("\ufffd" if "\ud800" <= each <= "\udfff" else each for each in text)


def clean(text: str) -> str:
    """The text without terminal escape sequences, control characters or invisible characters
    such as bidi overrides (newlines and tabs stay; line separators become newlines).

    Example:
        >>> clean("hi\\x1b[2Jthere\\x07\\u202e")
        'hithere'
    """
    return _ESCAPES.sub("", repaired(text)).translate(_CLEANED)


def clean_line(text: str) -> str:
    """One line of a report (a finding, an error, a warning) with everything that could drive
    or hide from the terminal shown as an escape instead: control characters, newlines and tabs
    included, invisible characters such as bidi overrides, and lone surrogates.

    Escaped rather than removed, so that a reviewer sees that a file holds them.

    Example:
        >>> print(clean_line("unknown key '\\x1b]0;PWNED\\x07'\\r"))
        unknown key '\\x1b]0;PWNED\\x07'\\r
    """
    text = text.translate(_LINE_ESCAPES)
    if text.isascii() or not _has_surrogates(text):
        return text
    return "".join(f"\\u{ord(each):04x}" if "\ud800" <= each <= "\udfff" else each for each in text)


def json_text(data: Any, *, indent: int | None = None, ascii_only: bool = False) -> str:
    """JSON that is safe to print: readable Unicode, but every control character and every
    invisible one (bidi overrides, zero-width characters, line separators) escaped, and lone
    surrogates replaced, so that the text is valid UTF-8.

    `json.dumps(ensure_ascii=False)` escapes C0 controls but passes C1 ones (such as the
    8-bit CSI, U+009B) through raw, and some terminals act on them.

    Args:
        data: what to write.
        indent: as for `json.dumps`.
        ascii_only: escape every non-ASCII character too, for a stream that cannot encode them.
    """
    import json  # only JSON output needs it; plain answers start faster without

    text = repaired(json.dumps(data, ensure_ascii=False, indent=indent))
    if ascii_only:
        # Read back, so that what was repaired is escaped like any other non-ASCII text.
        return json.dumps(json.loads(text), ensure_ascii=True, indent=indent)
    return text.translate(_JSON_ESCAPES)
