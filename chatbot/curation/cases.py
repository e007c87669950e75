"""Read and validate the YAML files of test cases that `chatbot eval` runs.

A cases file holds single questions, each to be asked in a fresh conversation, and
conversations, whose turns are asked in order in one conversation:

    cases:
      - {question: what is an llm, intent: llm_definition}
      - {question: book a flight to rome, intent: null}   # must fall back
    conversations:
      - - {question: what data do llms use, intent: llm_data_inputs}
        - {question: and generative ai?, intent: genai_data_inputs}

Every problem is reported as `file:line: case N: message`, all of them at once.

Example:
    >>> suite = read_cases("tests/cases/faq.yaml", knowledge=bot.knowledge)
    >>> len(suite)
    137
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

from yaml.nodes import MappingNode, Node, SequenceNode

from chatbot.dialogue.replies import KINDS
from chatbot.errors import CasesFileError
from chatbot.intents import KnowledgeBase
from chatbot.loading.located import Unreadable, did_you_mean
from chatbot.loading.paths import folder_files
from chatbot.loading.yaml_nodes import entries, is_null, read_yaml, text, typed
from chatbot.loading.yaml_nodes import kind as node_kind
from chatbot.loading.yaml_nodes import line as _line

PathLike = Union[str, "os.PathLike[str]"]

TOP_KEYS = ("cases", "conversations")
CASE_KEYS = ("question", "intent", "kind", "context")
# What `kind:` may pin down (the Reply.kind values).
REPLY_KINDS = KINDS


def _label(conversation: int | None, number: int) -> str:
    if conversation is None:
        return f"case {number}"
    return f"conversation {conversation}, turn {number}"


@dataclass(frozen=True)
class Case:
    """One question with the intent it must reach (None: the bot must fall back).

    Attributes:
        question: the text asked.
        intent: the expected intent id, or None when the bot must fall back.
        path: the cases file.
        line: the 1-based line of the case.
        conversation: for a conversation turn, the conversation's 1-based number in its file.
        number: the 1-based number of the case, or of the turn in its conversation.
        kind: the kind of reply required (answer, fallback, more, why, clarify), if pinned.
        context: whether context must (True) or must not (False) decide the reply, if pinned.
    """

    question: str
    intent: str | None
    path: str
    line: int
    conversation: int | None
    number: int
    kind: str | None = None
    context: bool | None = None

    @property
    def label(self) -> str:
        """`case 3` or `conversation 2, turn 1`."""
        return _label(self.conversation, self.number)

    @property
    def location(self) -> str:
        """`file:line: case 3`: where to find it."""
        return f"{self.path}:{self.line}: {self.label}"


@dataclass(frozen=True)
class Suite:
    """The cases of one or more files.

    Attributes:
        cases: single questions, each asked in a fresh conversation.
        conversations: lists of turns, each list asked in one conversation.
    """

    cases: tuple[Case, ...] = ()
    conversations: tuple[tuple[Case, ...], ...] = ()

    def __len__(self) -> int:
        return len(self.cases) + sum(len(turns) for turns in self.conversations)

    def __iter__(self) -> Iterator[Case]:
        yield from self.cases
        for turns in self.conversations:
            yield from turns


def read_cases(*paths: PathLike, knowledge: KnowledgeBase | None = None) -> Suite:
    """Read cases files into one suite, checking their format (and intent ids, given knowledge).

    Args:
        *paths: cases files or folders (every `*.yaml` / `*.yml` in them, sorted), in order.
        knowledge: when given, every expected intent must be one of its ids.

    Raises:
        CasesFileError: naming the file and line of the first problem; `.all_errors` has all.
    """
    errors: list[CasesFileError] = []
    cases: list[Case] = []
    conversations: list[tuple[Case, ...]] = []
    files: list[PathLike] = []
    for path in paths:
        if os.path.isdir(path):
            try:
                files.extend(folder_files(os.fspath(path)))
            except Unreadable as problem:
                errors.append(CasesFileError(problem.reason, path=problem.path or path))
        else:
            files.append(path)
    paths = tuple(files)
    for path in paths:
        reader = _CasesReader(str(path), errors)
        reader.read()
        cases.extend(reader.cases)
        conversations.extend(reader.conversations)
    suite = Suite(tuple(cases), tuple(conversations))
    if knowledge is not None:
        ids = [intent.id for intent in knowledge]
        for case in suite:
            if case.intent is not None and knowledge.get(case.intent) is None:
                errors.append(
                    CasesFileError(
                        f"{case.label}: unknown intent '{case.intent}'"
                        f"{did_you_mean(case.intent, ids)}",
                        path=case.path,
                        line=case.line,
                    )
                )
    if errors:
        # In file order, then by line: the order a curator fixes them in.
        order = {str(path): index for index, path in enumerate(paths)}
        errors.sort(key=lambda error: (order.get(error.path, 0), error.line or 0))
        errors[0].all_errors = tuple(errors)
        raise errors[0]
    return suite


def _kind(node: Node) -> str:
    """What a node holds, in the words of cases messages ("string", "list", "null"...)."""
    found = node_kind(node)
    return "string" if found == "str" else found


class _CasesReader:
    """Validates one cases file, node by node, so every message can name its line."""

    def __init__(self, path: str, errors: list[CasesFileError]) -> None:
        self.path = path
        self.errors = errors
        self.cases: list[Case] = []
        self.conversations: list[tuple[Case, ...]] = []

    def fail(self, reason: str, line: int | None) -> None:
        self.errors.append(CasesFileError(reason, path=self.path, line=line))

    def read(self) -> None:
        root = self.parse()
        if root is None:
            return
        if not isinstance(root, MappingNode):
            self.fail(
                f"expected a mapping with 'cases' and/or 'conversations' at the top, "
                f"got {_kind(root)}",
                _line(root),
            )
            return
        sections = self.mapping(root, TOP_KEYS, "")
        if not sections:
            self.fail("expected 'cases' and/or 'conversations' at the top", _line(root))
        if "cases" in sections:
            for number, node in enumerate(self.sequence(sections["cases"], "'cases'"), 1):
                case = self.case(node, None, number)
                if case is not None:
                    self.cases.append(case)
        if "conversations" in sections:
            items = self.sequence(sections["conversations"], "'conversations'")
            for conversation, node in enumerate(items, 1):
                label = f"conversation {conversation}"
                turns = [
                    self.case(turn, conversation, number)
                    for number, turn in enumerate(self.sequence(node, label), 1)
                ]
                if isinstance(node, SequenceNode) and not node.value:
                    self.fail(f"{label} has no turns", _line(node))
                if turns and all(turn is not None for turn in turns):
                    self.conversations.append(tuple(turn for turn in turns if turn is not None))
        if not self.cases and not self.conversations and sections:
            self.fail("no cases or conversations to run", _line(root))

    def parse(self) -> Node | None:
        # Read as intent files are: within the same limits, with aliases and merge keys
        # measured before anything walks them, into nodes that keep every value's line.
        try:
            root = read_yaml(self.path, unique_keys=False)
        except Unreadable as problem:
            self.fail(problem.reason, problem.line)
            return None
        if root is None:
            self.fail("the file is empty; expected 'cases' and/or 'conversations'", None)
        return root

    def mapping(self, node: MappingNode, allowed: tuple[str, ...], label: str) -> dict[str, Node]:
        """The entries of a mapping with allowed keys (merge keys applied), reporting others."""
        found: dict[str, Node] = {}
        for key_node, value_node in entries(node):
            key = key_node.value
            if key in found:
                self.fail(f"{label}duplicate key '{key}'", _line(key_node))
            elif key in allowed:
                found[key] = value_node
            else:
                self.fail(
                    f"{label}unknown key '{key}'{did_you_mean(str(key), allowed)}; "
                    f"expected one of: {', '.join(allowed)}",
                    _line(key_node),
                )
        return found

    def sequence(self, node: Node, label: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if _kind(node) != "null":
            self.fail(f"{label} must be a list, got {_kind(node)}", _line(node))
        return []

    def case(self, node: Node, conversation: int | None, number: int) -> Case | None:
        label = _label(conversation, number)
        if not isinstance(node, MappingNode):
            self.fail(
                f"{label}: expected a mapping {{question: ..., intent: ...}}, got {_kind(node)}",
                _line(node),
            )
            return None
        before = len(self.errors)
        fields = self.mapping(node, CASE_KEYS, f"{label}: ")
        question = fields.get("question")
        intent = fields.get("intent")
        if question is None:
            self.fail(f"{label}: missing key 'question'", _line(node))
        elif not (text(question) or "").strip():
            self.fail(f"{label}: 'question' must be a non-empty string", _line(question))
        if intent is None:
            self.fail(
                f"{label}: missing key 'intent' (use null for a question that must fall back)",
                _line(node),
            )
        elif not (is_null(intent) or (text(intent) or "").strip()):
            self.fail(
                f"{label}: 'intent' must be an intent id or null, got {_kind(intent)}",
                _line(intent),
            )
        kind = fields.get("kind")
        if kind is not None and text(kind) not in REPLY_KINDS:
            self.fail(f"{label}: 'kind' must be one of: {', '.join(REPLY_KINDS)}", _line(kind))
        context = fields.get("context")
        if context is not None and not isinstance(typed(context), bool):
            self.fail(f"{label}: 'context' must be true or false", _line(context))
        if len(self.errors) > before or question is None or intent is None:
            return None
        return Case(
            kind=text(kind) if kind is not None else None,
            context=typed(context) if context is not None else None,
            question=(text(question) or "").strip(),
            intent=None if is_null(intent) else (text(intent) or "").strip(),
            path=self.path,
            line=_line(node),
            conversation=conversation,
            number=number,
        )
