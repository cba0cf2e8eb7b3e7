"""Helpers for the edge-check integration tests (no tests here).

Builds runbooks naming their targets, profiles pointing at the lab (optionally at knotd
instead of the in-process DNS server), extra TLS servers the lab's SNI server cannot
play (a foreign CA, an incomplete chain with an AIA address, TLS 1.0/1.1, hostile
behaviours), and runs the real CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
import time
import warnings
from pathlib import Path

import yaml

from launchready_tui.lab.web import raw_server
from tests.conftest import run_cli

# ---------------------------------------------------------------------------- runbooks


def runbook_text(targets: dict[str, list[str] | None], rid: str = "edge", params: dict | None = None) -> str:
    """A stage-3 runbook with one step per check kind; `None` targets = the kind's default."""
    out = [
        "---",
        f"id: {rid}",
        'title: "Edge checks (test copy)"',
        "stage: 3",
        "goal: Test the edge checks.",
        "summary: Edge checks for the integration tests.",
        "---",
        "",
        "# Edge checks",
        "",
    ]
    for kind, tg in targets.items():
        out += [f"## {kind} {{#{kind}}}", "", "Text.", "", "```check", f"id: {kind}", f"kind: {kind}"]
        if tg is not None:
            out.append("targets: " + json.dumps(tg))
        for k, v in ((params or {}).get(kind) or {}).items():
            out.append(f"{k}: {json.dumps(v)}")
        out += ["```", ""]
    return "\n".join(out)


def write_runbooks(directory: Path, targets: dict[str, list[str] | None], **kw) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "edge.md").write_text(runbook_text(targets, **kw), encoding="utf-8")
    return str(directory)


def write_profile(path: Path, profile: dict, network: dict) -> Path:
    data = dict(profile)
    data["network"] = dict(network)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_check(profile: Path, runbooks: str, *extra: str, timeout: float = 120):
    t0 = time.monotonic()
    proc = run_cli("check", "--profile", str(profile), "--runbooks", runbooks, "--format", "json",
                   *extra, timeout=timeout)
    wall = time.monotonic() - t0
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    by = {(r["check"], r["target"]): r for r in doc["results"]}
    return doc, by, wall, proc


# ---------------------------------------------------------------------------- certificates


def make_aia_chain(host: str, aia_url: str, *, days: int = 60):
    """A root CA, an intermediate, and a leaf for host whose AIA names aia_url.
    Returns dict of PEM/DER bytes: root_pem, int_pem, int_der, leaf_pem, key_pem."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Edge Test PKI"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def build(subject, issuer, pub, signer, *, ca: bool, extra=()):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
             .serial_number(x509.random_serial_number()).not_valid_before(now)
             .not_valid_after(now + dt.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))
        if ca:
            b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                              key_encipherment=False, data_encipherment=False,
                                              key_agreement=False, key_cert_sign=True, crl_sign=True,
                                              encipher_only=False, decipher_only=False), critical=True)
        for ext, crit in extra:
            b = b.add_extension(ext, critical=crit)
        return b.sign(signer, hashes.SHA256())

    root_key = ec.generate_private_key(ec.SECP256R1())
    int_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root = build(name("Edge Test Root"), name("Edge Test Root"), root_key.public_key(), root_key, ca=True)
    inter = build(name("Edge Test Intermediate"), root.subject, int_key.public_key(), root_key, ca=True,
                  extra=[(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False)])
    leaf = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]), inter.subject,
                 leaf_key.public_key(), int_key, ca=False, extra=[
                     (x509.SubjectAlternativeName([x509.DNSName(host)]), False),
                     (x509.AuthorityKeyIdentifier.from_issuer_public_key(int_key.public_key()), False),
                     (x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False),
                     (x509.AuthorityInformationAccess([x509.AccessDescription(
                         AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(aia_url))]), False),
                 ])
    pem = serialization.Encoding.PEM
    return {
        "root_pem": root.public_bytes(pem),
        "int_pem": inter.public_bytes(pem),
        "int_der": inter.public_bytes(serialization.Encoding.DER),
        "leaf_pem": leaf.public_bytes(pem),
        "key_pem": leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    }


def server_context(cert_pem: bytes, key_pem: bytes, tmp: Path, *, old_tls: bool = False) -> ssl.SSLContext:
    tmp.mkdir(parents=True, exist_ok=True)
    c, k = tmp / "cert.pem", tmp / "key.pem"
    c.write_bytes(cert_pem)
    k.write_bytes(key_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if old_tls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(str(c), str(k))
    return ctx


def trustme_context(leaf, *, old_tls: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if old_tls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    leaf.configure_cert(ctx)
    return ctx


# ---------------------------------------------------------------------------- raw servers

PAGE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n"
        b"Connection: close\r\n\r\n<p>hello</p>\r\n\r\n")


def _read_request(c: socket.socket, limit: int = 65536) -> bytes:
    c.settimeout(5)
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < limit:
        chunk = c.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def _wait_closed(c: socket.socket, stop: threading.Event) -> None:
    """Hold the connection open, reading and discarding, until the client leaves."""
    c.settimeout(0.2)
    while not stop.is_set():
        try:
            if c.recv(4096) == b"":
                return
        except TimeoutError:
            continue
        except OSError:
            return


def _maybe_tls(c: socket.socket, ctx: ssl.SSLContext | None) -> socket.socket:
    """Wrap in TLS when the client starts a TLS handshake (first byte 0x16)."""
    c.settimeout(5)
    first = c.recv(1, socket.MSG_PEEK)
    if ctx is not None and first == b"\x16":
        return ctx.wrap_socket(c, server_side=True)
    return c


def tls_site(stop: threading.Event, ctx: ssl.SSLContext):
    """Serve a tiny page over TLS with ctx (one request per connection)."""
    def behave(c: socket.socket) -> None:
        s = _maybe_tls(c, ctx)
        _read_request(s)
        s.sendall(PAGE)
    return behave


def hang(stop: threading.Event, ctx: ssl.SSLContext | None = None):
    """Accept (and finish TLS if asked), read the request, never answer."""
    def behave(c: socket.socket) -> None:
        s = _maybe_tls(c, ctx)
        _read_request(s)
        _wait_closed(s, stop)
    return behave


def drip(stop: threading.Event, ctx: ssl.SSLContext | None = None, every_s: float = 0.1):
    """Send a status line, then one header byte every `every_s`, forever."""
    def behave(c: socket.socket) -> None:
        s = _maybe_tls(c, ctx)
        _read_request(s)
        s.sendall(b"HTTP/1.1 200 OK\r\n")
        s.settimeout(2)
        while not stop.is_set():
            s.sendall(b"X")
            time.sleep(every_s)
    return behave


def huge_body(stop: threading.Event, ctx: ssl.SSLContext | None = None, size: int = 1 << 30):
    """Announce and stream a 1 GB body (zeros) until the client gives up."""
    def behave(c: socket.socket) -> None:
        s = _maybe_tls(c, ctx)
        _read_request(s)
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                  + f"Content-Length: {size}\r\n\r\n".encode() + b"<!doctype html><html><body>")
        chunk = b"\0" * 65536
        sent = 0
        s.settimeout(2)
        while sent < size and not stop.is_set():
            s.sendall(chunk)
            sent += len(chunk)
    return behave


def tls_stall(stop: threading.Event):
    """Read the ClientHello, send the first bytes of a ServerHello, then stall."""
    def behave(c: socket.socket) -> None:
        c.settimeout(5)
        c.recv(4096)
        c.sendall(bytes.fromhex("160303007a0200007603037a1b"))
        _wait_closed(c, stop)
    return behave


class RawServers:
    """Several raw servers; `rules` are connect_to rules for them (HOST:PORT:127.0.0.1:P).
    Behaviours are made by `make(stop, *args)`; `stop` is set at close()."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._stops: list[threading.Event] = []
        self.rules: list[str] = []
        self.ports: dict[str, int] = {}

    def add(self, host: str, make, *args, ports=(443, 80)) -> int:
        _sock, port, stop = raw_server(make(self.stop, *args))
        self._stops.append(stop)
        self.ports[host] = port
        for p in ports:
            self.rules.append(f"{host}:{p}:127.0.0.1:{port}")
        return port

    def close(self) -> None:
        self.stop.set()
        for s in self._stops:
            s.set()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
