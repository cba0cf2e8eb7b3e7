"""Progress, confirmations, records, notes, last results and history: crash-safe.

Everything lives in `.launchready/` beside the profile, as readable JSON a team can
commit:

* `state.json`    - the current state (written atomically: temp file, fsync, rename);
* `history.jsonl` - an append-only log of runs (one JSON object per line).

Every change is a locked read-modify-write (`update(fn)`): the file is re-read under an
exclusive lock, so a second running instance never loses the first one's writes, and a
kill at any moment leaves the last good file in place. Secret values never go in here:
credential fields hold references, not values.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from launchready_tui.core.errors import LaunchReadyError, Problem

T = TypeVar("T")
STATE_VERSION = 1


class StateError(LaunchReadyError):
    """The state file is damaged (for example edited by hand into invalid JSON)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def empty_state() -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "position": {},
        "confirmations": {},
        "records": {},
        "notes": {},
        "steps_done": {},
        "results": {},
        "credentials": {},
        "incidents": {},
        "problems": {},
    }


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder, fsync it, rename over, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.path = self.dir / "state.json"
        self.history_path = self.dir / "history.jsonl"
        self._lock_path = self.dir / ".lock"
        self._swept = False
        self.history_skipped: list[int] = []  # lines of history.jsonl that were torn (last read)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as lf:
            fcntl.flock(lf.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lf.fileno(), fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return empty_state()
        except UnicodeDecodeError:
            raise StateError(Problem(str(self.path), None, None, "is not UTF-8 text")) from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise StateError(
                Problem(
                    str(self.path),
                    e.lineno,
                    None,
                    f"is not valid JSON ({e.msg}). Fix that line, or move the file away to "
                    "start fresh (your runbooks are not affected)",
                )
            ) from None
        if not isinstance(data, dict):
            raise StateError(Problem(str(self.path), 1, None, "must hold a JSON object"))
        base = empty_state()
        for k, v in data.items():
            base[k] = v
        return base

    def load(self) -> dict[str, Any]:
        """A snapshot of the state (a copy; changing it changes nothing on disk)."""
        return self._read()

    def _sweep_temp_files(self) -> None:
        """Remove `.state.json.*.tmp` left behind by a kill mid-write. Called under the
        lock, which every writer of state.json holds: no such file is in use then."""
        self._swept = True
        for tmp in self.dir.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.is_file() and not tmp.is_symlink():
                    tmp.unlink()

    def update(self, fn: Callable[[dict[str, Any]], T]) -> T:
        """Apply fn to the freshly read state under the lock, then write it atomically."""
        with self._locked():
            if not self._swept:
                self._sweep_temp_files()
            state = self._read()
            before = copy.deepcopy(state)
            out = fn(state)
            if state != before:
                blob = json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                atomic_write(self.path, blob.encode("utf-8"))
            return out

    # -- history ---------------------------------------------------------------------

    def append_history(self, entry: dict[str, Any]) -> None:
        """Append one JSON line. Every append starts on a fresh line: after a kill in the
        middle of an append the file ends without a newline, and the next entry must not
        be glued to that torn fragment (which would make it unreadable too)."""
        from launchready_tui.core.redact import Redactor

        line = json.dumps(Redactor().obj(entry), sort_keys=True, ensure_ascii=False) + "\n"
        with self._locked():
            with open(self.history_path, "ab") as f:
                if f.tell() > 0:
                    with open(self.history_path, "rb") as r:
                        r.seek(-1, os.SEEK_END)
                        if r.read(1) != b"\n":
                            line = "\n" + line
                f.write(line.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())

    def read_history(self) -> list[dict[str, Any]]:
        """Every readable entry. A torn line (a kill mid-append) is skipped and its line
        number kept in `history_skipped`; an entry glued to a torn fragment by an older
        version is still recovered."""
        self.history_skipped = []
        try:
            text = self.history_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return []
        out = []
        dec = json.JSONDecoder()
        for n, line in enumerate(text.split("\n"), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
                continue
            except json.JSONDecodeError:
                pass
            self.history_skipped.append(n)
            # a torn fragment followed by a whole entry on the same line: keep the entry
            # (it is a suffix: try object starts from the end, a bounded number of times)
            i = line.rfind('{"')
            for _ in range(200):
                if i <= 0:
                    break
                try:
                    obj, end = dec.raw_decode(line, i)
                    if end == len(line) and isinstance(obj, dict):
                        out.append(obj)
                        break
                except json.JSONDecodeError:
                    pass
                i = line.rfind('{"', 0, i)
        return out

    # -- convenience operations (all go through update) --------------------------------

    def set_position(self, runbook: str, step: str) -> None:
        def fn(s: dict[str, Any]) -> None:
            s["position"] = {"runbook": runbook, "step": step}

        self.update(fn)

    def put(self, section: str, key: str, entry: dict[str, Any] | None, field: str | None = None) -> None:
        """Set one entry (or with None, remove it): `put_entry` under the lock."""
        self.update(lambda s: put_entry(s, section, key, entry, field))

    def set_confirm(self, runbook: str, step: str, block: str, checked: bool, who: str) -> None:
        self.put("confirmations", f"{runbook}/{step}/{block}",
                 {"checked": True, "by": who, "at": _now()} if checked else None)

    def set_record(self, runbook: str, step: str, block: str, field: str, value: str, who: str) -> None:
        self.put("records", f"{runbook}/{step}/{block}",
                 {"value": value, "by": who, "at": _now()} if value != "" else None, field)

    def set_note(self, runbook: str, step: str, text: str) -> None:
        self.put("notes", f"{runbook}/{step}", {"text": text, "at": _now()} if text.strip() else None)

    def set_step_done(self, runbook: str, step: str, done: bool, who: str) -> None:
        self.put("steps_done", f"{runbook}/{step}", {"by": who, "at": _now()} if done else None)

    def save_results(self, results: list[dict[str, Any]]) -> None:
        """Keep the newest result per key; an older result never overwrites a newer one."""

        from launchready_tui.core.redact import Redactor

        red = Redactor()  # a second layer: URL passwords and secret-looking values never land here
        results = [red.result_dict(r) for r in results]

        def fn(s: dict[str, Any]) -> None:
            for r in results:
                key = result_key(r)
                old = s["results"].get(key)
                if old and old.get("started_at", "") > r.get("started_at", ""):
                    continue
                s["results"][key] = r

        self.update(fn)

    def set_problem_meta(self, problem_id: str, who: str, *, owner: str | None = None,
                         priority: str | None = None) -> None:
        """Record who owns a problem and its priority (None leaves a field as it is, ""
        clears it). Keyed by the problem's stable id (core/problems.py)."""

        def fn(s: dict[str, Any]) -> None:
            meta = s.setdefault("problems", {}).setdefault(problem_id, {})
            for name, value in (("owner", owner), ("priority", priority)):
                if value is None:
                    continue
                if value.strip():
                    meta[name] = value.strip()
                else:
                    meta.pop(name, None)
            if meta:
                meta["by"], meta["at"] = who, _now()
            if not {"owner", "priority"} & set(meta):
                s["problems"].pop(problem_id, None)

        self.update(fn)

    def find_record_value(self, field_id: str) -> str | None:
        s = self.load()
        for rec in s["records"].values():
            v = rec.get(field_id)
            if isinstance(v, dict) and v.get("value"):
                return str(v["value"])
        return None


def put_entry(s: dict[str, Any], section: str, key: str, entry: dict[str, Any] | None,
              field: str | None = None) -> None:
    """Set s[section][key] (or its `field`, for records) to entry, or remove it when entry
    is None. The one way ticks, records, notes and done steps change, on disk (StateStore.
    put) and in the app's memory (tui/session.py) alike."""
    box = s.setdefault(section, {})
    if field is not None:
        box = box.setdefault(key, {})
        key = field
    if entry is None:
        box.pop(key, None)
    else:
        box[key] = entry


def result_key(r: dict[str, Any]) -> str:
    from launchready_tui.core.recorder import ResultKey

    return str(ResultKey.of(r))


def who_am_i() -> str:
    """Who wrote it, for a document's author line: the name the person gave the app
    (core/identity.py), else git's user.name, else the login name. Ticks and records in
    the app are signed only with a name the person gave (tui/session.py)."""
    from launchready_tui.core.identity import saved_name, suggested_name

    return saved_name() or suggested_name() or "unknown"
