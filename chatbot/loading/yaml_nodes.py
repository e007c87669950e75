"""Compose a YAML file into nodes within limits, and read values from the nodes as written.

The one YAML reader of intent and cases files. The text is composed into nodes by libyaml (the
C parser, where installed): an alias there is the anchored node itself, shared, so composing
never expands anything. Before any reader walks the nodes, `compose` measures them once, each
shared node once, and refuses in one located message what would be too large *after* its
aliases and merge keys (`<<`) are expanded, an alias inside the node it names, a nesting too deep,
a tag no safe loader knows, or an explicit tag its value does not fit. What is left can be walked
like the file written out, at a cost bounded by the limits below.

Plain scalars are not given YAML 1.1's types: `10:30`, `0777`, `1_000`, `yes` and `2001-01-01`
stay the text written, since questions and answers are text. Only an empty value, `~` and `null`
mean "no value". Where a reader wants a number or a boolean (settings, `sets_context`), `typed`
reads the text as YAML would.
"""

from __future__ import annotations

import gc
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from chatbot.loading.located import Unreadable, read_text, yaml_problem

# Limits on what a file holds once its aliases and merge keys are expanded, far above real
# FAQs (CLINC150's 15,000 questions take 1 MB and about 30,000 values). A value is a key, a
# text, a list or a mapping; characters are those of the texts and keys.
MAX_VALUES = 5_000_000
MAX_CHARACTERS = 64_000_000
# Aliases and merge keys may repeat at most as much as the file writes out (so a file is at most
# doubled), or this much if that is more: a shared list of follow-ups or a mapping of defaults
# is fine, a small file that builds what a large one would is not.
MIN_REPEATED_VALUES = 100_000
MIN_REPEATED_CHARACTERS = 1_000_000
# Lists and mappings inside each other, aliases followed; a FAQ needs four or five.
MAX_DEPTH = 100

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
_PREFIX = "tag:yaml.org,2002:"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
# Explicit tags on scalars that a safe loader knows, with the constructor that checks the text.
_SCALAR_CHECKS: dict[str, Any] = {
    _PREFIX + "bool": SafeConstructor.construct_yaml_bool,
    _PREFIX + "int": SafeConstructor.construct_yaml_int,
    _PREFIX + "float": SafeConstructor.construct_yaml_float,
    _PREFIX + "timestamp": SafeConstructor.construct_yaml_timestamp,
    _PREFIX + "binary": SafeConstructor.construct_yaml_binary,
    STR_TAG: None,
    NULL_TAG: None,
    MERGE_TAG: None,
}
_SEQUENCE_TAGS = frozenset((SEQ_TAG, _PREFIX + "omap", _PREFIX + "pairs"))
_MAPPING_TAGS = frozenset((MAP_TAG, _PREFIX + "set"))
# Scalars whose text is the text written, whatever their tag (explicit tags are checked first).
TEXT_TAGS = frozenset(
    (STR_TAG, MERGE_TAG, *(_PREFIX + name for name in ("bool", "int", "float", "timestamp")))
)

_UNSEEN = (-1, -1)  # a size no node has, told apart by identity
_Parser: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_CONSTRUCTOR = SafeConstructor()


class _Composer(_Parser):  # type: ignore[misc]
    """libyaml's parser and composer, giving every plain scalar the text tag (or null, or <<)."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        # Called for every untagged node, from C: kept to a few comparisons.
        if kind is ScalarNode:
            if implicit[0]:
                if value in _NULLS:
                    return NULL_TAG
                if value == "<<":
                    return MERGE_TAG
            return STR_TAG
        return SEQ_TAG if kind is SequenceNode else MAP_TAG


def read_yaml(path: str, *, unique_keys: bool = True) -> Node | None:
    """The file's root node (None for an empty file), read within limits and measured.

    Args:
        path: the file.
        unique_keys: refuse a mapping that repeats a key (else the reader reports it).

    Raises:
        Unreadable: the file cannot be read, is not YAML, or is beyond the limits.
    """
    text = read_text(path)
    return compose(text, unique_keys=unique_keys)


def compose(text: str, *, unique_keys: bool = True) -> Node | None:
    """YAML text composed into nodes, refused if too large once expanded (see the module)."""
    # Composing makes millions of objects and frees none: the cyclic collector would walk them
    # all again and again, for nothing (nodes hold no cycles unless an alias makes one, and
    # those are refused below).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            loader = _Composer(text)  # the pure-Python reader checks the characters here
            try:
                root: Node | None = loader.get_single_node()
            finally:
                loader.dispose()
        except yaml.YAMLError as error:
            raise yaml_problem(error, text) from None
        except RecursionError:  # the pure-Python composer, without libyaml
            raise Unreadable("nested too deeply", kind="size") from None
        if root is not None:
            _measure(root, unique_keys)
        return root
    finally:
        if collecting:
            gc.enable()


def _measure(root: Node, unique_keys: bool) -> None:
    census = _Census(unique_keys)
    values, characters = census.size(root, 0, root)
    for what, total, repeated, limit, least in (
        ("values", values, census.repeated_values, MAX_VALUES, MIN_REPEATED_VALUES),
        (
            "characters",
            characters,
            census.repeated_characters,
            MAX_CHARACTERS,
            MIN_REPEATED_CHARACTERS,
        ),
    ):
        written = total - repeated
        if written > limit:
            raise Unreadable(
                f"the file holds more than {limit:,} {what}; split it into several files",
                kind="size",
            )
        allowed = min(max(least, written), limit - written)
        if repeated > allowed:
            # Walked again, which is rare, to name the line where the repetition goes too far.
            _Census(unique_keys, (what, allowed)).size(root, 0, root)
            raise _too_much_repeated(what, allowed, None)


def _too_much_repeated(what: str, allowed: int, where: int | None) -> Unreadable:
    return Unreadable(
        f"aliases and merge keys repeat more than {allowed:,} {what} "
        "(the limit for a file of this size); write the repeated data out",
        where,
        kind="size",
    )


class _Census:
    """Counts what a file holds with its aliases expanded, each shared node measured once."""

    def __init__(self, unique_keys: bool, budget: tuple[str, int] | None = None) -> None:
        self.unique_keys = unique_keys
        # On a second walk: "values" or "characters", and how many may be repeated.
        self.budget = budget
        # (values, characters) of each list and mapping measured; None while it is measured.
        self.sizes: dict[int, tuple[int, int] | None] = {}
        self.repeated_values = 0
        self.repeated_characters = 0

    def size(self, node: Node, depth: int, where: Node) -> tuple[int, int]:
        """Values and characters in a node, expanded; `where` refers to it (a key, a list)."""
        if type(node) is ScalarNode:
            if node.tag is not STR_TAG and node.tag is not NULL_TAG:
                _check_scalar(node)
            return 1, len(node.value)
        known = self.sizes.get(id(node), _UNSEEN)
        if known is not _UNSEEN:
            if known is None:
                what = "mapping" if type(node) is MappingNode else "list"
                raise Unreadable(
                    f"invalid YAML: an alias refers to the {what} that contains it, "
                    "which would never end",
                    line(node),
                )
            self.repeat(known, where)
            return known
        if depth >= MAX_DEPTH:
            raise Unreadable(f"nested more than {MAX_DEPTH} levels deep", line(node), kind="size")
        self.sizes[id(node)] = None
        if isinstance(node, MappingNode):
            measured = self.mapping(node, depth + 1)
        else:
            assert isinstance(node, SequenceNode)
            measured = self.sequence(node, depth + 1)
        self.sizes[id(node)] = measured
        return measured

    def repeat(self, size: tuple[int, int], where: Node) -> None:
        """Count a node met again, through an alias or a merge key."""
        self.repeated_values += size[0]
        self.repeated_characters += size[1]
        if self.budget is not None:
            what, allowed = self.budget
            repeated = self.repeated_values if what == "values" else self.repeated_characters
            if repeated > allowed:
                raise _too_much_repeated(what, allowed, line(where))

    def sequence(self, node: SequenceNode, depth: int) -> tuple[int, int]:
        if node.tag not in _SEQUENCE_TAGS:
            _check_collection_tag(node, "sequence")
        values, characters = 1, 0
        for item in node.value:
            size = self.size(item, depth, node)
            values += size[0]
            characters += size[1]
        return values, characters

    def mapping(self, node: MappingNode, depth: int) -> tuple[int, int]:
        if node.tag not in _MAPPING_TAGS:
            _check_collection_tag(node, "mapping")
        values, characters = 1, 0
        seen: set[str] | None = set() if self.unique_keys else None
        for key, value in node.value:
            if type(key) is not ScalarNode:
                raise Unreadable(
                    f"invalid YAML: a key must be a plain value, not a {kind(key)}", line(key)
                )
            text = key.value
            if key.tag is MERGE_TAG:
                _check_merge(value)
            else:
                if key.tag is not STR_TAG:
                    _check_scalar(key)
                if seen is not None:
                    if text in seen:
                        raise Unreadable(f"invalid YAML: duplicate key '{text}'", line(key))
                    seen.add(text)
            values += 1
            characters += len(text)
            size = self.size(value, depth, key)
            values += size[0]
            characters += size[1]
        return values, characters


_CONSTRUCTOR_FAILURES = (
    yaml.YAMLError, ArithmeticError, AttributeError, LookupError, TypeError, ValueError
)  # fmt: skip


def _check_scalar(node: ScalarNode) -> None:
    """Refuse a tag no safe loader knows, and an explicit tag that does not fit its text."""
    tag = node.tag
    if tag not in _SCALAR_CHECKS:
        if tag in _SEQUENCE_TAGS:
            _refuse(node, "expected a sequence, but found scalar")
        if tag in _MAPPING_TAGS:
            _refuse(node, "expected a mapping, but found scalar")
        _refuse(node, _unknown_tag(tag))
    check = _SCALAR_CHECKS[tag]
    if check is not None:
        try:
            check(_CONSTRUCTOR, node)
        except _CONSTRUCTOR_FAILURES:
            # PyYAML's constructors trust the text of an explicit tag: `!!int abc` and
            # `!!timestamp 2020-13-45` fail inside Python, with no place in the file.
            short = node.value if len(node.value) <= 40 else node.value[:39] + "…"
            _refuse(node, f"cannot read {short!r} as !!{tag.rsplit(':', 1)[-1]}")


def _unknown_tag(tag: str) -> str:
    """PyYAML's words for a tag no safe loader knows; a local one (`!important`) is most likely
    text that begins with '!', so say how to write that."""
    reason = f"could not determine a constructor for the tag {tag!r}"
    if tag.startswith("!") and not tag.startswith("!!"):
        reason += " (hint: a value starting with '!' must be quoted)"
    return reason


def _check_collection_tag(node: SequenceNode | MappingNode, found: str) -> None:
    tag = node.tag
    if tag in _SEQUENCE_TAGS:
        _refuse(node, f"expected a sequence, but found {found}")
    if tag in _MAPPING_TAGS:
        _refuse(node, f"expected a mapping, but found {found}")
    if tag in _SCALAR_CHECKS:
        _refuse(node, f"expected a scalar, but found {found}")
    _refuse(node, _unknown_tag(tag))


def _check_merge(value: Node) -> None:
    merged = value.value if type(value) is SequenceNode else [value]
    for each in merged:
        if type(each) is not MappingNode:
            _refuse(each, f"a merge key (<<) takes mappings, not a {kind(each)}")


def _refuse(node: Node, problem: str) -> None:
    raise Unreadable(f"invalid YAML: {problem}", line(node))


# --- Reading values from measured nodes.


def line(node: Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def kind(node: Node) -> str:
    """What a node holds, as messages name it: "str", "null", "list", "mapping", "set", ..."""
    if type(node) is ScalarNode:
        if node.tag == NULL_TAG:
            return "null"
        return "bytes" if node.tag == _PREFIX + "binary" else "str"
    if type(node) is SequenceNode:
        return "list"
    return "set" if node.tag == _PREFIX + "set" else "mapping"


def is_null(node: Node) -> bool:
    """Whether a node says "no value" (empty, `~` or `null`)."""
    return type(node) is ScalarNode and node.tag == NULL_TAG


def text(node: Node) -> str | None:
    """The text written for a scalar, or None when the node is not text (a list, null...)."""
    if type(node) is ScalarNode and (node.tag is STR_TAG or node.tag in TEXT_TAGS):
        return node.value  # type: ignore[no-any-return]
    return None


def typed(node: Node) -> Any:
    """A scalar's value as YAML 1.1 types it (50 -> 50, 'true' -> True), for typed settings.

    A quoted scalar stays text, as in any YAML loader, and so does `!!str 50`: an implicit
    tag is the very string `resolve` returned, an explicit one an equal copy. Lists and
    mappings give None.
    """
    if type(node) is not ScalarNode:
        return None
    tag = node.tag
    if tag is STR_TAG and not node.style:  # plain: None, or "" from libyaml
        resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
        for implicit, pattern in resolvers.get(node.value[:1], ()):
            if pattern.match(node.value):
                tag = implicit
                break
    if tag == NULL_TAG:
        return None
    check = _SCALAR_CHECKS.get(tag)
    try:
        return check(_CONSTRUCTOR, node) if check is not None else node.value
    except _CONSTRUCTOR_FAILURES:  # plain text that only looks typed, such as 2020-13-45
        return node.value


def entries(node: MappingNode) -> list[tuple[ScalarNode, Node]]:
    """A mapping's (key, value) nodes with merge keys (`<<`) applied, in the order written.

    Keys written in the mapping win over merged ones, and of merged mappings the first one
    given wins, as the YAML merge key specifies. A merged key comes where the `<<` was.
    """
    pairs: list[tuple[ScalarNode, Node]] = node.value
    if not any(key.tag is MERGE_TAG for key, _ in pairs):
        return pairs
    own = {key.value for key, _ in pairs if key.tag is not MERGE_TAG}
    merged: list[tuple[ScalarNode, Node]] = []
    taken: set[str] = set()
    for key, value in pairs:
        if key.tag is not MERGE_TAG:
            merged.append((key, value))
            continue
        mappings: list[Any] = value.value if type(value) is SequenceNode else [value]
        for mapping in mappings:
            for merged_key, merged_value in entries(mapping):
                if merged_key.value not in own and merged_key.value not in taken:
                    taken.add(merged_key.value)
                    merged.append((merged_key, merged_value))
    return merged
