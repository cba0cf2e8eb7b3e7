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
    r"(?i)example|sample|dummy|fake|mock|placeholder|your[-_]|xxxx|\*\*\*|\.\.\.|…|(.)\1{5,}|0123456789|abcdefghij"
    r"|abcd|1234|5678|wxyz|xmpl"
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
        for m in r.finditer(value):
            a, b = r.span(m)
            secret = value[a:b] if a >= 0 else ""
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
    if not value or is_placeholder(value, rules) or _TEMPLATE.search(value):
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

# The generic rule judges a name by its word parts (SECRET_KEY_BASE -> secret, key, base;
# webhookToken -> webhook, token). A part that says "secret"...
_SECRET_PARTS = frozenset(
    "secret secrets token tokens key keys password passwords passwd pwd pass passphrase auth "
    "creds cred credential credentials apikey apikeys apitoken apisecret authkey authtoken "
    "accesskey accesstoken refreshtoken secretkey privatekey masterkey signingkey sessionkey "
    "encryptionkey clientsecret webhooksecret bearer".split()
)
_SECRET_SUFFIXES = ("secret", "token", "password", "passwd", "creds", "credentials")
# ... unless another part says it is an id, a cursor, a lookup, a setting or public.
_NOT_SECRET_PARTS = frozenset(
    "sort cache primary foreign partition range idempotency dedup dedupe lookup index hash hashed "
    "map dict registry next prev previous page continuation pagination marker cursor csrf xsrf "
    "public pub publishable anon site row column group message i18n translation label icon hot "
    "short shortcut result object s3 s3object bucket file files path change request lock sync "
    "resume cancel upload task job wait sequence shard stream version id ids url uri urls name "
    "names type types length len size dir ttl expiry expires expired expiration header headers "
    "field prefix suffix hint env var mode format count limit min max policy rotation endpoint "
    "host port domain location placeholder help error errors message regex pattern enabled "
    "required provider strategy storage store ref refs reference arn digest fingerprint kind "
    "schema schemas input inputs param params event events client_id clientid "
    "sha sha1 sha256 sha512 md5 checksum serial number response verifier cls class loader mgr "
    "manager identifier template templates key_sha256 unused dummy fake test".split()
)
_NAME_PARTS = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_STRONG_NAME = re.compile(r"(?i)api|secret|auth|passw|access|private|bearer|session|signing|webhook")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HASH_HEX = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$")
_FILE_EXT = re.compile(r"\.[A-Za-z]{2,5}$")
_TEMPLATE = re.compile(r"#\w+#|@\w+@|\{[^{}\s]*\}")  # #name#, @name@, an unfilled {template}
_CONST_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # AWS_XRAY_CONTEXT_MISSING
# Names ending in KEY/TOKEN that are ids, cursors or lookups (kept from the first version)
_GENERIC_NAME_SKIP = re.compile(
    r"(?i)(?:sort|cache|primary|foreign|partition|range|idempotency|dedup|dedupe|lookup|index|"
    r"hash|map|dict|registry|next|nextbackward|nextforward|prev|previous|page|continuation|"
    r"pagination|marker|cursor|csrf|xsrf|public|publishable|anon|site|row|column|group|message|"
    r"i18n|translation|label|icon|monkey|hot|short|shortcut|result|object|s3|s3object|bucket|"
    r"file|path|change|request|clientrequest|client_request|lock|sync|resume|cancel|upload|"
    r"task|job|wait|sequence|shard|stream|dict_|sort_|primary_|api_?version)[_.-]?(?:key|token)$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # arn:, urn:, sha256:, http:, group:artifact:1.0
_SCHEME_BEFORE = re.compile(r"(?<![A-Za-z0-9_+.-])([A-Za-z][A-Za-z0-9]*)(?:\+[A-Za-z0-9]+)*\Z")
_DB_SCHEMES = frozenset(
    "postgres postgresql mysql mariadb mongodb redis rediss amqp amqps mssql sqlserver cockroachdb clickhouse".split()
)
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal")
_DUMMY_PASSWORDS = frozenset(
    "pass passwd password pwd pw pa55word p4ssw0rd secret s3cret root admin user username "
    "postgres mysql mongo redis guest test testing example foo bar foobar baz changeme hunter2 "
    "letmein 1234 12345 123456 qwerty dbpass dbpassword mypassword yourpassword".split()
)

_TOKENS = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_RARE_LETTERS = frozenset("jqxz")


def _word_like(value: str) -> bool:
    """Made of words ("webdavgeneratedpassword2", "PassWordMustBe6", "not-a-real-secret"),
    not random characters. Random strings have many digit groups, few vowels, long
    consonant runs or rare letters; a word-made value has none of these. Measured in
    tests/unit/test_secrets_words.py on random lowercase-and-digit values: it takes about
    5% of 16-character ones for words, 1% of 20-character ones and none from 32 on (the
    old "average run length" test took 36-45%)."""
    toks = _TOKENS.findall(value)
    alnum = sum(c.isalnum() for c in value)
    if not toks or not alnum:
        return False
    alpha = [t.lower() for t in toks if not t[0].isdigit()]
    n_digit_groups = len(toks) - len(alpha)
    letters = "".join(alpha)
    if len(letters) < alnum * 0.6 or n_digit_groups > 2:
        return False
    if len(alpha) > 1 and len(letters) / len(alpha) < 3.5:
        return False
    vowels = sum(c in "aeiouy" for c in letters)
    if not 0.25 <= vowels / len(letters) <= 0.7:
        return False
    if sum(c in _RARE_LETTERS for c in letters) > max(2, len(letters) // 9):
        return False
    # abbreviations (cls, ctx, pkcs, http) are words too, if they are the minority
    bare = [t for t in alpha if len(t) >= 3 and not any(c in "aeiouy" for c in t)]
    if any(len(t) > 4 for t in bare) or len(bare) * 2 > len(alpha):
        return False
    return not any(_CONSONANT_RUN.search(t) for t in alpha)


_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-$")
_DOTTED = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$")
_VERSIONISH = re.compile(r"^v?\d+(?:[._-]\d+)+")


def _name_before(text: str, end: int) -> str:
    i = end
    while i > 0 and text[i - 1] in _IDENT_CHARS and end - i < 80:
        i -= 1
    return text[i:end]


def name_parts(name: str) -> list[str]:
    """`SECRET_KEY_BASE` -> [secret, key, base]; `webhookToken` -> [webhook, token]."""
    return [p.lower() for p in _NAME_PARTS.findall(name.rsplit(".", 1)[-1])]


def _secret_part(part: str) -> bool:
    return part in _SECRET_PARTS or (part.endswith(_SECRET_SUFFIXES) and part not in _NOT_SECRET_PARTS)


def generic_name(name: str) -> bool:
    """A name that says "secret" in one of its word parts, and nothing that says "id",
    "cursor", "public" or "setting"."""
    parts = name_parts(name)
    return any(_secret_part(p) for p in parts) and not any(
        p in _NOT_SECRET_PARTS for p in parts if not _secret_part(p)
    )


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


def _discord_ok(token: str) -> bool:
    """The first part of a Discord bot token is the bot's numeric id in base64."""
    first = token.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    except (binascii.Error, ValueError):
        return False
    return raw.isdigit() and 17 <= len(raw) <= 20


def _basic_ok(encoded: str, rules: RuleSet) -> bool:
    """`user:password` inside, with a password that is not a demo one."""
    try:
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    user, sep, password = raw.partition(":")
    if not sep or len(password) < 4 or not raw.isprintable():
        return False
    return password.lower() not in _DUMMY_PASSWORDS and not _is_fake(password, rules) and not _is_fake(user, rules)


_FIREBASE_CONFIG = re.compile(r"authDomain|messagingSenderId|firebaseapp\.com|storageBucket")


def _generic_value_ok(secret: str, name: str, rules: RuleSet, quoted: bool = True) -> bool:
    if _is_fake(secret, rules) or _DOTTED.match(secret) or _VERSIONISH.match(secret):
        return False
    if secret.startswith(("/", "./", "../", "~/", "$", "%", "{", "<", "#{")) or secret.isdigit():
        return False
    if secret.endswith("/") or ("[" in secret and "]" in secret) or _CONST_NAME.match(secret):
        return False
    if ("&" in secret and "=" in secret) or _TEMPLATE.search(secret):
        return False  # a query string, a #name# template
    low, lname = secret.lower(), name.lower()
    if low in lname or lname.endswith(low) or (len(lname) >= 8 and lname in low):
        return False  # x = x, trust_password=trust_password, key: KeyTypes
    digits = any(c.isdigit() for c in secret)
    if not quoted and not digits and not any(not c.isalnum() and c not in "_-." for c in secret):
        return False  # an unquoted word in code is a variable, not a literal
    if _FILE_EXT.search(secret) or _SCHEME.match(secret):
        return False
    if secret.startswith(rules.specific_prefixes) or any(p.search(secret) for p in rules.public_values):
        return False
    if _UUID.match(secret) and not _STRONG_NAME.search(name):
        return False
    if _word_like(secret):
        return False
    if not any(c.isalpha() for c in secret):
        return False
    return digits or _classes(secret) >= 3 or (len(secret) >= 20 and _classes(secret) >= 2)


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
        before = _name_before(text, start)
        name = before + text[start : m.end("kw")]
        prev = text[start - len(before) - 1] if start - len(before) > 0 else ""
        if prev == ":" or not generic_name(name) or _GENERIC_NAME_SKIP.search(name):
            return False  # AWS::X::ApiKey, arn:...:secret:x, sort_key
        upper = _name_upper(name)
        if upper.startswith(tuple(rules.public_prefixes)):
            return False  # NEXT_PUBLIC_* and friends: the public-env-secret rule decides
        flat = upper.replace("_", "")
        if any(p in upper or p.replace("_", "") in flat for p in rules.public_name_parts):
            return False
        if name_parts(name) in (["key"], ["keys"]) and (_HASH_HEX.match(secret) or _UUID.match(secret)):
            return False  # `key: <sha1>` in caches and manifests
        return _generic_value_ok(secret, name, rules, quoted=m.group("q") is not None)
    if v == "flag_value":
        prev = text[m.start() - 1] if m.start() else ""
        if prev.isalnum() or prev in "_-":
            return False
        return _generic_value_ok(secret, "token", rules)
    if v == "google_key":
        if _is_fake(secret, rules):
            return False
        around = text[max(0, m.start() - 400) : m.end() + 400]
        return not _FIREBASE_CONFIG.search(around)
    if v == "discord_bot":
        return _discord_ok(secret) and not _is_fake(secret, rules)
    if v == "basic_auth":
        return _basic_ok(secret, rules)
    if v == "database_url":
        scheme = _SCHEME_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if scheme is None or scheme.group(1).lower() not in _DB_SCHEMES:
            return False
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
        if not rule.by_keyword:
            if rule.keywords and present.isdisjoint(rule.keywords):
                continue
            if rule.prefilter is not None and rule.prefilter.search(text) is None:
                continue
        # str.lower() keeps offsets unless a character expands (rare non-ASCII text).
        found = rule.finditer(text, lower)
        for m in found:
            a, b = rule.span(m)
            secret = text[a:b] if a >= 0 else ""
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
