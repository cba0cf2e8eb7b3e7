"""How long the handover export takes for a realistic state: 7 stages and 200 results.

Target: under 1 s for build + Markdown + HTML. Prints the figures; this is a benchmark,
not a timed test (timings on a shared 2-core machine are too noisy for a test).

    python bench/export.py [--results 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ["dns", "redirects", "tls", "headers", "spf", "dmarc", "dkim", "uptime", "latency", "secrets", "env"]


def make_state(runbooks, n_results: int, now: dt.datetime) -> dict:
    """n results spread over the stage runbooks' check steps, with realistic evidence."""
    steps = [(rb, st) for rb in runbooks if rb.kind == "stage" for st in rb.steps]
    results = {}
    for i in range(n_results):
        rb, st = steps[i % len(steps)]
        kind = KINDS[i % len(KINDS)]
        status = ["pass", "pass", "pass", "warn", "fail", "error", "skip"][i % 7]
        target = f"host{i % 40}.acme.example"
        ev = {
            "dns": {"a": ["192.0.2.1", "192.0.2.2"], "cname_chain": [[target, "edge.example"]], "ns": ["ns1", "ns2"]},
            "redirects": {"map": {f"http://{target}/": f"https://{target}/"}, "ends": {f"http://{target}/": "final"},
                          "hops": {f"http://{target}/": [{"url": f"http://{target}/", "status": 301,
                                                         "location": f"https://{target}/"},
                                                        {"url": f"https://{target}/", "status": 200}]}},
            "tls": {"certificate": {"issuer_org": "Let's Encrypt", "not_after": "2026-06-01T00:00:00+00:00",
                                    "days_left": 40.0, "lifetime_days": 90.0}, "tls_version": "TLSv1.3"},
            "headers": {"headers": {"server": "nginx", "strict-transport-security": "max-age=63072000"},
                        "findings": [{"severity": "warn", "message": "no CSP"}] * 3},
            "spf": {"record": "v=spf1 include:_spf.google.com ~all", "lookup_count": 4,
                    "tree": {"domain": "acme.example", "term": "", "total": 4, "total_void": 0, "lookups": 1,
                             "record": "v=spf1 include:_spf.google.com ~all", "problem": "",
                             "terms": [{"term": "include:_spf.google.com", "cost": 4, "counted": True}],
                             "children": [{"domain": "_spf.google.com", "term": "include:_spf.google.com", "total": 3,
                                           "total_void": 0, "lookups": 3, "problem": "", "terms": [],
                                           "children": []}]}},
            "dmarc": {"records": ["v=DMARC1; p=none"], "effective_policy": "none",
                      "rollout": [{"date": "2026-04-01", "p": "quarantine", "record": "v=DMARC1; p=quarantine"}]},
            "dkim": {"selector": "s1", "key_bits": 2048},
            "uptime": {"status": 200, "time_ms": 80},
            "latency": {"p50_ms": 40.0, "p95_ms": 220.0, "p99_ms": 300.0, "budget_ms": 300, "release": "v1"},
            "secrets": {"files_scanned": 1200, "findings": [{"file": "a.js", "line": 3, "rule": "stripe",
                                                             "fingerprint": "sk_l:abcd1234"}]},
            "env": {"missing": ["A", "B"]},
        }[kind]
        at = (now - dt.timedelta(days=i % 30)).isoformat()
        key = f"{rb.id}/{st.id}/{kind}-{i}@{target}"
        results[key] = {
            "check": kind, "check_id": f"{kind}-{i}", "target": target, "status": status,
            "summary": f"{kind} on {target}: {status}", "evidence": ev, "why": "It matters.", "fix": "Fix it.",
            "stage": rb.stage, "runbook": rb.id, "step": st.id, "started_at": at, "duration_ms": 10,
        }
    return {"results": results, "confirmations": {}, "records": {}, "notes": {}, "steps_done": {},
            "credentials": {f"c{i}": {"label": f"Key {i}", "reference": "vault", "owner": "Dana",
                                      "rotate_every_days": 90, "last_rotated": "2026-01-01"} for i in range(10)},
            "incidents": {}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from launchready_tui.core.export import build_handover, render_html, render_markdown
    from launchready_tui.core.profile import parse_profile
    from launchready_tui.core.runbook import load_runbooks

    import_s = time.perf_counter() - t0
    books, _ = load_runbooks()
    stages = sorted({b.stage for b in books if b.kind == "stage"})
    profile = parse_profile("project: Bench Co\ndomain: acme.example\n", str(ROOT / "launchready.yaml"))
    now = dt.datetime(2026, 3, 15, tzinfo=dt.UTC)
    state = make_state(books, args.results, now)
    history = [{"type": "latency", "release": f"v{r}", "at": f"2026-03-{r + 1:02d}T00:00:00+00:00",
                "url": f"https://app.acme.example/r{u}", "p50_ms": 40.0, "p95_ms": 200.0 + r, "p99_ms": 300.0}
               for r in range(10) for u in range(5)]

    times = {"build": [], "markdown": [], "html": [], "total": []}
    sizes = (0, 0)
    for _ in range(args.runs):
        a = time.perf_counter()
        doc = build_handover(profile, state, books, history=history, author="bench", now=now)
        b = time.perf_counter()
        md = render_markdown(doc)
        c = time.perf_counter()
        page = render_html(doc)
        d = time.perf_counter()
        times["build"].append(b - a)
        times["markdown"].append(c - b)
        times["html"].append(d - c)
        times["total"].append(d - a)
        sizes = (len(md), len(page))

    print(f"handover export: {len(stages)} stages, {args.results} results, {len(books)} runbooks, "
          f"median of {args.runs} runs")
    print(f"  imports (once)        {import_s * 1000:7.0f} ms")
    for k in ("build", "markdown", "html", "total"):
        print(f"  {k:<22}{statistics.median(times[k]) * 1000:7.0f} ms")
    print(f"  output                Markdown {sizes[0] / 1024:.0f} KiB, HTML {sizes[1] / 1024:.0f} KiB")
    total = statistics.median(times["total"])
    print(f"target < 1000 ms (build + Markdown + HTML): {'met' if total < 1.0 else 'NOT met'} "
          f"({total * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
