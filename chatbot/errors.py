"""Exceptions raised by the library: one small class per failure, all under ChatbotError."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os
    from pathlib import Path


class ChatbotError(Exception):
    """Base class of every error the library raises on purpose; catch this to catch them all."""


def _with_count(message: str, errors: int) -> str:
    """The first error's message, saying how many more were found with it."""
    others = errors - 1
    if others:
        message += f" (and {others} more error{'s' if others > 1 else ''})"
    return message


class LocatedError(ChatbotError):
    """A file the bot or a tool was given cannot be used; the message names the file and line.

    Attributes:
        path: the file (or folder) at fault.
        line: 1-based line number, or None when the fault is not on one line.
        reason: the message without the location.
        all_errors: every error found in the same load, this one first.
    """

    def __init__(
        self, reason: str, *, path: str | os.PathLike[str], line: int | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        self.all_errors: tuple[LocatedError, ...] = (self,)
        super().__init__(self.location_message())

    def where(self) -> str:
        """ "file:line", or the file alone when no line is to blame."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def location_message(self) -> str:
        """The message as `file:line: reason` (the line left out when unknown)."""
        return f"{self.where()}: {self.reason}"

    def __str__(self) -> str:
        return _with_count(self.location_message(), len(self.all_errors))


class IntentFileError(LocatedError):
    """An intent file or folder cannot be used; the message names the file, line and intent.

    Attributes:
        path: the file (or folder) at fault.
        line: 1-based line number, or None when the fault is not on one line.
        intent: the id of the intent at fault, or None.
        reason: the message without the location.
        all_errors: every error found in the same load, this one first.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path,
        line: int | None = None,
        intent: str | None = None,
    ) -> None:
        self.intent = intent
        super().__init__(reason, path=path, line=line)

    def location_message(self) -> str:
        """The message as `file:line: intent 'id': reason`, parts left out when unknown."""
        who = f" intent '{self.intent}':" if self.intent else ""
        return f"{self.where()}:{who} {self.reason}"


class IntentPathError(IntentFileError):
    """A path given for intents does not exist, is not readable, or holds no YAML files."""


class IntentFileTooLargeError(IntentFileError):
    """A file is beyond the loader's size limits (bytes, or values once aliases are expanded)."""


class IntentSyntaxError(IntentFileError):
    """A file is not valid YAML (or not valid UTF-8)."""


class IntentSchemaError(IntentFileError):
    """A file is valid YAML but does not follow the intent format."""


class DuplicateIntentError(IntentFileError):
    """Two intents share one id, in one file or across files."""


class InputFileError(LocatedError):
    """A file given to a curator tool (cases, question log) cannot be used; names file and line.

    Attributes:
        path: the file at fault.
        line: 1-based line number, or None when the fault is not on one line.
        reason: the message without the location.
        all_errors: every error found in the same file, this one first.
    """


class CasesFileError(InputFileError):
    """A test-cases file for `chatbot eval` is missing, not YAML, or not in the cases format."""


class LogFileError(InputFileError):
    """A log of unanswered questions cannot be read."""


class UsageError(ChatbotError):
    """The command line itself is wrong (an unknown option, a value out of range)."""
