"""Opening the profile (launchready.yaml) in the person's own editor.

Steps ask for profile keys (`environments.production.url`, `canonical_host`,
`required_env`, `network.origins`, ...). Editing the file in the person's editor is the
safe way: every comment and the layout stay exactly as they were, which rewriting the
YAML from the app would not guarantee. The app suspends itself (the editor gets the
whole terminal), then reloads the profile.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path


def editor_command(path: Path) -> list[str] | None:
    """$VISUAL, else $EDITOR, else the first of nano, vi found; None when there is none."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return [*shlex.split(value), str(path)]
    for name in ("nano", "vim", "vi"):
        found = shutil.which(name)
        if found:
            return [found, str(path)]
    return None


def editor_name() -> str:
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return Path(shlex.split(value)[0]).name
    return next((n for n in ("nano", "vim", "vi") if shutil.which(n)), "your editor")


def edit_hint(path: Path) -> str:
    """One line for the screen: where the profile is and how to open it."""
    return (f"Your profile is {path}. Press o to open it in {editor_name()} (Esc first if you are "
            "typing in a field); your comments stay as they are.")
