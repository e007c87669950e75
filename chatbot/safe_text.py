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
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1_CONTROLS = re.compile(r"[\x7f-\x9f]")


def clean(text: str) -> str:
    """The text without terminal escape sequences or control characters (newlines and tabs stay).

    Example:
        >>> clean("hi\\x1b[2Jthere\\x07")
        'hithere'
    """
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON that is safe to print: readable Unicode, but every control character escaped.

    `json.dumps(ensure_ascii=False)` escapes C0 controls but passes C1 ones (such as the
    8-bit CSI, U+009B) through raw, and some terminals act on them.
    """
    import json  # only JSON output needs it; plain answers start faster without

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _C1_CONTROLS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
