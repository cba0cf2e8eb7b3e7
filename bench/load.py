"""LaunchReady's latency probe against wrk and hey, on nginx over loopback.

Starts nginx (Debian's nginx-light; installed with apt-get when missing and allowed)
serving a fixed 200 response on 127.0.0.1, then at 100, 500 and 1000 requests/s:

* launchready's `latency` check (a profile route with `allow_heavy: true`), i.e. the
  open-loop generator in core/loadgen.py measuring from each request's due time;
* wrk, paced to the same rate with a Lua `delay()` (Debian's wrk is the original wrk,
  without wrk2's `-R`; its percentiles come from the Lua `done()` hook);
* hey with `-q` (requests/s per worker) x `-c` workers;
* for the record, the same open-loop schedule sent through httpx: one shared
  AsyncClient, and one client per connection.

It prints the achieved rate and p50/p95/p99 for each tool and the ratios, and checks
the targets: at least 98% of the requested rate, and p95 within max(1 ms, 20%) of
wrk's. `.ci/run` does not run this; it needs nginx, wrk and (optionally) hey.

    python bench/load.py [--duration 10] [--rates 100,500,1000] [--repeat 3] [--tls]
                         [--no-httpx] [--json results.json] [--no-install]

On a shared 2-core machine other work shows up in an open-loop probe's tail (a request
due while the generator is descheduled waits, and that wait counts), while closed-loop
wrk never notices. `--repeat N` reports the median run per tool, and the load average
is printed so a reader can tell a quiet run from a busy one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Running `python bench/load.py` puts bench/ first on sys.path, where bench/email.py
# would shadow the standard library's `email` (which httpx needs). Use the checkout.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

HOST = "bench.launchready.test"
PACE_LUA = r"""
local gap = tonumber(os.getenv("LR_GAP_MS") or "10")
function delay() return gap end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LR requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


# ---------------------------------------------------------------------------- tools


def find_or_install(tool: str, package: str, allow_install: bool) -> str | None:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if path or not allow_install:
        return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    print(f"installing {package} from Debian ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    r = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                       capture_output=True, env=env)
    return shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in the foreground on a temp prefix: one worker (the client gets the other core)."""

    def __init__(self, exe: str, tls: tuple[str, str] | None) -> None:
        self.exe, self.tls = exe, tls
        self.dir = Path(tempfile.mkdtemp(prefix="lr-bench-nginx-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> Nginx:
        listen = f"127.0.0.1:{self.port}" + (" ssl" if self.tls else "")
        tls = (f"ssl_certificate {self.tls[0]};\n    ssl_certificate_key {self.tls[1]};\n"
               if self.tls else "")
        (self.dir / "logs").mkdir()
        conf = self.dir / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {{
    listen {listen};
    server_name {HOST};
    {tls}
    location / {{ default_type text/plain; return 200 "ok\\n"; }}
  }}
}}
""")
        self.proc = subprocess.Popen([self.exe, "-c", str(conf), "-p", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode()[-500:] if self.proc.stderr else ""
                    raise SystemExit(f"nginx did not start: {err}") from None
                time.sleep(0.05)
        raise SystemExit("nginx did not start listening within 5 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def conns_for(rate: int) -> int:
    """Connections for the closed-loop tools: each paced at 100 requests/s (10 ms gap)."""
    return max(1, rate // 100)


def run_wrk(exe: str, url: str, rate: int, duration: float) -> dict:
    c = conns_for(rate)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(PACE_LUA)
    env = {**os.environ, "LR_GAP_MS": str(int(c * 1000 / rate))}
    out = subprocess.run([exe, "-t1", f"-c{c}", f"-d{int(duration)}s", "-s", f.name, url],
                         capture_output=True, text=True, env=env, timeout=duration + 30).stdout
    os.unlink(f.name)
    m = re.search(r"LR requests=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) p99_us=(\d+) "
                  r"max_us=(\d+) errors=(\d+)", out)
    if not m:
        return {"error": out[-300:]}
    n, dur, p50, p95, p99, mx, err = (int(x) for x in m.groups())
    return {"achieved_rps": n / (dur / 1e6), "p50_ms": p50 / 1000, "p95_ms": p95 / 1000,
            "p99_ms": p99 / 1000, "max_ms": mx / 1000, "errors": err, "connections": c}


def run_hey(exe: str, url: str, rate: int, duration: float) -> dict:
    c = conns_for(rate)
    out = subprocess.run([exe, "-z", f"{int(duration)}s", "-c", str(c), "-q", str(rate // c), url],
                         capture_output=True, text=True, timeout=duration + 30).stdout

    def pct(p: int) -> float | None:
        m = re.search(rf"\s{p}% in ([\d.]+) secs", out)
        return float(m.group(1)) * 1000 if m else None

    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        return {"error": out[-300:]}
    return {"achieved_rps": float(m.group(1)), "p50_ms": pct(50), "p95_ms": pct(95),
            "p99_ms": pct(99), "connections": c, "resolution_ms": 0.1}


def make_net(port: int, ca: str | None):
    from launchready_tui.core.net import Net, NetConfig, parse_connect_to

    return Net(NetConfig(connect_to=(parse_connect_to(f"{HOST}:{port}:127.0.0.1:{port}"),),
                         ca_bundle=ca, timeout_s=5.0))


async def run_launchready(url: str, port: int, ca: str | None, rate: int, duration: float) -> dict:
    """The real `latency` check, with a profile route that says allow_heavy: true."""
    from launchready_tui.core.checks import latency
    from launchready_tui.core.context import CheckContext, RunOptions
    from launchready_tui.core.profile import parse_profile

    prof = parse_profile(json.dumps({
        "project": "Bench", "domain": HOST,
        "performance": {"routes": [{"url": url, "rate": rate, "duration_s": duration,
                                    "allow_heavy": True, "budget_ms": 1000}]},
    }))
    ctx = CheckContext(prof, make_net(port, ca), state=None, options=RunOptions(release="bench"))
    r = await latency.check(ctx, url, {})
    ev = r.evidence
    return {k: ev.get(k) for k in ("achieved_rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors",
                                   "connections", "p99_send_lag_ms")} | {"status": r.status.value}


async def run_httpx(url: str, port: int, ca: str | None, rate: int, duration: float, engine: str) -> dict:
    from launchready_tui.core import loadgen

    spec = loadgen.LoadSpec(url, rate=rate, duration_s=duration, max_connections=256, timeout_s=5.0)
    rep = await loadgen.run_load(make_net(port, ca), spec, engine=engine)
    s = rep.summary()
    return {k: s[k] for k in ("achieved_rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors")}


def median_run(runs: list[dict]) -> dict:
    """The run whose p95 is the median (failed runs sort last); all p95s kept for the record."""
    good = sorted((r for r in runs if "error" not in r), key=lambda r: r.get("p95_ms") or 0.0)
    if not good:
        return runs[0]
    pick = dict(good[(len(good) - 1) // 2])
    if len(runs) > 1:
        pick["p95_all_runs_ms"] = [r.get("p95_ms") for r in runs if "error" not in r]
    return pick


# ---------------------------------------------------------------------------- main


def fmt(x, unit="") -> str:
    if x is None:
        return "-"
    return f"{x:.2f}{unit}" if isinstance(x, float) else f"{x}{unit}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per run (default 10)")
    ap.add_argument("--rates", default="100,500,1000")
    ap.add_argument("--tls", action="store_true", help="HTTPS instead of plain HTTP")
    ap.add_argument("--no-httpx", action="store_true", help="skip the httpx comparison runs")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install missing tools")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and rate; the median p95 run is shown")
    ap.add_argument("--nice", type=int, default=0,
                    help="change priority first (e.g. -10 as root on a shared machine); nginx, wrk "
                    "and hey are started from this process and inherit it, so every tool gets the same")
    a = ap.parse_args()
    rates = [int(x) for x in a.rates.split(",")]
    if a.nice:
        try:
            os.nice(a.nice)
        except PermissionError:
            print(f"cannot change priority by {a.nice} (needs root); running at normal priority",
                  file=sys.stderr)
            a.nice = 0

    nginx = find_or_install("nginx", "nginx-light", not a.no_install)
    if not nginx:
        print("nginx is not installed and could not be installed (apt-get install nginx-light)", file=sys.stderr)
        return 2
    wrk = find_or_install("wrk", "wrk", not a.no_install)
    hey = find_or_install("hey", "hey", not a.no_install)
    notes = []
    if not wrk:
        notes.append("wrk is missing (apt-get install wrk): no wrk baseline, p95 target not checked")
    if not hey:
        notes.append("hey is missing (apt-get install hey): hey skipped")

    tls, ca = None, None
    if a.tls:
        import trustme

        authority = trustme.CA()
        cert = authority.issue_cert(HOST)
        d = Path(tempfile.mkdtemp(prefix="lr-bench-tls-"))
        cert.private_key_and_cert_chain_pem.write_to_path(str(d / "cert.pem"))
        cert.private_key_pem.write_to_path(str(d / "key.pem"))
        authority.cert_pem.write_to_path(str(d / "ca.pem"))
        tls, ca = (str(d / "cert.pem"), str(d / "key.pem")), str(d / "ca.pem")
    server = Nginx(nginx, tls).start()
    scheme = "https" if a.tls else "http"
    url = f"{scheme}://{HOST}:{server.port}/"
    tool_url = f"{scheme}://127.0.0.1:{server.port}/"  # wrk and hey connect by address
    results: dict[str, dict[str, dict]] = {}
    try:
        for rate in rates:
            runs: dict[str, list[dict]] = {}
            for n in range(a.repeat):
                print(f"--- {rate} requests/s for {a.duration:g} s (run {n + 1}/{a.repeat}, load "
                      f"{os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
                runs.setdefault("launchready", []).append(
                    asyncio.run(run_launchready(url, server.port, ca, rate, a.duration)))
                if wrk:
                    runs.setdefault("wrk", []).append(run_wrk(wrk, tool_url, rate, a.duration))
                if hey:
                    runs.setdefault("hey", []).append(run_hey(hey, tool_url, rate, a.duration))
                if not a.no_httpx:
                    for eng in ("httpx", "httpx-per-connection"):
                        runs.setdefault(eng, []).append(
                            asyncio.run(run_httpx(url, server.port, ca, rate, a.duration, eng)))
            results[str(rate)] = {tool: median_run(rs) for tool, rs in runs.items()}
    finally:
        server.stop()

    load = os.getloadavg()
    print(f"\nnginx `return 200` on 127.0.0.1 over {scheme.upper()}, {a.duration:g} s per run, "
          f"median of {a.repeat} run(s), nice {a.nice}, {os.cpu_count()} cores, load average now "
          f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}\n")
    print(f"{'rate':>6} {'tool':<22} {'achieved/s':>11} {'of rate':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'p95 / wrk':>10}")
    ok = True
    for rate, row in results.items():
        base = row.get("wrk", {}).get("p95_ms")
        for tool, r in row.items():
            if "error" in r:
                print(f"{rate:>6} {tool:<22} failed: {r['error']}")
                continue
            frac = (r["achieved_rps"] or 0) / int(rate)
            ratio = (r["p95_ms"] / base) if base and r.get("p95_ms") is not None else None
            print(f"{rate:>6} {tool:<22} {fmt(r['achieved_rps']):>11} {frac:>8.1%} {fmt(r.get('p50_ms')):>8} "
                  f"{fmt(r.get('p95_ms')):>8} {fmt(r.get('p99_ms')):>8} {fmt(r.get('errors')):>7} "
                  f"{fmt(ratio, 'x'):>10}")
        lr = row["launchready"]
        print(f"{'':>6} launchready: p99 send lag {fmt(lr.get('p99_send_lag_ms'))} ms (how late the "
              f"generator itself was), {lr.get('connections')} connections")
        rate_ok = lr["achieved_rps"] >= 0.98 * int(rate)
        p95_ok = base is None or lr["p95_ms"] <= base + max(1.0, 0.2 * base)
        row["targets"] = {"rate_98pct": rate_ok, "p95_within_max_1ms_20pct_of_wrk": p95_ok if base else None}
        ok = ok and rate_ok and p95_ok
        print(f"{'':>6} targets: rate >= 98% {'OK' if rate_ok else 'MISSED'}; p95 within max(1 ms, 20%) "
              f"of wrk {'OK' if p95_ok and base else 'MISSED' if base else 'not checked'}")
    for n in notes:
        print("note:", n)
    if a.json:
        Path(a.json).write_text(json.dumps({"scheme": scheme, "duration_s": a.duration, "repeat": a.repeat,
                                            "nice": a.nice,
                                            "loadavg": load, "results": results, "notes": notes}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
