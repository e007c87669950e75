"""Make text from files and users safe to print: no terminal control sequences, as text or JSON."""

from __future__ import annotations

import re
from typing import Any

# ANSI escape sequences (CSI, OSC, and two-character escapes), then any other control character
# except newline and tab: text from YAML or from the user must never drive the terminal.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# Characters that are not seen but change what is: bidi embeddings, overrides and isolates
# (they can show a line in another order than it holds, "Trojan Source"), the Arabic letter
# mark, zero-width spaces, joiners and marks, the word joiner and invisible operators, and a
# byte order mark inside text.
_INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# U+2028 and U+2029 break lines in some programs and not in others (terminals, JavaScript).
_SEPARATORS = "\u2028\u2029"
_CONTROLS = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_LINE_SEPARATORS = re.compile(f"[{_SEPARATORS}]")
# Lone surrogates: what Python makes of bytes that were not valid in the locale's encoding
# (command-line arguments, a terminal under LC_ALL=C). No stream can encode them as UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]")
# What a one-line report field shows escaped: every control character (newline and tab too),
# the invisible characters, the line separators and lone surrogates.
_UNSAFE_IN_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}{_SEPARATORS}\ud800-\udfff]")
# What JSON output escapes beyond what `json.dumps` does: the same, less the C0 controls it
# already escapes. Lone surrogates are replaced instead (see `repaired`).
_UNSAFE_IN_JSON = re.compile(f"[\\x7f-\\x9f{_INVISIBLE}{_SEPARATORS}]")
_NON_ASCII = re.compile("[^\\x00-\\x7f]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def repaired(text: str) -> str:
    """The text with lone surrogates read back as the UTF-8 they came from, or where they were
    not UTF-8, replaced with U+FFFD: text that any UTF-8 file or stream can hold.

    Example:
        >>> repaired("caf\\udcc3\\udca9 \\udcff")
        'café \\ufffd'
    """
    if _SURROGATES.search(text) is None:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # surrogates that stand for no byte (from "\\ud800" in JSON)
        return _SURROGATES.sub("\ufffd", text)


def clean(text: str) -> str:
    """The text without terminal escape sequences, control characters or invisible characters
    such as bidi overrides (newlines and tabs stay; line separators become newlines).

    Example:
        >>> clean("hi\\x1b[2Jthere\\x07\\u202e")
        'hithere'
    """
    text = _LINE_SEPARATORS.sub("\n", repaired(text))
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def _escape(found: re.Match[str]) -> str:
    character = found.group()
    code = ord(character)
    return _SHORT_ESCAPES.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def clean_line(text: str) -> str:
    """One line of a report (a finding, an error, a warning) with everything that could drive
    or hide from the terminal shown as an escape instead: control characters, newlines and tabs
    included, invisible characters such as bidi overrides, and lone surrogates.

    Escaped rather than removed, so that a reviewer sees that a file holds them.

    Example:
        >>> print(clean_line("unknown key '\\x1b]0;PWNED\\x07'\\r"))
        unknown key '\\x1b]0;PWNED\\x07'\\r
    """
    return _UNSAFE_IN_LINE.sub(_escape, text)


def _escape_json(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code > 0xFFFF:  # JSON spells a character beyond the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


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

    text = _UNSAFE_IN_JSON.sub(
        _escape_json, repaired(json.dumps(data, ensure_ascii=False, indent=indent))
    )
    # Outside strings JSON is ASCII, so escaping what is left of the text escapes string content.
    return _NON_ASCII.sub(_escape_json, text) if ascii_only else text
