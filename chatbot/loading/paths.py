"""Find the YAML files that paths name: files as given, folders as their `*.yaml` / `*.yml` files.

Every path is checked before anything is read: a missing file, a folder without YAML, a broken
symbolic link, a link loop or a device each give one reason, naming the path at fault.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from typing import Any, Union

from chatbot.errors import IntentPathError
from chatbot.loading.located import Unreadable

# Unquoted: a quoted name would be compiled as a forward reference at every start.
PathLike = Union[str, os.PathLike[str]]

YAML_SUFFIXES = (".yaml", ".yml")


def intent_files(*paths: PathLike | Iterable[PathLike]) -> list[str]:
    """The files `load_intents` would read for these paths, in order.

    Raises:
        IntentPathError: for the first path that cannot be used (as `load_intents` would).
    """
    files: list[str] = []
    for path in flatten(paths):
        try:
            files.extend(expand(clean(os.fspath(path))))
        except Unreadable as problem:
            raise IntentPathError(problem.reason, path=problem.path or os.fspath(path)) from None
    if not files:
        raise IntentPathError("no intent files given", path=".")
    return files


def flatten(paths: Iterable[Any]) -> Iterator[PathLike]:
    """The paths given, with lists of paths (at any depth) opened up."""
    for path in paths:
        if isinstance(path, (str, os.PathLike)):
            yield path
        else:
            yield from flatten(path)


def clean(path: str) -> str:
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


def kind(path: str) -> str:
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


def expand(path: str) -> list[str]:
    """A file as itself, a folder as its YAML files, sorted by name.

    Raises:
        Unreadable: the path, or a file in the folder, cannot be used (`.path` says which).
    """
    found = kind(path)
    if found == "file":
        return [path]
    if found != "folder":
        raise Unreadable(found, kind="path", path=path)
    return folder_files(path)


def folder_files(path: str) -> list[str]:
    """The YAML files of a folder, sorted by name; sub-folders named like YAML are left out.

    Raises:
        Unreadable: the folder cannot be listed, holds no YAML file, or one of them cannot be
            used (`.path` says which).
    """
    try:
        children = [
            clean(os.path.join(path, name))
            for name in sorted(os.listdir(path))
            if _suffix(name).lower() in YAML_SUFFIXES
        ]
    except OSError as error:
        raise Unreadable(f"cannot list folder: {error.strerror}", kind="path", path=path) from None
    if not children:
        raise Unreadable("no .yaml or .yml files in this folder", kind="path", path=path)
    files = []
    for child in children:
        found = kind(child)
        if found == "file":
            files.append(child)
        elif found != "folder":  # a sub-folder named like a file is not ours to read
            raise Unreadable(found, kind="path", path=child)
    return files
