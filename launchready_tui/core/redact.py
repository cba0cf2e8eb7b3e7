"""One redaction module for every text that leaves the process.

Command output, result summaries and evidence, the state file, the history, JSON and
text reports and the exports all pass through here before they are stored or shown.
Three layers, applied in this order:

1. known values: the keyring values of the project's credentials and the secret values
   of its env files (also URL-encoded and base64), replaced by `[redacted:NAME]`;
2. URLs: the userinfo (`user:password@`) and known secret query parameters (`?token=`,
   `?api_key=`, `?sig=` ...) of every URL;
3. the secret scanner's rules (`core/secret_rules.yaml`, the same patterns the `secrets`
   check uses, read through `compiled_rules()`): a GitHub token or a Stripe key printed
   by a command is hidden even when nobody told us about it.

`clean_url` is the one function that makes a URL safe to show or store.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from launchready_tui.core.credentials import CredentialStore
    from launchready_tui.core.profile import Profile

MARK = "[redacted]"
# Inside a URL: no brackets (urlsplit reads "[...]" in the authority as an IPv6 address).
URL_MARK = "redacted"
MIN_KNOWN_LEN = 6  # a shorter "secret" (a PIN, "true") would wreck every text it appears in

# Query parameters whose value is a secret (compared lower-case, '-' as '_').
SECRET_PARAMS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "auth", "auth_token", "authorization",
    "key", "api_key", "apikey", "api-key", "secret", "client_secret", "password", "passwd", "pwd",
    "pass", "sig", "signature", "session", "sessionid", "session_id", "sid", "code", "private_token",
    "x_amz_signature", "x_amz_credential", "x_amz_security_token", "x_goog_signature",
    "x_goog_credential", "jwt", "credential", "credentials", "hash", "otp", "ticket",
})

_URL_IN_TEXT = re.compile(r"\b([a-z][a-z0-9+.\-]{1,20})://([^\s/?#@\"'<>]+)@", re.I)
_PARAM_IN_TEXT = re.compile(r"([?&;])([A-Za-z0-9_\-.]+)=([^&\s#\"'<>]*)")


def _is_secret_param(name: str) -> bool:
    n = name.lower().replace("-", "_")
    return n in SECRET_PARAMS or n.endswith(("_token", "_secret", "_password", "_key", "_sig", "_signature"))


# ------------------------------------------------------------------------------- URLs


def clean_url(url: Any) -> str:
    """The URL without userinfo and with secret query values replaced by `[redacted]`.
    Anything that is not a URL comes back as text, with the same scrubbing."""
    text = str(url)
    try:
        u = urlsplit(text)
    except ValueError:
        return scrub_urls(text)
    if not u.scheme or not u.netloc:
        return scrub_urls(text)
    netloc = u.netloc.rsplit("@", 1)[-1]
    query = _PARAM_IN_TEXT.sub(_param_sub, "?" + u.query)[1:] if u.query else ""
    return urlunsplit((u.scheme, netloc, u.path, query, u.fragment))


def _param_sub(m: re.Match) -> str:
    if _is_secret_param(m.group(2)) and m.group(3) and m.group(3) not in (MARK, URL_MARK):
        return f"{m.group(1)}{m.group(2)}={URL_MARK}"
    return m.group(0)


def scrub_urls(text: str) -> str:
    """Userinfo and secret query values of every URL inside a longer text."""
    if "://" in text:
        text = _URL_IN_TEXT.sub(_userinfo_sub, text)
    if "=" in text:
        text = _PARAM_IN_TEXT.sub(_param_sub, text)
    return text


def _userinfo_sub(m: re.Match) -> str:
    user = m.group(2)
    if user == URL_MARK or user.endswith(":" + URL_MARK):
        return m.group(0)
    if ":" in user:  # user:password@ keeps the user name, loses the password
        return f"{m.group(1)}://{user.split(':', 1)[0]}:{URL_MARK}@"
    if len(user) < 16:  # a plain user name (git@, admin@)
        return m.group(0)
    return f"{m.group(1)}://{URL_MARK}@"  # a token as user name (https://ghp_x@github.com)


# ------------------------------------------------------------------------------- rules


def _scanner_sub(text: str) -> str:
    """Replace what the secret scanner's rules find (lazily imported: the rules cost a
    YAML parse, once)."""
    if len(text) < MIN_SCAN_LEN:
        return text
    try:
        from launchready_tui.core.checks.secrets.classify import find_secrets
        from launchready_tui.core.checks.secrets.rules import compiled_rules

        matches = [(m.start, m.end, m.rule) for m in find_secrets(text, compiled_rules())]
    except Exception:  # noqa: BLE001 - a broken rule file must not stop output; hide the obvious
        matches = [(m.start(), m.end(), "token") for m in _FALLBACK.finditer(text)]
    if not matches:
        return text
    out, last = [], 0
    for start, end, rule in matches:
        out.append(text[last:start])
        out.append(f"[redacted:{rule}]")
        last = end
    out.append(text[last:])
    return "".join(out)


_SEP = "\n\x00\n"  # between strings scanned together; no secret contains it
MIN_SCAN_LEN = 8  # no rule matches a shorter string


def _scanner_many(texts: list[str]) -> dict[str, str]:
    """`_scanner_sub` for many strings at once: one scan of them joined (the rules' cost
    is per call, not per byte, for the short strings evidence is made of). A match that
    crosses from one string into the next is redone string by string."""
    import bisect

    todo = [t for t in dict.fromkeys(texts) if len(t) >= MIN_SCAN_LEN and _SEP not in t]
    out = {t: t for t in texts}
    for t in texts:
        if _SEP in t and len(t) >= MIN_SCAN_LEN:
            out[t] = _scanner_sub(t)
    if not todo:
        return out
    joined = _SEP.join(todo)
    starts, pos = [], 0
    for t in todo:
        starts.append(pos)
        pos += len(t) + len(_SEP)
    try:
        from launchready_tui.core.checks.secrets.classify import find_secrets
        from launchready_tui.core.checks.secrets.rules import compiled_rules

        found = [(m.start, m.end, m.rule) for m in find_secrets(joined, compiled_rules())]
    except Exception:  # noqa: BLE001 - see _scanner_sub
        found = [(m.start(), m.end(), "token") for m in _FALLBACK.finditer(joined)]
    per: dict[int, list[tuple[int, int, str]]] = {}
    redo: set[int] = set()
    for a, b, rule in found:
        i = bisect.bisect_right(starts, a) - 1
        end = starts[i] + len(todo[i])
        if b > end:
            redo.update(range(i, bisect.bisect_right(starts, b)))
            continue
        per.setdefault(i, []).append((a - starts[i], b - starts[i], rule))
    for i, t in enumerate(todo):
        if i in redo:
            out[t] = _scanner_sub(t)
        elif i in per:
            parts, last = [], 0
            for a, b, rule in per[i]:
                parts.append(t[last:a])
                parts.append(f"[redacted:{rule}]")
                last = b
            parts.append(t[last:])
            out[t] = "".join(parts)
    return out


# Used only when the rule file cannot be loaded: the commonest key shapes.
_FALLBACK = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-(?:proj-)?[A-Za-z0-9_-]{32,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
)


# ------------------------------------------------------------------------------- redactor


class Redactor:
    """Hides known values, URL secrets and scanner-rule matches in text and in nested
    JSON-like data. Build one per run (`for_profile`), use it everywhere."""

    def __init__(self, known: Iterable[tuple[str, str]] | Iterable[str] = (), *, rules: bool = True) -> None:
        forms: dict[str, str] = {}
        for item in known:
            name, value = item if isinstance(item, tuple) else ("secret", item)
            value = str(value or "")
            if len(value) < MIN_KNOWN_LEN:
                continue
            for v in {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}:
                forms.setdefault(v, str(name))
        self._forms = sorted(forms.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        self._re = re.compile("|".join(re.escape(v) for v, _ in self._forms)) if self._forms else None
        self._names = dict(self._forms)
        self.rules = rules

    @property
    def values(self) -> list[str]:
        return [v for v, _ in self._forms]

    def text(self, s: Any) -> Any:
        if not isinstance(s, str) or not s:
            return s
        s = scrub_urls(self.known(s))
        if self.rules:
            s = _scanner_sub(s)
        return s

    def known(self, s: str) -> str:
        """Only the known values (no URL or rule scrubbing)."""
        if self._re is None or not s:
            return s
        return self._re.sub(lambda m: f"[redacted:{self._names[m.group(0)]}]", s)

    def obj(self, o: Any) -> Any:
        """A redacted copy of JSON-like data (dicts, lists, tuples, strings); dataclasses
        are redacted in place. All its strings are scanned in one go."""
        strings: list[str] = []
        _collect(o, strings)
        if not strings:
            return o
        return self._rebuild(o, self.texts(strings))

    def texts(self, strings: list[str]) -> dict[str, str]:
        """original -> redacted, for many strings (one scanner pass)."""
        first = {t: scrub_urls(self.known(t)) for t in dict.fromkeys(strings) if t}
        if not self.rules:
            return first
        scanned = _scanner_many(list(first.values()))
        return {t: scanned[v] for t, v in first.items()}

    def _rebuild(self, o: Any, m: dict[str, str]) -> Any:
        if isinstance(o, str):
            return m.get(o, o)
        if isinstance(o, list):
            return [self._rebuild(v, m) for v in o]
        if isinstance(o, tuple):
            return tuple(self._rebuild(v, m) for v in o)
        if isinstance(o, dict):
            return {m.get(k, k) if isinstance(k, str) else k: self._rebuild(v, m) for k, v in o.items()}
        if is_dataclass(o) and not isinstance(o, type):
            for f in fields(o):
                if not f.name.startswith("_"):
                    try:
                        object.__setattr__(o, f.name, self._rebuild(getattr(o, f.name), m))
                    except (AttributeError, TypeError):
                        pass
            return o
        return o

    def result(self, r: Any) -> Any:
        """A CheckResult with its target, summary, evidence, why and fix redacted."""
        ev = getattr(r, "evidence", None)
        texts = [getattr(r, n, None) for n in ("summary", "why", "fix")]
        strings: list[str] = [t for t in texts if isinstance(t, str)]
        if isinstance(ev, dict):
            _collect(ev, strings)
        m = self.texts(strings)
        for name in ("summary", "why", "fix"):
            v = getattr(r, name, None)
            if isinstance(v, str):
                setattr(r, name, m.get(v, v))
        t = getattr(r, "target", None)
        if isinstance(t, str) and t:  # a key and often a URL: keep it parseable
            r.target = clean_url(self.known(t))
        if isinstance(ev, dict):
            r.evidence = self._rebuild(ev, m)
        return r

    def result_dict(self, d: dict) -> dict:
        """A result's dict (`CheckResult.to_dict()`), redacted the same way as `result`."""
        out = {k: (v if k == "target" else self.obj(v)) for k, v in d.items()}
        if isinstance(out.get("target"), str) and out["target"]:
            out["target"] = clean_url(self.known(out["target"]))
        return out

    @classmethod
    def for_profile(cls, profile: Profile | None, credentials: CredentialStore | None = None,
                    state: dict | None = None) -> Redactor:
        return cls(known_secrets(profile, credentials, state))


def scrub(text: str) -> str:
    """URL secrets and scanner-rule matches (no known values): for streamed command output,
    whose known values another layer already replaced."""
    if not isinstance(text, str) or not text:
        return text
    return _scanner_sub(scrub_urls(text))


def _collect(o: Any, out: list[str], depth: int = 0) -> None:
    if depth > 200:
        return
    if isinstance(o, str):
        out.append(o)
    elif isinstance(o, list | tuple):
        for v in o:
            _collect(v, out, depth + 1)
    elif isinstance(o, dict):
        for k, v in o.items():
            if isinstance(k, str):
                out.append(k)
            _collect(v, out, depth + 1)
    elif is_dataclass(o) and not isinstance(o, type):
        for f in fields(o):
            if not f.name.startswith("_"):
                _collect(getattr(o, f.name, None), out, depth + 1)


def redact_text(text: str, known: Iterable[tuple[str, str]] | Iterable[str] = ()) -> str:
    return Redactor(known).text(text)


# ------------------------------------------------------------------------------- known values


def known_secrets(profile: Profile | None, credentials: CredentialStore | None = None,
                  state: dict | None = None) -> list[tuple[str, str]]:
    """(name, value) of every secret this project knows: keyring values of its stored
    credentials and the secret values of its env files. Blocking (keyring, files): call
    it in a thread. A keyring or file problem only means less to hide, never a crash."""
    out: list[tuple[str, str]] = []
    if profile is None:
        return out
    try:
        if state is None:
            from launchready_tui.core.state import StateStore

            state = StateStore(profile.state_dir).load()
    except Exception:  # noqa: BLE001 - unreadable state: the env files still count
        state = {}
    creds = state.get("credentials") if isinstance(state, dict) else None
    ids = sorted(str(k) for k, v in (creds or {}).items()
                 if not (isinstance(v, dict) and v.get("has_value") is False))
    store = credentials
    if store is None and ids:
        try:
            from launchready_tui.core.credentials import CredentialStore

            store = CredentialStore.for_profile(profile)
        except Exception:  # noqa: BLE001
            store = None
    if store is not None:
        for cid in ids:
            try:
                value = store.get_value(cid)
            except Exception:  # noqa: BLE001 - a locked or missing keyring: stop asking it
                break
            if value and isinstance(value, str):
                out.append((cid, value))
    out += [("env-file", v) for v in env_file_secrets(profile)]
    out += account_env_secrets(profile)
    return out


def account_env_secrets(profile: Profile | None,
                        environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, value) of the account tokens read from the process environment in CI (the
    `credential_env` of the cloudflare, monitoring and error_tracking sections)."""
    import os

    environ = os.environ if environ is None else environ
    out: list[tuple[str, str]] = []
    for section in ("cloudflare", "monitoring", "error_tracking"):
        conf = profile.get(section) if profile is not None else None
        name = conf.get("credential_env") if isinstance(conf, dict) else None
        value = environ.get(str(name)) if name else None
        if value:
            out.append((str(name), value))
    return out


def prepare(profile: Profile | None, credentials: CredentialStore | None = None, state: dict | None = None) -> Redactor:
    """A Redactor for this project with the scanner's rules already loaded. Blocking (keyring,
    files, the rule file): call it in a thread, so the app's event loop never waits on it."""
    red = Redactor(known_secrets(profile, credentials, state))
    try:
        from launchready_tui.core.checks.secrets.rules import compiled_rules

        compiled_rules()
    except Exception:  # noqa: BLE001 - the fallback patterns apply then
        pass
    return red


def env_file_secrets(profile: Profile) -> list[str]:
    """Secret values of the env files the profile names: values the scanner's rules call
    a secret (by value, or by a secret-looking variable name), and the password inside a
    URL. Files are read with the env check's bounded parser."""
    from launchready_tui.core.checks.env import MAX_ENV_BYTES, parse_env_text

    try:
        from launchready_tui.core.checks.secrets.classify import classify
        from launchready_tui.core.checks.secrets.rules import compiled_rules

        rules = compiled_rules()

        def is_secret(name: str, value: str) -> bool:
            return classify(value, name, rules).kind == "secret"
    except Exception:  # noqa: BLE001 - a broken rule file: hide by name and shape instead
        def is_secret(name: str, value: str) -> bool:
            return bool(_FALLBACK.search(value) or (
                re.search(r"SECRET|TOKEN|PASSW|KEY|DSN|CREDENTIAL|PRIVATE", name, re.I)
                and len(value) >= 10 and not value.isalpha()))
    out: list[str] = []
    envs = profile.get("environments") or {}
    if not isinstance(envs, dict):
        return out
    for env in envs.values():
        if not isinstance(env, dict) or not env.get("env_file"):
            continue
        try:
            from launchready_tui.core.safe_read import read_regular

            raw = read_regular(profile.resolve_path(str(env["env_file"])), MAX_ENV_BYTES)
            values = parse_env_text(raw.decode("utf-8-sig", "replace"))[0]
        except (OSError, ValueError):
            continue
        for name, value in values.items():
            value = value.strip()
            if len(value) < MIN_KNOWN_LEN:
                continue
            try:
                u = urlsplit(value)
                pw = u.password if u.scheme and u.netloc else None
            except ValueError:
                pw = None
            if pw:
                # the whole URL always; the password alone when it is not a plain word
                # (hiding "staging" everywhere would wreck every text without protecting anything)
                if len(pw) >= 10 and not pw.isalpha():
                    out.append(pw)
                out.append(value)
                continue
            if is_secret(name, value):
                out.append(value)
    return out
