"""Issue 16, TLS: legacy cipher suites (RFC 7465, NIST SP 800-52r2 §3.3.1), weak keys and
SHA-1 signatures (CA/B Forum Baseline Requirements §6.1.5, §7.1.3) with their own fix, and
the raw ClientHello probe (RFC 5246 §7.4.1.2-3). Pure logic; the servers are in
tests/integration/test_edge_tls_spec.py."""

from __future__ import annotations

import struct

import pytest

from launchready_tui.core.checks import _tls_probe as tp
from launchready_tui.core.checks import tls
from tests.unit.test_edge_unit_tls import NOW, cert
from tests.weak_certs import make_pki

OLD_OK = {"TLSv1": "refused", "TLSv1.1": "refused"}


def judge(**kw):
    code = kw.pop("code", None)
    return {(x.severity, x.code) for x in tls.evaluate("acme.test", cert(60, 90), code, "msg", True, "", OLD_OK,
                                                      NOW, None, **kw)}


def der(pki):
    from cryptography.hazmat.primitives import serialization

    return pki.leaf.public_bytes(serialization.Encoding.DER)


# ---------------------------------------------------------------------------- weak keys / SHA-1


def test_br_6_1_5_rsa_1024_leaf_is_a_weak_key():
    [s] = tp.cert_strength([der(make_pki("acme.test", leaf_bits=1024))])
    assert s["key"] == "RSA" and s["bits"] == 1024 and s["weak_key"] and not s["weak_signature"]
    [s] = tp.cert_strength([der(make_pki("acme.test"))])
    assert s["bits"] == 2048 and not s["weak_key"]


def test_br_7_1_3_sha1_signature_is_weak_but_not_on_a_self_signed_root():
    from cryptography import x509

    pki = make_pki("acme.test", leaf_sha1=True)
    assert pki.leaf.signature_hash_algorithm.name == "sha1"
    [s] = tp.cert_strength([der(pki)])
    assert s["weak_signature"] and s["signature_hash"] == "sha1"
    root = x509.load_pem_x509_certificate(pki.ca_pem)
    from cryptography.hazmat.primitives import serialization

    [r] = tp.cert_strength([b"", root.public_bytes(serialization.Encoding.DER)])[-1:]
    assert r["position"] == "root" and not r["weak_signature"], "a root's own signature is never checked (RFC 5280 §6.1)"


def test_weak_key_and_sha1_get_their_own_message_and_fix_not_untrusted():
    strength = [{"position": "leaf", "subject": "acme.test", "key": "RSA", "bits": 1024,
                 "signature_hash": "sha1", "weak_key": True, "weak_signature": True}]
    got = judge(code=tls.V_EE_KEY_TOO_SMALL, strength=strength)
    assert got == {("fail", "weak_key"), ("fail", "weak_signature")}
    lines = tls.evaluate("acme.test", cert(60, 90), tls.V_CA_MD_TOO_WEAK, "CA signature digest algorithm too weak",
                         True, "", OLD_OK, NOW, None, strength=strength)
    for x in lines:
        assert "2048-bit RSA or an ECDSA key and a SHA-256 chain" in x.fix
        assert "full chain" not in x.fix and "not trusted" not in x.message
    assert "1024-bit RSA key" in lines[0].message and "SHA-1" in lines[1].message


@pytest.mark.parametrize("code", tls.WEAK_CODES)
def test_openssl_weak_codes_without_visible_weak_cert_still_say_weak(code):
    assert judge(code=code) == {("fail", "weak_chain")}


# ---------------------------------------------------------------------------- legacy suites


def test_rfc7465_rc4_and_3des_accepted_fail_like_old_tls():
    assert judge(legacy={"3DES": "accepted", "RC4": "refused"}) == {("fail", "legacy_cipher")}
    lines = tls.evaluate("acme.test", cert(60, 90), None, "", True, "", OLD_OK, NOW, None,
                         legacy={"3DES": "accepted", "RC4": "accepted"})
    assert "3DES and RC4" in lines[0].message and "Minimum TLS Version" in lines[0].fix
    assert judge(legacy={"3DES": "refused", "RC4": "no answer"}) == set()


def test_sp800_52r2_cbc_only_is_a_warning_and_unknown_is_silent():
    assert judge(aead=False) == {("warn", "cbc_only")}
    assert judge(aead=None) == set() and judge(aead=True) == set()


def test_aead_and_legacy_names():
    assert tp.is_aead("TLS_AES_128_GCM_SHA256", "TLSv1.3")
    assert tp.is_aead("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2")
    assert tp.is_aead("ECDHE-ECDSA-CHACHA20-POLY1305", "TLSv1.2")
    assert not tp.is_aead("ECDHE-RSA-AES128-SHA256", "TLSv1.2")
    assert tp.is_legacy_cipher("DES-CBC3-SHA") == "3DES" and tp.is_legacy_cipher("RC4-SHA") == "RC4"


@pytest.mark.parametrize("cipher,offered", [
    ("ECDHE-RSA-AES128-SHA", True), ("ECDHE-RSA-AES128-GCM-SHA256", True), ("AES128-SHA", True),
    ("TLS_AES_256_GCM_SHA384", True), ("DHE-RSA-AES128-SHA", False), ("CAMELLIA128-SHA", False),
    ("ECDHE-ARIA128-GCM-SHA256", False), ("DES-CBC3-SHA", False), ("AES128-CCM", False), (None, False),
])
def test_browsers_offer(cipher, offered):
    assert tls.browsers_offer(cipher) is offered


# ---------------------------------------------------------------------------- raw ClientHello


def _parse_hello(record: bytes) -> tuple[list[int], str]:
    assert record[0] == 0x16 and record[5] == 0x01
    body = record[9:]
    assert body[:2] == b"\x03\x03"
    at = 2 + 32
    at += 1 + body[at]
    (n,) = struct.unpack("!H", body[at:at + 2])
    suites = [struct.unpack("!H", body[at + 2 + i:at + 4 + i])[0] for i in range(0, n, 2)]
    return suites, body.decode("latin-1")


def test_rfc5246_client_hello_offers_only_the_suites_asked_and_names_the_host():
    rec = tp.client_hello("acme.test", tp.SUITES_3DES)
    suites, text = _parse_hello(rec)
    assert tuple(suites) == tp.SUITES_3DES and "acme.test" in text
    assert struct.unpack("!H", rec[3:5])[0] == len(rec) - 5


def server_hello(suite: int, sid: bytes = b"") -> bytes:
    body = b"\x03\x03" + b"\x00" * 32 + bytes([len(sid)]) + sid + struct.pack("!H", suite) + b"\x00"
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def test_rfc5246_server_reply_parsing():
    assert tp.parse_server_reply(server_hello(0x000A)) == ("accepted", 0x000A)
    assert tp.parse_server_reply(server_hello(0xC012, b"s" * 32)) == ("accepted", 0xC012)
    assert tp.parse_server_reply(b"\x15\x03\x03\x00\x02\x02\x28") == ("refused", None)  # handshake_failure
    assert tp.parse_server_reply(b"") == ("refused", None)
    assert tp.parse_server_reply(b"HTTP/1.1 400 Bad Request\r\n") == ("refused", None)
    assert tp._enough(server_hello(0x000A)) and tp._enough(b"\x15") and not tp._enough(b"\x16\x03\x03")


def test_weak_certificates_rank_with_certificates_browsers_refuse():
    from launchready_tui.core import problems
    from launchready_tui.core.results import failed

    r = failed("tls", "acme.test", "weak", evidence={"findings": [
        {"severity": "fail", "code": "weak_key", "message": "the leaf certificate has a 1024-bit RSA key"},
        {"severity": "fail", "code": "legacy_cipher", "message": "the server accepts 3DES cipher suites"}]},
        why="w", fix="f")
    found = {f.code: f for f in problems._tls(r)}
    assert "certificate" in found and "legacy_cipher" in found
