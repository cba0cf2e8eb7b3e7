"""HTTP and HTTPS lab servers on loopback, for tests and the demo.

One HTTPS port serves every lab host: the certificate is chosen by SNI from a trustme
CA (valid, expired, wrong host, expiring in N days, short-lived). One HTTP port serves
the plain-HTTP side (usually redirects). What each host answers is a `Site`: a default
`Rule` plus per-path rules with status, headers, body, redirect and delay, or a
`handler` callable for dynamic behaviour (rate limits, latency distributions).

The TLS handshake runs in the per-connection thread, so one stalled client never blocks
the others.
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import socketserver
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Request:
    method: str
    host: str
    path: str
    headers: dict[str, str]
    body: bytes
    scheme: str
    client: str


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | str = b""


@dataclass
class Rule:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | str = b"<!doctype html><title>ok</title><p>ok</p>"
    redirect: str | None = None  # Location; status defaults to 301 when set
    delay_ms: float = 0
    content_type: str = "text/html; charset=utf-8"
    handler: Callable[[Request], Response] | None = None
    hang: bool = False  # accept, read the request, never answer


@dataclass
class Site:
    default: Rule = field(default_factory=Rule)
    paths: dict[str, Rule] = field(default_factory=dict)
    http: Rule | None = None  # what plain HTTP answers (default: same as https)

    def rule_for(self, path: str, scheme: str) -> Rule:
        if scheme == "http" and self.http is not None:
            return self.http
        p = path.split("?", 1)[0]
        if p in self.paths:
            return self.paths[p]
        return self.default


@dataclass
class CertSpec:
    """Which certificate a host gets. kind: valid | expired | wronghost | expiring."""

    kind: str = "valid"
    days_left: float = 60
    lifetime_days: float = 90
    names: list[str] | None = None


class CertFactory:
    """A trustme CA plus certificates per host, cached, written as PEM files."""

    def __init__(self, directory: Path | None = None) -> None:
        import trustme

        self.ca = trustme.CA(organization_name="LaunchReady Lab CA")
        self.dir = Path(directory or tempfile.mkdtemp(prefix="launchready-lab-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca_path = self.dir / "lab-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self._contexts: dict[str, ssl.SSLContext] = {}

    def context_for(self, host: str, spec: CertSpec) -> ssl.SSLContext:
        key = f"{host}|{spec.kind}|{spec.days_left}|{spec.lifetime_days}|{spec.names}"
        ctx = self._contexts.get(key)
        if ctx is not None:
            return ctx
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        names = spec.names or [host]
        if spec.kind == "expired":
            nb, na = now - dt.timedelta(days=100), now - dt.timedelta(days=10)
        elif spec.kind == "wronghost":
            names = spec.names or [f"other-site.{host.split('.', 1)[-1]}"]
            nb, na = now - dt.timedelta(days=10), now + dt.timedelta(days=80)
        else:
            na = now + dt.timedelta(days=spec.days_left)
            nb = na - dt.timedelta(days=spec.lifetime_days)
        cert = self.ca.issue_cert(*names, not_before=nb, not_after=na)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        self._contexts[key] = ctx
        return ctx


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    lab: LabWeb
    scheme: str

    def finish_request(self, request, client_address):  # runs in the per-connection thread
        if self.scheme == "https":
            request.settimeout(10)
            try:
                request = self.lab.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):  # keep test output quiet
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else kept-alive replies wait ~40 ms on delayed ACKs
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def version_string(self) -> str:  # no version numbers in the lab's Server header
        return "LaunchReadyLab"

    def _serve(self) -> None:
        lab = self.server.lab
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1 << 20)) if length else b""
        req = Request(
            method=self.command,
            host=host,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            scheme=self.server.scheme,
            client=self.client_address[0],
        )
        lab._count(host)
        site = lab.sites.get(host)
        if site is None:
            self._send(Response(421, [("Content-Type", "text/plain")], b"unknown lab host\n"))
            return
        rule = site.rule_for(self.path, self.server.scheme)
        if rule.hang:
            time.sleep(3600)
            return
        if rule.delay_ms:
            time.sleep(rule.delay_ms / 1000)
        if rule.handler is not None:
            self._send(rule.handler(req))
            return
        headers = list(rule.headers)
        status = rule.status
        if rule.redirect is not None:
            status = rule.status if 300 <= rule.status < 400 else 301
            headers.append(("Location", rule.redirect.replace("{path}", self.path)))
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", rule.content_type))
        self._send(Response(status, headers, rule.body if rule.redirect is None else b""))

    def _send(self, resp: Response) -> None:
        body = resp.body.encode() if isinstance(resp.body, str) else resp.body
        try:
            self.send_response_only(resp.status)
            if not any(k.lower() == "server" for k, _ in resp.headers):  # a Rule may set its own
                self.send_header("Server", self.version_string())
            self.send_header("Date", self.date_time_string())
            for k, v in resp.headers:
                self.send_header(k, v)
            if not any(k.lower() == "content-length" for k, _ in resp.headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _serve  # noqa: N815


class LabWeb:
    """HTTPS + HTTP servers for a set of lab hosts. Use as a context manager."""

    def __init__(self, sites: dict[str, Site] | None = None, certs: dict[str, CertSpec] | None = None,
                 cert_factory: CertFactory | None = None) -> None:
        self.sites: dict[str, Site] = {k.lower(): v for k, v in (sites or {}).items()}
        self.certs: dict[str, CertSpec] = {k.lower(): v for k, v in (certs or {}).items()}
        self.factory = cert_factory or CertFactory()
        self.hits: dict[str, int] = {}
        self._hits_lock = threading.Lock()
        self.tls_context = self._make_sni_context()
        self._servers: list[_Server] = []
        self.https_port = 0
        self.http_port = 0

    @property
    def ca_path(self) -> Path:
        return self.factory.ca_path

    def _count(self, host: str) -> None:
        with self._hits_lock:
            self.hits[host] = self.hits.get(host, 0) + 1

    def _make_sni_context(self) -> ssl.SSLContext:
        base = self.factory.context_for("lab.invalid", CertSpec())

        def pick(sslsock, server_name, _ctx):
            if server_name:
                spec = self.certs.get(server_name.lower(), CertSpec())
                sslsock.context = self.factory.context_for(server_name.lower(), spec)
            return None

        base.sni_callback = pick
        return base

    def start(self) -> LabWeb:
        for scheme in ("https", "http"):
            srv = _Server(("127.0.0.1", 0), _Handler)
            srv.lab = self
            srv.scheme = scheme
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            t.start()
            self._servers.append(srv)
            if scheme == "https":
                self.https_port = srv.server_address[1]
            else:
                self.http_port = srv.server_address[1]
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        self._servers.clear()

    def connect_to(self) -> list[str]:
        """curl-style rules sending every host's :443 and :80 to the lab ports, keeping
        the host name (so DNS still decides whether a host exists)."""
        return [f":443::{self.https_port}", f":80::{self.http_port}"]

    def __enter__(self) -> LabWeb:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def raw_server(behaviour: Callable[[socket.socket], None]) -> tuple[socket.socket, int, threading.Event]:
    """A bare TCP listener for hostile behaviours (stall, drip, huge body...).
    Returns (listening socket, port, stop event); each connection runs `behaviour`."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    ls.settimeout(0.1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=_guard, args=(behaviour, c), daemon=True).start()
        ls.close()

    threading.Thread(target=loop, daemon=True).start()
    return ls, ls.getsockname()[1], stop


def _guard(fn, c: socket.socket) -> None:
    try:
        fn(c)
    except OSError:
        pass
    finally:
        try:
            c.close()
        except OSError:
            pass
