"""Certificate facts for `tls`: the fields we show from a certificate, host-name matching,
how long it has left relative to its lifetime, and verifying an incomplete chain again with
the issuer certificate its AIA address names (what browsers do and API clients do not).

Private to `tls` (the registry skips `_` modules); `tls` re-exports every name.
"""

from __future__ import annotations

import datetime as dt
import ssl
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.x509 import Name, ObjectIdentifier

    from launchready_tui.core.net import Net

LONG_LIFETIME_DAYS = 90
LONG_WARN_DAYS = 30


def parse_cert(der: bytes) -> dict[str, Any]:
    """The certificate facts we show, from DER bytes."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

    c = x509.load_der_x509_certificate(der)

    def name_attr(name: Name, oid: ObjectIdentifier) -> str | None:
        vals = name.get_attributes_for_oid(oid)
        return str(vals[0].value) if vals else None

    dns_names: list[str] = []
    ips: list[str] = []
    try:
        san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        ips = [str(i) for i in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    aia: list[str] = []
    try:
        for d in c.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value:
            if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS:
                aia.append(str(d.access_location.value))
    except x509.ExtensionNotFound:
        pass
    nb, na = c.not_valid_before_utc, c.not_valid_after_utc
    return {
        "subject": c.subject.rfc4514_string(),
        "subject_cn": name_attr(c.subject, NameOID.COMMON_NAME),
        "sans": dns_names + ips,
        "issuer": c.issuer.rfc4514_string(),
        "issuer_cn": name_attr(c.issuer, NameOID.COMMON_NAME),
        "issuer_org": name_attr(c.issuer, NameOID.ORGANIZATION_NAME),
        "self_signed": c.issuer == c.subject,
        "not_before": nb.isoformat(),
        "not_after": na.isoformat(),
        "serial": format(c.serial_number, "x"),
        "ca_issuers": aia,
    }


def hostname_matches(host: str, sans: list[str]) -> bool:
    """RFC 6125 matching against DNS SANs: a wildcard covers exactly one left-most label."""
    host = host.lower().rstrip(".")
    for name in sans:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host:
            if host.split(".", 1)[1] == name[2:]:
                return True
    return False


def lifetime_facts(cert: dict[str, Any], now: dt.datetime) -> dict[str, float]:
    nb = dt.datetime.fromisoformat(cert["not_before"])
    na = dt.datetime.fromisoformat(cert["not_after"])
    return {
        "days_left": round((na - now).total_seconds() / 86400, 1),
        "lifetime_days": round((na - nb).total_seconds() / 86400, 1),
    }


def expiry_threshold_days(lifetime_days: float, warn_days: float = LONG_WARN_DAYS) -> float:
    """Warn below this many days left: `warn_days` (30) for lifetimes of 90+ days, else a
    third of the lifetime (a fixed window is wrong for 6- and 47-day certificates)."""
    if lifetime_days >= LONG_LIFETIME_DAYS:
        return warn_days
    return lifetime_days / 3


# ---------------------------------------------------------------------------- chain help


def _load_anchors(ca_bundle: str | None) -> list[Any]:
    from cryptography import x509

    paths = ssl.get_default_verify_paths()
    f = ca_bundle or paths.cafile or paths.openssl_cafile
    try:
        with open(f, "rb") as fh:
            return list(x509.load_pem_x509_certificates(fh.read()))
    except (OSError, ValueError, TypeError):
        return []


def _parse_cert_blob(data: bytes) -> list[Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs7

    for loader in (
        lambda d: [x509.load_der_x509_certificate(d)],
        lambda d: list(x509.load_pem_x509_certificates(d)),
        lambda d: list(pkcs7.load_der_pkcs7_certificates(d)),
    ):
        try:
            return loader(data)
        except Exception:
            continue
    return []


async def chain_verifies_with_aia(net: Net, leaf_der: bytes, sent: list[bytes], cert: dict[str, Any],
                                 now: dt.datetime) -> tuple[bool, str]:
    """Fetch the issuer certificate named in the leaf (AIA) and verify again with it.
    Returns (verifies, note)."""
    from cryptography import x509
    from cryptography.x509.verification import DNSName, PolicyBuilder, Store

    urls = [u for u in cert.get("ca_issuers", []) if u.lower().startswith(("http://", "https://"))]
    if not urls:
        return False, "the certificate names no issuer download address (AIA)"
    fetched = []
    try:  # bounded: public addresses only, 64 KB, one timeout (core/net.py fetch_public)
        r = await net.fetch_public(urls[0], max_bytes=64 * 1024, deadline_s=net.timeout_s)
        if r.status == 200:
            fetched = _parse_cert_blob(r.body)
    except PermissionError as e:
        return False, f"did not download the issuer certificate from {urls[0]}: {e}"
    except Exception as e:  # any network trouble: we just cannot tell
        return False, f"could not download the issuer certificate from {urls[0]}: {type(e).__name__}"
    if not fetched:
        return False, f"no certificate found at {urls[0]}"
    anchors = _load_anchors(net.config.ca_bundle)
    if not anchors:
        return False, "no trusted roots available to verify against"
    leaf = x509.load_der_x509_certificate(leaf_der)
    inter = [x509.load_der_x509_certificate(d) for d in sent[1:]] + fetched
    names = [n for n in cert.get("sans", []) if not n.startswith("*.") and not n[:1].isdigit()]
    name = names[0] if names else (cert["sans"][0].replace("*.", "x.", 1) if cert.get("sans") else None)
    if not name:
        return False, "the certificate has no host names"
    nb, na = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    when = min(max(now, nb + dt.timedelta(seconds=1)), na - dt.timedelta(seconds=1))
    try:
        verifier = PolicyBuilder().store(Store(anchors)).time(when).build_server_verifier(DNSName(name))
        verifier.verify(leaf, inter)
    except Exception as e:
        return False, f"even with the issuer certificate from {urls[0]} the chain does not verify: {e}"[:300]
    return True, f"verifies once the issuer certificate from {urls[0]} is added"
