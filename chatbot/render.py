"""Present replies as plain text or JSON, with terminal control sequences removed."""

from __future__ import annotations

import re
from typing import Any

from chatbot.dialogue.replies import Reply

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


def clean(text: str) -> str:
    """The text without terminal escape sequences or control characters (newlines and tabs stay).

    Example:
        >>> clean("hi\\x1b[2Jthere\\x07")
        'hithere'
    """
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


_C1_CONTROLS = re.compile(r"[\x7f-\x9f]")


def json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON that is safe to print: readable Unicode, but every control character escaped.

    `json.dumps(ensure_ascii=False)` escapes C0 controls but passes C1 ones (such as the
    8-bit CSI, U+009B) through raw, and some terminals act on them.
    """
    import json  # only JSON output needs it; plain answers start faster without

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _C1_CONTROLS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """The reply as the JSON object printed by `--json` (one per answered line)."""
    return {
        "question": reply.question,
        "answer": reply.text,
        "intent": reply.intent,
        "score": round(reply.score, 2),
        "alternatives": [
            {"intent": alternative.intent, "score": round(alternative.score, 2)}
            for alternative in reply.alternatives
        ],
        "suggestions": list(reply.suggestions),
        "context": {"used": reply.context_used, "resolved": reply.resolved},
    }


def suggestions_heading(reply: Reply) -> str:
    """What introduces a reply's numbered suggestions, by the kind of reply."""
    if reply.kind == "clarify":
        # The reply itself asks "Did you mean A or B?", so its list needs no question.
        return "Choose one:"
    if reply.intent is None:
        return "Closest questions I know:"
    return "You could also ask:"


def format_suggestions(reply: Reply) -> list[str]:
    """Numbered suggestion lines, introduced by a heading that fits the kind of reply."""
    if not reply.suggestions:
        return []
    return [suggestions_heading(reply)] + [
        f"  {number}. {clean(suggestion)}" for number, suggestion in enumerate(reply.suggestions, 1)
    ]


def format_reply(reply: Reply) -> str:
    """The reply as plain text: the answer, then numbered suggestions."""
    return "\n".join([clean(reply.text), *format_suggestions(reply)])
