"""Which host the repository deploys to, read from the host's own config file.

Vercel, Netlify, Render and Railway build and deploy by themselves when a branch is
pushed (their Git integration): such a repository needs no deploy job in CI. Fly.io and a
bare Dockerfile need one. Heroku can do either, so the stage-2 record decides.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

MAX_CONFIG_BYTES = 256 * 1024


@dataclass
class Hosting:
    host: str  # plain name: Vercel, Netlify, ...
    file: str
    line: int
    git_integration: bool | None  # True: deploys on push by itself; None: cannot tell from the file
    note: str = ""


# Files that could not be read or parsed during the last detect() on this thread, as
# (file, plain reason): deploy_config reports each as a finding naming the file.
_problems = threading.local()


def problems() -> list[tuple[str, str]]:
    return list(dict.fromkeys(getattr(_problems, "items", [])))


def _note(name: str, reason: str) -> None:
    if not hasattr(_problems, "items"):
        _problems.items = []
    _problems.items.append((name, reason))


def _text(path: Path) -> str | None:
    """The file's text, or None when it is absent or unreadable (then noted in problems():
    a FIFO, a device, a folder, a file over the cap). Opened without blocking, never followed
    into a FIFO or /dev/zero (core.safe_read)."""
    from launchready_tui.core.safe_read import read_regular

    try:
        data = read_regular(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return None
    except OSError as e:
        _note(path.name, getattr(e, "reason", "") or e.strerror or "cannot be read")
        return None
    if b"\x00" in data:
        _note(path.name, "is binary, not a text config file")
        return None
    return data.decode("utf-8", errors="replace")


def _parses(name: str, text: str) -> None:
    """Note the file when its format (JSON, TOML, YAML) does not parse."""
    try:
        if name.endswith(".json"):
            json.loads(text)
        elif name.endswith(".toml"):
            tomllib.loads(text)
        elif name.endswith((".yaml", ".yml")):
            from launchready_tui.core.yamlpos import load_with_lines

            load_with_lines(text)
    except RecursionError:
        _note(name, "is nested too deeply to read")
    except Exception as e:  # noqa: BLE001 - JSON, TOML or YAML syntax: the file is named, never raised
        kind = "JSON" if name.endswith(".json") else "TOML" if name.endswith(".toml") else "YAML"
        line = getattr(e, "lineno", None) or getattr(e, "line", None)
        _note(name, f"is not valid {kind}" + (f" (line {line})" if isinstance(line, int) else ""))


def _line_of(text: str, pattern: str) -> int:
    m = re.search(pattern, text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def detect(repo: Path) -> list[Hosting]:
    _problems.items = []
    for name in ("vercel.json", "netlify.toml", "render.yaml", "fly.toml", "railway.json", "railway.toml",
                 "app.json"):
        t = _text(repo / name)
        if t is not None:
            _parses(name, t)
    found: list[Hosting] = []
    t = _text(repo / "vercel.json")
    if t is not None:
        off = False
        try:
            data = json.loads(t)
            git = data.get("git") if isinstance(data, dict) else None
            off = isinstance(git, dict) and git.get("deploymentEnabled") is False
        except (ValueError, RecursionError):
            pass
        found.append(Hosting("Vercel", "vercel.json", _line_of(t, r"deploymentEnabled") if off else 1,
                             not off, "Git deploys are turned off in vercel.json (`git.deploymentEnabled: false`)"
                             if off else "Vercel builds and deploys each push to the production branch"))
    t = _text(repo / "netlify.toml")
    if t is not None:
        found.append(Hosting("Netlify", "netlify.toml", 1, True,
                             "Netlify builds and deploys each push to the production branch"))
    t = _text(repo / "render.yaml")
    if t is not None:
        manual = re.search(r"^\s*autoDeploy:\s*(false|no)\b", t, re.M)
        found.append(Hosting("Render", "render.yaml", _line_of(t, r"^\s*autoDeploy:") if manual else 1,
                             not manual, "auto-deploy is off in render.yaml, so each deploy is a click"
                             if manual else "Render deploys each push to the service's branch"))
    t = _text(repo / "fly.toml")
    if t is not None:
        app = ""
        try:
            app = str(tomllib.loads(t).get("app") or "")[:100]
        except (tomllib.TOMLDecodeError, RecursionError):
            pass
        found.append(Hosting("Fly.io", "fly.toml", 1, False,
                             f"Fly.io deploys only when something runs `fly deploy`{f' for app {app}' if app else ''}"))
    for name in ("railway.json", "railway.toml"):
        t = _text(repo / name)
        if t is not None:
            found.append(Hosting("Railway", name, 1, True, "Railway deploys each push to the connected branch"))
            break
    for name in ("Procfile", "app.json"):
        t = _text(repo / name)
        if t is not None:
            found.append(Hosting("Heroku", name, 1, None,
                                 "Heroku deploys by `git push heroku`, a pipeline or automatic deploys; "
                                 "the file does not say which"))
            break
    if not found and _text(repo / "Dockerfile") is not None:
        found.append(Hosting("a container host", "Dockerfile", 1, False,
                             "a Dockerfile runs anywhere, so the file does not say where it deploys"))
    return found


_GIT_WORDS = re.compile(r"\b(vercel|netlify|render|railway|automatic deploys?|auto[- ]deploy|git integration|"
                        r"deploys? (it|itself)|push to main)\b", re.I)


def record_says_git_integration(text: str | None) -> bool:
    """The stage-2 record ("push to main (Vercel deploys it)") names a Git integration."""
    return bool(text and _GIT_WORDS.search(text))
