"""DNS answers and the cache-less resolver behind `Net` (private: import from `core.net`).

dnspython is imported inside the functions that ask, so importing this module is cheap.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchready_tui.core.net import MAX_CNAME_HOPS, DnsFailure, Nameserver

if TYPE_CHECKING:  # pragma: no cover
    import dns.message


@dataclass
class DnsAnswer:
    """The answer to one question, after following CNAMEs.

    rcode is "NOERROR" or "NXDOMAIN". `records` holds presentation text per record;
    TXT strings are joined without spaces (as RFC 7208 requires). `chain` lists every
    CNAME hop as (from, to).
    """

    name: str
    rdtype: str
    rcode: str
    records: list[str]
    chain: list[tuple[str, str]] = field(default_factory=list)
    ttl: int | None = None
    nameserver: str = ""
    rdata: list[Any] = field(default_factory=list, repr=False)

    @property
    def nxdomain(self) -> bool:
        return self.rcode == "NXDOMAIN"

    @property
    def final_name(self) -> str:
        return self.chain[-1][1] if self.chain else self.name


def _rdata_text(rdtype: str, rd: Any) -> str:
    if rdtype in ("TXT", "SPF"):
        return b"".join(rd.strings).decode("utf-8", "replace")
    if rdtype == "MX":
        return f"{rd.preference} {rd.exchange.to_text(omit_final_dot=True)}"
    if rdtype in ("CNAME", "NS", "PTR"):
        return rd.target.to_text(omit_final_dot=True)
    return rd.to_text()


class Resolver:
    """An async resolver bound to explicit nameservers, without cache.

    `query(name, rdtype)` returns a `DnsAnswer` (NXDOMAIN and "no records" are answers)
    or raises `DnsFailure` (timeout, SERVFAIL, REFUSED, garbage).
    """

    def __init__(self, nameservers: tuple[Nameserver, ...] = (), timeout_s: float = 5.0) -> None:
        if not nameservers:
            nameservers = tuple(_system_nameservers())
        self.nameservers = nameservers
        self.timeout_s = float(timeout_s)
        self.queries = 0

    def describe(self) -> str:
        return ", ".join(str(n) for n in self.nameservers) or "(none)"

    async def _ask(self, qname: str, rdtype: str) -> tuple[dns.message.Message, Nameserver]:
        import dns.asyncquery
        import dns.exception
        import dns.message
        import dns.rcode
        import dns.rdatatype

        q = dns.message.make_query(qname, dns.rdatatype.from_text(rdtype))
        qname = qname.rstrip(".")
        q.flags |= 0x0100  # RD
        last: DnsFailure | None = None
        for ns in self.nameservers:
            self.queries += 1
            try:
                async with asyncio.timeout(self.timeout_s):
                    resp, _tcp = await dns.asyncquery.udp_with_fallback(
                        q, ns.host, port=ns.port, timeout=self.timeout_s
                    )
            except (TimeoutError, dns.exception.Timeout):
                last = DnsFailure(qname, rdtype, "timeout", str(ns), f"no reply in {self.timeout_s:g}s")
                continue
            except (dns.exception.DNSException, ValueError, EOFError) as e:
                last = DnsFailure(qname, rdtype, "malformed reply", str(ns), str(e)[:200])
                continue
            except OSError as e:
                last = DnsFailure(qname, rdtype, "network error", str(ns), str(e)[:200])
                continue
            rc = resp.rcode()
            if rc in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                return resp, ns
            last = DnsFailure(qname, rdtype, dns.rcode.to_text(rc), str(ns))
        assert last is not None
        raise last

    async def query(self, name: str, rdtype: str = "A") -> DnsAnswer:
        import dns.name
        import dns.rcode
        import dns.rdataclass
        import dns.rdatatype

        rdtype = rdtype.upper()
        try:
            current = dns.name.from_text(name.rstrip(".") + ".") if name else dns.name.root
            want = dns.rdatatype.from_text(rdtype)
        except Exception as e:  # bad label, name too long, unknown type
            raise DnsFailure(name, rdtype, "invalid question", "-", str(e)) from None
        IN, CNAME = dns.rdataclass.IN, dns.rdatatype.CNAME
        chain: list[tuple[str, str]] = []
        seen = {current}
        for _ask_no in range(MAX_CNAME_HOPS + 1):
            asked = current
            resp, ns = await self._ask(current.to_text(), rdtype)
            while True:  # follow the CNAMEs contained in this response
                rrset = resp.get_rrset(resp.answer, current, IN, want)
                if rrset is not None:
                    return DnsAnswer(
                        name=name,
                        rdtype=rdtype,
                        rcode="NOERROR",
                        records=[_rdata_text(rdtype, rd) for rd in rrset],
                        chain=chain,
                        ttl=rrset.ttl,
                        nameserver=str(ns),
                        rdata=list(rrset),
                    )
                cn = None if want == CNAME else resp.get_rrset(resp.answer, current, IN, CNAME)
                if cn is None:
                    break
                target = next(iter(cn)).target
                chain.append(
                    (current.to_text(omit_final_dot=True), target.to_text(omit_final_dot=True))
                )
                if target in seen:
                    raise DnsFailure(
                        name, rdtype, "CNAME loop", str(ns), " -> ".join(b for _, b in chain)
                    )
                if len(chain) > MAX_CNAME_HOPS:
                    raise _chain_too_long(name, rdtype, str(ns), chain)
                seen.add(target)
                current = target
            nx = resp.rcode() == dns.rcode.NXDOMAIN
            if current != asked and not nx:
                continue  # the server did not chase an out-of-zone target: ask for it
            return DnsAnswer(
                name=name,
                rdtype=rdtype,
                rcode="NXDOMAIN" if nx else "NOERROR",
                records=[],
                chain=chain,
                nameserver=str(ns),
            )
        raise _chain_too_long(name, rdtype, self.describe(), chain)

    async def addresses(self, host: str) -> tuple[list[str], DnsAnswer, DnsAnswer | None]:
        """A and AAAA addresses of host. Raises DnsFailure when the A lookup fails."""
        a = await self.query(host, "A")
        aaaa: DnsAnswer | None = None
        if not a.nxdomain:
            try:
                aaaa = await self.query(host, "AAAA")
            except DnsFailure:
                aaaa = None
        addrs = list(a.records) + (list(aaaa.records) if aaaa else [])
        return addrs, a, aaaa


def _chain_too_long(name: str, rdtype: str, ns: str, chain: list[tuple[str, str]]) -> DnsFailure:
    """Not a loop: every name is new, there are just too many of them."""
    names = [chain[0][0], *(b for _, b in chain)] if chain else [name]
    shown = " -> ".join(names[:4]) + (" -> ... -> " + names[-1] if len(names) > 4 else "")
    return DnsFailure(
        name, rdtype, "CNAME chain too long", ns,
        f"the chain is longer than {MAX_CNAME_HOPS} hops: stopped after {len(chain)} "
        f"({shown}); resolvers give up on chains this long",
    )


def _system_nameservers() -> list[Nameserver]:
    """The OS's nameservers from /etc/resolv.conf (read directly: importing
    dns.resolver costs ~30 ms of start-up)."""
    out: list[Nameserver] = []
    try:
        with open("/etc/resolv.conf", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "nameserver":
                    try:
                        out.append(Nameserver(str(ipaddress.ip_address(parts[1].split("%")[0])), 53))
                    except ValueError:
                        continue
    except OSError:
        pass
    return out or [Nameserver("127.0.0.1", 53)]
