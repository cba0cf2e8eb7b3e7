"""`tls`: each host's certificate is valid, trusted, complete and not about to expire,
and the server refuses TLS 1.0 and 1.1.

We connect by host name with SNI (never by bare IP) to the address our resolver and
`connect_to` give, and verify against the system store or the profile's `ca_bundle`.
When verification fails we connect again without verification, to show the certificate
as evidence. An incomplete chain (the server forgets its intermediate certificate) is
told apart from an untrusted issuer by fetching the intermediate the certificate names
(its AIA "CA Issuers" address) and verifying again with it: browsers do that fetch and
cope, API clients and monitors do not, so it is a warning, not a failure.

Expiry is judged relative to the certificate's lifetime: under 30 days left (the
check's `warn_days` parameter) for certificates of 90 days or more, under a third of the
lifetime for shorter ones.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks._tls_cert import (  # re-exported: tests and cloudflare use tls.<name>
    LONG_LIFETIME_DAYS,
    LONG_WARN_DAYS,
    chain_verifies_with_aia,
    expiry_threshold_days,
    hostname_matches,
    lifetime_facts,
    parse_cert,
)
from launchready_tui.core.checks._tls_handshake import (
    Handshake,
    browsers_offer,
    chain_complete,
    compat_context,
    handshake,
    probe_old_version,
    unverified_context,
)
from launchready_tui.core.checks._tls_handshake import (
    old_version_context as old_version_context,
)
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import Finding, findings_result
from launchready_tui.core.net import DnsFailure, HostResolutionError
from launchready_tui.core.results import CheckResult, errored, failed

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "tls"
OLD_VERSIONS = ("TLSv1", "TLSv1.1")

# OpenSSL verify codes (X509_V_ERR_*) we explain.
V_NOT_YET_VALID, V_EXPIRED = 9, 10
V_SELF_SIGNED, V_SELF_SIGNED_IN_CHAIN = 18, 19
V_NO_LOCAL_ISSUER, V_UNABLE_VERIFY_LEAF = 20, 21
V_HOSTNAME = 62
# Too weak for OpenSSL's default security level, as for browsers (CA/B Forum BR §6.1.5, §7.1.3).
V_EE_KEY_TOO_SMALL, V_CA_KEY_TOO_SMALL, V_CA_MD_TOO_WEAK = 66, 67, 68
WEAK_CODES = (V_EE_KEY_TOO_SMALL, V_CA_KEY_TOO_SMALL, V_CA_MD_TOO_WEAK)


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    from launchready_tui.core.checks.dns import edge_hosts

    return edge_hosts(profile)


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 5


# ---------------------------------------------------------------------------- judging


Line = Finding  # the one finding type (core/findings.py)


def renew_fix(cert: dict[str, Any] | None, renewer: str | None) -> str:
    org = ((cert or {}).get("issuer_org") or "") + " " + ((cert or {}).get("issuer_cn") or "")
    how = ""
    if "Let's Encrypt" in org:
        how = ("It is a Let's Encrypt certificate: renewal is automatic when the ACME client "
               "(certbot, Caddy, your host) runs; on your own server check `certbot renew "
               "--dry-run` and its timer.")
    elif "Cloudflare" in org or "Google Trust" in org:
        how = ("It is issued by Cloudflare/Google Trust Services: Cloudflare renews edge "
               "certificates itself while the host is proxied (SSL/TLS > Edge Certificates).")
    elif "Amazon" in org:
        how = "It is an AWS certificate: ACM renews it only while its DNS validation CNAME stays in place."
    if renewer:
        who = f"{renewer} renews this certificate (from your runbook notes): ask them to renew it and confirm automatic renewal works."
    else:
        who = ("Find out who renews it: on Vercel, Netlify, Render, Fly.io and Cloudflare renewal "
               "is automatic once DNS points at them (check the domain's status in that "
               "dashboard). Write that person or service in the runbook's `cert_renewer` field.")
    return " ".join(x for x in (who, how) if x)


WEAK_FIX = ("Reissue the certificate with a 2048-bit RSA or an ECDSA key and a SHA-256 chain. "
            "Let's Encrypt clients already do this by default: renew with a current certbot "
            "(`certbot renew --force-renewal`, or `--key-type ecdsa`) or Caddy. On Vercel, Netlify, "
            "Render, Fly.io or Cloudflare, remove the custom certificate you uploaded so they issue "
            "their own. From a paid authority: make a new key and request "
            "(`openssl req -new -newkey rsa:2048 -sha256 ...`), ask for a SHA-256 certificate, and "
            "install it with the SHA-256 intermediate they give you.")
LEGACY_FIX = ("Turn off the old cipher suites so only AES-GCM and ChaCha20 remain (TLS 1.2 and 1.3). "
              "Cloudflare: SSL/TLS > Edge Certificates > Minimum TLS Version > TLS 1.2 (and, where "
              "your plan shows it, Cipher suites > Modern). nginx: `ssl_ciphers "
              "ECDHE+AESGCM:ECDHE+CHACHA20;` with `ssl_protocols TLSv1.2 TLSv1.3;`. AWS load balancer: "
              "security policy ELBSecurityPolicy-TLS13-1-2-2021-06. Vercel, Netlify and Render "
              "already serve only modern suites on their own certificates.")


def strength_lines(strength: list[dict[str, Any]] | None) -> list[Line]:
    """Weak keys and SHA-1 signatures in the chain the server sent (CA/B Forum BR §6.1.5, §7.1.3)."""
    out: list[Line] = []
    why = ("Browsers and most apps refuse certificates with keys this small or signatures this "
           "old, so visitors get a full-page security warning; the key or signature can be forged.")
    keys = [s for s in strength or [] if s.get("weak_key")]
    if keys:
        what = "; ".join(f"the {s['position']} certificate ({s['subject']}) has a {s['bits']}-bit {s['key']} key"
                         for s in keys[:3])
        out.append(Line("fail", "weak_key", f"{what}: browsers need RSA keys of at least 2048 bits "
                        "(or ECDSA P-256)", why, WEAK_FIX))
    sigs = [s for s in strength or [] if s.get("weak_signature")]
    if sigs:
        what = "; ".join(f"the {s['position']} certificate ({s['subject']}) is signed with "
                         f"{(s['signature_hash'] or '?').upper().replace('SHA1', 'SHA-1')}" for s in sigs[:3])
        out.append(Line("fail", "weak_signature", f"{what}: browsers stopped accepting SHA-1 signatures in 2017",
                        why, WEAK_FIX))
    return out


def legacy_lines(legacy: dict[str, str] | None, aead: bool | None) -> list[Line]:
    """3DES and RC4 suites accepted (RFC 7465; NIST SP 800-52r2 §3.3.1), or no AEAD suite at all."""
    out: list[Line] = []
    accepted = [k for k, v in (legacy or {}).items() if v == "accepted"]
    if accepted:
        out.append(Line("fail", "legacy_cipher",
                        f"the server accepts {' and '.join(accepted)} cipher suites",
                        "3DES (the Sweet32 attack) and RC4 are broken; RFC 7465 forbids RC4, card-payment "
                        "rules (PCI DSS) and security scanners flag both, and an attacker on the network "
                        "can push an old client onto them.", LEGACY_FIX))
    if aead is False:
        out.append(Line("warn", "cbc_only",
                        "the server offers no AEAD cipher suite (AES-GCM or ChaCha20), only older CBC suites",
                        "CBC suites are the legacy kind (Lucky13 and padding-oracle attacks); browsers "
                        "label the connection 'obsolete', and NIST and PCI guidance expect AES-GCM or ChaCha20.",
                        "Enable the ECDHE AES-GCM and ChaCha20 suites (and TLS 1.3 if you can). " + LEGACY_FIX))
    return out


def evaluate(host: str, cert: dict[str, Any] | None, verify_code: int | None, verify_message: str,
             complete: bool | None, chain_note: str, old: dict[str, str], now: dt.datetime,
             renewer: str | None, warn_days: float = LONG_WARN_DAYS, *,
             strength: list[dict[str, Any]] | None = None, legacy: dict[str, str] | None = None,
             aead: bool | None = None) -> list[Line]:
    """Findings from what was observed (pure logic)."""
    out: list[Line] = []
    fix_renew = renew_fix(cert, renewer)
    if cert is not None:
        facts = lifetime_facts(cert, now)
        left, life = facts["days_left"], facts["lifetime_days"]
        if left < 0 or verify_code == V_EXPIRED:
            out.append(Line("fail", "expired", f"the certificate for {host} expired {abs(left):g} days ago ({cert['not_after'][:10]})",
                            "Every visitor gets a full-page security warning; most leave, and API "
                            "clients and payment webhooks stop working.",
                            "Renew the certificate now. " + fix_renew))
        elif now < dt.datetime.fromisoformat(cert["not_before"]) or verify_code == V_NOT_YET_VALID:
            out.append(Line("fail", "not_yet_valid", f"the certificate for {host} is not valid until {cert['not_before'][:10]}",
                            "Browsers reject it until then (or the server's clock is wrong).",
                            "Install the currently valid certificate, or fix the server's clock."))
        elif left < expiry_threshold_days(life, warn_days):
            rule = (f"less than {warn_days:g} days left" if life >= LONG_LIFETIME_DAYS
                    else f"less than a third of its {life:g}-day lifetime left")
            out.append(Line("warn", "expiring", f"the certificate for {host} expires in {left:g} days ({rule})",
                            "If renewal is broken, the site shows a security warning to everyone on "
                            f"{cert['not_after'][:10]}.", fix_renew))
        if not hostname_matches(host, cert.get("sans", [])) or verify_code == V_HOSTNAME:
            names = ", ".join(cert.get("sans", [])[:6]) or "no host names"
            out.append(Line("fail", "hostname", f"the certificate does not cover {host} (it is for {names})",
                            "Browsers show a security warning: the certificate belongs to another name.",
                            f"Add {host} to the certificate. On Vercel/Netlify/Render, add {host} as a "
                            "domain of the project so they issue one; behind Cloudflare, check SSL/TLS > "
                            "Edge Certificates covers this name."))
    untrusted_codes = {V_SELF_SIGNED, V_SELF_SIGNED_IN_CHAIN, V_NO_LOCAL_ISSUER, V_UNABLE_VERIFY_LEAF}
    weak = strength_lines(strength)
    out += weak
    if verify_code in WEAK_CODES and not weak:
        # the weak certificate is one we did not get to see (e.g. a root from the trust store)
        out.append(Line("fail", "weak_chain", f"a certificate in the chain of {host} is too weak ({verify_message})",
                        "Browsers and most apps refuse keys under 2048 bits and SHA-1 signatures, so "
                        "visitors get a full-page security warning.", WEAK_FIX))
    if verify_code is not None and verify_code not in (V_EXPIRED, V_NOT_YET_VALID, V_HOSTNAME, *WEAK_CODES):
        if verify_code in (V_NO_LOCAL_ISSUER, V_UNABLE_VERIFY_LEAF) and complete is False:
            pass  # reported below as an incomplete chain
        else:
            why = "Browsers and apps do not trust who signed this certificate, so everyone gets a security warning."
            if verify_code not in untrusted_codes:
                why = f"The certificate was rejected: {verify_message}."
            out.append(Line("fail", "untrusted", f"the certificate's issuer is not trusted ({verify_message})"
                            + (f"; {chain_note}" if chain_note else ""),
                            why,
                            "Use a certificate from a public authority (Let's Encrypt is free, and your "
                            "host or Cloudflare can issue one automatically). If your provider says the "
                            "certificate is fine, the server may be missing its intermediate "
                            "certificate: install the full chain (the 'fullchain' file)."))
    if complete is False:
        out.append(Line("warn", "incomplete_chain",
                        "the server does not send its intermediate certificate (incomplete chain)"
                        + (f"; {chain_note}" if chain_note else ""),
                        "Browsers fetch the missing piece and cope, but API clients, payment "
                        "webhooks, monitors and some phones fail with a certificate error.",
                        "Install the full chain on the server: the 'fullchain.pem' / 'certificate "
                        "+ CA bundle' file your certificate provider gives, not the certificate alone."))
    accepted = [v for v in OLD_VERSIONS if old.get(v) == "accepted"]
    if accepted:
        out.append(Line("fail", "old_tls", f"the server accepts {' and '.join(accepted)}",
                        "TLS 1.0 and 1.1 are broken and retired; card-payment rules (PCI DSS) and "
                        "security scanners flag them, and they allow downgrade attacks.",
                        "Set the minimum TLS version to 1.2. Cloudflare: SSL/TLS > Edge Certificates > "
                        "Minimum TLS Version > TLS 1.2. nginx: `ssl_protocols TLSv1.2 TLSv1.3;`."))
    out += legacy_lines(legacy, aead)
    return out


async def handshake_failed(ip: str, port: int, host: str, err: ssl.SSLError, legacy: dict[str, str],
                           timeout: float, ev: dict[str, Any]) -> CheckResult:
    """The normal handshake failed. Tell apart what browsers refuse (`fail`) from what only
    LaunchReady's own OpenSSL client cannot do (`error`: could not check)."""
    reason = str(getattr(err, "reason", None) or err)
    ev["handshake_error"] = reason[:200]
    local_fix = (f"Open https://{host}/ in a browser. If it loads, the site works for visitors and "
                 "only this check cannot read it; ")
    if "EXCESSIVE_MESSAGE_SIZE" in reason:
        ev["local_limit"] = "certificate chain larger than OpenSSL's 100 KB limit"
        return errored(KIND, host, f"LaunchReady's own TLS client (OpenSSL) cannot read the certificates "
                       f"{host} sends: they are larger than its 100 KB limit. This says nothing about "
                       "browsers", evidence=ev,
                       fix=local_fix + "still, a chain this large is unusual: make the server send only its "
                       "certificate and the intermediate (not a whole CA bundle), and keep the number of "
                       "names on one certificate reasonable (split very long SAN lists).")
    try:
        compat = await handshake(ip, port, host, compat_context(), timeout)
    except (OSError, TimeoutError, ssl.SSLError):
        compat = None
    if compat is not None:
        ev.update(tls_version=compat.version, cipher=compat.cipher)
        if compat.version in OLD_VERSIONS:
            return failed(KIND, host, f"https on {host} only works with {compat.version}, which browsers "
                          "no longer accept", evidence=ev,
                          why="Browsers cannot open a secure connection, so visitors get an error page.",
                          fix="Enable TLS 1.2 and 1.3 on the server. Cloudflare: SSL/TLS > Edge "
                          "Certificates > Minimum TLS Version > TLS 1.2. nginx: `ssl_protocols TLSv1.2 TLSv1.3;`.")
        if browsers_offer(compat.cipher):
            ev["local_limit"] = f"the default client does not offer {compat.cipher}"
            return errored(KIND, host, f"{host} only agrees to the cipher suite {compat.cipher} ({compat.version}), "
                           "which LaunchReady's own TLS client leaves out by default but browsers still "
                           "accept; the certificate could not be checked", evidence=ev,
                           fix=local_fix + "to let this check (and API clients, which share the same "
                           "defaults) connect, enable the ECDHE AES-GCM and ChaCha20 suites. " + LEGACY_FIX)
        return failed(KIND, host, f"https on {host} only works with the cipher suite {compat.cipher}, "
                      "which browsers do not offer", evidence=ev,
                      why="Browsers cannot open a secure connection, so visitors get an error page.",
                      fix=LEGACY_FIX)
    only = [k for k, v in legacy.items() if v == "accepted"]
    if only:
        return failed(KIND, host, f"https on {host} only works with {' or '.join(only)} cipher suites, which "
                      "browsers no longer accept", evidence=ev,
                      why="Browsers cannot open a secure connection, so visitors get an error page.",
                      fix=LEGACY_FIX)
    return failed(KIND, host, f"https on {host} does not work: the TLS handshake failed ({reason})",
                  evidence=ev,
                  why="Browsers cannot open a secure connection, so visitors get an error page.",
                  fix="Check the https setup of this host at your hosting provider or CDN: a "
                  "certificate must be installed for this name, with TLS 1.2 or newer enabled.")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    host = target.lower().rstrip(".")
    net = ctx.net
    timeout = net.timeout_s
    try:
        ip, port = await net.resolve_connect(host, 443)
    except DnsFailure as e:
        return errored(KIND, host, f"the DNS lookup failed ({e.kind}) at nameserver {e.nameserver}",
                       evidence={"nameserver": e.nameserver, "failure": e.kind})
    except HostResolutionError as e:
        return errored(KIND, host, f"{e}, so there is no certificate to look at (the dns check reports this)",
                       fix=f"Fix the DNS record of {host} first (see the DNS step), then run this check again.")
    ev: dict[str, Any] = {"host": host, "address": f"{ip}:{port}", "sni": host}
    verify_code: int | None = None
    verify_message = ""
    from launchready_tui.core.checks import _tls_probe as tls_probe

    results = await asyncio.gather(
        handshake(ip, port, host, net.ssl_context(), timeout),
        *(probe_old_version(ip, port, host, v, timeout) for v in OLD_VERSIONS),
        *(tls_probe.probe_suites(ip, port, host, suites, timeout) for suites in tls_probe.LEGACY.values()),
        return_exceptions=True,
    )
    hs, old_results = results[0], results[1:1 + len(OLD_VERSIONS)]
    old = {v: (r if isinstance(r, str) else "no answer") for v, r in zip(OLD_VERSIONS, old_results, strict=True)}
    ev["old_versions"] = old
    legacy = {k: (r if isinstance(r, str) else "no answer")
              for k, r in zip(tls_probe.LEGACY, results[1 + len(OLD_VERSIONS):], strict=True)}
    ev["legacy_ciphers"] = legacy
    if isinstance(hs, ssl.SSLCertVerificationError):
        verify_code, verify_message = hs.verify_code, str(hs.verify_message or hs.reason)
        try:
            hs = await handshake(ip, port, host, unverified_context(), timeout)
        except ssl.SSLError:
            try:  # a chain so weak that even reading it needs security level 0
                hs = await handshake(ip, port, host, compat_context(), timeout)
            except (OSError, TimeoutError, ssl.SSLError) as e:
                hs = e
        except (OSError, TimeoutError) as e:
            hs = e
        if not isinstance(hs, Handshake):
            return failed(KIND, host, f"the certificate of {host} is rejected ({verify_message}) and "
                          f"could not be read: {hs}", evidence=ev,
                          why="Browsers show a security warning.", fix=renew_fix(None, ctx.record_value("cert_renewer")))
    if isinstance(hs, TimeoutError | ConnectionAbortedError):
        return errored(KIND, host, f"the TLS handshake with {host} did not finish within {timeout:g} s "
                       "(the server accepted the connection but stalled)", evidence=ev,
                       fix="Check that the site is up and that port 443 reaches a web server or "
                       "CDN, then run the check again. If your network is slow, raise `network.timeout_s`.")
    if isinstance(hs, ConnectionRefusedError):
        return errored(KIND, host, f"nothing answers on port 443 of {host} (connection refused)", evidence=ev,
                       fix=f"Check that {host} serves https at all (hosting dashboard, firewall), then run the check again.")
    if isinstance(hs, ssl.SSLError):
        return await handshake_failed(ip, port, host, hs, legacy, timeout, ev)
    if not isinstance(hs, Handshake):
        return errored(KIND, host, f"could not connect to {host}:443: {type(hs).__name__}: {hs}"[:300], evidence=ev)
    now = ctx.clock()
    cert = parse_cert(hs.leaf_der) if hs.leaf_der else None
    complete = chain_complete(hs) if verify_code is None else None
    chain_note = ""
    if (verify_code in (V_NO_LOCAL_ISSUER, V_UNABLE_VERIFY_LEAF) and cert and hs.leaf_der
            and not cert["self_signed"]):
        ok, chain_note = await chain_verifies_with_aia(net, hs.leaf_der, hs.sent or [hs.leaf_der], cert, now)
        complete = False if ok else None
    ev.update({
        "tls_version": hs.version,
        "cipher": hs.cipher,
        "verified": verify_code is None,
        "chain_complete": complete,
        "chain_sent": len(hs.sent) if hs.sent is not None else None,
    })
    if verify_code is not None:
        ev["verify_error"] = {"code": verify_code, "message": verify_message}
    if chain_note:
        ev["chain_note"] = chain_note
    if cert:
        ev["certificate"] = {k: v for k, v in cert.items() if k != "serial"} | lifetime_facts(cert, now)
        ev["certificate"]["serial"] = cert["serial"]
    renewer = ctx.record_value("cert_renewer")
    if renewer:
        ev["cert_renewer"] = renewer
    try:
        warn_days = float(params.get("warn_days") or LONG_WARN_DAYS)
    except (TypeError, ValueError):
        warn_days = LONG_WARN_DAYS
    aead: bool | None = True
    if not tls_probe.is_aead(hs.cipher, hs.version):
        r = await tls_probe.probe_suites(ip, port, host, tls_probe.SUITES_AEAD, timeout)
        aead = {"accepted": True, "refused": False}.get(r)
    ev["aead"] = aead
    strength = tls_probe.cert_strength(hs.sent or ([hs.leaf_der] if hs.leaf_der else []))
    ev["chain_strength"] = strength
    lines = evaluate(host, cert, verify_code, verify_message, complete, chain_note, old, now, renewer, warn_days,
                     strength=strength, legacy=legacy, aead=aead)

    def ok_text() -> str:
        left = ev["certificate"]["days_left"] if cert else "?"
        issuer = (cert or {}).get("issuer_org") or (cert or {}).get("issuer_cn") or "?"
        chain = {True: "full chain", False: "incomplete chain", None: "chain not inspected"}[complete]
        if all(old[v] == "refused" for v in OLD_VERSIONS):
            olds = "TLS 1.0/1.1 refused"
        else:
            olds = "TLS 1.0/1.1: " + ", ".join(f"{v} {old[v]}" for v in OLD_VERSIONS if old[v] != "refused")
        return f"{host}: valid certificate from {issuer}, {left:g} days left, {hs.version}, {chain}, {olds}"

    return findings_result(
        KIND, host, lines, ev, ok=ok_text,
        summary=lambda top, every: top[0].message + (f" (and {len(every) - 1} more)" if len(every) > 1 else ""))


class TlsEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    certificate: dict[str, Any]
    issuer_org: str
    issuer_cn: str
    not_after: str
    days_left: int
    tls_version: str
    chain_complete: bool
    verify_error: str
    findings: list[dict[str, Any]]
    address: str
    verified: bool
    cert_renewer: str


CHECK_KIND = Kind(
    name="tls",
    family="edge",
    title="Certificates",
    plain="valid, trusted and not about to expire",
    about="certificates valid, trusted, not expiring",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    evidence=TlsEvidence,
    shown=("issuer_org", "issuer_cn", "not_after", "days_left", "tls_version", "chain_complete", "verify_error", "findings"),
    hidden=frozenset(["address", "verified"]),
)
