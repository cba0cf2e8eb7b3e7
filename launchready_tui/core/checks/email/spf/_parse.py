"""SPF syntax (RFC 7208 sections 4.6 and 7): `parse_spf(text)`, pure, every error
listed; the limits and the name rules the other parts share."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOKUP_LIMIT = 10  # RFC 7208 4.6.4: include, a, mx, ptr, exists, redirect
VOID_LIMIT = 2  # RFC 7208 4.6.4: lookups answering NXDOMAIN or no records
ADDRESS_LIMIT = 10  # RFC 7208 4.6.4: address lookups per mx, names per ptr
RECORD_SOFT_LIMIT = 450  # RFC 7208 3.4: keep the answer within 512 bytes over UDP

RESULTS = ("none", "neutral", "pass", "fail", "softfail", "temperror", "permerror")
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
DNS_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")

# ---------------------------------------------------------------------------- parsing


class SpfSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    """One term of a record: a mechanism (`kind` = mechanism name) or a modifier."""

    text: str
    kind: str  # "all", "include", ..., or "modifier"
    qualifier: str = "+"
    domain_spec: str | None = None  # macro-string naming a domain (may be None: current domain)
    cidr4: int = 32
    cidr6: int = 128
    network: Any = None  # ipaddress network for ip4/ip6
    name: str = ""  # modifier name, lower case
    value: str = ""  # modifier value

    @property
    def is_mechanism(self) -> bool:
        return self.kind != "modifier"

    @property
    def costs_lookup(self) -> bool:
        return self.kind in DNS_TERMS or (self.kind == "modifier" and self.name == "redirect")


@dataclass
class SpfRecord:
    text: str
    terms: list[Term] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def mechanisms(self) -> list[Term]:
        return [t for t in self.terms if t.is_mechanism]

    def modifier(self, name: str) -> Term | None:
        for t in self.terms:
            if t.kind == "modifier" and t.name == name:
                return t
        return None

    @property
    def redirect(self) -> Term | None:
        return self.modifier("redirect")

    @property
    def all_term(self) -> Term | None:
        for t in self.terms:
            if t.kind == "all":
                return t
        return None

    @property
    def valid(self) -> bool:
        return not self.errors


def is_spf_record(text: str) -> bool:
    """RFC 7208 4.5: `v=spf1` (any case) followed by a space or the end."""
    low = text[:7].lower()
    return low == "v=spf1" or low == "v=spf1 "


_MOD_RE = re.compile(r"^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$", re.S)
_MECH_NAME_RE = re.compile(r"^([A-Za-z0-9\-_.]*)(.*)$", re.S)
_TOPLABEL_RE = re.compile(
    r"^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])$"
)
_MACRO_RE = re.compile(r"%\{([A-Za-z])([0-9]*)(r?)([.\-+,/_=]*)\}", re.I)
_DOMAIN_LETTERS = set("slodiphv")
_EXP_LETTERS = _DOMAIN_LETTERS | set("crt")


def _check_macro_string(s: str, *, explanation: bool = False) -> None:
    """Raise SpfSyntaxError unless s is a valid macro-string (RFC 7208 section 7.1)."""
    letters = _EXP_LETTERS if explanation else _DOMAIN_LETTERS
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "%":
            nxt = s[i + 1 : i + 2]
            if nxt in ("%", "_", "-"):
                i += 2
                continue
            m = _MACRO_RE.match(s, i)
            if not m:
                raise SpfSyntaxError(f"'{s}' has an invalid macro at '{s[i:i + 6]}'")
            if m.group(1).lower() not in letters:
                raise SpfSyntaxError(f"'{s}' uses the macro %{{{m.group(1)}}}, not allowed here")
            if m.group(2) and int(m.group(2)) == 0:
                raise SpfSyntaxError(f"'{s}' asks for zero labels in a macro")
            i = m.end()
            continue
        if explanation:
            if not (" " <= ch <= "~"):
                raise SpfSyntaxError("explanation contains a character outside visible ASCII")
        elif not ("!" <= ch <= "~"):
            raise SpfSyntaxError(f"'{_show(s)}' contains a space or control character")
        i += 1


def _check_domain_spec(spec: str) -> None:
    """domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand."""
    if not spec:
        raise SpfSyntaxError("a domain name is missing")
    _check_macro_string(spec)
    if spec.endswith("}") and "%{" in spec:
        return
    if spec[-2:] in ("%%", "%_", "%-"):
        return
    body = spec[:-1] if spec.endswith(".") else spec
    if "." not in body:
        raise SpfSyntaxError(f"'{spec}' is not a fully qualified domain name")
    top = body.rsplit(".", 1)[1]
    if not _TOPLABEL_RE.match(top):
        raise SpfSyntaxError(f"'{spec}' does not end in a valid top-level label")


def _show(s: str) -> str:
    return s.encode("unicode_escape").decode("ascii")


def _cidr(text: str, maximum: int, whole: str) -> int:
    if not text.isdigit() or (len(text) > 1 and text[0] == "0") or int(text) > maximum:
        raise SpfSyntaxError(f"'{whole}' has an invalid prefix length /{text}")
    return int(text)


def _parse_term(text: str) -> Term:
    m = _MOD_RE.match(text)
    if m:
        name, value = m.group(1).lower(), m.group(2)
        if name in ("redirect", "exp"):
            _check_domain_spec(value)
        else:
            _check_macro_string(value)
        return Term(text=text, kind="modifier", name=name, value=value)
    qualifier = "+"
    body = text
    if body[:1] in QUALIFIERS:
        qualifier, body = body[0], body[1:]
    nm = _MECH_NAME_RE.match(body)
    name = nm.group(1).lower() if nm else ""
    rest = nm.group(2) if nm else body
    if "=" in text and name not in MECHANISMS:
        raise SpfSyntaxError(f"'{_show(text)}' is not a valid modifier (name=value)")
    if name not in MECHANISMS:
        raise SpfSyntaxError(f"'{_show(text)}' is not a known mechanism")
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"'{_show(text)}': `all` takes no argument")
        return Term(text=text, kind="all", qualifier=qualifier)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"'{_show(text)}': `{name}` needs ':domain'")
        spec = rest[1:]
        _check_domain_spec(spec)
        return Term(text=text, kind=name, qualifier=qualifier, domain_spec=spec)
    if name == "ptr":
        spec = None
        if rest:
            if not rest.startswith(":"):
                raise SpfSyntaxError(f"'{_show(text)}': `ptr` takes ':domain' only")
            spec = rest[1:]
            _check_domain_spec(spec)
        return Term(text=text, kind="ptr", qualifier=qualifier, domain_spec=spec)
    if name in ("a", "mx"):
        cidr4, cidr6 = 32, 128
        m6 = re.search(r"//([0-9]+)$", rest)
        if m6:
            cidr6 = _cidr(m6.group(1), 128, text)
            rest = rest[: m6.start()]
        m4 = re.search(r"/([0-9]+)$", rest)
        if m4:
            cidr4 = _cidr(m4.group(1), 32, text)
            rest = rest[: m4.start()]
        spec = None
        if rest:
            if not rest.startswith(":"):
                raise SpfSyntaxError(f"'{_show(text)}' is not valid `{name}` syntax")
            spec = rest[1:]
            _check_domain_spec(spec)
        return Term(text=text, kind=name, qualifier=qualifier, domain_spec=spec, cidr4=cidr4, cidr6=cidr6)
    # ip4 / ip6
    if not rest.startswith(":") or len(rest) < 2:
        raise SpfSyntaxError(f"'{_show(text)}': `{name}` needs ':address'")
    addr, _, plen = rest[1:].partition("/")
    try:
        if "%" in addr:
            raise ValueError
        ip = ipaddress.IPv4Address(addr) if name == "ip4" else ipaddress.IPv6Address(addr)
    except ValueError:
        raise SpfSyntaxError(f"'{_show(text)}' is not a valid {name.upper()} address") from None
    maximum = 32 if name == "ip4" else 128
    bits = _cidr(plen, maximum, text) if "/" in rest else maximum
    net = ipaddress.ip_network(f"{ip}/{bits}", strict=False)
    return Term(text=text, kind=name, qualifier=qualifier, network=net)


def parse_spf(text: str) -> SpfRecord:
    """Parse one SPF record. Never raises for bad syntax: `errors` lists every problem."""
    rec = SpfRecord(text=text)
    if not is_spf_record(text):
        rec.errors.append("the record does not start with `v=spf1`")
        return rec
    if any(ord(c) > 127 for c in text):
        rec.errors.append("the record contains non-ASCII characters (RFC 7208 3.1)")
    seen: set[str] = set()
    for raw in text[6:].split(" "):
        if not raw:
            continue
        try:
            term = _parse_term(raw)
        except SpfSyntaxError as e:
            rec.errors.append(str(e))
            continue
        if term.kind == "modifier" and term.name in ("redirect", "exp"):
            if term.name in seen:
                rec.errors.append(f"`{term.name}=` appears more than once")
            seen.add(term.name)
        rec.terms.append(term)
    return rec


# ---------------------------------------------------------------------------- names


def _valid_query_name(name: str) -> bool:
    labels = name.rstrip(".").split(".")
    return bool(name.rstrip(".")) and all(0 < len(x) <= 63 for x in labels)


def _initial_domain_ok(domain: str) -> bool:
    """RFC 7208 4.3: a malformed or single-label domain gives `none` without a lookup."""
    d = domain.rstrip(".")
    if not d or d.startswith("[") or "." not in d or len(d) > 253:
        return False
    return _valid_query_name(d)


def _truncate(name: str) -> str:
    """RFC 7208 7.3: drop labels from the left until the name fits in 253 characters."""
    name = name.rstrip(".")
    while len(name) > 253 and "." in name:
        name = name.split(".", 1)[1]
    return name


def reverse_name(ip: IPAddress) -> str:
    return ip.reverse_pointer


def _ip_dotted(ip: IPAddress) -> str:
    if ip.version == 4:
        return str(ip)
    return ".".join(ip.exploded.replace(":", ""))



MAX_WALK_NODES = 60
