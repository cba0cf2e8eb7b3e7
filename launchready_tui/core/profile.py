"""Load and validate `launchready.yaml` into a frozen `Profile`.

The profile keys are a contract (other tools write these files): keys may be added here,
never renamed. Every error names the file, the line and the key path, and says what was
expected. Unknown keys are warnings with "did you mean" help, not errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.errors import Problem, ProfileError, Warning_
from launchready_tui.core.yamlpos import YamlSyntaxError, load_with_lines

if TYPE_CHECKING:
    from launchready_tui.core.net import NetConfig

PROFILE_FILENAME = "launchready.yaml"
MAX_PROFILE_BYTES = 1024 * 1024  # a profile is a few KB; anything this big is not one

# --- schema ----------------------------------------------------------------------------
# A tiny schema language: "str", "int", "num", "bool", ("list", T), ("map", T),
# {"key": T, ...} for a struct, ("any", T1, T2) for alternatives.

_STR, _INT, _NUM, _BOOL = "str", "int", "num", "bool"

# The keys every part reads. Each check kind brings the keys it reads itself (its
# `Kind.schema`, merged in by `schema()`), so a new kind's key needs no edit here.
BASE_SCHEMA: dict[str, Any] = {
    "project": _STR,
    "domain": _STR,
    "canonical_host": _STR,
    "hosts": ("map", _STR),
    "email": {
        "domain": _STR,
        "provider": _STR,
    },
    "network": {
        "nameservers": ("list", _STR),
        "connect_to": ("list", _STR),
        "ca_bundle": _STR,
        "timeout_s": _NUM,
        "origins": ("map", _STR),
        # private/loopback networks LaunchReady may fetch from when a certificate names
        # an issuer download (AIA) there; the lab allows its own 127.0.0.0/8 (issue 20)
        "allow_addresses": ("list", _STR),
    },
}
_schema: dict[str, Any] | None = None


def schema() -> dict[str, Any]:
    """The whole profile schema: the base keys plus every kind's own (see `Kind.schema`)."""
    global _schema
    if _schema is None:
        from launchready_tui.core.checks.base import merge_schema
        from launchready_tui.core.registry import schema_fragments

        merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE_SCHEMA.items()}
        for fragment in schema_fragments():
            merge_schema(merged, fragment)
        _schema = merged
    return _schema


def __getattr__(name: str) -> Any:
    if name == "SCHEMA":  # the merged schema, built on first use (it reads the kinds' index)
        return schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


REQUIRED = ("project", "domain")


def _type_name(t: Any) -> str:
    if t == _STR:
        return "text"
    if t == _INT:
        return "a whole number"
    if t == _NUM:
        return "a number"
    if t == _BOOL:
        return "true or false"
    if isinstance(t, dict):
        return "a mapping of keys (" + ", ".join(t) + ")"
    if t[0] == "list":
        return f"a list of {_type_name(t[1])}"
    if t[0] == "map":
        return f"a mapping of names to {_type_name(t[1])}"
    if t[0] == "any":
        return " or ".join(_type_name(x) for x in t[1:])
    return str(t)


class _Validator:
    def __init__(self, file: str, lines: dict[str, int]) -> None:
        self.file, self.lines = file, lines
        self.problems: list[Problem] = []
        self.warnings: list[Warning_] = []

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rsplit(".", 1)[0] if "." in path else path.split("[")[0]
            if path in self.lines:
                return self.lines[path]
            if "." not in path and "[" not in path:
                break
        return self.lines.get("")

    def err(self, path: str, msg: str, expected: str | None = None) -> None:
        self.problems.append(Problem(self.file, self.line(path), path, msg, expected))

    def check(self, value: Any, t: Any, path: str) -> bool:
        if value is None:
            return True  # null means "not set"; every key but project/domain is optional
        if t == _STR:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.err(path, f"has {_describe(value)}", "text")
                return False
            return True
        if t == _INT:
            if isinstance(value, bool) or not isinstance(value, int):
                self.err(path, f"has {_describe(value)}", "a whole number")
                return False
            return True
        if t == _NUM:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.err(path, f"has {_describe(value)}", "a number")
                return False
            if value < 0:
                self.err(path, "is negative", "a number of zero or more")
                return False
            return True
        if t == _BOOL:
            if not isinstance(value, bool):
                self.err(path, f"has {_describe(value)}", "true or false")
                return False
            return True
        if isinstance(t, dict):
            if not isinstance(value, dict):
                self.err(path, f"has {_describe(value)}", _type_name(t))
                return False
            ok = True
            for k, v in value.items():
                sub = f"{path}.{k}" if path else str(k)
                if k not in t:
                    hint = difflib.get_close_matches(str(k), list(t), n=1)
                    msg = f"unknown key '{k}'"
                    if hint:
                        msg += f" - did you mean '{hint[0]}'?"
                    else:
                        msg += " (it is ignored)"
                    self.warnings.append(Warning_(self.file, self.line(sub), sub, msg))
                    continue
                ok = self.check(v, t[k], sub) and ok
            return ok
        kind = t[0]
        if kind == "list":
            if not isinstance(value, list):
                self.err(path, f"has {_describe(value)}", _type_name(t))
                return False
            return all([self.check(v, t[1], f"{path}[{i}]") for i, v in enumerate(value)])
        if kind == "map":
            if not isinstance(value, dict):
                self.err(path, f"has {_describe(value)}", _type_name(t))
                return False
            return all([self.check(v, t[1], f"{path}.{k}") for k, v in value.items()])
        if kind == "any":
            for alt in t[1:]:
                probe = _Validator(self.file, self.lines)
                if probe.check(value, alt, path):
                    self.warnings.extend(probe.warnings)
                    return True
            self.err(path, f"has {_describe(value)}", _type_name(t))
            return False
        raise AssertionError(t)  # pragma: no cover


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the value {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{value}'"


# --- the Profile -----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A validated profile. `data` keeps the validated mapping for templating."""

    path: Path
    project: str
    domain: str
    data: dict[str, Any] = field(repr=False)
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    warnings: tuple[Warning_, ...] = ()

    @property
    def dir(self) -> Path:
        return self.path.parent

    @property
    def state_dir(self) -> Path:
        return self.dir / ".launchready"

    def get(self, dotted: str, default: Any = None) -> Any:
        cur: Any = self.data
        for part in dotted.split("."):
            if isinstance(cur, dict) and part in cur and cur[part] is not None:
                cur = cur[part]
            else:
                return default
        return cur

    @property
    def canonical_host(self) -> str:
        return str(self.get("canonical_host") or self.domain)

    @property
    def hosts(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.get("hosts") or {}).items()}

    def all_hosts(self) -> list[str]:
        """The apex, www and every host role, each once, in a stable order."""
        out: list[str] = []
        for h in [self.domain, self.canonical_host, *self.hosts.values()]:
            h = h.lower().rstrip(".")
            if h and h not in out:
                out.append(h)
        return out

    def resolve_path(self, p: str) -> Path:
        q = Path(p).expanduser()
        return q if q.is_absolute() else (self.dir / q)

    def display_host(self, host: str | None = None) -> str:
        """A host name as people read it (the U-label of an IDN; the domain by default)."""
        return to_ulabel(host or self.domain)

    def is_own_host(self, host: str) -> bool:
        """True when host is the domain or below it, or a profile host."""
        try:
            host = to_alabel(host)
        except ValueError:
            return False
        d = self.domain.lower().rstrip(".")
        return host == d or host.endswith("." + d) or host in self.all_hosts()

    def line_of(self, dotted: str) -> int | None:
        return self.lines.get(dotted)


def load_profile(path: str | Path) -> Profile:
    """Read, parse and validate a profile. Raises ProfileError with file:line:field."""
    from launchready_tui.core.safe_read import NotAFileError, TooBigError, read_regular

    p = Path(path)
    file = str(p)
    try:
        raw = read_regular(p, MAX_PROFILE_BYTES)
    except (NotAFileError, TooBigError) as e:
        raise ProfileError(Problem(file, None, None, f"{e.reason}; a profile is a small YAML file",
                                   "a launchready.yaml file")) from None
    except FileNotFoundError:
        raise ProfileError(
            Problem(
                file,
                None,
                None,
                "no profile here. Create one with `launchready init`, or pass --profile PATH",
            )
        ) from None
    except IsADirectoryError:
        raise ProfileError(Problem(file, None, None, "is a folder, not a profile file")) from None
    except OSError as e:
        raise ProfileError(Problem(file, None, None, f"cannot be read: {e.strerror}")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ProfileError(
            Problem(file, line, None, "is not UTF-8 text", "a UTF-8 encoded YAML file")
        ) from None
    return parse_profile(text, file)


def parse_profile(text: str, file: str = PROFILE_FILENAME) -> Profile:
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as e:
        raise ProfileError(Problem(file, e.line, None, e.text)) from None
    if data is None:
        data = {}
    v = _Validator(file, lines)
    if not isinstance(data, dict):
        raise ProfileError(
            Problem(file, 1, None, f"the top level has {_describe(data)}", "a mapping of keys")
        )
    v.check(data, schema(), "")
    for key in REQUIRED:
        if not data.get(key):
            v.err(key, "is missing", "text, for example " + ("Acme Creators" if key == "project" else "acme.example"))
    _semantic_checks(data, v)
    if v.problems:
        raise ProfileError(v.problems)
    _check_ca_bundle(data, v, Path(file).parent)
    if v.problems:
        raise ProfileError(v.problems)
    return Profile(
        path=Path(file),
        project=str(data["project"]),
        domain=str(data["domain"]).lower().rstrip("."),
        data=data,
        lines=lines,
        warnings=tuple(v.warnings),
    )


def _semantic_checks(data: dict, v: _Validator) -> None:
    import ipaddress

    from launchready_tui.core.net import parse_connect_to, parse_nameserver

    net = data.get("network") or {}
    if isinstance(net, dict):
        for i, ns in enumerate(net.get("nameservers") or []):
            try:
                parse_nameserver(str(ns))
            except ValueError as e:
                v.err(f"network.nameservers[{i}]", str(e), "IP or IP:PORT")
        for i, ct in enumerate(net.get("connect_to") or []):
            try:
                parse_connect_to(str(ct))
            except ValueError as e:
                v.err(f"network.connect_to[{i}]", str(e), "HOST:PORT:HOST2:PORT2")
        for i, a in enumerate(net.get("allow_addresses") or []):
            try:
                ipaddress.ip_network(str(a), strict=False)
            except ValueError:
                v.err(f"network.allow_addresses[{i}]", f"'{a}' is not an address or network",
                      "an IP address or a network like 127.0.0.0/8")
        t = net.get("timeout_s")
        if isinstance(t, int | float) and not isinstance(t, bool) and not 0 < t <= 120:
            v.err("network.timeout_s", f"is {t}", "a number of seconds between 0 and 120")
    for key in ("domain", "canonical_host"):
        val = data.get(key)
        if isinstance(val, str) and _is_ip(val):
            v.err(key, f"'{val}' is an IP address; LaunchReady checks a domain name", "a bare name like acme.example")
        elif isinstance(val, str) and ("/" in val or " " in val or ":" in val):
            v.err(key, f"'{val}' looks like a URL, not a host name", "a bare name like acme.example")
        elif isinstance(val, str) and val.strip():
            _normalize_host(data, key, key, val, v)
    hosts = data.get("hosts")
    if isinstance(hosts, dict):
        for role, h in hosts.items():
            if isinstance(h, str) and ("/" in h or " " in h):
                v.err(f"hosts.{role}", f"'{h}' looks like a URL, not a host name", "a bare name like app.acme.example")
            elif isinstance(h, str) and h.strip():
                _normalize_host(hosts, role, f"hosts.{role}", h, v)
    email = data.get("email")
    if isinstance(email, dict) and isinstance(email.get("domain"), str) and email["domain"].strip():
        _normalize_host(email, "domain", "email.domain", email["domain"], v)


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text.strip().strip("[]"))
        return True
    except ValueError:
        return False


def to_alabel(name: str) -> str:
    """A host name as its A-label (IDNA 2008, with UTS 46 mapping: `exämple.com` ->
    `xn--exmple-cua.com`). Raises ValueError with plain words. ASCII names come back
    lower-cased, without the trailing dot."""
    name = str(name).strip().rstrip(".")
    if name.isascii():
        name = name.lower()
        if "xn--" not in name:
            return name
    import idna

    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as e:
        raise ValueError(f"'{name}' is not a valid international domain name ({e})") from None


def to_ulabel(name: str) -> str:
    """The name as people read it (`xn--exmple-cua.com` -> `exämple.com`)."""
    if "xn--" not in name:
        return name
    try:
        import idna

        return idna.decode(name)
    except Exception:  # noqa: BLE001 - shown as it is
        return name


_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def host_problem(name: str) -> str | None:
    """Why an (A-label) host name cannot be used, or None."""
    import ipaddress

    try:
        ipaddress.ip_address(name.strip("[]"))
        return f"'{name}' is an IP address; LaunchReady checks a domain name"
    except ValueError:
        pass
    if name == "localhost" or name.endswith(".localhost"):
        return f"'{name}' is this computer, not a public domain"
    if len(name) > 253:
        return f"the name is {len(name)} characters long; DNS allows at most 253"
    for label in name.split("."):
        if not label:
            return f"'{name}' has an empty part between dots"
        if len(label) > 63:
            return f"the part '{label[:20]}...' is {len(label)} characters long; DNS allows at most 63 per part"
        if not set(label) <= _LDH:
            bad = next(c for c in label if c not in _LDH)
            return f"'{name}' contains the character '{bad}', which a host name cannot have"
        if label.startswith("-") or label.endswith("-"):
            return f"the part '{label}' starts or ends with '-'"
    return None


def _normalize_host(container: dict, key: Any, path: str, value: str, v: _Validator) -> None:
    """Validate a host name and store it as its A-label, once, at load; checks then only
    see A-labels and people are shown the U-label (`Profile.display_host`)."""
    try:
        a = to_alabel(value)
    except ValueError as e:
        v.err(path, str(e), "a host name like acme.example")
        return
    problem = host_problem(a)
    if problem:
        v.err(path, problem, "a public host name like acme.example")
        return
    container[key] = a


def _check_ca_bundle(data: dict, v: _Validator, base: Path) -> None:
    """A `network.ca_bundle` that cannot be read is a load error (not 50 handshake errors)."""

    net = data.get("network")
    ca = net.get("ca_bundle") if isinstance(net, dict) else None
    if not isinstance(ca, str) or not ca.strip():
        return
    path = Path(ca).expanduser()
    path = path if path.is_absolute() else base / path
    problem = ca_bundle_problem(path)
    if problem:
        v.err("network.ca_bundle", problem, "a readable PEM file of CA certificates")


def ca_bundle_problem(path: Path) -> str | None:
    """Why a CA bundle file cannot be used, or None (a cheap read, no TLS import)."""
    from launchready_tui.core.safe_read import read_regular

    try:
        raw = read_regular(path, 16 * 1024 * 1024)
    except FileNotFoundError:
        return f"{path} does not exist"
    except OSError as e:
        return f"{path} cannot be read ({getattr(e, 'reason', None) or e.strerror or e})"
    if b"-----BEGIN CERTIFICATE-----" not in raw:
        return f"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
    return None


def find_profile(path: str | Path | None) -> Path:
    return Path(path) if path else Path.cwd() / PROFILE_FILENAME


def net_config(profile: Profile | None, *, nameservers: Iterable[Any] | None = None,
               connect_to: Sequence[Any] | None = None, ca_bundle: str | None = None,
               timeout_s: float | None = None) -> NetConfig:
    """Build the NetConfig from the profile's `network`, with CLI flags overriding."""
    from launchready_tui.core.net import NetConfig, parse_connect_to, parse_nameserver

    net = (profile.get("network") if profile else None) or {}
    ns = nameservers if nameservers else (net.get("nameservers") or [])
    ct = connect_to if connect_to is not None and len(connect_to) else (net.get("connect_to") or [])
    ca = ca_bundle or net.get("ca_bundle")
    if ca and profile and not Path(ca).is_absolute():
        ca = str(profile.resolve_path(ca))
    return NetConfig(
        nameservers=tuple(n if not isinstance(n, str) else parse_nameserver(n) for n in ns),
        connect_to=tuple(c if not isinstance(c, str) else parse_connect_to(c) for c in ct),
        ca_bundle=ca,
        timeout_s=float(timeout_s or net.get("timeout_s") or 5.0),
        origins={str(k): str(v) for k, v in (net.get("origins") or {}).items()},
        allow_addresses=tuple(str(a) for a in (net.get("allow_addresses") or [])),
    )
