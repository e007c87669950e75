"""Present replies as plain text or JSON, with terminal control sequences removed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Re-exported (`as clean`): the curator tools still import clean() from here.
from chatbot.safe_text import clean as clean

if TYPE_CHECKING:
    from chatbot.dialogue.replies import Reply


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """The reply as the JSON object printed by `--json` (one per answered line); the README
    documents every key."""
    data: dict[str, Any] = {
        "kind": reply.kind,
        "question": reply.question,
        "answer": reply.text,
        "intent": reply.intent,
        "score": round(reply.score, 2),
        "matched_question": reply.matched_question,
        "threshold": round(reply.threshold, 2),
        "threshold_source": reply.threshold_source or None,
        "alternatives": [
            {"intent": alternative.intent, "score": round(alternative.score, 2)}
            for alternative in reply.alternatives
        ],
        "suggestions": list(reply.suggestions),
        "context": {"used": reply.context_used, "resolved": reply.resolved},
    }
    if reply.kind == "clarify":
        scores = {alternative.intent: alternative.score for alternative in reply.alternatives}
        data["choices"] = [
            {"intent": intent, "question": question, "score": round(scores.get(intent, 0.0), 2)}
            for intent, question in zip(reply.offered, reply.suggestions, strict=False)
        ]
    return data


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
