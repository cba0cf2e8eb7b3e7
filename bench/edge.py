"""Is the edge audit really concurrent? Time it against its slowest single check.

    python bench/edge.py [--repeat 3] [--latency-ms 200] [--dns knot|lab] [--verbose]

Serves a 6-host profile (apex, www, app, api, admin, shop) from the local lab with
`--latency-ms` of delay injected into every HTTP response (redirects included), and DNS
from knotd (or the in-process lab server). Then:

* runs each of the 24 checks of the full edge audit (dns, redirects, tls, headers for
  every host) alone, one after the other, through the engine: their times give the sum
  and the slowest single check;
* runs the whole audit at once through the engine, as `launchready check` does (default
  concurrency), and measures the wall time.

Prints the wall time, the sum of the single-check times, the slowest single check and
the ratio wall / slowest (median of --repeat rounds). Target: the ratio is at most 1.5,
meaning the work really overlaps. Exit status 0 when the target is met, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds email.py: take the folder off the import path, or `import email` (used by
# http.server and httpx) would import that file instead of the standard library module.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

D = "bench-edge.test"
KINDS = ("dns", "redirects", "tls", "headers")
TARGET_RATIO = 1.5
RUNBOOK = """\
---
id: edge-bench
title: "Edge audit (benchmark)"
stage: 3
goal: Time the edge audit.
summary: dns, redirects, tls and headers for every host.
---

# Edge audit
""" + "".join(f"\n## {k} {{#{k}}}\n\nText.\n\n```check\nid: {k}\nkind: {k}\n```\n" for k in KINDS)

HEADERS = [
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
PAGE = "<!doctype html><html><head><title>bench</title></head><body><p>hello</p></body></html>"


def world(latency_ms: float):
    from launchready_tui.lab import Rule, Site, World

    roles = ("www", "app", "api", "admin", "shop")
    w = World(profile={"project": "Edge bench", "domain": D, "canonical_host": D,
                       "hosts": {r: f"{r}.{D}" for r in roles}})
    w.records += [
        (D, "SOA", f"ns1.{D}. hostmaster.{D}. 1 3600 600 86400 300"),
        (D, "NS", f"ns1.{D}."), (D, "NS", f"ns2.{D}."),
        (f"ns1.{D}", "A", "127.0.0.1"), (f"ns2.{D}", "A", "127.0.0.1"),
        (D, "A", "127.0.0.1"), (D, "CAA", '0 issue "letsencrypt.org"'),
        (f"www.{D}", "CNAME", f"{D}."),
    ] + [(f"{r}.{D}", "A", "127.0.0.1") for r in roles if r != "www"]

    def up(host: str) -> Rule:
        return Rule(status=301, redirect=f"https://{host}" + "{path}", delay_ms=latency_ms)

    page = Rule(body=PAGE, headers=list(HEADERS), delay_ms=latency_ms)
    w.sites[D] = Site(default=page, http=up(D))
    w.sites[f"www.{D}"] = Site(default=up(D), http=up(f"www.{D}"))
    for r in roles[1:]:
        w.sites[f"{r}.{D}"] = Site(default=page, http=up(f"{r}.{D}"))
    return w


async def _run(items, ctx) -> tuple[float, list]:
    from launchready_tui.core import engine

    t0 = time.perf_counter()
    results = await engine.run_all(items, ctx)
    return time.perf_counter() - t0, results


def one_round(profile_path: Path, verbose: bool) -> dict:
    from launchready_tui.core import engine
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import load_profile, net_config
    from launchready_tui.core.runbook import parse_runbook

    profile = load_profile(profile_path)
    rb = parse_runbook(RUNBOOK, "edge-bench.md")
    items = engine.plan(engine.select([rb]), profile)
    assert len(items) == 24, len(items)

    def ctx() -> CheckContext:
        return CheckContext(profile=profile, net=Net(net_config(profile)))

    singles: dict[str, float] = {}
    for it in items:  # each check alone
        secs, [res] = asyncio.run(_run([it], ctx()))
        singles[f"{it.spec.kind}@{it.target}"] = secs
        if res.status.value != "pass":
            print(f"  note: {it.spec.kind}@{it.target} is {res.status.value}: {res.summary}")
    wall, results = asyncio.run(_run(items, ctx()))
    bad = [r for r in results if r.status.value != "pass"]
    for r in bad:
        print(f"  note: concurrent {r.check}@{r.target} is {r.status.value}: {r.summary}")
    slow_name = max(singles, key=singles.__getitem__)
    out = {"wall": wall, "sum": sum(singles.values()), "slowest": singles[slow_name],
           "slowest_name": slow_name, "singles": singles}
    if verbose:
        for k, v in sorted(singles.items(), key=lambda kv: -kv[1]):
            print(f"    {v * 1000:7.0f} ms  {k}")
        print(f"  round: wall {wall * 1000:.0f} ms, slowest single {singles[slow_name] * 1000:.0f} ms")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--latency-ms", type=float, default=200)
    ap.add_argument("--dns", choices=["knot", "lab"], default=None,
                    help="DNS server (default: knotd when installed, else the in-process lab server)")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    import yaml

    from launchready_tui.lab import Lab
    from launchready_tui.lab.knot import KnotDns, knotd_path

    dns_kind = args.dns or ("knot" if knotd_path() else "lab")
    if dns_kind == "knot" and knotd_path() is None:
        print("knotd is not installed (apt-get install knot); use --dns lab", file=sys.stderr)
        return 2
    w = world(args.latency_ms)
    with tempfile.TemporaryDirectory(prefix="launchready-bench-") as tmp, Lab(w, Path(tmp) / "lab", timeout_s=5) as lab:
        net = lab.network()
        knot = None
        if dns_kind == "knot":
            knot = KnotDns(w, Path(tmp) / "knot").start()
            net["nameservers"] = [knot.address]
        try:
            profile = dict(w.profile)
            profile["network"] = net
            path = Path(tmp) / "launchready.yaml"
            path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
            print(f"Edge audit: 6 hosts x {len(KINDS)} kinds = 24 checks, {args.latency_ms:g} ms latency "
                  f"per HTTP response, DNS from {'knotd' if knot else 'the in-process lab server'}, "
                  f"{args.repeat} round(s)")
            rounds = [one_round(path, args.verbose) for _ in range(max(1, args.repeat))]
        finally:
            if knot is not None:
                knot.close()
    med = {k: statistics.median(r[k] for r in rounds) for k in ("wall", "sum", "slowest")}
    ratios = [r["wall"] / r["slowest"] for r in rounds]
    ratio = statistics.median(ratios)
    slow_names = sorted({r["slowest_name"] for r in rounds})
    print(f"wall time (all 24 at once):      {med['wall'] * 1000:8.0f} ms")
    print(f"sum of single-check times:       {med['sum'] * 1000:8.0f} ms")
    print(f"slowest single check:            {med['slowest'] * 1000:8.0f} ms  ({', '.join(slow_names)})")
    print(f"ratio wall / slowest:            {ratio:8.2f}   (per round: {', '.join(f'{x:.2f}' for x in ratios)})")
    print(f"speed-up over one at a time:     {med['sum'] / med['wall']:8.1f}x")
    ok = ratio <= TARGET_RATIO
    print(f"target: ratio <= {TARGET_RATIO}: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
