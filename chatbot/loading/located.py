"""Read a user's file within limits and say where it is wrong: one reader for every file.

Reading is the same for every file the bot takes (intent files, cases files, the unanswered
log): a regular file only (a folder, a device such as /dev/zero, a FIFO or a socket is refused
before anything is read); the bytes, at most a size limit; a byte-order mark dropped; UTF-8
decoded, or the line of the first bad byte named. YAML errors are put in plain words with their
line and a hint for the usual slips (a tab, an indent, an unquoted colon, a quote left open, a
raw control character, UTF-16). `yaml_nodes` composes YAML text within limits, and what each
kind of file holds is checked by its own reader (`schema` for intents, `curation.cases`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

# Refused before reading further: far above any FAQ (CLINC150's 15,000 questions take 1 MB).
MAX_FILE_BYTES = 64_000_000
# How close (rapidfuzz's default scorer, 0 to 100) a name must be to be offered as "did you
# mean": one cutoff for keys, intent ids, entity values and commands alike.
DID_YOU_MEAN_CUTOFF = 70.0


class Unreadable(Exception):
    """A file that cannot be read as text: why, and on which line when one is to blame.

    Each caller turns it into its own located error (an intent file's, a cases file's).

    Attributes:
        reason: what is wrong, in plain words.
        line: the 1-based line at fault, or None.
        kind: "path" (cannot be read), "size" (too large), or "syntax" (not UTF-8, not YAML).
        path: the path at fault when it is not the one being read (a file in a folder).
    """

    def __init__(
        self, reason: str, line: int | None = None, *, kind: str = "syntax", path: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.kind = kind
        self.path = path


def _open_without_blocking(path: str, flags: int) -> int:
    # Opening a FIFO for reading waits for a writer; this way it opens, and is then refused.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def read_bytes(path: str, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (default MAX_FILE_BYTES).

    A folder, a device (`/dev/zero`), a FIFO or a socket is refused before anything is read.

    Raises:
        Unreadable: the file is missing, not a regular file, unreadable, or too large.
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        with open(path, "rb", opener=_open_without_blocking) as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise Unreadable("not a regular file (a device, a pipe or a socket)", kind="path")
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise Unreadable("no such file", kind="path") from None
    except IsADirectoryError:
        raise Unreadable("is a folder, not a file", kind="path") from None
    except OSError as error:
        raise Unreadable(f"cannot read file: {error.strerror}", kind="path") from None
    if len(data) > limit:
        raise Unreadable(
            f"file is larger than {limit // 1_000_000} MB; split it into several files",
            kind="size",
        )
    return data


def read_text(path: str, max_bytes: int | None = None) -> str:
    """The text of a regular file: at most `max_bytes`, a byte-order mark dropped, UTF-8.

    Raises:
        Unreadable: the file cannot be read (see `read_bytes`), or is not UTF-8.
    """
    # A byte-order mark is dropped here rather than by the utf-8-sig codec: that codec is one
    # more module to import at every start.
    data = read_bytes(path, max_bytes).removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Unreadable(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)", line
        ) from None


def yaml_problem(error: yaml.YAMLError, text: str) -> Unreadable:
    """A YAML error in plain words: PyYAML's message, its line, and a hint for the usual slips."""
    import yaml  # not at the top: a start that finds its knowledge base cached reads no YAML

    if isinstance(error, yaml.reader.ReaderError):
        return _character_problem(error, text)
    if not isinstance(error, yaml.MarkedYAMLError):
        return Unreadable(f"invalid YAML: {error}")
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    reason = ": ".join(part for part in (error.context, error.problem) if part)
    hint = _hint(error, text, mark.line if mark else None, mark.column if mark else 0)
    return Unreadable(f"invalid YAML: {reason}" + (f" (hint: {hint})" if hint else ""), line)


def _character_problem(error: yaml.reader.ReaderError, text: str) -> Unreadable:
    """A character YAML does not allow (NUL, DEL, C1 controls...), with its line and column."""
    position = error.position
    if text[position : position + 1] != chr(error.character):
        # libyaml counts in bytes of UTF-8, the pure-Python reader in characters.
        position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = (
        f"invalid YAML: control character U+{error.character:04X} at column {column}; "
        "YAML text may not hold it raw"
    )
    head = text[:64]
    if head.count("\x00") * 3 >= len(head):
        hint = "the file looks like UTF-16; save it as UTF-8"
    else:
        code = error.character
        escape = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        hint = f'remove it, or write it as "{escape}" inside double quotes'
    return Unreadable(f"{reason} (hint: {hint})", line)


_COLON_HINT = "a value containing ': ' must be quoted, as in answer: \"Note: this\""
_INDENT_HINT = "check the indentation: keys of one mapping line up, list items start with '- '"


def _hint(error: yaml.MarkedYAMLError, text: str, line: int | None, column: int) -> str | None:
    """Plain words for the usual slips, from where PyYAML stopped and what stands there.

    The C parser and the pure-Python one word some problems differently, so the hints go by
    the marks and the characters at them where they can.
    """
    problem = error.problem or ""
    context = error.context or ""
    lines = text.splitlines()
    row = line if line is not None and line < len(lines) else None
    here = lines[row] if row is not None else ""
    at = here[column : column + 1]
    opened = error.context_mark
    if (
        "\t" in problem
        or "tab character" in problem
        or "\t" in here[: len(here) - len(here.lstrip())]
    ):
        return "indent with spaces, not tabs"
    if "quoted scalar" in context and opened is not None:
        return f"the quote opened on line {opened.line + 1} is never closed"
    if problem.startswith("mapping values are not allowed"):
        # A second ": " on the line is a colon inside a value; the first one, a key indented
        # where no key may stand.
        if ": " in here[:column]:
            return _COLON_HINT
        return "this key is indented more than the keys beside it"
    if "flow mapping" in context or "flow sequence" in context:
        # In {question: what is: this}, the colon found where a ',' or '}' was expected.
        item = here[:column]
        item = item[max(item.rfind(","), item.rfind("{"), item.rfind("[")) + 1 :]
        return _COLON_HINT if at == ":" and ": " in item else None
    if "alias" in context or "alias" in problem:
        return "a value starting with '*' must be quoted: *name stands for a value marked &name"
    if "cannot start any token" in problem and at in ("@", "`", "%"):
        return f"a value starting with '{at}' must be quoted"
    if (
        "did not find expected key" in problem
        or "expected <block end>" in problem
        or "did not find expected '-' indicator" in problem
    ):
        before = here[:column].rstrip()
        if row is not None and before.endswith(('"', "'")):
            return _after_quote(lines, row, len(before) - 1)
        if before.endswith(("]", "}")):
            return "a value starting with '[' or '{' is a list or a mapping: quote it if it is text"
        return _INDENT_HINT
    if "could not find expected ':'" in problem:
        return "a key needs a colon and a space after it, as in answer: text"
    return None


def _after_quote(lines: list[str], row: int, closing: int) -> str:
    """The hint for text after a quote: the quote that ends the value is at `closing`."""
    quote = lines[row][closing]
    start, end = row, closing
    while start >= 0 and lines[start].rfind(quote, 0, end) < 0:
        start -= 1
        end = len(lines[start]) if start >= 0 else 0
    if 0 <= start < row:
        return (
            f"the quote opened on line {start + 1} is only closed on line {row + 1}; "
            "close it where its value ends"
        )
    return "text follows a closing quote: quote the whole value, and inside '...' write ' as ''"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the choice closest to a mistyped name, or "" if none is close."""
    from rapidfuzz import process  # only a mistake needs it

    best = process.extractOne(str(name), list(choices), score_cutoff=DID_YOU_MEAN_CUTOFF)
    return f" (did you mean '{best[0]}'?)" if best else ""
