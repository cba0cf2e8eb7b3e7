"""A small authoritative DNS server on loopback, for tests and the demo.

Built on dnspython's message classes, it serves the records it is given over UDP and
TCP, chases CNAMEs inside its own data like a real authoritative server, and can inject
faults per name: SERVFAIL, REFUSED, dropped replies (timeouts), truncation (forcing TCP)
and garbage replies.

Records are given as (name, rdtype, value) or (name, rdtype, value, ttl); a TXT value
may be a list of strings (several character-strings in one record).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

FAULTS = ("servfail", "refused", "drop", "truncate", "garbage")


def _txt_rdata(value) -> str:
    parts = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for p in parts:
        p = str(p)
        # split long strings into 255-byte character-strings like a zone file would
        chunks = [p[i : i + 255] for i in range(0, len(p), 255)] or [""]
        out.extend('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
    return " ".join(out)


@dataclass
class Zone:
    """Records keyed by lower-case name without trailing dot."""

    records: dict[str, list[tuple[str, str, int]]] = field(default_factory=lambda: defaultdict(list))
    faults: dict[str, str] = field(default_factory=dict)  # name -> fault, or "*"

    def add(self, name: str, rdtype: str, value, ttl: int = 300) -> None:
        rdtype = rdtype.upper()
        text = _txt_rdata(value) if rdtype in ("TXT", "SPF") else str(value)
        self.records[name.lower().rstrip(".")].append((rdtype, text, ttl))

    def extend(self, records: Iterable[tuple]) -> None:
        for r in records:
            self.add(*r)

    def names(self) -> set[str]:
        return set(self.records)


class _Handler:
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.lock = threading.Lock()
        self.queries: list[tuple[str, str]] = []

    def answer(self, wire: bytes, tcp: bool) -> bytes | None:
        import dns.exception
        import dns.flags
        import dns.message
        import dns.name
        import dns.rcode
        import dns.rdata
        import dns.rdataclass
        import dns.rdatatype
        import dns.rrset

        try:
            q = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        if not q.question:
            return None
        question = q.question[0]
        qname = question.name.to_text(omit_final_dot=True).lower()
        qtype = dns.rdatatype.to_text(question.rdtype)
        with self.lock:
            self.queries.append((qname, qtype))
        fault = self.zone.faults.get(qname) or self.zone.faults.get("*")
        if fault == "drop":
            return None
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        if fault == "servfail":
            r.set_rcode(dns.rcode.SERVFAIL)
            return r.to_wire()
        if fault == "refused":
            r.set_rcode(dns.rcode.REFUSED)
            return r.to_wire()
        if fault == "garbage":
            return b"\x00" * 5
        if fault == "truncate" and not tcp:
            r.flags |= dns.flags.TC
            return r.to_wire()

        # The lab's data is one world: we answer for every name like a recursive
        # resolver would, chasing CNAMEs; a name we do not hold is NXDOMAIN.
        name = qname
        for _ in range(10):
            recs = self.zone.records.get(name)
            if recs is None:
                r.set_rcode(dns.rcode.NXDOMAIN)
                break
            matching = [x for x in recs if x[0] == qtype]
            cname = [x for x in recs if x[0] == "CNAME"]
            owner = dns.name.from_text(name + ".")
            if matching or qtype == "CNAME" or not cname:
                if matching:
                    rd_t = dns.rdatatype.from_text(qtype)
                    rr = dns.rrset.RRset(owner, dns.rdataclass.IN, rd_t)
                    for _t, text, ttl in matching:
                        rr.add(dns.rdata.from_text(dns.rdataclass.IN, rd_t, text), ttl)
                    r.answer.append(rr)
                break
            _t, target, ttl = cname[0]
            rr = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.CNAME)
            rr.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CNAME, target), ttl)
            r.answer.append(rr)
            name = target.lower().rstrip(".")
        wire_out = r.to_wire()
        limit = q.payload if q.edns >= 0 else 512
        if not tcp and len(wire_out) > limit:
            r.answer.clear()
            r.flags |= dns.flags.TC
            wire_out = r.to_wire()
        return wire_out


class DnsServer:
    """Serve a Zone on 127.0.0.1 (UDP and TCP on the same port). Use as a context manager."""

    def __init__(self, zone: Zone | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.zone = zone or Zone()
        self.handler = _Handler(self.zone)
        handler = self.handler

        class UDP(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                out = handler.answer(data, tcp=False)
                if out is not None:
                    sock.sendto(out, self.client_address)

        class TCP(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(5)
                try:
                    while True:
                        hdr = self._recv(2)
                        if not hdr:
                            return
                        (n,) = struct.unpack("!H", hdr)
                        data = self._recv(n)
                        out = handler.answer(data, tcp=True)
                        if out is None:
                            return
                        self.request.sendall(struct.pack("!H", len(out)) + out)
                except OSError:
                    return

            def _recv(self, n: int) -> bytes:
                buf = b""
                while len(buf) < n:
                    chunk = self.request.recv(n - len(buf))
                    if not chunk:
                        return b""
                    buf += chunk
                return buf

        class UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
            daemon_threads = True
            allow_reuse_address = True

        class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        # Bind UDP first, then TCP on the same port (retry if that port is taken for TCP).
        for _attempt in range(20):
            udp = UDPServer((host, port), UDP)
            p = udp.server_address[1]
            try:
                tcp = TCPServer((host, p), TCP)
            except OSError:
                udp.server_close()
                if port:
                    raise
                continue
            break
        else:  # pragma: no cover
            raise OSError("could not bind a UDP+TCP port pair")
        self._udp, self._tcp = udp, tcp
        self.host, self.port = host, p
        self._threads: list[threading.Thread] = []

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def queries(self) -> list[tuple[str, str]]:
        return self.handler.queries

    def start(self) -> DnsServer:
        for srv in (self._udp, self._tcp):
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for srv in (self._udp, self._tcp):
            srv.shutdown()
            srv.server_close()

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
