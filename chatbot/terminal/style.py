"""The terminal chat's looks: its colour style, whether to use colour, and the bottom toolbar."""

from __future__ import annotations

import os
from collections.abc import Mapping

from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from chatbot.dialogue.replies import Context
from chatbot.safe_text import clean

# Class names used by chatbot.terminal.format; colours stay readable on dark and light backgrounds
# because they are the terminal's own ANSI colours, not fixed RGB values.
STYLE_RULES = {
    "prompt": "ansicyan bold",
    "answer": "",
    "fallback": "ansiyellow",
    "note": "ansibrightblack italic",
    "heading": "bold",
    "number": "ansicyan",
    "suggestion": "",
    "command": "ansigreen",
    "label": "bold",
    "error": "ansired",
    "warning": "ansiyellow",
    "bottom-toolbar.topic": "bold",
}


def use_color(no_color_flag: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to print colour: not with `--no-color`, nor when NO_COLOR is set and not empty.

    See https://no-color.org: any non-empty value of NO_COLOR turns colour off.
    """
    environ = os.environ if environ is None else environ
    return not no_color_flag and not environ.get("NO_COLOR")


def build_style() -> Style:
    """The chat's style (colour is turned off separately, through the colour depth)."""
    return Style.from_dict(STYLE_RULES)


def color_depth(color: bool) -> ColorDepth | None:
    """The colour depth to force: one bit (bold and italic only) without colour, else the
    terminal's own (None)."""
    return None if color else ColorDepth.DEPTH_1_BIT


TOOLBAR_LABEL = 40  # characters of the topic shown, so help and quit stay on one line


def _clip(label: str) -> str:
    if len(label) <= TOOLBAR_LABEL:
        return label
    return label[: TOOLBAR_LABEL - 3].rstrip() + "..."


def toolbar(context: Context | None) -> StyleAndTextTuples:
    """The bottom toolbar: what the conversation is about, and where to find help."""
    if context is None or not context.label:
        topic: StyleAndTextTuples = [("class:bottom-toolbar", " no topic yet ")]
    else:
        topic = [
            ("class:bottom-toolbar", " topic: "),
            ("class:bottom-toolbar.topic", _clip(clean(context.label))),
            ("class:bottom-toolbar", " "),
        ]
    return [*topic, ("class:bottom-toolbar", "| /help for commands | Ctrl-D to quit ")]
