"""The demo's folders: which ones it may write to, and keeping a temporary one.

`launchready demo --dir DIR` writes a profile, env files with planted keys, code and
state into DIR. Pointed at a real project by mistake, that would overwrite the real
`launchready.yaml` and `.env.production` and mix demo results into the saved progress.
So the demo only writes to a folder that is empty (or new), or that it made itself: it
leaves a marker file there, and refuses any other folder with a message that names an
empty one instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MARKER = ".launchready-demo"
MARKER_TEXT = (
    "This folder was made by `launchready demo`. Everything in it is made up (a test lab\n"
    "on 127.0.0.1). Run `launchready demo --dir THIS-FOLDER` to carry on where you left off;\n"
    "delete the folder when you no longer need it.\n"
)


def is_demo_folder(directory: Path) -> bool:
    return (Path(directory) / MARKER).is_file()


def suggest_folder(base: Path | None = None) -> Path:
    """A folder the demo may use: `~/launchready-demo`, or the first free
    `~/launchready-demo-N` when that one holds something else."""
    home = Path(base) if base is not None else Path.home()
    for n in range(1, 100):
        p = home / ("launchready-demo" if n == 1 else f"launchready-demo-{n}")
        if not p.exists() or (p.is_dir() and not any(p.iterdir())):
            return p
    return home / "launchready-demo-new"  # pragma: no cover - 99 folders taken


def check_folder(directory: Path) -> str | None:
    """None when the demo may write to `directory`; otherwise why not, in plain words,
    with the command to use instead."""
    d = Path(directory)
    if not d.exists() or is_demo_folder(d):
        return None
    if not d.is_dir():
        return f"{d} is a file, not a folder."
    entries = sorted(p.name for p in d.iterdir())
    if not entries:
        return None
    shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
    reason = (f"{d} already holds files the demo did not write ({shown}). The demo never "
              "writes over your files")
    if (d / ".launchready").exists() or (d / "launchready.yaml").exists():
        reason += " or mixes its made-up results into your saved progress"
    return (f"{reason}, so it did not start. Give it an empty or new folder instead, "
            f"for example:\n  launchready demo --dir {suggest_folder()}")


def claim(directory: Path) -> Path:
    """Create the folder (if needed) and mark it as the demo's."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    marker = d / MARKER
    if not marker.exists():
        marker.write_text(MARKER_TEXT, encoding="utf-8")
    return d


def keep_copy(source: Path, target: Path | None = None) -> Path:
    """Copy a temporary demo folder (profile, state, notes) to a folder that is new or
    empty, marked as the demo's, and return it. `launchready demo --dir` on it resumes."""
    dest = Path(target) if target is not None else suggest_folder()
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    shutil.copytree(source, dest, dirs_exist_ok=True)
    claim(dest)
    return dest
