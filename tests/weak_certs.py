"""Certificates that browsers refuse, for the TLS tests: RSA keys under 2048 bits, SHA-1
signatures, and very large certificates. trustme only makes ECDSA/RSA-2048 SHA-256
certificates, and `cryptography` refuses to sign with SHA-1, so a SHA-1 certificate is
built with `cryptography` and then re-signed by hand (the TBS part's signature algorithm
swapped for sha1WithRSAEncryption, signed with PKCS#1 v1.5 + SHA-1, DER reassembled)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")  # OID 1.2.840.113549.1.1.11
_SHA1_RSA = bytes.fromhex("06092a864886f70d010105")  # OID 1.2.840.113549.1.1.5


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(body)) + body


def resign_sha1(cert, issuer_key):
    """The same certificate, signed by issuer_key (RSA) with SHA-1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    tbs = cert.tbs_certificate_bytes
    assert tbs.count(_SHA256_RSA) == 1, "expected one sha256WithRSAEncryption in the TBS"
    tbs = tbs.replace(_SHA256_RSA, _SHA1_RSA)
    sig = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    algid = _tlv(0x30, _SHA1_RSA + b"\x05\x00")
    der = _tlv(0x30, tbs + algid + _tlv(0x03, b"\x00" + sig))
    return x509.load_der_x509_certificate(der)


@dataclass
class Pki:
    ca_pem: bytes
    chain_pem: bytes  # leaf (+ intermediate when there is one)
    key_pem: bytes
    leaf: object  # cryptography Certificate


def make_pki(host: str, *, leaf_bits: int = 2048, leaf_sha1: bool = False, int_sha1: bool = False,
             intermediate: bool = False, extra_sans: int = 0, days: int = 60) -> Pki:
    """A root CA (RSA-2048, SHA-256), an optional intermediate, and a leaf for host."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

    def name(cn: str):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Weak Test PKI"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def build(subject, issuer, pub, signer, *, ca: bool, sans=None):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
             .serial_number(x509.random_serial_number()).not_valid_before(now)
             .not_valid_after(now + dt.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                              key_encipherment=False, data_encipherment=False,
                                              key_agreement=False, key_cert_sign=True, crl_sign=True,
                                              encipher_only=False, decipher_only=False), critical=True)
        else:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return b.sign(signer, hashes.SHA256())

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = build(name(f"Weak Test Root for {host}"), name(f"Weak Test Root for {host}"), root_key.public_key(), root_key,
                 ca=True)  # one root name per PKI: OpenSSL finds issuers by name
    issuer, issuer_key, chain = root, root_key, []
    if intermediate:
        int_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        inter = build(name(f"Weak Test Intermediate for {host}"), root.subject, int_key.public_key(), root_key, ca=True)
        if int_sha1:
            inter = resign_sha1(inter, root_key)
        issuer, issuer_key, chain = inter, int_key, [inter]
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=leaf_bits)
    sans = [x509.DNSName(host)] + [x509.DNSName(f"n{i:05d}-{'x' * 40}.example") for i in range(extra_sans)]
    leaf = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]), issuer.subject,
                 leaf_key.public_key(), issuer_key, ca=False, sans=sans)
    if leaf_sha1:
        leaf = resign_sha1(leaf, issuer_key)
    pem = serialization.Encoding.PEM
    return Pki(
        ca_pem=root.public_bytes(pem),
        chain_pem=b"".join(c.public_bytes(pem) for c in [leaf, *chain]),
        key_pem=leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        leaf=leaf,
    )


def server_context(pki: Pki, tmp) -> object:
    """A server context that will serve these certificates (security level 0, so OpenSSL
    agrees to load a 1024-bit key or a SHA-1 chain)."""
    import ssl
    from pathlib import Path

    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "chain.pem").write_bytes(pki.chain_pem)
    (tmp / "key.pem").write_bytes(pki.key_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(str(tmp / "chain.pem"), str(tmp / "key.pem"))
    return ctx
