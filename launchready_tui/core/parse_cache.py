"""A parse cache for start-up: runbooks and the profile, keyed by content.

Parsing the bundled runbooks (Markdown with YAML blocks read with line numbers) costs
more than the rest of `launchready check`'s start-up, and the app needs them before its
first frame. A parsed
file is pickled under the user's cache folder (`$XDG_CACHE_HOME/launchready/parsed/`),
keyed by the SHA-256 of the file's bytes plus a fingerprint of the parser's own source
files, so an edited runbook or a new LaunchReady version is parsed afresh. Only files that
parsed cleanly are cached: a broken file is parsed (and reported) every time.

The cache is an optimisation only: any problem reading or writing it falls back to
parsing. No Textual import here.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from launchready_tui.core.errors import RunbookError

if TYPE_CHECKING:
    from launchready_tui.core.profile import Profile

T = TypeVar("T")
_PARSER_MODULES = ("runbook", "registry", "profile", "yamlpos", "errors", "results")
_fingerprint: str | None = None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "launchready" / "parsed"


def parser_fingerprint() -> str:
    """Changes whenever the parsing code changes (size and mtime of its sources)."""
    global _fingerprint
    if _fingerprint is None:
        from launchready_tui import __version__

        core = Path(__file__).resolve().parent
        h = hashlib.sha256(__version__.encode())
        for name in _PARSER_MODULES:
            try:
                st = (core / f"{name}.py").stat()
                h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
            except OSError:
                h.update(name.encode())
        try:  # the kinds bring their own profile keys and names: a changed kind re-parses
            from launchready_tui.core.registry import index_fingerprint

            h.update(index_fingerprint().encode())
        except OSError:
            pass
        _fingerprint = h.hexdigest()[:16]
    return _fingerprint


def cached_parse(kind: str, path: Path, data: bytes, parse: Callable[[], T]) -> T:
    """parse() the file, or return the pickled result for exactly these bytes."""
    key = hashlib.sha256(data + b"\0" + str(path).encode() + b"\0" + parser_fingerprint().encode())
    f = cache_dir() / f"{kind}-{key.hexdigest()[:32]}.pickle"
    try:
        with open(f, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    value = parse()
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, f)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
    return value


def load_runbooks(paths: list[Path] | None = None) -> tuple[list[Any], list[RunbookError]]:
    """`core.runbook.load_runbooks`, with each cleanly parsed file cached."""
    from launchready_tui.core.runbook import load_runbooks as _load

    return _load(paths, cache=True)


def load_profile(path: Path) -> Profile:
    """`core.profile.load_profile`, cached when the file parses cleanly."""
    from launchready_tui.core.profile import MAX_PROFILE_BYTES, parse_profile
    from launchready_tui.core.profile import load_profile as _load
    from launchready_tui.core.safe_read import read_regular

    try:
        data = read_regular(path, MAX_PROFILE_BYTES)  # never /dev/zero or a FIFO
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return _load(path)  # the real loader words the error
    return cached_parse("profile", Path(path), data, lambda: parse_profile(text, str(path)))
