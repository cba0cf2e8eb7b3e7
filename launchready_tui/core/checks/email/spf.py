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
from typing import Any, TypedDict

from launchready_tui.core.checks.base import Kind
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
    lookup_limit: int = LOOKUP_LIMIT
    void_limit: int = VOID_LIMIT
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
        if self.lookups > self.lookup_limit:
            raise _PermError(f"more than {LOOKUP_LIMIT} DNS lookups (at {what})")

    def count_void(self, name: str) -> None:
        self.voids += 1
        if self.voids > self.void_limit:
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
    ev = _Eval(resolver, normalize_ip(ip), _sender(sender, helo or domain), helo or domain, receiver)
    result = await ev.check_host(domain)
    result.lookups, result.void_lookups = ev.lookups, ev.voids
    return result


def _sender(sender: str, fallback_domain: str) -> str:
    if not sender:
        return f"postmaster@{fallback_domain}"
    if "@" not in sender:
        return f"postmaster@{sender}"
    if sender.startswith("@"):
        return "postmaster" + sender
    return sender


async def evaluate_record(resolver, ip: str, domain: str, record: str, *, lenient: bool = False) -> SpfResult:
    """Evaluate `record` as if it were published at `domain` (for "would this fix work?").

    `lenient` ignores syntax errors (the bad terms are skipped) and the lookup limits, to
    tell whether a sender is listed at all, as opposed to reached in time.
    """
    ev = _Eval(resolver, normalize_ip(ip), _sender("", domain), domain)
    if lenient:
        # far past the limits, but finite: a record that includes itself must end (it
        # recursed until Python's stack ran out before)
        ev.lookup_limit = ev.void_limit = MAX_WALK_NODES
    rec = parse_spf(record)
    if rec.errors and not lenient:
        return SpfResult("permerror", domain, reason="; ".join(rec.errors))
    try:
        result = await ev.evaluate(rec, domain)
    except _PermError as e:
        result = SpfResult("permerror", domain, reason=str(e))
    except _TempError as e:
        result = SpfResult("temperror", domain, reason=str(e))
    result.lookups, result.void_lookups = ev.lookups, ev.voids
    return result


# ---------------------------------------------------------------------------- the tree walk


class CachingResolver:
    """Share answers (and in-flight queries) between the walks of one check.

    Only for the lifetime of one check: the same name is asked for by the tree walk and
    by each sender's check_host, and answers cannot change in that second.
    """

    def __init__(self, inner) -> None:
        self.inner = inner
        self._cache: dict[tuple[str, str], asyncio.Future] = {}

    async def query(self, name: str, rdtype: str = "A") -> DnsAnswer:
        key = (name.lower().rstrip("."), rdtype.upper())
        fut = self._cache.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self.inner.query(name, rdtype))
            self._cache[key] = fut
        return await asyncio.shield(fut)

    def close(self) -> None:
        for fut in self._cache.values():
            if not fut.done():
                fut.cancel()
            elif not fut.cancelled():
                fut.exception()  # mark retrieved


MAX_WALK_NODES = 60


def _has_macro(spec: str | None) -> bool:
    return bool(spec) and "%" in spec  # type: ignore[operator]


class _Walker:
    """Walk the include/redirect tree without a sender IP, counting what receivers count.

    Terms after `all` are never evaluated by a receiver and cost nothing; a `redirect`
    is ignored when the record has an `all`. Unlike a receiver, the walk goes on past
    the limits so the user sees the whole tree.
    """

    def __init__(self, resolver) -> None:
        self.resolver = resolver
        self.nodes = 0
        self.failures: list[str] = []

    async def from_domain(self, domain: str, via: str, term: str, path: tuple[str, ...]) -> dict:
        node = _new_node(domain, via, term)
        if domain.lower() in path:
            node["status"], node["problem"] = "loop", "includes itself (a loop): receivers give permerror"
            return node
        if self.nodes >= MAX_WALK_NODES:
            node["status"], node["problem"] = "truncated", f"not followed: more than {MAX_WALK_NODES} records"
            return node
        self.nodes += 1
        try:
            ans = await self.resolver.query(domain, "TXT")
        except DnsFailure as e:
            node["status"], node["problem"] = "error", str(e)
            self.failures.append(str(e))
            return node
        recs = [r for r in ans.records if is_spf_record(r)]
        if ans.nxdomain:
            node["status"], node["problem"] = "nxdomain", f"{domain} does not exist"
        elif not recs:
            node["status"], node["problem"] = "none", f"{domain} has no SPF record"
        elif len(recs) > 1:
            node["status"], node["problem"] = "multiple", f"{domain} has {len(recs)} SPF records"
            node["records"] = recs
        else:
            await self.fill(node, parse_spf(recs[0]), path + (domain.lower(),))
        return node

    async def fill(self, node: dict, rec: SpfRecord, path: tuple[str, ...]) -> None:
        node["record"] = rec.text
        if rec.errors:
            node["status"], node["problem"] = "syntax", "; ".join(rec.errors)
        domain = node["domain"]
        has_all = rec.all_term is not None
        reached_all = False
        jobs = []
        for term in rec.terms:
            entry: dict[str, Any] = {"term": term.text, "cost": 0, "counted": True}
            node["terms"].append(entry)
            if term.kind == "modifier" and term.name != "redirect":
                continue
            if reached_all:
                entry["counted"] = False
                entry["note"] = "never used: it comes after `all`"
            elif term.kind == "all":
                reached_all = True
                continue
            elif term.kind == "modifier" and has_all:
                entry["counted"] = False
                entry["note"] = "ignored: the record has an `all` term"
            if not term.costs_lookup:
                continue
            entry["cost"] = 1
            spec = term.value if term.kind == "modifier" else term.domain_spec
            if _has_macro(spec):
                entry["note"] = "depends on the sender (macro); not followed"
                continue
            target = (spec or domain).rstrip(".")
            if term.kind in ("include", "modifier"):
                via = "include" if term.kind == "include" else "redirect"
                jobs.append((entry, self.from_domain(target, via, term.text, path)))
            elif term.kind == "ptr":
                entry.setdefault("note", "ptr is deprecated (RFC 7208 5.5): slow and unreliable")
            elif entry["counted"]:
                jobs.append((entry, self._probe(term.kind, target, entry)))
        results = await asyncio.gather(*(j for _, j in jobs))
        for (entry, _), res in zip(jobs, results, strict=True):
            if isinstance(res, dict):  # a child record
                entry["cost"] = 1 + res["total"]
                res["cost"], res["counted"] = entry["cost"], entry["counted"]
                node["children"].append(res)
        counted = [t for t in node["terms"] if t["counted"]]
        node["lookups"] = sum(1 for t in counted if t["cost"])
        node["void_lookups"] = sum(1 for t in counted if t.get("void"))
        kids = [c for c in node["children"] if c["counted"]]
        node["total"] = node["lookups"] + sum(c["total"] for c in kids)
        node["total_void"] = node["void_lookups"] + sum(c["total_void"] for c in kids)

    async def _probe(self, kind: str, target: str, entry: dict) -> None:
        """Is this a void lookup (no answer at all)? For mx: how many hosts?"""
        try:
            if kind == "mx":
                ans = await self.resolver.query(target, "MX")
                hosts = [h for h in (_mx_host(r) for r in ans.records) if h]
                entry["mx_hosts"] = hosts
                if len(hosts) > ADDRESS_LIMIT:
                    entry["problem"] = (
                        f"{target} has {len(hosts)} mail servers; receivers look up at most "
                        f"{ADDRESS_LIMIT} and then give permerror"
                    )
                void = not ans.records
            else:
                ans = await self.resolver.query(target, "A")
                void = not ans.records
                if void and kind == "a" and not ans.nxdomain:
                    void = not (await self.resolver.query(target, "AAAA")).records
            if void:
                entry["void"] = True
                entry["note"] = f"void lookup: {target} has no {'MX' if kind == 'mx' else 'address'} records"
        except DnsFailure as e:
            entry["problem"] = str(e)
            self.failures.append(str(e))


def _new_node(domain: str, via: str, term: str) -> dict:
    return {
        "domain": domain,
        "via": via,
        "term": term,
        "record": None,
        "status": "ok",
        "problem": "",
        "lookups": 0,
        "void_lookups": 0,
        "total": 0,
        "total_void": 0,
        "terms": [],
        "children": [],
        "cost": 0,
        "counted": True,
    }


async def walk_spf(resolver, domain: str, record: str | None = None) -> tuple[dict, list[str]]:
    """The lookup tree of `domain` (or of `record` as if published there).

    Returns (tree, DNS failures met on the way). Node keys: domain, via, term, record,
    status (ok, none, nxdomain, multiple, syntax, loop, error, truncated), problem,
    lookups (this record's own DNS-querying terms), total (with everything below),
    void_lookups, total_void, terms (each with its cost and notes), children.
    """
    w = _Walker(resolver)
    if record is None:
        tree = await w.from_domain(domain, "root", "", ())
    else:
        tree = _new_node(domain, "root", "")
        w.nodes = 1
        await w.fill(tree, parse_spf(record), (domain.lower(),))
    return tree, w.failures


def iter_nodes(tree: dict):
    yield tree
    for c in tree.get("children", []):
        yield from iter_nodes(c)


def render_tree(tree: dict) -> list[str]:
    """The tree as indented text lines, for people (the TUI and handover use the dict)."""
    lines = [f"{tree['domain']}: {tree['total']} DNS lookup(s) (limit {LOOKUP_LIMIT}), "
             f"{tree['total_void']} void (limit {VOID_LIMIT})"]

    def walk(node: dict, depth: int) -> None:
        kids = {c["term"]: c for c in node["children"]}
        for t in node["terms"]:
            if not t["cost"] and not t.get("note") and not t.get("problem"):
                continue
            label = f"{'  ' * depth}{t['term']}"
            child = kids.get(t["term"])
            if child is not None and child["total"]:
                label += f"  {t['cost']} (1 + {child['total']} inside)"
            elif t["cost"]:
                label += f"  {t['cost']}"
            extra = t.get("problem") or t.get("note") or (child and child["problem"]) or ""
            if extra:
                label += f"  - {extra}"
            lines.append(label)
            if child is not None:
                walk(child, depth + 1)

    walk(tree, 1)
    return lines


# ---------------------------------------------------------------------------- the verdict


@dataclass
class SenderCheck:
    """One entry of `email.senders`: an IP/network, or `include:` a provider's SPF domain."""

    sender: str
    kind: str  # "ip", "network", "include", "invalid"
    value: str
    term: str = ""  # the SPF term that authorizes it, for the suggested record
    result: str = ""  # check_host result for IPs
    authorized: bool | None = None
    listed: bool = False  # authorized by the record once its errors are fixed
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_sender(sender: str) -> SenderCheck:
    s = str(sender).strip()
    low = s.lower()
    if low.startswith("include:"):
        d = s[8:].strip().rstrip(".").lower()
        return SenderCheck(s, "include", d, term=f"include:{d}")
    if low.startswith(("ip4:", "ip6:")):
        s = s[4:]
    try:
        net = ipaddress.ip_network(s, strict=False)
    except ValueError:
        if "." in s and " " not in s and "/" not in s:
            d = s.rstrip(".").lower()
            return SenderCheck(sender, "include", d, term=f"include:{d}")
        return SenderCheck(sender, "invalid", s, detail="not an IP address, network or include:domain")
    ver = f"ip{net.version}"
    if net.num_addresses == 1:
        return SenderCheck(sender, "ip", str(net.network_address), term=f"{ver}:{net.network_address}")
    return SenderCheck(sender, "network", str(net), term=f"{ver}:{net}")


@dataclass
class SpfReport:
    """Everything observed for one domain; `evaluate_spf` turns it into a verdict."""

    domain: str
    records: list[str] = field(default_factory=list)
    nxdomain: bool = False
    dns_error: str = ""
    trees: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    senders: list[SenderCheck] = field(default_factory=list)
    string_lengths: list[int] = field(default_factory=list)
    added: dict[str, dict] = field(default_factory=dict)  # include domain -> its tree


async def inspect_spf(resolver, domain: str, senders: list[str]) -> SpfReport:
    """All the DNS work for the verdict: the record(s), their trees, each sender."""
    rep = SpfReport(domain=domain)
    try:
        ans = await resolver.query(domain, "TXT")
    except DnsFailure as e:
        rep.dns_error = str(e)
        return rep
    rep.nxdomain = ans.nxdomain
    # DNS gives records in any order: sort them so a merged suggestion does not change per run
    rep.records = sorted(r for r in ans.records if is_spf_record(r))
    for rd in ans.rdata:
        strings = getattr(rd, "strings", None)
        if strings and is_spf_record(b"".join(strings).decode("utf-8", "replace")):
            rep.string_lengths = [len(x) for x in strings]
    walks = await asyncio.gather(*(walk_spf(resolver, domain, r) for r in rep.records))
    for tree, failures in walks:
        rep.trees.append(tree)
        rep.failures.extend(failures)
    rep.senders = [parse_sender(s) for s in senders]
    reachable = {n["domain"].lower().rstrip(".") for t in rep.trees for n in iter_nodes(t)}
    await asyncio.gather(*(_check_sender(resolver, rep, s, reachable) for s in rep.senders))
    missing = [s.value for s in rep.senders if s.kind == "include" and not s.listed]
    added = await asyncio.gather(*(walk_spf(resolver, d) for d in missing))
    for d, (tree, _f) in zip(missing, added, strict=True):
        rep.added[d] = tree
    return rep


async def _check_sender(resolver, rep: SpfReport, s: SenderCheck, reachable: set[str]) -> None:
    if s.kind == "invalid":
        return
    if s.kind == "include":
        s.listed = s.value in reachable
        s.authorized = s.listed and len(rep.records) == 1 and _tree_ok(rep.trees[0])
        s.detail = "reachable from the record" if s.listed else "not included anywhere in the record"
        return
    if not rep.records:
        s.authorized, s.result = False, "none"
        return
    if s.kind == "network":
        net = ipaddress.ip_network(s.value)
        probes = [str(net.network_address), str(net.broadcast_address)]
    else:
        probes = [s.value]
    real = [await check_host(resolver, ip, rep.domain, f"postmaster@{rep.domain}") for ip in probes]
    worst_real = next((r for r in real if r.result != "pass"), real[0])
    s.result = worst_real.result
    s.authorized = worst_real.result == "pass" and not _is_all(worst_real.mechanism)
    s.detail = worst_real.reason or (f"matched `{worst_real.mechanism}`" if s.authorized else "")
    if s.authorized:
        s.listed = True
        return
    if s.result == "temperror":
        return
    for rec in rep.records:
        lenient = [await evaluate_record(resolver, ip, rep.domain, rec, lenient=True) for ip in probes]
        # `+all` passes everybody; that is the problem, not an authorization
        if all(r.result == "pass" and not _is_all(r.mechanism) for r in lenient):
            s.listed = True
            break


def _is_all(term: str) -> bool:
    return term.lstrip("+-~?").lower() == "all"


def _tree_ok(tree: dict) -> bool:
    return all(n["status"] == "ok" for n in iter_nodes(tree) if n.get("counted", True))


@dataclass
class Finding:
    status: Status
    code: str
    summary: str
    why: str = ""
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status.value, "code": self.code, "summary": self.summary}


_WHY_PERMERROR = (
    "Receivers treat the whole SPF record as broken (permerror), so SPF fails for every "
    "message you send and mail from your platform is more likely to land in spam."
)


def evaluate_spf(rep: SpfReport) -> CheckResult:
    """Turn the observations into one result: worst finding first, a suggested record."""
    d = rep.domain
    if rep.dns_error:
        return errored("spf", d, rep.dns_error, evidence={"domain": d})
    if rep.nxdomain:
        return failed(
            "spf", d, f"The email domain {d} does not exist in DNS.",
            why="Nobody can receive mail from or send mail as a domain that does not exist.",
            fix=f"Check `email.domain` in launchready.yaml (it says {d}), or register the domain.",
            evidence={"domain": d, "rcode": "NXDOMAIN"},
        )
    findings: list[Finding] = []
    parsed = [parse_spf(r) for r in rep.records]
    add_terms: list[str] = []

    if not rep.records:
        findings.append(Finding(
            Status.FAIL, "no_record", f"{d} has no SPF record.",
            why="Without SPF, receivers cannot tell your real mail from forgeries: your mail is "
            "more likely to land in spam, and anybody can send mail that claims to be you.",
        ))
    elif len(rep.records) > 1:
        findings.append(Finding(
            Status.FAIL, "multiple_records",
            f"{d} has {len(rep.records)} SPF records; there must be exactly one.",
            why=_WHY_PERMERROR,
            fix="Delete all the `v=spf1` TXT records at the domain and publish the merged one below.",
        ))
    for rec in parsed:
        ignored = [t.text for t in rec.terms if t.kind == "modifier" and _mechanism_as_modifier(t.text)]
        if ignored:
            findings.append(Finding(
                Status.WARN, "ignored_modifier",
                "The SPF record has " + ", ".join(f"`{_show(t)}`" for t in ignored) + ", which receivers "
                "read as an unknown modifier and ignore (RFC 7208 §6), so it authorizes nothing.",
                why="The servers you meant to list are not allowed to send your mail, so their mail "
                "fails SPF and is more likely to land in spam.",
                fix="Write a colon instead of `=`: " + ", ".join(
                    f"`{t.replace('=', ':', 1)}`" for t in ignored) + ".",
            ))
        if rec.errors:
            findings.append(Finding(
                Status.FAIL, "syntax", "The SPF record has errors: " + "; ".join(rec.errors) + ".",
                why=_WHY_PERMERROR,
                fix="Correct the terms named above. The suggested record below reads common typos "
                "the way they were meant (a missing space before `~all`, `ipv4:`, `include=`) and "
                "keeps every ip4:, ip6: and include: entry; check that it says what you meant.",
            ))
    trees = rep.trees
    if len(trees) == 1:
        findings.extend(_tree_findings(trees[0]))
        findings.extend(_all_findings(parsed[0], trees[0]))
        length = len(rep.records[0].encode())
        if length > RECORD_SOFT_LIMIT:
            findings.append(Finding(
                Status.WARN, "length",
                f"The SPF record is {length} characters long (keep it under {RECORD_SOFT_LIMIT}).",
                why="Long records make DNS answers too big for one UDP packet; some receivers "
                "then fail to read them and SPF fails.",
                fix="Remove entries you no longer use, or replace several ip4: ranges with a "
                "provider's include.",
            ))
    for s in rep.senders:
        f = _sender_finding(s, rep)
        if f is not None:
            findings.append(f)
            if s.kind != "invalid" and not s.listed and s.term:
                add_terms.append(s.term)

    suggestion = _suggest(parsed, trees, add_terms, rep)
    return _assemble(rep, findings, suggestion)


def _tree_findings(tree: dict) -> list[Finding]:
    out = []
    total, voids = tree["total"], tree["total_void"]
    if total > LOOKUP_LIMIT:
        heavy = sorted(
            (c for c in tree["children"] if c.get("counted", True)), key=lambda c: -c["cost"]
        )[:3]
        names = ", ".join(f"`{c['term']}` ({c['cost']})" for c in heavy)
        out.append(Finding(
            Status.FAIL, "too_many_lookups",
            f"The SPF record needs {total} DNS lookups; receivers allow {LOOKUP_LIMIT}.",
            why="Receivers stop at the eleventh lookup and report permerror: SPF fails for "
            "mail from any sender listed after that point, which is most likely to be spam-foldered.",
            fix="Remove includes of services you no longer send through, or replace an include "
            f"with the provider's ip4:/ip6: ranges. The most expensive: {names}.",
        ))
    if voids > VOID_LIMIT:
        empty = [t["term"] for n in iter_nodes(tree) for t in n["terms"] if t.get("void")]
        out.append(Finding(
            Status.FAIL, "void_lookups",
            f"{voids} terms of the SPF tree look up names that have no records (limit {VOID_LIMIT}): "
            + ", ".join(f"`{t}`" for t in empty) + ".",
            why=_WHY_PERMERROR.replace("the whole SPF record as broken", "a third empty lookup as an error"),
            fix="Remove the terms that point at names without records (listed above), or "
            "publish the records they expect.",
        ))
    for parent in iter_nodes(tree):
        for node in parent["children"]:
            if node["status"] == "loop" and node.get("counted", True):
                mine = parent is tree
                out.append(Finding(
                    Status.FAIL, "include_loop",
                    f"`{node['term']}` in the record of {parent['domain']} points back to {node['domain']}, "
                    "which is already being read: a loop.",
                    why=_WHY_PERMERROR,
                    fix=(f"Remove `{node['term']}` from your record: it includes your own record again."
                         if mine else
                         f"Remove `{node['term']}` from the record of {parent['domain']} (if it is yours), "
                         f"or ask whoever runs {parent['domain']} to remove it. Do not keep an include that "
                         "points back to a record that includes it."),
                ))
    for node in iter_nodes(tree):
        if node is tree or not node.get("counted", True):
            continue
        if node["status"] in ("none", "nxdomain", "multiple", "syntax"):
            out.append(Finding(
                Status.FAIL, "broken_include",
                f"`{node['term']}` is broken: {node['problem']}.",
                why=_WHY_PERMERROR,
                fix=f"Remove `{node['term']}` if you no longer use that service, or ask the "
                "provider for the correct SPF domain to include.",
            ))
    for node in iter_nodes(tree):
        for t in node["terms"]:
            if t.get("problem") and "mail servers" in t["problem"]:
                out.append(Finding(Status.FAIL, "mx_limit", f"`{t['term']}`: {t['problem']}.",
                                   why=_WHY_PERMERROR, fix=f"Replace `{t['term']}` with ip4:/ip6: ranges."))
    if any(t["term"].lstrip("+-~?").lower().startswith("ptr") for t in tree["terms"]):
        out.append(Finding(
            Status.WARN, "ptr", "The record uses `ptr`, which RFC 7208 says not to use.",
            why="`ptr` is slow and unreliable; some large receivers skip it, so mail it should "
            "authorize can fail SPF.",
            fix="Replace `ptr` with the ip4:/ip6: ranges or the include of your sending service.",
        ))
    return out


def _effective_all(rec: SpfRecord, tree: dict) -> tuple[str | None, str]:
    """The `all` that decides unlisted senders: this record's, else its redirect target's."""
    t = rec.all_term
    if t is not None:
        return t.qualifier + "all", tree["domain"]
    for child in tree["children"]:
        if child["via"] == "redirect" and child.get("record"):
            inner = parse_spf(child["record"])
            return _effective_all(inner, child)
    return None, tree["domain"]


def _all_findings(rec: SpfRecord, tree: dict) -> list[Finding]:
    q, where = _effective_all(rec, tree)
    src = "" if where == tree["domain"] else f" (from the redirect to {where})"
    if q == "+all":
        return [Finding(
            Status.FAIL, "plus_all", f"The SPF record ends in `+all`{src}: every server on the internet may send as you.",
            why="`+all` authorizes the whole internet, so spammers can send mail that passes SPF "
            "as your domain; receivers learn to distrust your domain and your real mail suffers.",
            fix="Replace `+all` with `~all` (or `-all` once all your senders are listed).",
        )]
    if q == "?all":
        return [Finding(
            Status.FAIL, "neutral_all", f"The SPF record ends in `?all`{src}: it protects nothing.",
            why="`?all` tells receivers to treat unknown servers as neutral, so forged mail "
            "claiming to be you is not marked and your domain gains no protection.",
            fix="Replace `?all` with `~all` (or `-all` once all your senders are listed).",
        )]
    if q is None:
        fix = "Add `~all` at the end of the record."
        if rec.redirect is not None:
            # RFC 7208 §6.1: an `all` anywhere switches `redirect=` off
            fix = (f"Do not just add `~all`: your record ends in `{rec.redirect.text}`, and an `all` "
                   "switches that redirect off, so its servers would no longer be allowed. Either ask "
                   f"whoever runs {where} to end their record with `~all`, or replace "
                   f"`{rec.redirect.text}` with `include:{(rec.redirect.value or '').rstrip('.')} ~all` "
                   "(the suggested record below does that).")
        return [Finding(
            Status.WARN, "no_all", f"The SPF record does not end with `~all` or `-all`{src}.",
            why="Without an `all` at the end, mail from servers you did not list gets a neutral "
            "result instead of a fail: forgeries are not caught.",
            fix=fix,
        )]
    return []


def _sender_finding(s: SenderCheck, rep: SpfReport) -> Finding | None:
    if s.kind == "invalid":
        return Finding(
            Status.WARN, "bad_sender", f"`email.senders` entry '{s.sender}' is {s.detail}.",
            why="LaunchReady cannot check whether this sender is allowed to send your mail.",
            fix="Write each sender as an IP address (203.0.113.5), a network (203.0.113.0/24) or "
            "`include:` followed by your provider's SPF domain.",
        )
    if s.authorized:
        return None
    if s.kind != "include" and s.result == "temperror":
        return Finding(
            Status.ERROR, "sender_unchecked", f"Could not check sender {s.sender}: {s.detail}",
            why="Until this can be checked, nobody knows whether mail from this sender passes SPF.",
            fix="This is not a verdict on your setup. Run the check again; if it persists, one of "
            "the includes is not answering.",
        )
    if s.listed:
        return None  # it is in the record; the record-level finding says why it does not pass yet
    if s.result == "pass":
        what = f"`{s.sender}` (it passes only because of the `+all`)"
    else:
        what = f"`{s.sender}`" + (f" (SPF result: {s.result})" if s.result else "")
    return Finding(
        Status.FAIL, "sender_missing", f"Sender {what} is not authorized by the SPF record.",
        why=f"Mail your platform sends through {s.sender} fails SPF, so it is likely to land in "
        "spam or be rejected.",
        fix=f"Add `{s.term}` to the record, before the `all` at the end.",
    )


_GLUED_ALL = re.compile(r"^(.+?)([+\-~?]?all)$", re.I)
_AUTHORIZING = re.compile(r"^[+\-~?]?(ip4|ip6|include|a|mx|exists|ptr|ipv4|ipv6|inc\w*)\b", re.I)


def _mechanism_as_modifier(text: str) -> bool:
    """`include=x` parses as an unknown modifier, which receivers ignore (RFC 7208 §6)."""
    name, eq, _ = text.partition("=")
    return bool(eq) and name.lower() in MECHANISMS and ":" not in name


def _valid_term(text: str) -> bool:
    try:
        _parse_term(text)
    except SpfSyntaxError:
        return False
    return True


def repair_token(raw: str) -> list[str] | None:
    """The valid terms a common typo stands for, or None. Typos read as meant: a missing
    space before `all` (`ip4:192.0.2.1~all`), `ipv4:`, `include=`, a trailing comma or
    semicolon, and a misspelt `include`."""
    import difflib

    t = raw.strip().rstrip(",;")
    t = re.sub(r"^([+\-~?]?)ipv([46]):", r"\1ip\2:", t, flags=re.I)
    t = re.sub(r"^([+\-~?]?)(include|ip4|ip6|a|mx|exists|ptr)=", r"\1\2:", t, flags=re.I)
    m = re.match(r"^([+\-~?]?)([a-z0-9]+)(:.*)$", t, re.I)
    if m and m.group(2).lower() not in MECHANISMS:
        close = difflib.get_close_matches(m.group(2).lower(), ["include", "exists"], n=1, cutoff=0.75)
        if close:
            t = m.group(1) + close[0] + m.group(3)
    pieces = [t]
    g = _GLUED_ALL.match(t)
    if g and not _valid_term(t) and _valid_term(g.group(1)):
        pieces = [g.group(1), g.group(2)]
    if pieces != [raw] and all(_valid_term(p) for p in pieces):
        return pieces
    return None


def _tokens(text: str) -> list[str]:
    """The record's terms as written, a mechanism split from its value by a space joined
    back (`ip4: 192.0.2.1`)."""
    raw = [t for t in text[6:].split(" ") if t]
    out: list[str] = []
    i = 0
    while i < len(raw):
        t = raw[i]
        if t.endswith((":", "=")) and i + 1 < len(raw) and not _valid_term(t):
            out.append(t + raw[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _subtree_loops(node: dict) -> bool:
    return any(n["status"] == "loop" for n in iter_nodes(node))


def _flatten(node: dict) -> list[str] | None:
    """The terms of an included record, rewritten to mean the same inside ours, without
    the term that loops back; None when that cannot be done safely (macros, redirect,
    exists, ptr, or a loop deeper down)."""
    rec = parse_spf(node.get("record") or "")
    if rec.errors or rec.redirect is not None:
        return None
    kids = {c["term"]: c for c in node["children"]}
    out = []
    for term in rec.terms:
        if term.kind == "all" or (term.kind == "modifier"):
            continue
        if term.kind in ("exists", "ptr") or _has_macro(term.domain_spec):
            return None
        if term.kind == "include":
            child = kids.get(term.text)
            if child is not None and child["status"] == "loop":
                continue  # the include that makes the loop: it authorizes nothing
            if child is not None and _subtree_loops(child):
                return None
            out.append(term.text)
        elif term.kind in ("a", "mx") and term.domain_spec is None:
            cidr = (f"/{term.cidr4}" if term.cidr4 != 32 else "") + (f"//{term.cidr6}" if term.cidr6 != 128 else "")
            out.append(f"{'' if term.qualifier == '+' else term.qualifier}{term.kind}:{node['domain']}{cidr}")
        else:
            out.append(term.text)
    if any(not t.startswith(("+", "ip4", "ip6", "include", "a", "mx")) for t in out):
        return None  # a `-ip4:` inside an include means "no match", not "fail": do not copy it
    return out


def _suggest(parsed: list[SpfRecord], trees: list[dict], add: list[str], rep: SpfReport) -> dict | None:
    """A corrected record that never loses a sender: records merged, typos read as meant,
    senders added, a safe `all`. It never adds `all` to a record that hands over with
    `redirect=` (an `all` switches the redirect off, RFC 7208 §6.1: the redirect becomes
    an include instead), never keeps an include that loops (RFC 7208 §5.2: a loop is a
    permerror), and never drops an ip4:/ip6:/include: it cannot read: then it gives no
    record and says why (`reason`)."""
    terms: list[tuple[str, int]] = []
    seen: set[str] = set()
    quals: list[str] = []
    redirects: list[tuple[str, int, str]] = []  # (target, cost, term) of records without an `all`
    exp: str | None = None
    notes: list[str] = []
    drop_void = len(trees) == 1 and trees[0]["total_void"] > VOID_LIMIT

    def keep(text: str, cost: int) -> None:
        key = text.lower().lstrip("+")
        if key not in seen:
            seen.add(key)
            terms.append((text, cost))

    for rec, tree in zip(parsed, trees, strict=True):
        costs = {t["term"]: t for t in tree["terms"]}
        kids = {c["term"]: c for c in tree["children"]}
        read: list[str] = []  # the record's terms, typos read as meant
        for raw in _tokens(rec.text):
            if _valid_term(raw) and not _mechanism_as_modifier(raw):
                read.append(raw)
                continue
            fixed = repair_token(raw)
            if fixed is None:
                if _AUTHORIZING.match(raw):
                    return {"record": None, "lookups": None,
                            "reason": f"`{_show(raw)}` cannot be read, and leaving it out could stop "
                            "mail from a server you meant to list: correct it first"}
                notes.append(f"`{_show(raw)}` left out (it is not an SPF term and authorizes nothing)")
                continue
            notes.append(f"`{_show(raw)}` read as `{' '.join(fixed)}`")
            read += fixed
        rec_has_all = any(_parse_term(t).kind == "all" for t in read)
        for text in read:
            term = _parse_term(text)
            entry = costs.get(text, {})
            cost = entry.get("cost", 1 if term.costs_lookup else 0)
            child = kids.get(text)
            if term.kind == "all":
                quals.append(term.qualifier)
                continue
            if term.kind == "modifier":
                if term.name == "redirect":
                    if child is not None and _subtree_loops(child):
                        return {"record": None, "lookups": None,
                                "reason": f"`{text}` leads to a loop; fix the record it points to first"}
                    if not rec_has_all:  # RFC 7208 §6.1: with an `all`, redirect is ignored
                        redirects.append(((term.value or "").rstrip("."), cost, text))
                elif term.name == "exp" and exp is None:
                    exp = text
                elif term.name not in ("redirect", "exp"):
                    terms.append((text, 0))
                continue
            if entry.get("void") and drop_void:
                continue  # points at nothing: dropped to get under the void limit
            if term.kind == "include" and child is not None:
                glued = _GLUED_ALL.match(text)
                if child["status"] in ("nxdomain", "none") and glued and glued.group(2)[0] in "-~" \
                        and _valid_term(glued.group(1)):
                    # `include:_spf.example.com-all` is a valid name that does not exist
                    notes.append(f"`{text}` read as `{glued.group(1)} {glued.group(2)}`")
                    keep(glued.group(1), 1)
                    quals.append(glued.group(2)[0])
                    continue
                if child["status"] == "loop":
                    notes.append(f"`{text}` left out: it includes this very record (a loop)")
                    continue
                if _subtree_loops(child):
                    flat = _flatten(child)
                    if flat is None:
                        return {"record": None, "lookups": None,
                                "reason": f"the record behind `{text}` loops back; ask whoever runs "
                                f"{term.domain_spec} to remove the include that points back"}
                    notes.append(f"`{text}` replaced by its own entries ({' '.join(flat) or 'none'}), "
                                 "without the include that loops back")
                    for f in flat:
                        keep(f, 1 if _parse_term(f).costs_lookup else 0)
                    continue
            keep(text, cost)
    for t in add:
        cost = 0
        if t.startswith("include:"):
            cost = 1 + rep.added.get(t[8:], {}).get("total", 0)
        keep(t, cost)
    if not parsed and not add:
        return {"record": "v=spf1 include:<your mail provider's SPF domain> ~all", "lookups": None}
    if redirects and (quals or len(redirects) > 1 or len(parsed) > 1 or _redirect_lacks_all(trees, redirects)):
        # the record must end in `all`: the redirect's senders stay listed as an include
        for target, rcost, _text in redirects:
            keep(f"include:{target}", rcost)
        redirects = []
    cost = sum(c for _, c in terms)
    if "-" in quals:
        final = "-all"
    elif quals or not redirects:
        final = "~all"
    else:
        final, cost = redirects[0][2], cost + redirects[0][1]
    text = " ".join(["v=spf1"] + [t for t, _ in terms] + [final] + ([exp] if exp else []))
    out: dict[str, Any] = {"record": text, "lookups": cost}
    if notes:
        out["notes"] = notes
    return out


def _redirect_lacks_all(trees: list[dict], redirects: list[tuple[str, int, str]]) -> bool:
    """Does the record a lone redirect points to end without an `all` (so ours needs one)?"""
    for tree in trees:
        for child in tree["children"]:
            if child["via"] == "redirect" and child["term"] == redirects[0][2] and child.get("record"):
                return parse_spf(child["record"]).all_term is None and parse_spf(child["record"]).redirect is None
    return False


def _assemble(rep: SpfReport, findings: list[Finding], suggestion: dict | None) -> CheckResult:
    d = rep.domain
    tree = rep.trees[0] if len(rep.trees) == 1 else None
    if rep.failures:
        findings.append(Finding(
            Status.ERROR, "dns_failure",
            f"Part of the SPF tree could not be read: {rep.failures[0]}",
            why="Receivers that meet the same failure give temperror and may defer or reject your mail.",
            fix="Run the check again; if it persists, the provider's DNS named above is failing.",
        ))
    evidence: dict[str, Any] = {
        "domain": d,
        "records": rep.records,
        "record": rep.records[0] if len(rep.records) == 1 else None,
        "length": len(rep.records[0].encode()) if len(rep.records) == 1 else None,
        "string_lengths": rep.string_lengths,
        "lookup_limit": LOOKUP_LIMIT,
        "void_limit": VOID_LIMIT,
        "senders": [s.to_dict() for s in rep.senders],
        "findings": [f.to_dict() for f in findings],
        "dns_failures": rep.failures,
    }
    if tree is not None:
        evidence["tree"] = tree
        evidence["lookup_count"] = tree["total"]
        evidence["void_lookups"] = tree["total_void"]
        evidence["tree_text"] = render_tree(tree)
        q, _where = _effective_all(parse_spf(rep.records[0]), tree)
        evidence["all"] = q
    elif rep.trees:
        evidence["trees"] = rep.trees
        evidence["tree_text"] = [line for t in rep.trees for line in render_tree(t)]
        evidence["lookup_count"] = max(t["total"] for t in rep.trees)
    needs_fix = [f for f in findings if f.status != Status.PASS]
    if not needs_fix:
        n = len(rep.senders)
        senders = f", all {n} sender(s) authorized" if n else ""
        return passed(
            "spf", d,
            f"SPF record is valid: {evidence['lookup_count']} of {LOOKUP_LIMIT} DNS lookups, "
            f"ends in `{evidence.get('all')}`{senders}.",
            evidence=evidence,
        )
    worst = max(needs_fix, key=lambda f: _SEV[f.status])
    status = worst.status
    rest = len(needs_fix) - 1
    summary = worst.summary + (f" (and {rest} more problem{'s' if rest > 1 else ''})" if rest else "")
    fix_lines = [f"{i}. {f.fix}" for i, f in enumerate(needs_fix, 1) if f.fix]
    if suggestion and suggestion["record"] is None and any(f.code in _SUGGESTIBLE for f in needs_fix):
        evidence["suggestion_withheld"] = suggestion["reason"]
        fix_lines.append(f"No suggested record this time: {suggestion['reason']}.")
    elif suggestion and any(f.code in _SUGGESTIBLE for f in needs_fix):
        evidence["suggested_record"] = suggestion["record"]
        evidence["suggested_lookup_count"] = suggestion["lookups"]
        if suggestion.get("notes"):
            evidence["suggestion_notes"] = suggestion["notes"]
        fix_lines.append(f"Suggested record for {d} (TXT): {suggestion['record']}")
        if suggestion.get("notes"):
            fix_lines.append("How the suggestion reads your record: " + "; ".join(suggestion["notes"]) + ".")
        if suggestion["lookups"] is not None and suggestion["lookups"] > LOOKUP_LIMIT:
            fix_lines.append(
                f"Careful: this suggested record would still need {suggestion['lookups']} DNS "
                f"lookups, over the limit of {LOOKUP_LIMIT}. Also remove an include you no longer "
                "use, or replace one with the provider's ip4:/ip6: ranges."
            )
    why = " ".join(dict.fromkeys(f.why for f in needs_fix if f.why))
    fix = "\n".join(fix_lines)
    if status == Status.ERROR:
        return errored("spf", d, summary.removeprefix("Could not check: "), fix=fix, why=why, evidence=evidence)
    maker = failed if status == Status.FAIL else warned
    return maker("spf", d, summary, fix=fix, why=why, evidence=evidence)


_SEV = {Status.FAIL: 4, Status.ERROR: 3, Status.WARN: 2, Status.PASS: 1, Status.SKIP: 0}
_SUGGESTIBLE = {
    "no_record", "multiple_records", "syntax", "plus_all", "neutral_all", "no_all",
    "sender_missing", "void_lookups", "include_loop", "ignored_modifier",
}


# ---------------------------------------------------------------------------- entry point


def email_domain(profile, params) -> str:
    d = (params or {}).get("domain") or profile.get("email.domain") or profile.domain
    return str(d).strip().lower().rstrip(".")


def targets(profile, params) -> list[str]:
    if not email_domain(profile, params):
        raise MissingInput("email.domain")
    return [email_domain(profile, params)]


def deadline(params, timeout_s: float) -> float:
    # The tree is walked level by level; each level waits for at most one timeout.
    return timeout_s * 6


async def check(ctx, target: str, params) -> CheckResult:
    senders = (params or {}).get("senders")
    if senders is None and target == email_domain(ctx.profile, {}):
        senders = ctx.profile.get("email.senders")  # they send as the profile's domain only
    resolver = CachingResolver(ctx.net.resolver)
    try:
        report = await inspect_spf(resolver, target, [str(s) for s in senders or []])
    finally:
        resolver.close()
    return evaluate_spf(report)


class SpfEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    record: str
    lookup_count: int
    void_lookups: int
    all: str
    suggested_record: str
    findings: list[dict[str, Any]]
    tree: dict[str, Any]


CHECK_KIND = Kind(
    name="spf",
    family="email",
    title="SPF",
    plain="the services that send your email are listed",
    about="SPF record per RFC 7208",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"email": {"domain": "str", "senders": ("list", "str")}},
    evidence=SpfEvidence,
    shown=("record", "lookup_count", "void_lookups", "all", "suggested_record", "findings"),
)
