"""A gap in the deploy path: what, where (file and line), why, and the lines to add."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Finding:
    id: str
    severity: str  # fail | warn | note
    title: str
    why: str
    fix: str
    file: str = ""
    line: int = 0
    add: str = ""  # the exact lines to add

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "severity": self.severity, "title": self.title, "why": self.why, "fix": self.fix}
        if self.file:
            d["file"], d["line"] = self.file, self.line
        if self.add:
            d["add"] = self.add
        return d
