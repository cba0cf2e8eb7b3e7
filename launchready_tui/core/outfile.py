"""Write a report or a document to the path a person gave with `--output`.

`--output` may name anything, and the process may run as root: replacing `/dev/stdout`
or a symlink's target with a renamed temp file would be a disaster. So:

* a regular file (or a new name) is written atomically (temp file, fsync, rename);
* a device or a FIFO (`/dev/stdout`, `/dev/null`, a named pipe) is streamed into as it
  is, never replaced;
* a symbolic link to a device or FIFO (`/dev/stdout`) is streamed into like its target;
  any other symbolic link is refused: replacing it would silently write somewhere else
  (or destroy the link); a folder or a socket is refused too.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path

from launchready_tui.core.errors import UsageError


class OutputError(UsageError):
    """The --output path cannot be written safely (exit 2, one clear line)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "--output")


def write_output(path: str | os.PathLike, data: bytes) -> Path:
    """Raises OutputError for what is refused on purpose, OSError when the write fails."""
    from launchready_tui.core.state import atomic_write

    p = Path(path)
    fd = _std_fd(p)
    if fd is not None:  # /dev/stdout, /dev/fd/N: write to the open descriptor (its offset, its append mode)
        _write_fd(fd, data, p)
        return p
    try:
        st = os.lstat(p)
    except OSError:  # absent, or a parent that is not a folder: the write says why
        st = None
    if st is not None:
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            try:
                target = os.stat(p).st_mode
            except OSError:
                target = 0
            if stat.S_ISCHR(target) or stat.S_ISBLK(target) or stat.S_ISFIFO(target):
                _stream(p, data)  # /dev/stdout -> /proc/self/fd/1: written into, never replaced
                return p
            raise OutputError(
                f"{p} is a symbolic link; LaunchReady does not replace links or write through "
                "them. Give the real file's path, or a new file name")
        if stat.S_ISDIR(mode):
            raise OutputError(f"{p} is a folder; give a file name inside it")
        if stat.S_ISSOCK(mode):
            raise OutputError(f"{p} is a socket, not a file")
        if not stat.S_ISREG(mode):  # a device or a FIFO: stream into it, never replace it
            _stream(p, data)
            return p
    atomic_write(p, data)  # an OSError here is the caller's to word
    return p


def _std_fd(p: Path) -> int | None:
    text = os.path.abspath(str(p))
    if text in ("/dev/stdout", "/dev/stderr"):
        return 1 if text.endswith("out") else 2
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        if text.startswith(prefix) and text[len(prefix):].isascii() and text[len(prefix):].isdigit():
            return int(text[len(prefix):])
    return None


def _write_fd(fd: int, data: bytes, p: Path) -> None:
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError as e:
        raise OutputError(f"could not write {p}: {e.strerror}") from None


def _stream(p: Path, data: bytes) -> None:
    try:
        fd = os.open(p, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise OutputError(f"{p} is a pipe that nobody is reading") from None
        raise OutputError(f"could not write {p}: {e.strerror}") from None
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError as e:
        raise OutputError(f"could not write {p}: {e.strerror}") from None
    finally:
        os.close(fd)
