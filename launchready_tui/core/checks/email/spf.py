"""SPF (RFC 7208): a complete `check_host()` engine and the launch-readiness verdict.

Founders cannot judge an SPF record by eye, and receivers are strict: one extra DNS
lookup, a second record or a stray `+all` silently turns "pass" into "permerror" or
authorizes the whole internet. This module has three layers, kept apart on purpose:

* `parse_spf(text)` - pure syntax (RFC 7208 section 4.6 and 7 ABNF), every error listed;
* `check_host(resolver, ip, domain, sender)` - the RFC's evaluation, with macros, the
  10-lookup, 2-void and 10-address limits and all seven results; it only needs an object
  with `async query(name, rdtype) -> DnsAnswer` that raises `DnsFailure`;
* `walk_spf(resolver, domain)` - an IP-independent walk of the include/redirect tree
  that keeps going past 10 lookups, so the user sees which include blew the budget;
  `evaluate_spf(report)` turns that into findings and a suggested record, without I/O.

`check(ctx, target, params)` is the entry point the engine calls.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
from dataclasses import dataclass, field
from typing import Any

from launchready_tui.core.net import DnsAnswer, DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, Status, errored, failed, passed, warned

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


def reverse_name(ip) -> str:
    return ip.reverse_pointer


def _ip_dotted(ip) -> str:
    if ip.version == 4:
        return str(ip)
    return ".".join(ip.exploded.replace(":", ""))


# ---------------------------------------------------------------------------- check_host


class _PermError(Exception):
    pass


class _TempError(Exception):
    pass


@dataclass
class SpfResult:
    result: str
    domain: str
    mechanism: str = ""
    explanation: str = ""
    reason: str = ""
    lookups: int = 0
    void_lookups: int = 0


@dataclass
class _Eval:
    resolver: Any
    ip: Any
    sender: str
    helo: str
    receiver: str = "unknown"
    lookups: int = 0
    voids: int = 0
    _p: str | None = None

    @property
    def local(self) -> str:
        return self.sender.rsplit("@", 1)[0] or "postmaster"

    @property
    def sender_domain(self) -> str:
        return self.sender.rsplit("@", 1)[1]

    def count_lookup(self, what: str) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise _PermError(f"more than {LOOKUP_LIMIT} DNS lookups (at {what})")

    def count_void(self, name: str) -> None:
        self.voids += 1
        if self.voids > VOID_LIMIT:
            raise _PermError(f"more than {VOID_LIMIT} void lookups (at {name})")

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        try:
            return await self.resolver.query(name, rdtype)
        except DnsFailure as e:
            raise _TempError(str(e)) from None

    # --- macros
    async def expand(self, spec: str, domain: str, *, explanation: bool = False) -> str:
        out: list[str] = []
        i = 0
        while i < len(spec):
            ch = spec[i]
            if ch != "%":
                out.append(ch)
                i += 1
                continue
            nxt = spec[i + 1 : i + 2]
            if nxt == "%":
                out.append("%")
                i += 2
                continue
            if nxt == "_":
                out.append(" ")
                i += 2
                continue
            if nxt == "-":
                out.append("%20")
                i += 2
                continue
            m = _MACRO_RE.match(spec, i)
            if not m:
                raise _PermError(f"invalid macro in '{spec}'")
            letter, digits, rev, delims = m.groups()
            value = await self._macro_value(letter.lower(), domain, explanation)
            parts = re.split("[" + re.escape(delims or ".") + "]", value)
            if rev:
                parts.reverse()
            if digits:
                n = int(digits)
                if n == 0:
                    raise _PermError("macro asks for zero labels")
                parts = parts[-n:]
            value = ".".join(parts)
            if letter.isupper():
                value = _url_escape(value)
            out.append(value)
            i = m.end()
        return "".join(out)

    async def _macro_value(self, letter: str, domain: str, explanation: bool) -> str:
        if letter == "s":
            return self.sender
        if letter == "l":
            return self.local
        if letter == "o":
            return self.sender_domain
        if letter == "d":
            return domain
        if letter == "i":
            return _ip_dotted(self.ip)
        if letter == "v":
            return "in-addr" if self.ip.version == 4 else "ip6"
        if letter == "h":
            return self.helo
        if letter == "p":
            return await self._validated_name(domain)
        if explanation and letter == "c":
            return str(self.ip)
        if explanation and letter == "r":
            return self.receiver
        if explanation and letter == "t":
            return str(int(time.time()))
        raise _PermError(f"macro %{{{letter}}} is not allowed here")

    async def _validated_name(self, domain: str) -> str:
        """The %{p} macro: a PTR name of the IP whose addresses include the IP."""
        if self._p is not None:
            return self._p
        names = await self._validated_ptr_names()
        d = domain.lower().rstrip(".")
        pick = next((n for n in names if n.lower() == d), None)
        pick = pick or next((n for n in names if n.lower().endswith("." + d)), None)
        self._p = pick or (names[0] if names else "unknown")
        return self._p

    async def _validated_ptr_names(self) -> list[str]:
        try:
            ans = await self.resolver.query(reverse_name(self.ip), "PTR")
        except DnsFailure:
            return []
        out = []
        rdtype = "A" if self.ip.version == 4 else "AAAA"
        for name in ans.records[:ADDRESS_LIMIT]:
            name = name.rstrip(".")
            try:
                addrs = await self.resolver.query(name, rdtype)
            except DnsFailure:
                continue
            if any(_same_ip(a, self.ip) for a in addrs.records):
                out.append(name)
        return out

    async def target(self, term: Term, domain: str) -> str | None:
        """The target-name of a mechanism; None when the expansion is not a usable name."""
        if term.domain_spec is None:
            return domain
        name = _truncate(await self.expand(term.domain_spec, domain))
        return name if _valid_query_name(name) else None

    # --- records
    async def fetch_record(self, domain: str) -> SpfRecord | None:
        ans = await self.query(domain, "TXT")
        if ans.nxdomain:
            return None
        recs = [r for r in ans.records if is_spf_record(r)]
        if not recs:
            return None
        if len(recs) > 1:
            raise _PermError(f"{domain} has {len(recs)} SPF records")
        rec = parse_spf(recs[0])
        if rec.errors:
            raise _PermError(f"{domain}: " + "; ".join(rec.errors))
        return rec

    async def check_host(self, domain: str) -> SpfResult:
        domain = domain.rstrip(".")
        if not _initial_domain_ok(domain):
            return SpfResult("none", domain, reason="not a valid domain name")
        try:
            rec = await self.fetch_record(domain)
            if rec is None:
                return SpfResult("none", domain, reason="no SPF record")
            return await self.evaluate(rec, domain)
        except _PermError as e:
            return SpfResult("permerror", domain, reason=str(e))
        except _TempError as e:
            return SpfResult("temperror", domain, reason=str(e))

    async def evaluate(self, rec: SpfRecord, domain: str) -> SpfResult:
        for term in rec.mechanisms:
            if await self.matches(term, domain):
                result = QUALIFIERS[term.qualifier]
                out = SpfResult(result, domain, mechanism=term.text)
                if result == "fail":
                    out.explanation = await self.explanation(rec, domain)
                return out
        redirect = rec.redirect
        if redirect is not None:
            self.count_lookup(redirect.text)
            target = _truncate(await self.expand(redirect.value, domain))
            if not _valid_query_name(target):
                raise _PermError(f"redirect to an invalid name '{target}'")
            inner = await self.check_host(target)
            if inner.result == "none":
                raise _PermError(f"redirect target {target} has no SPF record")
            return inner
        return SpfResult("neutral", domain, mechanism="(default)")

    async def matches(self, term: Term, domain: str) -> bool:
        kind = term.kind
        if kind == "all":
            return True
        if kind in ("ip4", "ip6"):
            return self.ip.version == term.network.version and self.ip in term.network
        self.count_lookup(term.text)
        target = await self.target(term, domain)
        if kind == "include":
            if target is None:
                raise _PermError(f"include of an invalid name in '{term.text}'")
            inner = await self.check_host(target)
            if inner.result == "pass":
                return True
            if inner.result in ("fail", "softfail", "neutral"):
                return False
            if inner.result == "temperror":
                raise _TempError(inner.reason)
            if inner.result == "none":
                raise _PermError(f"included domain {target} has no SPF record")
            raise _PermError(inner.reason)
        if target is None:
            return False
        if kind == "a":
            return await self._match_a(target, term)
        if kind == "mx":
            return await self._match_mx(target, term)
        if kind == "ptr":
            return await self._match_ptr(target)
        if kind == "exists":
            ans = await self.query(target, "A")
            if not ans.records:
                self.count_void(target)
            return bool(ans.records)
        raise _PermError(f"unknown mechanism {kind}")  # pragma: no cover

    def _net_of(self, addr: str, term: Term):
        bits = term.cidr4 if self.ip.version == 4 else term.cidr6
        return ipaddress.ip_network(f"{addr}/{bits}", strict=False)

    async def _addresses(self, name: str) -> list[str]:
        ans = await self.query(name, "A" if self.ip.version == 4 else "AAAA")
        return ans.records

    async def _match_a(self, target: str, term: Term) -> bool:
        addrs = await self._addresses(target)
        if not addrs:
            self.count_void(target)
        return any(_in_net(self.ip, self._net_of(a, term)) for a in addrs)

    async def _match_mx(self, target: str, term: Term) -> bool:
        ans = await self.query(target, "MX")
        hosts = [h for h in (_mx_host(r) for r in ans.records) if h]
        if not ans.records:
            self.count_void(target)
        if len(hosts) > ADDRESS_LIMIT:
            raise _PermError(f"{target} has {len(hosts)} MX hosts; at most {ADDRESS_LIMIT} may be looked up")
        for host in hosts:
            for a in await self._addresses(host):
                if _in_net(self.ip, self._net_of(a, term)):
                    return True
        return False

    async def _match_ptr(self, target: str) -> bool:
        try:
            ans = await self.resolver.query(reverse_name(self.ip), "PTR")
        except DnsFailure:
            return False
        if not ans.records:
            self.count_void(reverse_name(self.ip))
        t = target.lower().rstrip(".")
        rdtype = "A" if self.ip.version == 4 else "AAAA"
        for name in ans.records[:ADDRESS_LIMIT]:
            n = name.lower().rstrip(".")
            if n != t and not n.endswith("." + t):
                continue
            try:
                addrs = await self.resolver.query(n, rdtype)
            except DnsFailure:
                continue
            if any(_same_ip(a, self.ip) for a in addrs.records):
                return True
        return False

    async def explanation(self, rec: SpfRecord, domain: str) -> str:
        """RFC 7208 6.2: any problem with `exp=` gives the default (empty) explanation."""
        exp = rec.modifier("exp")
        if exp is None:
            return ""
        try:
            name = _truncate(await self.expand(exp.value, domain))
            if not _valid_query_name(name):
                return ""
            ans = await self.resolver.query(name, "TXT")
            if len(ans.records) != 1:
                return ""
            text = ans.records[0]
            _check_macro_string(text, explanation=True)
            return await self.expand(text, domain, explanation=True)
        except (DnsFailure, _PermError, _TempError, SpfSyntaxError):
            return ""


def _url_escape(s: str) -> str:
    safe = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return "".join(c if c in safe else "".join(f"%{b:02X}" for b in c.encode()) for c in s)


def _mx_host(record: str) -> str:
    host = record.split(None, 1)[1] if " " in record.strip() else ""
    host = host.strip().rstrip(".")
    return "" if host in ("", "@") else host


def _same_ip(text: str, ip) -> bool:
    try:
        return ipaddress.ip_address(text) == ip
    except ValueError:
        return False


def _in_net(ip, net) -> bool:
    return ip.version == net.version and ip in net


def normalize_ip(ip: str):
    addr = ipaddress.ip_address(ip.strip())
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


async def check_host(
    resolver, ip: str, domain: str, sender: str = "", *, helo: str = "", receiver: str = "unknown"
) -> SpfResult:
    """RFC 7208 check_host(): the result for mail from `sender` arriving from `ip`.

    `sender` may be empty (then postmaster@`helo`, RFC 7208 4.3) or lack a local part
    (then `postmaster`). Never raises for DNS problems: they become temperror.
    """
    if not sender:
        sender = f"postmaster@{helo or domain}"
    elif "@" not in sender:
        sender = f"postmaster@{sender}"
    elif sender.startswith("@"):
        sender = "postmaster" + sender
    ev = _Eval(resolver, normalize_ip(ip), sender, helo or domain, receiver)
    result = await ev.check_host(domain)
    result.lookups, result.void_lookups = ev.lookups, ev.voids
    return result
