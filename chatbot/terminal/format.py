"""What the terminal chat shows, as styled text fragments: pure functions, no terminal needed.

Each function returns prompt_toolkit "style and text" fragments, `[("class:answer", "...")]`, so
that the REPL can print them in colour while tests read the text with `plain_text`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chatbot.dialogue.replies import Reply
from chatbot.intents import Intent, KnowledgeBase
from chatbot.render import suggestions_heading
from chatbot.safe_text import clean

if TYPE_CHECKING:
    # Only the type: piped input runs the slash commands too, without loading prompt_toolkit.
    from prompt_toolkit.formatted_text import StyleAndTextTuples

# Below this the text would wrap into a ribbon; narrower terminals just wrap raggedly.
MIN_WIDTH = 30
# How many term contributions /why lists.
TOP_TERMS = 5
# How many example questions the welcome offers.
EXAMPLES = 3
# /why quotes at most this much of the question: a pasted megabyte must not fill the screen.
MAX_QUOTED_CHARS = 200

HINT = "Tab completes questions, /help lists commands, Ctrl-D quits."


def plain_text(fragments: StyleAndTextTuples) -> str:
    """The text of styled fragments, styles dropped (what a colourless terminal would show)."""
    return "".join(fragment[1] for fragment in fragments)


def wrap(text: str, width: int, indent: str = "", first_indent: str | None = None) -> str:
    """Cleaned text wrapped to `width` columns (at least MIN_WIDTH); line breaks inside the
    text are kept.

    Example:
        >>> wrap("Generative AI makes new text, images, audio or code.", 30)
        'Generative AI makes new text,\\nimages, audio or code.'
    """
    width = max(width, MIN_WIDTH)
    lines = []
    first = indent if first_indent is None else first_indent
    for paragraph in clean(text).splitlines() or [""]:
        wrapped = textwrap.wrap(
            paragraph,
            width=width,
            initial_indent=first,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [""])
        first = indent
    return "\n".join(lines)


def _lines(fragments: Iterable[tuple[str, str]]) -> StyleAndTextTuples:
    """Fragments, each followed by a newline except the last."""
    result: StyleAndTextTuples = []
    for style, text in fragments:
        if result:
            result.append(("", "\n"))
        result.append((style, text))
    return result


def reply_fragments(
    reply: Reply, *, width: int, context_label: str | None = None
) -> StyleAndTextTuples:
    """A reply for the terminal: a note when context was used, the answer, numbered suggestions.

    Args:
        reply: what the conversation answered.
        width: the terminal width in columns.
        context_label: what the conversation is about after this turn (e.g. "LLMs, outputs"),
            shown as "(about ...)" when earlier turns decided the answer.
    """
    parts: list[tuple[str, str]] = []
    if reply.context_used:
        if context_label:
            note = f"(about {context_label})"
        elif reply.resolved:
            note = f'(taken as "{reply.resolved}")'
        else:
            note = "(following on from the last answer)"
        parts.append(("class:note", wrap(note, width)))
    answer_style = "class:answer" if reply.intent is not None else "class:fallback"
    parts.append((answer_style, wrap(reply.text, width)))
    fragments = _lines(parts)
    if reply.suggestions:
        fragments.append(("", "\n"))
        fragments.append(("class:heading", suggestions_heading(reply)))
        for number, suggestion in enumerate(reply.suggestions, 1):
            label = f"  {number}. "
            # Wrapped with the number in place, so that continuation lines line up under the text.
            text = wrap(suggestion, width, indent=" " * len(label), first_indent=label)
            fragments.extend(
                [("", "\n"), ("class:number", label), ("class:suggestion", text[len(label) :])]
            )
    return fragments


def example_questions(knowledge: KnowledgeBase, count: int = EXAMPLES) -> list[str]:
    """Questions worth showing a newcomer: the first question of the first intent of each topic.

    Topics come in file order, so the curator decides what is shown; when there are fewer
    topics than `count`, later intents fill in.
    """
    chosen: list[Intent] = [intents[0] for intents in knowledge.topics().values()][:count]
    for intent in knowledge:
        if len(chosen) >= count:
            break
        if intent not in chosen:
            chosen.append(intent)
    return [intent.questions[0] for intent in chosen if intent.questions]


def format_welcome(knowledge: KnowledgeBase, *, width: int) -> StyleAndTextTuples:
    """The greeting: what to type, three example questions, and how to get help or leave."""
    fragments: StyleAndTextTuples = [
        ("class:heading", wrap("Ask me a question in your own words, for example:", width))
    ]
    for question in example_questions(knowledge):
        fragments.extend([("", "\n"), ("class:suggestion", wrap(question, width, indent="  "))])
    fragments.extend(
        [
            ("", "\n"),
            ("class:note", wrap(HINT, width)),
        ]
    )
    return fragments


def format_topics(knowledge: KnowledgeBase, *, width: int) -> StyleAndTextTuples:
    """What the bot knows: each topic, then the main question of each of its intents."""
    parts: list[tuple[str, str]] = []
    for topic, intents in knowledge.topics().items():
        parts.append(("class:heading", wrap(f"{topic} ({len(intents)})", width)))
        parts.extend(
            ("class:suggestion", wrap(intent.questions[0], width, indent="  "))
            for intent in intents
            if intent.questions
        )
    if not parts:
        parts.append(("class:note", "The knowledge base is empty."))
    return _lines(parts)


def _question_of(knowledge: KnowledgeBase, intent_id: str) -> str:
    intent = knowledge.get(intent_id)
    if intent is None or not intent.questions:
        return intent_id
    return f'"{intent.questions[0]}" ({intent_id})'


def _quoted(question: str) -> str:
    """The question in quotes, or when long its start and how long it is."""
    if len(question) <= MAX_QUOTED_CHARS:
        return f'"{question}"'
    return f'"{question[:MAX_QUOTED_CHARS]}..." ({len(question):,} characters)'


def _row(name: str, value: str, width: int) -> StyleAndTextTuples:
    label = f"{name}:".ljust(12)
    text = wrap(value, width, indent=" " * len(label), first_indent=label)
    return [("class:label", label), ("", text[len(label) :])]


def format_why(reply: Reply | None, knowledge: KnowledgeBase, *, width: int) -> StyleAndTextTuples:
    """Why the last reply was given: the stored question it matched, the score against the
    threshold, the runner-up, whether context was used, and the terms that counted most."""
    if reply is None:
        return [("class:note", "Nothing to explain yet: ask a question first.")]
    rows = [_row("You asked", _quoted(reply.question), width)]
    if reply.kind == "clarify":
        scores = {alternative.intent: alternative.score for alternative in reply.alternatives}
        choices = " or ".join(
            f"{_question_of(knowledge, intent)}, score {scores.get(intent, 0.0):.1f}"
            for intent in reply.offered
        )
        rows.append(_row("Asked", f"which you meant, as both scored alike: {choices}", width))
    elif reply.kind == "notice":
        rows.append(_row("Matched", "nothing: a reply about the conversation itself", width))
    elif reply.intent is None:
        rows.append(_row("Matched", "nothing above the threshold, so I fell back", width))
    elif reply.kind in ("more", "why"):
        what = "longer answer" if reply.kind == "more" else "explanation"
        rows.append(
            _row("Answered", f"with the {what} of {_question_of(knowledge, reply.intent)}", width)
        )
    elif reply.matched_question is not None:
        rows.append(_row("Matched", f'"{reply.matched_question}" ({reply.intent})', width))
    else:
        rows.append(_row("Answered", f"{reply.intent} ({reply.kind})", width))
    source = f", {reply.threshold_source}" if reply.threshold_source else ""
    rows.append(
        _row("Score", f"{reply.score:.1f} (threshold {reply.threshold:.1f}{source})", width)
    )
    runner_up = reply.runner_up
    # On a fallback the "runner-up" is the best candidate, which fell short of the threshold.
    name = "Closest" if reply.intent is None else "Runner-up"
    if reply.kind == "clarify":
        pass  # the choices are the two best, shown above
    elif runner_up is None:
        rows.append(_row(name, "none", width))
    else:
        candidate = _question_of(knowledge, runner_up.intent)
        rows.append(_row(name, f"{candidate}, score {runner_up.score:.1f}", width))
    if reply.context_used:
        context = f'used, read as "{reply.resolved}"' if reply.resolved else "used"
    else:
        context = "not used"
    rows.append(_row("Context", context, width))
    if reply.match is not None:
        counted = [item for item in reply.match.contributions if round(item[1], 1)]
        top = sorted(counted, key=lambda item: -abs(item[1]))[:TOP_TERMS]
        terms = ", ".join(f"{term} {points:+.1f}" for term, points in top)
        if terms:
            rows.append(_row("Top terms", terms, width))
    fragments: StyleAndTextTuples = []
    for row in rows:
        if fragments:
            fragments.append(("", "\n"))
        fragments.extend(row)
    return fragments


def format_error(message: str, *, width: int) -> StyleAndTextTuples:
    """An error line (say, a broken file on /reload)."""
    return [("class:error", wrap(message, width))]
