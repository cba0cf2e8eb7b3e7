"""The `secrets` check: keys and passwords in code, built bundles and logs.

Why it exists: repository scanners miss the live site. A key shipped inside a built
JavaScript bundle (or a source map's `sourcesContent`) is readable by every visitor, and a
token written to a log is readable by everyone with log access.

The scanner is bounded (size cap per file, time budget, file count cap), skips binaries,
`.git`, `node_modules` and virtualenvs, survives symlink loops and unreadable files, and
reports how many files it read and how many it skipped, by reason. A scan that read
nothing says so instead of passing.

A finding names the file, line, rule and a fingerprint (first 4 characters plus a short
hash) - never the value. Rules live in `core/secret_rules.yaml`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import errno
import fnmatch
import functools
import hashlib
import json
import math
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

KIND = "secrets"
AREAS = ("code", "bundles", "logs")
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


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    regex: re.Pattern[str]
    # For case-insensitive rules: the same pattern without (?i), run on lowered text
    # (several times faster in Python's regex engine than an IGNORECASE scan).
    regex_lower: re.Pattern[str] | None
    group: int
    keywords: tuple[str, ...]
    keywords_ci: bool
    name_group: int | None
    min_entropy: float | None
    validate: str | None
    severity: str
    why: str
    fix: str

    @property
    def priority(self) -> int:
        """When two rules flag the same value on the same line, the lower number wins."""
        return {"public-env-secret": 0, "generic-secret": 2}.get(self.id, 1)


@dataclass(frozen=True, eq=False)
class RuleSet:
    rules: tuple[Rule, ...]
    test_key: tuple[re.Pattern[str], ...]
    live_key: tuple[re.Pattern[str], ...]
    placeholder: tuple[re.Pattern[str], ...]
    public_prefixes: tuple[str, ...]
    secret_name_parts: tuple[str, ...]
    public_name_parts: tuple[str, ...]
    debug_settings: dict[str, tuple[str, ...]]

    @functools.cached_property
    def keywords_cs(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if not r.keywords_ci for k in r.keywords)

    @functools.cached_property
    def keywords_ci(self) -> frozenset[str]:
        return frozenset(k for r in self.rules if r.keywords_ci for k in r.keywords)

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def parse_rules(data: dict[str, Any]) -> RuleSet:
    rules = []
    for r in data["rules"]:
        rules.append(
            Rule(
                id=r["id"],
                title=r["title"],
                regex=re.compile(r["regex"]),
                regex_lower=re.compile(r["regex"][4:]) if r["regex"].startswith("(?i)") else None,
                group=int(r.get("group", 0)),
                keywords=tuple(str(k).lower() if r.get("keywords_ci") else str(k) for k in r.get("keywords") or ()),
                keywords_ci=bool(r.get("keywords_ci")),
                name_group=r.get("name_group"),
                min_entropy=r.get("min_entropy"),
                validate=r.get("validate"),
                severity=r.get("severity", "fail"),
                why=" ".join(str(r.get("why", "")).split()),
                fix=" ".join(str(r.get("fix", "")).split()),
            )
        )
    v = data.get("values") or {}

    def pats(key: str, flags: int = 0) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, flags) for p in v.get(key) or ())

    return RuleSet(
        rules=tuple(rules),
        test_key=pats("test_key_patterns"),
        live_key=pats("live_key_patterns"),
        placeholder=pats("placeholder_patterns", re.IGNORECASE),
        public_prefixes=tuple(v.get("public_prefixes") or ()),
        secret_name_parts=tuple(s.upper() for s in v.get("secret_name_parts") or ()),
        public_name_parts=tuple(s.upper() for s in v.get("public_name_parts") or ()),
        debug_settings={k: tuple(str(x).lower() for x in vals) for k, vals in (v.get("debug_settings") or {}).items()},
    )


@functools.cache
def load_rules() -> RuleSet:
    """The shipped rule file (inside the package, so it is in the wheel)."""
    import yaml

    text = resources.files("launchready_tui.core").joinpath("secret_rules.yaml").read_text("utf-8")
    return parse_rules(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # noqa: S506


# ------------------------------------------------------------------ value helpers


def fingerprint(value: str) -> str:
    """First 4 characters plus a short hash: enough to recognise, never enough to use."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{value[:4]}:{digest}"


def shannon(s: str) -> float:
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def _classes(s: str) -> int:
    return (
        any(c.islower() for c in s)
        + any(c.isupper() for c in s)
        + any(c.isdigit() for c in s)
        + any(not c.isalnum() for c in s)
    )


_FAKE = re.compile(
    r"(?i)example|sample|dummy|fake|placeholder|your[-_]|xxxx|\*\*\*|\.\.\.|…|(.)\1{5,}|0123456789|abcdefghij"
)


def is_placeholder(value: str, rules: RuleSet | None = None) -> bool:
    """True for values like `changeme`, `xxx`, `TODO`, `your-key-here`, `<...>`."""
    rules = rules or load_rules()
    v = value.strip()
    return bool(v) and any(p.search(v) for p in rules.placeholder)


def _is_fake(value: str, rules: RuleSet) -> bool:
    return is_placeholder(value, rules) or bool(_FAKE.search(value))


def random_like(value: str, *, min_len: int = 12, min_entropy: float = 3.0) -> bool:
    """Looks like generated key material rather than a word, URL or setting."""
    if len(value) < min_len or " " in value or "://" in value:
        return False
    return _classes(value) >= 2 and shannon(value) >= min_entropy


def match_value(value: str, rules: RuleSet | None = None) -> Rule | None:
    """The specific rule (not the generic or public-variable ones) a bare value matches."""
    rules = rules or load_rules()
    for r in rules.rules:
        if r.id in ("generic-secret", "public-env-secret"):
            continue
        for m in r.regex.finditer(value):
            secret = m.group(r.group) or ""
            if secret and _valid(r, m, secret, value, rules):
                return r
    return None


def _name_upper(name: str) -> str:
    return name.upper().replace("-", "_")


def secret_name(name: str, rules: RuleSet | None = None) -> bool:
    rules = rules or load_rules()
    n = _name_upper(name)
    if any(p in n for p in rules.public_name_parts):
        return False
    return any(p in n for p in rules.secret_name_parts)


def looks_secret(name: str, value: str, rules: RuleSet | None = None) -> bool:
    """A value worth protecting: matches a key pattern, or a secret-named random value."""
    rules = rules or load_rules()
    value = value.strip()
    if not value or is_placeholder(value, rules):
        return False
    if match_value(value, rules) is not None:
        return True
    if secret_name(name, rules):
        return random_like(value, min_len=8, min_entropy=2.5)
    return random_like(value, min_len=24, min_entropy=4.0) and _classes(value) >= 3


def is_public_name(name: str, rules: RuleSet | None = None) -> bool:
    rules = rules or load_rules()
    return _name_upper(name).startswith(tuple(rules.public_prefixes))


def public_secret(name: str, value: str, rules: RuleSet | None = None) -> bool:
    """A browser-exposed variable (NEXT_PUBLIC_*, VITE_*, ...) holding a secret."""
    rules = rules or load_rules()
    value = value.strip()
    if not value or is_placeholder(value, rules):
        return False
    r = match_value(value, rules)
    if r is not None:
        return r.id != "google-api-key"  # browser Maps/Firebase keys are public by design
    n = _name_upper(name)
    if any(p in n for p in rules.public_name_parts):
        return False
    return any(p in n for p in ("SECRET", "PRIVATE", "PASSWORD", "PASSWD", "SERVICE_ROLE")) and random_like(
        value, min_len=8, min_entropy=2.5
    )


# --------------------------------------------------------------------- validators

# Names ending in KEY/TOKEN that are ids, cursors or lookups, not secrets.
_GENERIC_NAME_SKIP = re.compile(
    r"(?i)(?:sort|cache|primary|foreign|partition|range|idempotency|dedup|dedupe|lookup|index|"
    r"hash|map|dict|registry|next|nextbackward|nextforward|prev|previous|page|continuation|"
    r"pagination|marker|cursor|csrf|xsrf|public|publishable|anon|site|row|column|group|message|"
    r"i18n|translation|label|icon|monkey|hot|short|shortcut|result|object|s3|s3object|bucket|"
    r"file|path|change|request|clientrequest|client_request|lock|sync|resume|cancel|upload|"
    r"task|job|wait|sequence|shard|stream|dict_|sort_|primary_|api_?version)[_.-]?(?:key|token)$"
    r"|^(?:key|token|secret|password)$"
)
_STRONG_NAME = re.compile(r"(?i)api|secret|auth|passw|access|private|bearer|session|signing|webhook")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_FILE_EXT = re.compile(r"\.[A-Za-z]{2,5}$")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal")
_DUMMY_PASSWORDS = frozenset(
    "pass passwd password pwd pw pa55word p4ssw0rd secret s3cret root admin user username "
    "postgres mysql mongo redis guest test testing example foo bar foobar baz changeme hunter2 "
    "letmein 1234 12345 123456 qwerty dbpass dbpassword mypassword yourpassword".split()
)


def _word_like(value: str) -> bool:
    """Made of dictionary-like words ("webdavgeneratedpassword2", "PassWordMustBe6"), not
    random characters: random strings break into many one- or two-letter runs."""
    words = _WORDS.findall(value)
    letters = sum(len(w) for w in words)
    if not words or letters < len(value) * 0.6:
        return False
    return letters / len(words) >= 3.5


_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-$")
_DOTTED = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$")
_VERSIONISH = re.compile(r"^v?\d+(?:[._-]\d+)+")


def _name_before(text: str, end: int) -> str:
    i = end
    while i > 0 and text[i - 1] in _IDENT_CHARS and end - i < 80:
        i -= 1
    return text[i:end]


def _jwt_ok(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    decoded = []
    for p in parts[:2]:
        try:
            raw = base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))
            obj = json.loads(raw)
        except (binascii.Error, ValueError):
            return False
        if not isinstance(obj, dict):
            return False
        decoded.append(obj)
    header, payload = decoded
    if "alg" not in header:
        return False
    # A Supabase "anon" key is meant to be public; flag service keys and user tokens.
    return payload.get("role") != "anon"


def _valid(rule: Rule, m: re.Match[str], secret: str, text: str, rules: RuleSet) -> bool:
    if rule.min_entropy is not None and shannon(secret) < rule.min_entropy:
        return False
    v = rule.validate
    if v is None:
        return True
    if v == "not_placeholder":
        return not _is_fake(secret, rules)
    if v == "jwt":
        return _jwt_ok(secret)
    if v == "public_env":
        a, b = m.span(rule.name_group or 1)
        return public_secret(text[a:b], secret.strip("\"'`"), rules)
    if v == "generic":
        start = m.start()
        kw = re.match(r"[A-Za-z]+", text[start : start + 12])
        before = _name_before(text, start)
        name = before + (kw.group() if kw else "")
        prev = text[start - len(before) - 1] if start - len(before) > 0 else ""
        if prev == ":" or _GENERIC_NAME_SKIP.search(name):  # AWS::X::ApiKey, arn:...:secret:x
            return False
        if any(p in _name_upper(name) for p in rules.public_name_parts):
            return False
        if _is_fake(secret, rules) or _DOTTED.match(secret) or _VERSIONISH.match(secret):
            return False
        if secret.startswith(("/", "./", "../")) or secret.isdigit() or _FILE_EXT.search(secret):
            return False
        if _UUID.match(secret) and not _STRONG_NAME.search(name):
            return False
        if _word_like(secret):
            return False
        return any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret)
    if v == "database_url":
        host = (m.group("host") or "").lower()
        if host in _LOCAL_HOSTS or secret.lower() in _DUMMY_PASSWORDS:
            return False
        return not _is_fake(secret, rules) and not secret.startswith(("$", "%", "{", "<"))
    raise ValueError(f"unknown validator {v!r} in rule {rule.id}")


# ------------------------------------------------------------------------ findings


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
        lower = text.lower()
        # Each keyword is searched once per text, however many rules share it.
        present = {k for k in rules.keywords_cs if k in text}
        present.update(k for k in rules.keywords_ci if k in lower)
        hits: dict[tuple[int, str], tuple[int, Finding]] = {}
        for rule in rules.rules:
            if rule.keywords and present.isdisjoint(rule.keywords):
                continue
            # str.lower() keeps offsets unless a character expands (rare non-ASCII text).
            fast = rule.regex_lower is not None and len(lower) == len(text)
            for m in (rule.regex_lower.finditer(lower) if fast else rule.regex.finditer(text)):  # type: ignore[union-attr]
                a, b = m.span(rule.group)
                secret = text[a:b]
                if not secret or not _valid(rule, m, secret, text, rules):
                    continue
                fp = fingerprint(secret)
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

    def _walk(self, root, area, report, seen_dirs, seen_files, deadline) -> None:
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

    def _file(self, path: str, st: os.stat_result, area: str, report: ScanReport, seen: set) -> None:
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


# ------------------------------------------------------------------------- the check


def _areas(profile, params) -> list[str]:
    wanted = params.get("areas") or params.get("area") or list(AREAS)
    if isinstance(wanted, str):
        wanted = [wanted]
    return [a for a in AREAS if a in wanted]


def _roots(profile, params, area: str) -> list[str]:
    key = {"code": "paths", "bundles": "bundles", "logs": "logs"}[area]
    vals = params.get(key)
    if vals is None:
        vals = profile.get(f"code.{key}") or []
    if isinstance(vals, str):
        vals = [vals]
    return [str(v) for v in vals]


def targets(profile, params) -> list[str]:
    """One result per configured area: code, bundles, logs."""
    out = [a for a in _areas(profile, params) if _roots(profile, params, a)]
    if not out:
        raise MissingInput("code.paths", "and/or code.bundles, code.logs")
    return out


def deadline(params, timeout_s: float) -> float:
    return float(params.get("max_seconds", DEFAULT_MAX_SECONDS)) + 15.0


def _needles(profile, area: str) -> tuple[list[Needle], list[str]]:
    """Values of required env vars from non-public environments (never the values' text
    in output - only the names and where they came from)."""
    from launchready_tui.core.checks import env as envmod

    found: dict[str, list[str]] = {}
    notes: list[str] = []
    required = [str(n) for n in profile.get("required_env") or []]
    if not required:
        return [], notes
    rules = load_rules()
    for name, conf in envmod.environments(profile).items():
        if conf.get("public"):
            continue
        try:
            env = envmod.load_environment(profile, name, conf)
        except envmod.EnvReadError as e:
            notes.append(f"{name}: {e.reason}")
            continue
        for var in required:
            val = (env.values.get(var) or "").strip()
            if len(val) >= 8 and looks_secret(var, val, rules):
                label = f"{var} from {env.where}"
                if label not in found.setdefault(val, []):
                    found[val].append(label)
    return [Needle(", ".join(labels), val) for val, labels in found.items()], notes


def _scanner_for(profile, params, area: str, needles: list[Needle]) -> Scanner:
    mb = params.get("max_file_mb", profile.get("code.max_file_mb", DEFAULT_MAX_FILE_MB))
    skip = list(profile.get("code.skip") or []) + list(params.get("skip") or [])
    exclude: dict[Path, str] = {}
    if area == "code":
        for other in ("bundles", "logs"):
            for p in _roots(profile, params, other):
                exclude[profile.resolve_path(p)] = "scanned_separately"
    from launchready_tui.core.checks import env as envmod

    for _name, conf in envmod.environments(profile).items():
        if conf.get("env_file"):
            exclude[profile.resolve_path(str(conf["env_file"]))] = "env_file_checked_by_env"
    return Scanner(
        max_file_bytes=int(float(mb) * 1024 * 1024),
        skip=skip,
        exclude=exclude,
        needles=needles,
        max_seconds=float(params.get("max_seconds", DEFAULT_MAX_SECONDS)),
        max_files=int(params.get("max_files", DEFAULT_MAX_FILES)),
        base=profile.dir,
    )


def run_scan(profile, params, area: str) -> tuple[ScanReport, list[str]]:
    needles, notes = _needles(profile, area)
    scanner = _scanner_for(profile, params, area, needles)
    roots = [profile.resolve_path(p) for p in _roots(profile, params, area)]
    return scanner.scan(roots, area), notes


async def check(ctx, target: str, params) -> CheckResult:
    from launchready_tui.core import allowlist as al

    profile = ctx.profile
    area = target
    report, notes = await asyncio.to_thread(run_scan, profile, params, area)
    allow = al.load_allowlist(profile.state_dir / al.ALLOW_FILENAME)
    today = ctx.clock().date()
    return evaluate(report, area, allow=allow, today=today, env_notes=notes)


def evaluate(report: ScanReport, area: str, *, allow=None, today=None, env_notes=()) -> CheckResult:
    """Turn a scan report into a result (pure: no I/O)."""
    import datetime as dt

    from launchready_tui.core import allowlist as al

    allow = allow or al.Allowlist()
    today = today or dt.date.today()
    shown: list[Finding] = []
    hidden: list[dict[str, Any]] = []
    for f in report.findings:
        entry, expired = allow.match(fingerprint=f.fingerprint, today=today)
        if entry is not None and not expired:
            hidden.append({**f.to_dict(), "allowed_because": entry.reason, "allowed_until": entry.expires_text})
            continue
        if entry is not None and expired:
            f.note = f"allowlist entry expired on {entry.expires_text}"
        shown.append(f)
    skipped = dict(sorted(report.skipped.items()))
    ev: dict[str, Any] = {
        "area": area,
        "files_scanned": report.scanned,
        "bytes_scanned": report.bytes_scanned,
        "files_skipped": sum(report.skipped.values()),
        "skipped_by_reason": skipped,
        "skipped_examples": {k: v for k, v in sorted(report.skipped_examples.items())},
        "findings_total": len(shown),
        "findings": [f.to_dict() for f in shown[:MAX_FINDINGS_SHOWN]],
        "seconds": round(report.seconds, 3),
    }
    if hidden:
        ev["allowlisted"] = hidden[:MAX_FINDINGS_SHOWN]
    if allow.problems:
        ev["allowlist_problems"] = [p.format() for p in allow.problems]
    if report.missing_roots:
        ev["missing_paths"] = report.missing_roots
    if report.stopped:
        ev["stopped_early"] = report.stopped
    if env_notes:
        ev["env_files_not_read"] = list(env_notes)
    where = {"code": "code", "bundles": "built bundles", "logs": "logs"}[area]
    counts = f"{report.scanned} file(s) scanned, {ev['files_skipped']} skipped"
    if skipped:
        counts += " (" + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in skipped.items()) + ")"

    if report.scanned == 0 and report.missing_roots and not report.skipped:
        return errored(
            KIND,
            area,
            f"none of the {where} paths exist: {', '.join(report.missing_roots)}",
            fix=(
                "Build the site first if these are build outputs, or correct the paths under "
                "`code` in launchready.yaml, then run the check again."
            ),
            why="A scan that reads nothing cannot tell you whether secrets are exposed.",
            evidence=ev,
        )
    fails = [f for f in shown if f.severity == "fail"]
    warns = [f for f in shown if f.severity != "fail"]
    if fails:
        first = fails[0]
        rule = _rule_or_none(first.rule)
        why, fix = _texts(first, rule, area)
        return failed(
            KIND,
            area,
            f"{len(fails)} secret(s) found in {where}, e.g. {first.title} at {first.location()} "
            f"(fingerprint {first.fingerprint}); {counts}",
            why=why,
            fix=fix + " " + _ALLOW_HINT,
            evidence=ev,
        )
    if report.scanned == 0:
        return warned(
            KIND,
            area,
            f"Read nothing in {where}: {counts}",
            why="A scan that reads nothing cannot tell you whether secrets are exposed.",
            fix="Check the paths under `code` in launchready.yaml, raise `code.max_file_mb` if "
            "files were too large, and make the files readable, then run the check again.",
            evidence=ev,
        )
    gaps = []
    if report.stopped:
        gaps.append(f"the scan stopped early ({report.stopped})")
    if report.missing_roots:
        gaps.append("missing path(s): " + ", ".join(report.missing_roots))
    if area in ("bundles", "logs"):
        for reason in ("too_large", "unreadable", "not_utf8"):
            if report.skipped.get(reason):
                gaps.append(f"{report.skipped[reason]} {reason.replace('_', ' ')} file(s) not read")
    if allow.problems:
        gaps.append("allowlist problems: " + "; ".join(p.message for p in allow.problems[:3]))
    if warns:
        first = warns[0]
        rule = _rule_or_none(first.rule)
        why, fix = _texts(first, rule, area)
        return warned(
            KIND,
            area,
            f"{len(warns)} possible secret(s) to review in {where}, e.g. {first.title} at "
            f"{first.location()} (fingerprint {first.fingerprint}); {counts}",
            why=why,
            fix=fix + " " + _ALLOW_HINT,
            evidence=ev,
        )
    if gaps:
        return warned(
            KIND,
            area,
            f"No secrets found in what was read, but {'; '.join(gaps)}; {counts}",
            why="Parts that were not read may still hold secrets.",
            fix="Raise `code.max_file_mb` or set `max_seconds` for this check, fix file "
            "permissions and paths, and fix `.launchready/allow.yaml` if it has problems.",
            evidence=ev,
        )
    return passed(KIND, area, f"No secrets found in {where}: {counts}", evidence=ev)


_ALLOW_HINT = (
    "If a finding is a false alarm, add its fingerprint to .launchready/allow.yaml with a "
    "reason and an expiry date."
)


def _rule_or_none(rule_id: str) -> Rule | None:
    try:
        return load_rules().by_id(rule_id)
    except KeyError:
        return None


def _texts(f: Finding, rule: Rule | None, area: str) -> tuple[str, str]:
    if f.rule == "env-value":
        _, why, fix = _NEEDLE_TEXT.get(area, _NEEDLE_TEXT["code"])
        return why, fix
    if rule is None:  # pragma: no cover - defensive
        return "A secret in a file can be copied by anyone who reads it.", "Remove and rotate it."
    why = rule.why
    if area == "bundles" and rule.id != "public-env-secret":
        why = "This file is sent to every visitor's browser. " + why
    elif area == "logs":
        why = "Everyone with access to the logs can copy it. " + why
    return why, rule.fix
