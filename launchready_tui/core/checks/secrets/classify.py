"""Classifying values: looks like a secret, looks like words, or a placeholder.

Why it exists: the rules' regexes find candidates; these helpers decide which candidates
are real (entropy, "made of words", placeholders, public-by-design keys) and answer the
question other modules ask ("is this value a secret?") with `classify`, `looks_secret`
and `find_secrets`, without scanning files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from launchready_tui.core.checks.secrets.rules import Rule, RuleSet, load_rules

__all__ = [
    "SecretMatch",
    "Verdict",
    "classify",
    "find_secrets",
    "fingerprint",
    "is_placeholder",
    "is_public_name",
    "iter_matches",
    "looks_secret",
    "match_value",
    "public_secret",
    "random_like",
    "secret_name",
    "shannon",
]


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



# ------------------------------------------------------------------ text and values


def iter_matches(text: str, rules: RuleSet | None = None, lower: str | None = None) -> Iterator[tuple[Rule, int, int]]:
    """Every validated rule match in `text` as (rule, start, end) of the secret, rule by
    rule in file order. Keywords are searched once per text, however many rules share them."""
    rules = rules or load_rules()
    if lower is None:
        lower = text.lower()
    present = {k for k in rules.keywords_cs if k in text}
    present.update(k for k in rules.keywords_ci if k in lower)
    for rule in rules.rules:
        if rule.keywords and present.isdisjoint(rule.keywords):
            continue
        # str.lower() keeps offsets unless a character expands (rare non-ASCII text).
        fast = rule.regex_lower is not None and len(lower) == len(text)
        for m in (rule.regex_lower.finditer(lower) if fast else rule.regex.finditer(text)):  # type: ignore[union-attr]
            a, b = m.span(rule.group)
            secret = text[a:b]
            if secret and _valid(rule, m, secret, text, rules):
                yield rule, a, b


@dataclass(frozen=True)
class SecretMatch:
    """Where a secret sits in a text. Holds offsets and a fingerprint, not the value."""

    start: int
    end: int
    rule: str
    title: str
    severity: str
    fingerprint: str


def find_secrets(text: str, rules: RuleSet | None = None) -> list[SecretMatch]:
    """The secrets in `text`, by position, overlaps resolved (the more specific rule wins).
    For redaction: replace `text[m.start:m.end]` of each match."""
    rules = rules or load_rules()
    found: list[tuple[int, int, int, Rule]] = [(a, b, rule.priority, rule) for rule, a, b in iter_matches(text, rules)]
    found.sort(key=lambda t: (t[0], t[2], -(t[1] - t[0])))
    out: list[SecretMatch] = []
    for a, b, _prio, rule in found:
        if out and a < out[-1].end:
            continue
        out.append(SecretMatch(a, b, rule.id, rule.title, rule.severity, fingerprint(text[a:b])))
    return out


class Verdict(NamedTuple):
    """What `classify` decided: `secret` (with the rule that says so), `placeholder`, or `plain`."""

    kind: Literal["secret", "placeholder", "plain"]
    rule: str | None = None


def classify(value: str, name: str = "", rules: RuleSet | None = None) -> Verdict:
    """Is this single value (optionally with the variable name it is stored under) a secret?"""
    rules = rules or load_rules()
    v = value.strip()
    if not v:
        return Verdict("plain")
    if is_placeholder(v, rules):
        return Verdict("placeholder")
    r = match_value(v, rules)
    if r is not None:
        return Verdict("secret", r.id)
    if looks_secret(name, v, rules):
        return Verdict("secret", "secret-name" if secret_name(name, rules) else "random-value")
    return Verdict("plain")
