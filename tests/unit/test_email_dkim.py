"""DKIM: tag lists, key sizes read from the key, revoked/testing/missing selectors."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from launchready_tui.core.checks.email import dkim
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import Status
from tests.unit.test_spf_conformance import SuiteResolver


def rsa_p(bits: int) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if bits >= 1024:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    else:  # cryptography refuses to generate these; build the public numbers directly
        key = rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0x10001).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


@pytest.fixture(scope="module")
def keys():
    return {b: rsa_p(b) for b in (768, 1024, 2048)}


def ed_p() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pub = ed25519.Ed25519PrivateKey.generate().public_key()
    return base64.b64encode(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def test_tag_list_parsing():
    assert dkim.parse_tag_list(" v=DKIM1 ; k = rsa;\r\n p=AB CD ;") == {"v": "DKIM1", "k": "rsa", "p": "AB CD"}
    for bad in ("v=DKIM1; v=DKIM1", "1v=x", "novalue", "p=a\x01b"):
        with pytest.raises(dkim.TagListError):
            dkim.parse_tag_list(bad)


def test_describe_key_reads_bits_from_the_key(keys):
    assert dkim.describe_key(keys[2048])["key_bits"] == 2048
    assert dkim.describe_key(keys[768])["key_bits"] == 768
    assert dkim.describe_key(ed_p(), "ed25519")["key_type"] == "ed25519"
    with pytest.raises(ValueError, match="base64"):
        dkim.describe_key("!!!")
    with pytest.raises(ValueError, match="readable"):
        dkim.describe_key(base64.b64encode(b"not a key").decode())


async def run(zone: dict, name: str = "s1._domainkey.acme.test"):
    ctx = SimpleNamespace(net=SimpleNamespace(resolver=SuiteResolver(zone)))
    r = await dkim.check(ctx, name, {})
    if r.status in (Status.WARN, Status.FAIL, Status.ERROR):
        assert r.why and r.fix
    return r


def key_zone(record, name="s1._domainkey.acme.test"):
    parts = [record[i : i + 255] for i in range(0, len(record), 255)]
    return {name: [{"TXT": parts}]}


async def test_2048_bit_key_passes_multi_string(keys):
    r = await run(key_zone(f"v=DKIM1; k=rsa; p={keys[2048]}"))
    assert r.status == Status.PASS and "2048-bit RSA" in r.summary
    assert r.evidence["key_bits"] == 2048 and "p" not in r.evidence["tags"]


async def test_1024_bit_key_warns(keys):
    r = await run(key_zone(f"v=DKIM1; k=rsa; p={keys[1024]}"))
    assert r.status == Status.WARN and "weak 1024-bit" in r.summary


async def test_short_key_fails(keys):
    r = await run(key_zone(f"v=DKIM1; p={keys[768]}"))
    assert r.status == Status.FAIL and "768-bit" in r.summary


async def test_revoked_key_fails():
    r = await run(key_zone("v=DKIM1; k=rsa; p="))
    assert r.status == Status.FAIL and "revoked" in r.summary


async def test_testing_mode_warns(keys):
    r = await run(key_zone(f"v=DKIM1; t=y; p={keys[2048]}"))
    assert r.status == Status.WARN and "t=y" in r.summary


async def test_ed25519_passes():
    r = await run(key_zone(f"v=DKIM1; k=ed25519; p={ed_p()}"))
    assert r.status == Status.PASS and "ed25519" in r.summary


async def test_missing_selector_fails_and_points_at_the_header_helper():
    r = await run({"acme.test": [{"A": "192.0.2.1"}]})
    assert r.status == Status.FAIL and "missing" in r.summary
    assert "dkim-selectors" in r.fix


async def test_non_key_txt_is_missing_and_two_keys_fail(keys):
    r = await run(key_zone("some verification token"))
    assert r.status == Status.FAIL and "holds no DKIM key" in r.summary
    z = {"s1._domainkey.acme.test": [{"TXT": f"p={keys[2048]}"}, {"TXT": f"v=DKIM1; p={keys[1024]}"}]}
    r = await run(z)
    assert r.status == Status.FAIL and "2 DKIM key records" in r.summary


@pytest.mark.parametrize(
    ("record", "needle"),
    [
        ("v=DKIM2; p=AAAA", "DKIM1"),
        ("v=DKIM1; k=dsa; p=AAAA", "unknown key type"),
        ("v=DKIM1; h=sha1; p=AAAA", "SHA-1"),
        ("v=DKIM1; s=tls; p=AAAA", "not for email"),
        ("v=DKIM1; k=rsa", "p= is missing"),
        ("v=DKIM1; p=QUJD", "cannot be read"),
        ("v=DKIM1; p=x; p=y", "does not parse"),
    ],
)
async def test_invalid_records_fail(record, needle):
    r = await run(key_zone(record))
    assert r.status == Status.FAIL and needle in r.summary


async def test_timeout_is_error():
    r = await run({"s1._domainkey.acme.test": ["TIMEOUT"]})
    assert r.status == Status.ERROR


def test_targets():
    p = parse_profile("project: P\ndomain: acme.test\nemail:\n  dkim_selectors: [google, k2._domainkey.mail.acme.test]\n")
    assert dkim.targets(p, {}) == ["google._domainkey.acme.test", "k2._domainkey.mail.acme.test"]
    with pytest.raises(MissingInput) as e:
        dkim.targets(parse_profile("project: P\ndomain: acme.test\n"), {})
    assert e.value.key == "email.dkim_selectors"
