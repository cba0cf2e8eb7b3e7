"""Helpers for `tls` that do not depend on this computer's OpenSSL: a raw TLS 1.2
ClientHello probe for legacy cipher suites, and the strength of the certificates a
server sends.

Why a raw probe: Debian's OpenSSL 3 cannot offer 3DES or RC4 at all, so a probe through
Python's `ssl` would report "not testable here" on most machines. Like testssl.sh, we
write the ClientHello ourselves, offer only the suites in question, and read the
server's first answer: a ServerHello naming one of them means "accepted"; an alert or a
closed connection means "refused". No handshake is completed and no data is sent.

Sources: RFC 5246 §7.4.1.2 (ClientHello), §7.4.1.3 (ServerHello), §7.2 (alerts);
RFC 7465 (RC4 prohibited); RFC 8996 and NIST SP 800-52r2 §3.3.1 (3DES and CBC-only are
legacy; AEAD suites are the norm); CA/Browser Forum Baseline Requirements §6.1.5
(RSA keys of at least 2048 bits, ECDSA P-256 or larger) and §7.1.3 (no SHA-1 signatures).
"""

from __future__ import annotations

import asyncio
import os
import struct
from typing import Any

# IANA TLS cipher suite values.
SUITES_3DES = (0x000A, 0xC012, 0xC008, 0x0016, 0x0013)
SUITES_RC4 = (0x0005, 0x0004, 0xC011, 0xC007, 0x0018)
SUITES_AEAD = (0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA8, 0xCCA9, 0xCCAA, 0x009E, 0x009F,
               0x009C, 0x009D, 0xC0AC, 0xC0AD, 0xC09C, 0xC09D)
LEGACY = {"3DES": SUITES_3DES, "RC4": SUITES_RC4}

_GROUPS = (0x001D, 0x0017, 0x0018, 0x0019)  # x25519, P-256, P-384, P-521
_SIGALGS = (0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203)


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def client_hello(host: str, suites: tuple[int, ...]) -> bytes:
    """One TLS record holding a TLS 1.2 ClientHello that offers only `suites` (RFC 5246 §7.4.1.2)."""
    name = host.encode("idna") if not host.isascii() else host.encode()
    sni = struct.pack("!BH", 0, len(name)) + name
    exts = b"".join([
        _ext(0x0000, struct.pack("!H", len(sni)) + sni),  # server_name
        _ext(0x000A, struct.pack("!H", 2 * len(_GROUPS)) + b"".join(struct.pack("!H", g) for g in _GROUPS)),
        _ext(0x000B, b"\x01\x00"),  # ec_point_formats: uncompressed
        _ext(0x000D, struct.pack("!H", 2 * len(_SIGALGS)) + b"".join(struct.pack("!H", a) for a in _SIGALGS)),
        _ext(0xFF01, b"\x00"),  # renegotiation_info (empty)
    ])
    body = (b"\x03\x03" + os.urandom(32) + b"\x00"
            + struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def parse_server_reply(data: bytes) -> tuple[str, int | None]:
    """('accepted', suite) for a ServerHello, ('refused', None) for an alert or anything else."""
    if len(data) < 5 or data[0] != 0x16:
        return "refused", None
    rec = data[5:]
    if len(rec) < 4 or rec[0] != 0x02:  # handshake type 2 = ServerHello
        return "refused", None
    body = rec[4:]
    if len(body) < 35:
        return "refused", None
    sid_len = body[34]
    at = 35 + sid_len
    if len(body) < at + 2:
        return "refused", None
    return "accepted", struct.unpack("!H", body[at:at + 2])[0]


def _enough(data: bytes) -> bool:
    """Has the server said enough to judge: an alert, or a ServerHello up to its suite?"""
    if data[:1] and data[:1] != b"\x16":
        return True  # an alert (0x15) or something that is not TLS at all
    if len(data) < 5 + 4 + 35:
        return False
    return len(data) >= 5 + 4 + 35 + data[5 + 4 + 34] + 2


async def probe_suites(ip: str, port: int, host: str, suites: tuple[int, ...], timeout_s: float) -> str:
    """'accepted', 'refused' or 'no answer': does the server pick one of `suites`?"""
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(ip, port)
    except (TimeoutError, OSError):
        return "no answer"
    try:
        writer.write(client_hello(host, suites))
        async with asyncio.timeout(timeout_s):
            await writer.drain()
            data = b""
            while not _enough(data) and len(data) < 16384:
                chunk = await reader.read(4096)
                if not chunk:
                    break
                data += chunk
        verdict, suite = parse_server_reply(data)
        if verdict == "accepted" and suite not in suites:
            return "refused"  # a server that ignores our offer is not agreeing to it
        return verdict
    except TimeoutError:
        return "no answer"
    except OSError:
        return "refused"
    finally:
        writer.transport.abort()


def is_aead(cipher: str | None, version: str | None) -> bool:
    """TLS 1.3 suites are all AEAD; in TLS 1.2 the AEAD ones are GCM, CCM and ChaCha20."""
    if version == "TLSv1.3":
        return True
    c = (cipher or "").upper()
    return any(x in c for x in ("GCM", "CCM", "CHACHA20"))


def is_legacy_cipher(cipher: str | None) -> str | None:
    c = (cipher or "").upper()
    if "RC4" in c:
        return "RC4"
    if "3DES" in c or "DES-CBC3" in c:
        return "3DES"
    return None


# ---------------------------------------------------------------------------- certificates

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
WEAK_HASHES = ("sha1", "md5", "md2")


def cert_strength(ders: list[bytes]) -> list[dict[str, Any]]:
    """Key type and size and signature hash of each certificate the server sent (leaf first)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    out: list[dict[str, Any]] = []
    for i, der in enumerate(ders[:8]):
        try:
            c = x509.load_der_x509_certificate(der)
        except ValueError:
            continue
        pub = c.public_key()
        if isinstance(pub, rsa.RSAPublicKey):
            kind, bits = "RSA", pub.key_size
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            kind, bits = "ECDSA", pub.curve.key_size
        elif isinstance(pub, dsa.DSAPublicKey):
            kind, bits = "DSA", pub.key_size
        else:
            kind, bits = type(pub).__name__.replace("PublicKey", ""), None
        try:
            h = c.signature_hash_algorithm
            sig = h.name if h is not None else None
        except Exception:  # an algorithm cryptography does not know
            sig = None
        try:
            from cryptography.x509.oid import NameOID

            cn = c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            who = str(cn[0].value) if cn else c.subject.rfc4514_string()
        except Exception:
            who = "?"
        weak_key = (kind == "RSA" and bits is not None and bits < MIN_RSA_BITS) or kind == "DSA" or (
            kind == "ECDSA" and bits is not None and bits < MIN_EC_BITS)
        # A root's own signature is never checked (RFC 5280 §6.1: the trust anchor is an
        # input, not part of the path), so SHA-1 on a self-signed root is not a problem.
        self_signed = c.issuer == c.subject
        out.append({
            "position": "leaf" if i == 0 else ("root" if self_signed else "intermediate"),
            "subject": who[:120],
            "key": kind,
            "bits": bits,
            "signature_hash": sig,
            "weak_key": weak_key,
            "weak_signature": (sig in WEAK_HASHES) and not self_signed,
        })
    return out
