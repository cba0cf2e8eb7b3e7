"""TLS handshakes for `tls`: one handshake with SNI, the client contexts (unverified, only
TLS 1.0 or 1.1, everything this OpenSSL offers), which suites browsers offer, the old-version
probe, and whether the server sent its whole chain.

Private to `tls` (the registry skips `_` modules); `tls` re-exports every name.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------------------- handshakes


@dataclass
class Handshake:
    version: str | None = None
    cipher: str | None = None
    leaf_der: bytes | None = None
    sent: list[bytes] | None = None  # the chain the server sent (None: not observable)
    verified: list[bytes] | None = None  # the chain OpenSSL built


def _chain(sslobj: Any, which: str) -> list[bytes] | None:
    # Python 3.13 makes these public; 3.10-3.12 have them on the private _sslobj.
    import _ssl

    fn = getattr(sslobj, which, None) or getattr(getattr(sslobj, "_sslobj", None), which, None)
    if fn is None:
        return None
    try:
        return [c.public_bytes(_ssl.ENCODING_DER) for c in (fn() or [])]
    except Exception:
        return None


async def handshake(ip: str, port: int, host: str, context: ssl.SSLContext, timeout_s: float) -> Handshake:
    """One TLS handshake with SNI = host. Raises TimeoutError, ssl.SSLError or OSError."""
    async with asyncio.timeout(timeout_s):
        reader, writer = await asyncio.open_connection(
            ip, port, ssl=context, server_hostname=host, ssl_handshake_timeout=timeout_s
        )
    try:
        so = writer.get_extra_info("ssl_object")
        cipher = so.cipher()
        return Handshake(
            version=so.version(),
            cipher=cipher[0] if cipher else None,
            leaf_der=so.getpeercert(binary_form=True),
            sent=_chain(so, "get_unverified_chain"),
            verified=_chain(so, "get_verified_chain"),
        )
    finally:
        writer.transport.abort()  # never wait on a close_notify from a hostile server


_UNVERIFIED: ssl.SSLContext | None = None
_OLD: dict[str, ssl.SSLContext | None] = {}


def unverified_context() -> ssl.SSLContext:
    global _UNVERIFIED
    if _UNVERIFIED is None:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.check_hostname = False
        c.verify_mode = ssl.CERT_NONE
        _UNVERIFIED = c
    return _UNVERIFIED


def old_version_context(version: str) -> ssl.SSLContext | None:
    """A client context that offers only TLS 1.0 or only 1.1, or None when this
    computer's OpenSSL cannot offer that version at all."""
    if version not in _OLD:
        tv = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}[version]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                c.check_hostname = False
                c.verify_mode = ssl.CERT_NONE
                c.set_ciphers("ALL:@SECLEVEL=0")  # OpenSSL 3 needs level 0 for TLS < 1.2
                c.minimum_version = tv
                c.maximum_version = tv
            _OLD[version] = c
        except (ValueError, ssl.SSLError):
            _OLD[version] = None
    return _OLD[version]


_COMPAT: ssl.SSLContext | None = None


def compat_context() -> ssl.SSLContext:
    """A non-verifying client context that offers everything this OpenSSL has (TLS 1.0 to
    1.3, every cipher, security level 0): used only to tell, after the normal handshake
    failed, whether the server needs something browsers refuse or merely something our
    default client leaves out."""
    global _COMPAT
    if _COMPAT is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            c.check_hostname = False
            c.verify_mode = ssl.CERT_NONE
            c.set_ciphers("ALL:@SECLEVEL=0")
            try:
                c.minimum_version = ssl.TLSVersion.TLSv1
            except (ValueError, ssl.SSLError):
                pass
        _COMPAT = c
    return _COMPAT


def browsers_offer(cipher: str | None) -> bool:
    """Is this (OpenSSL-named) suite one that current Chrome, Firefox and Safari offer?
    They offer ECDHE/RSA key exchange with AES-GCM, ChaCha20 or AES-CBC; not DHE (removed
    in 2016), 3DES/RC4, Camellia, ARIA, SEED, CCM, PSK or NULL suites."""
    c = (cipher or "").upper()
    if c.startswith("TLS_"):  # TLS 1.3 names
        return "CCM" not in c
    if c.startswith(("DHE-", "EDH-")) or any(x in c for x in (
            "CAMELLIA", "ARIA", "SEED", "IDEA", "CCM", "PSK", "SRP", "NULL", "EXP", "DES", "RC4", "ADH", "AECDH")):
        return False
    return "AES" in c or "CHACHA20" in c


async def probe_old_version(ip: str, port: int, host: str, version: str, timeout_s: float) -> str:
    """'accepted', 'refused', 'no answer' or 'not testable here'."""
    ctx = old_version_context(version)
    if ctx is None:
        return "not testable here"
    try:
        hs = await handshake(ip, port, host, ctx, timeout_s)
    except ssl.SSLError as e:
        if "NO_PROTOCOLS_AVAILABLE" in str(e) or "no protocols available" in str(e):
            return "not testable here"
        return "refused"
    except (TimeoutError, ConnectionAbortedError):
        return "no answer"
    except OSError:
        return "refused"
    return "accepted" if hs.version == version else "refused"


def chain_complete(hs: Handshake) -> bool | None:
    """Did the server send every certificate between its own and a trusted root?"""
    if hs.sent is None or hs.verified is None:
        return None
    sent = set(hs.sent)
    return all(c in sent for c in hs.verified[1:-1])
