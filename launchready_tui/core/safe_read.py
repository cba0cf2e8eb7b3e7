"""Read a file the user named, refusing at once what is not a plain file or is too big.

`--profile /dev/zero`, a FIFO or a socket would otherwise hang or fill memory; a
200 MB "profile" is not one. The file is opened without blocking (a FIFO with no
writer would block in open) and checked with fstat before a byte is read, and the read
itself is capped, so a file that grows while we read stays bounded too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DEFAULT_MAX_BYTES = 4 * 1024 * 1024


class NotAFileError(OSError):
    """A device, FIFO, socket or folder where a file was expected. `reason` is plain words."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path, self.reason = path, reason
        self.strerror = reason


class TooBigError(OSError):
    def __init__(self, path: str, limit: int) -> None:
        reason = f"is larger than {_size(limit)}, too big for this kind of file"
        super().__init__(reason)
        self.path, self.limit, self.reason = path, limit, reason
        self.strerror = reason


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: str | os.PathLike) -> None:
    """Raise NotAFileError unless path (after symlinks) is a regular file. FileNotFoundError
    passes through."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotAFileError(str(path), f"is {_kind(st.st_mode)}, not a regular file")


def read_regular(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most max_bytes. Raises FileNotFoundError,
    NotAFileError, TooBigError or another OSError."""
    p = str(Path(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except IsADirectoryError:
        raise NotAFileError(p, "is a folder, not a regular file") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(p, f"is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise TooBigError(p, max_bytes)
        chunks, size = [], 0
        while size <= max_bytes:
            b = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not b:
                break
            chunks.append(b)
            size += len(b)
        if size > max_bytes:
            raise TooBigError(p, max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)
