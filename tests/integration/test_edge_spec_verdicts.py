"""Issue 16 through the real CLI against the lab: headers (CSP3, RFC 6265bis, RFC 6797,
Fetch/HTML duplicates, Referrer Policy), redirects (port 80 refusing, HSTS on every https
hop, case-insensitive Location) and TLS (weak keys, SHA-1, legacy suites, LaunchReady's
own client limits). One lab world and one `launchready check --format json` run."""

from __future__ import annotations

import socket
import ssl
import struct
import warnings

import pytest
from test_edge_support import (
    RawServers,
    closed_port,
    run_check,
    tls_site,
    write_profile,
    write_runbooks,
)

from launchready_tui.core.checks import _tls_probe as tp
from launchready_tui.lab import Lab, Rule, Site, World
from tests.weak_certs import make_pki, server_context

pytestmark = pytest.mark.integration

D = "spec.test"
TIMEOUT = 2.0
GOOD = [
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
HOSTS = ["www", "cspweak", "framestar", "twice", "hostcookie", "referrer", "hsts180", "noport80", "upper",
         "rsa1024", "sha1", "bigcert", "cbcsha", "cbconly", "des3", "des3plus", "tls10only"]


def h(n: str) -> str:
    return f"{n}.{D}"


def swap(name: str, value: str | None) -> list[tuple[str, str]]:
    out = [x for x in GOOD if x[0] != name]
    return out + ([(name, value)] if value is not None else [])


def to_https(host: str) -> Rule:
    return Rule(status=301, redirect=f"https://{host}" + "{path}")


def _client_hello_suites(c: socket.socket) -> list[int]:
    """Peek at the ClientHello (RFC 5246 §7.4.1.2) and return the offered suites."""
    c.settimeout(5)
    data = b""
    for _ in range(50):
        data = c.recv(16384, socket.MSG_PEEK)
        if len(data) >= 5 and len(data) >= 5 + struct.unpack("!H", data[3:5])[0]:
            break
    body = data[9:]
    at = 2 + 32
    at += 1 + body[at]
    (n,) = struct.unpack("!H", body[at:at + 2])
    return [struct.unpack("!H", body[at + 2 + i:at + 4 + i])[0] for i in range(0, n, 2)]


def _server_hello(suite: int) -> bytes:
    body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + struct.pack("!H", suite) + b"\x00"
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def legacy_server(stop, modern_ctx: ssl.SSLContext | None):
    """Picks a 3DES suite when one is offered (this machine's OpenSSL has none, so the
    ServerHello is written by hand); otherwise a normal TLS server (modern_ctx) or a
    handshake_failure alert."""
    def behave(c: socket.socket) -> None:
        suites = _client_hello_suites(c)
        des = [s for s in suites if s in tp.SUITES_3DES]
        if des and (modern_ctx is None or set(suites) <= set(tp.SUITES_3DES)):
            c.recv(16384)
            c.sendall(_server_hello(des[0]))
            return
        if modern_ctx is None:
            c.recv(16384)
            c.sendall(b"\x15\x03\x03\x00\x02\x02\x28")  # alert: handshake_failure
            return
        s = modern_ctx.wrap_socket(c, server_side=True)
        s.recv(1024)
    return behave


def tls12(ctx: ssl.SSLContext, ciphers: str) -> ssl.SSLContext:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(ciphers)
    return ctx


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spec")
    w = World(profile={"project": "Spec", "domain": D})
    w.records += [(D, "A", "127.0.0.1")] + [(h(n), "A", "127.0.0.1") for n in HOSTS]
    # the apex answers https with a redirect to www but sends no HSTS itself
    w.sites[D] = Site(default=Rule(status=301, redirect=f"https://www.{D}/"), http=to_https(D))
    w.sites[h("www")] = Site(default=Rule(headers=list(GOOD)), http=to_https(h("www")))
    w.sites[h("cspweak")] = Site(default=Rule(headers=swap(
        "Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")))
    w.sites[h("framestar")] = Site(default=Rule(headers=swap(
        "Content-Security-Policy", "default-src 'self'; frame-ancestors *") + [("X-Frame-Options", "DENY")]))
    w.sites[h("twice")] = Site(default=Rule(headers=GOOD + [
        ("X-Content-Type-Options", "nosniff"), ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")]))
    w.sites[h("hostcookie")] = Site(default=Rule(headers=GOOD + [
        ("Set-Cookie", "__Host-sid=not-a-secret; Secure; HttpOnly; SameSite=Lax")]))
    w.sites[h("referrer")] = Site(default=Rule(headers=swap("Referrer-Policy", "no-referer")))
    w.sites[h("hsts180")] = Site(default=Rule(headers=swap("Strict-Transport-Security", "max-age=15552000")))
    w.sites[h("noport80")] = Site(default=Rule(headers=list(GOOD)))
    w.sites[h("upper")] = Site(default=Rule(headers=list(GOOD)),
                               http=Rule(status=301, redirect=f"HTTPS://{h('upper').upper()}/"))
    raw = RawServers()
    with Lab(w, tmp / "lab", timeout_s=TIMEOUT) as lab:
        pkis = {
            "rsa1024": make_pki(h("rsa1024"), leaf_bits=1024),
            "sha1": make_pki(h("sha1"), intermediate=True, int_sha1=True),
            "bigcert": make_pki(h("bigcert"), extra_sans=2500),
            "cbcsha": make_pki(h("cbcsha")),
            "cbconly": make_pki(h("cbconly")),
            "des3plus": make_pki(h("des3plus")),
            "tls10only": make_pki(h("tls10only")),
        }
        ctx = {n: server_context(p, tmp / n) for n, p in pkis.items()}
        for n in ("rsa1024", "sha1", "bigcert"):
            raw.add(h(n), tls_site, ctx[n], ports=(443,))
        raw.add(h("cbcsha"), tls_site, tls12(ctx["cbcsha"], "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"), ports=(443,))
        raw.add(h("cbconly"), tls_site, tls12(ctx["cbconly"], "ECDHE-RSA-AES128-SHA256"), ports=(443,))
        raw.add(h("des3"), legacy_server, None, ports=(443,))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old = ctx["tls10only"]
            old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1
        raw.add(h("tls10only"), tls_site, old, ports=(443,))
        raw.add(h("des3plus"), legacy_server, ctx["des3plus"], ports=(443,))
        bundle = tmp / "bundle.pem"
        bundle.write_bytes(lab.web.ca_path.read_bytes() + b"".join(p.ca_pem for p in pkis.values()))
        net = lab.network()
        net["connect_to"] = raw.rules + [f"{h('noport80')}:80:127.0.0.1:{closed_port()}"] + net["connect_to"]
        net["ca_bundle"] = str(bundle)
        profile = write_profile(tmp / "p" / "launchready.yaml",
                                {"project": "Spec", "domain": D, "canonical_host": f"www.{D}"}, net)
        targets = {
            "headers": [h(n) for n in ("cspweak", "framestar", "twice", "hostcookie", "referrer", "hsts180")],
            "redirects": [D, h("noport80"), h("upper")],
            "tls": [h(n) for n in ("rsa1024", "sha1", "bigcert", "cbcsha", "cbconly", "des3", "des3plus",
                                   "tls10only")],
        }
        rb = write_runbooks(tmp / "rb", targets)
        try:
            doc, by, _wall, proc = run_check(profile, rb, timeout=150)
            yield {"by": by, "doc": doc, "stdout": proc.stdout}
        finally:
            raw.close()


def res(run, kind, name):
    return run["by"][(kind, name if name == D else h(name))]


def codes(r):
    return {(f.get("severity") or f.get("status"), f["code"]) for f in r["evidence"].get("findings", [])}


def explained(r):
    assert r["summary"] and r["why"] and r["fix"], r


# ---------------------------------------------------------------------------- headers


def test_csp3_unsafe_inline_in_script_src(run):
    r = res(run, "headers", "cspweak")
    assert r["status"] == "warn" and ("warn", "csp_unsafe_inline") in codes(r), r["evidence"]["findings"]
    assert "the part that starts with `script-src`" in r["fix"]
    explained(r)


def test_csp3_6_4_2_frame_ancestors_star_beats_xfo_deny(run):
    r = res(run, "headers", "framestar")
    assert r["status"] == "warn" and ("warn", "frame_ancestors_open") in codes(r)
    assert "X-Frame-Options: DENY header does not help" in r["why"]


def test_headers_sent_twice_with_the_same_value_work(run):
    r = res(run, "headers", "twice")
    assert r["status"] == "pass", r["summary"]
    found = {f["code"]: f["message"] for f in r["evidence"]["findings"]}
    assert "that works" in found["nosniff"]
    assert "browsers use only the first one" in found["hsts_twice"], "RFC 6797 §8.1"


def test_6265bis_host_prefix_without_path_fails(run):
    r = res(run, "headers", "hostcookie")
    assert r["status"] == "fail" and ("fail", "cookie_prefix_rejected") in codes(r)
    assert "lacks Path=/" in r["summary"]
    assert "not-a-secret" not in run["stdout"]


def test_referrer_policy_typo_is_named_and_only_a_note(run):
    r = res(run, "headers", "referrer")
    assert r["status"] == "pass", r["summary"]
    msgs = " ".join(f["message"] for f in r["evidence"]["findings"])
    assert "did you mean `no-referrer`" in msgs


def test_rfc6797_180_days_is_accepted_with_the_preload_note(run):
    r = res(run, "headers", "hsts180")
    assert r["status"] == "pass" and ("info", "hsts_preload_needs_year") in codes(r)


# ---------------------------------------------------------------------------- redirects


def test_hstspreload_apex_https_hop_needs_its_own_hsts(run):
    r = res(run, "redirects", D)
    assert r["status"] == "warn" and ("warn", "hop_hsts_missing") in codes(r), r["evidence"]["findings"]
    assert f"https://{D}/ redirects to https://www.{D}/ without sending HSTS" in r["summary"]
    explained(r)


def test_port_80_refusing_is_a_warning_with_what_visitors_see(run):
    r = res(run, "redirects", "noport80")
    assert r["status"] == "warn" and ("warn", "http_refused") in codes(r), r["summary"]
    assert "does not answer at all" in r["summary"] and "This site can't be reached" in r["why"]


def test_rfc3986_uppercase_location_is_the_same_destination(run):
    r = res(run, "redirects", "upper")
    assert r["status"] == "pass", r["evidence"]["findings"]
    assert r["summary"].count(f"https://{h('upper')}/") == 1


# ---------------------------------------------------------------------------- tls


def test_br_6_1_5_rsa_1024_gets_its_own_message_and_fix(run):
    r = res(run, "tls", "rsa1024")
    assert r["status"] == "fail" and ("fail", "weak_key") in codes(r), r["evidence"]["findings"]
    assert "1024-bit RSA key" in r["summary"]
    assert "2048-bit RSA or an ECDSA key and a SHA-256 chain" in r["fix"] and "full chain" not in r["fix"]
    assert ("fail", "untrusted") not in codes(r)


def test_br_7_1_3_sha1_intermediate(run):
    r = res(run, "tls", "sha1")
    assert r["status"] == "fail" and ("fail", "weak_signature") in codes(r), r["evidence"]["findings"]
    assert "intermediate" in r["summary"] and "SHA-1" in r["summary"]
    assert "SHA-256 chain" in r["fix"]


def test_a_very_large_certificate_is_our_client_limit_not_a_browser_failure(run):
    r = res(run, "tls", "bigcert")
    assert r["status"] == "error", r["summary"]
    assert "LaunchReady's own TLS client" in r["summary"] and "100 KB" in r["summary"]
    assert "Browsers cannot open" not in (r["why"] or "")


def test_a_cipher_browsers_accept_but_our_defaults_leave_out_is_an_error(run):
    r = res(run, "tls", "cbcsha")
    assert r["status"] == "error", r["summary"]
    assert "ECDHE-RSA-AES128-SHA" in r["summary"] and "browsers still accept" in r["summary"]


def test_sp800_52r2_cbc_only_server_warns(run):
    r = res(run, "tls", "cbconly")
    assert r["status"] == "warn" and ("warn", "cbc_only") in codes(r), r["evidence"]["findings"]
    assert r["evidence"]["aead"] is False


def test_3des_only_server_fails_as_browsers_refuse_it(run):
    r = res(run, "tls", "des3")
    assert r["status"] == "fail" and "only works with 3DES" in r["summary"], r["summary"]
    assert r["evidence"]["legacy_ciphers"]["3DES"] == "accepted"
    assert "Minimum TLS Version" in r["fix"]


def test_3des_next_to_modern_suites_is_a_finding(run):
    r = res(run, "tls", "des3plus")
    assert r["status"] == "fail" and ("fail", "legacy_cipher") in codes(r), r["evidence"]["findings"]
    assert r["evidence"]["legacy_ciphers"] == {"3DES": "accepted", "RC4": "refused"}
    assert r["evidence"]["verified"] is True


def test_rfc8996_a_tls_1_0_only_server_fails_as_browsers_refuse_it(run):
    r = res(run, "tls", "tls10only")
    assert r["status"] == "fail" and "only works with TLSv1" in r["summary"], r["summary"]
    assert "Minimum TLS Version" in r["fix"]
