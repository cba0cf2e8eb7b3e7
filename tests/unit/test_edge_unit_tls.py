"""TLS judging: lifetime-relative expiry, name matching, chain and version findings."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from launchready_tui.core.checks import tls

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def cert(days_left: float, lifetime: float, sans=("acme.test",), org="Let's Encrypt") -> dict:
    na = NOW + dt.timedelta(days=days_left)
    nb = na - dt.timedelta(days=lifetime)
    return {"not_before": nb.isoformat(), "not_after": na.isoformat(), "sans": list(sans),
            "issuer_org": org, "issuer_cn": "R11", "self_signed": False, "ca_issuers": []}


def judge(c, code=None, complete=True, old=None, renewer=None, host="acme.test"):
    old = old or {"TLSv1": "refused", "TLSv1.1": "refused"}
    return {(x.severity, x.code) for x in tls.evaluate(host, c, code, "msg", complete, "", old, NOW, renewer)}


@pytest.mark.parametrize("lifetime,threshold", [(365, 30), (90, 30), (47, 47 / 3), (6, 2)])
def test_threshold_is_relative_to_lifetime(lifetime, threshold):
    assert tls.expiry_threshold_days(lifetime) == pytest.approx(threshold)


@pytest.mark.parametrize("left,lifetime,expected", [
    (60, 90, set()),
    (31, 90, set()),
    (29, 90, {("warn", "expiring")}),
    (29, 397, {("warn", "expiring")}),
    (16, 47, set()),
    (15, 47, {("warn", "expiring")}),
    (2.1, 6, set()),
    (1.9, 6, {("warn", "expiring")}),
    (-1, 90, {("fail", "expired")}),
])
def test_expiry(left, lifetime, expected):
    assert judge(cert(left, lifetime)) == expected


def test_hostname_matching():
    assert tls.hostname_matches("acme.test", ["acme.test"])
    assert tls.hostname_matches("App.Acme.Test.", ["*.acme.test"])
    assert not tls.hostname_matches("a.b.acme.test", ["*.acme.test"]), "a wildcard covers one label"
    assert not tls.hostname_matches("acme.test", ["*.acme.test"])
    assert not tls.hostname_matches("evilacme.test", ["acme.test"])
    assert judge(cert(60, 90, sans=["other.test"])) == {("fail", "hostname")}
    assert judge(cert(60, 90), code=tls.V_HOSTNAME) == {("fail", "hostname")}


def test_verify_errors():
    assert judge(cert(60, 90), code=tls.V_SELF_SIGNED) == {("fail", "untrusted")}
    assert judge(cert(60, 90), code=tls.V_NO_LOCAL_ISSUER, complete=None) == {("fail", "untrusted")}
    assert judge(cert(60, 90), code=tls.V_NO_LOCAL_ISSUER, complete=False) == {("warn", "incomplete_chain")}, \
        "a missing intermediate is a warning, not an untrusted certificate"
    assert judge(cert(60, 90), code=tls.V_EXPIRED) == {("fail", "expired")}
    assert judge(None, code=tls.V_SELF_SIGNED) == {("fail", "untrusted")}


def test_incomplete_chain_and_old_versions():
    assert judge(cert(60, 90), complete=False) == {("warn", "incomplete_chain")}
    got = judge(cert(60, 90), old={"TLSv1": "accepted", "TLSv1.1": "accepted"})
    assert got == {("fail", "old_tls")}
    assert judge(cert(60, 90), old={"TLSv1": "not testable here", "TLSv1.1": "no answer"}) == set()


def test_fix_names_who_renews():
    [line] = tls.evaluate("acme.test", cert(-1, 90), None, "", True, "", {}, NOW, "Sam (freelancer)")
    assert "Sam (freelancer)" in line.fix and "Let's Encrypt" in line.fix
    [line] = tls.evaluate("acme.test", cert(-1, 90, org="Amazon"), None, "", True, "", {}, NOW, None)
    assert "cert_renewer" in line.fix and "ACM" in line.fix


def test_chain_complete():
    hs = tls.Handshake(sent=[b"leaf"], verified=[b"leaf", b"root"])
    assert tls.chain_complete(hs) is True
    hs = tls.Handshake(sent=[b"leaf", b"int"], verified=[b"leaf", b"int", b"root"])
    assert tls.chain_complete(hs) is True
    hs = tls.Handshake(sent=[b"leaf"], verified=[b"leaf", b"int", b"root"])
    assert tls.chain_complete(hs) is False
    assert tls.chain_complete(tls.Handshake()) is None


def test_parse_cert_from_trustme():
    import trustme

    ca = trustme.CA(organization_name="Unit CA")
    leaf = ca.issue_cert("acme.test", "*.acme.test")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    c = tls.parse_cert(der)
    assert c["sans"] == ["acme.test", "*.acme.test"] and c["issuer_org"] == "Unit CA"
    assert c["self_signed"] is False and c["ca_issuers"] == []
    facts = tls.lifetime_facts(c, dt.datetime.fromisoformat(c["not_before"]))
    assert facts["days_left"] == facts["lifetime_days"]


def test_old_version_context_is_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in tls.OLD_VERSIONS:
            ctx = tls.old_version_context(v)
            assert ctx is None or ctx.maximum_version.name.startswith("TLSv1")


def test_warn_days_parameter_moves_the_window_for_long_lived_certificates():
    assert tls.expiry_threshold_days(90, warn_days=14) == 14
    assert tls.expiry_threshold_days(6, warn_days=14) == 2, "short-lived certificates keep a third"
    lines = tls.evaluate("acme.test", cert(20, 90), None, "", True, "", {}, NOW, None, warn_days=14)
    assert lines == []
    [line] = tls.evaluate("acme.test", cert(20, 90), None, "", True, "", {}, NOW, None, warn_days=21)
    assert "less than 21 days left" in line.message
