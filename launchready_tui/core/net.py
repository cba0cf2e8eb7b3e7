"""The one place that builds DNS resolvers and HTTP clients.

Every check talks to the network through a `Net`:

* DNS goes to the profile's nameservers (IP or IP:PORT), with a bounded lifetime and no
  cache, never through the OS cache. CNAME chains are chased here, so an authoritative
  server (the lab's knotd) works like a recursive one.
* HTTP connections resolve host names through that same resolver, honour curl-style
  `connect_to` rules and the CA bundle, and keep the real host name for SNI, the Host
  header and the certificate check. This uses httpcore's public network-backend API.

Heavy imports (dnspython, httpx, httpcore) happen only when a `Net` is used, so that
`launchready --help` stays fast. The parsing, `NetConfig` and `Net` live here; the resolver
(`_net_dns`) and the HTTP plumbing (`_net_http`) are private modules loaded on first use,
and every name is importable from this module as before.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from launchready_tui.core.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from launchready_tui.core._net_dns import DnsAnswer as DnsAnswer
    from launchready_tui.core._net_dns import Resolver as Resolver
    from launchready_tui.core._net_http import BodyDecoder as BodyDecoder
    from launchready_tui.core._net_http import LaunchReadyTransport as LaunchReadyTransport
    from launchready_tui.core._net_http import accept_encoding as accept_encoding
    from launchready_tui.core._net_http import describe_http_error as describe_http_error
    from launchready_tui.core.redact import Redactor

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
    ports: list[int | None] = []
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
        self._resolver: Resolver | None = None
        self._ssl: ssl.SSLContext | None = None
        self._clients: list[httpx.AsyncClient] = []
        # Which hosts may receive a credential (Authorization, Cookie...): set from the
        # profile by CheckContext; None means none may (core/guard.py).
        self.credential_scope: Callable[[str], bool] | None = None
        self.redactor: Redactor | None = None  # built once per run by the engine
        self._redactor_lock: asyncio.Lock | None = None  # the engine's, while it builds one

    @property
    def resolver(self) -> Resolver:
        """The run's resolver, made on first use (dnspython loads only when asked)."""
        if self._resolver is None:
            from launchready_tui.core._net_dns import Resolver

            self._resolver = Resolver(self.config.nameservers, self.config.timeout_s)
        return self._resolver

    @resolver.setter
    def resolver(self, value: Resolver) -> None:
        self._resolver = value

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

        from launchready_tui.core._net_http import LaunchReadyTransport, accept_encoding

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
        from launchready_tui.core._net_http import BodyDecoder, _header_items

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
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
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


# Names that live in the private modules, loaded on first use (the check path imports
# `core.net` at start-up; the resolver and the HTTP plumbing only when a check needs them).
_LAZY = {
    "DnsAnswer": "_net_dns", "Resolver": "_net_dns", "_rdata_text": "_net_dns",
    "_chain_too_long": "_net_dns", "_system_nameservers": "_net_dns",
    "BodyDecoder": "_net_http", "accept_encoding": "_net_http", "describe_http_error": "_net_http",
    "LaunchReadyTransport": "_net_http", "_header_items": "_net_http", "_map_exc": "_net_http",
    "_exc_map": "_net_http", "_make_backend_class": "_net_http", "_Deflate": "_net_http",
    "_Brotli": "_net_http",
}


def __getattr__(name: str) -> object:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"launchready_tui.core.{mod}"), name)
