"""Append whole lines to a file, so that a full disk never leaves half a line to glue onto."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


def append_lines(path: PathLike, data: bytes) -> None:
    """Append `data` (whole lines, ending in a newline) to the file at `path`, in one write.

    If the file does not end in a newline (an earlier writer was cut short), a newline goes
    first, so that the new lines stand alone. If the disk fills up part way, the part that was
    written is cut off again before the error is raised: the file is left as it was. Writers in
    several processes (a server's workers) take turns through an advisory lock.

    Raises:
        OSError: the file cannot be opened or written.
    """
    descriptor, readable = _open(path)
    try:
        _lock(descriptor)
        info = os.fstat(descriptor)
        regular = stat.S_ISREG(info.st_mode)
        ends_open = readable and regular and info.st_size > 0
        if ends_open and os.pread(descriptor, 1, info.st_size - 1) != b"\n":
            data = b"\n" + data
        written = os.write(descriptor, data)
        if written < len(data):
            # The kernel wrote what fitted (the rest would fail with ENOSPC): take it back.
            if regular:
                _cut_back(descriptor, written)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    finally:
        os.close(descriptor)


def _lock(descriptor: int) -> None:
    """Wait for other writers' turns: without it, a file's size seen half way through another
    process's write ends in the middle of a line, and a newline goes in that is not needed."""
    if sys.platform == "win32":
        return
    import fcntl

    # A file system without locks (some network mounts) is written unlocked, as before.
    with contextlib.suppress(OSError):
        fcntl.flock(descriptor, fcntl.LOCK_EX)


def _open(path: PathLike) -> tuple[int, bool]:
    """The file opened to append, and whether it could be opened for reading too."""
    flags = os.O_APPEND | os.O_CREAT
    try:
        # Read access as well, to see whether the file ends in a newline.
        return os.open(path, flags | os.O_RDWR, 0o666), True
    except PermissionError:
        return os.open(path, flags | os.O_WRONLY, 0o666), False


def _cut_back(descriptor: int, written: int) -> None:
    """Truncate the `written` bytes that a write cut short left at the end of the file."""
    # In append mode the offset is where this write ended, whatever other writers did before.
    end = os.lseek(descriptor, 0, os.SEEK_CUR)
    try:
        if os.fstat(descriptor).st_size == end:  # nobody has appended since
            os.ftruncate(descriptor, end - written)
    except OSError:
        pass  # the file system refuses: the next write starts on a new line all the same
