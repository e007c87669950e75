"""Append whole lines to a file, so that a full disk never leaves half a line to glue onto."""

from __future__ import annotations

import errno
import os
import stat
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


def append_lines(path: PathLike, data: bytes) -> None:
    """Append `data` (whole lines, ending in a newline) to the file at `path`, in one write.

    If the file does not end in a newline (an earlier writer was cut short), a newline goes
    first, so the new lines stand alone. If the write fails or is cut short (the disk is full),
    the file is cut back to its last newline before the error is raised: what was there stays
    readable and no half line is left behind.

    Raises:
        OSError: the file cannot be opened or written (the file is as it was).
    """
    descriptor, readable = _open(path)
    try:
        regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
        size = os.fstat(descriptor).st_size if regular else 0
        if size and readable and os.pread(descriptor, 1, size - 1) != b"\n":
            data = b"\n" + data
        try:
            written = os.write(descriptor, data)
            if written < len(data):
                # The kernel wrote what fitted; the rest would fail with ENOSPC.
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError:
            if regular and readable:
                _cut_to_last_newline(descriptor, size)
            raise
    finally:
        os.close(descriptor)


def _open(path: PathLike) -> tuple[int, bool]:
    """The file opened to append, and whether it could be opened for reading too."""
    flags = os.O_APPEND | os.O_CREAT
    try:
        # Read access as well, to see whether the file ends in a newline.
        return os.open(path, flags | os.O_RDWR, 0o666), True
    except PermissionError:
        return os.open(path, flags | os.O_WRONLY, 0o666), False


def _cut_to_last_newline(descriptor: int, size: int) -> None:
    """Truncate what a failed write left after `size` back to its last newline, if any."""
    end = os.fstat(descriptor).st_size
    if end <= size:
        return
    try:
        tail = os.pread(descriptor, end - size, size)
        os.ftruncate(descriptor, size + tail.rfind(b"\n") + 1)
    except OSError:
        pass  # the file system refuses: the next write starts on a new line all the same
