"""Typed errors for bad input that users can hit.

Every error carries where the problem is (file, line, field) so the CLI can print one
clear message and exit 2, and the TUI can show an error screen instead of a traceback.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class Problem:
    """One problem found in a user's file."""

    file: str
    line: int | None
    field: str | None
    message: str
    expected: str | None = None

    def format(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class LaunchReadyError(Exception):
    """Base class for errors caused by bad user input."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(p.format() for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def field(self) -> str | None:
        return self.problems[0].field


class ProfileError(LaunchReadyError):
    """The profile (launchready.yaml) is missing, unreadable or invalid."""


class RunbookError(LaunchReadyError):
    """A runbook is malformed: bad front matter, bad block, unknown kind or variable."""


class UsageError(LaunchReadyError):
    """A command-line argument is malformed (for example --connect-to)."""

    def __init__(self, message: str, field_name: str | None = None) -> None:
        super().__init__(Problem(file="command line", line=None, field=field_name, message=message))


@dataclass
class Warning_:
    """A non-fatal remark about user input (for example an unknown profile key)."""

    file: str
    line: int | None
    field: str | None
    message: str
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def format(self) -> str:
        return Problem(self.file, self.line, self.field, self.message).format()
