"""The dialogue's follow-up rules, and the order in which they are tried.

Each rule is a small function of one `Turn` that returns a reply, or None when it does not
apply; `FOLLOW_UP_RULES` lists them in the order the conversation tries them, and a message
that none of them takes is matched as a complete question (`match_question`), so a new question
always beats context. The order is policy: read it in the table, not in the code.
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz

from chatbot.dialogue.compose import ALTERNATIVES, SUGGESTIONS, Composer
from chatbot.dialogue.followups import (
    FOLLOW_UP_WORDS,
    asks_for_both,
    command_of,
    is_elliptical,
    ordinal_of,
    pronoun_position,
    yes_or_no,
)
from chatbot.dialogue.replies import Alternative, Context, Reply
from chatbot.intents import Intent, KnowledgeBase
from chatbot.matching.entities import by_entity
from chatbot.matching.matcher import Match, Matcher
from chatbot.matching.query import Query
from chatbot.policy import (
    CLARIFY_ABOVE,
    CLARIFY_MARGIN,
    CLARIFY_SAME_ANSWERS,
    CLARIFY_WORDED_AS,
    OPEN_SLOT_MARGIN,
    REFERENCE_GAIN,
)

NOT_WHAT_YOU_MEANT = "Sorry about that. Could you ask it in other words?"
NOTHING_TO_EXPAND = "Ask me a question first, then I can tell you more about it."


class Turn:
    """One turn as the rules see it: the message, read once, and the conversation so far.

    Attributes:
        query: the message as the matcher read it (what matching uses).
        text: what was typed.
        words: its words as the follow-up rules read them: typos corrected, synonyms applied,
            but the follow-up words themselves as typed ("they" must not become "the").
        mentions: the entity values those words name, with where.
        context: what the conversation is about, if anything.
        last: the previous reply, if any.
        offered: the intents behind the previous reply's numbered suggestions.
        choices: the intents of a pending "Did you mean A or B?" (empty when none is pending).
    """

    __slots__ = (
        "choices",
        "compose",
        "context",
        "knowledge",
        "last",
        "matcher",
        "mentions",
        "offered",
        "query",
        "text",
        "words",
    )

    def __init__(
        self,
        text: str,
        matcher: Matcher,
        compose: Composer,
        *,
        context: Context | None,
        last: Reply | None,
        offered: tuple[str, ...],
        choices: tuple[str, ...],
    ) -> None:
        self.matcher = matcher
        self.knowledge: KnowledgeBase = matcher.knowledge
        self.compose = compose
        self.query = hear(matcher, text)
        self.text = text
        self.words = list(self.query.spared_words)
        self.mentions = self.query.spared_mentions
        self.context = context
        self.last = last
        self.offered = offered
        self.choices = choices

    @property
    def named(self) -> dict[str, list[str]]:
        """Entity -> the values named, in order of first mention."""
        return by_entity(self.mentions)

    @property
    def elliptical(self) -> bool:
        """Whether the message only names entity values among filler words ("and LLMs?")."""
        return is_elliptical(self.words, [(m.start, m.end) for m in self.mentions])

    @property
    def context_intent(self) -> Intent | None:
        """The intent the context is about, if any."""
        return None if self.context is None else self.knowledge.get(self.context.intent)


Rule = Callable[[Turn], "Reply | None"]


def hear(matcher: Matcher, text: str) -> Query:
    """Read a message for the rules: typos corrected, so that "and generativ ai?" names
    generative AI, but the words the rules read themselves also kept as typed."""
    return matcher.read(text, keep=FOLLOW_UP_WORDS)


def _picked(options: tuple[str, ...], words: list[str]) -> str | None:
    """The option chosen by "2", "the first one" or "the last", if the words choose one."""
    position = ordinal_of(words)
    if position is None or not options:
        return None
    if position == -1:
        return options[-1]
    return options[position - 1] if 1 <= position <= len(options) else None


# -- an answer to "Did you mean A or B?", itself a small table of ways to answer ---------------


def choice_by_yes_or_no(turn: Turn) -> Reply | None:
    """ "yes" takes the first choice; "no" takes neither and offers what else came close."""
    verdict = yes_or_no(turn.words)
    if verdict is None:
        return None
    if verdict:
        return turn.compose.answer_intent(turn.text, turn.choices[0])
    ranked = turn.last.alternatives if turn.last else ()
    others = tuple(a for a in ranked if a.intent not in turn.choices)[:SUGGESTIONS]
    return turn.compose.notice(
        turn.text, NOT_WHAT_YOU_MEANT, alternatives=others, context_used=True
    )


def choice_by_value(turn: Turn) -> Reply | None:
    """Naming an entity value that only one choice has ("the LLM one") picks that choice,
    unless the text also names another value of an entity the choice declares: "gen ai uses
    which architectures" is a new question, not a pick of the LLM architecture."""
    named = turn.named
    fitting = [
        intent_id
        for intent_id in turn.choices
        if (intent := turn.knowledge.get(intent_id)) is not None
        and any(intent.slots.get(entity) in values for entity, values in named.items())
        and all(
            intent.slots[entity] in values
            for entity, values in named.items()
            if entity in intent.slots
        )
    ]
    return turn.compose.answer_intent(turn.text, fitting[0]) if len(fitting) == 1 else None


def choice_completed(turn: Turn) -> Reply | None:
    """Naming a value that no choice has, but that completes what they all share, asks for
    that intent: "both" after "LLM or generative AI architecture?"."""
    if not turn.elliptical:
        return None
    slot_sets = []
    for intent_id in turn.choices:
        intent = turn.knowledge.get(intent_id)
        if intent is None:
            return None
        slot_sets.append(set(intent.slots.items()))
    named = turn.named
    shared = dict(set.intersection(*slot_sets))
    kept = {entity: value for entity, value in shared.items() if entity not in named}
    if not kept:  # the text says everything itself: a new question, not an answer
        return None
    wanted = {**kept, **{entity: values[0] for entity, values in named.items()}}
    intent = turn.knowledge.with_slots(wanted)
    if intent is None or intent.id in turn.choices:
        return None
    return turn.compose.answer_intent(turn.text, intent.id)


def choice_both(turn: Turn) -> Reply | None:
    """ "both" when no single intent compares the choices: both answers at once."""
    if not asks_for_both(turn.words):
        return None
    return turn.compose.both(turn.text, turn.choices)


def choice_by_wording(turn: Turn) -> Reply | None:
    """A phrase worded like one of the choices picks it: its best match is that choice, and a
    confident one. Anything else ("book a flight", "tell me a joke") is a new question."""
    ranked = turn.matcher.rank(turn.query, limit=1)
    if ranked and ranked[0].intent.id in turn.choices and ranked[0].score >= turn.matcher.threshold:
        return turn.compose.answer_intent(turn.text, ranked[0].intent.id, match=ranked[0])
    return None


# No rule here reads a position ("the second", "2"): the choices are the reply's numbered
# suggestions, which `pick_suggestion` reads after these rules.
CHOICE_RULES: tuple[tuple[str, Rule], ...] = (
    ("yes or no", choice_by_yes_or_no),
    ("a value only one choice has: 'the LLM one'", choice_by_value),
    ("a value completing both: 'both'", choice_completed),
    ("'both' with nothing comparing them", choice_both),
    ("the wording of one choice", choice_by_wording),
)


def answer_choice(turn: Turn) -> Reply | None:
    """An answer to a pending "Did you mean A or B?"."""
    if not turn.choices:
        return None
    return _first_reply(CHOICE_RULES, turn)


# -- the other follow-ups ---------------------------------------------------------------------


def disown_answer(turn: Turn) -> Reply | None:
    """A plain "no" (or "wrong") after an answer: offer the runners-up it beat instead."""
    last = turn.last
    if (
        last is None
        or last.kind != "answer"
        or turn.context is None
        or yes_or_no(turn.words) is not False
    ):
        return None
    alternatives = last.alternatives[:SUGGESTIONS]
    if not alternatives:
        # An answer found through context has no runners-up of its own: those of the
        # question it was taken to be.
        ranked = turn.matcher.rank(last.resolved or last.question, limit=SUGGESTIONS + 1)
        alternatives = tuple(
            Alternative(m.intent.id, m.score) for m in ranked if m.intent.id != last.intent
        )[:SUGGESTIONS]
    return turn.compose.notice(
        turn.text, NOT_WHAT_YOU_MEANT, alternatives=alternatives, context_used=True
    )


def pick_suggestion(turn: Turn) -> Reply | None:
    """ "2" or "the first one" after a numbered list of suggestions (or of choices)."""
    picked = _picked(turn.offered, turn.words)
    return None if picked is None else turn.compose.answer_intent(turn.text, picked)


def expand(turn: Turn) -> Reply | None:
    """ "tell me more" / "why?": the last intent's `more` / `why`."""
    command = command_of(turn.words)
    if command is None:
        return None
    intent = turn.context_intent
    if intent is None:
        return turn.compose.notice(turn.text, NOTHING_TO_EXPAND)
    return turn.compose.expansion(turn.text, intent, command)


def resolve_ellipsis(turn: Turn) -> Reply | None:
    """ "and LLMs?", "what about outputs?": the intent with the context's slots but the
    values named now (or, after an intent without slots, its question with them swapped in)."""
    context = turn.context
    if context is None or not turn.elliptical:
        return None
    named = turn.named
    if any(len(values) > 1 for values in named.values()):
        return None  # "and LLMs and generative AI?" is not one follow-up
    chosen = {entity: values[0] for entity, values in named.items()}
    slots = dict(context.slots)
    if slots and set(chosen) <= set(slots):
        target = turn.knowledge.with_slots({**slots, **chosen})
        return turn.compose.answer_intent(turn.text, target.id) if target else None
    return _substitute(turn, context, chosen)


def _substitute(turn: Turn, context: Context, named: dict[str, str]) -> Reply | None:
    """Answer "and generative AI?" after a question without slots by swapping the value named
    now into the question that set the context."""
    asked = hear(turn.matcher, context.question)
    words = list(asked.spared_words)
    swaps = [m for m in asked.spared_mentions if m.entity in named and m.value != named[m.entity]]
    if not swaps:
        return None
    for mention in reversed(swaps):
        words[mention.start : mention.end] = [
            turn.compose.display(mention.entity, named[mention.entity])
        ]
    return _rematch(turn, " ".join(words))


def resolve_reference(turn: Turn) -> Reply | None:
    """ "what do they output?": the question with the pronoun standing for the context."""
    context = turn.context
    if context is None or not context.slots:
        return None
    words = turn.words
    position = pronoun_position(words)
    if position is None:
        return None
    # A pronoun stands for the context's first slot (the subject, in the bundled FAQ), or,
    # when the question names a value of that entity itself, perhaps for the next one: in
    # "are they used in gen AI too?" after LLM architecture, "they" is the architecture.
    # That reading must then beat the question read alone clearly: in "is it generative
    # AI?" after "what is an LLM?", "it" is no architecture or definition.
    slots = list(context.slots.items())
    named = turn.named
    unnamed = [(entity, value) for entity, value in slots if entity not in named]
    if not unnamed:
        return None
    entity, value = unnamed[0]
    rewritten = " ".join(
        [*words[:position], turn.compose.display(entity, value), *words[position + 1 :]]
    )
    reply = _rematch(turn, rewritten)
    if reply is None or (entity, value) == slots[0]:
        return reply
    alone = turn.matcher.rank(turn.query, limit=1)
    return reply if not alone or reply.score >= alone[0].score + REFERENCE_GAIN else None


def _rematch(turn: Turn, rewritten: str) -> Reply | None:
    """Match a question rewritten from context; None when even that finds nothing."""
    ranked = turn.matcher.rank(rewritten, limit=ALTERNATIVES + 1)
    if not ranked or ranked[0].score < turn.matcher.threshold:
        return None
    reply = turn.compose.answer(turn.text, ranked[0], ranked[1:])
    return reply.replace(context_used=True, resolved=rewritten)


FOLLOW_UP_RULES: tuple[tuple[str, Rule], ...] = (
    ("an answer to 'Did you mean A or B?'", answer_choice),
    ("'no' after an answer", disown_answer),
    ("a pick from the numbered suggestions", pick_suggestion),
    ("'tell me more' / 'why?'", expand),
    ("an ellipsis: 'and LLMs?'", resolve_ellipsis),
    ("a pronoun: 'what do they output?'", resolve_reference),
)


# -- anything else ----------------------------------------------------------------------------


def _differ_in_open_slots(turn: Turn, first: Match, second: Match) -> bool:
    """Whether the message only names entity values, and the two intents differ only in
    slots whose entities it leaves unnamed."""
    a, b = first.intent.slots, second.intent.slots
    if not a or a.keys() != b.keys():
        return False
    differing = {entity for entity in a if a[entity] != b[entity]}
    if not differing or not turn.elliptical:
        return False
    return not differing & {mention.entity for mention in turn.mentions}


def match_question(turn: Turn) -> Reply:
    """The message as a complete question: answer, ask which of two was meant, or fall back."""
    threshold = turn.matcher.threshold
    ranked = turn.matcher.rank(turn.query, limit=ALTERNATIVES + 1)
    if not ranked or ranked[0].score < threshold:
        return _fall_back(turn, ranked)
    best = ranked[0]
    if len(ranked) > 1 and ranked[1].score >= threshold:
        second = ranked[1]
        gap = best.score - second.score
        if gap < OPEN_SLOT_MARGIN and _differ_in_open_slots(turn, best, second):
            # "architecture?" with no subject in context: the question itself leaves it open.
            return turn.compose.clarify(turn.text, ranked)
        if gap < CLARIFY_MARGIN:
            return _when_close(turn, ranked)
    return turn.compose.answer(turn.text, best, ranked[1:])


def _fall_back(turn: Turn, ranked: list[Match]) -> Reply:
    """The fallback, offering as the closest questions only those of intents that share a
    content word with the message: for "how do i bake bread", the bundled FAQ's "how do you
    work" is close in grammar only, and its first questions say more about what it knows."""
    related = [match for match in ranked if turn.matcher.shared_words(turn.query, match)]
    return turn.compose.fallback(turn.text, ranked, closest=related)


def _when_close(turn: Turn, ranked: list[Match]) -> Reply:
    """Two intents score about the same: ask which was meant only when that helps.

    Not when the message is one of them word for word (answer it), nor when the two answers say
    nearly the same (answer the first), nor when only one answer uses every content word of the
    message (answer that one). Not when the message shares none of its content words
    with them: it is probably about neither, so the bot falls back. And not when neither is a
    confident match: a question the bot is unsure about does not become one for the user; it
    gets the first answer, with the other among the suggestions.
    """
    first, second = ranked[0], ranked[1]
    # Compared as the matcher reads them (synonyms applied, word order aside): "whats the
    # difference between llms and gen ai" is "what is the difference between generative ai and
    # llms" word for word.
    text = " ".join(sorted(turn.query.words))
    worded = [
        choice
        for choice in (first, second)
        if fuzz.ratio(text, " ".join(sorted(turn.matcher.read(choice.question).words)))
        >= CLARIFY_WORDED_AS
    ]
    if len(worded) == 1:  # both worded alike is the ambiguity itself
        others = [match for match in ranked if match is not worded[0]]
        return turn.compose.answer(turn.text, worded[0], others)
    if fuzz.token_set_ratio(first.intent.answer, second.intent.answer) >= CLARIFY_SAME_ANSWERS:
        return turn.compose.answer(turn.text, first, ranked[1:])
    # Only one answer speaks to every word the question is about: that one.
    covering = [
        choice for choice in (first, second) if turn.matcher.answer_covers(turn.query, choice)
    ]
    if len(covering) == 1:
        others = [match for match in ranked if match is not covering[0]]
        return turn.compose.answer(turn.text, covering[0], others)
    if not turn.matcher.shared_words(turn.query, first, second):
        return _fall_back(turn, ranked)
    if second.score < turn.matcher.threshold + CLARIFY_ABOVE:
        return turn.compose.answer(turn.text, first, ranked[1:])
    return turn.compose.clarify(turn.text, ranked)


def _first_reply(rules: tuple[tuple[str, Rule], ...], turn: Turn) -> Reply | None:
    for _, rule in rules:
        reply = rule(turn)
        if reply is not None:
            return reply
    return None


def reply_to(turn: Turn) -> Reply:
    """The reply of the first follow-up rule that applies, else the message matched alone."""
    return _first_reply(FOLLOW_UP_RULES, turn) or match_question(turn)
