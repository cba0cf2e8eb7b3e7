"""Cross-check and time LaunchReady's email checks against checkdmarc, on knotd.

    python bench/email.py [--repeat 5] [--verbose]

Serves SPF and DMARC variants (the issue's cases and more) from a real authoritative
server (Debian's knotd, on a free loopback port), then for each case:

* runs LaunchReady's check and checkdmarc's `check_spf` / `check_dmarc` on it;
* prints whether the two agree on validity and on the DNS lookup count;
* where they disagree, prints which one matches the RFC (each case carries the answer
  RFC 7208 / RFC 7489 / RFC 9989 gives, with the section that decides it);
* times a domain's full email check: LaunchReady's spf + dkim + dmarc + mx (run
  concurrently, as the engine does) against checkdmarc's check_spf + check_dmarc +
  check_mx (skip_tls=True; checkdmarc has no DKIM check), median of --repeat runs,
  and prints the ratio. Target: LaunchReady agrees wherever checkdmarc is right, and takes
  at most half of checkdmarc's time.

Needs knotd (`apt-get install knot`) and checkdmarc (`pip install checkdmarc`, a
benchmark-only dependency). Exit status 0 when both targets are met, 1 otherwise, 2 when
a requirement is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named email.py: take its folder off the import path, or `import email`
# (the standard library module that checkdmarc and httpx use) would import this file.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import base64  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

MAILER = "_spf.mailer.test"


@dataclass
class Case:
    name: str
    kind: str  # "spf" or "dmarc"
    domain: str
    records: list[tuple]
    valid: bool  # what the RFC says
    lookups: int | None  # DNS-querying terms a receiver evaluates (SPF), per the RFC
    rfc: str  # the section that decides it


def _chain(domain: str, n: int) -> list[tuple]:
    recs = [(domain, "TXT", f"v=spf1 include:p0.{domain} ~all")]
    for i in range(n - 1):
        nxt = f"include:p{i + 1}.{domain}" if i < n - 2 else f"a:relay.{domain}"
        recs.append((f"p{i}.{domain}", "TXT", f"v=spf1 {nxt} ip4:198.51.100.{i}/32 -all"))
    recs.append((f"relay.{domain}", "A", "198.51.100.200"))
    return recs


def _many(domain: str, n: int, tail: str = "-all") -> list[tuple]:
    """A record with n `a:` terms, each a name that resolves."""
    terms = " ".join(f"a:h{i}.{domain}" for i in range(n))
    return [(domain, "TXT", f"v=spf1 {terms} {tail}")] + [(f"h{i}.{domain}", "A", f"192.0.2.{i + 1}") for i in range(n)]


SHARED = [
    (MAILER, "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
    ("mx1.mail.test", "A", "127.0.0.1"),
    ("mx2.mail.test", "A", "127.0.0.2"),
    ("mx2.mail.test", "AAAA", "::1"),
    # full.test: a typical launched domain (a big provider's nested include, a newsletter
    # tool, own MX, DKIM, DMARC reporting to an outside service), for the timing
    ("full.test", "TXT", "v=spf1 include:_spf.bigmail.test include:_spf.news.test mx -all"),
    ("_spf.bigmail.test", "TXT", "v=spf1 include:_nb1.bigmail.test include:_nb2.bigmail.test include:_nb3.bigmail.test ~all"),
    ("_nb1.bigmail.test", "TXT", "v=spf1 ip4:198.51.100.0/25 ip6:2001:db8:1::/48 ~all"),
    ("_nb2.bigmail.test", "TXT", "v=spf1 ip4:198.51.100.128/25 ip6:2001:db8:2::/48 ~all"),
    ("_nb3.bigmail.test", "TXT", "v=spf1 ip4:203.0.113.0/24 ~all"),
    ("_spf.news.test", "TXT", "v=spf1 ip4:192.0.2.128/25 -all"),
    ("full.test", "MX", "10 mx1.mail.test."),
    ("full.test", "MX", "20 mx2.mail.test."),
    ("_dmarc.full.test", "TXT", "v=DMARC1; p=quarantine; rua=mailto:agg@reports.example,mailto:dmarc@full.test"),
    ("full.test._report._dmarc.reports.example", "TXT", "v=DMARC1"),
]
TIMED = ("full.test", "clean.test", "nested.test")

CASES = [
    Case("spf-clean", "spf", "clean.test",
         [("clean.test", "TXT", f"v=spf1 include:{MAILER} mx -all"), ("clean.test", "MX", "10 mx1.mail.test.")],
         True, 2, "RFC 7208 4.6.4: include and mx cost one lookup each"),
    Case("spf-nested-12", "spf", "nested.test", _chain("nested.test", 12),
         False, 12, "RFC 7208 4.6.4: more than 10 lookups is permerror"),
    Case("spf-two-records", "spf", "twospf.test",
         [("twospf.test", "TXT", f"v=spf1 include:{MAILER} ~all"), ("twospf.test", "TXT", "v=spf1 ip4:203.0.113.7 -all")],
         False, None, "RFC 7208 4.5: more than one record is permerror"),
    Case("spf-plus-all", "spf", "plusall.test", [("plusall.test", "TXT", "v=spf1 ip4:203.0.113.7 +all")],
         True, 0, "RFC 7208 5.1: +all is valid syntax (LaunchReady still fails it as a launch blocker)"),
    Case("spf-void-3", "spf", "voids.test",
         [("voids.test", "TXT", "v=spf1 a:old1.voids.test mx:voids.test exists:old2.voids.test ip4:203.0.113.7 -all")],
         False, 3, "RFC 7208 4.6.4: more than 2 void lookups is permerror"),
    Case("spf-void-2", "spf", "voids2.test",
         [("voids2.test", "TXT", "v=spf1 a:old1.voids2.test a:old2.voids2.test ip4:203.0.113.7 -all")],
         True, 2, "RFC 7208 4.6.4: 2 void lookups are allowed"),
    Case("spf-no-all", "spf", "noall.test", [("noall.test", "TXT", "v=spf1 ip4:203.0.113.7")],
         True, 0, "RFC 7208 4.7: no `all` means the default result neutral; valid"),
    Case("spf-bad-cidr", "spf", "badcidr.test", [("badcidr.test", "TXT", "v=spf1 ip4:192.0.2.1/33 -all")],
         False, None, "RFC 7208 5.6: ip4-cidr-length is at most 32"),
    Case("spf-redirect", "spf", "redirect.test", [("redirect.test", "TXT", f"v=spf1 redirect={MAILER}")],
         True, 1, "RFC 7208 6.1: redirect costs one lookup"),
    Case("spf-include-missing", "spf", "incmissing.test",
         [("incmissing.test", "TXT", "v=spf1 include:nowhere.test -all")],
         False, 1, "RFC 7208 5.2: include of a domain without SPF is permerror"),
    Case("spf-at-limit-10", "spf", "ten.test", _many("ten.test", 10), True, 10,
         "RFC 7208 4.6.4: exactly 10 lookups is allowed"),
    Case("spf-after-all", "spf", "afterall.test", _many("afterall.test", 8, "-all a:x1.afterall.test a:x2.afterall.test a:x3.afterall.test"),
         True, 8, "RFC 7208 4.6.2 and 4.6.4: evaluation stops at `all`; terms after it are never looked up"),
    Case("spf-redirect-ignored", "spf", "redirall.test",
         [("redirall.test", "TXT", "v=spf1 ip4:203.0.113.7 -all redirect=nowhere.test")],
         True, 0, "RFC 7208 6.1: redirect is ignored when the record has `all`"),
    Case("spf-include-loop", "spf", "loop.test",
         [("loop.test", "TXT", "v=spf1 include:loop2.test -all"), ("loop2.test", "TXT", "v=spf1 include:loop.test -all")],
         False, None, "RFC 7208 4.6.4: a loop exceeds 10 lookups: permerror"),
    Case("spf-ptr", "spf", "ptr.test", [("ptr.test", "TXT", "v=spf1 ptr -all")],
         True, 1, "RFC 7208 5.5: ptr is valid though discouraged; one lookup"),
    Case("dmarc-reject", "dmarc", "dreject.test",
         [("_dmarc.dreject.test", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc@dreject.test")],
         True, None, "RFC 7489 6.3"),
    Case("dmarc-none", "dmarc", "dnone.test",
         [("_dmarc.dnone.test", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@dnone.test")],
         True, None, "RFC 7489 6.3: p=none is valid (monitoring only)"),
    Case("dmarc-pct50", "dmarc", "dpct.test",
         [("_dmarc.dpct.test", "TXT", "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@dpct.test")],
         True, None, "RFC 7489 6.3: pct=50 is valid"),
    Case("dmarc-ext-rua-unauth", "dmarc", "dext.test",
         [("_dmarc.dext.test", "TXT", "v=DMARC1; p=reject; rua=mailto:agg@reports.example")],
         True, None, "RFC 7489 7.1: the record is valid; reports are dropped without authorization"),
    Case("dmarc-ext-rua-auth", "dmarc", "dauth.test",
         [("_dmarc.dauth.test", "TXT", "v=DMARC1; p=reject; rua=mailto:agg@reports.example"),
          ("dauth.test._report._dmarc.reports.example", "TXT", "v=DMARC1")],
         True, None, "RFC 7489 7.1"),
    Case("dmarc-missing", "dmarc", "dmissing.test", [("dmissing.test", "A", "192.0.2.1")],
         False, None, "RFC 7489 6.6.3: no record, no policy"),
    Case("dmarc-two", "dmarc", "dtwo.test",
         [("_dmarc.dtwo.test", "TXT", "v=DMARC1; p=none"), ("_dmarc.dtwo.test", "TXT", "v=DMARC1; p=reject")],
         False, None, "RFC 7489 6.6.3: more than one record: no policy"),
    Case("dmarc-bad-p", "dmarc", "dbadp.test", [("_dmarc.dbadp.test", "TXT", "v=DMARC1; p=block")],
         False, None, "RFC 7489 6.3: p must be none, quarantine or reject"),
    Case("dmarc-inherited", "dmarc", "sub.dorg.test",
         [("_dmarc.dorg.test", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc@dorg.test"), ("sub.dorg.test", "A", "192.0.2.1")],
         True, None, "RFC 7489 6.6.3 / RFC 9989 4.10: the organizational domain's record applies"),
]

SPF_INVALID_CODES = {"no_record", "multiple_records", "syntax", "too_many_lookups", "void_lookups",
                     "broken_include", "include_loop", "mx_limit"}


# ---------------------------------------------------------------------------- knotd


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rdata(rtype: str, value) -> str:
    if rtype == "TXT":
        text = str(value)
        chunks = [text[i : i + 255] for i in range(0, len(text), 255)] or [""]
        return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
    return str(value)


class Knot:
    """knotd on a loopback port, authoritative for the zones the records fall in."""

    def __init__(self, records: list[tuple]) -> None:
        self.records = records
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lr-bench-knot-"))
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Knot:
        zones: dict[str, list[str]] = {}
        for name, rtype, value in self.records:
            origin = name.rstrip(".").rsplit(".", 1)[-1]
            zones.setdefault(origin, []).append(f"{name.rstrip('.')}. 300 IN {rtype} {_rdata(rtype, value)}")
        conf = [
            "server:",
            f'    rundir: "{self.dir}"',
            f"    listen: 127.0.0.1@{self.port}",
            "database:",
            f'    storage: "{self.dir}"',
            "template:",
            "  - id: default",
            f'    storage: "{self.dir}"',
            '    file: "%s.zone"',
            "zone:",
        ]
        for origin, lines in zones.items():
            head = [f"$ORIGIN {origin}.", "$TTL 300",
                    f"@ SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 300",
                    f"@ NS ns.{origin}.", "ns A 127.0.0.1"]
            (self.dir / f"{origin}.zone").write_text("\n".join(head + lines) + "\n")
            conf.append(f"  - domain: {origin}")
        (self.dir / "knot.conf").write_text("\n".join(conf) + "\n")
        self.proc = subprocess.Popen([_knotd(), "-c", str(self.dir / "knot.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait(next(iter(zones)))
        return self

    def _wait(self, origin: str) -> None:
        import dns.message
        import dns.query

        q = dns.message.make_query(origin + ".", "SOA")
        for _ in range(200):
            if self.proc.poll() is not None:
                raise RuntimeError("knotd stopped: " + self.proc.stderr.read().decode()[-500:])
            try:
                dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.05)
                return
            except Exception:
                time.sleep(0.02)
        raise RuntimeError("knotd did not answer")

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _knotd() -> str:
    return shutil.which("knotd") or "/usr/sbin/knotd"


# ---------------------------------------------------------------------------- the two tools


def _profile(domain: str):
    from launchready_tui.core.profile import parse_profile

    return parse_profile(f"project: bench\ndomain: {domain}\nemail:\n  dkim_selectors: [s1]\n")


def _ctx(profile, port: int):
    """What `launchready check` builds once per run: the context with one Net."""
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import Nameserver, Net, NetConfig

    cfg = NetConfig(nameservers=(Nameserver("127.0.0.1", port),), timeout_s=2.0)
    return CheckContext(profile=profile, net=Net(cfg))


async def lr_check(kind: str, ctx):
    from launchready_tui.core.registry import load_kind

    mod = load_kind(kind)
    target = mod.targets(ctx.profile, {})[0]
    return await mod.check(ctx, target, {})


async def lr_full(profile, port: int):
    """spf, dkim, dmarc and mx for one domain, concurrently, like the engine runs them.

    The profile is parsed once beforehand, as the CLI does before any check runs.
    """
    ctx = _ctx(profile, port)
    return await asyncio.gather(*(lr_check(k, ctx) for k in ("spf", "dkim", "dmarc", "mx")))


def lr_verdict(kind: str, r) -> tuple[bool, int | None]:
    ev = r.evidence
    if kind == "spf":
        codes = {f["code"] for f in ev.get("findings", [])}
        valid = len(ev.get("records") or []) == 1 and not (codes & SPF_INVALID_CODES) and r.status.value != "error"
        return valid, ev.get("lookup_count")
    valid = r.status.value != "error" and not (
        r.status.value == "fail" and any(w in r.summary for w in ("no DMARC", "DMARC records", "invalid"))
    )
    return valid, None


def cd_nameservers(port: int):
    import dns.nameserver

    return [dns.nameserver.Do53Nameserver("127.0.0.1", port=port)]


def cd_check(kind: str, domain: str, port: int) -> dict:
    import checkdmarc

    fn = checkdmarc.check_spf if kind == "spf" else checkdmarc.check_dmarc
    cd_cold()
    return fn(domain, nameservers=cd_nameservers(port), timeout=2.0)


def cd_verdict(kind: str, res: dict) -> tuple[bool, int | None]:
    return bool(res.get("valid")), res.get("dns_lookups") if kind == "spf" else None


def cd_cold() -> None:
    """Empty checkdmarc's process-wide DNS caches: each timed run is a first check, as a
    user's is (warm, checkdmarc answers from memory and asks knotd nothing)."""
    import checkdmarc.dnssec
    import checkdmarc.smtp
    import checkdmarc.utils

    for cache in (checkdmarc.utils.DNS_CACHE, checkdmarc.dnssec.DNSSEC_CACHE,
                  checkdmarc.dnssec.DNSKEY_CACHE, checkdmarc.dnssec.TLSA_CACHE,
                  checkdmarc.smtp.TLS_CACHE, checkdmarc.smtp.STARTTLS_CACHE):
        cache.clear()


def cd_full(domain: str, port: int) -> None:
    import checkdmarc

    cd_cold()
    ns = cd_nameservers(port)
    checkdmarc.check_spf(domain, nameservers=ns, timeout=2.0)
    checkdmarc.check_dmarc(domain, nameservers=ns, timeout=2.0)
    checkdmarc.check_mx(domain, nameservers=ns, timeout=2.0, skip_tls=True)


# ---------------------------------------------------------------------------- main


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _key_record() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per domain (median)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print both tools' messages")
    args = ap.parse_args(argv)
    if not Path(_knotd()).exists():
        print("bench/email.py needs knotd: apt-get install knot", file=sys.stderr)
        return 2
    try:
        import checkdmarc  # noqa: F401
    except ImportError:
        print("bench/email.py needs checkdmarc: pip install checkdmarc (benchmark only)", file=sys.stderr)
        return 2

    records = list(SHARED)
    for c in CASES:
        records += c.records
    records += [(f"s1._domainkey.{d}", "TXT", "KEY") for d in {c.domain for c in CASES} | set(TIMED)]
    key = _key_record()
    records = [(n, t, key if v == "KEY" else v) for n, t, v in records]

    agree_all, checkdmarc_right_we_wrong = 0, []
    with Knot(records) as knot:
        port = knot.port
        print(f"knotd on 127.0.0.1:{port}, {len(CASES)} cases\n")
        head = f"{'case':<22} {'RFC':>10} {'launchready':>16} {'checkdmarc':>16}  verdict"
        print(head)
        print("-" * len(head))
        for c in CASES:
            lr = asyncio.run(lr_check(c.kind, _ctx(_profile(c.domain), port)))
            cd = cd_check(c.kind, c.domain, port)
            lv, ll = lr_verdict(c.kind, lr)
            cv, cl = cd_verdict(c.kind, cd)

            def show(valid, lookups):
                return ("valid" if valid else "invalid") + (f"/{lookups}" if lookups is not None else "")

            same_valid = lv == cv
            # Counts are compared where both call the record valid: past the limit
            # checkdmarc stops and reports a partial count, LaunchReady walks the whole tree.
            same_lookups = c.kind != "spf" or not (lv and cv) or ll == cl
            truth_lookups = c.lookups if c.valid else None
            if same_valid and same_lookups:
                verdict = "agree"
                agree_all += 1
            else:
                lr_right = lv == c.valid and (truth_lookups is None or ll == truth_lookups)
                cd_right = cv == c.valid and (truth_lookups is None or cl == truth_lookups)
                who = {(True, False): "launchready right", (False, True): "checkdmarc right",
                       (True, True): "both defensible", (False, False): "both wrong"}[(lr_right, cd_right)]
                verdict = f"DIFFER: {who} ({c.rfc})"
                if cd_right and not lr_right:
                    checkdmarc_right_we_wrong.append(c.name)
            print(f"{c.name:<22} {show(c.valid, c.lookups):>10} {show(lv, ll):>16} {show(cv, cl):>16}  {verdict}")
            if args.verbose:
                print(f"{'':<22} launchready: {lr.status.value}: {lr.summary}")
                print(f"{'':<22} checkdmarc: {cd.get('error') or ''} {cd.get('warnings') or ''}")

        # timing: a domain's full email check
        print(f"\nFull email check per domain (median of {args.repeat} runs):")
        print(f"{'domain':<18} {'launchready ms':>15} {'checkdmarc ms':>14} {'ratio':>6}")
        ratios, lr_total, cd_total = [], 0.0, 0.0
        for domain in TIMED:
            profile = _profile(domain)
            asyncio.run(lr_full(profile, port))  # warm up both (imports, first sockets)
            cd_full(domain, port)
            t_lr = _median_time(lambda p=profile: asyncio.run(lr_full(p, port)), args.repeat)
            t_cd = _median_time(lambda d=domain: cd_full(d, port), args.repeat)
            lr_total, cd_total = lr_total + t_lr, cd_total + t_cd
            ratios.append(t_lr / t_cd)
            print(f"{domain:<18} {t_lr * 1000:>15.1f} {t_cd * 1000:>14.1f} {t_lr / t_cd:>6.2f}")
        ratio = lr_total / cd_total
        print(f"{'all':<18} {lr_total * 1000:>15.1f} {cd_total * 1000:>14.1f} {ratio:>6.2f}")

    print(f"\nAgreement: {agree_all}/{len(CASES)} cases agree on validity and lookup count.")
    if checkdmarc_right_we_wrong:
        print("LaunchReady wrong where checkdmarc is right: " + ", ".join(checkdmarc_right_we_wrong))
    else:
        print("LaunchReady agrees wherever checkdmarc is right.")
    print(f"Time ratio launchready/checkdmarc: {ratio:.2f} (target <= 0.50)")
    return 0 if not checkdmarc_right_we_wrong and ratio <= 0.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
