"""Load intent files into one KnowledgeBase: every file read and checked, then merged in order.

The jobs are split: `paths` finds the files, `yaml_nodes` reads each within limits, `schema`
checks what it holds and builds the intents; this module runs them over all the files given,
collecting every error, and keeps the public entry points (`load_intents`, `read_intents`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chatbot.errors import (
    IntentFileError,
    IntentFileTooLargeError,
    IntentPathError,
    IntentSchemaError,
    IntentSyntaxError,
)
from chatbot.loading.located import Unreadable
from chatbot.loading.paths import PathLike, clean, expand, flatten, intent_files

if TYPE_CHECKING:
    from yaml.nodes import Node

    from chatbot.intents import KnowledgeBase

__all__ = ["LoadResult", "intent_files", "load_intents", "read_intents"]


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
        >>> from chatbot import load_intents
        >>> knowledge = load_intents("intents/")
        >>> knowledge.get("llm_definition").answer[:46]
        'A large language model (LLM) is an AI model tr'
    """
    result = read_intents(*paths)
    if result.errors:
        first = result.errors[0]
        first.all_errors = tuple(result.errors)
        raise first
    assert result.knowledge is not None
    return result.knowledge


def read_intents(*paths: PathLike | Iterable[PathLike]) -> LoadResult:
    """Like load_intents, but return every error found instead of raising the first."""
    # Imported here: a start that finds the knowledge base in its cache needs neither.
    from chatbot.loading.schema import KnowledgeBuilder

    errors: list[IntentFileError] = []
    files: list[str] = []
    for path in flatten(paths):
        try:
            files.extend(expand(clean(os.fspath(path))))
        except Unreadable as problem:
            errors.append(IntentPathError(problem.reason, path=problem.path or os.fspath(path)))
    if not files and not errors:
        errors.append(IntentPathError("no intent files given", path="."))
    # Loading makes millions of objects and frees almost none: the cyclic collector would walk
    # them again and again for nothing (none are garbage until the load is over).
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder = KnowledgeBuilder(errors)
        for file in files:
            root = _parse(file, errors)
            if root is not None:
                builder.add_document(file, root)
        if errors:
            return LoadResult(None, errors)
        return LoadResult(builder.build(tuple(files)), errors)
    finally:
        if collecting:
            gc.enable()


def _parse(file: str, errors: list[IntentFileError]) -> Node | None:
    from chatbot.loading.yaml_nodes import read_yaml

    try:
        root = read_yaml(file, unique_keys=True)
    except Unreadable as problem:
        kinds = {"path": IntentPathError, "size": IntentFileTooLargeError}
        error_type = kinds.get(problem.kind, IntentSyntaxError)
        errors.append(error_type(problem.reason, path=file, line=problem.line))
        return None
    if root is None:
        errors.append(
            IntentSchemaError(
                "the file is empty; expected a mapping with an 'intents' list", path=file
            )
        )
    return root
