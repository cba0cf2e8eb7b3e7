"""Accepted exceptions: `.launchready/allow.yaml`.

A person who has reviewed a finding (a secret fingerprint, a dependency advisory id) can
accept it for a while, with a reason and an expiry date. When the date passes the entry
stops hiding its finding, so exceptions are revisited instead of forgotten. The handover
document lists every entry as part of the risk log.

    allow:
      - fingerprint: "sk_l:1a2b3c4d"     # from a `secrets` finding
        reason: revoked test key kept in a fixture
        expires: 2026-01-31
      - id: GHSA-xxxx-xxxx-xxxx          # from the `deps` check
        reason: not reachable from our code
        expires: 2026-03-01

An entry carries a `fingerprint` or an `id` (or both). Entries with a missing reason or a
bad date are reported as problems and hide nothing. Loading never raises: problems are
returned so a check can show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready_tui.core.errors import Problem

ALLOW_FILENAME = "allow.yaml"
_KNOWN = {"fingerprint", "id", "reason", "expires", "rule", "added_by", "note", "path"}


@dataclass(frozen=True)
class AllowEntry:
    reason: str
    expires: dt.date
    fingerprint: str | None = None
    id: str | None = None
    line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def expires_text(self) -> str:
        return self.expires.isoformat()

    def expired(self, today: dt.date) -> bool:
        """An entry is valid through its expiry date and expired the day after."""
        return today > self.expires

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.fingerprint:
            d["fingerprint"] = self.fingerprint
        if self.id:
            d["id"] = self.id
        d.update(reason=self.reason, expires=self.expires_text, **self.extra)
        return d


@dataclass
class Allowlist:
    entries: list[AllowEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    path: str = ""

    def match(
        self, *, fingerprint: str | None = None, id: str | None = None, today: dt.date
    ) -> tuple[AllowEntry | None, bool]:
        """The entry for this finding and whether it has expired. A live entry wins over
        an expired one for the same finding."""
        found: AllowEntry | None = None
        for e in self.entries:
            hit = (fingerprint is not None and e.fingerprint == fingerprint) or (
                id is not None and e.id is not None and e.id.lower() == id.lower()
            )
            if not hit:
                continue
            if not e.expired(today):
                return e, False
            found = found or e
        return found, found is not None

    def allows(self, *, fingerprint: str | None = None, id: str | None = None, today: dt.date) -> bool:
        entry, expired = self.match(fingerprint=fingerprint, id=id, today=today)
        return entry is not None and not expired

    def active(self, today: dt.date) -> list[AllowEntry]:
        return [e for e in self.entries if not e.expired(today)]

    def expired_entries(self, today: dt.date) -> list[AllowEntry]:
        return [e for e in self.entries if e.expired(today)]


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_allowlist(text: str, file: str = ALLOW_FILENAME) -> Allowlist:
    from launchready_tui.core.yamlpos import YamlSyntaxError, load_with_lines

    out = Allowlist(path=file)
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as e:
        out.problems.append(Problem(file, e.line, None, e.text))
        return out
    if data is None:
        return out
    prefix = ""
    if isinstance(data, dict):
        items = data.get("allow")
        prefix = "allow"
        if items is None:
            out.problems.append(Problem(file, 1, None, "has no `allow:` list", "allow: [entries]"))
            return out
    else:
        items = data
    if not isinstance(items, list):
        out.problems.append(Problem(file, lines.get(prefix), prefix or None, "is not a list", "a list of entries"))
        return out
    for i, item in enumerate(items):
        path = f"{prefix}[{i}]"
        line = lines.get(path)
        if not isinstance(item, dict):
            out.problems.append(Problem(file, line, path, "is not a mapping", "fingerprint/id, reason, expires"))
            continue
        fp = item.get("fingerprint")
        ident = item.get("id")
        bad = False
        if not fp and not ident:
            out.problems.append(Problem(file, line, path, "names no `fingerprint` or `id`", "one of them"))
            bad = True
        reason = str(item.get("reason") or "").strip()
        if not reason:
            out.problems.append(
                Problem(file, lines.get(f"{path}.reason", line), f"{path}.reason", "is missing", "why this is accepted")
            )
            bad = True
        raw_exp = item.get("expires")
        expires = _parse_date(raw_exp)
        if expires is None:
            what = "is missing" if raw_exp in (None, "") else f"'{raw_exp}' is not a date"
            out.problems.append(
                Problem(file, lines.get(f"{path}.expires", line), f"{path}.expires", what, "YYYY-MM-DD")
            )
            bad = True
        if bad:
            continue
        assert expires is not None
        extra = {k: v for k, v in item.items() if k in _KNOWN - {"fingerprint", "id", "reason", "expires"}}
        out.entries.append(
            AllowEntry(
                reason=reason,
                expires=expires,
                fingerprint=str(fp) if fp else None,
                id=str(ident) if ident else None,
                line=line,
                extra={k: str(v) for k, v in extra.items()},
            )
        )
    return out


def load_allowlist(path: str | Path) -> Allowlist:
    """Read an allowlist file. A missing file is an empty allowlist; problems are returned."""
    from launchready_tui.core.safe_read import read_regular

    p = Path(path)
    try:
        raw = read_regular(p, 1024 * 1024)  # never a device, FIFO or a huge file
    except FileNotFoundError:
        return Allowlist(path=str(p))
    except OSError as e:
        return Allowlist(path=str(p), problems=[Problem(str(p), None, None, f"cannot be read: {e.strerror}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return Allowlist(path=str(p), problems=[Problem(str(p), line, None, "is not UTF-8 text")])
    return parse_allowlist(text, str(p))
