"""Who signs ticks, records and "done" marks: the name the person gave, kept once.

A tick says "Ana checked this on 3 Dec". Taking that name silently from `git config`
signs the founder's ticks with whatever a laptop's git happens to say (a work account,
a co-founder's name). So the app asks once, suggests git's name only as a starting
point, and keeps the answer in the user's config folder
(`$XDG_CONFIG_HOME/launchready/name`, default `~/.config/launchready/name`).
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_LEN = 80


def name_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "launchready" / "name"


def saved_name() -> str | None:
    """The name given earlier, or None when nobody has said yet."""
    try:
        text = name_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text[:MAX_LEN] or None


def save_name(name: str) -> Path:
    name = " ".join(name.split())[:MAX_LEN]
    if not name:
        raise ValueError("a name is needed")
    from launchready_tui.core.state import atomic_write

    path = name_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (name + "\n").encode("utf-8"))
    return path


def suggested_name() -> str:
    """A first guess to offer (never used without asking): git's user.name, else the
    login name, else empty."""
    import getpass
    import subprocess

    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                             timeout=2).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except Exception:
        return ""
