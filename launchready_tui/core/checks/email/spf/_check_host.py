"""The RFC 7208 `check_host()` engine: macros, the 10-lookup, 2-void and 10-address
limits and all seven results. It only needs an object with `async query(name, rdtype)
-> DnsAnswer` that raises `DnsFailure`."""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchready_tui.core.checks.email.spf._parse import (
    _MACRO_RE,
    ADDRESS_LIMIT,
    LOOKUP_LIMIT,
    MAX_WALK_NODES,
    QUALIFIERS,
    VOID_LIMIT,
    IPAddress,
    SpfRecord,
    SpfSyntaxError,
    Term,
    _check_macro_string,
    _initial_domain_ok,
    _ip_dotted,
    _truncate,
    _valid_query_name,
    is_spf_record,
    parse_spf,
    reverse_name,
)
from launchready_tui.core.net import DnsAnswer, DnsFailure

if TYPE_CHECKING:
    from launchready_tui.core.checks.email._types import Resolver

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
    resolver: Resolver
    ip: IPAddress
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

    def _net_of(self, addr: str, term: Term) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
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


def _same_ip(text: str, ip: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(text) == ip
    except ValueError:
        return False


def _in_net(ip: IPAddress, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return ip.version == net.version and ip in net


def normalize_ip(ip: str) -> IPAddress:
    addr = ipaddress.ip_address(ip.strip())
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


async def check_host(
    resolver: Resolver, ip: str, domain: str, sender: str = "", *, helo: str = "", receiver: str = "unknown"
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


async def evaluate_record(resolver: Resolver, ip: str, domain: str, record: str, *, lenient: bool = False) -> SpfResult:
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
