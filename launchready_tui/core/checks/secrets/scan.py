"""Scanning for secrets: files, built bundles, source maps and logs.

Why it exists: repository scanners miss the live site. A key shipped inside a built
JavaScript bundle (or a source map's `sourcesContent`) is readable by every visitor, and a
token written to a log is readable by everyone with log access.

The scanner is bounded (size cap per file, time budget, file count cap), skips binaries,
`.git`, `node_modules` and virtualenvs, survives symlink loops and unreadable files, and
reports how many files it read and how many it skipped, by reason. A scan that read
nothing says so instead of passing.
"""

from __future__ import annotations

import errno
import fnmatch
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready_tui.core.checks.secrets.classify import fingerprint, iter_matches
from launchready_tui.core.checks.secrets.rules import RuleSet, load_rules

__all__ = [
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_FILE_MB",
    "DEFAULT_MAX_SECONDS",
    "DEFAULT_SKIP_DIRS",
    "Finding",
    "Needle",
    "ScanReport",
    "Scanner",
]

DEFAULT_MAX_FILE_MB = 20.0
DEFAULT_MAX_SECONDS = 120.0
DEFAULT_MAX_FILES = 200_000
MAX_FINDINGS_SHOWN = 200
SKIP_EXAMPLES = 5

# Folders skipped below a scan root (never the root itself). `code.skip` adds patterns;
# a pattern "!name" removes a default.
DEFAULT_SKIP_DIRS = (
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".launchready",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
)

# Extensions that are never text: skipped without reading them.
_BINARY_EXT = frozenset(
    """png jpg jpeg gif webp avif ico bmp tif tiff psd heic mp3 mp4 m4a wav ogg webm mov avi
    mkv flac pdf zip gz tgz bz2 xz zst 7z rar jar war whl egg so dylib dll exe bin o a lib
    pyc pyo pyd class woff woff2 ttf otf eot sqlite sqlite3 db parquet npy npz pkl pickle
    onnx pt h5 wasm dat""".split()
)

SKIP_EXAMPLES = 5


@dataclass
class Finding:
    """One secret found. Holds the fingerprint, never the value."""

    file: str
    line: int
    rule: str
    title: str
    fingerprint: str
    severity: str = "fail"
    area: str = "code"
    where: str = ""  # e.g. the original source inside a source map
    note: str = ""

    def location(self) -> str:
        loc = f"{self.file}:{self.line}"
        return f"{self.file} > {self.where}:{self.line}" if self.where else loc

    def to_dict(self) -> dict[str, Any]:
        d = {
            "file": self.file,
            "line": self.line,
            "rule": self.rule,
            "title": self.title,
            "fingerprint": self.fingerprint,
            "severity": self.severity,
            "area": self.area,
        }
        if self.where:
            d["where"] = self.where
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class ScanReport:
    scanned: int = 0
    bytes_scanned: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    stopped: str = ""  # why the scan stopped early, if it did
    seconds: float = 0.0

    def skip(self, reason: str, path: str) -> None:
        self.skipped[reason] += 1
        ex = self.skipped_examples.setdefault(reason, [])
        if len(ex) < SKIP_EXAMPLES:
            ex.append(path)


class _Lines:
    """Line numbers for increasing offsets without rescanning from the start."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


@dataclass(frozen=True)
class Needle:
    """A known secret value to look for verbatim (an env var from a server env file)."""

    label: str  # e.g. "STRIPE_SECRET_KEY from .env.production" - names only
    value: str = field(repr=False)


_NEEDLE_TEXT = {
    "bundles": (
        "A server secret is shipped to every visitor's browser",
        "Anyone can open the browser's developer tools and copy this secret from your site's JavaScript.",
        "Stop using this variable in browser code (read it only on the server, e.g. in an API route), "
        "rebuild and redeploy, then rotate the secret: it has already been shipped.",
    ),
    "logs": (
        "A server secret is written to a log",
        "Everyone who can read the logs (support staff, log services) can copy this secret.",
        "Stop logging this value (log the variable name or a fingerprint instead), delete or "
        "redact the old log files, then rotate the secret.",
    ),
    "code": (
        "A server secret's value is written into a file",
        "Anyone who gets a copy of this file or the repository can use the secret.",
        "Replace the literal with a read of the environment variable, then rotate the secret.",
    ),
}


class Scanner:
    """Walks files and applies the rules. Pure apart from reading files; no output."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        max_file_bytes: int = int(DEFAULT_MAX_FILE_MB * 1024 * 1024),
        skip: Iterable[str] = (),
        exclude: Iterable[Path] | dict[Path, str] = (),
        needles: Iterable[Needle] = (),
        max_seconds: float = DEFAULT_MAX_SECONDS,
        max_files: int = DEFAULT_MAX_FILES,
        base: Path | None = None,
    ) -> None:
        self.rules = rules or load_rules()
        self.max_file_bytes = max_file_bytes
        names = set(DEFAULT_SKIP_DIRS)
        patterns: list[str] = []
        for p in skip:
            p = str(p).strip().rstrip("/")
            if p.startswith("!"):
                names.discard(p[1:])
            elif p:
                patterns.append(p)
        self.skip_names = frozenset(names)
        self.skip_patterns = tuple(patterns)
        ex = exclude if isinstance(exclude, dict) else {p: "scanned_separately" for p in exclude}
        # Compared by (device, inode): no realpath() per file, and symlinks cannot dodge it.
        self.exclude: dict[tuple[int, int], str] = {}
        for ex_path, why in ex.items():
            try:
                st = os.stat(ex_path)
            except OSError:
                continue
            self.exclude[(st.st_dev, st.st_ino)] = why
        self.needles = tuple(n for n in needles if n.value)
        self.max_seconds = max_seconds
        self.max_files = max_files
        self.base = base

    # -- text ---------------------------------------------------------------------

    def scan_text(self, text: str, file: str, area: str = "code", where: str = "") -> list[Finding]:
        rules = self.rules
        lines = _Lines(text)
        hits: dict[tuple[int, str], tuple[int, Finding]] = {}
        for rule, a, b in iter_matches(text, rules):
            fp = fingerprint(text[a:b])
            line = lines.at(a)
            key = (line, fp)
            prev = hits.get(key)
            if prev is not None and prev[0] <= rule.priority:
                continue
            hits[key] = (
                rule.priority,
                Finding(file, line, rule.id, rule.title, fp, rule.severity, area, where),
            )
        if self.needles:
            title = _NEEDLE_TEXT.get(area, _NEEDLE_TEXT["code"])[0]
            for n in self.needles:
                start = text.find(n.value)
                while start != -1:
                    fp = fingerprint(n.value)
                    line = lines.at(start)
                    hits[(line, fp)] = (
                        -1,
                        Finding(file, line, "env-value", f"{title}: {n.label}", fp, "fail", area, where),
                    )
                    start = text.find(n.value, start + len(n.value))
        return sorted((f for _, f in hits.values()), key=lambda f: (f.line, f.rule))

    def scan_bytes(self, data: bytes, file: str, area: str, report: ScanReport) -> None:
        if b"\x00" in data[:8192]:
            report.skip("binary", file)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            report.skip("not_utf8", file)
            return
        report.scanned += 1
        report.bytes_scanned += len(data)
        if file.endswith(".map") and '"sourcesContent"' in text:
            found = self._scan_source_map(text, file, area)
            if found is not None:
                report.findings.extend(found)
                return
        report.findings.extend(self.scan_text(text, file, area))

    def _scan_source_map(self, text: str, file: str, area: str) -> list[Finding] | None:
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("sourcesContent"), list):
            return None
        raw_sources = doc.get("sources")
        sources: list[Any] = raw_sources if isinstance(raw_sources, list) else []
        out: list[Finding] = []
        for i, content in enumerate(doc["sourcesContent"]):
            if isinstance(content, str) and content:
                name = str(sources[i]) if i < len(sources) else f"sources[{i}]"
                out.extend(self.scan_text(content, file, area, where=name))
        return out

    # -- files --------------------------------------------------------------------

    def display(self, path: str) -> str:
        if self.base is not None:
            try:
                return os.path.relpath(path, self.base) if path.startswith(str(self.base)) else path
            except ValueError:  # pragma: no cover - other drive on Windows
                return path
        return path

    def _skipped_dir(self, name: str, full: str, st: os.stat_result) -> str | None:
        if name in self.skip_names:
            return "skipped_folder"
        for p in self.skip_patterns:
            if fnmatch.fnmatch(name, p) or fnmatch.fnmatch(self.display(full), p):
                return "skipped_by_config"
        if os.path.exists(os.path.join(full, "pyvenv.cfg")):
            return "virtualenv"
        return self.exclude.get((st.st_dev, st.st_ino))

    def scan(self, roots: Iterable[Path | str], area: str = "code") -> ScanReport:
        report = ScanReport()
        t0 = time.monotonic()
        deadline = t0 + self.max_seconds
        seen_dirs: set[tuple[int, int]] = set()
        seen_files: set[tuple[int, int]] = set()
        for root in roots:
            root = str(root)
            try:
                st = os.stat(root)
            except OSError as e:
                report.missing_roots.append(self.display(root))
                if e.errno == errno.ELOOP:
                    report.skip("symlink_loop", self.display(root))
                continue
            if stat.S_ISDIR(st.st_mode):
                self._walk(root, area, report, seen_dirs, seen_files, deadline)
            else:
                self._file(root, st, area, report, seen_files)
            if report.stopped:
                break
        report.seconds = time.monotonic() - t0
        return report

    def _walk(
        self,
        root: str,
        area: str,
        report: ScanReport,
        seen_dirs: set[tuple[int, int]],
        seen_files: set[tuple[int, int]],
        deadline: float,
    ) -> None:
        stack = [root]
        while stack:
            d = stack.pop()
            try:
                st = os.stat(d)
            except OSError:
                report.skip("unreadable", self.display(d))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                report.skip("symlink_loop", self.display(d))
                continue
            seen_dirs.add(key)
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                report.skip("unreadable", self.display(d))
                continue
            subdirs = []
            for e in entries:
                if time.monotonic() > deadline:
                    report.stopped = f"time budget of {self.max_seconds:g} s used up"
                    return
                if report.scanned + sum(report.skipped.values()) >= self.max_files:
                    report.stopped = f"file limit of {self.max_files} reached"
                    return
                full = e.path
                try:
                    is_link = e.is_symlink()
                    est = os.stat(full) if is_link else e.stat(follow_symlinks=False)
                except OSError as err:
                    reason = "symlink_loop" if err.errno == errno.ELOOP else (
                        "broken_symlink" if err.errno == errno.ENOENT else "unreadable"
                    )
                    report.skip(reason, self.display(full))
                    continue
                if stat.S_ISDIR(est.st_mode):
                    why = self._skipped_dir(e.name, full, est)
                    if why:
                        report.skip(why, self.display(full))
                    else:
                        subdirs.append(full)
                elif stat.S_ISREG(est.st_mode):
                    self._file(full, est, area, report, seen_files)
                else:
                    report.skip("not_a_regular_file", self.display(full))
            stack.extend(reversed(subdirs))

    def _file(self, path: str, st: os.stat_result, area: str, report: ScanReport, seen: set[tuple[int, int]]) -> None:
        shown = self.display(path)
        key = (st.st_dev, st.st_ino)
        if key in seen:
            report.skip("already_scanned", shown)
            return
        seen.add(key)
        why = self.exclude.get(key)
        if why:
            report.skip(why, shown)
            return
        name = os.path.basename(path)
        for p in self.skip_patterns:
            if fnmatch.fnmatch(name, p) or fnmatch.fnmatch(shown, p):
                report.skip("skipped_by_config", shown)
                return
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext in _BINARY_EXT:
            report.skip("binary", shown)
            return
        if st.st_size > self.max_file_bytes:
            report.skip("too_large", shown)
            return
        try:
            with open(path, "rb") as f:
                data = f.read(self.max_file_bytes + 1)
        except OSError:
            report.skip("unreadable", shown)
            return
        if len(data) > self.max_file_bytes:  # grew since stat
            report.skip("too_large", shown)
            return
        self.scan_bytes(data, shown, area, report)

