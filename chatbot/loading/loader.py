"""Read intent YAML files into a KnowledgeBase, with errors that name the file, line and intent."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from typing import Any, Union

import yaml

from chatbot.errors import (
    DuplicateIntentError,
    IntentFileError,
    IntentFileTooLargeError,
    IntentPathError,
    IntentSchemaError,
    IntentSyntaxError,
)
from chatbot.intents import DEFAULT_FALLBACK, Intent, KnowledgeBase, Source
from chatbot.loading.located import (
    MAX_FILE_BYTES,
    Unreadable,
    did_you_mean,
    read_text,
    yaml_problem,
)
from chatbot.records import FrozenDict

# Unquoted: a quoted name would be compiled as a forward reference at every start.
PathLike = Union[str, os.PathLike[str]]

YAML_SUFFIXES = (".yaml", ".yml")
# Limits that keep a mistaken or hostile file from exhausting memory; far above real FAQs
# (CLINC150's 15,000 questions take 1 MB and 30,000 values).
MAX_VALUES = 5_000_000
TOP_KEYS = ("intents", "synonyms", "entities", "settings", "fallback")
INTENT_KEYS = (
    "id", "questions", "answer", "more", "why", "follow_ups", "slots", "topic", "sets_context"
)  # fmt: skip
SETTING_KEYS = ("threshold", "context_turns")
# The characters an id may use. A set rather than a regular expression: compiling one would
# cost every start more than all the checks it makes.
_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")

# The C parser is many times faster than the pure-Python one; both are safe loaders.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"


class _LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and the line of each key."""

    line: int
    key_lines: dict[Any, int]


class _LineList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers its line and the line of each item."""

    line: int
    item_lines: list[int]


class _Loader(_BaseLoader):  # type: ignore[misc]
    """PyYAML's safe loader, keeping line numbers and refusing duplicate keys."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        # Called from C for every node, so kept lean: for a non-empty scalar, and while no
        # wildcard or path resolver is declared, this is what BaseResolver.resolve does,
        # without building a list of patterns per call. Most text starts with a character no
        # implicit type (number, bool, null, date, merge key...) can start with, and so is a
        # string without trying any pattern.
        resolvers = self.yaml_implicit_resolvers
        if (
            kind is not yaml.ScalarNode
            or not value
            or None in resolvers
            or self.yaml_path_resolvers
        ):
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        if implicit[0]:
            for tag, pattern in resolvers.get(value[0], ()):
                if pattern.match(value):
                    return tag  # type: ignore[no-any-return]
        return self.DEFAULT_SCALAR_TAG  # type: ignore[no-any-return]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Nearly every value of a FAQ is a plain string: taking it straight from its node skips
        # the generic constructor's bookkeeping, a third of the time a load takes.
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value
        try:
            return super().construct_object(node, deep)
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError):
            # PyYAML's constructors for explicit tags trust the text they are given: `!!int
            # abc` or `!!timestamp 2020-13-45` fail inside Python with no place in the file.
            tag = node.tag.rsplit(":", 1)[-1]
            value = node.value if isinstance(node.value, str) else _node_kind(node)
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {_shorten(value)!r} as !!{tag}", node.start_mark
            ) from None


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_kind(node: yaml.Node) -> str:
    """ "scalar", "sequence" or "mapping", as PyYAML's messages name nodes."""
    return str(getattr(node, "id", "node"))


def _expect(node: yaml.Node, kind: type[yaml.Node], what: str) -> None:
    """Refuse a node of the wrong kind, as PyYAML's own constructors do (`!!seq abc`)."""
    if not isinstance(node, kind):
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a {what}, but found {_node_kind(node)}", node.start_mark
        )


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[_LineDict]:
    _expect(node, yaml.MappingNode, "mapping")
    data = _LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    seen: dict[Any, int] = {}
    plain_keys = True
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            line = key_node.start_mark.line + 1
            if key_node.value in seen and key_node.tag != "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                )
            seen[key_node.value] = line
            plain_keys = plain_keys and key_node.tag == _STR_TAG
        else:
            plain_keys = False
    if plain_keys:
        # The usual case, string keys and no merges (`<<`): what construct_mapping would
        # build, without its generic checks. `seen` already holds every key's line, in order.
        data.key_lines = seen
        for key_node, value_node in node.value:
            # construct_object's shortcut for strings, inlined: one call less per value.
            if value_node.tag == _STR_TAG and type(value_node) is yaml.ScalarNode:
                data[key_node.value] = value_node.value
            else:
                data[key_node.value] = loader.construct_object(value_node)
        return
    data.update(loader.construct_mapping(node))
    for key in data:
        data.key_lines[key] = seen.get(key, data.line)


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Iterator[_LineList]:
    _expect(node, yaml.SequenceNode, "sequence")
    data = _LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    # What construct_sequence builds, with construct_object's shortcut for strings inlined.
    data.extend(
        item.value
        if item.tag == _STR_TAG and type(item) is yaml.ScalarNode
        else loader.construct_object(item)
        for item in node.value
    )


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class LoadResult:
    """What reading intent files gave: the knowledge base (None if unusable) and every error.

    Attributes:
        knowledge: the merged knowledge base, or None when any error was found.
        errors: every error found, in the order met.
    """

    # A plain class rather than a dataclass: generating a dataclass costs every start.
    __slots__ = ("errors", "knowledge")

    def __init__(self, knowledge: KnowledgeBase | None, errors: list[IntentFileError]) -> None:
        self.knowledge = knowledge
        self.errors = errors

    def __repr__(self) -> str:
        return f"LoadResult(knowledge={self.knowledge!r}, errors={self.errors!r})"


def load_intents(*paths: PathLike | Iterable[PathLike]) -> KnowledgeBase:
    """Load intents from YAML files and folders, merged in the order given.

    Args:
        *paths: files, folders (every `*.yaml` / `*.yml` in them, sorted by name), or lists of them.

    Returns:
        The merged knowledge base.

    Raises:
        IntentFileError: a subclass naming the first problem; `.all_errors` holds every one found.

    Example:
        >>> kb = load_intents("intents/")
        >>> kb.get("llm_definition").answer
    """
    result = read_intents(*paths)
    if result.errors:
        first = result.errors[0]
        first.all_errors = tuple(result.errors)
        raise first
    assert result.knowledge is not None
    return result.knowledge


def intent_files(*paths: PathLike | Iterable[PathLike]) -> list[str]:
    """The files `load_intents` would read for these paths, in order.

    Raises:
        IntentPathError: for the first path that cannot be used (as `load_intents` would).
    """
    files: list[str] = []
    for path in _flatten(paths):
        files.extend(_expand(_clean(os.fspath(path))))
    if not files:
        raise IntentPathError("no intent files given", path=".")
    return files


def read_intents(*paths: PathLike | Iterable[PathLike]) -> LoadResult:
    """Like load_intents, but return every error found instead of raising the first."""
    errors: list[IntentFileError] = []
    files: list[str] = []
    for path in _flatten(paths):
        try:
            files.extend(_expand(_clean(os.fspath(path))))
        except IntentFileError as error:
            errors.append(error)
    if not files and not errors:
        errors.append(IntentPathError("no intent files given", path="."))
    builder = _Builder(errors)
    for file in files:
        document = _parse(file, errors)
        if document is not None:
            builder.add_document(file, document)
    if errors:
        return LoadResult(None, errors)
    return LoadResult(builder.build(tuple(files)), errors)


def _flatten(paths: Iterable[Any]) -> Iterator[PathLike]:
    for path in paths:
        if isinstance(path, (str, os.PathLike)):
            yield path
        else:
            yield from _flatten(path)


def _clean(path: str) -> str:
    """The path as pathlib would print it ("a//b/./c/" -> "a/b/c", "" -> "."), without the
    cost of importing pathlib on every start; ".." is kept, as pathlib keeps it."""
    if os.name != "posix":  # drives and two separators: leave those to pathlib
        from pathlib import Path

        return str(Path(path))
    parts = [part for part in path.split("/") if part and part != "."]
    if path.startswith("//") and not path.startswith("///"):
        root = "//"  # POSIX gives exactly two leading slashes a meaning of their own
    elif path.startswith("/"):
        root = "/"
    else:
        root = ""
    return root + "/".join(parts) or "."


def _suffix(name: str) -> str:
    # The rule of pathlib's `suffix`: a leading dot alone (".yaml") is a name, not a suffix.
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _kind(path: str) -> str:
    """ "file", "folder", or why the path is unusable."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        if error.errno == errno.ENOENT:
            return "broken symbolic link" if os.path.islink(path) else "no such file or folder"
        return f"cannot access: {error.strerror}"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    return "not a regular file or folder"


def _expand(path: str) -> list[str]:
    kind = _kind(path)
    if kind == "file":
        return [path]
    if kind != "folder":
        raise IntentPathError(kind, path=path)
    try:
        children = [
            _clean(os.path.join(path, name))
            for name in sorted(os.listdir(path))
            if _suffix(name).lower() in YAML_SUFFIXES
        ]
    except OSError as error:
        raise IntentPathError(f"cannot list folder: {error.strerror}", path=path) from None
    if not children:
        raise IntentPathError("no .yaml or .yml files in this folder", path=path)
    files = []
    for child in children:
        kind = _kind(child)
        if kind == "file":
            files.append(child)
        elif kind != "folder":  # a sub-folder named like a file is not ours to read
            raise IntentPathError(kind, path=child)
    return files


def _parse(file: str, errors: list[IntentFileError]) -> Any:
    try:
        text = read_text(file, MAX_FILE_BYTES)
        try:
            document = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as error:
            raise yaml_problem(error, text) from None
    except Unreadable as problem:
        kinds = {"path": IntentPathError, "size": IntentFileTooLargeError}
        kind = kinds.get(problem.kind, IntentSyntaxError)
        errors.append(kind(problem.reason, path=file, line=problem.line))
        return None
    if document is None:
        errors.append(
            IntentSchemaError(
                "the file is empty; expected a mapping with an 'intents' list", path=file
            )
        )
    elif _expanded_size(document, MAX_VALUES) > MAX_VALUES:
        # Aliases are shared, not copied, when loaded; but anything walking the data would
        # meet every copy, so a "billion laughs" file is refused before anything walks it.
        errors.append(
            IntentFileTooLargeError(
                f"the file expands to more than {MAX_VALUES:,} values "
                "(too many YAML aliases, or too much data for one file)",
                path=file,
            )
        )
        return None
    return document


def _expanded_size(document: Any, budget: int) -> int:
    """How many values the document holds with every alias expanded; once past budget, it
    stops counting and returns some number above budget."""
    # A mapping's keys and a collection's items are counted in bulk, and only collections are
    # visited: most values are strings, which have nothing inside. Keys are never collections
    # (they must be hashable).
    count = 1
    stack = [document]
    while stack and count <= budget:
        value = stack.pop()
        if isinstance(value, dict):
            count += 2 * len(value)
            stack.extend(item for item in value.values() if isinstance(item, (dict, list)))
        elif isinstance(value, list):
            count += len(value)
            stack.extend(item for item in value if isinstance(item, (dict, list)))
    return count


def _type_name(value: Any) -> str:
    return {
        _LineDict: "mapping",
        _LineList: "list",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _unknown_key_message(key: Any, allowed: tuple[str, ...]) -> str:
    return f"unknown key '{key}'{did_you_mean(str(key), allowed)}; expected one of: " + ", ".join(
        allowed
    )


class _Builder:
    """Validates parsed documents one by one and merges them into one knowledge base."""

    def __init__(self, errors: list[IntentFileError]) -> None:
        self.errors = errors
        self.intents: list[Intent] = []
        self.first_seen: dict[str, Source] = {}
        self.synonyms: dict[str, list[str]] = {}
        self.entities: dict[str, dict[str, list[str]]] = {}
        self.settings: dict[str, tuple[Any, Source]] = {}
        self.fallback: tuple[str, Source] | None = None

    def error(
        self,
        kind: type[IntentFileError],
        reason: str,
        file: str,
        line: int | None,
        intent: str | None = None,
    ) -> None:
        self.errors.append(kind(reason, path=file, line=line, intent=intent))

    def add_document(self, file: str, document: Any) -> None:
        if not isinstance(document, dict):
            self.error(
                IntentSchemaError,
                f"expected a mapping with an 'intents' list at the top, got {_type_name(document)}",
                file,
                getattr(document, "line", 1),
            )
            return
        lines = getattr(document, "key_lines", {})
        for key in document:
            if key not in TOP_KEYS:
                self.error(
                    IntentSchemaError, _unknown_key_message(key, TOP_KEYS), file, lines.get(key)
                )
        if "intents" not in document:
            self.error(
                IntentSchemaError, "missing key 'intents'", file, getattr(document, "line", 1)
            )
        intents = document.get("intents")
        if isinstance(intents, list):
            item_lines = getattr(intents, "item_lines", [])
            for index, item in enumerate(intents):
                line = item_lines[index] if index < len(item_lines) else None
                self.add_intent(file, item, line)
        elif "intents" in document and intents is not None:
            self.error(
                IntentSchemaError,
                f"'intents' must be a list of mappings, got {_type_name(intents)}",
                file,
                lines.get("intents"),
            )
        if "synonyms" in document:
            self.add_synonyms(file, document["synonyms"], lines.get("synonyms"))
        if "entities" in document:
            self.add_entities(file, document["entities"], lines.get("entities"))
        if "settings" in document:
            self.add_settings(file, document["settings"], lines.get("settings"))
        if "fallback" in document:
            self.add_fallback(file, document["fallback"], lines.get("fallback"))

    def add_intent(self, file: str, item: Any, line: int | None) -> None:
        if not isinstance(item, dict):
            self.error(
                IntentSchemaError,
                f"each intent must be a mapping, got {_type_name(item)}",
                file,
                line,
            )
            return
        lines = item.key_lines if isinstance(item, _LineDict) else {}
        raw_id = item.get("id")
        intent_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        before = len(self.errors)

        def fail(reason: str, key: str | None = None) -> None:
            self.error(IntentSchemaError, reason, file, lines.get(key, line), intent_id)

        for key in item:
            if key not in INTENT_KEYS:
                fail(_unknown_key_message(key, INTENT_KEYS), key)
        if "id" not in item:
            fail("missing key 'id'")
        elif intent_id is None:
            fail(f"'id' must be a non-empty string, got {_type_name(raw_id)}", "id")
        elif not _ID_CHARACTERS.issuperset(intent_id):
            fail("'id' may only contain letters, digits, '_', '-' and '.'", "id")
        questions = self.string_list(item, "questions", fail, required=True)
        answer = self.text(item, "answer", fail, required=True)
        more = self.text(item, "more", fail)
        why = self.text(item, "why", fail)
        topic = self.text(item, "topic", fail)
        follow_ups = self.string_list(item, "follow_ups", fail)
        slots = item.get("slots", {})
        if slots is None:
            slots = {}
        if not isinstance(slots, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in slots.items()
        ):
            fail("'slots' must map entity names to value names (strings)", "slots")
            slots = {}
        sets_context = item.get("sets_context", True)
        if not isinstance(sets_context, bool):
            fail(
                f"'sets_context' must be true or false, got {_type_name(sets_context)}",
                "sets_context",
            )
        if len(self.errors) > before or intent_id is None:
            return
        if intent_id in self.first_seen:
            self.error(
                DuplicateIntentError,
                f"duplicate id '{intent_id}', first declared at {self.first_seen[intent_id]}",
                file,
                lines.get("id", line),
                intent_id,
            )
            return
        source = Source(file, line)
        self.first_seen[intent_id] = source
        self.intents.append(
            Intent(
                id=intent_id,
                questions=tuple(question.strip() for question in questions),
                answer=answer or "",
                more=more,
                why=why,
                follow_ups=tuple(follow_ups),
                slots=FrozenDict(dict(slots)),
                topic=topic,
                sets_context=sets_context,
                source=source,
            )
        )

    @staticmethod
    def text(item: dict[str, Any], key: str, fail: Any, *, required: bool = False) -> str | None:
        if key not in item or item[key] is None:
            if required:
                fail(f"missing key '{key}'")
            return None
        value = item[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            fail(f"'{key}' must be a string, got {_type_name(value)}", key)
            return None
        if not value.strip():
            fail(f"'{key}' must not be empty", key)
            return None
        return value.strip()

    @staticmethod
    def string_list(
        item: dict[str, Any], key: str, fail: Any, *, required: bool = False
    ) -> list[str]:
        if key not in item or item[key] is None:
            if required:
                fail(f"missing key '{key}'")
            return []
        value = item[key]
        if not isinstance(value, list):
            fail(f"'{key}' must be a list of strings, got {_type_name(value)}", key)
            return []
        strings = []
        for position, entry in enumerate(value, start=1):
            if type(entry) is not str:  # the checks below, for the few entries not plain text
                if isinstance(entry, (int, float)) and not isinstance(entry, bool):
                    entry = str(entry)
                if not isinstance(entry, str):
                    fail(f"'{key}' item {position} must be a string, got {_type_name(entry)}", key)
                    continue
            if not entry.strip():
                fail(f"'{key}' item {position} is empty", key)
            else:
                strings.append(entry)
        if required and not value:
            fail(f"'{key}' must not be empty", key)
        return strings

    def phrase_table(
        self, file: str, value: Any, line: int | None, what: str
    ) -> dict[str, list[str]] | None:
        """Check a mapping of name -> list of phrases (a single phrase is allowed too)."""
        if not isinstance(value, dict):
            self.error(
                IntentSchemaError,
                f"'{what}' must map names to lists of phrases, got {_type_name(value)}",
                file,
                line,
            )
            return None
        lines = getattr(value, "key_lines", {})
        table: dict[str, list[str]] = {}
        for name, phrases in value.items():
            if isinstance(phrases, str):
                phrases = [phrases]
            if (
                not isinstance(name, str)
                or not isinstance(phrases, list)
                or not all(isinstance(phrase, str) and phrase.strip() for phrase in phrases)
            ):
                self.error(
                    IntentSchemaError,
                    f"'{what}' entry '{name}' must be a list of non-empty strings",
                    file,
                    lines.get(name, line),
                )
                continue
            table[name] = [phrase.strip() for phrase in phrases]
        return table

    def add_synonyms(self, file: str, value: Any, line: int | None) -> None:
        table = self.phrase_table(file, value, line, "synonyms")
        for canonical, variants in (table or {}).items():
            self.synonyms.setdefault(canonical, []).extend(variants)

    def add_entities(self, file: str, value: Any, line: int | None) -> None:
        if not isinstance(value, dict):
            self.error(
                IntentSchemaError,
                f"'entities' must map entity names to their values, got {_type_name(value)}",
                file,
                line,
            )
            return
        lines = getattr(value, "key_lines", {})
        for entity, values in value.items():
            table = self.phrase_table(file, values, lines.get(entity, line), f"entities.{entity}")
            merged = self.entities.setdefault(str(entity), {})
            for name, phrases in (table or {}).items():
                merged.setdefault(name, []).extend(phrases)

    def add_settings(self, file: str, value: Any, line: int | None) -> None:
        if not isinstance(value, dict):
            self.error(
                IntentSchemaError,
                f"'settings' must be a mapping, got {_type_name(value)}",
                file,
                line,
            )
            return
        lines = getattr(value, "key_lines", {})
        for key, setting in value.items():
            where = lines.get(key, line)
            if key not in SETTING_KEYS:
                self.error(IntentSchemaError, _unknown_key_message(key, SETTING_KEYS), file, where)
                continue
            if key == "threshold" and not (
                isinstance(setting, (int, float))
                and not isinstance(setting, bool)
                and 0 <= setting <= 100
            ):
                self.error(
                    IntentSchemaError, "'threshold' must be a number from 0 to 100", file, where
                )
                continue
            if key == "context_turns" and not (
                isinstance(setting, int) and not isinstance(setting, bool) and setting >= 1
            ):
                self.error(
                    IntentSchemaError,
                    "'context_turns' must be a whole number of at least 1",
                    file,
                    where,
                )
                continue
            self.set_once(key, setting, Source(file, where))

    def add_fallback(self, file: str, value: Any, line: int | None) -> None:
        if not isinstance(value, str) or not value.strip():
            self.error(IntentSchemaError, "'fallback' must be a non-empty string", file, line)
            return
        self.set_once("fallback", value.strip(), Source(file, line))

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
