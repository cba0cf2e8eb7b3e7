"""The one place that builds DNS resolvers and HTTP clients.

Every check talks to the network through a `Net`:

* DNS goes to the profile's nameservers (IP or IP:PORT), with a bounded lifetime and no
  cache, never through the OS cache. CNAME chains are chased here, so an authoritative
  server (the lab's knotd) works like a recursive one.
* HTTP connections resolve host names through that same resolver, honour curl-style
  `connect_to` rules and the CA bundle, and keep the real host name for SNI, the Host
  header and the certificate check. This uses httpcore's public network-backend API.

Heavy imports (dnspython, httpx, httpcore) happen only when a `Net` is used, so that
`launchready --help` stays fast.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchready_tui.core.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

MAX_CNAME_HOPS = 8
DEFAULT_MAX_BODY = 2 * 1024 * 1024  # bytes read from any one HTTP response, at most
USER_AGENT = "LaunchReady/0.1 (+launch readiness checks)"
CREDENTIAL_HOST_EXT = "launchready.credential_host"  # request extension: see guard.check_request


# ---------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" if self.port != 53 else self.host


def parse_nameserver(text: str) -> Nameserver:
    """Parse `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address."""
    text = str(text).strip()
    host, port = text, 53
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"'{text}' has an opening '[' without ']'")
        host = text[1:end]
        rest = text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"'{text}' is not [IPv6]:PORT")
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, p = text.split(":")
        port = _port(p, text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"'{text}' is not an IP address (a nameserver must be IP or IP:PORT)") from None
    return Nameserver(host, port)


def _is_port(text: str) -> bool:
    """ASCII digits only: str.isdigit() and int() also take Arabic-Indic and other
    digits, which are not a port anyone typed on purpose."""
    return text.isascii() and text.isdigit() and 0 < int(text) < 65536


def _port(text: str, whole: str) -> int:
    if not _is_port(text):
        raise ValueError(f"'{whole}' has no valid port (1-65535, digits 0-9)")
    return int(text)


@dataclass(frozen=True)
class ConnectTo:
    """curl's --connect-to HOST:PORT:HOST2:PORT2. Empty HOST/PORT match any; empty
    HOST2/PORT2 keep the request's own host/port."""

    host: str
    port: int | None
    to_host: str
    to_port: int | None

    def matches(self, host: str, port: int) -> bool:
        return (not self.host or self.host.lower() == host.lower()) and (
            self.port is None or self.port == port
        )

    def __str__(self) -> str:
        def h(x: str) -> str:
            return f"[{x}]" if ":" in x else x

        return f"{h(self.host)}:{self.port or ''}:{h(self.to_host)}:{self.to_port or ''}"


def _split_colon_fields(text: str) -> list[str]:
    out, buf, depth = [], "", 0
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == ":" and depth == 0:
            out.append(buf)
            buf = ""
        else:
            buf += ch
    out.append(buf)
    return out


def parse_connect_to(text: str) -> ConnectTo:
    """Parse HOST:PORT:HOST2:PORT2. Error messages never repeat the value: people paste
    the wrong thing here (a token, a password) and it must not be echoed back."""
    parts = _split_colon_fields(str(text).strip())
    if len(parts) != 4:
        raise ValueError(
            f"the value has {len(parts)} part{'s' if len(parts) != 1 else ''} separated by ':', "
            "not HOST:PORT:HOST2:PORT2 (use [..] around IPv6 addresses; leave a part empty "
            "to match any host or port)"
        )
    h1, p1, h2, p2 = (p.strip("[]") for p in parts)
    ports = []
    for label, p in (("PORT", p1), ("PORT2", p2)):
        if p == "":
            ports.append(None)
        elif not _is_port(p):
            raise ValueError(f"its {label} is not a port number (1-65535, digits 0-9)")
        else:
            ports.append(int(p))
    if not h2 and ports[1] is None:
        raise ValueError("it does not say where to connect instead (HOST2 or PORT2)")
    h1, h2 = _alabel(h1), _alabel(h2)  # requests use A-labels (the profile's hosts are)
    return ConnectTo(h1, ports[0], h2, ports[1])


def _alabel(host: str) -> str:
    if not host or host.isascii():
        return host
    from launchready_tui.core.profile import to_alabel

    try:
        return to_alabel(host)
    except ValueError:
        raise ValueError("one of its host names is not a valid international domain name") from None


def parse_connect_to_cli(values: list[str]) -> list[ConnectTo]:
    out = []
    for v in values:
        try:
            out.append(parse_connect_to(v))
        except ValueError as e:
            raise UsageError(str(e), "--connect-to") from None
    return out


@dataclass(frozen=True)
class NetConfig:
    nameservers: tuple[Nameserver, ...] = ()
    connect_to: tuple[ConnectTo, ...] = ()
    ca_bundle: str | None = None
    timeout_s: float = 5.0
    origins: dict[str, str] = field(default_factory=dict)
    # networks a fetch outside the profile (an AIA issuer download) may reach although
    # they are private or loopback; empty: only public addresses (see Net.fetch_public)
    allow_addresses: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- DNS


class DnsFailure(Exception):
    """Could not get an answer: timeout, SERVFAIL, REFUSED, or a malformed reply.

    This is "could not check", never "no record".
    """

    def __init__(self, name: str, rdtype: str, kind: str, nameserver: str, detail: str = ""):
        self.name, self.rdtype, self.kind, self.nameserver, self.detail = (
            name,
            rdtype,
            kind,
            nameserver,
            detail,
        )
        msg = f"{rdtype} lookup of {name} failed: {kind} from nameserver {nameserver}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


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

    async def _ask(self, qname: str, rdtype: str):
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


# ---------------------------------------------------------------------------- HTTP


class HostResolutionError(OSError):
    """The host name of a URL does not resolve (NXDOMAIN / no address)."""


@dataclass
class FetchResult:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool
    elapsed_ms: float
    http_version: str = ""
    tls_version: str | None = None
    peer_cert: dict | None = None
    content_encoding: str = ""  # what the server compressed with; body is decoded
    wire_bytes: int = 0  # bytes as received (compressed)
    decode_error: str = ""  # the body could not be decompressed (body holds what was)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Net:
    """Resolver + HTTP factory for one run. Cheap to build; clients are made on demand."""

    def __init__(self, config: NetConfig) -> None:
        self.config = config
        self.resolver = Resolver(config.nameservers, config.timeout_s)
        self._ssl: ssl.SSLContext | None = None
        self._clients: list[Any] = []
        # Which hosts may receive a credential (Authorization, Cookie...): set from the
        # profile by CheckContext; None means none may (core/guard.py).
        self.credential_scope: Any = None
        self.redactor: Any = None  # core.redact.Redactor, built once per run by the engine

    @property
    def timeout_s(self) -> float:
        return self.config.timeout_s

    def ssl_context(self) -> ssl.SSLContext:
        """The verifying context (system store or the profile's CA bundle), built once."""
        if self._ssl is None:
            ctx = ssl.create_default_context(cafile=self.config.ca_bundle or None)
            self._ssl = ctx
        return self._ssl

    def map_connect(self, host: str, port: int) -> tuple[str, int]:
        """Apply the first matching connect_to rule, like curl."""
        for rule in self.config.connect_to:
            if rule.matches(host, port):
                return (rule.to_host or host, rule.to_port or port)
        return host, port

    async def resolve_connect(self, host: str, port: int) -> tuple[str, int]:
        """Where to open a TCP connection for host:port: connect_to first, then our DNS."""
        h, p = self.map_connect(host, port)
        if _is_ip(h):
            return h, p
        ans = await self.resolver.query(h, "A")
        if ans.records:
            return ans.records[0], p
        ans6 = None if ans.nxdomain else await self.resolver.query(h, "AAAA")
        if ans6 and ans6.records:
            return ans6.records[0], p
        why = "NXDOMAIN (the name does not exist)" if ans.nxdomain else "no A or AAAA record"
        raise HostResolutionError(f"{h} does not resolve: {why}")

    def client(self, *, max_connections: int = 20, verify: bool = True) -> httpx.AsyncClient:
        import http.cookiejar

        import httpx

        transport = LaunchReadyTransport(self, verify=verify, max_connections=max_connections)
        # No cookie jar: probes are stateless, a cookie is a credential we must not
        # carry to the next request, and a non-ASCII Set-Cookie must not break the
        # next request's headers (UnicodeEncodeError).
        jar = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        return httpx.AsyncClient(
            transport=transport,
            cookies=jar,
            timeout=httpx.Timeout(self.timeout_s),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": accept_encoding()},
            trust_env=False,
        )

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        max_bytes: int = DEFAULT_MAX_BODY,
        deadline_s: float | None = None,
        client: httpx.AsyncClient | None = None,
        credential_host: str | None = None,
    ) -> FetchResult:
        """One request, no redirects followed, body capped at max_bytes, whole exchange
        bounded by deadline_s (default: 2 x timeout). Raises httpx errors,
        HostResolutionError, DnsFailure or TimeoutError."""
        from launchready_tui.core import guard

        guard.check_request(self.credential_scope, _url_host(url), headers, credential_host)
        ext = {CREDENTIAL_HOST_EXT: credential_host} if credential_host else None
        own = client is None
        c = client or self.client(max_connections=4)
        t0 = time.perf_counter()
        try:
            async with asyncio.timeout(deadline_s or self.timeout_s * 2):
                async with c.stream(method, url, headers=headers, content=content, extensions=ext) as resp:
                    encoding = (resp.headers.get("content-encoding") or "").strip().lower()
                    decoder = BodyDecoder(encoding, max_bytes)
                    wire = 0
                    async for chunk in resp.aiter_raw():
                        wire += len(chunk)
                        decoder.feed(chunk)
                        # the cap counts decoded bytes (a gzip bomb stays bounded) and
                        # the bytes on the wire (a body that never decodes to much)
                        if decoder.full or wire >= max_bytes:
                            decoder.truncated = True
                            break
                    body = decoder.finish()
                    tls_version = None
                    cert = None
                    stream = resp.extensions.get("network_stream")
                    if stream is not None:
                        sslobj = stream.get_extra_info("ssl_object")
                        if sslobj is not None:
                            tls_version = sslobj.version()
                            cert = sslobj.getpeercert()
                    return FetchResult(
                        url=url,
                        status=resp.status_code,
                        headers=_header_items(resp.headers),
                        body=body,
                        truncated=decoder.truncated,
                        elapsed_ms=(time.perf_counter() - t0) * 1000,
                        http_version=resp.http_version,
                        tls_version=tls_version,
                        peer_cert=cert,
                        content_encoding=encoding,
                        wire_bytes=wire,
                        decode_error=decoder.error,
                    )
        finally:
            if own:
                await c.aclose()

    def address_refusal(self, ip: str) -> str | None:
        """Why a fetch outside the profile may not go to ip (private, loopback, link-local,
        multicast, reserved), or None. `network.allow_addresses` lifts it for listed networks."""
        try:
            addr = ipaddress.ip_address(ip.split("%")[0])
        except ValueError:
            return f"{ip} is not an address"
        if getattr(addr, "ipv4_mapped", None):
            addr = addr.ipv4_mapped
        for net in self.config.allow_addresses:
            try:
                if addr in ipaddress.ip_network(net, strict=False):
                    return None
            except ValueError:
                continue
        for what, bad in (("a loopback", addr.is_loopback), ("a link-local", addr.is_link_local),
                          ("a private", addr.is_private), ("a multicast", addr.is_multicast),
                          ("a reserved", addr.is_reserved or addr.is_unspecified)):
            if bad:
                return f"{ip} is {what} address, not a public one"
        return None

    async def fetch_public(self, url: str, *, max_bytes: int, deadline_s: float | None = None) -> FetchResult:
        """GET a URL someone else chose (a certificate's AIA address): http/https only, a
        public address only (checked on the resolved IP, and the connection pinned to that
        IP so a second DNS answer cannot switch it), no credential, no redirect, capped
        size and time. Raises PermissionError (refused), or what fetch raises."""
        import dataclasses
        from urllib.parse import urlsplit

        u = urlsplit(url)
        if u.scheme.lower() not in ("http", "https") or not u.hostname:
            raise PermissionError(f"only http:// and https:// addresses are fetched, not '{u.scheme}:'")
        port = u.port or (443 if u.scheme.lower() == "https" else 80)
        async with asyncio.timeout(deadline_s or self.timeout_s):
            ip, p = await self.resolve_connect(u.hostname, port)
        why = self.address_refusal(ip)
        if why:
            raise PermissionError(f"refused to fetch {u.hostname}: {why}")
        pin = ConnectTo(u.hostname, port, ip, p)
        pinned = Net(dataclasses.replace(self.config, connect_to=(pin, *self.config.connect_to)))
        pinned._ssl = self._ssl
        return await pinned.fetch(url, max_bytes=max_bytes, deadline_s=deadline_s or self.timeout_s)

    async def aclose(self) -> None:
        for c in self._clients:
            await c.aclose()


def _is_ip(h: str) -> bool:
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        return False


def _url_host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(str(url)).hostname or "").lower()
    except ValueError:
        return ""


def _header_items(headers) -> list[tuple[str, str]]:
    """Header (name, value) pairs, decoded as latin-1 like the wire (a non-ASCII
    Set-Cookie is kept, never a UnicodeError)."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]


def accept_encoding() -> str:
    """What we can decode without new dependencies: gzip and deflate, br when a brotli
    module happens to be installed."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return "gzip, deflate"
    return "gzip, deflate, br"


class BodyDecoder:
    """Decodes a response body by its Content-Encoding, chunk by chunk, keeping at most
    `limit` decoded bytes: decompression stops at the cap, so a bomb costs `limit`."""

    def __init__(self, encoding: str, limit: int) -> None:
        import zlib

        self.limit = int(limit)
        self.out = bytearray()
        self.truncated = False
        self.error = ""
        self._stages: list[Any] = []
        self._name = encoding
        codings = [c.strip() for c in encoding.split(",") if c.strip() and c.strip() != "identity"]
        for coding in reversed(codings):  # applied in order listed: undo the last first
            if coding in ("gzip", "x-gzip"):
                self._stages.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
            elif coding == "deflate":
                self._stages.append(_Deflate())
            elif coding == "br":
                try:
                    import brotli

                    self._stages.append(_Brotli(brotli))
                except ImportError:
                    self.error = "the server sent a brotli-compressed body (br), which this install cannot read"
                    self._stages = None  # type: ignore[assignment]
                    break
            else:
                self.error = f"unknown content encoding '{coding}'"
                self._stages = None  # type: ignore[assignment]
                break

    @property
    def full(self) -> bool:
        return len(self.out) >= self.limit

    def feed(self, chunk: bytes) -> None:
        if self.full:
            self.truncated = True
            return
        if self._stages is None:  # undecodable: keep the raw bytes, capped
            self.out += chunk[: self.limit - len(self.out)]
            return
        data = chunk
        try:
            for i, st in enumerate(self._stages):
                last = i == len(self._stages) - 1
                room = self.limit - len(self.out) + 1 if last else self.limit + 1
                data = st.decompress(data, room)
                if len(data) >= room or st.unconsumed_tail:
                    self.truncated = True
        except Exception as e:  # zlib.error: not what the header says
            self.error = f"the body is not valid '{self._name}' data: {e}"
            self._stages = None  # type: ignore[assignment]
            return
        self.out += data
        if len(self.out) > self.limit:
            del self.out[self.limit :]
            self.truncated = True

    def finish(self) -> bytes:
        return bytes(self.out[: self.limit])


class _Deflate:
    """`deflate` is zlib-wrapped per the RFC, but servers often send raw deflate."""

    def __init__(self) -> None:
        import zlib

        self._z = zlib.decompressobj()
        self._first = True
        self._zlib = zlib

    @property
    def unconsumed_tail(self) -> bytes:
        return self._z.unconsumed_tail

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._z.decompress(data, max_length)
            except self._zlib.error:
                self._z = self._zlib.decompressobj(-self._zlib.MAX_WBITS)
        return self._z.decompress(data, max_length)


class _Brotli:  # pragma: no cover - only with a brotli module installed
    unconsumed_tail = b""

    def __init__(self, brotli) -> None:
        self._d = brotli.Decompressor()

    def decompress(self, data: bytes, max_length: int) -> bytes:
        return self._d.process(data)[:max_length]


def describe_http_error(exc: BaseException) -> str:
    """A plain-words reason for an HTTP failure, for `error` results and hop notes."""
    import httpx

    from launchready_tui.core.guard import CredentialRefused

    if isinstance(exc, CredentialRefused):
        return str(exc)
    if isinstance(exc, HostResolutionError):
        return str(exc)
    if isinstance(exc, DnsFailure):
        return str(exc)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "the server did not answer in time (timeout)"
    cause = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate rejected: {cause.verify_message or cause.reason}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing is listening on that port)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {exc}" if str(exc) else "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server sent a broken HTTP reply: {exc}"
    return f"{type(exc).__name__}: {exc}"


# --- transport over httpcore's public API -----------------------------------


def _make_backend_class():
    import httpcore

    class _ResolvingBackend(httpcore.AsyncNetworkBackend):
        def __init__(self, net: Net) -> None:
            self._net = net
            self._inner = httpcore.AnyIOBackend()

        async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            try:
                ip, p = await self._net.resolve_connect(host, port)
            except (HostResolutionError, DnsFailure) as e:
                raise httpcore.ConnectError(str(e)) from e
            return await self._inner.connect_tcp(
                ip, p, timeout=timeout, local_address=local_address, socket_options=socket_options
            )

        async def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover
            raise httpcore.ConnectError("unix sockets are not used")

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    return _ResolvingBackend


def _exc_map():
    import httpcore
    import httpx

    return [
        (httpcore.ConnectTimeout, httpx.ConnectTimeout),
        (httpcore.ReadTimeout, httpx.ReadTimeout),
        (httpcore.WriteTimeout, httpx.WriteTimeout),
        (httpcore.PoolTimeout, httpx.PoolTimeout),
        (httpcore.TimeoutException, httpx.TimeoutException),
        (httpcore.ConnectError, httpx.ConnectError),
        (httpcore.ReadError, httpx.ReadError),
        (httpcore.WriteError, httpx.WriteError),
        (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError, httpx.LocalProtocolError),
        (httpcore.ProtocolError, httpx.ProtocolError),
        (httpcore.NetworkError, httpx.NetworkError),
    ]


def _map_exc(e: Exception, request):
    for src, dst in _exc_map():
        if isinstance(e, src):
            new = dst(str(e), request=request)
            new.__cause__ = e
            return new
    return None


class LaunchReadyTransport:
    """An httpx transport over httpcore's pool with our resolving network backend."""

    def __new__(cls, net: Net, *, verify: bool = True, max_connections: int = 20):
        import httpcore
        import httpx

        class _Stream(httpx.AsyncByteStream):
            def __init__(self, inner, request) -> None:
                self._inner = inner
                self._request = request

            async def __aiter__(self):
                try:
                    async for part in self._inner:
                        yield part
                except Exception as e:
                    mapped = _map_exc(e, self._request)
                    if mapped is None:
                        raise
                    raise mapped from e

            async def aclose(self) -> None:
                if hasattr(self._inner, "aclose"):
                    await self._inner.aclose()

        class _Transport(httpx.AsyncBaseTransport):
            def __init__(self) -> None:
                if verify:
                    ctx = net.ssl_context()
                else:
                    ctx = ssl.create_default_context()
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                self._pool = httpcore.AsyncConnectionPool(
                    ssl_context=ctx,
                    max_connections=max_connections,
                    max_keepalive_connections=max_connections,
                    http1=True,
                    http2=False,
                    retries=0,
                    network_backend=_make_backend_class()(net),
                )

            async def handle_async_request(self, request):
                from launchready_tui.core import guard

                guard.check_request(net.credential_scope, request.url.host, request.headers.raw,
                                    request.extensions.get(CREDENTIAL_HOST_EXT))
                req = httpcore.Request(
                    method=request.method,
                    url=httpcore.URL(
                        scheme=request.url.raw_scheme,
                        host=request.url.raw_host,
                        port=request.url.port,
                        target=request.url.raw_path,
                    ),
                    headers=request.headers.raw,
                    content=request.stream,
                    extensions=request.extensions,
                )
                try:
                    resp = await self._pool.handle_async_request(req)
                except Exception as e:
                    mapped = _map_exc(e, request)
                    if mapped is None:
                        raise
                    raise mapped from e
                return httpx.Response(
                    status_code=resp.status,
                    headers=resp.headers,
                    stream=_Stream(resp.stream, request),
                    extensions=resp.extensions,
                )

            async def aclose(self) -> None:
                await self._pool.aclose()

        return _Transport()
