"""The intent file format: check each file's nodes and build the intents, synonyms and settings.

`KnowledgeBuilder` takes the measured YAML nodes of one file after another (see `yaml_nodes`),
reports every problem as a located error naming the file, the line and the intent, and merges
what is right into one knowledge base. Text is read as written (`10:30` is not a number).
"""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from chatbot.errors import DuplicateIntentError, IntentFileError, IntentSchemaError
from chatbot.intents import DEFAULT_FALLBACK, Intent, KnowledgeBase, Source
from chatbot.loading.located import did_you_mean
from chatbot.loading.yaml_nodes import entries, is_null, kind, line, text, typed
from chatbot.records import FrozenDict

TOP_KEYS = ("intents", "synonyms", "entities", "settings", "fallback")
INTENT_KEYS = (
    "id", "questions", "answer", "more", "why", "follow_ups", "slots", "topic", "sets_context"
)  # fmt: skip
SETTING_KEYS = ("threshold", "context_turns")
# The characters an id may use. A set rather than a regular expression: compiling one would
# cost every start more than all the checks it makes.
_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")

# A mapping's keys, each with its key node (for its line) and its value node.
Fields = dict[str, tuple[ScalarNode, Node]]


def fields(node: MappingNode) -> Fields:
    """A mapping's entries by key, merge keys (`<<`) applied."""
    found = {key.value: (key, value) for key, value in node.value}
    if "<<" in found:  # rare: a merge key, or a quoted "<<", which `entries` tells apart
        found = {key.value: (key, value) for key, value in entries(node)}
    return found


def _unknown_key_message(key: str, allowed: tuple[str, ...]) -> str:
    return f"unknown key '{key}'{did_you_mean(key, allowed)}; expected one of: " + ", ".join(
        allowed
    )


class KnowledgeBuilder:
    """Checks the documents of intent files one by one and merges them into one knowledge base.

    Args:
        errors: the list every problem found is appended to.
    """

    def __init__(self, errors: list[IntentFileError]) -> None:
        self.errors = errors
        self.intents: list[Intent] = []
        self.first_seen: dict[str, Source] = {}
        self.synonyms: dict[str, list[str]] = {}
        self.entities: dict[str, dict[str, list[str]]] = {}
        self.settings: dict[str, tuple[Any, Source]] = {}

    def error(
        self,
        error_type: type[IntentFileError],
        reason: str,
        file: str,
        where: int | None,
        intent: str | None = None,
    ) -> None:
        self.errors.append(error_type(reason, path=file, line=where, intent=intent))

    def add_document(self, file: str, root: Node) -> None:
        """Check one file's root node and add what it declares."""
        if type(root) is not MappingNode or kind(root) != "mapping":
            self.error(
                IntentSchemaError,
                f"expected a mapping with an 'intents' list at the top, got {kind(root)}",
                file,
                line(root),
            )
            return
        document = fields(root)
        for name, (key, _) in document.items():
            if name not in TOP_KEYS:
                self.error(IntentSchemaError, _unknown_key_message(name, TOP_KEYS), file, line(key))
        if "intents" not in document:
            self.error(IntentSchemaError, "missing key 'intents'", file, line(root))
        else:
            key, intents = document["intents"]
            if type(intents) is SequenceNode:
                for item in intents.value:
                    self.add_intent(file, item)
            elif not is_null(intents):
                self.error(
                    IntentSchemaError,
                    f"'intents' must be a list of mappings, got {kind(intents)}",
                    file,
                    line(key),
                )
        for name, add in (
            ("synonyms", self.add_synonyms),
            ("entities", self.add_entities),
            ("settings", self.add_settings),
            ("fallback", self.add_fallback),
        ):
            if name in document:
                key, value = document[name]
                add(file, value, line(key))

    def add_intent(self, file: str, node: Node) -> None:
        """Check one intent's mapping and add the intent if it is right."""
        where = line(node)
        if type(node) is not MappingNode or kind(node) != "mapping":
            self.error(
                IntentSchemaError, f"each intent must be a mapping, got {kind(node)}", file, where
            )
            return
        item = fields(node)
        id_node = item["id"][1] if "id" in item else None
        raw_id = text(id_node) if id_node is not None else None
        intent_id = raw_id if raw_id is not None and raw_id.strip() else None
        before = len(self.errors)

        def fail(reason: str, key: str | None = None) -> None:
            at = line(item[key][0]) if key in item else where
            self.error(IntentSchemaError, reason, file, at, intent_id)

        for key in item:
            if key not in INTENT_KEYS:
                fail(_unknown_key_message(key, INTENT_KEYS), key)
        if id_node is None:
            fail("missing key 'id'")
        elif intent_id is None:
            fail(f"'id' must be a non-empty string, got {kind(id_node)}", "id")
        elif not _ID_CHARACTERS.issuperset(intent_id):
            fail("'id' may only contain letters, digits, '_', '-' and '.'", "id")
        questions = _string_list(item, "questions", fail, required=True)
        answer = _text(item, "answer", fail, required=True)
        more = _text(item, "more", fail)
        why = _text(item, "why", fail)
        topic = _text(item, "topic", fail)
        follow_ups = _string_list(item, "follow_ups", fail)
        slots = _slots(item, fail)
        sets_context = True
        if "sets_context" in item:
            value = item["sets_context"][1]
            sets_context = typed(value)
            if not isinstance(sets_context, bool):
                fail(f"'sets_context' must be true or false, got {kind(value)}", "sets_context")
        if len(self.errors) > before or intent_id is None:
            return
        if intent_id in self.first_seen:
            self.error(
                DuplicateIntentError,
                f"duplicate id '{intent_id}', first declared at {self.first_seen[intent_id]}",
                file,
                line(item["id"][0]),
                intent_id,
            )
            return
        source = Source(file, where)
        self.first_seen[intent_id] = source
        self.intents.append(
            Intent(
                id=intent_id,
                questions=tuple(question.strip() for question in questions),
                answer=answer or "",
                more=more,
                why=why,
                follow_ups=tuple(follow_ups),
                slots=FrozenDict(slots),
                topic=topic,
                sets_context=sets_context,
                source=source,
            )
        )

    def phrase_table(
        self, file: str, node: Node, where: int, what: str
    ) -> dict[str, list[str]] | None:
        """Check a mapping of name -> list of phrases (a single phrase is allowed too)."""
        if type(node) is not MappingNode or kind(node) != "mapping":
            self.error(
                IntentSchemaError,
                f"'{what}' must map names to lists of phrases, got {kind(node)}",
                file,
                where,
            )
            return None
        table: dict[str, list[str]] = {}
        for name, (key, value) in fields(node).items():
            items = [value] if type(value) is ScalarNode else value.value
            phrases = [text(item) for item in items] if type(value) is not MappingNode else []
            if (
                text(key) is None
                or type(value) is MappingNode
                or not all(phrase is not None and phrase.strip() for phrase in phrases)
            ):
                self.error(
                    IntentSchemaError,
                    f"'{what}' entry '{name}' must be a list of non-empty strings",
                    file,
                    line(key),
                )
                continue
            table[name] = [phrase.strip() for phrase in phrases if phrase is not None]
        return table

    def add_synonyms(self, file: str, node: Node, where: int) -> None:
        table = self.phrase_table(file, node, where, "synonyms")
        for canonical, variants in (table or {}).items():
            self.synonyms.setdefault(canonical, []).extend(variants)

    def add_entities(self, file: str, node: Node, where: int) -> None:
        if type(node) is not MappingNode or kind(node) != "mapping":
            self.error(
                IntentSchemaError,
                f"'entities' must map entity names to their values, got {kind(node)}",
                file,
                where,
            )
            return
        for entity, (key, values) in fields(node).items():
            table = self.phrase_table(file, values, line(key), f"entities.{entity}")
            merged = self.entities.setdefault(entity, {})
            for name, phrases in (table or {}).items():
                merged.setdefault(name, []).extend(phrases)

    def add_settings(self, file: str, node: Node, where: int) -> None:
        if type(node) is not MappingNode or kind(node) != "mapping":
            self.error(
                IntentSchemaError, f"'settings' must be a mapping, got {kind(node)}", file, where
            )
            return
        for name, (key, value) in fields(node).items():
            at = line(key)
            setting = typed(value)
            if name not in SETTING_KEYS:
                self.error(IntentSchemaError, _unknown_key_message(name, SETTING_KEYS), file, at)
                continue
            if name == "threshold" and not (
                isinstance(setting, (int, float))
                and not isinstance(setting, bool)
                and 0 <= setting <= 100
            ):
                self.error(
                    IntentSchemaError, "'threshold' must be a number from 0 to 100", file, at
                )
                continue
            if name == "context_turns" and not (
                isinstance(setting, int) and not isinstance(setting, bool) and setting >= 1
            ):
                self.error(
                    IntentSchemaError,
                    "'context_turns' must be a whole number of at least 1",
                    file,
                    at,
                )
                continue
            self.set_once(name, setting, Source(file, at))

    def add_fallback(self, file: str, node: Node, where: int) -> None:
        value = text(node)
        if value is None or not value.strip():
            self.error(IntentSchemaError, "'fallback' must be a non-empty string", file, where)
            return
        self.set_once("fallback", value.strip(), Source(file, where))

    def set_once(self, key: str, value: Any, source: Source) -> None:
        if key in self.settings and self.settings[key][0] != value:
            self.error(
                IntentSchemaError,
                f"'{key}' is already set to {self.settings[key][0]!r} at {self.settings[key][1]}",
                source.path,
                source.line,
            )
            return
        self.settings[key] = (value, source)

    def build(self, sources: tuple[str, ...]) -> KnowledgeBase:
        """The knowledge base of every document added (call only when no error was found)."""

        def setting(key: str) -> Any:
            return self.settings[key][0] if key in self.settings else None

        return KnowledgeBase(
            intents=tuple(self.intents),
            synonyms=FrozenDict(
                {name: tuple(dict.fromkeys(variants)) for name, variants in self.synonyms.items()}
            ),
            entities=FrozenDict(
                {
                    entity: FrozenDict(
                        {value: tuple(dict.fromkeys(phrases)) for value, phrases in values.items()}
                    )
                    for entity, values in self.entities.items()
                }
            ),
            threshold=setting("threshold"),
            context_turns=setting("context_turns"),
            fallback=setting("fallback") or DEFAULT_FALLBACK,
            sources=sources,
        )


def _text(item: Fields, key: str, fail: Any, *, required: bool = False) -> str | None:
    if key not in item or is_null(item[key][1]):
        if required:
            fail(f"missing key '{key}'")
        return None
    node = item[key][1]
    value = text(node)
    if value is None:
        fail(f"'{key}' must be a string, got {kind(node)}", key)
        return None
    if not value.strip():
        fail(f"'{key}' must not be empty", key)
        return None
    return value.strip()


def _string_list(item: Fields, key: str, fail: Any, *, required: bool = False) -> list[str]:
    if key not in item or is_null(item[key][1]):
        if required:
            fail(f"missing key '{key}'")
        return []
    node = item[key][1]
    if type(node) is not SequenceNode:
        fail(f"'{key}' must be a list of strings, got {kind(node)}", key)
        return []
    strings = []
    for position, entry in enumerate(node.value, start=1):
        value = text(entry)
        if value is None:
            fail(f"'{key}' item {position} must be a string, got {kind(entry)}", key)
        elif not value.strip():
            fail(f"'{key}' item {position} is empty", key)
        else:
            strings.append(value)
    if required and not node.value:
        fail(f"'{key}' must not be empty", key)
    return strings


def _slots(item: Fields, fail: Any) -> dict[str, str]:
    if "slots" not in item or is_null(item["slots"][1]):
        return {}
    node = item["slots"][1]
    slots = {}
    if type(node) is MappingNode and kind(node) == "mapping":
        for name, (key, value) in fields(node).items():
            written = text(value)
            if text(key) is None or written is None:
                break
            slots[name] = written
        else:
            return slots
    fail("'slots' must map entity names to value names (strings)", "slots")
    return {}
