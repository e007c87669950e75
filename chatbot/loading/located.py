"""Read a YAML file within limits and say where it is wrong: one reader for intents and cases.

Reading is the same for every file the bot takes: the bytes, at most a size limit; a byte-order
mark dropped; UTF-8 decoded, or the line of the first bad byte named; YAML parsed with line
numbers, its errors put in plain words with a hint for the usual slips (a tab, an indent, an
unquoted colon, a quote left open). What each kind of file then holds is checked by its own
reader (`chatbot.loading.schema`-like code in `loader.py`, and `chatbot.curation.cases`).
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

# Refused before reading further: far above any FAQ (CLINC150's 15,000 questions take 1 MB).
MAX_FILE_BYTES = 64_000_000
# How close (rapidfuzz's default scorer, 0 to 100) a name must be to be offered as "did you
# mean": one cutoff for keys, intent ids, entity values and commands alike.
DID_YOU_MEAN_CUTOFF = 70.0


class Unreadable(Exception):
    """A file that cannot be read as text: why, and on which line when one is to blame.

    Each caller turns it into its own located error (an intent file's, a cases file's).
    """

    def __init__(self, reason: str, line: int | None = None, *, kind: str = "syntax") -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        # "path" (cannot be read), "size" (too large), or "syntax" (not UTF-8, not YAML).
        self.kind = kind


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's text: at most `max_bytes`, a byte-order mark dropped, decoded as UTF-8.

    Raises:
        Unreadable: the file cannot be read, is too large, or is not UTF-8.
    """
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise Unreadable("no such file", kind="path") from None
    except OSError as error:
        raise Unreadable(f"cannot read file: {error.strerror}", kind="path") from None
    if len(data) > max_bytes:
        raise Unreadable(
            f"file is larger than {max_bytes // 1_000_000} MB; split it into several files",
            kind="size",
        )
    # A byte-order mark is dropped here rather than by the utf-8-sig codec: that codec is one
    # more module to import at every start.
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Unreadable(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)", line
        ) from None


def yaml_problem(error: yaml.YAMLError, text: str) -> Unreadable:
    """A YAML error in plain words: PyYAML's message, its line, and a hint for the usual slips."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return Unreadable(f"invalid YAML: {error}")
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    reason = ": ".join(part for part in (error.context, error.problem) if part)
    hint = _hint(error, text, mark.line if mark else None, mark.column if mark else 0)
    return Unreadable(f"invalid YAML: {reason}" + (f" (hint: {hint})" if hint else ""), line)


def _hint(error: yaml.MarkedYAMLError, text: str, line: int | None, column: int) -> str | None:
    problem = error.problem or ""
    lines = text.splitlines()
    here = lines[line] if line is not None and line < len(lines) else ""
    if (
        "\t" in problem
        or "tab character" in problem
        or "\t" in here[: len(here) - len(here.lstrip())]
    ):
        return "indent with spaces, not tabs"
    # The C parser and the pure-Python one word some problems differently.
    if problem.startswith("mapping values are not allowed"):
        # A second ": " on the line is a colon inside a value; the first one, a key indented
        # where no key may stand.
        if ": " in here[:column]:
            return "a value containing ': ' must be quoted, as in answer: \"Note: this\""
        return "this key is indented more than the keys beside it"
    if "found unexpected end of stream" in problem or "while scanning a quoted scalar" in (
        error.context or ""
    ):
        return "a quote is opened and never closed"
    if (
        "did not find expected key" in problem
        or "expected <block end>" in problem
        or "did not find expected '-' indicator" in problem
    ):
        return "check the indentation: keys of one mapping line up, list items start with '- '"
    if "could not find expected ':'" in problem:
        return "a key needs a colon and a space after it, as in answer: text"
    return None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the choice closest to a mistyped name, or "" if none is close."""
    from rapidfuzz import process  # only a mistake needs it

    best = process.extractOne(str(name), list(choices), score_cutoff=DID_YOU_MEAN_CUTOFF)
    return f" (did you mean '{best[0]}'?)" if best else ""
